"""Ingest a Wilson Center Digital Archive document page: a text scrape or a Markdown export.

These pages are what one record looks like to a reader (`../shared/corpus/seeds/`): a date,
a title, a citation that packs publisher, archive reference and translator into one string,
a summary, credits, the original language, and the English translation, wrapped in site
chrome. The scrape and the export differ in layout but not in content, so both go through
one reader: split the page into labelled header sections and a translation body, then read
each field from the section that holds it. `da_json` reuses `parse_archival_reference` and
`translator_from` on the archive API's `source` strings.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from iso639 import Language as IsoLanguage
from iso639 import LanguageNotFoundError

from fonds.dates import parse_date
from fonds.model import (
    ArchivalReference,
    HistoricalDate,
    IngestError,
    Language,
    Person,
    Place,
    Record,
    Rendition,
    Term,
    slugify,
)

SOURCE_FORMAT = "wilson_page"

# Lines that belong to the site, not to the record.
_CHROME = {
    "search in",
    "digital archive international history declassified",
    "share document",
    "get citation",
    "english html",
}
_CHROME_PREFIXES = (
    "it appears your web browser is not configured",
    "click here to view the pdf",
    "pdfs cannot be printed inline",
    "no worries, just click here",
)
_LABELS = {
    "citation": "citation",
    "get citation": "citation",
    "summary": "summary",
    "credits": "credits",
    "original language": "language",
    "original languages": "language",
    "contents": "contents",
}
# "Translation - English" (Markdown export) or "English HTML" (scrape) opens the translation.
_BODY_MARKER = re.compile(r"^(?:Translation\s*[-–—]\s*(?P<a>[A-Za-z]+)|(?P<b>[A-Za-z]+) HTML)$")
_URL = re.compile(r"<?(https?://\S+?)>?$")
_DOCUMENT_ID = re.compile(r"/document/(\d+)")
_QUOTES = '"“”„«»'
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_PHRASE = re.compile(
    rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|(?:{_MONTHS}),?\s+\d{{4}})\b"
)
_DATE_LINE = re.compile(rf"^(?:{_DATE_PHRASE.pattern}|\d{{4}}\??)$")

# Security markings, longest first so that TOP SECRET is not read as SECRET.
_MARKINGS = (
    "TOP SECRET",
    "STRICTLY SECRET",
    "SECRET",
    "CONFIDENTIAL",
    "RESTRICTED",
    "FOR OFFICIAL USE ONLY",
    "UNCLASSIFIED",
)
_MARKING = re.compile(r"\b(" + "|".join(m.replace(" ", r"\s+") for m in _MARKINGS) + r")\b", re.I)
_COPY_NUMBER = re.compile(r"\bCopy\s*No\.?\s*([0-9IVXivx]+)\b")
_OUTGOING_NUMBER = re.compile(r"\bOutgoing(?:\s+paper)?\s*No\.?\s*([\w/-]+)")

# Archive reference levels: the level's words as sources write them, and the field they fill.
_LEVELS: dict[str, tuple[str, ...]] = {
    "fond": ("fond", "fonds", "f.", "ф."),
    "opis": ("opis", "opis'", "op.", "оп."),
    "papka": ("papka", "p.", "п."),
    "delo": ("delo", "d.", "д."),
    "listy": ("listy", "list", "ll.", "l.", "лл.", "л."),
    "series": ("series", "ser."),
    "box": ("box",),
    "folder": ("folder", "fol.", "fldr."),
    "file": ("file",),
}
_LEVEL_WORDS = {word: level for level, words in _LEVELS.items() for word in words}
_LEVEL = re.compile(
    r"(?:^|(?<=[\s,;(]))("
    + "|".join(re.escape(w) for w in sorted(_LEVEL_WORDS, key=len, reverse=True))
    + r")(?=[\s\d])\s*([0-9A-Za-zА-Яа-я]+(?:\s*[-–/]\s*[0-9A-Za-zА-Яа-я]+)*)",
    re.I,
)
_TRANSLATOR = re.compile(
    r"\b(?:Obtained and )?[Tt]ranslated(?: for (?P<for>[\w .&-]+?))?"
    r" by (?P<name>(?:[^.;]|(?<=\b[A-Z])\.)+)"
)
# Where the archive reference ends and the notes on obtaining or translating it begin.
_SOURCE_NOTES = re.compile(r"\.?\s*\b(?:Obtained|Translated|Contributed|Donated)\b.*$", re.S)

# Words that end a run of name words read backwards: titles, offices, institutions.
_ROLE_WORDS = {
    "Affairs",
    "Also",
    "Ambassador",
    "Aside",
    "At",
    "Attache",
    "Attaché",
    "Both",
    "Bureau",
    "Candidate",
    "Central",
    "Chairman",
    "Chief",
    "Comrade",
    "Comrades",
    "Consul",
    "Counselor",
    "Counsellor",
    "Committee",
    "Deputy",
    "Director",
    "Embassy",
    "Envoy",
    "First",
    "For",
    "Foreign",
    "General",
    "Head",
    "In",
    "Marshal",
    "Member",
    "Minister",
    "Ministry",
    "Mr",
    "Mrs",
    "Of",
    "On",
    "Party",
    "People's",
    "Politburo",
    "Premier",
    "Present",
    "President",
    "Presidium",
    "Republic",
    "Second",
    "Secretariat",
    "Secretary",
    "The",
    "Third",
    "Union",
    "Vice",
    "Soviet",
    "Chinese",
}
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,3}$")
_NAME_WORD = re.compile(r"^[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)*$")
_PRESENT = re.compile(r"\b(?:was|were)\s+(?:also\s+)?present\b")
_PRESENT_FIRST = re.compile(r"^(?:Also\s+)?present\b[^,]*?\b(?:was|were)\s+(?P<rest>.*)$", re.I)
_ANAPHORA = re.compile(r"\b(?:said|aforementioned|above-mentioned|above mentioned) persons\b")
_SENTENCE_END = re.compile(r"(?<![A-Z]\.)(?<=[.!?])\s+(?=[A-Z\"“])")
_CONVERSATION_WITH = re.compile(
    r"\b[Cc]onversation (?:with|between) (.+?)(?=,|\s+on\s+\d|\s+in\s+[A-Z]|$)"
)
_DIARY_OF = re.compile(r"^From the (?:Journal|Diary|Notes|Record|Papers) of ([^,]+),", re.I)
_SIGNATORY_ROLE = re.compile(
    r"^(?:The\s+)?(?:Ambassador|Charg[eé] d'Affaires|Counsel+or|Minister|Consul)\b.*$"
)

# A small gazetteer of the countries Cold War records most often cover: the name, and the
# words that point at it. A record covers a country named in its title or summary, or
# named at least _BODY_MENTIONS times in its text.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "China": ("China", "Chinese", "PRC", "Peking", "Beijing", "Sino-"),
    "Soviet Union": ("Soviet", "USSR", "Soviet Union"),
    "United States": ("United States", "USA", "U.S.", "American"),
    "Albania": ("Albania", "Albanian"),
    "Germany": ("Germany", "German", "GDR", "FRG"),
    "Yugoslavia": ("Yugoslavia", "Yugoslavian", "Yugoslav"),
    "Korea": ("Korea", "Korean", "DPRK"),
    "Poland": ("Poland", "Polish"),
    "Vietnam": ("Vietnam", "Vietnamese", "DRV"),
    "Cuba": ("Cuba", "Cuban"),
    "Mongolia": ("Mongolia", "Mongolian", "MPR"),
    "Japan": ("Japan", "Japanese"),
    "India": ("India", "Indian"),
    "Czechoslovakia": ("Czechoslovakia", "Czechoslovak"),
    "Hungary": ("Hungary", "Hungarian"),
    "Romania": ("Romania", "Romanian"),
    "Bulgaria": ("Bulgaria", "Bulgarian"),
    "United Kingdom": ("United Kingdom", "Britain", "British"),
    "France": ("France", "French"),
}
_COUNTRY_PATTERNS = {
    name: re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])")
    for name, words in _COUNTRIES.items()
}
_BODY_MENTIONS = 3


@dataclass
class _Page:
    """The page cut into its parts: header sections by label, and the translation body."""

    top: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    body: list[str] = field(default_factory=list)
    body_language: str | None = None
    markdown: bool = False


def sniff(path: Path, head: bytes) -> bool:
    """Is this a scraped or exported Digital Archive document page?

    Looks for the archive's name and its citation box in the first bytes; JSON and XML are
    never pages, even when a JSON `source` string names the archive.
    """
    text = head.decode("utf-8", errors="ignore")
    if text.lstrip("\ufeff \t\r\n")[:1] in {"{", "[", "<"}:
        return False
    return "Digital Archive" in text and bool(re.search(r"(?m)^\W*(?:get )?citation\b", text, re.I))


def parse(path: Path) -> Iterator[Record]:
    """Yield the one record on the page at `path`.

    Raises IngestError for an unreadable or empty file and for a page without a title.
    """
    text = _read(path)
    page = _split(text, markdown=path.suffix.lower() in {".md", ".markdown"})
    yield _record(page, path)


def parse_archival_reference(text: str) -> ArchivalReference:
    """Split an archive reference into its levels, keeping the raw string.

    Reads Russian-archive references ("AVPRF, fond 0100, opis 55, papka 454, delo 9, listy
    98-105", "RGANI f. 5, op. 30, d. 335, ll. 1-5") and box/folder references ("Box 12,
    Folder 3"); the words before the first level name the repository. Notes on who obtained
    or translated the document are not part of the reference: they are cut off, and `raw`
    is the reference as written without them.
    """
    reference = _SOURCE_NOTES.sub("", text.strip()).strip().rstrip(".").strip()
    values: dict[str, str] = {}
    first_level_at: int | None = None
    for match in _LEVEL.finditer(reference):
        level = _LEVEL_WORDS[match.group(1).lower()]
        if level in values:
            continue
        if first_level_at is None:
            first_level_at = match.start()
        values[level] = re.sub(r"\s*([-–/])\s*", r"\1", match.group(2).strip().rstrip(".,"))
    head = reference if first_level_at is None else reference[:first_level_at]
    repository = head.strip(" ,;:.") or None
    return ArchivalReference(raw=reference, repository=repository, **values)


def translator_from(text: str) -> tuple[str | None, str | None]:
    """The translator named in a citation or source, and whom it was translated for.

    "… Translated for CWIHP by Maxim Korobochkin." → ("Maxim Korobochkin", "CWIHP").
    """
    match = _TRANSLATOR.search(text)
    if not match:
        return None, None
    name = match.group("name").strip().rstrip(".").strip()
    return (name or None), match.group("for")


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path.name}: cannot read the file: {error.strerror}") from error
    if not data.strip():
        raise IngestError(f"{path.name}: the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(f"{path.name}: not UTF-8 text (bad byte at {error.start})") from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean_line(line: str) -> str:
    line = " ".join(line.replace("\xa0", " ").split())
    return line.lstrip("•·").strip()


def _is_chrome(line: str) -> bool:
    lowered = line.lower()
    return lowered in _CHROME or lowered.startswith(_CHROME_PREFIXES)


def _split(text: str, *, markdown: bool) -> _Page:
    """Cut the page into header sections and the translation body, dropping site chrome."""
    page = _Page(markdown=markdown or "**" in text[:2000])
    section: str | None = None
    in_body = False
    for raw_line in text.split("\n"):
        line = _clean_line(raw_line)
        if in_body:
            if not _is_chrome(line):
                page.body.append(line)
            continue
        marker = _BODY_MARKER.match(line)
        if marker and (section is not None or marker.group("b")):
            page.body_language = marker.group("a") or marker.group("b")
            in_body = True
            continue
        label = _LABELS.get(line.lower().rstrip(":").strip())
        if label and (line.endswith(":") or line.lower() in {"citation", "get citation"}):
            section = label
            page.sections.setdefault(section, [])
            continue
        if _is_chrome(line):
            continue
        (page.top if section is None else page.sections[section]).append(line)
    return page


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into blocks separated by blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _record(page: _Page, path: Path) -> Record:
    citation, url, summary_lines = _citation(page.sections.get("citation", []))
    title = _title(page, citation)
    if not title:
        raise IngestError(f"{path.name}: a Digital Archive page with no title")
    summary_text = " ".join(line for line in page.sections.get("summary", []) if line)
    description = summary_text or " ".join(summary_lines) or None
    paragraphs = _paragraphs(page)
    header = _header_lines(paragraphs)

    url_id = _DOCUMENT_ID.search(url or "")
    record_id = url_id.group(1) if url_id else slugify(title, max_length=60)
    extra: dict[str, object] = {}
    if url:
        extra["url"] = url

    publishers: list[Term] = []
    source: str | None = None
    translator: str | None = None
    citation_date: str | None = None
    if citation:
        published = _published(citation)
        citation_date, publisher, source = published
        if publisher:
            publishers.append(Term(name=publisher))
        translator, translated_for = translator_from(citation)
        if translated_for:
            extra["translated_for"] = translated_for
    reference = parse_archival_reference(source) if source else None

    creators = _creators(title, paragraphs)
    contributors = _contributors(title, paragraphs, exclude=creators)
    body_text = "\n".join(" ".join(p) for p in paragraphs)

    return Record(
        id=record_id,
        slug=slugify(title),
        title=title,
        description=description,
        doc_date=_doc_date(page.top, citation_date),
        event_date=_event_date(title, paragraphs),
        source=source,
        archival_reference=reference,
        citation=citation,
        creators=creators,
        contributors=contributors,
        original_coverages=_coverages(f"{title}\n{description or ''}", body_text),
        languages=_languages(page.sections.get("language", [])),
        repositories=[Term(name=reference.repository)]
        if reference and reference.repository
        else [],
        donors=_donors(page.sections.get("credits", [])),
        publishers=publishers,
        classifications=_classifications(header),
        translator=translator,
        copy_number=_first(_COPY_NUMBER, header),
        outgoing_number=_first(_OUTGOING_NUMBER, header),
        translations=_translations(page, paragraphs),
        source_format=SOURCE_FORMAT,
        extra=extra,
    )


def _citation(lines: list[str]) -> tuple[str | None, str | None, list[str]]:
    """The citation string, the permalink and any other lines (the scrape's summary)."""
    citation: list[str] = []
    url: str | None = None
    others: list[str] = []
    in_citation = False
    for line in lines:
        link = _URL.fullmatch(line)
        if link:
            url = url or link.group(1)
            in_citation = False
        elif not line:
            in_citation = False
        elif line[0] in _QUOTES and not citation:
            citation.append(line)
            in_citation = True
        elif in_citation:
            citation.append(line)
        else:
            others.append(line)
    return (" ".join(citation) or None), url, others


def _title(page: _Page, citation: str | None) -> str | None:
    """The bold heading of a Markdown export, else the quoted title of the citation."""
    top = "\n".join(page.top)
    bold = re.search(r"\*\*(.+?)\*\*", top, re.S) or re.search(r"(?m)^#{1,3}\s+(.+)$", top)
    if bold:
        return " ".join(bold.group(1).split())
    if citation:
        quoted = re.match(rf"[{_QUOTES}](.+?)[{_QUOTES}]", citation)
        if quoted:
            return quoted.group(1).strip().rstrip(",").strip() or None
    return None


def _published(citation: str) -> tuple[str | None, str | None, str | None]:
    """Split what follows the citation's quoted title: date, publisher, archive source."""
    after = re.sub(rf"^[{_QUOTES}].+?[{_QUOTES}]\s*,?\s*", "", citation, count=1)
    publisher = re.search(r"(?:^|,\s*)([^,]*?Digital Archive)\s*(?:,\s*|$)", after)
    if not publisher:
        return None, None, None
    date_text = after[: publisher.start()].strip(" ,") or None
    rest = after[publisher.end() :]
    source = _SOURCE_NOTES.sub("", rest).strip().rstrip(".").strip() or None
    return date_text, publisher.group(1).strip(), source


def _doc_date(top: list[str], citation_date: str | None) -> HistoricalDate | None:
    for line in top:
        if _DATE_LINE.match(line):
            parsed = parse_date(line)
            if parsed is not None:
                return parsed
    return parse_date(citation_date) if citation_date else None


def _event_date(title: str, paragraphs: list[list[str]]) -> HistoricalDate | None:
    """The date of what the record reports: the last date in the title, else a date line
    standing alone in the body (the "26 December 1960" under "RECORD OF CONVERSATION")."""
    in_title = _DATE_PHRASE.findall(title)
    if in_title:
        return parse_date(in_title[-1])
    for paragraph in paragraphs:
        for line in paragraph:
            if _DATE_LINE.match(line):
                return parse_date(line)
    return None


def _paragraphs(page: _Page) -> list[list[str]]:
    """The body's paragraphs, with a paragraph that a page break cut in two joined again."""
    merged: list[list[str]] = []
    for block in _blocks(page.body):
        lines = [_unmarkdown(line) for line in block] if page.markdown else block
        if merged and re.search(r"[a-z,;]$", merged[-1][-1]) and re.match(r"[a-z]", lines[0]):
            merged[-1][-1] = f"{merged[-1][-1]} {lines[0]}"
            merged[-1].extend(lines[1:])
        else:
            merged.append(lines)
    return merged


def _unmarkdown(line: str) -> str:
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", line)


def _header_lines(paragraphs: list[list[str]]) -> list[str]:
    """The translation's document header: the short lines before the first real paragraph."""
    header: list[str] = []
    for paragraph in paragraphs:
        if any(len(line) > 100 for line in paragraph):
            break
        header.extend(paragraph)
    return header


def _translations(page: _Page, paragraphs: list[list[str]]) -> list[Rendition]:
    if not paragraphs:
        return []
    parts = []
    for paragraph in paragraphs:
        lines = [html.escape(line, quote=False) for line in paragraph]
        if page.markdown:
            lines = [re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line) for line in lines]
        parts.append("<p>" + "<br>".join(lines) + "</p>")
    language = _language(page.body_language or "English") or Language(id="eng", name="English")
    return [Rendition(kind="translation", language=language, html="\n".join(parts))]


def _language(name: str) -> Language | None:
    try:
        found = IsoLanguage.from_name(name.strip())
    except LanguageNotFoundError:
        return None
    return Language(id=found.part2b or found.part3, name=found.name)


def _languages(lines: list[str]) -> list[Language]:
    names = [n for line in lines for n in re.split(r"\s*[,;/]\s*|\s+and\s+", line) if n]
    return [language for name in names if (language := _language(name)) is not None]


def _donors(lines: list[str]) -> list[Term]:
    text = " ".join(line for line in lines if line)
    match = re.search(r"support from (?:the )?(.+?)\.?$", text)
    if not match:
        return []
    return [Term(name=name.strip()) for name in match.group(1).split(";") if name.strip()]


def _classifications(header: list[str]) -> list[Term]:
    found: list[Term] = []
    for line in header:
        for match in _MARKING.finditer(line):
            name = " ".join(match.group(1).upper().split())
            if all(term.name != name for term in found):
                found.append(Term(name=name))
    return found


def _first(pattern: re.Pattern[str], lines: list[str]) -> str | None:
    for line in lines:
        match = pattern.search(line)
        if match:
            return match.group(1).rstrip(".,")
    return None


def _creators(title: str, paragraphs: list[list[str]]) -> list[Person]:
    """The diarist named in the title ("From the Journal of S. V. Chervonenko, …"), with
    the office from the signature block as the description."""
    match = _DIARY_OF.match(title)
    if not match:
        return []
    role = None
    for paragraph in reversed(paragraphs[-6:]):
        for line in paragraph:
            if _SIGNATORY_ROLE.match(line):
                role = re.sub(r"^The\s+", "", line)
                break
        if role:
            break
    return [Person(name=match.group(1).strip(), description=role)]


def _contributors(title: str, paragraphs: list[list[str]], exclude: list[Person]) -> list[Person]:
    """The other side of the conversation (from the title) and everyone the record says
    "were present", in the order the record names them."""
    people: list[Person] = []
    conversation = _CONVERSATION_WITH.search(title)
    if conversation:
        for segment in re.split(r"\s+and\s+", conversation.group(1)):
            _add(people, _trailing_name(segment))
    sentences = [s for p in paragraphs for s in _SENTENCE_END.split(" ".join(p))]
    for sentence in sentences:
        present = _PRESENT.search(sentence)
        first = _PRESENT_FIRST.match(sentence)
        if not present and not first:
            continue
        if _ANAPHORA.search(sentence):
            for person in _said_persons(sentences, people):
                _add(people, person)
        subject = first.group("rest") if first else sentence[: present.start()] if present else ""
        for person in _names_in(subject):
            _add(people, person)
    excluded = {_key(person.name) for person in exclude}
    return [person for person in people if _key(person.name) not in excluded]


def _said_persons(sentences: list[str], known: list[Person]) -> list[Person]:
    """Resolve "the said persons": the first sentence whose subject joins a known
    participant to others with "and" ("Deng Xiaoping and … Yang Shangkun were …")."""
    for person in known:
        for sentence in sentences:
            verb = re.search(r"\s(?:were|was)\s", sentence)
            subject = sentence[: verb.start()] if verb else ""
            if person.name in subject and re.search(r"\sand\s", subject):
                return _names_in(subject)
    return []


def _names_in(phrase: str) -> list[Person]:
    segments = re.split(r"\s*[,;]\s*|\s+and\s+", phrase)
    return [person for segment in segments if (person := _trailing_name(segment))]


def _trailing_name(segment: str) -> Person | None:
    """The name at the end of a phrase like "the counselor of the embassy Rakhmanin O.B.".

    Reads words backwards while they look like names or initials; a title, an office or an
    acronym (CPC, PRC) ends the name. "Sudarikov N.G." is reordered to "N.G. Sudarikov".
    """
    tokens = [t.strip(',;:()"“”') for t in segment.split()]
    run: list[str] = []
    for token in reversed(tokens):
        word = token if _INITIALS.match(token) else token.rstrip(".")
        if _INITIALS.match(word) or (_NAME_WORD.match(word) and word not in _ROLE_WORDS):
            run.insert(0, word)
            if len(run) == 4:
                break
        else:
            break
    while run and _INITIALS.match(run[0]) and len(run) > 1 and _INITIALS.match(run[-1]):
        run.pop(0)  # initials on both sides: the leading ones belong to an earlier phrase
    if not any(_NAME_WORD.match(word) for word in run):
        return None
    as_written = " ".join(run)
    initials = [w for w in run if _INITIALS.match(w)]
    words = [w for w in run if not _INITIALS.match(w)]
    if initials and run[-len(initials) :] == initials:
        name = " ".join([*initials, *words])
    else:
        name = as_written
    return Person(name=name, as_written=as_written if as_written != name else None)


def _key(name: str) -> str:
    return re.sub(r"[\s.]", "", name).lower()


def _add(people: list[Person], person: Person | None) -> None:
    if person and all(_key(p.name) != _key(person.name) for p in people):
        people.append(person)


def _coverages(lead: str, body: str) -> list[Place]:
    """Countries named in the title or summary, then those the text keeps returning to."""
    named = [
        (match.start(), name)
        for name, pattern in _COUNTRY_PATTERNS.items()
        if (match := pattern.search(lead))
    ]
    places = [name for _, name in sorted(named)]
    counts = {
        name: len(pattern.findall(body))
        for name, pattern in _COUNTRY_PATTERNS.items()
        if name not in places
    }
    places += [
        name
        for name, count in sorted(counts.items(), key=lambda item: -item[1])
        if count >= _BODY_MENTIONS
    ]
    return [Place(name=name) for name in places]
