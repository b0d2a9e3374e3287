"""The docs cover the code: every command, setting, record field and API route is documented.

A new command, setting or route fails here until its page says what it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from fonds.archive import Archive
from fonds.cli import app
from fonds.config import Settings
from fonds.model import Record
from fonds.serialize import record_to_json

DOCS = Path(__file__).resolve().parents[1] / "docs"
API_DOC = DOCS / "api.md"
OWN_PAGES = (
    "getting-started.md",
    "record-format.md",
    "configuration.md",
    "deployment.md",
    "cli.md",
)
API_PREFIXES = ("/api/v1", "/srv", "/oai")


def command_paths(command: Any, prefix: str = "") -> Iterator[str]:
    """`init`, `ingest`, …, `users`, `users add`: every command and sub-command."""
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        path = f"{prefix}{name}"
        yield path
        yield from command_paths(sub, f"{path} ")


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def normalise(path: str) -> str:
    """`/api/v1/records/{record_id}` and `/api/v1/records/{id}` name the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


COMMANDS = list(command_paths(get_command(app)))


def test_the_command_list_is_read_from_the_app() -> None:
    assert {"init", "ingest", "show", "list", "export", "demo", "serve", "users"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_cli_page(command: str) -> None:
    assert re.search(rf"`fonds {re.escape(command)}(?![\w-])", read("cli.md")), (
        f"docs/cli.md does not describe `fonds {command}`"
    )


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_the_configuration_page(name: str) -> None:
    rows = [
        line for line in read("configuration.md").splitlines() if line.startswith(f"| `{name}` |")
    ]
    assert rows, f"docs/configuration.md has no row for setting {name}"
    assert f"`FONDS_{name.upper()}`" in rows[0]


@pytest.mark.parametrize("name", sorted(record_to_json(Record(id="x", title="x"))))
def test_every_field_of_the_record_format_is_documented(name: str) -> None:
    assert f"`{name}`" in read("record-format.md"), f"docs/record-format.md lacks `{name}`"


@pytest.mark.parametrize("page", OWN_PAGES)
def test_links_between_pages_resolve(page: str) -> None:
    for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", read(page)):
        assert (DOCS / target).is_file(), f"{page} links to missing {target}"


@pytest.mark.xfail(not API_DOC.exists(), reason="docs/api.md is not written yet", strict=False)
def test_every_api_route_is_in_the_api_page(archive: Archive) -> None:
    from fonds.web import create_app

    paths = [getattr(route, "path", "") for route in create_app(archive).routes]
    routes = {path for path in paths if isinstance(path, str) and path.startswith(API_PREFIXES)}
    documented = normalise(API_DOC.read_text(encoding="utf-8"))
    missing = sorted(path for path in routes if normalise(path) not in documented)
    assert not missing, f"docs/api.md does not mention {missing}"
