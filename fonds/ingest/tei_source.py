"""Read a FRUS source note: the archive citation, the repository and the classification.

FRUS editors write one sentence-packed note per document: "Source: Department of State,
S/P Files: Lot 67 D 548, China, 1959-1961. Secret. It is not clear whether …". The 1861–1936
volumes write a bare file number instead ("837.014P/324", "File No. 861.00/1234"), and the
microfiche supplements and the History of FRUS documents pack the same facts into one
abstract. `tei_frus` and `tei` call `read_source_note` on all of them, so the rules for
splitting sentences and naming classifications live here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fonds.model import ArchivalReference

# Classification levels as printed on the original, lower-case → the form we show.
LEVELS = {
    "top secret": "Top Secret",
    "secret": "Secret",
    "confidential": "Confidential",
    "restricted": "Restricted",
    "limited official use": "Limited Official Use",
    "official use only": "Official Use Only",
    "unclassified": "Unclassified",
}
# Distribution and handling caveats that travel with the level ("Secret; Nodis.").
CAVEATS = {
    "eyes only": "Eyes Only",
    "exclusively eyes only": "Exclusively Eyes Only",
    "literally eyes only": "Literally Eyes Only",
    "for the president only": "For the President Only",
    "nodis": "Nodis",
    "exdis": "Exdis",
    "limdis": "Limdis",
    "noforn": "Noforn",
    "no foreign dissem": "No Foreign Dissem",
    "controlled dissem": "Controlled Dissem",
    "controlled dissemination": "Controlled Dissem",
    "limit distribution": "Limited Distribution",
    "limited distribution": "Limited Distribution",
    "no distribution outside department": "No Distribution Outside Department",
    "sensitive": "Sensitive",
    "personal and private": "Personal and Private",
    "personal and confidential": "Personal and Confidential",
    "presidential handling": "Presidential Handling",
    "restricted data": "Restricted Data",
    "security information": "Security Information",
}
# Telegram precedence: how fast, not how secret; kept apart from the classification.
PRECEDENCE = {
    "priority": "Priority",
    "niact": "Niact",
    "immediate": "Immediate",
    "niact immediate": "Niact Immediate",
    "operational immediate": "Operational Immediate",
    "flash": "Flash",
    "routine": "Routine",
    "emergency": "Emergency",
}

# A full stop after these words does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "no", "nos", "st", "gen", "adm", "col", "lt", "capt", "cdr",
    "sen", "rep", "amb", "ibid", "p", "pp", "vol", "vols", "jr", "sr", "inc", "co", "corp",
    "dept", "gov", "gov't", "maj", "sgt", "rev", "hon", "ca", "cf", "etc", "ed", "eds", "doc",
    "conf", "gen'l", "secy", "sec", "op", "cit", "fig", "art", "arts", "ch", "sect", "supp",
}  # fmt: skip
_SENTENCE_END = re.compile(r"([.!?][”’\"')\]]*)\s+(?=[\[(“\"‘A-Z0-9])")
_DOTTED = re.compile(r"^(?:[A-Za-z]{1,2}\.)+[A-Za-z]{0,2}$")
_SOURCE_PREFIX = re.compile(r"^\W*source\s*:\s*", re.IGNORECASE)
_FILE_NUMBER = re.compile(r"^(?:file\s+nos?\.\s*)?(\d{3}\.[^\s].*)$", re.IGNORECASE)
_SEGMENT_SPLIT = re.compile(r"\s*;\s*")


@dataclass
class SourceNote:
    """What one source note says, split into the fields a record keeps."""

    text: str
    citation: str | None = None
    repository: str | None = None
    reference: ArchivalReference | None = None
    classifications: list[str] = field(default_factory=list)
    classification_line: str | None = None
    precedence: list[str] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Collapse the layout whitespace of XML text into single spaces."""
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking "U.S.", "Mr." or "No. 4"."""
    text = clean_text(text)
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        words = text[start:end].split()
        last = words[-1] if words else ""
        token = last.rstrip(".!?”’\"')]").lstrip('([“"‘')
        if match.group(1).startswith(".") and _is_abbreviation(token):
            continue
        sentences.append(text[start:end].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def read_source_note(text: str) -> SourceNote:
    """Read a source note (or a catalogue abstract): citation, repository, classification."""
    text = clean_text(text)
    note = SourceNote(text=text)
    sentences = split_sentences(text)
    _read_classification(note, sentences)
    has_prefix = bool(_SOURCE_PREFIX.match(text))
    if sentences:
        first = _SOURCE_PREFIX.sub("", sentences[0]).strip().rstrip(".").strip()
        if first.startswith("[") and not first.endswith("]"):
            first = first[1:]
        if has_prefix and first:
            note.citation = first
            note.repository = repository_of(first)
            note.reference = archival_reference(first, note.repository)
        else:
            file_number = _FILE_NUMBER.match(first)
            if file_number:
                note.citation = first
                note.reference = ArchivalReference(raw=first, file=file_number.group(1))
    return note


def repository_of(citation: str) -> str | None:
    """The holding archive: the part of the citation before its first comma or colon."""
    head = re.split(r"[,:;]", citation, maxsplit=1)[0].strip(" .[]")
    if not head or len(head) > 100 or not re.search(r"[A-Za-z]{3}", head):
        return None
    return head


def archival_reference(citation: str, repository: str | None) -> ArchivalReference:
    """Split "Department of State, S/P Files: Lot 67 D 548, China" into its levels."""
    reference = ArchivalReference(raw=citation, repository=repository)
    rest = citation[len(repository) :].lstrip(" ,:;") if repository else citation
    if not rest:
        return reference
    first, _, remainder = rest.partition(",")
    if ":" in first:
        series, _, file_part = first.partition(":")
        reference.series = series.strip() or None
        reference.file = ", ".join(p for p in (file_part.strip(), remainder.strip()) if p) or None
    else:
        reference.series = first.strip() or None
        reference.file = remainder.strip() or None
    return reference


def classification_of(sentence: str) -> tuple[list[str], list[str]] | None:
    """The markings of a classification sentence ("Secret; Priority; Nodis."), or None.

    Returns (classification terms, precedence) when the sentence starts with a level or a
    caveat; anything else in it (codewords such as "Cactus") is left to the source text.
    """
    body = sentence.strip().strip("[]").strip().rstrip(".").strip().strip("[]")
    if not body or len(body) > 160:
        return None
    segments = [s.strip(" .") for s in _SEGMENT_SPLIT.split(body) if s.strip(" .")]
    if not segments:
        return None
    first = _normal(segments[0])
    if first not in LEVELS and first not in CAVEATS:
        return None
    terms: list[str] = []
    precedence: list[str] = []
    for segment in segments:
        key = _normal(segment)
        name = LEVELS.get(key) or CAVEATS.get(key)
        if name and name not in terms:
            terms.append(name)
        elif key in PRECEDENCE:
            precedence.append(PRECEDENCE[key])
    return terms, precedence


def _read_classification(note: SourceNote, sentences: list[str]) -> None:
    for sentence in sentences:
        found = classification_of(sentence)
        if found is not None:
            note.classifications, note.precedence = found
            note.classification_line = sentence.strip()
            return


def _normal(text: str) -> str:
    return " ".join(text.replace("—", " ").replace("–", " ").lower().split())


def _is_abbreviation(token: str) -> bool:
    if not token:
        return False
    if (len(token) == 1 and token.isalpha()) or _DOTTED.match(token):  # "J.", "U.S"
        return True
    return token.lower() in _ABBREVIATIONS
