"""Settings: every setting declared once, with help text.

A setting keeps one name everywhere: field `page_size`, environment `FONDS_PAGE_SIZE`, key
`page_size` in the archive's `fonds.toml`, flag `--page-size` where the CLI offers it.
Precedence: flags, then environment, then `fonds.toml`, then the default.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

CONFIG_FILE = "fonds.toml"


class Settings(BaseModel):
    """How one archive is set up."""

    home: Path = Field(
        default_factory=Path.cwd,
        description="The archive directory: fonds.db, files/ and the search index live here.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; empty means SQLite in the archive "
        "directory. Use postgresql+psycopg://user:pass@host/db for PostgreSQL.",
    )
    site_name: str = Field(
        default="fonds Digital Archive",
        description="The archive's name, shown on pages and used in citations.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public address of the site, used in permalinks and citations.",
    )
    page_size: int = Field(default=20, ge=1, le=500, description="Search hits per page.")
    host: str = Field(default="127.0.0.1", description="Address `fonds serve` listens on.")
    port: int = Field(default=8000, description="Port `fonds serve` listens on.")
    workers: int = Field(default=1, ge=1, description="Web worker processes for `fonds serve`.")
    ingest_workers: int = Field(
        default=2, ge=1, description="Processes that parse files in parallel during ingest."
    )
    ocr_languages: str = Field(
        default="eng+rus",
        description="Tesseract languages for scans without a usable text layer (eng, rus, "
        "chi_sim; joined with +).",
    )
    ocr: bool = Field(default=True, description="Run OCR on scans whose text layer is poor.")
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024, description="Largest file accepted by ingest or upload."
    )
    search_backend: str = Field(
        default="auto",
        description="Full-text engine: tantivy (embedded), postgres, or auto (postgres when "
        "the database is PostgreSQL, else tantivy).",
    )

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'fonds.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"


def load_settings(home: Path | str | None = None, **overrides: Any) -> Settings:
    """Settings for the archive at `home` (else FONDS_HOME, else the current directory)."""
    home_path = Path(home or os.environ.get("FONDS_HOME") or Path.cwd()).expanduser()
    values: dict[str, Any] = {}
    config_file = home_path / CONFIG_FILE
    if config_file.is_file():
        values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
    for name in Settings.model_fields:
        env = os.environ.get(f"FONDS_{name.upper()}")
        if env is not None and name != "home":
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["home"] = home_path.resolve()
    return Settings.model_validate(values)
