"""The store: the archive's database and its files, behind one small class.

`Store` opens (and migrates) the database named by the settings, and offers transactions
for writers and connections for readers. The functions in `reader` and the `RecordWriter`
in `writer` do the work; nothing outside this package writes SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from fonds.config import Settings
from fonds.store import kept_authority, reader
from fonds.store.db import migrate, open_engine
from fonds.store.files import FileStore
from fonds.store.people import PersonResolver, authority_version
from fonds.store.writer import Outcome, RecordWriter, Vocabulary

__all__ = ["Outcome", "RecordWriter", "Store", "reader"]


class Store:
    """One archive's database (SQLite file or PostgreSQL) and its `files/` folder."""

    def __init__(self, settings: Settings) -> None:
        settings.home.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.engine = open_engine(settings.url)
        migrate(self.engine)
        self.files = FileStore(settings.files_dir)
        self._people: tuple[tuple[int, ...], PersonResolver] | None = None
        self._people_lock = threading.Lock()
        self._vocabulary: Vocabulary | None = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[RecordWriter]:
        """A transaction with a writer in it: everything commits together or not at all.

        The people authority (seconds to load at archive scale) and the known vocabulary ids
        are kept from one committed transaction to the next (the authority unless another
        writer changed the people in between); a rolled-back transaction drops them, since
        what it added never landed.
        """
        with self._people_lock:
            vocabulary, self._vocabulary = self._vocabulary, None
        with self.engine.begin() as connection:
            writer = RecordWriter(connection, self.files, self._people_for(connection), vocabulary)
            yield writer
            writer.flush()
            version = authority_version(connection)  # our own additions included
        with self._people_lock:
            self._people = (version, writer.people)
            self._vocabulary = writer.vocabulary

    def _people_for(self, connection: Connection) -> PersonResolver:
        with self._people_lock:
            kept, self._people = self._people, None  # one writer at a time may take it
        version = authority_version(connection)
        if kept is None or kept[0] != version:
            return PersonResolver(connection, kept_authority.read(self.settings.home, version))
        kept[1].connection = connection
        return kept[1]

    def close(self) -> None:
        self.engine.dispose()
