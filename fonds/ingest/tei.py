"""Ingest TEI XML: FRUS volumes and the Office of the Historian's "History of FRUS" documents.

`sniff` tells the pipeline a file is TEI; `parse` streams it into Collections, Persons and
Records. A FRUS volume (`teiHeader` with `idno[@type="frus"]`) goes to `tei_frus`, which
yields one Record per `div[@type="document"]`; a frus-history file (one archival document
per file, dated by `date[@type="created"]`) is read here as a single Record. Reading is safe
against hostile XML (`tei_xml`); a file that cannot be read raises IngestError.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from fonds.dates import from_iso, parse_date
from fonds.ingest.tei_frus import (
    DIV,
    ENGLISH,
    HEADER,
    PB,
    PUBLISHER,
    SOURCE_FORMAT,
    T,
    parse_volume,
    read_volume_header,
)
from fonds.ingest.tei_html import TEI_NS, HtmlWriter, has_text, local_name, text_of
from fonds.ingest.tei_source import read_source_note
from fonds.ingest.tei_xml import stream_events
from fonds.model import (
    Collection,
    IngestError,
    Person,
    Record,
    Rendition,
    Term,
    slugify,
)

__all__ = ["HISTORY_COLLECTION", "parse", "sniff"]

HISTORY_COLLECTION = Collection(
    id="frus-history",
    name="History of the Foreign Relations series",
    slug="frus-history",
    description=(
        "Minutes, letters and reports on the making of the Foreign Relations of the United "
        "States series, 1957–2002, published by the Office of the Historian."
    ),
    kind="series",
    main_src="https://history.state.gov/historicaldocuments/frus-history",
)
_SNIFF_MARK = TEI_NS.encode()


def sniff(path: Path, head: bytes) -> bool:
    """Whether the file is TEI: its namespace appears in the first bytes.

    For `.xml.gz` files the pipeline passes the decompressed head.
    """
    return _SNIFF_MARK in head


def parse(path: Path) -> Iterator[Record | Collection | Person]:
    """Yield the Collections, Persons and Records of a TEI file, streaming.

    Raises IngestError for malformed or hostile XML and for TEI that is neither a FRUS
    volume nor a frus-history document.
    """
    events = stream_events(path, tags=[HEADER, DIV, PB], events=("start", "end"))
    for event, element in events:
        if event != "end" or element.tag != HEADER:
            continue
        if _is_history_document(element):
            yield from _parse_history(path, element, events)
        else:
            volume = read_volume_header(element, path)
            yield volume.collection
            element.clear()
            yield from parse_volume(path, volume, events)
        return
    raise IngestError(f"{path.name}: TEI without a teiHeader")


# -- frus-history ----------------------------------------------------------------------------


def _is_history_document(header: etree._Element) -> bool:
    has_volume_id = header.find(f".//{T}idno[@type='frus']") is not None
    has_created = header.find(f".//{T}publicationStmt/{T}date[@type='created']") is not None
    return has_created and not has_volume_id


def _parse_history(
    path: Path, header: etree._Element, events: Iterator[tuple[str, etree._Element]]
) -> Iterator[Record | Collection]:
    """One frus-history file → one Record (the file is small: it is read whole)."""
    for _ in events:  # finish building the tree
        pass
    root = header.getroottree().getroot()
    body = root.find(f"{T}text/{T}body")
    if body is None:
        raise IngestError(f"{path.name}: TEI without a text body")
    stem = path.name.removesuffix(".gz").removesuffix(".xml")
    record_id = f"frus-history-{stem}"

    complete = header.find(f".//{T}titleStmt/{T}title[@type='complete']")
    short = header.find(f".//{T}titleStmt/{T}title[@type='short']")
    title = text_of(complete) if complete is not None else ""
    title = title or (text_of(short) if short is not None else "") or stem
    created = header.find(f".//{T}publicationStmt/{T}date[@type='created']")
    posted = header.find(f".//{T}publicationStmt/{T}date[@type='posted']")
    doc_date = None
    if created is not None:
        shown = text_of(created)
        doc_date = from_iso(created.get("when") or "") or parse_date(shown)
        if doc_date is not None and shown:
            doc_date = doc_date.model_copy(update={"text": shown})

    extra: dict[str, object] = {"file": path.name}
    if short is not None and text_of(short):
        extra["short_title"] = text_of(short)
    if posted is not None and posted.get("when"):
        extra["posted"] = posted.get("when")
    for ref in header.iter(f"{T}ref"):
        target = ref.get("target") or ""
        if target.lower().endswith(".pdf"):
            extra["scan_url"] = target
            break

    # Paragraphs before the first document: the italic "Source: …" line, "Cited in …".
    skip: list[etree._Element] = []
    source_text = ""
    for child in body:
        if local_name(child) == "div":
            break
        if local_name(child) != "p":
            continue
        text = text_of(child)
        if text.lower().startswith("source:") and not source_text:
            source_text = text
            skip.append(child)
        elif text.startswith("Cited in"):
            extra["cited_in"] = text
            skip.append(child)
    note = read_source_note(source_text) if source_text else None

    writer = HtmlWriter("frus-history", record_id, skip=skip)
    html = writer.body([child for child in body])
    documents = [d for d in body.iter(DIV) if d.get("type") == "document"]
    if len(documents) > 1:
        heads = [d.find(f"{T}head") for d in documents]
        extra["parts"] = [text_of(h) for h in heads if h is not None and text_of(h)]
    if note and note.classification_line:
        extra["classification_line"] = note.classification_line

    yield HISTORY_COLLECTION
    yield Record(
        id=record_id,
        slug=slugify(title),
        title=title,
        doc_date=doc_date,
        source=note.text if note else None,
        archival_reference=note.reference if note else None,
        repositories=[Term(name=note.repository)] if note and note.repository else [],
        classifications=[Term(name=c) for c in note.classifications] if note else [],
        collections=[HISTORY_COLLECTION],
        languages=[ENGLISH],
        publishers=[PUBLISHER],
        type=[Term(name="document")],
        translations=(
            [Rendition(kind="translation", language=ENGLISH, html=html)] if has_text(html) else []
        ),
        source_format=SOURCE_FORMAT,
        extra=extra,
    )
