"""Shared fixtures: the corpus, fresh archives on SQLite and on a real PostgreSQL, marker rules.

PostgreSQL is real, never faked. When FONDS_TEST_POSTGRES_URL is set the tests use that
server; otherwise, if PostgreSQL's binaries are installed (Debian: `postgresql`), a throwaway
cluster is started on 127.0.0.1 for the session (about a second) and removed afterwards, so a
developer gets the same test run as CI. Tests marked `postgres` are skipped only when neither
exists, with the reason in the summary. Each test that asks for `pg_url` gets a database of
its own, dropped when it ends.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from fonds.archive import Archive, open_archive
from fonds.config import Settings

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()
CHROMIUM = Path("/usr/bin/chromium")
URL_ENV = "FONDS_TEST_POSTGRES_URL"
_database_numbers = itertools.count(1)


# -- PostgreSQL ------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Where initdb and pg_ctl live: FONDS_PG_BIN, Debian's newest version, or the PATH."""
    candidates: list[Path] = []
    if os.environ.get("FONDS_PG_BIN"):
        candidates.append(Path(os.environ["FONDS_PG_BIN"]))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = [p for p in debian.iterdir() if p.name.isdigit()]
        candidates += [p / "bin" for p in sorted(versions, key=lambda p: int(p.name), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only.

    PostgreSQL refuses to run as root, so under root (CI) its commands run as the `postgres`
    user in a folder that user owns. Durability is switched off: the data dies with the run.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="fonds-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "fonds"
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")  # KeyError: no postgres user to run the server
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self.folder.chmod(0o700)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [*self._run_as, str(self.bindir / program), *args]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        if check and done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{tail}"
            )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as psycopg's connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_driver(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


class _Postgres:
    """What the session knows about PostgreSQL: a server URL, or why there is none."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.error: str | None = None
        self.cluster: PostgresCluster | None = None

    def start(self) -> None:
        if os.environ.get(URL_ENV):
            self.url = _with_driver(os.environ[URL_ENV])
            return
        bindir = postgres_bindir()
        if bindir is None:
            return
        try:
            self.cluster = PostgresCluster(bindir)
            self.cluster.start()
        except (OSError, KeyError, RuntimeError, subprocess.SubprocessError) as error:
            self.error = f"could not start a PostgreSQL cluster from {bindir}: {error}"
            self.stop()
            return
        self.url = self.cluster.admin_url
        # Tests that read the variable themselves find a database ready for them.
        with psycopg.connect(_libpq(self.url), autocommit=True) as connection:
            connection.execute("CREATE DATABASE fonds_test")
        os.environ[URL_ENV] = self.url.rsplit("/", 1)[0] + "/fonds_test"

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
            os.environ.pop(URL_ENV, None)


_postgres = _Postgres()


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start PostgreSQL only when a selected test needs it; skip what cannot run here."""
    needs_postgres = False
    no_postgres = pytest.mark.skip(
        reason="PostgreSQL not found: install Debian's postgresql package (initdb, pg_ctl) "
        f"or set {URL_ENV}"
    )
    no_browser = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    have_postgres = bool(os.environ.get(URL_ENV)) or postgres_bindir() is not None
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "postgres"
        ):
            item.add_marker(pytest.mark.postgres)
        if item.get_closest_marker("postgres"):
            if have_postgres:
                needs_postgres = True
            else:
                item.add_marker(no_postgres)
        if item.get_closest_marker("browser") and not CHROMIUM.exists():
            item.add_marker(no_browser)
    if needs_postgres and _postgres.url is None and _postgres.error is None:
        _postgres.start()
        config.add_cleanup(_postgres.stop)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    if _postgres.error:
        pytest.fail(_postgres.error)
    if _postgres.url is None:
        pytest.skip(f"PostgreSQL not found: install postgresql or set {URL_ENV}")
    name = f"fonds_t{os.getpid()}_{next(_database_numbers)}"
    admin = _libpq(_postgres.url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield make_url(_postgres.url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- archives and files ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's FONDS_HOME or FONDS_DATABASE_URL must not reach into a test's archive."""
    for name in Settings.model_fields:
        monkeypatch.delenv(f"FONDS_{name.upper()}", raising=False)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus beside the repository (../shared/corpus), read-only."""
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A fresh, empty SQLite archive in a temporary directory."""
    with open_archive(tmp_path / "archive") as opened:
        yield opened


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    """A fresh archive on each engine: the same test runs on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    with open_archive(tmp_path / "archive", database_url=url) as opened:
        yield opened
