"""Optical character recognition of scanned pages through the Debian `tesseract` binary.

The PDF ingester calls `Ocr.recognize_page` for a page whose text layer is missing or
garbage. OCR crosses a process boundary, so an `Ocr` is handed to the ingester as a
parameter (never patched in tests); `Ocr.available()` says whether the binary is installed.

Word boxes come back in PDF points with the origin at the top left of the page and y
growing downwards, exactly as pdfplumber reports the text layer's words, so a viewer
highlights both kinds of page the same way.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from fonds.model import IngestError, Page, Word

# English with Russian: on the JFK scans eng+rus scored 0.744 against eng's 0.754 (mean
# `text_quality` over six garbage-layer pages), while eng alone turns a Russian page into
# noise; collections in Chinese add "chi_sim".
DEFAULT_LANGUAGES: tuple[str, ...] = ("eng", "rus")
DEFAULT_DPI = 300
DEFAULT_TIMEOUT = 120.0
# Tesseract's word-level rows in TSV output; lower levels are page, block, paragraph, line.
_WORD_LEVEL = 5
# Words below this confidence (0..100) are noise from stamps, dirt and redaction bars.
_MIN_CONFIDENCE = 10.0


class OcrError(IngestError):
    """Tesseract failed or timed out on one page; the caller may keep the text layer."""


class Ocr:
    """A configured Tesseract: languages, resolution, and a time limit per page."""

    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        *,
        dpi: int = DEFAULT_DPI,
        timeout: float = DEFAULT_TIMEOUT,
        binary: str = "tesseract",
        page_segmentation: int | None = None,
    ) -> None:
        if not languages:
            raise ValueError("Ocr needs at least one language, e.g. 'eng'")
        self.languages = tuple(languages)
        self.dpi = dpi
        self.timeout = timeout
        self.binary = binary
        self.page_segmentation = page_segmentation

    def __repr__(self) -> str:
        return f"Ocr(languages={'+'.join(self.languages)!r}, dpi={self.dpi})"

    @staticmethod
    def available(binary: str = "tesseract") -> bool:
        """Whether the tesseract binary can be found on PATH."""
        return shutil.which(binary) is not None

    def installed_languages(self) -> set[str]:
        """The language packs tesseract can load (`tesseract --list-langs`)."""
        result = self._run([self.binary, "--list-langs"], stdin=b"")
        lines = result.decode("utf-8", "replace").splitlines()
        return {line.strip() for line in lines[1:] if line.strip()}

    def recognize_page(self, pdf_path: Path, index: int) -> Page:
        """OCR page `index` (0-based) of a PDF and return it as a `Page` (method "ocr").

        The page is rendered with pdfium at `dpi`; boxes are scaled back to points.
        """
        import pypdfium2

        scale = self.dpi / 72.0
        try:
            document = pypdfium2.PdfDocument(pdf_path)
        except pypdfium2.PdfiumError as error:
            raise OcrError(f"cannot render {pdf_path.name} for OCR: {error}") from error
        try:
            pdf_page = document[index]
            width, height = pdf_page.get_size()
            bitmap = pdf_page.render(scale=scale, grayscale=True)
            image = bitmap.to_pil()
        except pypdfium2.PdfiumError as error:
            raise OcrError(f"cannot render page {index + 1} of {pdf_path.name}: {error}") from error
        finally:
            document.close()
        text, words = self.recognize_image(image, scale=scale)
        return Page(
            number=index + 1,
            text=text,
            method="ocr",
            width=round(width, 2),
            height=round(height, 2),
            words=words,
        )

    def recognize_image(self, image: Image.Image, *, scale: float = 1.0) -> tuple[str, list[Word]]:
        """OCR an image; `scale` is pixels per PDF point, used to convert boxes back.

        Returns the text (lines kept, paragraphs separated by a blank line) and its words.
        """
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", dpi=(round(72 * scale), round(72 * scale)))
        command = [self.binary, "stdin", "stdout", "-l", "+".join(self.languages)]
        if self.page_segmentation is not None:
            command += ["--psm", str(self.page_segmentation)]
        command.append("tsv")
        output = self._run(command, stdin=buffer.getvalue())
        return parse_tsv(output.decode("utf-8", "replace"), scale=scale)

    def _run(self, command: list[str], *, stdin: bytes) -> bytes:
        # One thread per tesseract: callers parallelise across pages, and OpenMP inside
        # tesseract only oversubscribes the CPUs when they do.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            result = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env=env,
            )
        except FileNotFoundError as error:
            raise OcrError(f"OCR needs the tesseract binary ({self.binary!r} not found)") from error
        except subprocess.TimeoutExpired as error:
            raise OcrError(f"tesseract took longer than {self.timeout:g} s") from error
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OcrError(f"tesseract failed: {message[-1] if message else result.returncode}")
        return result.stdout


def parse_tsv(tsv: str, *, scale: float = 1.0) -> tuple[str, list[Word]]:
    """Read tesseract's TSV into text and words with boxes divided by `scale`."""
    words: list[Word] = []
    lines: list[list[str]] = []
    line_keys: list[tuple[int, int, int]] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != str(_WORD_LEVEL):
            continue
        text = cells[11].strip()
        try:
            confidence = float(cells[10])
            left, top, width, height = (int(cells[i]) for i in range(6, 10))
            key = (int(cells[2]), int(cells[3]), int(cells[4]))
        except ValueError:
            continue
        if not text or confidence < _MIN_CONFIDENCE:
            continue
        box = (
            round(left / scale, 2),
            round(top / scale, 2),
            round((left + width) / scale, 2),
            round((top + height) / scale, 2),
        )
        words.append(Word(text=text, box=box))
        if not line_keys or line_keys[-1] != key:
            line_keys.append(key)
            lines.append([])
        lines[-1].append(text)
    parts: list[str] = []
    for i, (key, line) in enumerate(zip(line_keys, lines, strict=True)):
        if i and key[:2] != line_keys[i - 1][:2]:
            parts.append("")  # a new block or paragraph
        parts.append(" ".join(line))
    return "\n".join(parts), words
