"""Turning a file's bytes into text, whatever encoding an archive's export used.

Real exports arrive as UTF-8, UTF-16 with a byte-order mark, Windows-1251 from Russian
offices, or UTF-8 that was once decoded as Latin-1 (mojibake: "Ð§ÐµÑ€Ð²"). Every text
ingester calls `decode`, so each of those is handled once, here.
"""

from __future__ import annotations

import codecs

import ftfy
from charset_normalizer import from_bytes

from fonds.model import IngestError

# Byte-order marks, longest first (a UTF-32 LE mark begins like a UTF-16 LE one).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, *, name: str = "file") -> str:
    """Decode `data` to text, repairing mojibake; IngestError if it is not text at all."""
    if not data.strip():
        raise IngestError(f"{name} is empty")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return ftfy.fix_text(data.decode(encoding, errors="replace"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise IngestError(f"{name} is binary, not text") from None
        text = _guess(data, name)
    if "\x00" in text[:4096]:
        raise IngestError(f"{name} is binary, not text")
    return ftfy.fix_text(text, normalization="NFC")


def looks_binary(head: bytes) -> bool:
    """True for bytes that no text format starts with (NULs outside UTF-16/32)."""
    if any(head.startswith(bom) for bom, _ in BOMS):
        return False
    return b"\x00" in head[:1024]


def _guess(data: bytes, name: str) -> str:
    # Windows-1251 is the commonest non-UTF-8 encoding in the field; short samples fool
    # statistical detectors, so accept it first when it yields mostly Cyrillic letters.
    cyrillic = data.decode("cp1251", errors="replace")
    letters = [ch for ch in cyrillic if ch.isalpha()]
    if letters and sum("\u0400" <= ch <= "\u04ff" for ch in letters) / len(letters) > 0.5:
        return cyrillic
    if len(data) < 512:  # too little for statistics: Western European is the likeliest
        return data.decode("cp1252", errors="replace")
    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"{name} is not text in any known encoding")
    return str(best)
