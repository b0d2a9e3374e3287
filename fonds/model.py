"""The record and its parts: what one catalogued document is, with no I/O.

Every ingester returns these objects, the store saves them, and the web, the APIs and the
citations read them. Field names follow the archive API (`../shared/corpus/wilson-api`)
wherever that API has a name for the thing, so that `fonds show --format json`, `fonds export`
and the `/srv` compatibility layer speak the same words; fonds' own additions carry names of
their own (`event_date`, `archival_reference`, `translator`, ...).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from html import unescape
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

RenditionKind = Literal["translation", "transcript", "scan"]
Status = Literal["draft", "published", "embargoed"]


class Precision(StrEnum):
    """How precisely a historical date is known."""

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    CENTURY = "century"
    RANGE = "range"  # an interval between two dates, each as precise as it was written
    UNKNOWN = "unknown"


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class HistoricalDate(_Part):
    """A date as an archive knows it: the words on the page, and what they can mean.

    `start`/`end` bound every day the date could be ("1962" is 1962-01-01..1962-12-31), so a
    range filter matches any record whose range overlaps it. `flag` says why a date that was
    read is not trusted (a vendor's year 0201, say); such dates keep their text but no range.
    """

    text: str = ""
    edtf: str | None = None
    precision: Precision = Precision.UNKNOWN
    start: date | None = None
    end: date | None = None
    approximate: bool = False
    uncertain: bool = False
    flag: str | None = None

    @property
    def iso(self) -> str | None:
        """The normalised date for machines: EDTF, which is plain ISO 8601 for exact dates."""
        return self.edtf

    @property
    def is_known(self) -> bool:
        return self.start is not None


class Term(_Part):
    """An entry of a controlled vocabulary: subject, repository, donor, publisher,
    classification, type, right, theme, language.

    `id` is given by the store (or kept from an import); records name terms by `name`.
    """

    id: str | None = None
    name: str
    value: str | None = None
    description: str | None = None


class Language(_Part):
    """An ISO 639-2/B language, as the archive API gives it: `{"id": "rus", "name": "Russian"}`."""

    id: str
    name: str = ""


class Person(_Part):
    """A person in the people authority: one preferred name and every form seen of it."""

    id: str | None = None
    name: str
    variants: list[str] = Field(default_factory=list)
    description: str | None = None
    birth_year: int | None = None
    death_year: int | None = None
    # The name exactly as the record wrote it, when that differs from the preferred name.
    as_written: str | None = None


class Place(_Part):
    """A place (the archive API's Coverage), in a hierarchy by `parent` name."""

    id: str | None = None
    name: str
    variants: list[str] = Field(default_factory=list)
    parent: str | None = None


class Collection(_Part):
    """A curated set of records: a programme's collection, a FRUS volume or its chapter."""

    id: str
    name: str
    slug: str = ""
    description: str | None = None
    short_description: str | None = None
    parent: str | None = None  # the id of the enclosing collection
    editors: list[str] = Field(default_factory=list)
    published: str | None = None
    kind: str | None = None  # "volume", "chapter", ... free text
    is_inactive: bool = False
    main_src: str | None = None
    thumb_src: str | None = None
    source_created_at: datetime | None = None
    source_updated_at: datetime | None = None
    first_published_at: datetime | None = None


class ArchivalReference(_Part):
    """Where the original sits, split into the levels archivists cite.

    Russian archives cite fond → opis → papka → delo → listy; others box/folder/file.
    `raw` keeps the string exactly as the source wrote it.
    """

    raw: str = ""
    repository: str | None = None
    fond: str | None = None
    opis: str | None = None
    papka: str | None = None
    delo: str | None = None
    listy: str | None = None
    series: str | None = None
    box: str | None = None
    folder: str | None = None
    file: str | None = None

    def is_empty(self) -> bool:
        return not any(v for k, v in self.model_dump().items() if k != "raw")


class Word(_Part):
    """One recognised word on a scanned page, with its box in PDF points (x0, y0, x1, y1)."""

    text: str
    box: tuple[float, float, float, float]


class Page(_Part):
    """The text of one page of a scan, and where its words are, for highlighting."""

    number: int
    text: str = ""
    method: Literal["text-layer", "ocr", "none"] = "text-layer"
    quality: float | None = None
    width: float | None = None
    height: float | None = None
    words: list[Word] = Field(default_factory=list)


class Rendition(_Part):
    """One form of the record: the translation, the original transcript, or the scan.

    `html` holds text renditions (sanitised when shown); `sha256` names the stored file
    (`files/` in the archive). `source_path` is where an ingester found the file; the store
    copies it in and never serialises the path.
    """

    kind: RenditionKind
    id: str | None = None
    language: Language | None = None
    filename: str | None = None
    content_type: str = "text/html"
    html: str | None = None
    sha256: str | None = None
    size: int | None = None
    pages: list[Page] = Field(default_factory=list)
    source_path: Path | None = Field(default=None, exclude=True)
    _text: str | None = PrivateAttr(default=None)

    @property
    def extension(self) -> str:
        if self.filename and "." in self.filename:
            return self.filename.rsplit(".", 1)[1].lower()
        return {"text/html": "html", "application/pdf": "pdf"}.get(self.content_type, "bin")

    @property
    def text(self) -> str:
        """Plain text of the rendition: the HTML without tags, or the pages joined.

        Worked out once and kept (it travels with the object from an ingest worker to the
        process that indexes it); `html` is not changed after a rendition is made.
        """
        if self._text is None:
            if self.html:
                self._text = html_to_text(self.html)
            else:
                self._text = "\n\n".join(page.text for page in self.pages)
        return self._text


class Record(_Part):
    """One catalogued document."""

    id: str
    slug: str = ""
    title: str
    description: str | None = None
    doc_date: HistoricalDate | None = None
    event_date: HistoricalDate | None = None
    source: str | None = None
    archival_reference: ArchivalReference | None = None
    citation: str | None = None
    creators: list[Person] = Field(default_factory=list)
    contributors: list[Person] = Field(default_factory=list)
    persons_mentioned: list[Person] = Field(default_factory=list)
    original_coverages: list[Place] = Field(default_factory=list)
    place_written: str | None = None
    subjects: list[Term] = Field(default_factory=list)
    themes: list[Term] = Field(default_factory=list)
    collections: list[Collection] = Field(default_factory=list)
    languages: list[Language] = Field(default_factory=list)
    repositories: list[Term] = Field(default_factory=list)
    donors: list[Term] = Field(default_factory=list)
    publishers: list[Term] = Field(default_factory=list)
    classifications: list[Term] = Field(default_factory=list)
    type: list[Term] = Field(default_factory=list)
    rights: Term | None = None
    translator: str | None = None
    copy_number: str | None = None
    outgoing_number: str | None = None
    document_number: str | None = None
    translations: list[Rendition] = Field(default_factory=list)
    transcripts: list[Rendition] = Field(default_factory=list)
    media_files: list[Rendition] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    status: Status = "published"
    embargo_until: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    first_published_at: datetime | None = None
    source_format: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def renditions(self) -> list[Rendition]:
        return [*self.translations, *self.transcripts, *self.media_files]

    @property
    def people(self) -> list[Person]:
        return [*self.creators, *self.contributors, *self.persons_mentioned]

    @property
    def body_text(self) -> str:
        """All the record's readable text, translation first: what full-text search sees."""
        return "\n\n".join(r.text for r in self.renditions if r.text)

    def is_published(self, today: date | None = None) -> bool:
        if self.status == "draft":
            return False
        if self.status == "embargoed":
            today = today or date.today()
            return self.embargo_until is not None and self.embargo_until <= today
        return True

    def content_hash(self) -> str:
        """A fingerprint of what was ingested; the store skips a record whose hash is unchanged.

        Timestamps are left out, since re-ingesting the same file must change nothing.
        """
        data = self.model_dump(
            mode="json", exclude={"created_at", "updated_at", "first_published_at"}
        )
        # Ids the store gave to people, terms and renditions are not part of the input.
        for field in (
            "creators",
            "contributors",
            "persons_mentioned",
            "original_coverages",
            "subjects",
            "themes",
            "repositories",
            "donors",
            "publishers",
            "classifications",
            "type",
            "translations",
            "transcripts",
            "media_files",
        ):
            for part in data[field]:
                part.pop("id", None)
        if data.get("rights"):
            data["rights"].pop("id", None)
        data["slug"] = self.slug or slugify(self.title)  # the store's default, before it runs
        blob = orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)
        return hashlib.sha256(blob).hexdigest()


class IngestError(Exception):
    """A file that cannot be read as any record: the message says why, for the report."""


_TAG = re.compile(r"<[^>]+>")
# Tags inside a line of text: they separate no words ("(<em>Martin</em>)" reads "(Martin)").
# Superscripts and subscripts do: a footnote number must not join the word before it.
_INLINE_TAG = re.compile(
    r"(?i)</?(?:a|abbr|b|bdi|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|small|span|strong|u|var)\b[^>]*>"
)
_BLOCK_END = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\s*/?>")
_SCRIPT = re.compile(r"(?is)<(script|style)[^>]*>.*?</\1>")
# Line breaks with only spaces around them, in any number: one line break.


def html_to_text(html: str) -> str:
    """Strip tags for indexing and plain-text display; block ends become line breaks.

    Inline tags go without a trace, the others leave a space.
    """
    text = _BLOCK_END.sub("\n", html)
    text = _SCRIPT.sub(" ", text)
    text = unescape(_TAG.sub(" ", _INLINE_TAG.sub("", text)))
    # Spaces collapsed and blank lines dropped line by line: str.split beats a regex here.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: ASCII words joined by hyphens ("Mao Zedong, 1960" → "mao-zedong-1960")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")
