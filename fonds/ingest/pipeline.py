"""The ingest pipeline: find files, parse them on every core, save each record whole.

Parsers run in worker processes (one file each, a few files in flight, so memory stays flat
however large the corpus); the main process saves what they return in batched transactions
with a savepoint per record, so a bad record fails alone and nothing is ever half-written.
A file whose records all landed is remembered by its content hash: an interrupted ingest,
run again, skips it and resumes where it stopped, and re-ingesting unchanged input costs
one hash per file.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from fonds.ingest import sidecar
from fonds.ingest.detect import (
    ARCHIVE_SUFFIXES,
    METADATA_SUFFIXES,
    detect,
    format_module,
    read_head,
)
from fonds.ingest.memory import give_back_free_memory
from fonds.model import Collection, IngestError, Person, Record
from fonds.store import Store
from fonds.store import tables as t
from fonds.store.files import sha256_of
from fonds.store.writer import RecordWriter

# Bump when parsers change what they produce, so unchanged files are read again.
PARSER_VERSION = "8"
BATCH = 500
# A corpus folder's own documentation travels with it; it describes records, it is not one.
DOCUMENTATION_NAMES = {"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "NOTICE"}

Item = Record | Collection | Person
# Which of the caller's options each format's parser takes.
_FORMAT_OPTIONS: dict[str, tuple[str, ...]] = {"pdf": ("ocr",)}


@dataclass
class Failure:
    path: str
    reason: str
    record_id: str | None = None


@dataclass
class FileOutcome:
    path: str
    format: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: bool = False
    note: str | None = None


@dataclass
class IngestReport:
    """What an ingest did: counts, and every failure with its reason."""

    files: list[FileOutcome] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str | None = None

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def failures(self) -> list[Failure]:
        return [failure for f in self.files for failure in f.failures]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.failures)} failed ({len(self.files)} files)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {
                "added": self.added,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "failed": len(self.failures),
                "files": len(self.files),
            },
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "failures": [asdict(f) for f in self.failures],
            "files": [asdict(f) for f in self.files],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")


@dataclass
class Progress:
    """Passed to the progress callback after each file."""

    files_done: int
    records: int
    path: str


@dataclass
class _Job:
    path: Path
    format: str
    key: str
    options: dict[str, Any]


@dataclass
class _Parsed:
    items: list[Item] = field(default_factory=list)
    error: str | None = None
    # Content hashes by record id, worked out on the parser's core, not the saver's.
    digests: dict[str, str] = field(default_factory=dict)


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    workers: int = 2,
    options: dict[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    after_commit: Callable[[list[Record]], object] | None = None,
    max_bytes: int | None = None,
) -> IngestReport:
    """Ingest every file under `paths` into `store` and report what happened."""
    report = IngestReport()
    max_bytes = max_bytes or store.settings.max_upload_bytes
    done = _done_keys(store)
    jobs: list[_Job] = []
    sidecars: dict[Path, dict[str, dict[str, Any]]] = {}
    found: list[Path] = []
    for path, problem in discover(paths):
        if problem:
            report.files.append(FileOutcome(str(path), failures=[Failure(str(path), problem)]))
        else:
            found.append(path)
    metadata = _spreadsheet_metadata(found, report)
    for path in found:
        job, outcome = _plan(path, done, max_bytes, options or {}, sidecars, metadata)
        if outcome is not None:
            report.files.append(outcome)
        if job is not None:
            jobs.append(job)
    records_seen = 0
    for job, parsed in _parse_all(jobs, workers):
        outcome = FileOutcome(str(job.path), format=job.format)
        give_back_free_memory()  # what the previous file's records took
        if parsed.error:
            outcome.failures.append(Failure(str(job.path), parsed.error))
        else:
            _save(store, job, parsed, outcome, after_commit)
        del parsed
        report.files.append(outcome)
        records_seen += outcome.added + outcome.updated + outcome.unchanged
        if on_progress:
            on_progress(Progress(len(report.files), records_seen, str(job.path)))
    report.finished_at = datetime.now(UTC).isoformat()
    return report


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """Every file under `paths`, once, with a reason when it cannot be read at all.

    Symlinks are followed to files but never into a loop; hidden files are skipped.
    """
    seen: set[str] = set()
    for root in paths:
        root = Path(root)
        if root.is_symlink() and not root.exists():
            yield root, "broken symlink or symlink loop"
            continue
        if not root.exists():
            yield root, "no such file or directory"
            continue
        if root.is_file():
            real = os.path.realpath(root)
            if real not in seen:
                seen.add(real)
                yield root, None
            continue
        for folder, dirs, names in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                try:
                    real = os.path.realpath(path, strict=True)
                except OSError:
                    yield path, "broken symlink or symlink loop"
                    continue
                if real in seen or not Path(real).is_file():
                    continue
                seen.add(real)
                yield path, None


def _spreadsheet_metadata(paths: list[Path], report: IngestReport) -> dict[str, Any]:
    """NARA-style release spreadsheets among the inputs, as record number → row."""
    from fonds.ingest import nara

    sheets = []
    for path in paths:
        if path.suffix.lower() in METADATA_SUFFIXES and not sidecar.is_sidecar(path):
            try:
                if nara.sniff(path, read_head(path)):
                    sheets.append(path)
            except Exception as error:
                report.files.append(_failed(path, f"cannot read spreadsheet: {error}"))
    if not sheets:
        return {}
    try:
        return dict(nara.load_metadata(sheets))
    except Exception as error:
        for path in sheets:
            report.files.append(_failed(path, f"cannot read spreadsheet: {error}"))
        return {}


def _plan(
    path: Path,
    done: dict[str, int],
    max_bytes: int,
    options: dict[str, Any],
    sidecars: dict[Path, dict[str, dict[str, Any]]],
    metadata: dict[str, Any],
) -> tuple[_Job | None, FileOutcome | None]:
    suffix = path.suffix.lower()
    if suffix in METADATA_SUFFIXES or sidecar.is_sidecar(path):
        return None, None  # read together with the files it describes
    if path.stem.upper() in DOCUMENTATION_NAMES:
        return None, FileOutcome(str(path), skipped=True, note="documentation, not a record")
    if suffix in ARCHIVE_SUFFIXES:
        return None, _failed(path, "archives are not accepted: unpack the files first")
    try:
        size = path.stat().st_size
    except OSError as error:
        return None, _failed(path, f"cannot read: {error.strerror}")
    if size == 0:
        return None, _failed(path, "empty file")
    if size > max_bytes:
        return None, _failed(path, f"file too large: {size:,} bytes (limit {max_bytes:,})")
    try:
        head = read_head(path)
        found = detect(path, head)
    except OSError as error:
        return None, _failed(path, f"cannot read: {error}")
    except Exception as error:  # a sniffer must never stop the ingest
        return None, _failed(path, f"cannot detect format: {error}")
    if found is None and _is_file_manifest(path):
        return None, FileOutcome(
            str(path),
            skipped=True,
            note="a manifest listing other files of the folder, not a record",
        )
    if found is None:
        return None, _failed(
            path,
            "unrecognised format (not TEI, PDF, archive-API JSON, "
            "fonds JSON/YAML or an archive page)",
        )
    file_options = {k: v for k, v in options.items() if k in _FORMAT_OPTIONS.get(found.name, ())}
    sidecar_row = _sidecar_row(path, sidecars)
    if sidecar_row:
        file_options["sidecar"] = sidecar_row
    if found.name == "pdf" and metadata:
        from fonds.ingest.pdf import NARA_RECORD_NUMBER

        number = NARA_RECORD_NUMBER.search(path.name)
        if number and number.group(1) in metadata:
            file_options["nara"] = metadata[number.group(1)]
    key = _key(path, found.name, file_options)
    if key in done:
        return None, FileOutcome(str(path), format=found.name, unchanged=done[key], skipped=True)
    return _Job(path, found.name, key, file_options), None


def _is_file_manifest(path: Path) -> bool:
    """Whether `path` is JSON Lines whose first row names another file beside it (as the
    JFK release's sample.jsonl names each PDF): a list of the corpus, not a record."""
    if path.suffix.lower() not in {".jsonl", ".ndjson"}:
        return False
    try:
        with path.open("rb") as handle:
            line = handle.readline(1 << 20)
        row = json.loads(line)
    except (OSError, ValueError):
        return False
    if not isinstance(row, dict):
        return False
    folder = path.parent.resolve()
    for value in row.values():
        if isinstance(value, str) and 0 < len(value) < 300 and "/" in value:
            target = (folder / value).resolve()
            if target.is_relative_to(folder) and target.is_file() and target != path.resolve():
                return True
    return False


def _failed(path: Path, reason: str) -> FileOutcome:
    return FileOutcome(str(path), failures=[Failure(str(path), reason)])


def _key(path: Path, format_name: str, options: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(sha256_of(path).encode())
    digest.update(format_name.encode())
    digest.update(PARSER_VERSION.encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _sidecar_row(path: Path, cache: dict[Path, dict[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The sidecar metadata that describes `path`, if an editor wrote any beside it."""
    folder = path.parent
    if folder not in cache:
        rows: dict[str, dict[str, Any]] = {}
        for candidate in sidecar.find_sidecars(folder):
            rows.update(sidecar.load_sidecar(candidate))
        cache[folder] = rows
    return sidecar.row_for(cache[folder], path.name) or None


def _done_keys(store: Store) -> dict[str, int]:
    with store.read() as connection:
        rows = connection.execute(select(t.ingested_files.c.sha256, t.ingested_files.c.records))
        return {row[0]: int(row[1]) for row in rows}


def _parse_all(jobs: list[_Job], workers: int) -> Iterator[tuple[_Job, _Parsed]]:
    """Parse jobs in order, on `workers` processes with a few files in flight."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, _parse(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[_Job, Future[_Parsed]]] = deque()
        queue = iter(jobs)
        for job in queue:
            pending.append((job, pool.submit(_parse, job)))
            if len(pending) >= workers + 1:
                break
        while pending:
            job, future = pending.popleft()
            next_job = next(queue, None)
            if next_job is not None:
                pending.append((next_job, pool.submit(_parse, next_job)))
            try:
                parsed = future.result()
            except Exception as error:  # a worker that died (out of memory, say)
                parsed = _Parsed(error=f"parser process failed: {error}")
            del future  # the caller alone holds the file's records, and frees them
            yield job, parsed
            del parsed


def _parse(job: _Job) -> _Parsed:
    """Run one file's parser (in a worker process); errors come back as text."""
    module = format_module(job.format)
    options = dict(job.options)
    sidecar_row = options.pop("sidecar", None)
    nara_row = options.pop("nara", None)
    try:
        items = list(module.parse(job.path, **options))
        if nara_row is not None:
            from fonds.ingest import nara

            items = [nara.apply(i, nara_row) if isinstance(i, Record) else i for i in items]
    except IngestError as error:
        return _Parsed(error=str(error))
    except RecursionError:
        return _Parsed(error="document nested too deeply")
    except MemoryError:
        return _Parsed(error="file needs too much memory to parse")
    except Exception as error:
        where = traceback.extract_tb(error.__traceback__)[-1]
        return _Parsed(
            error=f"parser error: {type(error).__name__}: {error} "
            f"({Path(where.filename).name}:{where.lineno})"
        )
    if sidecar_row is not None:
        try:
            items = [
                sidecar.apply_sidecar(i, sidecar_row) if isinstance(i, Record) else i for i in items
            ]
        except IngestError as error:
            return _Parsed(error=f"sidecar: {error}")
    if not items:
        return _Parsed(error="no records found in file")
    digests = {}
    for item in items:  # what the saver needs, worked out here on the worker's core
        if isinstance(item, Record):
            for rendition in item.renditions:
                rendition.text  # noqa: B018  (plain text for the index)
            digests[item.id] = item.content_hash()
    return _Parsed(items=items, digests=digests)


def _save(
    store: Store,
    job: _Job,
    parsed: _Parsed,
    outcome: FileOutcome,
    after_commit: Callable[[list[Record]], object] | None,
) -> None:
    """Save one file's items in batches; mark the file done with its last batch.

    A batch is first written in one plain transaction, its records together (the fast
    path); if anything in it fails, that transaction is rolled back and the batch written
    again with a savepoint per item, so the bad record fails alone and every other one
    lands whole.
    """
    items = parsed.items
    for start in range(0, max(len(items), 1), BATCH):
        batch = items[start : start + BATCH]
        last = start + BATCH >= len(items)
        counts = (outcome.added, outcome.updated, outcome.unchanged)
        try:
            with store.write() as writer:
                saved = _save_batch(writer, batch, job, parsed.digests, outcome)
                if last:
                    _mark_done(writer, job, outcome)
        except Exception:
            outcome.added, outcome.updated, outcome.unchanged = counts
            saved = []
            with store.write() as writer:
                for item in batch:
                    if _save_item(writer, item, job, outcome):
                        saved.append(item)  # type: ignore[arg-type]
                if last and not outcome.failures:
                    _mark_done(writer, job, outcome)
        if after_commit:
            after_commit(saved)


def _save_batch(
    writer: RecordWriter,
    batch: list[Item],
    job: _Job,
    digests: dict[str, str],
    outcome: FileOutcome,
) -> list[Record]:
    """Save a batch in order; runs of records go to the writer together."""
    saved: list[Record] = []
    run: list[Record] = []

    def flush_run() -> None:
        results = writer.save_many(run, [digests.get(record.id) for record in run])
        for record, result in zip(run, results, strict=True):
            setattr(outcome, result, getattr(outcome, result) + 1)
            if result != "unchanged":
                saved.append(record)
        run.clear()

    for item in batch:
        if isinstance(item, Record):
            run.append(item)
            continue
        if run:
            flush_run()
        _save_one(writer, item, job, outcome)
    if run:
        flush_run()
    return saved


def _mark_done(writer: RecordWriter, job: _Job, outcome: FileOutcome) -> None:
    writer.connection.execute(
        insert(t.ingested_files).values(
            sha256=job.key,
            path=str(job.path),
            format=job.format,
            records=outcome.added + outcome.updated + outcome.unchanged,
            ingested_at=datetime.now(UTC),
        )
    )


def _save_one(writer: RecordWriter, item: Item, job: _Job, outcome: FileOutcome) -> bool:
    """Save one item; True when it was a record that was added or changed."""
    if isinstance(item, Record):
        result = writer.save(item)
        setattr(outcome, result, getattr(outcome, result) + 1)
        return result != "unchanged"
    if isinstance(item, Collection):
        writer.save_collection(item)
    else:
        writer.save_person(item, origin=job.path.name)
    return False


def _save_item(writer: RecordWriter, item: Item, job: _Job, outcome: FileOutcome) -> bool:
    savepoint = writer.connection.begin_nested()
    try:
        changed = _save_one(writer, item, job, outcome)
        writer.flush()
        savepoint.commit()
        return changed
    except Exception as error:
        savepoint.rollback()
        writer.forget()
        record_id = item.id if isinstance(item, Record | Collection) else None
        outcome.failures.append(
            Failure(str(job.path), f"{type(error).__name__}: {error}", record_id)
        )
        return False
