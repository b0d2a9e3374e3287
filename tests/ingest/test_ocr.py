"""Tesseract through `Ocr`, on images and PDFs drawn at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from fonds.ingest.ocr import Ocr, OcrError, parse_tsv

needs_tesseract = pytest.mark.skipif(
    not Ocr.available(), reason="the tesseract binary is not installed (apt install tesseract-ocr)"
)
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

TSV = "\t".join(
    "level page_num block_num par_num line_num word_num left top width height conf text".split()
)


def drawn(lines: list[str], font: ImageFont.FreeTypeFont | None = None) -> Image.Image:
    image = Image.new("L", (1200, 200 + 110 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = font or ImageFont.load_default(size=56)
    for row, line in enumerate(lines):
        draw.text((100, 100 + 110 * row), line, fill=0, font=font)
    return image


def test_parse_tsv_scales_boxes_and_keeps_lines_and_paragraphs() -> None:
    rows = [
        TSV,
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
        "5\t1\t1\t1\t1\t1\t300\t600\t900\t120\t96.1\tDECLASSIFIED",
        "5\t1\t1\t1\t2\t1\t300\t750\t400\t120\t91.0\tSECRET",
        "5\t1\t1\t1\t2\t2\t750\t750\t60\t120\t3.0\t~",
        "5\t1\t1\t1\t2\t3\t850\t750\t300\t120\t88.5\tCABLE",
        "5\t1\t2\t1\t1\t1\t300\t1200\t300\t120\t90.0\t1962",
    ]
    text, words = parse_tsv("\n".join(rows), scale=300 / 72)
    assert text == "DECLASSIFIED\nSECRET CABLE\n\n1962"
    assert [w.text for w in words] == ["DECLASSIFIED", "SECRET", "CABLE", "1962"]
    assert words[0].box == (72.0, 144.0, 288.0, 172.8)


def test_available_is_false_for_a_missing_binary() -> None:
    assert not Ocr.available("no-such-tesseract-binary")


def test_missing_binary_is_an_ocr_error() -> None:
    ocr = Ocr(["eng"], binary="no-such-tesseract-binary")
    with pytest.raises(OcrError, match="tesseract"):
        ocr.recognize_image(drawn(["MEMORANDUM"]))


def test_ocr_needs_a_language() -> None:
    with pytest.raises(ValueError):
        Ocr([])


@needs_tesseract
def test_installed_languages_include_english_russian_and_chinese() -> None:
    assert {"eng", "rus", "chi_sim"} <= Ocr(["eng"]).installed_languages()


@needs_tesseract
def test_recognize_image_reads_words_with_boxes_in_points() -> None:
    text, words = Ocr(["eng"]).recognize_image(
        drawn(["DECLASSIFIED MEMORANDUM", "1962"]), scale=2.0
    )
    assert text.split() == ["DECLASSIFIED", "MEMORANDUM", "1962"]
    declassified = words[0]
    # Drawn at x = 100 px, y ≈ 100 px; at 2 px per point that is 50 pt from the left.
    assert declassified.box[0] == pytest.approx(50, abs=4)
    assert 45 < declassified.box[1] < 75
    assert words[2].box[1] > declassified.box[3]  # "1962" is on the line below


@needs_tesseract
@pytest.mark.skipif(not DEJAVU.exists(), reason="needs the DejaVu font to draw Cyrillic")
def test_russian_is_read_with_the_russian_model() -> None:
    font = ImageFont.truetype(str(DEJAVU), 56)
    text, _ = Ocr(["rus"]).recognize_image(drawn(["СОВЕРШЕННО СЕКРЕТНО", "ЗАПИСЬ БЕСЕДЫ"], font))
    assert "СЕКРЕТНО" in text
    assert "БЕСЕДЫ" in text


@needs_tesseract
def test_page_is_rendered_and_recognised(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    drawn(["DECLASSIFIED MEMORANDUM 1962"]).save(path, "PDF", resolution=100.0)
    page = Ocr(["eng"], dpi=200).recognize_page(path, 0)
    assert page.number == 1
    assert page.method == "ocr"
    assert page.width == pytest.approx(864, abs=0.5)  # 1200 px at 100 dpi
    assert "DECLASSIFIED MEMORANDUM 1962" in page.text


@needs_tesseract
def test_timeout_is_an_ocr_error() -> None:
    big = drawn(["DECLASSIFIED MEMORANDUM 1962"] * 12)
    with pytest.raises(OcrError, match="longer than"):
        Ocr(["eng"], timeout=0.001).recognize_image(big)


def test_unreadable_pdf_is_an_ocr_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nnothing else")
    with pytest.raises(OcrError):
        Ocr(["eng"]).recognize_page(path, 0)
