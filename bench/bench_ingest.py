"""Ingest benchmark: the FRUS corpus into a fresh archive, beside a bare lxml pass.

    python bench/bench_ingest.py                 # all 121 volumes (volumes/ + volumes-gz/)
    python bench/bench_ingest.py --subset plain  # the 18 uncompressed volumes only

Prints records/s, peak RSS (the main process and its parser workers together) and the
archive's size, and the same rate for a baseline measured in the same run: one lxml pass
over the same files that only finds the document divisions. Machines here are noisy, so
the figure that matters is the ratio between the two; the CPU seconds (every core, the
parser workers and the index's threads included) are printed too, since they do not grow
when someone else loads the machine.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from lxml import etree

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "frus"
TEI = "{http://www.tei-c.org/ns/1.0}"


def files(subset: str) -> list[Path]:
    plain = sorted((CORPUS / "volumes").glob("*.xml"))
    packed = sorted((CORPUS / "volumes-gz").glob("*.xml.gz"))
    return plain if subset == "plain" else plain + packed


def cpu_split() -> tuple[float, float, float]:
    """CPU seconds of this process's main thread, of its other threads (the search index's
    analysis, unpickling the workers' results) and of its finished children (the parsers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    main = time.thread_time()
    return main, me.ru_utime + me.ru_stime - main, children.ru_utime + children.ru_stime


def cpu_seconds() -> float:
    """CPU time of this process (its threads included) and of its finished children: on a
    shared machine this, unlike the wall clock, does not grow with other people's load."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def baseline(paths: list[Path]) -> tuple[int, float]:
    """Count div[@type="document"] with a bare iterparse: the floor any ingest stands on."""
    started = time.perf_counter()
    count = 0
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        # A pull parser with collect_ids off: two volumes repeat an xml:id, which
        # iterparse rejects (the same parser settings as fonds' own TEI reader).
        parser = etree.XMLPullParser(
            events=("end",),
            tag=f"{TEI}div",
            collect_ids=False,
            resolve_entities=False,
            no_network=True,
        )
        with opener(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                parser.feed(chunk)
                for _event, element in parser.read_events():
                    if element.get("type") == "document":
                        count += 1
                    element.clear(keep_tail=False)
        parser.close()
    return count, time.perf_counter() - started


class PeakRss:
    """Polls the RSS of this process and its children (the parser workers)."""

    def __init__(self) -> None:
        self.peak = 0
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.2):
            try:
                total = me.memory_info().rss + sum(
                    c.memory_info().rss for c in me.children(recursive=True)
                )
            except psutil.Error:
                continue
            self.samples.append(total)
            self.peak = max(self.peak, total)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", choices=["all", "plain"], default="all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="Build the archive here and keep it.")
    args = parser.parse_args()

    from fonds.archive import open_archive

    paths = files(args.subset)
    cpu_before = cpu_seconds()
    divisions, base_seconds = baseline(paths)
    base_cpu = cpu_seconds() - cpu_before
    home = args.keep or Path(tempfile.mkdtemp(prefix="fonds-bench-"))
    with open_archive(home, ocr=False) as archive, PeakRss() as rss:
        started, cpu_before, split_before = time.perf_counter(), cpu_seconds(), cpu_split()
        report = archive.ingest(*paths, workers=args.workers)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        split = [after - before for after, before in zip(cpu_split(), split_before, strict=True)]
        stored = archive.count(include_unpublished=True)
        indexed = archive.index.count()
    size = folder_size(home)
    records = report.added + report.updated + report.unchanged
    rate, base_rate = records / seconds, divisions / base_seconds
    third = len(rss.samples) // 3 or 1
    early = max(rss.samples[:third], default=0)
    late = max(rss.samples[-third:], default=0)
    print(
        f"{len(paths)} FRUS volumes, {divisions:,} document divisions, "
        f"{len(report.failures)} failures, {stored:,} records stored, {indexed:,} indexed"
    )
    print()
    print(
        f"| {'what':<41} | {'seconds':>8} | {'records/s':>10} | {'vs baseline':>11} "
        f"| {'CPU s':>7} | {'CPU ms/record':>13} |"
    )
    print(f"|{'-' * 43}|{'-' * 10}|{'-' * 12}|{'-' * 13}|{'-' * 9}|{'-' * 15}|")
    print(
        f"| {'baseline: bare lxml pass':<41} | {base_seconds:8.1f} | {base_rate:10.0f} | "
        f"{1:>10.2f}x | {base_cpu:7.1f} | {1000 * base_cpu / divisions:13.2f} |"
    )
    print(
        f"| {'fonds ingest (parse, names, store, index)':<41} | {seconds:8.1f} | "
        f"{rate:10.0f} | {rate / base_rate:>10.2f}x | {cpu:7.1f} | "
        f"{1000 * cpu / max(records, 1):13.2f} |"
    )
    print()
    print(
        f"CPU time (all cores, parser workers included) against the baseline's: "
        f"{base_cpu / divisions * records / max(cpu, 1e-9):.2f}x the baseline's work rate"
    )
    main, others, workers = (1000 * part / max(records, 1) for part in split)
    print(
        f"CPU ms/record by where it was spent: main thread {main:.2f} (names, SQL, JSON), "
        f"its other threads {others:.2f} (index analysis, unpickling), "
        f"parser workers {workers:.2f}"
    )
    print()
    print(
        f"peak RSS {rss.peak / 2**20:,.0f} MB (first third of the run {early / 2**20:,.0f} MB, "
        f"last third {late / 2**20:,.0f} MB); archive size {size / 2**20:,.0f} MB"
    )
    for failure in report.failures[:10]:
        print(f"failed: {failure.path}: {failure.reason}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    return 0 if not report.failures and stored == divisions else 1


if __name__ == "__main__":
    raise SystemExit(main())
