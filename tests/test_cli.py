"""The `fonds` command through typer's test runner: init, ingest, show, list, export, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fonds.cli import app

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
    assert " 0 failed" in " ".join(result.stdout.split())
    listed = json.loads(fonds("list", "--format", "json", "--archive", tmp_path / "demo").stdout)
    assert listed["total"] >= 14


def test_version() -> None:
    result = fonds("--version")
    assert result.stdout.startswith("fonds ")


@pytest.mark.xfail(
    strict=True,
    reason="record_terms.role VARCHAR(20) is shorter than the role "
    "'translation_languages' the writer stores: PostgreSQL refuses the seeds",
)
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
