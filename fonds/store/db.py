"""Engines and migrations: one function to open the database an archive names.

The embedded default is `fonds.db` in the archive directory (SQLite in WAL mode with foreign
keys on, so readers never wait for the ingest). A `postgresql+psycopg://` URL selects
PostgreSQL with the same schema, built by the same Alembic migrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


def sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'fonds.db'}"


def open_engine(url: str) -> Engine:
    """Create the engine for `url`, with SQLite tuned for one writer and many readers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=_json
    )


def _json(value: Any) -> str:
    """JSON columns written by orjson: record blobs are most of an ingest's encoding work."""
    return orjson.dumps(value, default=str).decode()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op when it is already there."""
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(_config()).get_current_head()
        if current == head:
            return
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
