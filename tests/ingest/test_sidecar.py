"""Sidecar CSV/YAML metadata written by editors next to the files they describe."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from fonds.ingest import sidecar
from fonds.ingest.pdf import read_record
from fonds.model import IngestError, Precision, Record

JFK_PDF = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "corpus"
    / "jfk-records"
    / "pdf"
    / "104-10059-10188_ocr.pdf"
)


def bare(record_id: str = "scan-1") -> Record:
    return Record(id=record_id, title="scan 1", translator="Someone Else")


def test_csv_sidecar_rows_become_record_fields(tmp_path: Path) -> None:
    (tmp_path / "metadata.csv").write_text(
        "file,title,doc_date,languages,creators,subjects,classifications,collections\n"
        'memo.pdf,Memorandum on Berlin,"March, 1962",rus; eng,Dean Rusk; Llewellyn Thompson,'
        "Berlin Crisis; NATO,SECRET,Berlin Crisis 1958-1962\n",
        encoding="utf-8",
    )
    rows = sidecar.load_sidecar(tmp_path / "metadata.csv")
    record = sidecar.apply_sidecar(bare(), rows["memo.pdf"])
    assert record.title == "Memorandum on Berlin"
    assert record.doc_date is not None
    assert record.doc_date.precision == Precision.MONTH
    assert record.doc_date.start == date(1962, 3, 1)
    assert [(lang.id, lang.name) for lang in record.languages] == [
        ("rus", "Russian"),
        ("eng", "English"),
    ]
    assert [p.name for p in record.creators] == ["Dean Rusk", "Llewellyn Thompson"]
    assert [t.name for t in record.subjects] == ["Berlin Crisis", "NATO"]
    assert [t.name for t in record.classifications] == ["SECRET"]
    assert [(c.id, c.name) for c in record.collections] == [
        ("berlin-crisis-1958-1962", "Berlin Crisis 1958-1962")
    ]
    assert record.translator == "Someone Else"  # not in the sidecar, so kept


def test_sidecar_overrides_what_the_pdf_said(tmp_path: Path) -> None:
    record = read_record(JFK_PDF)
    assert record.title == "104-10059-10188 ocr"
    row = {
        "file": JFK_PDF.name,
        "id": "oswald-nosenko-1968",
        "title": "Memorandum for the Record re Oswald and Nosenko",
        "doc_date": "1968-07-29",
        "original_coverages": "Soviet Union; United States",
        "type": "memorandum",
        "rights": "Public domain",
        "status": "draft",
    }
    described = sidecar.apply_sidecar(record, row)
    assert described.id == "oswald-nosenko-1968"
    assert described.slug == "oswald-nosenko-1968"
    assert described.title == "Memorandum for the Record re Oswald and Nosenko"
    assert described.doc_date is not None and described.doc_date.edtf == "1968-07-29"
    assert [p.name for p in described.original_coverages] == ["Soviet Union", "United States"]
    assert [t.name for t in described.type] == ["memorandum"]
    assert described.rights is not None and described.rights.name == "Public domain"
    assert described.status == "draft"
    assert not described.is_published()
    assert described.media_files == record.media_files  # the scan itself is untouched


def test_unknown_column_names_it_and_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as error:
        sidecar.apply_sidecar(bare(), {"file": "memo.pdf", "autor": "Dean Rusk"})
    message = str(error.value)
    assert "'autor'" in message
    assert "creators" in message and "doc_date" in message and "extra.*" in message
    (tmp_path / "metadata.csv").write_text("file,titel\nmemo.pdf,Berlin\n", encoding="utf-8")
    with pytest.raises(IngestError, match="unknown column 'titel'"):
        sidecar.load_sidecar(tmp_path / "metadata.csv")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"languages": "xx1"}, "not an ISO 639 language code"),
        ({"doc_date": "sometime"}, "cannot read 'sometime' as a date"),
        ({"status": "secret"}, "not one of"),
        ({"embargo_until": "next year"}, "not a YYYY-MM-DD date"),
        ({"title": ["two", "titles"]}, "takes one value"),
    ],
)
def test_bad_values_are_ingest_errors_naming_the_column(
    row: dict[str, object], reason: str
) -> None:
    with pytest.raises(IngestError, match=reason):
        sidecar.apply_sidecar(bare(), row)


def test_empty_cells_say_nothing(tmp_path: Path) -> None:
    (tmp_path / "metadata.csv").write_text("file,title,translator\nmemo.pdf,,\n", encoding="utf-8")
    row = sidecar.load_sidecar(tmp_path / "metadata.csv")["memo.pdf"]
    assert row == {}
    assert sidecar.apply_sidecar(bare(), row) == bare()


def test_extra_columns_land_in_extra() -> None:
    record = sidecar.apply_sidecar(
        bare(), {"extra.box_label": "Box 12", "embargo_until": "2030-01-01"}
    )
    assert record.extra == {"box_label": "Box 12"}
    assert record.embargo_until == date(2030, 1, 1)


def test_yaml_mapping_with_folder_wide_row(tmp_path: Path) -> None:
    (tmp_path / "fonds.yaml").write_text(
        '"*":\n'
        "  collections: [Berlin Crisis]\n"
        "  languages: [eng]\n"
        "memo.pdf:\n"
        "  title: Memorandum on Berlin\n"
        "  doc_date: 1962-03-01\n"
        "  subjects: [Berlin Crisis, NATO]\n"
        "  languages: rus\n",
        encoding="utf-8",
    )
    rows = sidecar.load_sidecar(tmp_path / "fonds.yaml")
    record = sidecar.apply_sidecar(bare(), sidecar.row_for(rows, "memo.pdf"))
    assert record.title == "Memorandum on Berlin"
    assert record.doc_date is not None and record.doc_date.edtf == "1962-03-01"
    assert [t.name for t in record.subjects] == ["Berlin Crisis", "NATO"]
    assert [c.name for c in record.collections] == ["Berlin Crisis"]
    assert [lang.id for lang in record.languages] == ["rus"]  # the file's own row wins
    other = sidecar.apply_sidecar(bare(), sidecar.row_for(rows, "other.pdf"))
    assert [lang.id for lang in other.languages] == ["eng"]


def test_yaml_list_of_entries(tmp_path: Path) -> None:
    (tmp_path / "metadata.yaml").write_text(
        "- file: a.pdf\n  title: First\n"
        "- file: b.pdf\n  title: Second\n  donors: Leon Levy Foundation\n",
        encoding="utf-8",
    )
    rows = sidecar.load_sidecar(tmp_path / "metadata.yaml")
    assert rows["a.pdf"] == {"title": "First"}
    second = sidecar.apply_sidecar(bare(), rows["b.pdf"])
    assert [t.name for t in second.donors] == ["Leon Levy Foundation"]


def test_per_file_yaml_describes_the_file_beside_it(tmp_path: Path) -> None:
    shutil.copy(JFK_PDF, tmp_path / "scan.pdf")
    (tmp_path / "scan.pdf.yaml").write_text(
        "title: Oswald and Nosenko\ntranslator: Maxim Korobochkin\n", encoding="utf-8"
    )
    (tmp_path / "orphan.pdf.yaml").write_text("title: Nobody\n", encoding="utf-8")
    (tmp_path / "settings.yaml").write_text("page_size: 20\n", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,title\nscan.pdf,Ignored\n", encoding="utf-8")
    found = sidecar.find_sidecars(tmp_path)
    assert [p.name for p in found] == ["metadata.csv", "scan.pdf.yaml"]
    assert sidecar.is_sidecar(tmp_path / "scan.pdf.yaml")
    assert not sidecar.is_sidecar(tmp_path / "settings.yaml")
    rows = sidecar.load_sidecar(tmp_path / "scan.pdf.yaml")
    record = sidecar.apply_sidecar(read_record(tmp_path / "scan.pdf"), rows["scan.pdf"])
    assert record.title == "Oswald and Nosenko"
    assert record.translator == "Maxim Korobochkin"


def test_archival_reference_column_is_split_into_levels() -> None:
    record = sidecar.apply_sidecar(
        bare(), {"archival_reference": "AVPRF, fond 0100, opis 55, papka 454, delo 9"}
    )
    reference = record.archival_reference
    assert reference is not None
    assert (reference.fond, reference.opis, reference.papka, reference.delo) == (
        "0100",
        "55",
        "454",
        "9",
    )


def test_row_without_file_is_an_ingest_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.csv").write_text("title\nBerlin\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no 'file' column"):
        sidecar.load_sidecar(tmp_path / "metadata.csv")
