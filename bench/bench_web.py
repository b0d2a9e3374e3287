"""Benchmark: the reader's pages under `uvicorn --workers 2` on loopback, measured with wrk.

    python bench/bench_web.py                      # builds /tmp/fonds-bench-web once, then runs
    python bench/bench_web.py --home DIR --gz 20   # plus 20 compressed FRUS volumes
    python bench/bench_web.py --duration 20 --connections 32

The archive holds the seed pages and the 18 uncompressed FRUS volumes (about 7,000 records),
plus `--gz N` of the compressed ones toward the issue's 40,000. The server is started as
`fonds serve` would (uvicorn, app_from_env, two workers); each scenario is warmed up and then
loaded by wrk for `--duration` seconds. "one record" asks for the same record again and again
(its citations cached); "many records" picks one of 500 records at random per request, so it
includes first renders. Prints a table: requests/s and latency percentiles.
Needs Debian's wrk (`apt-get install -y wrk`). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
QUERIES = [
    "Khrushchev",
    "Mao",
    "Berlin",
    "Korea",
    '"record of conversation"',
    "nuclear test",
    "Chervonenko",
    "Taiwan Strait",
    "Rusk",
    "Japan trade",
]


def build(home: Path, gz: int) -> int:
    """Ingest the seeds and FRUS volumes into `home` unless it already holds records."""
    sys.path.insert(0, str(ROOT))
    from fonds.archive import open_archive

    archive = open_archive(home)
    count = archive.count()
    if count:
        archive.close()
        return count
    archive.index  # noqa: B018 - create the index so ingest keeps it in step
    paths = [CORPUS / "seeds", *sorted((CORPUS / "frus" / "volumes").glob("*.xml"))]
    paths += sorted((CORPUS / "frus" / "volumes-gz").glob("*.xml.gz"))[:gz]
    started = time.perf_counter()
    archive.ingest(*paths, workers=2)
    archive.reindex()
    count = archive.count()
    print(f"ingested {count:,} records in {time.perf_counter() - started:.0f} s", flush=True)
    archive.close()
    return count


def sample_ids(home: Path, n: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from fonds.archive import open_archive

    archive = open_archive(home)
    records, _ = archive.records(limit=5000, order="id")
    archive.close()
    random.seed(7)
    return [r.id for r in random.sample(records, min(n, len(records)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FONDS_HOME": str(home), "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "fonds.web:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not start")


def wrk(
    url: str, paths: list[str], duration: int, connections: int, script_dir: Path
) -> dict[str, float]:
    """Run wrk against `url` (one path, or a random one of `paths` per request)."""
    script = script_dir / "paths.lua"
    quoted = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script.write_text(
        f"local paths = {{{quoted}}}\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)])\n"
        "end\n"
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if match:
            value = float(match.group(1))
            result[f"p{pct}"] = (
                value / 1000
                if match.group(2) == "us"
                else (value * 1000 if match.group(2) == "s" else value)
            )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    return result


def server_times(home: Path, scenarios: dict[str, list[str]], n: int = 60) -> dict[str, float]:
    """p50 milliseconds per page through the whole ASGI app in this process, without the
    network or wrk: the server's own time for a page whose caches are warm."""
    import asyncio

    import httpx

    sys.path.insert(0, str(ROOT))
    from fonds.archive import open_archive
    from fonds.web import create_app

    app = create_app(open_archive(home))

    async def run() -> dict[str, float]:
        transport = httpx.ASGITransport(app=app)
        out = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, paths in scenarios.items():
                for path in paths[:n]:
                    await client.get(path)  # warm: citations, related records, sanitised HTML
                times = []
                for i in range(n):
                    started = time.perf_counter()
                    await client.get(paths[i % min(len(paths), n)])
                    times.append(time.perf_counter() - started)
                out[name] = sorted(times)[n // 2] * 1000
        return out

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, default=Path(tempfile.gettempdir()) / "fonds-bench-web"
    )
    parser.add_argument("--gz", type=int, default=0, help="compressed FRUS volumes to add")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    count = build(args.home, args.gz)
    ids = sample_ids(args.home, 500)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    scenarios = {
        "record page, one record": ["/document/frus1961-63v22d143"],
        "record page, many records": [f"/document/{i}" for i in ids],
        "record JSON twin": [f"/document/{i}.json" for i in ids],
        "search page, one query": ["/search?q=Khrushchev"],
        "search page, many queries": [
            "/search?" + urllib.parse.urlencode({"q": q, "page": p})
            for q in QUERIES
            for p in (1, 2)
        ],
        "search, no words (browse)": ["/search"],
        "home page": ["/"],
    }
    server = start_server(args.home, port, args.workers)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, paths in scenarios.items():
                for path in (paths * 4)[:50]:  # warm both workers' caches a little
                    urllib.request.urlopen(base + path, timeout=30).read()
                rows.append((name, wrk(base, paths, args.duration, args.connections, Path(tmp))))
    finally:
        server.terminate()
        server.wait(timeout=20)

    inside = server_times(args.home, scenarios)
    print(
        f"\nfonds web pages: {count:,} records, uvicorn --workers {args.workers}, "
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {os.cpu_count()} CPUs"
    )
    print(
        f"{'scenario':30} {'server ms':>9} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'non-2xx':>8}"
    )
    for name, r in rows:
        print(
            f"{name:30} {inside[name]:9.1f} {r['rps']:8.0f} {r.get('p50', 0):8.1f} "
            f"{r.get('p90', 0):8.1f} {r.get('p99', 0):8.1f} {r['errors']:8.0f}"
        )
    print("server ms: p50 through the ASGI app in one process, caches warm; the rest: wrk")


if __name__ == "__main__":
    main()
