"""The `fonds` command through typer's test runner: init, ingest, show, list, export, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fonds.archive import open_archive
from fonds.cli import EXAMPLES, app
from fonds.ingest import fonds_json
from fonds.model import Record
from fonds.store import reader

runner = CliRunner()


def fonds(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "archive"
    assert fonds("init", "--archive", home).exit_code == 0
    return home


@pytest.fixture
def filled(home: Path, corpus: Path) -> Path:
    result = fonds(
        "ingest", corpus / "seeds", corpus / "wilson-api", "--archive", home, "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    return home


def test_init_creates_the_database_and_index(tmp_path: Path) -> None:
    result = fonds("init", "--archive", tmp_path / "a")
    assert result.exit_code == 0
    assert "Archive ready" in result.stdout
    assert (tmp_path / "a" / "fonds.db").is_file()
    assert (tmp_path / "a" / "index").is_dir()


def test_archive_directory_comes_from_fonds_home(tmp_path: Path) -> None:
    result = fonds("init", env={"FONDS_HOME": str(tmp_path / "b")})
    assert result.exit_code == 0
    assert (tmp_path / "b" / "fonds.db").is_file()


def test_ingest_prints_the_summary_and_exits_zero(home: Path, corpus: Path) -> None:
    result = fonds("ingest", corpus / "seeds", corpus / "wilson-api", "--archive", home)
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged, 0 failed" in result.stdout
    again = fonds("ingest", corpus / "seeds", corpus / "wilson-api", "--archive", home)
    assert "0 added, 0 updated, 3 unchanged, 0 failed" in again.stdout


def test_ingest_lists_failures_and_exits_one(home: Path, corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "truncated.json").write_text('{"id": "t", "title": "half a rec')
    (tmp_path / "empty.json").write_text("")
    result = fonds(
        "ingest",
        corpus / "seeds",
        tmp_path / "truncated.json",
        tmp_path / "empty.json",
        "--archive",
        home,
        "--workers",
        "1",
    )
    assert result.exit_code == 1
    assert "2 added" in result.stdout and "2 failed" in result.stdout
    assert "truncated.json" in result.stderr and "invalid JSON" in result.stderr
    assert "empty.json" in result.stderr and "empty file" in result.stderr


def test_ingest_writes_the_report_where_asked(home: Path, corpus: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    fonds("ingest", corpus / "seeds", "--archive", home, "--workers", "1", "--report", report)
    assert json.loads(report.read_text())["summary"]["added"] == 2


def test_show_json_uses_the_archive_api_names(filled: Path) -> None:
    result = fonds("show", "116976", "--format", "json", "--archive", filled)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["doc_date"] == "1961-01-06"
    assert data["frontend_doc_date"] == "January 6, 1961"
    assert data["languages"] == [{"id": "rus", "name": "Russian"}]
    assert data["translator"] == "Maxim Korobochkin"
    assert [d["name"] for d in data["donors"]] == ["Leon Levy Foundation"]
    assert [c["name"] for c in data["classifications"]] == ["TOP SECRET"]
    assert data["archival_reference"]["papka"] == "454"
    assert "Mao Zedong" in [p["name"] for p in data["contributors"]]
    for name in (
        "original_coverages",
        "subjects",
        "collections",
        "translations",
        "transcripts",
        "media_files",
        "creators",
        "source",
        "description",
    ):
        assert name in data


def test_show_text_names_the_fields(filled: Path) -> None:
    result = fonds("show", "116976", "--archive", filled)
    assert result.exit_code == 0
    assert "January 6, 1961" in result.stdout
    assert "Maxim Korobochkin" in result.stdout
    assert "fond 0100" in result.stdout


def test_show_unknown_record_exits_one(home: Path) -> None:
    result = fonds("show", "nope", "--archive", home)
    assert result.exit_code == 1
    assert "No record with id nope" in result.stderr


def test_list_json_gives_records_by_date(filled: Path) -> None:
    result = fonds("list", "--format", "json", "--archive", filled)
    data = json.loads(result.stdout)
    assert data["total"] == 3
    assert [r["doc_date"] for r in data["records"]] == ["1961-01-06", "1962-03-28", None]
    assert data["records"][0]["id"] == "116976"


def test_list_text_shows_a_table(filled: Path) -> None:
    result = fonds("list", "--archive", filled, "--limit", "1")
    assert result.exit_code == 0
    assert "3 records" in result.stdout and "116976" in result.stdout


def test_export_writes_json_lines_that_ingest_back(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    result = fonds("export", "--archive", filled, "-o", out, "--include-unpublished")
    assert result.exit_code == 0
    assert "Exported 3 records" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["id"] for line in lines)[0] == "110404"
    again = fonds("ingest", out, "--archive", tmp_path / "copy", "--workers", "1")
    assert again.exit_code == 0 and "3 added" in again.stdout


def test_export_to_stdout_leaves_out_drafts(filled: Path) -> None:
    """The transcript-only archive-API record (110404) has no metadata, so it is a draft."""
    result = fonds("export", "--archive", filled)
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert len(ids) == 2 and "110404" not in ids


def test_export_refuses_an_unknown_format(filled: Path) -> None:
    result = fonds("export", "--archive", filled, "--format", "xml")
    assert result.exit_code == 2
    assert "Unknown format" in result.stderr


def test_demo_builds_the_example_archive_without_failures(tmp_path: Path) -> None:
    result = fonds("demo", "--no-serve", "--archive", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "17 added, 0 updated, 0 unchanged, 0 failed" in " ".join(result.stdout.split())
    listed = json.loads(fonds("list", "--format", "json", "--archive", tmp_path / "demo").stdout)
    assert listed["total"] == 17
    again = fonds("demo", "--no-serve", "--archive", tmp_path / "demo")
    assert "0 added, 0 updated" in " ".join(again.stdout.split())


def test_every_demo_record_says_it_is_demo_data() -> None:
    records = [item for path in sorted(EXAMPLES.glob("*.yaml")) for item in fonds_json.parse(path)]
    demo = [r for r in records if isinstance(r, Record)]
    assert len(demo) == 17
    for record in demo:
        assert record.rights is not None and "not a historical document" in record.rights.name
        assert all("[" in r.text.splitlines()[0] for r in record.translations + record.transcripts)


def test_demo_shows_collections_people_places_and_dates(tmp_path: Path) -> None:
    with open_archive(tmp_path / "demo") as archive:
        archive.ingest(EXAMPLES, workers=1)
        with archive.store.read() as c:
            collections = {info.id: info for info in reader.collections(c)}
            people, total = reader.persons(c, limit=100)
            places = {term.name: term for term in reader.terms(c, "place")}
        mao = archive.expand_name("Mao Tse-tung")
        khrushchev = archive.expand_name("Хрущёв")
        records = list(archive.iter_records())
    assert len(collections) == 4
    assert collections["demo-embassy-beijing"].parent_id == "demo-sino-soviet"
    assert all(info.count > 0 for info in collections.values())
    assert total >= 10
    assert "Mao Zedong" in mao and "毛泽东" in mao
    assert "Khrushchev" in khrushchev  # a lone surname expands to the surname in every form
    assert places["Beijing"].parent_id == places["China"].id
    assert places["East Berlin"].parent_id == places["Berlin"].id
    assert places["Berlin"].parent_id == places["Germany"].id
    precisions = {r.doc_date.precision.value if r.doc_date else None for r in records}
    assert {"day", "month", "season", "year", "decade", None} <= precisions
    assert any(r.doc_date and r.doc_date.uncertain for r in records)
    assert any(r.doc_date and r.doc_date.approximate for r in records)
    transcripts = {t.language.id for r in records for t in r.transcripts if t.language}
    assert {"rus", "chi"} <= transcripts


def test_version() -> None:
    result = fonds("--version")
    assert result.stdout.startswith("fonds ")


def test_same_commands_with_fonds_database_url(pg_url: str, tmp_path: Path, corpus: Path) -> None:
    env = {"FONDS_DATABASE_URL": pg_url}
    home = tmp_path / "pg"
    assert fonds("init", "--archive", home, env=env).exit_code == 0
    assert not (home / "fonds.db").exists()
    first = fonds(
        "ingest",
        corpus / "seeds",
        corpus / "wilson-api",
        "--archive",
        home,
        "--workers",
        "1",
        env=env,
    )
    assert first.exit_code == 0, first.output
    again = fonds("ingest", corpus / "seeds", corpus / "wilson-api", "--archive", home, env=env)
    assert "0 added, 0 updated, 3 unchanged" in again.stdout
    shown = json.loads(fonds("show", "116976", "-f", "json", "--archive", home, env=env).stdout)
    assert shown["doc_date"] == "1961-01-06"


@pytest.fixture
def memos(home: Path, tmp_path: Path) -> Path:
    """Three telegrams about Berlin, one of them undated, and a letter about Laos."""
    rows = [
        {
            "id": "t1",
            "title": "Telegram on Berlin access",
            "doc_date": "1961-08-13",
            "type": ["Telegram"],
            "description": "The sector border in Berlin was closed.",
        },
        {
            "id": "t2",
            "title": "Telegram on the Berlin wall",
            "doc_date": "1962-06-01",
            "type": ["Telegram"],
        },
        {"id": "t3", "title": "Undated telegram on Berlin", "type": ["Telegram"]},
        {"id": "l1", "title": "Letter on Laos", "doc_date": "1961-05-01", "type": ["Letter"]},
    ]
    path = tmp_path / "memos.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    assert fonds("ingest", path, "--archive", home, "--workers", "1").exit_code == 0
    return home


def test_search_prints_hits_with_snippets_then_the_counts(memos: Path) -> None:
    result = fonds("search", "Berlin", "--archive", memos)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("1-3 of 3 records")
    assert "t1  August 13, 1961  Telegram on Berlin access" in out
    assert "The sector border in Berlin was closed." in out  # the snippet, marks taken out
    assert "undated" not in out  # no date range: the undated telegram is among the hits
    by_facet = out.split("By facet", 1)[1]
    assert "type" in by_facet and "3  Telegram" in by_facet
    assert "1961: 1, 1962: 1" in by_facet


def test_search_pages_filters_and_dates(memos: Path) -> None:
    first = fonds("search", "Berlin", "--limit", "2", "--archive", memos).stdout
    assert "Next page: --offset 2" in first
    second = fonds("search", "Berlin", "--limit", "2", "--offset", "2", "--archive", memos)
    assert second.stdout.startswith("3-3 of 3 records")
    letters = fonds("search", "", "--filter", "type=Letter", "--archive", memos).stdout
    assert letters.startswith("1-1 of 1 records") and "Letter on Laos" in letters
    dated = fonds("search", "Berlin date:1961", "--archive", memos).stdout
    assert dated.startswith("1-1 of 1 records")
    assert "1 undated records match too (--include-undated)" in dated
    both = fonds(
        "search",
        "Berlin",
        "--from",
        "1961",
        "--to",
        "1961",
        "--include-undated",
        "--archive",
        memos,
    ).stdout
    assert both.startswith("1-2 of 2 records") and "undated records match" not in both


def test_search_json_is_the_api_result(memos: Path) -> None:
    result = fonds("search", "Berlin", "--format", "json", "--archive", memos)
    data = json.loads(result.stdout)
    assert data["total"] == 3 and len(data["hits"]) == 3
    assert {c["value"]: c["count"] for c in data["facets"]["type"]} == {"Telegram": 3}


def test_search_refuses_a_filter_without_a_value(memos: Path) -> None:
    result = runner.invoke(app, ["search", "Berlin", "--filter", "type", "--archive", str(memos)])
    assert result.exit_code == 2
    assert "FACET=VALUE" in result.output


def test_a_malformed_query_is_answered_with_a_note(memos: Path) -> None:
    result = runner.invoke(app, ["search", '"Berlin OR', "--archive", str(memos)])
    assert result.exit_code == 0
    assert "records" in result.stdout and "note:" in result.output


def test_reindex_rebuilds_the_index_from_the_database(memos: Path) -> None:
    result = fonds("reindex", "--archive", memos)
    assert result.exit_code == 0 and "Indexed 4 records" in result.stdout
    assert fonds("search", "Laos", "--archive", memos).stdout.startswith("1-1 of 1 records")
