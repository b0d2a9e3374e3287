"""Search latency: the archive's search against raw Tantivy on the same index, at scale.

Ingests real FRUS volumes (../shared/corpus/frus/volumes) into a temporary archive, then
fills that archive's Tantivy index to N documents: the FRUS records repeated under new ids,
with shifted dates and varied facets, each document built by fonds' own `record_document`
(the real schema and analyzers; see `fill_index` for how 1M documents stay fast to build).
The same reader queries are then timed, each query separately, four ways:

- fonds:       `archive.search(q)` with snippets, five facets, the timeline, undated count
               and name expansion through the archive's people authority;
- no facets:   the same with `facets=(), histogram=False` (snippets kept);
- top 20 only: the same without snippets either;
- raw:         Tantivy's own parser on title+body, top 20 with a count and the stored
               documents, nothing else.

The first three run what `archive.search` runs when its result cache misses; a last column
shows `archive.search` itself on repeated queries, which its cache answers.

Prints one row per N: median and p95 (milliseconds over every single query run) of each
way, and fonds' ratio to raw; then the median per query.

    python bench/bench_search.py --size 100000 --size 1000000
    python bench/bench_search.py --facets 200000     # facet counting over all matches
    python bench/bench_search.py --size 1000000 --keep ~/bench-search   # build once, reuse

With `--keep DIR` each size's archive (store and filled index) is kept in DIR/<N> and
reused by later runs while its index still holds N documents of the current schema: a
million documents take ~16 minutes to build, the queries a minute.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import tantivy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fonds.archive import Archive, open_archive  # noqa: E402
from fonds.ingest.tei import parse  # noqa: E402
from fonds.model import HistoricalDate, Language, Record, Term  # noqa: E402
from fonds.search import TantivyIndex, open_index  # noqa: E402
from fonds.search._tantivy import (  # noqa: E402
    BROWSE_FILE,
    SCHEMA_VERSION,
    record_document,
)

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
# A bulk load: one writer with a large heap, committing rarely.
WRITER_HEAP = 1_500_000_000
WRITER_THREADS = 2
COMMIT_EVERY = 250_000
# The fields that differ between copies of one record; the rest is built once per record.
VARYING = {"id", "language", "f_language", "fl_language", "classification", "f_classification"}
VARYING |= {"type", "f_type", "date_start", "date_end", "year", "dated", "date_text", "sample"}


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


def archive_with_volumes(home: Path) -> Archive:
    """An archive holding the VOLUMES through the real ingest: its store, people and index."""
    archive = open_archive(home, ocr=False)
    paths = [CORPUS / name for name in VOLUMES if (CORPUS / name).exists()]
    if not paths:
        raise SystemExit(f"no FRUS volumes found in {CORPUS}")
    archive.ingest(*paths)
    return archive


def fill_index(index: TantivyIndex, base: list[Record], n: int, seed: int = 7) -> float:
    """Replace the index's contents by N documents made from `base`; return the seconds taken.

    Every document comes from fonds' own `record_document`, so the schema, analyzers and
    field contents are the real ones; only the work is shared. Each base record is turned
    into a Tantivy document once, without the parts that vary between copies (id, date,
    language, marking, type); a copy is that document cloned (a microsecond) plus the
    varying parts, themselves built by `record_document` from a small record. The writer
    gets a large heap and commits every COMMIT_EVERY documents, as a bulk load would.
    """
    start = time.perf_counter()
    rng = random.Random(seed)
    schema = index.schema
    stems = []
    for record in base:
        whole = record_document(record).to_dict()
        stems.append(
            tantivy.Document.from_dict({k: v for k, v in whole.items() if k not in VARYING}, schema)
        )
    index.clear()
    writer = index._index.writer(WRITER_HEAP, WRITER_THREADS)
    for i in range(n):
        source = base[i % len(base)]
        copy_number = i // len(base)
        doc = copy.copy(stems[i % len(base)])
        part = Record(
            id=f"{source.id}-{copy_number}",
            title="",
            languages=[rng.choice(LANGUAGES)],
            classifications=[Term(name=rng.choice(MARKINGS))],
            type=[Term(name=rng.choice(TYPES))],
            doc_date=_shifted(source, copy_number, rng),
        )
        fields = record_document(part).to_dict()
        doc.extend({k: v for k, v in fields.items() if k in VARYING}, schema)
        writer.add_document(doc)
        if (i + 1) % COMMIT_EVERY == 0:
            writer.commit()
        if (i + 1) % 100_000 == 0:
            rate = (i + 1) / (time.perf_counter() - start)
            print(f"  {i + 1:,} documents added, {rate:,.0f}/s", file=sys.stderr, flush=True)
    writer.commit()
    writer.wait_merging_threads()
    index._index.reload()
    # What `TantivyIndex.commit()` does after every commit: the browse page's exact counts.
    index.write_browse_counts()
    return time.perf_counter() - start


def _shifted(source: Record, copy_number: int, rng: random.Random) -> HistoricalDate | None:
    """The source's date, moved by whole years on every copy after the first."""
    dated = source.doc_date
    if dated is None or dated.start is None or copy_number == 0:
        return dated
    shift = timedelta(days=365 * rng.randint(-15, 15))
    end = (dated.end or dated.start) + shift
    return dated.model_copy(update={"start": dated.start + shift, "end": end, "text": ""})


def samples(fn: Callable[[str], object], queries: list[str], repeat: int) -> list[float]:
    """Milliseconds of every single query, each query run `repeat` times, interleaved."""
    out = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - start) * 1000)
    return out


KEPT = "bench-search.json"


def kept_archive(home: Path, n: int) -> tuple[Archive, float | None]:
    """The archive in `home` with its index filled to N; the build seconds, or None if kept.

    A kept archive is reused when its marker names N and the current schema and its index
    holds N documents (an index of an older schema is emptied when opened, so it is rebuilt).
    """
    marker = home / KEPT
    wanted = {"size": n, "schema": SCHEMA_VERSION, "volumes": VOLUMES}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        archive = open_archive(home, ocr=False)
        index = archive.index
        if index.count() == n:
            # A kept index filled before the browse counts existed gets them now, as
            # `fill_index` (like any commit) would have written them.
            if isinstance(index, TantivyIndex) and not (index.path / BROWSE_FILE).exists():
                index.write_browse_counts()
            return archive, None
        archive.close()
    marker.unlink(missing_ok=True)
    archive = open_archive(home, ocr=False)
    if archive.count() == 0:
        archive.close()
        archive = archive_with_volumes(home)
    index = archive.index
    assert isinstance(index, TantivyIndex)
    build = fill_index(index, list(archive.iter_records()), n)
    marker.write_text(json.dumps(wanted))
    return archive, build


def run(
    n: int, archive: Archive, base: list[Record], repeat: int, build: float | None
) -> list[str]:
    """Time the queries four ways on the archive's index (filled to N); print a row.

    Returns the per-query rows, printed after the table.
    """
    index = archive.index
    assert isinstance(index, TantivyIndex)
    if build is None and index.count() != n:
        build = fill_index(index, base, n)
    raw_index = index._index  # the same files, searched without fonds

    # What `archive.search` runs on a miss of its result cache (which would answer every
    # repeat of a query from memory): the index's search with the archive's name expansion.
    def fonds(q: str, **options: object) -> object:
        return index.search(q, expand=archive.expand_name, **options)  # type: ignore[arg-type]

    def fonds_full(q: str) -> object:
        return fonds(q, facets=FIVE_FACETS, snippets=True)

    def fonds_no_facets(q: str) -> object:
        return fonds(q, facets=(), histogram=False, snippets=True)

    def fonds_top(q: str) -> object:
        return fonds(q, facets=(), histogram=False, snippets=False)

    def cached(q: str) -> object:
        return archive.search(q, facets=FIVE_FACETS, snippets=True)

    def raw(q: str) -> object:
        searcher = raw_index.searcher()
        query = raw_index.parse_query(q, ["title", "body"])
        found = searcher.search(query, 20, count=True)
        return [searcher.doc(address) for _, address in found.hits]

    raw_by_query = dict(zip(QUERIES, RAW_QUERIES, strict=True))
    ways = {
        "fonds": fonds_full,
        "no facets": fonds_no_facets,
        "top 20 only": fonds_top,
        "raw": lambda q: raw(raw_by_query[q]),
        "cached": cached,
    }
    for fn in ways.values():  # warm the caches
        samples(fn, QUERIES, 1)
    timings = {name: samples(fn, QUERIES, repeat) for name, fn in ways.items()}
    cached_median = statistics.median(timings.pop("cached"))
    raw_median = statistics.median(timings["raw"])
    cells = " | ".join(f"{statistics.median(t):6.2f} | {p95(t):6.2f}" for t in timings.values())
    ratio = statistics.median(timings["fonds"]) / raw_median
    ratio95 = p95(timings["fonds"]) / p95(timings["raw"])
    built = "kept" if build is None else f"{build:.0f} s"
    segments = raw_index.searcher().num_segments
    print(
        f"| {n:>9,} | {built:>6} | {segments:>2} | {cells} | {ratio:4.1f}× | {ratio95:4.1f}× "
        f"| {cached_median:5.2f} |",
        flush=True,
    )
    per = len(QUERIES)
    rows = []
    for i, q in enumerate(QUERIES):
        mine = [timings["fonds"][k] for k in range(i, len(timings["fonds"]), per)]
        bare = [timings["no facets"][k] for k in range(i, len(timings["no facets"]), per)]
        theirs = [timings["raw"][k] for k in range(i, len(timings["raw"]), per)]
        total = archive.search(q, facets=(), histogram=False, snippets=False).total
        rows.append(
            f"| {n:>9,} | {q!r} | {total:>9,} | {statistics.median(mine):6.2f} | "
            f"{statistics.median(bare):6.2f} | {statistics.median(theirs):6.2f} |"
        )
    return rows


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
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of records (as --size)")
    parser.add_argument(
        "--size", type=int, action="append", default=[], help="number of records (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument(
        "--facets", action="store_true", help="time facet counting over all matches instead"
    )
    parser.add_argument(
        "--keep", type=Path, help="keep each size's archive in KEEP/<N> and reuse it next time"
    )
    args = parser.parse_args()
    sizes = [*args.sizes, *args.size] or [50_000]
    print(f"tantivy {tantivy.__version__}; {len(QUERIES)} queries × {args.repeat} runs; ms")
    if args.facets:
        base = frus_records()
        print(f"{len(base):,} FRUS records from {len(VOLUMES)} volumes")
        print(
            "|         N |    build | query            |   matches | no facets ms "
            "| 9 facets + timeline median | p95 |"
        )
        print("|---|---|---|---|---|---|---|")
        for n in sizes:
            run_facets(n, base, args.repeat)
        return
    header = (
        "|         N |  build | segments | fonds median | p95 | no facets median | p95 "
        "| top 20 only median | p95 | raw median | p95 | ratio median | ratio p95 "
        "| repeated (cached) median |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows: list[str] = []
    if args.keep:
        print(f"FRUS records from {len(VOLUMES)} volumes, archives kept in {args.keep}")
        print(header)
        for n in sizes:
            home = args.keep.expanduser() / str(n)
            home.mkdir(parents=True, exist_ok=True)
            archive, build = kept_archive(home, n)
            with archive:
                rows += run(n, archive, list(archive.iter_records()), args.repeat, build)
    else:
        with tempfile.TemporaryDirectory() as tmp, archive_with_volumes(Path(tmp)) as archive:
            base = list(archive.iter_records())
            print(f"{len(base):,} FRUS records from {len(VOLUMES)} volumes, ingested")
            print(header)
            for n in sizes:
                rows += run(n, archive, base, args.repeat, None)
    print()
    print("Median per query (raw runs its own parser on it without `subject:` and `date:`)")
    print("|         N | query | matches | fonds | no facets | raw |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
