"""Index building: fonds' search index of parsed FRUS records beside raw Tantivy's.

    python bench/bench_index.py                 # the 18 uncompressed FRUS volumes
    python bench/bench_index.py --subset all    # all 121 volumes (parsing takes a while)

The records are parsed first (not timed). Then the same records are indexed three ways,
each on one indexing thread, committed once, timed in CPU seconds (which other people's
load does not inflate):

- raw Tantivy:          title and body, Tantivy's default tokenizer, body stored;
- raw + stemming:       the same with Tantivy's English stemmer (`en_stem`);
- fonds:                `record_document` and fonds' schema: every field a reader can search,
                        two stemmers (English, Russian), the unstemmed dictionary for
                        `word*`, facets, dates and sample shards.

It also times the bare lxml pass of bench_ingest.py over the same files, and prints what
issue #3's target (an ingest at half that pass's rate) leaves a record on two cores, for
parsing, names, the database and the index together.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import tantivy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import baseline, files  # noqa: E402

from fonds.ingest.tei import parse  # noqa: E402
from fonds.model import Record  # noqa: E402
from fonds.search._tantivy import TantivyIndex  # noqa: E402

HEAP = 128_000_000
CORES = 2
TARGET = 0.5


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw_schema(tokenizer: str) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True, tokenizer_name=tokenizer)
    builder.add_text_field("body", stored=True, tokenizer_name=tokenizer)
    return builder.build()


def raw(records: list[Record], tokenizer: str) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        index = tantivy.Index(raw_schema(tokenizer), path=str(folder))
        writer = index.writer(HEAP, 1)
        for record in records:
            doc = tantivy.Document()
            doc.add_text("title", record.title)
            doc.add_text("body", record.body_text)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    return build


def fonds(records: list[Record]) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        index = TantivyIndex(folder, heap_size=HEAP, threads=1)
        index.add(records, replace=False)
        index.commit()
        index.close()

    return build


def cpu_ms_per_record(build: Callable[[Path], None], count: int, repeat: int) -> float:
    """The median over `repeat` builds, each into a fresh folder, in CPU ms per record."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="fonds-bench-index-") as folder:
            started = cpu_seconds()
            build(Path(folder))
            runs.append((cpu_seconds() - started) * 1000 / count)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", choices=["all", "plain"], default="plain")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    paths = files(args.subset)
    records = [r for path in paths for r in parse(path) if isinstance(r, Record)]
    if not records:
        raise SystemExit("no FRUS volumes found under ../shared/corpus/frus")
    started = cpu_seconds()
    divisions, _ = baseline(paths)
    lxml_ms = (cpu_seconds() - started) * 1000 / divisions

    rows = [
        ("raw Tantivy: title + body", raw(records, "default")),
        ("raw Tantivy: title + body, English stemmer", raw(records, "en_stem")),
        ("fonds: record_document, fonds' schema", fonds(records)),
    ]
    figures = [(label, cpu_ms_per_record(b, len(records), args.repeat)) for label, b in rows]
    first = figures[0][1]
    print(f"{len(paths)} FRUS volumes, {len(records):,} records, median of {args.repeat} builds")
    print()
    print("| what | CPU ms per record | vs raw Tantivy |")
    print("|---|---:|---:|")
    print(f"| bare lxml pass (bench_ingest's baseline) | {lxml_ms:.3f} | |")
    for label, ms in figures:
        print(f"| {label} | {ms:.3f} | {ms / first:.2f}× |")
    budget = CORES * lxml_ms / TARGET
    print()
    print(
        f"An ingest at {TARGET:.0%} of the lxml pass's rate on {CORES} cores leaves each record "
        f"{budget:.3f} ms of CPU for everything (parse, names, database, index); "
        f"fonds' indexing alone takes {figures[-1][1]:.3f}, raw Tantivy's {first:.3f}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
