"""Search latency on PostgreSQL: fonds' PostgresIndex with a GIN index, then with RUM.

The same records and queries as bench/bench_search.py (FRUS volumes repeated to N records):
each N is indexed into a fresh schema, then every query is timed two ways:

- full:  `search(q)` with snippets, five facets, the timeline and the undated count
  (a ranked page and its counts are one statement on GIN, see fonds/search/_postgres/facets.py);
- top-k: `search(q, facets=None, histogram=False, snippets=False)`: ranked top 20 and total.

beside the CPU each took (this process and the server's, per query: less noisy than the
clock on a shared machine; the server's only for the throwaway cluster, whose processes are
known), and the "did you mean" lookup alone (`suggest_names`, what a zero-hit query such as
`subject:Berlin` adds). Then the stemmed vector's GIN index is replaced by a RUM index (when
the `rum` extension is installed) and the queries are timed again. Uses
FONDS_TEST_POSTGRES_URL, or a throwaway cluster started from Debian's binaries as the tests do.

    python bench/bench_search_pg.py 50000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import FIVE_FACETS, QUERIES, frus_records, p95, synthetic, timed  # noqa: E402

from fonds.model import Record  # noqa: E402
from fonds.search._postgres import PostgresIndex, open_postgres  # noqa: E402

BATCH = 1000
SUGGEST = ("Berlin", "Khrushchov", "Chevornenko")


def server_url() -> tuple[str, Callable[[], None], Path | None]:
    """FONDS_TEST_POSTGRES_URL, or a throwaway cluster (stopped by the returned function,
    its postmaster.pid the third item)."""
    url = os.environ.get("FONDS_TEST_POSTGRES_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1), lambda: None, None
    from tests.conftest import PostgresCluster, postgres_bindir

    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL: install postgresql or set FONDS_TEST_POSTGRES_URL")
    cluster = PostgresCluster(bindir)
    cluster.start()
    return cluster.admin_url, cluster.stop, cluster.data / "postmaster.pid"


class Cpu:
    """CPU seconds spent so far by this process and, if known, the PostgreSQL server.

    The server's are its postmaster's and its live children's (backends, parallel workers)
    plus what its exited children left in the postmaster's cutime/cstime (Linux /proc).
    """

    def __init__(self, pidfile: Path | None) -> None:
        self.postmaster: int | None = None
        if pidfile is not None and Path("/proc/self/stat").exists():
            self.postmaster = int(pidfile.read_text().split()[0])
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        total = time.process_time()
        if self.postmaster is None:
            return total
        pid = self.postmaster
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for i, child in enumerate([str(pid), *children]):
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a parallel worker that just exited: counted in cutime next time
            # utime, stime (and for the postmaster cutime, cstime): fields 14-17 of stat.
            ticks = fields[11:15] if i == 0 else fields[11:13]
            total += sum(int(t) for t in ticks) / self.tick
        return total


def batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(islice(records, size)):
        yield batch


Samples = dict[str, tuple[list[float], list[float], float, float]]


def time_queries(index: PostgresIndex, repeat: int, cpu: Cpu) -> Samples:
    """Per query: (full search ms samples, top-k only ms samples, CPU ms of each kind)."""
    out = {}
    for q in QUERIES:
        index.search(q, facets=FIVE_FACETS)  # warm
        start = cpu()
        full = timed(lambda q=q: index.search(q, facets=FIVE_FACETS), repeat)
        middle = cpu()
        topk = timed(
            lambda q=q: index.search(q, facets=None, histogram=False, snippets=False), repeat
        )
        end = cpu()
        out[q] = (full, topk, (middle - start) * 1000 / repeat, (end - middle) * 1000 / repeat)
    return out


def time_suggest(index: PostgresIndex, repeat: int) -> None:
    """The name suggestion a zero-hit query pays for, alone (search_names, pg_trgm)."""
    for name in SUGGEST:
        index.suggest_names(name, 1)  # warm
        samples = timed(lambda name=name: index.suggest_names(name, 1), repeat)
        found = index.suggest_names(name, 1)
        print(
            f"<!-- suggest_names({name!r}): median {statistics.median(samples):.2f} ms, "
            f"p95 {p95(samples):.2f} ms -> {found} -->"
        )


def report(label: str, n: int, build: float, samples: Samples) -> None:
    full = [t for f, *_ in samples.values() for t in f]
    topk = [t for _, k, *_ in samples.values() for t in k]
    full_cpu = statistics.mean(c for *_, c, _ in samples.values())
    topk_cpu = statistics.mean(c for *_, c in samples.values())
    print(
        f"| {label:4} | {n:>9,} | {build:6.1f} s | {statistics.median(full):7.2f} "
        f"| {p95(full):7.2f} | {full_cpu:7.2f} | {statistics.median(topk):7.2f} "
        f"| {p95(topk):7.2f} | {topk_cpu:7.2f} |"
    )
    for q, (f, k, fc, kc) in samples.items():
        print(
            f"|      |           |          | {statistics.median(f):7.2f} | {p95(f):7.2f} "
            f"| {fc:7.2f} | {statistics.median(k):7.2f} | {p95(k):7.2f} | {kc:7.2f} | {q!r}"
        )


def run(url: str, n: int, base: list[Record], repeat: int, cpu: Cpu) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine: Engine = create_engine(
        url, connect_args={"options": f"-c search_path={schema},public"}, pool_size=2
    )
    try:
        index = open_postgres(engine, rum=False)
        start = time.perf_counter()
        for batch in batches(synthetic(base, n), BATCH):
            index.add(batch)
            index.commit()
        with engine.begin() as conn:
            conn.execute(text("ANALYZE search_records"))
        build = time.perf_counter() - start
        with engine.connect() as conn:
            size = conn.execute(
                text("SELECT pg_size_pretty(pg_total_relation_size('search_records'))")
            ).scalar()
        print(f"<!-- {n:,} records: {size} with indexes -->")
        report("GIN", n, build, time_queries(index, repeat, cpu))
        time_suggest(index, repeat)
        start = time.perf_counter()
        rum = open_postgres(engine, rum=True)
        rum_build = time.perf_counter() - start
        if rum.use_rum:
            report("RUM", n, rum_build, time_queries(rum, repeat, cpu))
        else:
            print("| RUM | not installed (apt-get install postgresql-15-rum) |")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[50_000])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    url, stop, pidfile = server_url()
    try:
        base = frus_records()
        print(f"{len(base):,} FRUS records; {len(QUERIES)} queries; ms per query; {_load()}")
        print(
            "| idx  |         N |    build | full median | p95 | CPU (mean) "
            "| top-k median | p95 | CPU (mean) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        cpu = Cpu(pidfile)
        for n in args.sizes:
            run(url, n, base, args.repeat, cpu)
        print(f"<!-- {_load()} at the end -->")
    finally:
        stop()


def _load() -> str:
    """The machine's load averages: the figures mean little without them on a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
