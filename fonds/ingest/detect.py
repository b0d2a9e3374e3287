"""Which parser reads a file: each format module says whether a file's first bytes are its own.

A format module offers `sniff(path, head) -> bool` and `parse(path, **options)`, which
yields records (and collections, and persons for the authority). The order below matters:
specific formats are asked before general ones.
"""

from __future__ import annotations

import gzip
import importlib
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from fonds.ingest.text import BOMS, looks_binary

HEAD_BYTES = 64 * 1024

# (format name, module); earlier entries win.
FORMATS: tuple[tuple[str, str], ...] = (
    ("pdf", "fonds.ingest.pdf"),
    ("tei", "fonds.ingest.tei"),
    ("da_json", "fonds.ingest.da_json"),
    ("fonds", "fonds.ingest.fonds_json"),
    ("wilson_page", "fonds.ingest.wilson_page"),
)


# Files that describe other files (sidecars, NARA spreadsheets) are read with them, not alone.
METADATA_SUFFIXES = {".csv", ".xlsx", ".tsv"}
ARCHIVE_SUFFIXES = {".zip", ".tar", ".tgz", ".7z", ".rar", ".bz2", ".xz"}


@dataclass(frozen=True)
class Format:
    name: str
    module: ModuleType


def read_head(path: Path) -> bytes:
    """The first bytes of a file; of its decompressed content when it is gzip."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                return handle.read(HEAD_BYTES)
        except (OSError, EOFError, zlib.error):
            return b""
    return head


def detect(path: Path, head: bytes) -> Format | None:
    """The format that claims the file, or None when none does.

    Sniffers read UTF-8 bytes: a UTF-16/32 head (with its byte-order mark) is re-encoded
    first, so "title" is found in a file saved as UTF-16 by a Windows tool.
    """
    if looks_binary(head) and not head.startswith(b"%PDF"):
        return None
    for bom, encoding in BOMS:
        if encoding != "utf-8-sig" and head.startswith(bom):
            head = head.decode(encoding, errors="ignore").encode("utf-8")
            break
    for name, module_name in FORMATS:
        module = importlib.import_module(module_name)
        if module.sniff(path, head):
            return Format(name, module)
    return None


def format_module(name: str) -> ModuleType:
    return importlib.import_module(dict(FORMATS)[name])
