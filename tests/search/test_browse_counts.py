"""The browse page's exact counts, kept beside the Tantivy index at each commit.

Above `sample_above` records a search's facets are estimated from a sample; the empty query
(every record) instead takes the exact counts `commit()` wrote to BROWSE_FILE, as long as the
file describes the commit being searched. These tests lower the threshold so a few hundred
records are "many", count the truth by hand from the records, and check that a stale,
missing or damaged file only ever means the usual (estimated) counts, never an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from fonds.archive import open_archive
from fonds.model import Person, Record
from fonds.search import TantivyIndex, _tantivy
from fonds.search._tantivy import BROWSE_FILE, record_document
from fonds.search.types import SearchResult
from tests.search.records import memos
from tests.web.open_api_fixture import TestClient, make_app

N = 400
THRESHOLD = 100
# One person under two spellings: the browse counts add them up under the one id.
RUSK = [Person(id="p-rusk", name="Dean Rusk"), Person(id="p-rusk", name="Rusk, Dean")]


def records(n: int = N, start: int = 0) -> list[Record]:
    """`n` small records (see `memos`), Rusk in some under either spelling."""
    return memos(n, seed=start, start=start, people=RUSK)


def truth(items: list[Record]) -> dict[str, Counter[str]]:
    """What the empty query's counts must be, counted from the records themselves."""
    return {
        "language": Counter(r.languages[0].id for r in items),
        "type": Counter(r.type[0].name for r in items),
        "person": Counter(p.id or "" for r in items for p in r.persons_mentioned),
        "year": Counter(
            str(r.doc_date.start.year) for r in items if r.doc_date and r.doc_date.start
        ),
    }


def counts(result: SearchResult, facet: str) -> Counter[str]:
    return Counter({c.value: c.count for c in result.facets[facet]})


def years(result: SearchResult) -> Counter[str]:
    return Counter({b.label: b.count for b in result.histogram if b.count})


@pytest.fixture
def index(tmp_path: Path) -> Iterator[TantivyIndex]:
    built = TantivyIndex(tmp_path, sample_above=THRESHOLD, sample_size=50)
    built.add(records(), replace=False)
    built.commit()
    yield built
    built.close()


def reader(path: Path) -> TantivyIndex:
    """Another opening of the same directory, as a web worker in another process would."""
    return TantivyIndex(path, sample_above=THRESHOLD, sample_size=50)


def test_the_empty_query_has_exact_counts_after_a_commit(index: TantivyIndex) -> None:
    assert (index.path / BROWSE_FILE).exists()
    result = reader(index.path).search("")
    expected = truth(records())
    assert not result.estimated
    assert result.total == N
    assert result.undated_count == N // 10
    for facet in ("language", "type", "person"):
        assert counts(result, facet) == expected[facet]
    assert years(result) == expected["year"]
    assert [c.label for c in result.facets["person"]] in (["Dean Rusk"], ["Rusk, Dean"])


def test_other_searches_still_sample(index: TantivyIndex) -> None:
    assert index.search("berlin").estimated
    assert index.search("", filters={"language": ["eng"]}).estimated
    assert index.search("", date_from="1950").estimated
    assert index.search("date:1950..1969").estimated


def test_the_size_a_search_asks_for_is_a_cut_of_the_kept_counts(index: TantivyIndex) -> None:
    full = index.search("", facets=("type", "nonsense"))
    assert any("nonsense" in w for w in full.warnings)
    assert "nonsense" not in full.facets
    cut = index.search("", facets=("type",), facet_size=2, histogram=False)
    assert cut.facets["type"] == full.facets["type"][:2]
    assert cut.histogram == [] and not cut.estimated


def test_a_commit_from_another_opening_is_seen_at_once(index: TantivyIndex) -> None:
    worker = reader(index.path)
    assert worker.search("").total == N
    writer = reader(index.path)
    writer.add(records(50, start=N), replace=False)
    writer.commit()
    writer.close()
    result = worker.search("")
    assert result.total == N + 50 and not result.estimated
    assert counts(result, "type") == truth(records() + records(50, start=N))["type"]


def test_a_commit_that_did_not_count_means_estimates(index: TantivyIndex) -> None:
    # An index filled by Tantivy's own writer (as a bulk load might) has no counts of its own.
    writer = index._index.writer(50_000_000, 1)
    for record in records(50, start=N):
        writer.add_document(record_document(record))
    writer.commit()
    writer.wait_merging_threads()
    stale = reader(index.path).search("")
    assert stale.total == N + 50 and stale.estimated
    assert index.write_browse_counts()
    fresh = reader(index.path).search("")
    assert fresh.total == N + 50 and not fresh.estimated


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"\xff\xfe garbage",
        b"[]",
        b'{"format": 1, "tag": "TAG"}',
        b'{"format": 1, "tag": "TAG", "total": 400, "undated": 40, "years": {"x": 1}, '
        b'"facets": {}}',
        b'{"format": 1, "tag": "TAG", "total": 400, "undated": 40, "years": {}, '
        b'"facets": {"type": [["Letter"]]}}',
        b'{"format": 1, "tag": "TAG", "total": 400, "undated": 40, "years": {}, '
        b'"facets": {"type": 7}}',
    ],
)
def test_a_damaged_file_means_estimates_not_errors(index: TantivyIndex, content: bytes) -> None:
    path = index.path / BROWSE_FILE
    tag = _tantivy._meta_tag(index.path) or ""
    path.write_bytes(content.replace(b"TAG", tag.encode()))
    result = reader(index.path).search("")
    assert result.total == N and result.estimated and not result.warnings


def test_a_missing_file_means_estimates(index: TantivyIndex) -> None:
    (index.path / BROWSE_FILE).unlink()
    result = reader(index.path).search("")
    assert result.total == N and result.estimated


def test_small_indexes_count_live_and_keep_no_file(tmp_path: Path) -> None:
    small = TantivyIndex(tmp_path, sample_above=THRESHOLD)
    small.add(records(THRESHOLD), replace=False)
    small.commit()
    assert not (tmp_path / BROWSE_FILE).exists()
    assert not small.search("").estimated
    small.add(records(THRESHOLD, start=THRESHOLD), replace=False)
    small.commit()
    assert (tmp_path / BROWSE_FILE).exists()
    small.clear()
    assert not (tmp_path / BROWSE_FILE).exists()
    # The file is written under a temporary name and renamed; none is left behind.
    assert [p.name for p in tmp_path.iterdir() if BROWSE_FILE in p.name] == []
    small.close()


def test_the_browse_page_shows_exact_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_tantivy, "SAMPLE_ABOVE", THRESHOLD)
    monkeypatch.setattr(_tantivy, "SAMPLE_SIZE", 50)
    with open_archive(tmp_path, ocr=False) as archive:
        with archive.store.write() as writer:
            for record in records():
                writer.save(record)
        archive.sync_index()
        assert not archive.search("").estimated
        client = TestClient(make_app(archive))
        page = client.get("/search.json").json()
        assert page["total"] == N and page["estimated"] is False
        assert {f["value"]: f["count"] for f in page["facets"]["type"]} == truth(records())["type"]
        assert "estimates from a sample" not in client.get("/search").text
        api = client.get("/api/v1/search").json()
        assert api["estimated"] is False and api["undated_count"] == N // 10
        assert client.get("/search.json", params={"q": "berlin"}).json()["estimated"] is True
