"""The archive as a library: `open_archive(path)` and everything one can do with it.

The CLI, the web application and the tests all work through `Archive`, which ties the store
(the source of truth), the search index (derived from it, repaired from the store's outbox
whenever they disagree) and the ingest pipeline together. Nothing here knows about HTTP.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import delete as sql_delete

from fonds.config import Settings, load_settings
from fonds.ingest.memory import give_back_free_memory
from fonds.model import Record
from fonds.names import Authority
from fonds.search import SearchBackend, SearchResult, TantivyIndex, open_backend
from fonds.serialize import record_to_json
from fonds.store import Outcome, Store, reader
from fonds.store import tables as t

if TYPE_CHECKING:  # the ingest machinery (PDF, OCR, spreadsheets) is imported by ingest()
    from fonds.ingest.ocr import Ocr
    from fonds.ingest.pipeline import IngestReport, Progress

log = logging.getLogger("fonds")

# Searches whose results are kept until the index changes.
SEARCH_CACHE_SIZE = 256
# Records an ingest hands to the index writer between two index commits. Each batch goes
# to the writer as soon as the database has it (the writer's own heap bounds the memory);
# a commit costs 0.4-1.6 s whatever its size, so the fewer the better, but search sees new
# records only once their commit lands.
INDEX_COMMIT_RECORDS = 10_000


class Archive:
    """One archive: its records, files, people, collections and search index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings)
        self._index: SearchBackend | None = None
        self._authority: tuple[tuple[int, ...], Authority] | None = None
        self._results: OrderedDict[tuple[Any, ...], SearchResult] = OrderedDict()
        self._facets: OrderedDict[tuple[Any, ...], tuple[Any, Any, int]] = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- writing ------------------------------------------------------------------------

    def ingest(
        self,
        *paths: Path | str,
        workers: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> IngestReport:
        """Ingest files or folders (recursively); the report is also written to reports/."""
        from fonds.ingest.pipeline import ingest_paths

        if options is None:
            options = {"ocr": self.ocr()}
        held: list[str] = []

        def after_commit(saved: list[Record]) -> None:
            # The records a batch just saved go straight to the index writer, from
            # memory (their text was extracted on the parser's core); the index commits
            # every INDEX_COMMIT_RECORDS. Until it does, their outbox rows stay, so a
            # crash in between is repaired by the next sync.
            self._index_now(saved)
            held.extend(record.id for record in saved)
            if len(held) >= INDEX_COMMIT_RECORDS:
                self._commit_index(held)
                held.clear()

        report = ingest_paths(
            self.store,
            [Path(p) for p in paths],
            workers=workers or self.settings.ingest_workers,
            options=options,
            on_progress=on_progress,
            after_commit=after_commit,
        )
        self._commit_index(held)
        self.sync_index()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        report.write(self.settings.home / "reports" / f"ingest-{stamp}.json")
        return report

    def ocr(self) -> Ocr | None:
        """The OCR engine for scans with a poor text layer, when enabled and installed."""
        from fonds.ingest.ocr import Ocr

        if not self.settings.ocr or not Ocr.available():
            return None
        return Ocr(tuple(self.settings.ocr_languages.split("+")))

    def save(self, record: Record) -> Outcome:
        """Save one record (an editor's correction, say) in its own transaction."""
        with self.store.write() as writer:
            outcome = writer.save(record.model_copy(deep=True))
        self.sync_index()
        return outcome

    def delete(self, record_id: str) -> bool:
        with self.store.write() as writer:
            deleted = writer.delete(record_id)
        self.sync_index()
        return deleted

    # -- reading ------------------------------------------------------------------------

    def get(self, record_id: str, *, include_unpublished: bool = False) -> Record | None:
        with self.store.read() as c:
            return reader.get_record(c, record_id, include_unpublished=include_unpublished)

    def get_many(self, ids: list[str]) -> list[Record]:
        with self.store.read() as c:
            return reader.get_records(c, ids)

    def records(self, **filters: Any) -> tuple[list[Record], int]:
        """A page of records and the total; see `reader.list_records` for the filters."""
        with self.store.read() as c:
            return reader.list_records(c, **filters)

    def iter_records(self, *, include_unpublished: bool = False) -> Iterator[Record]:
        with self.store.read() as c:
            yield from reader.iter_records(c, include_unpublished=include_unpublished)

    def count(self, *, include_unpublished: bool = False) -> int:
        with self.store.read() as c:
            return reader.count_records(c, include_unpublished=include_unpublished)

    def export(self, out: IO[str], *, include_unpublished: bool = False) -> int:
        """Write every record as JSON Lines in fonds' own format; return the count."""
        count = 0
        for record in self.iter_records(include_unpublished=include_unpublished):
            out.write(json.dumps(record_to_json(record), ensure_ascii=False) + "\n")
            count += 1
        return count

    # -- search -------------------------------------------------------------------------

    @property
    def index(self) -> SearchBackend:
        """The search index, opened on first use; rebuilt from the store when opening found
        it written by another version of fonds (it is derived data: nothing is lost)."""
        if self._index is None:
            self._index = open_backend(self.settings, self.store.engine)
            if self._index.was_reset:
                log.warning("the search index was written by another fonds version: rebuilding")
                count = self.reindex()
                log.warning("the search index is rebuilt: %d records", count)
        return self._index

    def search(self, q: str = "", **options: Any) -> SearchResult:
        """Search published records; see `fonds.search` for the options.

        Results are kept (a few hundred searches) until the index next changes, so a
        popular query or a browse page with its facets is counted once, not per visitor.
        """
        options.setdefault("expand", self.expand_name)
        version = self._index_version()
        if version is None:
            return self.index.search(q, **options)
        key = (
            version,
            q,
            _freeze({k: v for k, v in options.items() if k != "expand"}),
            options["expand"] is None,
        )
        with self._cache_lock:
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return cached
        # Facet counts depend on the query and filters, not on the page or the order, so
        # turning pages reuses them and asks the engine for the hits alone.
        paging = {"offset", "limit", "sort", "snippets"}
        facet_key = (
            key[0],
            q,
            _freeze({k: v for k, v in options.items() if k != "expand" and k not in paging}),
            key[3],
        )
        own_facets = "facets" in options or "histogram" in options
        with self._cache_lock:
            counted = None if own_facets else self._facets.get(facet_key)
        if counted is not None:
            result = self.index.search(q, **options, facets=(), histogram=False)
            result.facets, result.histogram = dict(counted[0]), list(counted[1])
            result.undated_count = counted[2]
        else:
            result = self.index.search(q, **options)
        with self._cache_lock:
            self._results[key] = result
            if not own_facets:
                self._facets[facet_key] = (result.facets, result.histogram, result.undated_count)
            for cache in (self._results, self._facets):
                while len(cache) > SEARCH_CACHE_SIZE:
                    cache.popitem(last=False)
        return result

    def _index_version(self) -> int | None:
        """Changes whenever the embedded index commits (it rewrites meta.json); None for
        engines without such a marker, whose results are then not kept."""
        if not isinstance(self.index, TantivyIndex):
            return None
        try:
            return (self.settings.index_dir / "meta.json").stat().st_mtime_ns
        except OSError:
            return None

    def related(self, record_id: str, limit: int = 5) -> list[Record]:
        hits = self.index.more_like_this(record_id, limit=limit)
        return self.get_many([hit.id for hit in hits])

    def expand_name(self, name: str) -> list[str]:
        """Every known form of the person or place `name` matches (for search expansion)."""
        from fonds.store import kept_authority
        from fonds.store.people import authority_version, expand

        with self.store.read() as c:
            version = authority_version(c)
            if self._authority is None or self._authority[0] != version:
                self._authority = (version, kept_authority.load(c, self.settings.home, version))
            return expand(c, self._authority[1], name)

    def sync_index(self) -> int:
        """Bring the index up to date with the store's outbox; return the records applied."""
        applied = 0
        while True:
            with self.store.read() as c:
                pending = reader.pending_index(c, limit=2000)
            if not pending:
                return applied
            upserts = [rid for rid, op in pending if op == "upsert"]
            deletes = [rid for rid, op in pending if op != "upsert"]
            records = self.get_many(upserts) if upserts else []
            present = {r.id for r in records}
            # Records no longer published leave the index too.
            self.index.delete([*deletes, *(rid for rid in upserts if rid not in present)])
            self.index.add(records)
            self._commit_index([rid for rid, _ in pending])
            applied += len(pending)

    def _index_now(self, records: list[Record]) -> None:
        """Hand saved records to the index writer (published ones in, others out)."""
        self.index.delete([r.id for r in records if not r.is_published()])
        self.index.add([r for r in records if r.is_published()])

    def _commit_index(self, ids: list[str]) -> None:
        """Commit the index, then clear the outbox rows of the records it now holds."""
        self.index.commit()
        give_back_free_memory()  # the index writer's buffers, freed by the commit
        with self.store.engine.begin() as c:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                c.execute(sql_delete(t.index_queue).where(t.index_queue.c.record_id.in_(chunk)))

    def reindex(self, on_progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the search index from the store."""
        if self._index is None:
            self._index = open_backend(self.settings, self.store.engine)
        index = self._index
        index.clear()
        batch: list[Record] = []
        count = 0
        for record in self.iter_records():
            batch.append(record)
            if len(batch) >= 1000:
                count += index.add(batch)
                batch = []
                if on_progress:
                    on_progress(count)
        count += index.add(batch)
        index.commit()
        with self.store.engine.begin() as c:
            c.execute(sql_delete(t.index_queue))
        return count

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_archive(home: Path | str | None = None, **overrides: Any) -> Archive:
    """Open (creating and migrating if needed) the archive at `home`."""
    return Archive(load_settings(home, **overrides))


def _freeze(value: Any) -> Any:
    """A hashable form of search options (lists and dicts become sorted tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return tuple(_freeze(v) for v in value)
    return value
