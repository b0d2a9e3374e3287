"""The PDF ingester on real NARA scans, and on broken PDFs written at test time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from fonds.ingest import pdf
from fonds.ingest.ocr import Ocr
from fonds.model import IngestError, Page

JFK = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "jfk-records" / "pdf"
# A clean text layer: a typed State Department memorandum (quality 0.79-0.96 on every page).
GOOD = JFK / "176-10036-10073_ocr.pdf"
# A garbage text layer: page 2 is letters scattered down the page (quality 0.5).
GARBAGE = JFK / "104-10059-10188_ocr.pdf"

needs_tesseract = pytest.mark.skipif(
    not Ocr.available(), reason="the tesseract binary is not installed (apt install tesseract-ocr)"
)


@pytest.fixture(scope="module")
def good_pages() -> list[Page]:
    return pdf.read_pages(GOOD, ocr=None)


def image_pdf(path: Path, lines: list[str]) -> Path:
    """Write an image-only PDF (no text layer): an A4 page at 150 dpi with `lines` on it."""
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=56)
    for row, line in enumerate(lines):
        draw.text((120, 200 + 120 * row), line, fill=0, font=font)
    image.save(path, "PDF", resolution=150.0)
    return path


def test_sniff_recognises_pdf_header_only() -> None:
    assert pdf.sniff(GOOD, GOOD.read_bytes()[:1024])
    assert not pdf.sniff(Path("x.pdf"), b"<html><body>not a pdf</body></html>")


def test_good_text_layer_is_kept_with_readable_text(good_pages: list[Page]) -> None:
    pages = good_pages
    assert [page.number for page in pages] == [1, 2, 3, 4, 5, 6]
    assert all(page.method == "text-layer" for page in pages)
    assert all((page.quality or 0) >= pdf.OCR_THRESHOLD for page in pages)
    text = "\n".join(page.text for page in pages)
    # The NARA title is "Meeting of Vietnam Task Force June 19 1961".
    assert "Task Force" in text
    assert "Embassy Saigon" in text
    assert "MEMORANDUM FOR MR. ROSTOW" in pages[1].text


def test_word_boxes_lie_inside_their_page(good_pages: list[Page]) -> None:
    page = good_pages[1]
    assert page.width and page.height
    assert len(page.words) > 200
    for word in page.words:
        x0, top, x1, bottom = word.box
        assert 0 <= x0 <= x1 <= page.width
        assert 0 <= top <= bottom <= page.height
    rostow = next(word for word in page.words if word.text == "ROSTOW")
    assert rostow.box[1] < page.height / 2  # the addressee line is near the top


def test_garbage_text_layer_scores_below_threshold() -> None:
    pages = pdf.read_pages(GARBAGE, ocr=None)
    assert (pages[1].quality or 0) < pdf.OCR_THRESHOLD
    assert pages[1].method == "text-layer"  # without OCR the poor layer is all there is


def test_text_quality_separates_prose_from_scattered_letters() -> None:
    prose = "The Embassy provided specific information on VC activity in Cambodia, 6/20/1961."
    scattered = "e\nt\ni\nb\nm\ne\nh\nte\nCc.\np\nC\ne\no r n s t c i n"
    cable = "SECRET 1207582 SEP 96 STAFF CITE TOKYO 30260 TO: PRIORITY DIRECTOR."
    russian = "Секретно. Запись беседы с Мао Цзэдуном 26 декабря 1960 года."
    assert pdf.text_quality(prose) == 1.0
    assert pdf.text_quality(cable) == 1.0
    assert pdf.text_quality(russian) == 1.0
    assert pdf.text_quality(scattered) < 0.2
    assert pdf.text_quality("") == 0.0
    # Odd casing, digits inside letters, Latin mixed with Cyrillic ("Sоviet" with a Cyrillic о).
    assert pdf.text_quality("eRRor СГ1ло S\u043eviet") == 0.0


def test_parse_yields_one_record_with_the_scan_as_media_file() -> None:
    [record] = list(pdf.parse(GARBAGE))
    assert record.id == "104-10059-10188"
    assert record.source_format == "pdf"
    [scan] = record.media_files
    assert scan.kind == "scan"
    assert scan.content_type == "application/pdf"
    assert scan.filename == "104-10059-10188_ocr.pdf"
    assert scan.source_path == GARBAGE
    assert scan.size == GARBAGE.stat().st_size
    assert scan.sha256 == hashlib.sha256(GARBAGE.read_bytes()).hexdigest()
    assert len(scan.pages) == 2
    assert "KENNEDY ASSASSINATION RECORDS ACT OF 1992" in record.body_text


def test_record_id_and_title_come_from_the_file_name(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "Memo_on Berlin.pdf", ["BERLIN"])
    [record] = list(pdf.parse(path))
    assert record.id == "memo-on-berlin"
    assert record.title == "Memo on Berlin"
    assert record.media_files[0].pages[0].method == "none"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(IngestError, match="encrypted PDF locked.pdf"):
        pdf.read_pages(path, ocr=None)


def test_pdf_encrypted_with_empty_password_opens(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=GARBAGE)
    writer.encrypt("", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "owner-only.pdf"
    writer.write(path)
    pages = pdf.read_pages(path, ocr=None)
    assert "KENNEDY" in pages[0].text


def test_truncated_pdf_is_an_ingest_error(tmp_path: Path) -> None:
    data = GOOD.read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="half.pdf"):
        pdf.read_pages(path, ocr=None)


def test_other_file_renamed_pdf_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Minutes of the meeting, not a PDF at all.\n")
    with pytest.raises(IngestError, match="not a PDF"):
        pdf.read_pages(path, ocr=None)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(IngestError):
        list(pdf.parse(empty))


@needs_tesseract
def test_image_only_page_is_read_by_ocr(tmp_path: Path) -> None:
    path = image_pdf(tmp_path / "scan.pdf", ["DECLASSIFIED", "MEMORANDUM", "1962"])
    [page] = pdf.read_pages(path, ocr=Ocr(["eng"], dpi=150))
    assert page.method == "ocr"
    assert (page.quality or 0) > 0.9
    assert page.text.split() == ["DECLASSIFIED", "MEMORANDUM", "1962"]
    # The words sit where they were drawn: x from 120 px at 150 dpi = 57.6 pt.
    first = page.words[0]
    assert first.text == "DECLASSIFIED"
    assert first.box[0] == pytest.approx(57.6, abs=6)
    assert page.width == pytest.approx(595.2, abs=0.5)
    assert all(0 <= w.box[0] < w.box[2] <= 595.2 for w in page.words)


@needs_tesseract
@pytest.mark.slow
def test_ocr_replaces_a_real_garbage_layer(tmp_path: Path) -> None:
    source = JFK / "104-10213-10002_ocr.pdf"
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(source).pages[3])  # quality 0.24: one letter per line
    single = tmp_path / "page-4.pdf"
    writer.write(single)
    [page] = pdf.read_pages(single, ocr=Ocr(["eng"]))
    assert page.method == "ocr"
    assert (page.quality or 0) > 0.6
    assert "organizations" in page.text
    assert "student" in page.text


@pytest.mark.slow
def test_threshold_splits_the_jfk_text_layers_as_calibrated() -> None:
    """The calibration behind OCR_THRESHOLD: 76 of the 158 pages fall below it."""
    qualities = [
        page.quality or 0.0
        for path in sorted(JFK.glob("*.pdf"))
        for page in pdf.read_pages(path, ocr=None)
    ]
    assert len(qualities) == 158
    assert sum(q < pdf.OCR_THRESHOLD for q in qualities) == 76
