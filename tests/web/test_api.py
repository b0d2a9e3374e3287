"""The JSON API (`/api/v1`): reads with filters, paging, caching and CORS; editors' writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fonds.archive import Archive
from fonds.serialize import record_to_json
from fonds.users import add_user
from tests.web.open_api_fixture import DRAFT, HAND_MADE, TestClient, build_archive, make_app


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("api"))
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    return TestClient(make_app(archive))


@pytest.fixture(scope="module")
def editor(archive: Archive) -> dict[str, str]:
    return {"Authorization": f"Bearer {add_user(archive, 'ed', 'secret', 'editor')}"}


def test_record_is_served_in_fonds_json(client: TestClient, archive: Archive) -> None:
    response = client.get("/api/v1/records/116976")
    assert response.status_code == 200
    data = response.json()
    expected = record_to_json(archive.get("116976"))  # type: ignore[arg-type]
    assert data["title"] == expected["title"]
    assert data["doc_date"] == "1961-01-06"
    assert data["frontend_doc_date"] == "January 6, 1961"
    assert data["links"]["html"].endswith("/document/116976")


def test_reads_allow_any_origin(client: TestClient) -> None:
    response = client.get("/api/v1/records/116976", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/api/v1/records",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_etag_answers_if_none_match_with_304(client: TestClient) -> None:
    first = client.get("/api/v1/records/116976")
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("/api/v1/records/116976", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/records/116976", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304


def test_missing_record_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/records/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_cursor_pages_through_every_record_without_a_cap(
    client: TestClient, archive: Archive
) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/records?limit=7"
    while url:
        data = client.get(url).json()
        seen.extend(r["id"] for r in data["records"])
        url = data["next"]
    assert len(seen) == len(set(seen)) == archive.count() == data["total"]
    assert DRAFT not in seen


def test_filters_combine_with_and(client: TestClient) -> None:
    volume = client.get("/api/v1/records", params={"collection": "frus1961-63v06"}).json()
    assert volume["total"] == 120
    khrushchev = client.get("/api/v1/people", params={"q": "Khrushchev"}).json()["people"][0]
    with_person = client.get(
        "/api/v1/records",
        params={"collection": "frus1961-63v06", "person": khrushchev["id"], "q": "Berlin"},
    ).json()
    assert 0 < with_person["total"] < volume["total"]
    russian = client.get("/api/v1/records", params={"language": "rus"}).json()
    assert {r["id"] for r in russian["records"]} >= {"116976", HAND_MADE}
    both = client.get(
        "/api/v1/records",
        params={
            "language": "rus",
            "donor": ["Leon Levy Foundation", "Blavatnik Family Foundation"],
        },
    ).json()
    assert [r["id"] for r in both["records"]] == [HAND_MADE]


def test_date_filters_keep_records_overlapping_the_range(client: TestClient) -> None:
    data = client.get(
        "/api/v1/records", params={"from": "1962-10", "to": "1962-10", "limit": 1000}
    ).json()
    assert data["total"] > 5
    assert all(
        r["date_range_start"] <= "1962-10-31" and r["date_range_end"] >= "1962-10-01"
        for r in data["records"]
    )


def test_search_returns_hits_facets_and_histogram(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "Berlin", "limit": 5}).json()
    assert data["total"] > 5 and len(data["hits"]) == 5
    assert "<mark>" in "".join(hit["snippet"] for hit in data["hits"])
    assert data["facets"]["collection"][0]["value"] == "frus1961-63v06"
    assert sum(bucket["count"] for bucket in data["histogram"]) <= data["total"]
    assert data["next"]


def test_citation_in_every_style_and_as_bibtex(client: TestClient) -> None:
    every = client.get("/api/v1/records/116976/citation").json()
    assert {"house", "chicago", "apa", "mla"} <= set(every["citations"])
    assert "Korobochkin" in every["citations"]["house"]
    bibtex = client.get("/api/v1/records/116976/citation", params={"style": "bibtex"})
    assert bibtex.text.lstrip().startswith("@")
    bad = client.get("/api/v1/records/116976/citation", params={"style": "no-such-style"})
    assert bad.status_code == 400


def test_related_records_exclude_the_record_itself(client: TestClient) -> None:
    data = client.get("/api/v1/records/frus1961-63v06d10/related").json()
    ids = [r["id"] for r in data["records"]]
    assert ids and "frus1961-63v06d10" not in ids


def test_collections_people_places_subjects_and_histogram(
    client: TestClient, archive: Archive
) -> None:
    collections = client.get("/api/v1/collections").json()["collections"]
    volume = next(c for c in collections if c["id"] == "frus1961-63v06")
    assert volume["children"] == ["frus1961-63v06-comp1"]
    assert client.get("/api/v1/collections/frus1961-63v06").json()["count"] == 120
    person = client.get("/api/v1/people", params={"q": "Chervonenko"}).json()["people"][0]
    detail = client.get(f"/api/v1/people/{person['id']}").json()
    assert detail["name"] == "S. V. Chervonenko" and detail["count"] >= 2
    places = {p["name"]: p for p in client.get("/api/v1/places").json()["terms"]}
    assert places["Xinjiang"]["parent"] == places["China"]["id"]
    subjects = client.get("/api/v1/subjects").json()["terms"]
    assert "China--Foreign relations--Soviet Union" in {s["name"] for s in subjects}
    histogram = client.get("/api/v1/dates/histogram").json()
    dated = sum(year["count"] for year in histogram["years"])
    assert dated + histogram["undated"] == archive.count()
    assert histogram["begin"] == "1960-11-09"


def test_writes_need_an_editor_token(client: TestClient) -> None:
    body = {"id": "w1", "title": "Written through the API"}
    assert client.put("/api/v1/records/w1", json=body).status_code == 401
    bad = client.put("/api/v1/records/w1", json=body, headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401 and "invalid_token" in bad.headers["www-authenticate"]
    assert client.delete("/api/v1/records/w1").status_code == 401


def test_viewer_token_is_forbidden(client: TestClient, archive: Archive) -> None:
    from sqlalchemy import update

    from fonds.store import tables as t

    token = add_user(archive, "viewer", "pw", "editor")
    with archive.store.engine.begin() as c:
        c.execute(update(t.users).where(t.users.c.name == "viewer").values(role="reader"))
    response = client.put(
        "/api/v1/records/w0", json={"title": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_editor_puts_and_deletes_a_record(client: TestClient, editor: dict[str, str]) -> None:
    body = {
        "title": "Written through the API",
        "doc_date": "March, 1962",
        "subjects": ["Berlin crisis"],
    }
    created = client.put("/api/v1/records/w2", json=body, headers=editor)
    assert created.status_code == 201 and created.json()["outcome"] == "added"
    record = client.get("/api/v1/records/w2").json()
    assert record["doc_date"] == "1962-03" and record["subjects"][0]["name"] == "Berlin crisis"
    again = client.put("/api/v1/records/w2", json=body, headers=editor)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert client.delete("/api/v1/records/w2", headers=editor).status_code == 204
    assert client.get("/api/v1/records/w2").status_code == 404


def test_invalid_body_is_422_and_writes_nothing(
    client: TestClient, editor: dict[str, str], archive: Archive
) -> None:
    bodies = (
        {"title": ""},
        {"title": "x", "status": "lost"},
        {"id": "other", "title": "x"},
        {"title": "x", "creators": [""]},
        {"title": "x", "collections": [{"id": "", "name": "Nameless"}]},
    )
    for body in bodies:
        response = client.put("/api/v1/records/w3", json=body, headers=editor)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    broken = client.put("/api/v1/records/w3", content=b"{not json", headers=editor)
    assert broken.status_code == 422
    assert archive.get("w3", include_unpublished=True) is None


def test_oversized_body_is_413(client: TestClient, editor: dict[str, str]) -> None:
    body = b'{"title": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    response = client.put(
        "/api/v1/records/w4", content=body, headers={**editor, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_openapi_document_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/records",
        "/api/v1/records/{record_id}",
        "/api/v1/search",
        "/api/v1/records/{record_id}/citation",
        "/api/v1/dates/histogram",
        "/srv/record.json",
        "/oai",
        "/iiif/{record_id}/manifest.json",
    ):
        assert path in paths, path


def test_tokens_are_kept_only_as_hashes(archive: Archive) -> None:
    from sqlalchemy import select

    from fonds import users
    from fonds.store import tables as t

    token = users.add_user(archive, "hasher", "correct horse", "admin")
    with archive.store.read() as c:
        row = c.execute(select(t.users).where(t.users.c.name == "hasher")).one()
    assert token not in (row.token_hash, row.password_hash)
    assert row.token_hash == users.hash_token(token)
    assert users.verify_token(archive, token).name == "hasher"  # type: ignore[union-attr]
    assert users.verify_password(archive, "hasher", "correct horse") is not None
    assert users.verify_password(archive, "hasher", "wrong") is None
    fresh = users.new_token(archive, "hasher")
    assert users.verify_token(archive, token) is None
    assert users.verify_token(archive, fresh) is not None
    with pytest.raises(ValueError, match="exists already"):
        users.add_user(archive, "hasher", "x")
    with pytest.raises(ValueError, match="unknown role"):
        users.add_user(archive, "someone", "x", "superuser")
