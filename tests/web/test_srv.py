"""The archive-API drop-in (`/srv`), checked point by point against the contract and through
the published `digitalarchive` client talking HTTP to a fonds server."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fonds.archive import Archive
from fonds.store import tables as t
from tests.web.open_api_fixture import (
    DRAFT,
    HAND_MADE,
    TestClient,
    build_archive,
    make_app,
    serve,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the client still uses pydantic v1 validators
    import digitalarchive.api as da_api
    from digitalarchive import exceptions as da_exceptions
    from digitalarchive import matching, models

DOCUMENT_LISTS = (
    "donors",
    "subjects",
    "transcripts",
    "translations",
    "media_files",
    "languages",
    "contributors",
    "creators",
    "original_coverages",
    "collections",
    "attachments",
    "links",
    "repositories",
    "publishers",
    "classifications",
    "type",
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("srv"))
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    return TestClient(make_app(archive))


class HostRewrite(httpx.BaseTransport):
    """Send the client's requests for digitalarchive.wilsoncenter.org to our server."""

    def __init__(self, base: str) -> None:
        self.base = httpx.URL(base)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def da(archive: Archive) -> Iterator[None]:
    """The digitalarchive client, pointed at a fonds server over real HTTP."""
    with serve(make_app(archive)) as base:
        original = da_api.SESSION
        da_api.SESSION = httpx.Client(transport=HostRewrite(base))
        try:
            yield
        finally:
            da_api.SESSION.close()
            da_api.SESSION = original


def term_id(archive: Archive, kind: str, name: str) -> str:
    with archive.store.read() as c:
        return str(
            c.execute(
                select(t.terms.c.id).where(t.terms.c.kind == kind, t.terms.c.name == name)
            ).scalar_one()
        )


def person_id(archive: Archive, name: str) -> str:
    with archive.store.read() as c:
        return str(c.execute(select(t.persons.c.id).where(t.persons.c.name == name)).scalar_one())


def published_count(archive: Archive, *where: Any) -> int:
    from fonds.store.reader import published_clause

    with archive.store.read() as c:
        return int(
            c.execute(
                select(func.count()).select_from(t.records).where(published_clause(), *where)
            ).scalar_one()
        )


# -- the JSON, point by point ------------------------------------------------------------------


def test_record_json_has_every_list_even_when_empty(client: TestClient) -> None:
    data = client.get("/srv/record/116976.json").json()
    for name in DOCUMENT_LISTS:
        assert isinstance(data[name], list), name
    assert data["subjects"] == [] and data["attachments"] == []
    assert data["id"] == "116976" and data["uri"] == "/srv/record/116976.json"
    assert data["doc_date"] == "19610106"
    assert data["frontend_doc_date"] == "January 6, 1961"
    assert data["date_range_start"] == "19610106"
    assert data["model"] == "Record"
    assert data["main_src"] is None
    assert data["source"].startswith("AVPRF, fond 0100, opis 55")
    assert data["languages"] == [{"id": "rus", "name": "Russian"}]
    assert data["donors"][0]["name"] == "Leon Levy Foundation"
    assert all(isinstance(p["id"], str) for p in data["contributors"])
    assert {"Mao Zedong", "Yang Shangkun"} <= {p["name"] for p in data["contributors"]}
    assert len(data["source_created_at"]) == len("2024-01-01 12:00:00")
    assert data["rights"]["name"] and "rights" in data["rights"]


def test_record_assets_carry_urls_the_client_can_fetch(client: TestClient) -> None:
    data = client.get(f"/srv/record/{HAND_MADE}.json").json()
    translation = data["translations"][0]
    assert translation["language"] == {"id": "chi", "name": "Chinese"}
    assert translation["extension"] == "html"
    assert translation["url"] == f"/translations/{translation['id']}.html"
    assert translation["filename"] == f"TranslationFile_{HAND_MADE}.html"
    scan = client.get("/srv/record/104-10004-10143.json").json()["media_files"][0]
    assert scan["path"].endswith(".pdf") and "url" not in scan
    assert client.get(scan["path"]).content.startswith(b"%PDF")


def test_search_hits_leave_out_translations_and_transcripts(client: TestClient) -> None:
    data = client.get(
        "/srv/record.json", params={"q": "Khrushchev", "model": "Record", "itemsPerPage": 5}
    ).json()
    assert data["pagination"]["page"] == 1
    assert data["pagination"]["totalPages"] == -(-data["pagination"]["totalItems"] // 5)
    assert len(data["list"]) == 5
    for hit in data["list"]:
        assert "translations" not in hit and "transcripts" not in hit
        assert {
            "id",
            "uri",
            "title",
            "doc_date",
            "frontend_doc_date",
            "slug",
            "source_created_at",
            "source_updated_at",
            "first_published_at",
            "description",
        } <= set(hit)


def test_pages_are_one_based_and_together_hold_every_hit(client: TestClient) -> None:
    first = client.get("/srv/record.json", params={"q": "", "itemsPerPage": 40}).json()
    total = first["pagination"]["totalItems"]
    seen = []
    for page in range(1, first["pagination"]["totalPages"] + 1):
        data = client.get(
            "/srv/record.json", params={"q": "", "itemsPerPage": 40, "page": page}
        ).json()
        seen.extend(hit["id"] for hit in data["list"])
    assert len(seen) == len(set(seen)) == total


def test_start_and_end_date_filter_on_the_rounded_down_date(
    client: TestClient, archive: Archive
) -> None:
    data = client.get(
        "/srv/record.json",
        params={"start_date": "19620101", "end_date": "19621231", "itemsPerPage": 500},
    ).json()
    expected = published_count(
        archive,
        t.records.c.date_start >= date(1962, 1, 1),
        t.records.c.date_start <= date(1962, 12, 31),
    )
    assert data["pagination"]["totalItems"] == expected > 0
    assert all("19620101" <= hit["doc_date"] <= "19621231" for hit in data["list"])


def test_filters_are_resource_ids_and_all_must_match(client: TestClient, archive: Archive) -> None:
    donors = [
        term_id(archive, "donor", "Leon Levy Foundation"),
        term_id(archive, "donor", "Blavatnik Family Foundation"),
    ]
    both = client.get("/srv/record.json", params={"donor[]": donors}).json()
    assert [hit["id"] for hit in both["list"]] == [HAND_MADE]
    one = client.get("/srv/record.json", params={"donor[]": donors[:1]}).json()
    assert {hit["id"] for hit in one["list"]} == {"116976", HAND_MADE}
    by_name = client.get("/srv/record.json", params={"donor[]": "Leon Levy Foundation"}).json()
    assert by_name["pagination"]["totalItems"] == 0


def test_unpaged_endpoints_return_every_hit_in_one_page(client: TestClient) -> None:
    data = client.get("/srv/coverage.json", params={"term": "", "itemsPerPage": 1}).json()
    assert len(data["list"]) == data["pagination"]["totalItems"] > 1


def test_coverage_has_parent_object_or_empty_list_and_children(
    client: TestClient, archive: Archive
) -> None:
    china = client.get(f"/srv/coverage/{term_id(archive, 'place', 'China')}.json").json()
    xinjiang = client.get(f"/srv/coverage/{term_id(archive, 'place', 'Xinjiang')}.json").json()
    assert china["parent"] == []
    assert [child["name"] for child in china["children"]] == ["Xinjiang"]
    assert xinjiang["parent"]["name"] == "China"


def test_theme_is_fetched_by_slug(client: TestClient) -> None:
    data = client.get("/srv/theme/cold-war-history.json").json()
    assert data["title"] == "Cold War History" and data["slug"] == "cold-war-history"


def test_date_range_gives_begin_and_end(client: TestClient) -> None:
    assert client.get("/srv/record/date_range.json").json() == {
        "begin": "19601109",
        "end": "19631201",
    }


def test_search_accepts_unknown_field_params(client: TestClient) -> None:
    response = client.get("/srv/collection.json", params={"term": "Kennedy", "frobnicate": "1"})
    assert response.status_code == 200
    assert response.json()["pagination"]["totalItems"] == 2


def test_drafts_are_invisible(client: TestClient) -> None:
    assert client.get(f"/srv/record/{DRAFT}.json").status_code == 404
    data = client.get("/srv/record.json", params={"q": "Unpublished draft"}).json()
    assert DRAFT not in [hit["id"] for hit in data["list"]]


def test_transcript_html_is_served_without_scripts(client: TestClient) -> None:
    data = client.get(f"/srv/record/{HAND_MADE}.json").json()
    html = client.get(data["transcripts"][0]["url"]).text
    assert "Памятная записка" in html and "<script" not in html


# -- the digitalarchive client's documented uses --------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("da")
class TestDigitalArchiveClient:
    def test_match_by_id(self) -> None:
        doc = models.Document.match(id="116976").first()
        assert doc.title.startswith("From the Journal of S. V. Chervonenko")
        assert doc.doc_date == "19610106"
        assert doc.frontend_doc_date == "January 6, 1961"

    def test_unknown_id_raises_no_such_resource(self) -> None:
        with pytest.raises(da_exceptions.NoSuchResourceError):
            models.Document.match(id="no-such-record").first()

    def test_keyword_search_over_several_pages(self, client: TestClient) -> None:
        expected = client.get("/api/v1/records", params={"q": "Khrushchev", "limit": 1}).json()
        matcher = matching.ResourceMatcher(
            models.Document, items_per_page=25, q="Khrushchev", model="Record"
        )
        assert matcher.count == expected["total"] > 50
        docs = matcher.all()
        assert len(docs) == len({d.id for d in docs}) == matcher.count
        assert models.Document.match(title="Khrushchev").count == matcher.count

    def test_hydrate_fills_every_field(self) -> None:
        doc = models.Document.match(title="Xinjiang border talks").first()
        assert doc.translations is None and doc.transcripts is None
        doc.hydrate()
        for name, value in vars(doc).items():
            if name != "main_src":
                assert value is not None, name
        assert doc.rights.name == "Public domain"
        assert doc.date_range_start == date(1962, 5, 14)

    def test_recursive_hydrate_fetches_assets_and_collections(self) -> None:
        doc = models.Document.match(id=HAND_MADE).first()
        doc.hydrate(recurse=True)
        assert "新疆" in doc.translations[0].html
        assert "Памятная записка" in doc.transcripts[0].html
        assert doc.collections[0].no_of_documents == "1"
        scan = models.Document.match(id="104-10004-10143").first()
        scan.hydrate(recurse=True)
        assert scan.media_files[0].pdf.startswith(b"%PDF")

    def test_date_range_search(self, archive: Archive) -> None:
        start, end = date(1962, 10, 1), date(1962, 11, 30)
        docs = models.Document.match(start_date=start, end_date=end).all()
        assert (
            len(docs)
            == published_count(
                archive, t.records.c.date_start >= start, t.records.c.date_start <= end
            )
            > 5
        )
        for doc in docs[:5]:
            doc.hydrate()
            assert start <= doc.date_range_start <= end
        # Only an end date: the client asks /srv/record/date_range.json where to begin.
        until = models.Document.match(end_date=date(1960, 12, 31)).all()
        expected = published_count(archive, t.records.c.date_start <= date(1960, 12, 31))
        assert len(until) == expected > 0

    def test_collection_filters_use_and_logic(self) -> None:
        volume = models.Collection.match(name="Foreign Relations").first()
        chapter = models.Collection.match(name="Kennedy-Khrushchev Exchanges").all()
        assert volume.id == "frus1961-63v06"
        inner = [c for c in chapter if c.id != volume.id]
        assert models.Document.match(collections=[volume, *inner]).count == 120
        xinjiang = models.Collection.match(id="491").first()
        assert models.Document.match(collections=[volume, xinjiang]).count == 0

    def test_every_facet_filter(self, archive: Archive) -> None:
        subject = models.Subject.match(name="China--Foreign relations").first()
        coverage = models.Coverage.match(name="Xinjiang").first()
        repository = models.Repository.match(name="AVPRF").first()
        donors = [
            models.Donor(id=term_id(archive, "donor", n), name=n)
            for n in ("Leon Levy Foundation", "Blavatnik Family Foundation")
        ]
        publisher = models.Publisher(
            id=term_id(archive, "publisher", "Wilson Center Digital Archive"),
            name="Wilson Center Digital Archive",
            value="Wilson Center Digital Archive",
        )
        theme = models.Theme(id="0", slug="cold-war-history")
        theme.hydrate()
        cases: dict[str, dict[str, Any]] = {
            "subjects": {"subjects": [subject]},
            "original_coverages": {"original_coverages": [coverage]},
            "repositories": {"repositories": [repository]},
            "donors": {"donors": donors},
            "publishers": {"publishers": [publisher]},
            "languages": {"languages": ["rus"]},
            "translations": {"translations": [models.Language(id="chi")]},
            "themes": {"themes": [theme]},
        }
        for name, query in cases.items():
            ids = {d.id for d in models.Document.match(**query).all()}
            assert HAND_MADE in ids, name
        assert {d.id for d in models.Document.match(donors=donors).all()} == {HAND_MADE}

    def test_contributor_filters_need_every_person(self) -> None:
        khrushchev = models.Contributor.match(name="Khrushchev").first()
        kennedy = models.Contributor.match(name="Kennedy, John").first()
        both = models.Document.match(contributors=[khrushchev, kennedy]).count
        only = models.Document.match(contributors=[khrushchev]).count
        assert 0 < both <= only
        mao = models.Contributor.match(name="Mao Zedong").first()
        assert models.Document.match(contributors=[khrushchev, mao]).count == 0

    def test_collections_match_and_hydrate(self) -> None:
        found = models.Collection.match(name="Xinjiang")
        assert found.count == 1
        collection = found.first()
        collection.hydrate()
        assert collection.name.endswith("Xinjiang, 1957-1958")
        assert collection.slug == "local-nationalism-in-xinjiang-1957-1958"
        assert collection.description.startswith("<p>At the end of 1957")
        assert models.Collection.match(description="Kennedy").count == 2

    def test_subjects_match_all_in_one_page(self) -> None:
        found = models.Subject.match(name="China")
        subject = found.first()
        subject.hydrate()
        assert subject.uri == f"/srv/subject/{subject.id}.json"
        assert subject.value == subject.name

    def test_coverages_have_parents_and_children(self) -> None:
        xinjiang = models.Coverage.match(name="Xinjiang").first()
        xinjiang.hydrate()
        assert xinjiang.parent.name == "China"
        china = models.Coverage.match(id=xinjiang.parent.id).first()
        assert china.parent is None
        assert [c.name for c in china.children] == ["Xinjiang"]

    def test_repositories_match(self) -> None:
        found = models.Repository.match(name="AVPRF").all()
        assert [r.name for r in found] == ["AVPRF"]
        repository = found[0]
        repository.hydrate()
        assert repository.uri == f"/srv/repository/{repository.id}.json"

    def test_contributors_match_and_hydrate(self) -> None:
        found = models.Contributor.match(name="Chervonenko").all()
        assert [c.name for c in found] == ["S. V. Chervonenko"]
        found[0].hydrate()
        assert found[0].uri == f"/srv/contributor/{found[0].id}.json"
