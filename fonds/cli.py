"""The `fonds` command: thin typer commands over the library (`fonds.archive`).

Every command's docstring is its --help, with an example. The archive directory is the
current directory, `--archive DIR`, or FONDS_HOME; FONDS_DATABASE_URL selects PostgreSQL.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fonds import __version__
from fonds.archive import Archive, open_archive
from fonds.dates import display
from fonds.model import Record
from fonds.search.types import SearchResult
from fonds.serialize import record_to_json

app = typer.Typer(
    help="fonds: a digital archive for declassified historical documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(
    help="Editors who may change the archive through the API.", no_args_is_help=True
)
app.add_typer(users_app, name="users")
# Long lines (paths, reasons) are never wrapped: scripts and logs read them whole.
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        "-a",
        help="Archive directory (default: FONDS_HOME or .).",
        envvar="FONDS_HOME",
        show_default=False,
    ),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="text or json.")]
EXAMPLES = Path(__file__).parent / "examples"
# Facet values printed after the hits, per facet.
FACET_VALUES_SHOWN = 5


def _open(archive: Path | None) -> Archive:
    return open_archive(archive)


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        console.print(f"fonds {__version__}")
        raise typer.Exit()


@app.command()
def init(archive: ArchiveOption = None) -> None:
    """Create an empty archive (database, files/, index/) in the archive directory.

    Example: fonds init --archive ~/my-archive
    """
    with _open(archive) as opened:
        opened.index  # noqa: B018 - creates the index directory
        where = opened.settings.database_url or opened.settings.home / "fonds.db"
        console.print(f"Archive ready in {opened.settings.home} (database: {where})")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    archive: ArchiveOption = None,
    workers: Annotated[int | None, typer.Option(help="Parser processes (default 2).")] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the JSON report here.")] = None,
) -> None:
    """Ingest files: TEI, PDF, archive-API JSON, fonds JSON/YAML, archive pages.

    Prints added / updated / unchanged / failed, with the reason for each failure, and exits
    with status 1 when anything failed (everything else is saved).

    Example: fonds ingest ../shared/corpus/seeds ../shared/corpus/wilson-api
    """
    with _open(archive) as opened:
        started = time.perf_counter()
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            TextColumn("{task.completed} records"),
            TextColumn("{task.fields[rate]:.0f} records/s"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[file]}"),
            console=errors,
            transient=True,
            disable=not errors.is_terminal,
        ) as progress:
            task = progress.add_task("ingest", total=None, rate=0.0, file="")

            def on_progress(event: Any) -> None:
                elapsed = max(time.perf_counter() - started, 1e-6)
                progress.update(
                    task,
                    completed=event.records,
                    rate=event.records / elapsed,
                    file=Path(event.path).name,
                )

            result = opened.ingest(*paths, workers=workers, on_progress=on_progress)
        elapsed = time.perf_counter() - started
        if report:
            result.write(report)
        total = result.added + result.updated + result.unchanged
        console.print(
            f"{result.summary()} in {elapsed:.1f} s ({total / max(elapsed, 1e-6):.0f} records/s)"
        )
        for failure in result.failures:
            where = f" [{failure.record_id}]" if failure.record_id else ""
            errors.print(
                f"[red]failed[/red] {failure.path}{where}: {failure.reason}",
                highlight=False,
                markup=True,
            )
        if not result.ok:
            raise typer.Exit(1)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(help="The record's id.")],
    archive: ArchiveOption = None,
    format: FormatOption = "text",
) -> None:
    """Show one record, as text or as JSON (the archive API's field names).

    Example: fonds show 116976 --format json
    """
    with _open(archive) as opened:
        record = opened.get(record_id, include_unpublished=True)
        if record is None:
            errors.print(f"No record with id {record_id}")
            raise typer.Exit(1)
        if format == "json":
            _print_json(record_to_json(record))
            return
        _print_record(record)


@app.command("list")
def list_records(
    archive: ArchiveOption = None,
    format: FormatOption = "text",
    limit: Annotated[int, typer.Option(help="How many records.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many first.")] = 0,
    collection: Annotated[str | None, typer.Option(help="Only this collection id.")] = None,
) -> None:
    """List records by date.

    Example: fonds list --limit 10 --format json
    """
    with _open(archive) as opened:
        records, total = opened.records(
            offset=offset, limit=limit, collection=collection, include_unpublished=True
        )
        if format == "json":
            _print_json(
                {
                    "total": total,
                    "records": [
                        {
                            "id": r.id,
                            "title": r.title,
                            "doc_date": r.doc_date.edtf if r.doc_date else None,
                            "frontend_doc_date": display(r.doc_date) if r.doc_date else None,
                        }
                        for r in records
                    ],
                }
            )
            return
        table = Table("id", "date", "title", title=f"{total} records")
        for record in records:
            table.add_row(record.id, display(record.doc_date), record.title)
        console.print(table)


@app.command()
def export(
    archive: ArchiveOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or bagit.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (folder for bagit); default stdout.")
    ] = None,
    include_unpublished: Annotated[bool, typer.Option(help="Drafts and embargoes too.")] = False,
) -> None:
    """Export every public record: JSON Lines (fonds' own format, ingestible), CSV, BagIt.

    Example: fonds export --format jsonl -o archive.jsonl
    """
    with _open(archive) as opened:
        if format == "jsonl":
            if output is None:
                count = opened.export(sys.stdout, include_unpublished=include_unpublished)
            else:
                with output.open("w", encoding="utf-8") as out:
                    count = opened.export(out, include_unpublished=include_unpublished)
        elif format in {"csv", "bagit"}:
            from fonds import exports

            if format == "csv":
                if output is None:
                    count = exports.write_csv(
                        opened, sys.stdout, include_unpublished=include_unpublished
                    )
                else:
                    with output.open("w", encoding="utf-8", newline="") as out:
                        count = exports.write_csv(
                            opened, out, include_unpublished=include_unpublished
                        )
            else:
                if output is None:
                    errors.print("--output FOLDER is required for bagit")
                    raise typer.Exit(2)
                count = exports.write_bag(opened, output, include_unpublished=include_unpublished)
        else:
            errors.print(f"Unknown format {format!r}: use jsonl, csv or bagit")
            raise typer.Exit(2)
        errors.print(f"Exported {count} records")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The query (see docs/search.md).")] = "",
    archive: ArchiveOption = None,
    format: FormatOption = "text",
    limit: Annotated[int, typer.Option(help="Hits to show.")] = 20,
    offset: Annotated[int, typer.Option(help="Hits to skip (the next page).")] = 0,
    sort: Annotated[str, typer.Option(help="relevance, date or -date.")] = "relevance",
    date_from: Annotated[str | None, typer.Option("--from", help="Earliest date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Latest date.")] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="FACET=VALUE, e.g. type=Telegram or collection=frus1961-63v06; repeatable.",
        ),
    ] = None,
    expand_names: Annotated[bool, typer.Option(help="Match every form of names.")] = True,
    include_undated: Annotated[bool, typer.Option(help="Undated records in date ranges.")] = False,
) -> None:
    """Search the archive: words, "phrases", AND/OR/NOT, field:value, date:1960..1962.

    Prints each hit with its snippet, then the counts by facet (values to pass to
    --filter) and by year. Example: fonds search 'person:"Mao Tse-tung" date:1960..1962'
    """
    chosen: dict[str, list[str]] = {}
    for item in filters or []:
        facet, _, value = item.partition("=")
        if not facet.strip() or not value.strip():
            errors.print(f"[red]--filter takes FACET=VALUE, not {item!r}[/red]")
            raise typer.Exit(2)
        chosen.setdefault(facet.strip(), []).append(value.strip())
    with _open(archive) as opened:
        result = opened.search(
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            date_from=date_from,
            date_to=date_to,
            filters=chosen,
            expand_names=expand_names,
            include_undated=include_undated,
        )
    if format == "json":
        from fonds.search.output import result_to_json

        _print_json(result_to_json(result))
        return
    _print_result(result, result.undated_left_out(date_from, date_to, include_undated))


def _print_result(result: SearchResult, undated_left_out: int) -> None:
    for warning in result.warnings:
        errors.print(f"[yellow]note:[/yellow] {warning}")
    shown = f"{result.offset + 1}-{result.offset + len(result.hits)} of " if result.hits else ""
    console.print(f"{shown}{result.total:,} records", highlight=False)
    if undated_left_out:
        console.print(
            f"{undated_left_out:,} undated records match too (--include-undated)",
            highlight=False,
        )
    for hit in result.hits:
        console.print()
        console.print(f"[bold]{hit.id}[/bold]  {hit.date}  {escape(hit.title)}", highlight=False)
        if hit.snippet:
            console.print(Text("    ").append_text(_marked(hit.snippet)), highlight=False)
        if hit.matched_variants:
            console.print(f"    matched: {', '.join(hit.matched_variants)}", highlight=False)
    if result.offset + len(result.hits) < result.total:
        console.print(f"\nNext page: --offset {result.offset + len(result.hits)}")
    counts = [(facet, values) for facet, values in result.facets.items() if values]
    if counts or result.histogram:
        about = " (≈: estimated from a sample)" if result.estimated else ""
        console.print(f"\n[bold]By facet[/bold]{about}", highlight=False)
    for facet, values in counts:
        console.print(f"  {facet}", highlight=False)
        for c in values[:FACET_VALUES_SHOWN]:
            count = f"{'≈' if c.estimated else ''}{c.count:,}"
            hint = f"  [dim]{facet}={c.value}[/dim]" if c.label != c.value else ""
            console.print(f"    {count:>8}  {escape(c.label)}{hint}", highlight=False)
    years = [b for b in result.histogram if b.count]
    if years:
        console.print("  dates", highlight=False)
        console.print("    " + ", ".join(f"{b.label}: {b.count:,}" for b in years), highlight=False)


def _marked(snippet: str) -> Text:
    """A snippet's HTML (escaped text, matched words in <mark>) as one line of terminal
    text, the matched words in bold."""
    out = Text()
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        text = html.unescape(part)
        words = " ".join(text.split())
        lead = " " if text[:1].isspace() and words else ""
        trail = " " if text[-1:].isspace() and words else ""
        out.append(f"{lead}{words}{trail}", style="bold" if i % 2 else "")
    return out


@app.command()
def reindex(archive: ArchiveOption = None) -> None:
    """Rebuild the search index from the database (it is always derived from it).

    Example: fonds reindex
    """
    with _open(archive) as opened:
        started = time.perf_counter()
        count = opened.reindex()
        console.print(f"Indexed {count} records in {time.perf_counter() - started:.1f} s")


@app.command()
def cite(
    record_id: Annotated[str, typer.Argument(help="The record's id.")],
    archive: ArchiveOption = None,
    style: Annotated[
        str, typer.Option(help="house, chicago, apa, mla, bibtex, ris or csl-json.")
    ] = "house",
) -> None:
    """Print a record's citation.

    Example: fonds cite 116976 --style chicago
    """
    from fonds import cite as citations

    with _open(archive) as opened:
        record = opened.get(record_id)
        if record is None:
            errors.print(f"No published record with id {record_id}")
            raise typer.Exit(1)
        base_url, name = opened.settings.base_url, opened.settings.site_name
        if style == "bibtex":
            console.print(
                citations.to_bibtex(record, base_url=base_url, archive_name=name), highlight=False
            )
        elif style == "ris":
            console.print(
                citations.to_ris(record, base_url=base_url, archive_name=name), highlight=False
            )
        elif style == "csl-json":
            _print_json(citations.to_csl_json(record, base_url=base_url, archive_name=name))
        else:
            try:
                console.print(
                    citations.cite(record, style, base_url=base_url, archive_name=name),
                    highlight=False,
                )
            except (KeyError, ValueError) as error:
                errors.print(f"Unknown style {style!r}: {error}")
                raise typer.Exit(2) from None


@app.command()
def people(
    query: Annotated[str | None, typer.Argument(help="Any form of a name.")] = None,
    archive: ArchiveOption = None,
    format: FormatOption = "text",
    limit: Annotated[int, typer.Option(help="How many people.")] = 50,
) -> None:
    """List people in the authority, with every form of their names and how each matched.

    Example: fonds people "Teng Hsiao-p'ing"
    """
    from fonds.store import people as authority

    with _open(archive) as opened, opened.store.read() as c:
        found = (
            authority.find(c, query, limit=limit)
            if query
            else authority.list_people(c, limit=limit)
        )
        if format == "json":
            _print_json(found)
            return
        for person in found:
            console.print(
                f"[bold]{person['id']}[/bold] {person['name']}"
                f"  ({person.get('records', 0)} records)",
                highlight=False,
            )
            if person.get("description"):
                console.print(f"    {person['description']}", highlight=False, markup=False)
            if "confidence" in person:
                console.print(
                    f"    matched as {person['matched_form']!r}, confidence "
                    f"{person['confidence']:.2f}",
                    highlight=False,
                    markup=False,
                )
            for form in person.get("names", []):
                console.print(
                    f"    - {form['name']}  ({form['rule']}, confidence {form['confidence']:.2f})",
                    highlight=False,
                    markup=False,
                )


@app.command()
def merge(
    keep: Annotated[int, typer.Argument(help="Id of the person to keep.")],
    drop: Annotated[int, typer.Argument(help="Id of the person merged into it.")],
    archive: ArchiveOption = None,
) -> None:
    """Merge two people in the authority (their names and records move to KEEP).

    Example: fonds merge 12 57
    """
    from fonds.store.people import PersonResolver

    with _open(archive) as opened:
        with opened.store.engine.begin() as c:
            PersonResolver(c).merge(keep, drop)
        console.print(f"Merged person {drop} into {keep}")


@app.command()
def split(
    person: Annotated[int, typer.Argument(help="Id of the person a wrong match joined.")],
    forms: Annotated[list[str], typer.Argument(help="The name forms to move out.")],
    archive: ArchiveOption = None,
) -> None:
    """Undo a wrong automatic match: move name forms (and the records that used them) out
    of a person into a new one. `fonds people NAME` shows each form's rule and confidence.

    Example: fonds split 12 "Brewster, Herbert D."
    """
    from fonds.store.people import PersonResolver

    with _open(archive) as opened:
        try:
            with opened.store.engine.begin() as c:
                new_id = PersonResolver(c).split(person, forms)
        except ValueError as error:
            errors.print(str(error))
            raise typer.Exit(1) from None
        console.print(f"Moved {len(forms)} form(s) of person {person} to new person {new_id}")


@app.command()
def serve(
    archive: ArchiveOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Serve the archive's pages and APIs.

    Example: fonds serve --port 8000
    """
    import os

    import uvicorn

    opened = _open(archive)
    settings = opened.settings
    opened.close()
    os.environ["FONDS_HOME"] = str(settings.home)
    console.print(
        f"Serving {settings.home} on http://{host or settings.host}:{port or settings.port}"
    )
    uvicorn.run(
        "fonds.web:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="warning",
    )


@app.command()
def demo(
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            "-a",
            help="Where to build the demo (default: a temporary folder; "
            "FONDS_HOME is ignored so a real archive is never touched).",
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build only.")] = False,
) -> None:
    """Build a demo archive from the example records shipped with fonds and serve it.

    Example: fonds demo   (then open http://127.0.0.1:8000)
    """
    home = archive or Path(tempfile.gettempdir()) / "fonds-demo"
    with open_archive(home) as opened:
        result = opened.ingest(EXAMPLES, workers=1)
        console.print(f"Demo archive in {home}: {result.summary()}")
    if not no_serve:
        serve(archive=home, host=None, port=port, workers=None)


@app.command()
def check(archive: ArchiveOption = None) -> None:
    """Check the archive: every stored file present and intact, the index in step.

    Example: fonds check
    """
    from fonds.store.files import sha256_of

    with _open(archive) as opened:
        problems: list[str] = []
        with opened.store.read() as c:
            from sqlalchemy import select

            from fonds.store import tables as t

            for row in c.execute(select(t.files.c.sha256)):
                path = opened.store.files.path(row.sha256)
                if not path.is_file():
                    problems.append(f"missing file {row.sha256}")
                elif sha256_of(path) != row.sha256:
                    problems.append(f"corrupt file {row.sha256}")
        count = opened.count()
        indexed = opened.index.count()
        if indexed != count:
            problems.append(f"index has {indexed} records, database {count}: run fonds reindex")
        for problem in problems:
            errors.print(f"[red]problem[/red] {problem}")
        console.print(f"{count} published records, {indexed} indexed, {len(problems)} problems")
        if problems:
            raise typer.Exit(1)


@app.command()
def backup(
    destination: Annotated[Path, typer.Argument(help="Folder to write the backup into.")],
    archive: ArchiveOption = None,
) -> None:
    """Back up a SQLite archive: a consistent copy of the database and the files.

    Example: fonds backup /mnt/backups/fonds-2026-11-22
    """
    import sqlite3

    with _open(archive) as opened:
        if not opened.settings.is_sqlite:
            errors.print("For PostgreSQL use pg_dump; then copy the files/ folder.")
            raise typer.Exit(2)
        destination.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(opened.settings.home / "fonds.db")
        target = sqlite3.connect(destination / "fonds.db")
        with target:
            source.backup(target)
        source.close()
        target.close()
        if opened.settings.files_dir.exists():
            shutil.copytree(opened.settings.files_dir, destination / "files", dirs_exist_ok=True)
        console.print(f"Backed up to {destination} (run fonds reindex there to rebuild search)")


@app.command("import")
def import_bag(
    bag: Annotated[Path, typer.Argument(help="A BagIt bag written by fonds export.")],
    archive: ArchiveOption = None,
) -> None:
    """Import a BagIt export (validated first) into the archive: records, people, files.

    Example: fonds import ./fonds-bag --archive ~/new-archive
    """
    from fonds import exports

    with _open(archive) as opened:
        try:
            count = exports.import_bag(opened, bag)
        except ValueError as error:
            errors.print(f"Not imported: {error}")
            raise typer.Exit(1) from None
        console.print(f"Imported {count} records from {bag}")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The editor's login name.")],
    archive: ArchiveOption = None,
    role: Annotated[str, typer.Option(help="editor or admin.")] = "editor",
    password: Annotated[
        str | None,
        typer.Option(help="Password (asked for when not given and a terminal is attached)."),
    ] = None,
) -> None:
    """Add an editor and print the API token they use for writes (shown once).

    Example: fonds users add maria --role editor --password s3cret
    """
    from fonds import users

    if password is None:
        if not sys.stdin.isatty():
            errors.print("--password is required when no terminal is attached")
            raise typer.Exit(2)
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _open(archive) as opened:
        try:
            token = users.add_user(opened, name, password, role)
        except ValueError as error:
            errors.print(str(error))
            raise typer.Exit(1) from None
        console.print(f"Added {role} {name}. API token (shown once): {token}", highlight=False)


@users_app.command("list")
def users_list(archive: ArchiveOption = None) -> None:
    """List editors and their roles.

    Example: fonds users list
    """
    from fonds import users

    with _open(archive) as opened:
        for user in users.list_users(opened):
            console.print(f"{user.name}  {user.role}", highlight=False)


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The editor's login name.")],
    archive: ArchiveOption = None,
) -> None:
    """Issue a new API token for an editor (the old one stops working).

    Example: fonds users token maria
    """
    from fonds import users

    with _open(archive) as opened:
        try:
            console.print(users.new_token(opened, name), highlight=False)
        except (KeyError, ValueError) as error:
            errors.print(str(error))
            raise typer.Exit(1) from None


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="The editor's login name.")],
    archive: ArchiveOption = None,
) -> None:
    """Remove an editor (their token stops working).

    Example: fonds users remove maria
    """
    from fonds import users

    with _open(archive) as opened:
        if not users.remove_user(opened, name):
            errors.print(f"No user {name}")
            raise typer.Exit(1)
        console.print(f"Removed {name}")


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _print_record(record: Record) -> None:
    console.print(f"[bold]{record.title}[/bold]", highlight=False)
    rows: list[tuple[str, str]] = [
        ("id", record.id),
        ("date", display(record.doc_date)),
    ]
    if record.event_date:
        rows.append(("event date", display(record.event_date)))
    rows += [
        ("summary", record.description or ""),
        ("source", record.source or ""),
        ("languages", ", ".join(f"{lang.name} ({lang.id})" for lang in record.languages)),
        ("creators", "; ".join(p.name for p in record.creators)),
        ("contributors", "; ".join(p.name for p in record.contributors)),
        ("places", ", ".join(p.name for p in record.original_coverages)),
        ("subjects", "; ".join(s.name for s in record.subjects)),
        ("collections", "; ".join(c.name for c in record.collections)),
        ("classification", ", ".join(c.name for c in record.classifications)),
        ("translator", record.translator or ""),
        ("donors", ", ".join(d.name for d in record.donors)),
    ]
    if record.archival_reference and not record.archival_reference.is_empty():
        ref = record.archival_reference.model_dump(exclude={"raw"}, exclude_none=True)
        rows.append(("reference", ", ".join(f"{k} {v}" for k, v in ref.items())))
    table = Table(show_header=False, box=None)
    for name, value in rows:
        if value:
            table.add_row(f"[dim]{name}[/dim]", value)
    console.print(table)
    for rendition in record.renditions:
        language = rendition.language.name if rendition.language else ""
        console.print(f"[dim]{rendition.kind} {language}[/dim] {len(rendition.text)} characters")
