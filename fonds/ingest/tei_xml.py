"""Safe, streaming XML reading for the TEI ingester.

Files given to an archive come from outside, so an XML file is read as hostile: no DTD is
loaded, no entity is expanded (a "billion laughs" DOCTYPE is refused before parsing), nothing
is fetched from the network, and libxml2's size limits stay on (`huge_tree=False`; the
longest FRUS text nodes fit well within them). Volumes are streamed through a pull parser
so a caller can clear each document once it has been turned into a record. `tei` and
`tei_frus` read through `stream_events`.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from lxml import etree

from fonds.model import IngestError

CHUNK_SIZE = 1 << 16
# An entity declaration anywhere before the root element means entity expansion was asked
# for; FRUS never declares any, so such a file is refused instead of half-trusted.
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def open_bytes(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """Open a TEI file for reading bytes, decompressing `.gz` files on the fly."""
    try:
        if path.name.endswith(".gz"):
            return gzip.open(path, "rb")
        return path.open("rb")
    except OSError as error:
        raise IngestError(f"{path.name}: cannot open: {error}") from error


def stream_events(
    path: Path,
    tags: Sequence[str] | None = None,
    events: Sequence[str] = ("end",),
) -> Iterator[tuple[str, etree._Element]]:
    """Yield (event, element) pairs for `tags` while parsing `path` incrementally.

    Raises IngestError for malformed XML (with its line number), entity declarations and
    unreadable or truncated gzip files. The tree is built as it goes: callers clear what
    they have used.
    """
    parser = etree.XMLPullParser(
        events=tuple(events),
        tag=list(tags) if tags else None,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        collect_ids=False,  # some volumes repeat a footnote xml:id; that is not our concern
        remove_comments=True,
        remove_pis=True,
    )
    with open_bytes(path) as handle:
        first = True
        while True:
            try:
                chunk = handle.read(CHUNK_SIZE)
            except (OSError, EOFError, zlib.error) as error:
                raise IngestError(f"{path.name}: cannot read: {error}") from error
            if first:
                _refuse_entities(path, chunk)
                first = False
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except etree.XMLSyntaxError as error:
                raise _syntax_error(path, error) from error
            yield from _drain(parser, path)
            if not chunk:
                return


def _drain(parser: etree.XMLPullParser, path: Path) -> Iterator[tuple[str, etree._Element]]:
    try:
        pending = list(parser.read_events())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(path, error) from error
    yield from pending


def _refuse_entities(path: Path, head: bytes) -> None:
    doctype = _DOCTYPE.search(head)
    if doctype and _ENTITY_DECLARATION.search(head, doctype.start()):
        raise IngestError(f"{path.name}: refusing a DOCTYPE that declares entities")


def _syntax_error(path: Path, error: etree.XMLSyntaxError) -> IngestError:
    line = error.lineno if error.lineno is not None else "?"
    message = error.msg or str(error)
    return IngestError(f"{path.name}: malformed XML at line {line}: {message}")
