"""One FRUS volume in TEI → its Collection, chapters, people and one Record per document.

A volume is streamed: the header gives the volume Collection, the front matter the lists of
persons and abbreviations, and each `div[@type="document"]` becomes a Record as soon as its
end tag is read, after which the element is cleared. Chapters (compilation, chapter,
subchapter divs) become sub-Collections, yielded before the first record in them. Both
encodings are read: the 2015 files (source note as `<note n="0">` in the head,
`frus:` = http://history.state.gov/ns/1.0) and the newer vendor files (`<note type="source">`,
`frus:doc-dateTime-min/max`, `frus:` = http://history.state.gov/frus/ns/1.0). Called by
`fonds.ingest.tei.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from fonds.dates import from_iso, parse_date
from fonds.ingest.tei_html import (
    FRUS_NAMESPACES,
    HSG,
    TEI_NS,
    XML_ID,
    HtmlWriter,
    has_text,
    is_frus,
    local_name,
    text_of,
)
from fonds.ingest.tei_source import SourceNote, read_source_note, split_sentences
from fonds.ingest.tei_xml import stream_events
from fonds.model import (
    Collection,
    HistoricalDate,
    Language,
    Person,
    Record,
    Rendition,
    Term,
    slugify,
)
from fonds.names import match_score, normalize
from fonds.names.written import fit

SOURCE_FORMAT = "tei"
ENGLISH = Language(id="eng", name="English")
PUBLISHER = Term(name="Office of the Historian, U.S. Department of State")

T = f"{{{TEI_NS}}}"
DIV, PB, HEADER = f"{T}div", f"{T}pb", f"{T}teiHeader"
PERS_NAME, GLOSS = f"{T}persName", f"{T}gloss"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_DAY = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}})\b(?:,\s*(\d{{4}}))?")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_PAGES = re.compile(r"\b\d+\s+pp?\.\s+(.+)$")
_ABBREVIATED_END = re.compile(r"\b[a-zA-Z]\.[a-zA-Z]\.$")
_LEADING_NUMBER = re.compile(r"^\s*\[?\d+[A-Za-z]?\]?\.\s+")
# Other names in a persons list's brackets, and the notes that are not names.
_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_ALSO = re.compile(r"^also\s+")
_NOTE = re.compile(r"^(?:later|born|ret\b|retired|from|until|after|before|formerly|n[ée]e)|\d")
# A name the editors linked to the wrong person is given to the listed person it matches
# this well (and clearly better than any other): a bare surname's 0.8 is enough.
LISTED_BY_NAME = 0.8


@dataclass
class Volume:
    """What the whole volume tells each of its records."""

    id: str
    collection: Collection
    persons: dict[str, Person] = field(default_factory=dict)  # by xml:id
    terms: dict[str, str] = field(default_factory=dict)  # by xml:id → expansion
    lists_read: bool = False
    divisions: dict[str, Collection] = field(default_factory=dict)
    by_name: dict[str, str | None] = field(default_factory=dict)  # written name → list key
    by_word: dict[str, set[str]] = field(default_factory=dict)  # a word of listed names → keys


def read_volume_header(header: etree._Element, path: Path) -> Volume:
    """The volume Collection from `teiHeader` (falling back on the file name for the id)."""
    titles: dict[str, str] = {}
    for title in header.iter(f"{T}title"):
        kind = (title.get("type") or "complete").replace("-", "")
        if kind not in titles:
            titles[kind] = text_of(title)
    idno = header.find(f".//{T}publicationStmt/{T}idno[@type='frus']")
    volume_id = text_of(idno) if idno is not None else ""
    if not volume_id:
        volume_id = path.name.removesuffix(".gz").removesuffix(".xml")
    date = header.find(f".//{T}publicationStmt/{T}date")
    editors = [text_of(e) for e in header.iter(f"{T}editor") if text_of(e)]
    parts = [titles.get(k, "") for k in ("series", "subseries", "volumenumber")]
    description = ", ".join(p for p in parts if p)
    if titles.get("volume"):
        description = f"{description}: {titles['volume']}" if description else titles["volume"]
    name = titles.get("complete") or description or volume_id
    collection = Collection(
        id=volume_id,
        name=name,
        slug=slugify(volume_id),
        description=description or None,
        short_description=titles.get("volume") or None,
        editors=editors,
        published=text_of(date) if date is not None else None,
        kind="volume",
        main_src=f"{HSG}{volume_id}",
    )
    return Volume(id=volume_id, collection=collection)


def parse_volume(
    path: Path, volume: Volume, events: Iterator[tuple[str, etree._Element]]
) -> Iterator[Record | Collection | Person]:
    """Yield the chapters, people and document records of a volume from its event stream."""
    page: str | None = None
    start_pages: dict[etree._Element, str | None] = {}
    attachments: dict[etree._Element, list[str]] = {}
    for event, element in events:
        if element.tag == PB:
            if event == "end" and (element.get("n") or "").strip():
                page = (element.get("n") or "").strip()
            continue
        if element.tag != DIV:
            continue
        is_document = element.get("type") == "document"
        if event == "start":
            if is_document:
                start_pages[element] = page
            continue
        outer = _enclosing_document(element)
        if is_document:
            if not volume.lists_read:
                yield from _read_lists_ahead(path, volume)
            yield from _chapters(element, volume)
            record = _document_record(element, volume, outer, start_pages.pop(element, None))
            if outer is not None:
                attachments.setdefault(outer, []).append(record.id)
            record.attachments = attachments.pop(element, [])
            yield record
            if outer is None:
                _release(element)
        elif outer is None:
            if element.get(XML_ID) in {"persons", "terms"} and not volume.lists_read:
                yield from _read_list(element, volume)
            _release(element)


# -- the lists of persons and terms ----------------------------------------------------------


def _read_list(division: etree._Element, volume: Volume) -> Iterator[Person]:
    if division.get(XML_ID) == "terms":
        for term in division.iter(f"{T}term"):
            key = term.get(XML_ID)
            item = _ancestor(term, "item")
            if key and item is not None:
                volume.terms[key] = _identification(item, term)
        return
    previous: tuple[etree._Element, str] | None = None  # the item and key of the last entry
    for name in division.iter(f"{T}persName"):
        key = name.get(XML_ID)
        item = _ancestor(name, "item")
        if not key or item is None:
            continue
        written = text_of(name)
        alias = written[1:-1].strip() if written[:1] == "(" and written[-1:] == ")" else ""
        if alias and previous is not None and previous[0] is item:
            # "Deng Xiaoping (Teng Hsiao-p’ing)" marked up as two names with two ids
            # (frus1977-80v01): the bracketed one is another form of the first, not a person.
            first = volume.persons[previous[1]]
            person = first.model_copy(update={"variants": [*first.variants, alias]})
            volume.persons[previous[1]] = volume.persons[key] = person
            yield person
            continue
        person = Person(
            name=written,
            description=_identification(item, name) or None,
            variants=_listed_aliases(written),
        )
        if person.name:
            volume.persons[key] = person
            previous = (item, key)
            yield person
    volume.lists_read = True  # the persons list follows the terms in every volume


def _listed_aliases(name: str) -> list[str]:
    """The other names a persons list gives in brackets, as name forms of that person.

    "Nasser (Nasr, Nassir), Gamal Abdul" → "Nasr, Gamal Abdul", "Nassir, Gamal Abdul";
    "Park Chung Hee (Pak Chong-hui)" → "Pak Chong-hui"; "Paul VI (Giovanni Battista
    Montini)" → "Giovanni Battista Montini". Notes ("(CDU)", "(later Maj. Gen.)", "(ret.)"),
    nicknames alone ("(Chip)") and inverted names ("(Meir, Golda)") are left alone.
    """
    found: list[str] = []
    for bracket in _PARENTHETICAL.finditer(name):
        inner = _ALSO.sub("", bracket.group(1).strip().strip("“”\"'‘’ "))
        before, after = name[: bracket.start()].strip(), name[bracket.end() :].strip()
        if not before or not inner[:1].isupper() or _NOTE.search(inner) or "," in before:
            continue
        items = [item.strip() for item in inner.split(",") if item.strip()]
        if after.startswith(",") and all(len(item.split()) == 1 for item in items):
            found += [f"{item}{after}" for item in items if not item.isupper()]
        elif not after and all(
            len(item.split()) >= 2 and all(len(w.strip(".")) > 1 for w in item.split())
            for item in items
        ):
            found += items
    return found


def _read_lists_ahead(path: Path, volume: Volume) -> Iterator[Person]:
    """Second pass for a volume whose lists, if any, come after its first document."""
    volume.lists_read = True
    for _, element in stream_events(path, tags=[DIV]):
        if element.get(XML_ID) in {"persons", "terms"}:
            if element.get(XML_ID) == "persons" and volume.persons:
                continue
            yield from _read_list(element, volume)
            volume.lists_read = True
        if _enclosing_document(element) is None:
            _release(element)


def _identification(item: etree._Element, name: etree._Element) -> str:
    """The text of a list item after the name: "Officer in Charge of Japanese Affairs, …"."""
    whole = text_of(item, skip=[name])
    return whole.lstrip(" ,.:;—–-").strip()


# -- chapters --------------------------------------------------------------------------------


def _chapters(document: etree._Element, volume: Volume) -> Iterator[Collection]:
    """Yield the enclosing divisions not yet seen, outermost first."""
    parent_id = volume.id
    for division in reversed(list(document.iterancestors(DIV))):
        key = division.get(XML_ID)
        if division.get("type") == "document" or not key:
            continue
        collection = volume.divisions.get(key)
        if collection is None:
            kind = division.get("type") or "chapter"
            head = division.find(f"{T}head")
            name = text_of(head) if head is not None else ""
            if not name:
                number = re.sub(r"\D", "", key)
                name = f"{kind.capitalize()} {number}".strip()
            collection = Collection(
                id=f"{volume.id}-{key}",
                name=name,
                slug=slugify(f"{volume.id}-{key}"),
                parent=parent_id,
                kind=kind,
                description=volume.collection.name,
                main_src=f"{HSG}{volume.id}/{key}",
            )
            volume.divisions[key] = collection
            yield collection
        parent_id = collection.id


def _collections_of(document: etree._Element, volume: Volume) -> list[Collection]:
    found = [volume.collection]
    for division in reversed(list(document.iterancestors(DIV))):
        key = division.get(XML_ID)
        if key and key in volume.divisions and division.get("type") != "document":
            found.append(volume.divisions[key])
    return found


# -- one document ----------------------------------------------------------------------------


def _document_record(
    div: etree._Element,
    volume: Volume,
    outer: etree._Element | None,
    first_page: str | None,
) -> Record:
    xml_id = div.get(XML_ID)
    number = (div.get("n") or "").strip() or None
    if outer is not None and not xml_id:
        outer_id = f"{volume.id}{outer.get(XML_ID) or ''}"
        siblings = [d for d in outer.iter(DIV) if d.get("type") == "document" and d is not outer]
        record_id = f"{outer_id}-a{siblings.index(div) + 1}"
    else:
        record_id = f"{volume.id}{xml_id or 'd' + (number or '0')}"
    head = div.find(f"{T}head")
    source_notes = _source_notes(div, head)
    catalogue = any(is_frus(child, "pdf") or is_frus(child, "file") for child in div)
    heading = text_of(head, skip=source_notes) if head is not None else ""
    heading = _strip_number(heading, number)
    extra: dict[str, object] = {"volume_id": volume.id, "xml_id": xml_id or record_id}
    extra["url"] = f"{HSG}{volume.id}/{xml_id}" if xml_id else None
    if outer is not None:
        extra["attachment_of"] = f"{volume.id}{outer.get(XML_ID) or ''}"
    if div.get("subtype"):
        extra["subtype"] = div.get("subtype")
    pages = _page_range(first_page, div)
    if pages:
        extra["pages"] = pages

    note = read_source_note(" ".join(text_of(n) for n in source_notes)) if source_notes else None
    description: str | None = None
    if catalogue:
        title, description, note = _catalogue_entry(heading, extra, div)
        kind = "catalogue-entry"
    else:
        title = heading
        editorial = div.get("subtype") == "editorial-note" or heading.lower().startswith(
            "editorial note"
        )
        kind = "editorial-note" if editorial else "document"
    if not title:
        title = _untitled(outer, volume, number)

    creators, contributors, mentioned = _people(div, volume, source_notes, extra)
    doc_date = _document_date(div, source_notes)
    if doc_date is None and catalogue:
        doc_date = _catalogue_date(description or "", _collections_of(div, volume))
    html = _body_html(div, volume, record_id, head, source_notes)
    record = Record(
        id=record_id,
        slug=slugify(title),
        title=title,
        description=description,
        doc_date=doc_date,
        source=note.text if note else None,
        archival_reference=note.reference if note else None,
        creators=creators,
        contributors=contributors,
        persons_mentioned=mentioned,
        place_written=_place_written(div, source_notes),
        subjects=_subjects(div),
        collections=_collections_of(div, volume),
        languages=[ENGLISH],
        repositories=[Term(name=note.repository)] if note and note.repository else [],
        publishers=[PUBLISHER],
        classifications=[Term(name=c) for c in note.classifications] if note else [],
        type=[Term(name=kind)],
        document_number=number,
        translations=(
            [Rendition(kind="translation", language=ENGLISH, html=html)] if has_text(html) else []
        ),
        source_format=SOURCE_FORMAT,
        extra=extra,
    )
    if note and note.classification_line:
        record.extra["classification_line"] = note.classification_line
    if note and note.precedence:
        record.extra["precedence"] = note.precedence
    return record


def _source_notes(div: etree._Element, head: etree._Element | None) -> list[etree._Element]:
    """The source notes of a document: inline before the head, or the first head note."""
    notes = [n for n in div.findall(f"{T}note") if n.get("type") == "source"]
    if head is not None:
        for note in head.iter(f"{T}note"):
            if _ancestor(note, "note") is not None:
                continue
            text = text_of(note)
            if (
                note.get("type") == "source"
                or note.get("n") == "0"
                or text.lower().startswith(("source:", "[source:"))
            ):
                notes.append(note)
    return notes


def _strip_number(heading: str, number: str | None) -> str:
    """ "12. Draft Memorandum …" → "Draft Memorandum …" (string tests: no regex per number)."""
    if number:
        for prefix in (f"{number}.", f"[{number}]."):
            if heading.startswith(prefix):
                return heading[len(prefix) :].strip()
    return _LEADING_NUMBER.sub("", heading, count=1).strip()


def _untitled(outer: etree._Element | None, volume: Volume, number: str | None) -> str:
    if outer is not None:
        outer_head = outer.find(f"{T}head")
        outer_title = (
            _strip_number(text_of(outer_head), outer.get("n")) if outer_head is not None else ""
        )
        return f"Enclosure to {outer_title}" if outer_title else "Enclosure"
    return f"Document {number}" if number else "Untitled document"


def _catalogue_entry(
    abstract: str, extra: dict[str, object], div: etree._Element
) -> tuple[str, str, SourceNote]:
    """A microfiche catalogue entry: title, abstract, and the source in the abstract."""
    sentences = split_sentences(abstract)
    title = sentences[0].rstrip(".") if sentences else abstract
    note = read_source_note(abstract)
    cited = _PAGES.search(abstract)
    if cited:
        located = read_source_note(f"Source: {cited.group(1)}")
        note.citation, note.repository = located.citation, located.repository
        note.reference = located.reference
    note.text = cited.group(1).strip() if cited else abstract
    files = [f.get("path") for f in div if is_frus(f, "file") and f.get("path")]
    if files:
        extra["files"] = files
    for child in div:
        if is_frus(child, "pdf"):
            extra["pdf"] = {k: v for k, v in child.attrib.items()}
        elif is_frus(child, "page-count-according-to-citation") and text_of(child).isdigit():
            extra["page_count"] = int(text_of(child))
    return title, abstract, note


def _people(
    div: etree._Element,
    volume: Volume,
    source_notes: list[etree._Element],
    extra: dict[str, object],
) -> tuple[list[Person], list[Person], list[Person]]:
    creators: list[Person] = []
    contributors: list[Person] = []
    mentioned: list[Person] = []
    seen: set[str] = set()
    senders: list[str] = []
    recipients: list[str] = []
    for element in div.iter(PERS_NAME, GLOSS):
        role = element.get("type")
        is_person = element.tag == PERS_NAME
        addressing = role in {"from", "to"}
        if not (is_person or addressing):
            continue  # a gloss that names no sender or recipient: its text is not needed
        written = text_of(element)
        if not written:
            continue
        addressing = addressing and _ancestor(element, "note") is None
        if addressing:
            (senders if role == "from" else recipients).append(written)
        if not is_person:
            continue
        key = (element.get("corresp") or "").lstrip("#")
        person, link = _person(volume, key, written)
        identity = link or person.name
        if addressing:
            group = creators if role == "from" else contributors
            if all(p.name != person.name for p in group):
                group.append(person)
            seen.add(identity)
        elif link and identity not in seen:
            seen.add(identity)
            mentioned.append(person)
    named = {p.name for p in (*creators, *contributors)}
    mentioned = [p for p in mentioned if p.name not in named]
    if senders:
        extra["from"] = senders
    if recipients:
        extra["to"] = recipients
    return creators, contributors, mentioned


def _person(volume: Volume, key: str, written: str) -> tuple[Person, str | None]:
    """The person a `persName` names, and the persons-list key it is linked by (if any).

    The editors' link (`@corresp`) is trusted unless the written text contradicts the listed
    name (`fonds.names.written.fit`): then the text is never recorded as a form of the listed
    person. A name that is someone else's, or only partly the listed one, is looked up in the
    list by name ("Bromley Smith" linked to Ngo Dinh Diem is Bromley Smith); failing that, a
    full name that contradicts the listed one is kept apart, while a title, a name taken in
    with other words ("Nixon had") or one word (a nickname, "Bob", cannot be told from
    another surname) keeps the link without a form.
    """
    known = volume.persons.get(key)
    if known is None:
        return Person(name=written), key or None
    verdict = fit(known.name, written)
    if verdict == "same":
        return _as_written(known, written), key
    if verdict in ("other", "partial"):
        other = _listed_by_name(volume, written)
        if other is not None and other != key:
            return _as_written(volume.persons[other], written), other
        if verdict == "other" and (
            len(written.split()) > 1 or _listed_with_word(volume, written) - {key}
        ):
            # A full name, or the surname of others in the list ("Saud"), is someone else.
            return Person(name=written), None
    return Person(name=known.name, description=known.description), key


def _as_written(known: Person, written: str) -> Person:
    differs = written != known.name
    return Person(
        name=known.name,
        description=known.description,
        variants=[written] if differs else [],
        as_written=written if differs else None,
    )


def _listed_by_name(volume: Volume, written: str) -> str | None:
    """The persons-list key whose name `written` clearly is (one best match), else None."""
    if written in volume.by_name:
        return volume.by_name[written]
    scored = sorted(
        (
            (match_score(volume.persons[key].name, written), key)
            for key in _listed_with_word(volume, written)
        ),
        reverse=True,
    )
    found: str | None = None
    if scored and scored[0][0] >= LISTED_BY_NAME:
        best, key = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best - runner_up >= 0.02 and fit(volume.persons[key].name, written) == "same":
            found = key
    volume.by_name[written] = found
    return found


def _listed_with_word(volume: Volume, written: str) -> set[str]:
    """Keys of the listed persons whose names share a word with `written`."""
    if not volume.by_word:
        for key, person in volume.persons.items():
            for word in normalize(person.name).split():
                volume.by_word.setdefault(word, set()).add(key)
    keys: set[str] = set()
    for word in normalize(written).split():
        keys |= volume.by_word.get(word, set())
    return keys


def _document_date(
    div: etree._Element, source_notes: list[etree._Element]
) -> HistoricalDate | None:
    """frus:doc-dateTime-min (to -max), else the first dateline date, else a date in the head.

    A covering note without a dateline of its own takes its enclosure's, as the printed
    volume's index does.
    """
    dated = _own_dates(div, "dateline") or _own_dates(div, "head") or _enclosed_dates(div)
    shown = _date_text(dated[0]) if dated else ""
    for ns in FRUS_NAMESPACES:
        low = div.get(f"{{{ns}}}doc-dateTime-min")
        if low:
            value = from_iso(low)
            high = div.get(f"{{{ns}}}doc-dateTime-max")
            if value is not None and high and not value.flag:
                value = _widen(value, from_iso(high))
            if value is not None and shown:
                value = value.model_copy(update={"text": shown})
            return value
    for date in dated:
        value = _date_element(date)
        if value is not None:
            return value
    return None


def _own_dates(div: etree._Element, container: str) -> list[etree._Element]:
    """`date` elements in this document's own `container`s."""
    return [
        date
        for date in div.iter(f"{T}date")
        if _own(date, div) and _ancestor(date, container, stop=div) is not None
    ]


def _enclosed_dates(div: etree._Element) -> list[etree._Element]:
    return [
        date
        for date in div.iter(f"{T}date")
        if _ancestor(date, "dateline", stop=div) is not None
        and _ancestor(date, "note", stop=div) is None
    ]


def _own(element: etree._Element, div: etree._Element) -> bool:
    """Whether `element` belongs to `div` itself, not to a note or an enclosed document."""
    for ancestor in element.iterancestors():
        if ancestor is div:
            return True
        name = local_name(ancestor)
        if name == "note" or (name == "div" and ancestor.get("type") == "document"):
            return False
        if is_frus(ancestor, "attachment"):
            return False
    return False


def _date_element(date: etree._Element) -> HistoricalDate | None:
    shown = _date_text(date)
    when = date.get("when") or date.get("from") or date.get("notBefore")
    value = from_iso(when) if when else None
    until = date.get("to") or date.get("notAfter")
    if value is not None and until and not value.flag:
        value = _widen(value, from_iso(until))
    if value is None and shown:
        value = parse_date(shown)
    if value is not None and shown:
        value = value.model_copy(update={"text": shown})
    return value


def _date_text(date: etree._Element) -> str:
    """The date as printed, without the sentence's full stop ("8 p.m." keeps its own)."""
    shown = text_of(date)
    return shown if _ABBREVIATED_END.search(shown) else shown.rstrip(".")


def _widen(value: HistoricalDate, upper: HistoricalDate | None) -> HistoricalDate:
    """Stretch a date to a later end (`frus:doc-dateTime-max`, `date/@to`)."""
    if upper is None or upper.flag or upper.end is None or value.end is None:
        return value
    if upper.end <= value.end:
        return value
    return value.model_copy(update={"end": upper.end, "edtf": f"{value.edtf}/{upper.edtf}"})


def _catalogue_date(abstract: str, collections: list[Collection]) -> HistoricalDate | None:
    """ "Memorandum … February 21, among …": the month and day, the year from the chapter."""
    found = _MONTH_DAY.search(abstract)
    if not found:
        return None
    month, day, year = found.groups()
    if not year:
        for collection in reversed(collections[1:]):
            years = _YEAR.findall(collection.name)
            if years:
                year = years[-1]
                break
    if not year:
        return None
    # Built as ISO: cheaper than parse_date's EDTF grammar for a date already in parts.
    iso = f"{year}-{_MONTHS.split('|').index(month) + 1:02d}-{int(day):02d}"
    value = from_iso(iso)
    return value.model_copy(update={"text": f"{month} {day}, {year}"}) if value else None


def _place_written(div: etree._Element, source_notes: list[etree._Element]) -> str | None:
    for place in div.iter(f"{T}placeName"):
        if _ancestor(place, "dateline", stop=div) is None or not _own(place, div):
            continue
        name = text_of(place).strip(" ,.[]")
        if name:
            return name
    return None


def _subjects(div: etree._Element) -> list[Term]:
    subjects: list[Term] = []
    for listing in div.iter(f"{T}list"):
        if listing.get("type") != "subject" or not _own(listing, div):
            continue
        for item in listing.iter(f"{T}item"):
            name = text_of(item)
            if name and all(s.name != name for s in subjects):
                subjects.append(Term(name=name))
    return subjects


def _body_html(
    div: etree._Element,
    volume: Volume,
    record_id: str,
    head: etree._Element | None,
    source_notes: list[etree._Element],
) -> str:
    skip = [*source_notes, *([head] if head is not None else [])]
    writer = HtmlWriter(volume.id, record_id, volume.terms, skip=skip)
    if head is not None:
        for note in head.iter(f"{T}note"):
            if note not in source_notes and _ancestor(note, "note", stop=head) is None:
                writer.add_note(note)
    return writer.body(list(div))


def _page_range(first: str | None, div: etree._Element) -> str | None:
    inner = [p.get("n", "").strip() for p in div.iter(PB) if p.get("n", "").strip()]
    start = first or (inner[0] if inner else None)
    end = inner[-1] if inner else start
    if start is None:
        return None
    return start if end in (None, start) else f"{start}–{end}"


# -- tree helpers ----------------------------------------------------------------------------


def _ancestor(
    element: etree._Element, name: str, stop: etree._Element | None = None
) -> etree._Element | None:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return None
        if local_name(ancestor) == name:
            return ancestor
    return None


def _enclosing_document(element: etree._Element) -> etree._Element | None:
    for ancestor in element.iterancestors(DIV):
        if ancestor.get("type") == "document":
            return ancestor
    return None


def _release(element: etree._Element) -> None:
    """Free a finished element and the siblings before it (chapter heads are kept)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    for sibling in list(element.itersiblings(preceding=True)):
        if local_name(sibling) != "head":
            parent.remove(sibling)
