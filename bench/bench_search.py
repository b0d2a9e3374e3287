"""Search latency: fonds' SearchIndex.search against raw Tantivy on the same index.

Builds N records from real FRUS volumes (../shared/corpus/frus/volumes, read by fonds' TEI
ingester; records are repeated with new ids, shifted dates and varied facets until there are
N), indexes them in a temporary directory, then runs the same reader queries two ways:

- fonds: `SearchIndex.search(q)` with snippets, five facets, the timeline and undated count;
- raw:   Tantivy's own parser on title+body, top 20 with a count, nothing else.

Prints one row per N: median and p95 latency of each, and their ratio.

    python bench/bench_search.py 50000 200000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import tantivy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fonds.ingest.tei import parse  # noqa: E402
from fonds.model import Language, Record, Term  # noqa: E402
from fonds.search import SearchIndex, open_index  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpus" / "frus" / "volumes"
VOLUMES = [
    "frus1961-63v05.xml",
    "frus1961-63v06.xml",
    "frus1961-63v22.xml",
    "frus1958-60v19.xml",
    "frus1964-68v14.xml",
    "frus1964-68v30.xml",
]
QUERIES = [
    "",
    "Khrushchev",
    "Berlin access",
    '"nuclear test"',
    "Laos OR Vietnam",
    "negotiat*",
    "China -Taiwan",
    "person:Rusk",
    "Berlin date:1961..1962",
    "subject:Berlin",
    "Chinese Communist intentions",
    '"Soviet Union" disarmament',
]
RAW_QUERIES = [q.replace("date:1961..1962", "").replace("subject:", "") or "*" for q in QUERIES]
FIVE_FACETS = ("collection", "person", "language", "classification", "type")
LANGUAGES = [Language(id="eng", name="English"), Language(id="rus", name="Russian")]
LANGUAGES += [Language(id="chi", name="Chinese"), Language(id="ger", name="German")]
MARKINGS = ["SECRET", "TOP SECRET", "CONFIDENTIAL", "UNCLASSIFIED", "LIMITED OFFICIAL USE"]
TYPES = ["Memorandum", "Telegram", "Letter", "Memorandum of Conversation", "Editorial Note"]


def frus_records() -> list[Record]:
    records: list[Record] = []
    for name in VOLUMES:
        path = CORPUS / name
        if path.exists():
            records.extend(r for r in parse(path) if isinstance(r, Record))
    if not records:
        raise SystemExit(f"no FRUS volumes found in {CORPUS}")
    return records


def synthetic(base: list[Record], n: int, seed: int = 7) -> Iterator[Record]:
    """N records: the FRUS ones repeated under new ids, with shifted dates and varied facets."""
    rng = random.Random(seed)
    for i in range(n):
        source = base[i % len(base)]
        copy = i // len(base)
        update: dict[str, object] = {
            "id": f"{source.id}-{copy}",
            "languages": [rng.choice(LANGUAGES)],
            "classifications": [Term(name=rng.choice(MARKINGS))],
            "type": [Term(name=rng.choice(TYPES))],
        }
        if source.doc_date and source.doc_date.start and copy:
            shift = timedelta(days=365 * rng.randint(-15, 15))
            start = source.doc_date.start + shift
            end = (source.doc_date.end or source.doc_date.start) + shift
            update["doc_date"] = source.doc_date.model_copy(
                update={"start": start, "end": end, "text": ""}
            )
        yield source.model_copy(update=update)


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def run(n: int, base: list[Record], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index: SearchIndex = open_index(Path(tmp), heap_size=512_000_000)
        start = time.perf_counter()
        index.add(synthetic(base, n), replace=False)
        index.commit()
        build = time.perf_counter() - start
        raw_index = index._index  # the same files, searched without fonds
        searcher = raw_index.searcher()

        def fonds_all() -> None:
            for q in QUERIES:
                index.search(q, facets=FIVE_FACETS, snippets=True)

        def raw_all() -> None:
            for q in RAW_QUERIES:
                query = raw_index.parse_query(q, ["title", "body"])
                found = searcher.search(query, 20, count=True)
                for _, address in found.hits:
                    searcher.doc(address)

        fonds_all(), raw_all()  # warm the caches
        ours = timed(fonds_all, repeat)
        theirs = timed(raw_all, repeat)
        per = len(QUERIES)
        ours = [t / per for t in ours]
        theirs = [t / per for t in theirs]
        per_query = []
        for q in QUERIES:
            samples = timed(lambda q=q: index.search(q, facets=FIVE_FACETS), max(3, repeat // 2))
            per_query.append((q, statistics.median(samples)))
        print(
            f"| {n:>9,} | {build:6.1f} s | {statistics.median(ours):7.2f} | {p95(ours):7.2f} "
            f"| {statistics.median(theirs):7.2f} | {p95(theirs):7.2f} "
            f"| {statistics.median(ours) / statistics.median(theirs):5.1f}× |"
        )
        for q, ms in per_query:
            print(f"|           |          |   {ms:7.2f} ms  {q!r}")
        index.close()


def run_facets(n: int, base: list[Record], repeat: int) -> None:
    """Facet counting over all matches at scale: N small records (titles only, nine facets)."""
    rng = random.Random(11)
    titles = [r.title for r in base]
    people = [p for r in base for p in r.people][:500] or [None]
    collections = [c for r in base for c in r.collections][:300]

    def small() -> Iterator[Record]:
        for i in range(n):
            yield Record(
                id=f"s{i}",
                title=rng.choice(titles),
                doc_date=base[i % len(base)].doc_date,
                persons_mentioned=[p for p in (rng.choice(people),) if p is not None],
                collections=rng.sample(collections, k=min(2, len(collections))),
                subjects=[Term(name=f"subject {rng.randint(1, 400)}")],
                languages=[rng.choice(LANGUAGES)],
                repositories=[Term(name=f"repository {rng.randint(1, 40)}")],
                classifications=[Term(name=rng.choice(MARKINGS))],
                donors=[Term(name=f"donor {rng.randint(1, 20)}")],
                type=[Term(name=rng.choice(TYPES))],
            )

    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp), heap_size=512_000_000)
        start = time.perf_counter()
        index.add(small(), replace=False)
        index.commit()
        build = time.perf_counter() - start
        for q in ("", "memorandum", "Soviet Union"):
            total = index.search(q, facets=None, histogram=False, snippets=False).total
            with_facets = timed(lambda q=q: index.search(q, snippets=False), repeat)
            without = timed(
                lambda q=q: index.search(q, facets=None, histogram=False, snippets=False), repeat
            )
            print(
                f"| {n:>9,} | {build:6.1f} s | {q!r:16} | {total:>9,} | "
                f"{statistics.median(without):7.2f} | {statistics.median(with_facets):7.2f} "
                f"| {p95(with_facets):7.2f} |"
            )
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[50_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--facets", action="store_true", help="time facet counting over all matches instead"
    )
    args = parser.parse_args()
    print(f"tantivy {tantivy.__version__}; {len(QUERIES)} queries, ms per query")
    base = frus_records()
    print(f"{len(base):,} FRUS records from {len(VOLUMES)} volumes")
    if args.facets:
        print(
            "|         N |    build | query            |   matches | no facets ms "
            "| 9 facets + timeline median | p95 |"
        )
        print("|---|---|---|---|---|---|---|")
        for n in args.sizes:
            run_facets(n, base, args.repeat)
        return
    print("|         N |    build | fonds median |   p95 | raw median |   p95 | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        run(n, base, args.repeat)


if __name__ == "__main__":
    main()
