"""Facet counts estimated from a sample when a search matches many records (Tantivy only).

Counting facets over a million matches costs ~120 ms, so above `sample_above` matches the
index counts a deterministic sample and scales it. These tests lower the thresholds so a
few hundred records are "many", and check that the estimate is close, stable, marked as
such everywhere a reader sees it, and that the total and undated count stay exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from fonds.archive import open_archive
from fonds.model import Record
from fonds.search import TantivyIndex, _tantivy, open_index
from fonds.search._tantivy import SHARDS, shard_of
from fonds.search.fields import facet_values
from fonds.search.output import result_to_json
from fonds.search.types import scaled_count
from tests.search.records import memos
from tests.web.open_api_fixture import TestClient, make_app

N = 600


def many_records(n: int = N) -> list[Record]:
    """`n` small records (see `memos`), nobody named in them."""
    return memos(n, seed=3)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("estimated")
    index = open_index(path)
    index.add(many_records(), replace=False)
    index.commit()
    index.close()
    return path


@pytest.fixture
def sampled(folder: Path) -> Iterator[TantivyIndex]:
    # A sample of ~150 matches: too many for the first shards' slice (~37 of 600 records).
    index = TantivyIndex(folder, sample_above=100, sample_size=160)
    yield index
    index.close()


@pytest.fixture
def exact(folder: Path) -> Iterator[TantivyIndex]:
    index = TantivyIndex(folder)
    yield index
    index.close()


def test_shards_are_stable_and_spread() -> None:
    shards = [shard_of(f"memo-{i}") for i in range(20_000)]
    assert shards[:3] == [shard_of("memo-0"), shard_of("memo-1"), shard_of("memo-2")]
    assert min(shards) >= 0 and max(shards) < SHARDS
    # Every quarter of the shards holds about a quarter of the records.
    quarters = [sum(1 for s in shards if s * 4 // SHARDS == q) for q in range(4)]
    assert all(4_500 < n < 5_500 for n in quarters)


def test_many_matches_give_estimates_close_to_the_exact_counts(
    sampled: TantivyIndex, exact: TantivyIndex
) -> None:
    rough = sampled.search("berlin", facets=("language", "type"))
    true = exact.search("berlin", facets=("language", "type"))
    assert rough.estimated and not true.estimated
    assert rough.total == true.total == N
    assert rough.undated_count == true.undated_count == N // 10
    for facet in ("language", "type"):
        counts = {c.value: c.count for c in true.facets[facet]}
        for estimate in rough.facets[facet]:
            assert estimate.estimated
            assert abs(estimate.count - counts[estimate.value]) <= 0.35 * counts[estimate.value]
    assert sum(b.count for b in rough.histogram) == pytest.approx(N - N // 10, rel=0.2)


def test_estimates_are_the_same_every_time(sampled: TantivyIndex) -> None:
    first = sampled.search("", facets=("language", "type"))
    again = sampled.search("", facets=("language", "type"))
    assert first.facets == again.facets and first.histogram == again.histogram


def test_few_matches_are_counted_exactly(sampled: TantivyIndex) -> None:
    result = sampled.search("number 7", facets=("language", "type"))
    assert 0 < result.total <= 100
    assert not result.estimated
    assert sum(c.count for c in result.facets["type"]) == result.total


def test_estimate_is_marked_in_json_and_on_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sampled: TantivyIndex
) -> None:
    assert result_to_json(sampled.search(""))["estimated"] is True
    assert result_to_json(sampled.search("number 7"))["estimated"] is False

    # The archive opens its index itself, with the module's thresholds.
    monkeypatch.setattr(_tantivy, "SAMPLE_ABOVE", 100)
    monkeypatch.setattr(_tantivy, "SAMPLE_SIZE", 150)
    with open_archive(tmp_path, ocr=False) as archive:
        with archive.store.write() as writer:
            for record in many_records():
                writer.save(record)
        archive.sync_index()
        client = TestClient(make_app(archive))
        api = client.get("/api/v1/search", params={"q": "berlin"}).json()
        assert api["total"] == N and api["estimated"] is True
        page = client.get("/search.json", params={"q": "berlin"}).json()
        assert page["estimated"] is True
        assert all(v["estimated"] for v in page["facets"]["type"])
        html = client.get("/search", params={"q": "berlin"}).text
        assert "estimates from a sample" in html and "≈" in html
        # Turning pages reuses the counts, and they stay marked.
        second = client.get("/search.json", params={"q": "berlin", "page": "2"}).json()
        assert second["estimated"] is True
        few = client.get("/search.json", params={"q": '"number 7"'}).json()
        assert few["estimated"] is False
        assert "estimates from a sample" not in client.get("/search?q=%22number+7%22").text


def test_phrases_are_sampled_too(sampled: TantivyIndex, exact: TantivyIndex) -> None:
    rough = sampled.search('"berlin question"', facets=("type",))
    assert rough.estimated and rough.total == N
    assert rough.undated_count == exact.search('"berlin question"').undated_count == N // 10


@pytest.mark.parametrize("waits", [True, False], ids=["ranking-first", "counting-alone"])
def test_the_largest_searches_are_estimated_from_the_first_shards_slice(
    folder: Path, exact: TantivyIndex, monkeypatch: pytest.MonkeyPatch, waits: bool
) -> None:
    """With a sample size of 100, 600 matches are enough for the first QUICK_SHARDS shards
    (1/16, ~37 records) to be the sample; counting that waits for the ranking pass's number
    of matches and counting that does not (its first pass counts the slice) agree."""
    if waits:
        monkeypatch.setattr(_tantivy, "COUNT_WAIT", 30.0)
    else:
        monkeypatch.setattr(_tantivy._Total, "wait", lambda self, seconds: None)
    index = TantivyIndex(folder, sample_above=100, sample_size=100)
    try:
        rough = index.search("berlin", facets=("type",))
        again = index.search("berlin", facets=("type",))
    finally:
        index.close()
    true = exact.search("berlin", facets=("type",))
    assert rough.estimated and rough.facets == again.facets
    assert rough.total == true.total == N and rough.undated_count == N // 10
    # The estimates are the slice's own counts, scaled to all matches.
    in_slice: Counter[str] = Counter()
    for record in many_records():
        if shard_of(record.id) < _tantivy.QUICK_SHARDS:  # every record says "Berlin"
            in_slice.update(value for value, _ in facet_values(record)["type"])
    scale = true.total / sum(in_slice.values())
    assert {c.value: c.count for c in rough.facets["type"]} == {
        value: scaled_count(count, scale) for value, count in in_slice.items()
    }


def test_counting_without_waiting_for_the_ranking_gives_the_same_counts(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether counting learns the number of matches from the ranking pass or from a first
    pass of its own (a slow ranking), every search counts the same: sampled (600 matches,
    a second pass on enough shards), exact (few matches) and none."""
    queries = ["berlin", '"number 7"', "berlin date:1955..1960", "nothing-matches-this"]
    monkeypatch.setattr(_tantivy, "COUNT_WAIT", 30.0)
    index = TantivyIndex(folder, sample_above=100, sample_size=160)
    waited = [index.search(q, facets=("type", "language")) for q in queries]
    monkeypatch.setattr(_tantivy._Total, "wait", lambda self, seconds: None)
    alone = [index.search(q, facets=("type", "language")) for q in queries]
    index.close()
    assert waited[0].estimated and not waited[1].estimated and waited[3].total == 0
    for a, b in zip(waited, alone, strict=True):
        assert (a.total, a.undated_count, a.facets, a.histogram) == (
            b.total,
            b.undated_count,
            b.facets,
            b.histogram,
        )
