"""The store: the archive's database and its files, behind one small class.

`Store` opens (and migrates) the database named by the settings, and offers transactions
for writers and connections for readers. The functions in `reader` and the `RecordWriter`
in `writer` do the work; nothing outside this package writes SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from fonds.config import Settings
from fonds.store import reader
from fonds.store.db import migrate, open_engine
from fonds.store.files import FileStore
from fonds.store.writer import Outcome, RecordWriter

__all__ = ["Outcome", "RecordWriter", "Store", "reader"]


class Store:
    """One archive's database (SQLite file or PostgreSQL) and its `files/` folder."""

    def __init__(self, settings: Settings) -> None:
        settings.home.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.engine = open_engine(settings.url)
        migrate(self.engine)
        self.files = FileStore(settings.files_dir)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[RecordWriter]:
        """A transaction with a writer in it: everything commits together or not at all."""
        with self.engine.begin() as connection:
            yield RecordWriter(connection, self.files)

    def close(self) -> None:
        self.engine.dispose()
