"""Ingest a PDF: a scan with or without a text layer, read page by page.

Archives receive scans whose text layer ranges from clean to garbage (the NARA JFK
releases carry an OCR layer added by a third party). For each page we measure the text
layer with `text_quality`; a page below `OCR_THRESHOLD`, or with no text at all, is run
through OCR when an `Ocr` is given, and whichever text scores higher is kept.
`Page.method` and `Page.quality` record the choice, so a reader can see which pages came
from the scanner's layer and which from our OCR.

Callers: the ingest pipeline (`sniff`/`parse`), and `fonds.ingest.nara`, which describes
the same PDFs with NARA's spreadsheets.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fonds.ingest.ocr import Ocr, OcrError
from fonds.model import IngestError, Page, Record, Rendition, Word, slugify

SOURCE_FORMAT = "pdf"
CONTENT_TYPE = "application/pdf"

# Calibrated on the 158 pages of the 35 JFK PDFs, each read both from its text layer and by
# tesseract (eng, 300 dpi), and judged independently by the share of tokens found in
# tesseract's 338,080-word English dictionary (which correlates 0.94 with `text_quality` on
# the text layers). Text-layer quality deciles: 0.39 0.53 0.64 0.70 0.76 0.82 0.86 0.91 0.94.
# Below 0.75 OCR read better on 69 of 76 pages (dictionary share 0.56 -> 0.78 on average) and
# worse on one, where `text_quality` also prefers the layer, so the layer is kept; from 0.75
# to 0.9 OCR read better on 14 of 48 pages, and above 0.9 the two tie. Raising the
# threshold past 0.75 OCRs many more pages for little gain (mean share 0.807 -> 0.810 at 0.8).
OCR_THRESHOLD = 0.75

# A NARA record number ("104-10004-10143") inside a file name is the record's id.
NARA_RECORD_NUMBER = re.compile(r"(?<!\d)(\d{3}-\d{5}-\d{5})(?!\d)")

_VOWELS = frozenset("aeiouyäöüàâéèêëîïôûùáíóúãõåæøаеёиоуыэюяіїєі")
_EDGE_PUNCTUATION = "\"'“”‘’«»„()[]{}<>.,;:!?*_|~`-—–/\\"
_NUMBER = re.compile(r"^[\d$#%§]?\d[\d/.\-:,]*$")
_WORD = re.compile(r"^[^\W\d_]+(?:['’.\-][^\W\d_]+)*$")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_TRIPLE = re.compile(r"(.)\1\1")
_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[а-яё]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# One- and two-letter words of English and Russian; other tokens this short are noise.
_SHORT_WORDS = frozenset(
    "a i o и в с к у я а же ли не на по за из от до об во со ко он мы вы ты их его её ей "
    "am an as at be by do go he if in is it me my no of on or so to up us we mr dr st".split()
)


def sniff(path: Path, head: bytes) -> bool:
    """A PDF starts with `%PDF-` (within its first kilobyte, as readers allow)."""
    return b"%PDF-" in head[:1024]


def parse(path: Path, *, ocr: Ocr | None = None) -> Iterator[Record]:
    """Yield the one record a PDF is: the scan as a media file, with its pages' text."""
    yield read_record(path, ocr=ocr)


def read_record(path: Path, *, ocr: Ocr | None = None) -> Record:
    """The record for one PDF, before any metadata (NARA, sidecar) describes it."""
    path = Path(path)
    pages = read_pages(path, ocr=ocr)
    match = NARA_RECORD_NUMBER.search(path.stem)
    record_id = match.group(1) if match else (slugify(path.stem) or file_sha256(path)[:16])
    scan = Rendition(
        kind="scan",
        content_type=CONTENT_TYPE,
        filename=path.name,
        source_path=path,
        size=path.stat().st_size,
        sha256=file_sha256(path),
        pages=pages,
    )
    methods = sorted({page.method for page in pages})
    return Record(
        id=record_id,
        slug=slugify(record_id),
        title=path.stem.replace("_", " ").strip() or record_id,
        media_files=[scan],
        source_format=SOURCE_FORMAT,
        extra={"pdf": {"pages": len(pages), "methods": methods}},
    )


def read_pages(path: Path, *, ocr: Ocr | None) -> list[Page]:
    """Each page's text and word boxes, from the text layer or OCR, whichever reads better.

    Word boxes are (x0, top, x1, bottom) in PDF points, origin at the top left of the page.
    """
    path = Path(path)
    _check_readable(path)
    import pdfplumber
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[Page] = []
    try:
        with warnings.catch_warnings():
            # pdfminer warns about every odd font or colour space in a scan; they are not ours.
            warnings.simplefilter("ignore")
            with pdfplumber.open(path) as pdf:
                for index, pdf_page in enumerate(pdf.pages):
                    page = _text_layer_page(pdf_page, index)
                    pages.append(_best_reading(path, index, page, ocr))
    except (PdfminerException, PSException) as error:
        raise IngestError(f"damaged PDF {path.name}: {_reason(error)}") from error
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        # pdfminer's parser lets these through on malformed objects.
        raise IngestError(f"damaged PDF {path.name}: {error!r}") from error
    return pages


def text_quality(text: str) -> float:
    """How much of `text` reads as words, from 0 (noise) to 1 (clean prose).

    The score is the share of whitespace-separated tokens that look like words once edge
    punctuation is stripped. A token counts when it is:
    - a number or date ("1961", "6/20/1961", "201-289248"), or holds CJK characters;
    - a one- or two-letter token only if it is a common short word ("a", "of", "в", "на")
      or a two-letter upper-case acronym of two different letters ("VC", not "SS");
    - otherwise letters (apostrophes, hyphens, inner dots allowed) in one script (Latin or
      Cyrillic, not mixed), with at least one vowel unless it is an upper-case acronym of
      at most 4 letters ("FBI", "DDP"); with vowels making 15-80 % of the letters; with no
      run of 5 consonants and no letter three times in a row; and cased as a word is
      (lower, UPPER or Capitalised, not "eRRor").
    Counting tokens, not characters, is what catches the commonest failure of a bad OCR
    layer: a page of letters scattered one per line.
    """
    tokens = text.split()
    if not tokens:
        return 0.0
    return round(sum(_is_wordlike(token) for token in tokens) / len(tokens), 4)


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks: the name the store files the original under."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_readable(path: Path) -> None:
    """Refuse files that are not PDFs, or are encrypted, before pdfminer sees them."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise IngestError(f"cannot read {path.name}: {error.strerror}") from error
    if not sniff(path, head):
        raise IngestError(f"not a PDF: {path.name} does not start with %PDF-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError(f"encrypted PDF {path.name}: it needs a password to open")
            if reader.is_encrypted:
                _ = len(reader.pages)  # a PDF encrypted with an empty password reads fine
    except FileNotDecryptedError as error:
        raise IngestError(f"encrypted PDF {path.name}: {error}") from error
    except (PdfReadError, PdfStreamError, ValueError, KeyError, OSError) as error:
        raise IngestError(f"damaged or truncated PDF {path.name}: {error}") from error
    except NotImplementedError as error:  # an encryption scheme pypdf cannot undo
        raise IngestError(f"encrypted PDF {path.name}: {error}") from error


def _text_layer_page(pdf_page: Any, index: int) -> Page:
    words = [
        Word(
            text=word["text"],
            box=(
                round(float(word["x0"]), 2),
                round(float(word["top"]), 2),
                round(float(word["x1"]), 2),
                round(float(word["bottom"]), 2),
            ),
        )
        for word in pdf_page.extract_words()
    ]
    text = (pdf_page.extract_text() or "").strip()
    return Page(
        number=index + 1,
        text=text,
        method="text-layer" if text else "none",
        quality=text_quality(text) if text else 0.0,
        width=round(float(pdf_page.width), 2),
        height=round(float(pdf_page.height), 2),
        words=words,
    )


def _best_reading(path: Path, index: int, page: Page, ocr: Ocr | None) -> Page:
    """Keep the text layer unless it scores below the threshold and OCR reads better."""
    quality = page.quality or 0.0
    if ocr is None or quality >= OCR_THRESHOLD:
        return page
    try:
        recognised = ocr.recognize_page(path, index)
    except OcrError:
        return page  # the text layer, however poor, is better than no page
    recognised.quality = text_quality(recognised.text) if recognised.text.strip() else 0.0
    if recognised.quality > quality:
        return recognised
    return page


def _is_wordlike(token: str) -> bool:
    core = token.strip(_EDGE_PUNCTUATION)
    if not core:
        return False
    if _NUMBER.match(core) or _CJK.search(core):
        return True
    if not _WORD.match(core):
        return False
    lower = core.lower()
    letters = [c for c in lower if c.isalpha()]
    if len(letters) <= 2:
        # Common short words, and two-letter acronyms ("VC", "CI") but not "SS" or "EE".
        acronym = len(core) == 2 and core.isupper() and core[0] != core[1]
        return lower in _SHORT_WORDS or acronym
    if _LATIN.search(lower) and _CYRILLIC.search(lower):
        return False
    vowels = sum(c in _VOWELS for c in letters)
    if vowels == 0:
        return core.isupper() and len(letters) <= 4
    if not 0.15 <= vowels / len(letters) <= 0.8:
        return False
    if _CONSONANT_RUN.search(lower) or _TRIPLE.search(lower):
        return False
    rest = core[1:]
    return core.islower() or core.isupper() or (core[0].isupper() and rest == rest.lower())


def _reason(error: Exception) -> str:
    inner = error.args[0] if error.args else error
    return str(inner) or type(inner).__name__
