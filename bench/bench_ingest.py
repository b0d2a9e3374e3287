"""Ingest benchmark: the FRUS corpus into a fresh archive, beside a bare lxml pass.

    python bench/bench_ingest.py                 # all 121 volumes (volumes/ + volumes-gz/)
    python bench/bench_ingest.py --subset plain  # the 18 uncompressed volumes only

Prints records/s, peak RSS (the main process and its parser workers together) and the
archive's size, and the same rate for a baseline measured in the same run: one lxml pass
over the same files that only finds the document divisions. Machines here are noisy, so
the figure that matters is the ratio between the two.
"""

from __future__ import annotations

import argparse
import gzip
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
    divisions, base_seconds = baseline(paths)
    home = args.keep or Path(tempfile.mkdtemp(prefix="fonds-bench-"))
    with open_archive(home, ocr=False) as archive, PeakRss() as rss:
        started = time.perf_counter()
        report = archive.ingest(*paths, workers=args.workers)
        seconds = time.perf_counter() - started
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
    print(f"| {'what':<34} | {'seconds':>8} | {'records/s':>10} | {'vs baseline':>11} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 12}|{'-' * 13}|")
    print(
        f"| {'baseline: bare lxml pass':<34} | {base_seconds:8.1f} | {base_rate:10.0f} | "
        f"{1:>10.2f}x |"
    )
    print(
        f"| {'fonds ingest (parse, names, store, index)':<34} | {seconds:8.1f} | "
        f"{rate:10.0f} | {rate / base_rate:>10.2f}x |"
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
