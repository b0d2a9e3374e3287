"""NARA's JFK release spreadsheets, read as metadata for the scanned PDFs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from fonds.ingest import nara
from fonds.ingest.pdf import read_record
from fonds.model import IngestError, Precision

JFK = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "jfk-records"
SHEETS = JFK / "nara-metadata"
CSVS = sorted(SHEETS.glob("*.csv"))


@pytest.fixture(scope="module")
def metadata() -> dict[str, nara.NaraRow]:
    return nara.load_metadata(CSVS)


def test_all_three_releases_load_despite_renamed_columns(metadata: dict[str, nara.NaraRow]) -> None:
    assert len(metadata) == 14_666  # 17,447 rows, some records released more than once
    from_2021 = metadata["104-10001-10008"]  # "Record Number", "Document Date" (ISO) in 2021
    assert from_2021.doc_date is not None and from_2021.doc_date.start == date(1964, 3, 26)
    assert from_2021.doc_type == "PAPER - TEXTUAL DOCUMENT"
    assert from_2021.from_name == "WIGREN, LEE H., C/SR/CI/R, CIA"
    assert from_2021.release_date == "2021-12-15"
    from_2022 = metadata["104-10001-10015"]  # "Record Num", "Doc Date" (MM/DD/YYYY) in 2022
    assert from_2022.doc_date is not None and from_2022.doc_date.edtf == "1964-03-31"
    assert from_2022.pages == 14
    assert from_2022.to_name == "RANKIN, J. LEE, GEN COUNSEL, WC"


def test_unknown_dates_are_no_date_not_year_zero(metadata: dict[str, nara.NaraRow]) -> None:
    row = metadata["104-10120-10293"]  # 2023 release, Doc Date 01/01/0000
    assert row.doc_date_text == "01/01/0000"
    assert row.doc_date is None


@pytest.mark.parametrize(
    ("cell", "edtf", "precision"),
    [
        ("06/01/1964", "1964-06-01", Precision.DAY),
        ("00/00/1975", "1975", Precision.YEAR),
        ("05/00/1975", "1975-05", Precision.MONTH),
        ("12/00/63", "1963-12", Precision.MONTH),
        ("0/0/1964", "1964", Precision.YEAR),
        ("1964-03-26", "1964-03-26", Precision.DAY),
    ],
)
def test_date_cells_keep_their_precision(cell: str, edtf: str, precision: Precision) -> None:
    parsed = nara.parse_date_cell(cell)
    assert parsed is not None
    assert (parsed.edtf, parsed.precision) == (edtf, precision)


@pytest.mark.parametrize("cell", ["00/00/0000", "01/01/0000", "11/29/0000", "00/00/00", "", None])
def test_date_cells_that_mean_unknown_give_none(cell: str | None) -> None:
    assert nara.parse_date_cell(cell) is None


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("WIGREN, LEE H., C/SR/CI/R, CIA", "Lee H. Wigren"),
        ("RICHARD HELMS, DDP", "Richard Helms"),
        ("RANKIN, J. LEE, GEN COUNSEL, WC", "J. Lee Rankin"),
        ("BOLTEN, S.R., DDO", "S.R. Bolten"),
        ("JOSEPH A. CALIFANO, JR.", "Joseph A. Califano Jr."),
        ("MCNAMARA, ROBERT S.", "Robert S. McNamara"),
        ("NOBLE, JOHN D", "John D Noble"),
        ("Eugene Yeates", "Eugene Yeates"),
    ],
)
def test_from_and_to_cells_naming_people_become_persons(cell: str, name: str) -> None:
    person = nara.person_from(cell)
    assert person is not None
    assert person.name == name
    assert person.as_written == cell


@pytest.mark.parametrize(
    "cell",
    [
        "DIRECTOR",
        "MEXICO CITY",
        "CHIEF, WE",
        "SAC, MM",
        "DIRECTOR, FBI",
        "C/WE",
        "WITHHELD",
        "[RESTRICTED]",
        "CHIEF OF STATION, MEXICO CITY",
        "COS, MEXICO CITY",
        "FOR THE RECORD",
        "OO/CONTACT DIVISION",
        "DD, PLANS",
    ],
)
def test_offices_and_stations_are_not_persons(cell: str) -> None:
    assert nara.person_from(cell) is None


def test_pdf_is_described_by_its_nara_row(metadata: dict[str, nara.NaraRow]) -> None:
    pdf = JFK / "pdf" / "104-10004-10143_ocr.pdf"
    record = nara.parse_pdf_with_metadata(pdf, metadata)
    assert record.id == "104-10004-10143"
    assert record.title == (
        "DISCUSSION BETWEEN MEMBER SR DIVISION CONCERNING OSWALD'S STAY IN HELSINKI."
    )
    assert record.doc_date is not None and record.doc_date.start == date(1964, 6, 1)
    assert [t.name for t in record.repositories] == [nara.REPOSITORY]
    assert [c.id for c in record.collections] == ["jfk-records"]
    assert [t.name for t in record.type] == ["Paper - textual document"]
    assert record.archival_reference is not None
    assert record.archival_reference.file == "201-289248"
    assert record.archival_reference.series == "JFK"
    assert "Record Number 104-10004-10143" in (record.source or "")
    extra = record.extra["nara"]
    assert extra["originator"] == "CIA"
    assert extra["formerly_withheld"] == "Redact"
    assert extra["review_date"] == "2021-05-07"
    assert extra["comments"].startswith("OSW10 : V43")
    assert record.media_files[0].pages  # the scan is still there
    assert "Wigren" in record.body_text  # the memo's signature, read from the text layer


def test_sender_becomes_creator_and_recipient_contributor(
    metadata: dict[str, nara.NaraRow],
) -> None:
    pdf = JFK / "pdf" / "104-10005-10321_ocr.pdf"
    row = metadata["104-10001-10015"]  # from RICHARD HELMS, DDP to RANKIN, J. LEE
    record = nara.apply(read_record(pdf), row)
    assert [p.name for p in record.creators] == ["Richard Helms"]
    assert [p.name for p in record.contributors] == ["J. Lee Rankin"]


def test_record_with_unknown_date_has_no_date(metadata: dict[str, nara.NaraRow]) -> None:
    pdf = JFK / "pdf" / "180-10143-10100_ocr.pdf"
    record = nara.parse_pdf_with_metadata(pdf, metadata)
    assert metadata["180-10143-10100"].doc_date_text == "00/00/0000"
    assert record.doc_date is None
    assert record.extra["nara"]["doc_date_text"] == "00/00/0000"


def test_metadata_agrees_with_the_corpus_sample(metadata: dict[str, nara.NaraRow]) -> None:
    """Every one of the 35 PDFs has its NARA title and date, as sample.jsonl records them."""
    lines = (JFK / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:
        sample = json.loads(line)
        row = metadata[sample["record_number"]]
        last = sample["nara_metadata"][-1]
        assert (row.title or "") == last["Title"]
        assert row.doc_date_text == (last.get("Doc Date") or last.get("Document Date"))


def test_xlsx_gives_the_same_rows_as_its_csv_export() -> None:
    from_xlsx = nara.load_metadata([SHEETS / "jfk2021.xlsx"])
    from_csv = nara.load_metadata([SHEETS / "jfk2021.csv"])
    assert len(from_xlsx) == len(from_csv) == 1_491
    for number in ("104-10001-10008", "104-10001-10035"):
        xlsx_row, csv_row = from_xlsx[number], from_csv[number]
        assert xlsx_row.title == csv_row.title
        assert xlsx_row.doc_date == csv_row.doc_date
        assert xlsx_row.pages == csv_row.pages


def test_repeated_rows_merge_without_losing_values(tmp_path: Path) -> None:
    sheet = tmp_path / "release.csv"
    sheet.write_text(
        "Record Num,NARA Release Date,Doc Date,Title,Comments\n"
        "104-10004-10143,12/15/2022,06/01/1964,OLD TITLE,first\n"
        "104-10004-10143,08/24/2023,,NEW TITLE,\n",
        encoding="utf-8",
    )
    row = nara.load_metadata([sheet])["104-10004-10143"]
    assert row.title == "NEW TITLE"
    assert row.comments == "first"
    assert row.doc_date is not None and row.doc_date.edtf == "1964-06-01"


def test_spreadsheet_without_record_numbers_is_an_ingest_error(tmp_path: Path) -> None:
    sheet = tmp_path / "other.csv"
    sheet.write_text("Name,Date\nSmith,1962\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no record number column"):
        nara.load_metadata([sheet])


def test_spreadsheet_alone_is_sniffed_but_yields_no_records() -> None:
    sheet = SHEETS / "jfk2021.csv"
    assert nara.sniff(sheet, sheet.read_bytes()[:2048])
    assert not nara.sniff(JFK / "sample.jsonl", b'{"record_number": "104-10004-10143"}')
    assert list(nara.parse(sheet)) == []
