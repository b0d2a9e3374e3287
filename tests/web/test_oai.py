"""OAI-PMH at /oai: a real harvester (Sickle, over HTTP) gets every record; errors by code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree
from sickle import Sickle, oaiexceptions

from fonds.archive import Archive
from fonds.web import oai
from tests.web.open_api_fixture import DRAFT, TestClient, build_archive, make_app, serve

NS = {"o": oai.OAI_NS, "dc": oai.DC_NS}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("oai"))
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    return TestClient(make_app(archive))


@pytest.fixture(scope="module")
def harvester(archive: Archive) -> Iterator[Sickle]:
    with serve(make_app(archive)) as base:
        yield Sickle(f"{base}/oai")


def error_code(client: TestClient, **params: str) -> str | None:
    root = etree.fromstring(client.get("/oai", params=params).content)
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


def identifier(archive: Archive, record_id: str) -> str:
    return f"oai:127.0.0.1:{record_id}"


@pytest.mark.slow
def test_harvest_returns_every_published_record(harvester: Sickle, archive: Archive) -> None:
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    ids = [r.header.identifier for r in records]
    assert len(ids) == len(set(ids)) == archive.count() > oai.PAGE_SIZE
    assert identifier(archive, DRAFT) not in ids
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc"))
    assert len(headers) == len(ids)


@pytest.mark.slow
def test_harvest_of_a_set_includes_its_child_sets(harvester: Sickle) -> None:
    specs = {s.setSpec for s in harvester.ListSets()}
    assert {"frus1961-63v06", "frus1961-63v06:frus1961-63v06-comp1", "491"} <= specs
    volume = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="frus1961-63v06"))
    assert len(volume) == 120


@pytest.mark.slow
def test_get_record_carries_dublin_core(harvester: Sickle, archive: Archive) -> None:
    record = harvester.GetRecord(identifier=identifier(archive, "116976"), metadataPrefix="oai_dc")
    dc = record.metadata
    assert dc["title"][0].startswith("From the Journal of S. V. Chervonenko")
    assert dc["date"] == ["1961-01-06"]
    assert dc["language"] == ["rus"]
    assert "Mao Zedong" in dc["contributor"]
    assert dc["identifier"][0].endswith("/document/116976")


@pytest.mark.slow
def test_identify_and_formats(harvester: Sickle) -> None:
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert [f.metadataPrefix for f in harvester.ListMetadataFormats()] == ["oai_dc"]


def test_from_and_until_select_by_datestamp(client: TestClient, archive: Archive) -> None:
    root = etree.fromstring(
        client.get("/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content
    )
    stamps = sorted(s.text for s in root.iterfind(".//o:header/o:datestamp", NS))
    first_day = stamps[0][:10]
    everything = etree.fromstring(
        client.get(
            "/oai",
            params={
                "verb": "ListIdentifiers",
                "metadataPrefix": "oai_dc",
                "from": first_day,
                "until": "2999-01-01",
            },
        ).content
    )
    token = everything.find(".//o:resumptionToken", NS)
    assert token is not None and token.get("completeListSize") == str(archive.count())
    assert (
        error_code(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="1999-01-01")
        == "noRecordsMatch"
    )


def test_resumption_token_pages_to_the_end(client: TestClient, archive: Archive) -> None:
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    seen: list[str] = []
    while True:
        root = etree.fromstring(client.get("/oai", params=params).content)
        seen.extend(i.text for i in root.iterfind(".//o:header/o:identifier", NS))
        token = root.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            break
        params = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert len(seen) == len(set(seen)) == archive.count()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"verb": "Frobnicate"}, "badVerb"),
        ({}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2020-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:1"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:127.0.0.1:{DRAFT}",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "no-such-set"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "resumptionToken": "garbage!"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
    ],
)
def test_protocol_errors_carry_their_codes(
    client: TestClient, params: dict[str, str], code: str
) -> None:
    assert error_code(client, **params) == code


def test_repeated_argument_is_bad(client: TestClient) -> None:
    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    root = etree.fromstring(response.content)
    assert root.find("o:error", NS).get("code") == "badArgument"  # type: ignore[union-attr]


def test_post_is_answered_like_get(client: TestClient) -> None:
    response = client.post("/oai", data={"verb": "Identify"})
    root = etree.fromstring(response.content)
    assert root.find("o:Identify/o:repositoryName", NS) is not None


@pytest.mark.slow
def test_sickle_raises_for_unknown_identifier(harvester: Sickle) -> None:
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        harvester.GetRecord(identifier="oai:127.0.0.1:nope", metadataPrefix="oai_dc")
