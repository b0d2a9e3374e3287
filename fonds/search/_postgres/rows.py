"""A record as a row of `search_records`: its texts, vectors, facet values and labels."""

from __future__ import annotations

from typing import Any

from fonds.model import Record
from fonds.search._postgres.folding import CJK, WORD, search_text
from fonds.search._postgres.schema import (
    LABELLED,
    LABELS,
    NAMES,
    SEARCH_FIELDS,
    STEMMED,
    TABLE,
    WORDS,
)
from fonds.search.fields import date_text, facet_values, field_texts, meta_texts
from fonds.search.types import FACETS


def record_row(record: Record) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The row of one record in `search_records`, and its facet values (facet, value, label).

    `facet_ids` is filled in by the writer, once the values have their numbers.
    """
    field_text = field_texts(record)
    people, places, subjects = field_text["person"], field_text["place"], field_text["subject"]
    meta = meta_texts(record)
    dated = record.doc_date
    start = dated.start if dated is not None else None
    end = (dated.end or dated.start) if dated is not None and start is not None else None
    body = record.body_text
    row: dict[str, Any] = {
        "record_id": record.id,
        "title": record.title,
        "description": record.description or "",
        "body": body,
        "people": "\n".join(dict.fromkeys(people)),
        "date_text": date_text(record),
        "date_start": start,
        "date_end": end,
        "status": record.status,
        "s_title": search_text(record.title),
        "s_description": search_text(record.description),
        "s_places": search_text("\n".join(places)),
        "s_subjects": search_text("\n".join(subjects)),
        "s_meta": search_text("\n".join(meta)),
        "s_body": search_text(body),
    }
    for name, values in field_text.items():
        row[f"s_{name}"] = search_text("\n".join(values))
    labels: list[tuple[str, str, str]] = []
    for facet, pairs in facet_values(record).items():
        unique = dict(pairs)
        row[f"f_{facet}"] = list(unique)
        labels += [
            (facet, value, label if facet in LABELLED else value) for value, label in unique.items()
        ]
    return row, labels


_VECTOR_PARTS = (
    ("s_title", "A"),
    ("s_description", "B"),
    ("s_person", "B"),
    ("s_places", "C"),
    ("s_subjects", "C"),
    ("s_meta", "D"),
    ("s_body", "D"),
)


def name_forms(people: str) -> list[str]:
    """The name forms in a row's `people` (one a line, each once): what `search_names` counts.

    Read from the stored column on replace and delete, so a form is counted off exactly as
    it was counted on.
    """
    return [form for form in people.split("\n") if form]


def words_of(row: dict[str, Any]) -> set[str]:
    """The distinct folded words of a row's texts (not CJK: bigrams serve those)."""
    return {
        word
        for key, value in row.items()
        if key.startswith("s_") and value
        for word in WORD.findall(value)
        if not CJK.match(word)
    }


def _vector_sql(config: str) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}'::regconfig, :{name}), '{weight}')"
        for name, weight in _VECTOR_PARTS
    )


_FIELDS_SQL = (
    "setweight("
    + " || ".join(f"fonds_prefixed_tsvector('{name}:', :s_{name})" for name in SEARCH_FIELDS)
    + ", 'B')"
)
_STORED = ("record_id", "title", "description", "body", "people", "date_text")
_COLUMNS = (
    *_STORED,
    "date_start",
    "date_end",
    "status",
    *(f"f_{f}" for f in FACETS),
    "facet_ids",
    "tsv",
    "tsv_fields",
)
INSERT = f"""
INSERT INTO {TABLE} ({", ".join(_COLUMNS)})
VALUES ({", ".join(f":{c}" for c in _STORED)}, :date_start, :date_end, :status,
        {", ".join(f"CAST(:f_{f} AS text[])" for f in FACETS)}, CAST(:facet_ids AS integer[]),
        {_vector_sql(STEMMED)}, {_FIELDS_SQL})
ON CONFLICT (record_id) DO UPDATE SET
  {", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "record_id")}
"""
# New words only: the stemmer runs once per word the archive has never seen.
INSERT_WORDS = f"""
INSERT INTO {WORDS} (word, stem)
SELECT w, coalesce((SELECT v.lexeme FROM unnest(to_tsvector('{STEMMED}'::regconfig, w)) AS v
                    LIMIT 1), '')
FROM unnest(CAST(:words AS text[])) AS w
WHERE NOT EXISTS (SELECT 1 FROM {WORDS} s WHERE s.word = w)
ON CONFLICT (word) DO NOTHING
"""
# Every facet value gets a number once; a better label than the value itself replaces it.
INSERT_LABEL = f"""
INSERT INTO {LABELS} (facet, value, label)
SELECT * FROM unnest(CAST(:facets AS text[]), CAST(:values AS text[]), CAST(:labels AS text[]))
ON CONFLICT (facet, value) DO UPDATE SET label = EXCLUDED.label
WHERE EXCLUDED.label <> EXCLUDED.value AND {LABELS}.label IS DISTINCT FROM EXCLUDED.label
"""
LABEL_IDS = f"""
SELECT l.facet, l.value, l.id FROM {LABELS} l
JOIN unnest(CAST(:facets AS text[]), CAST(:values AS text[])) AS u(facet, value)
  ON l.facet = u.facet AND l.value = u.value
"""
# How many more (or fewer) records hold each form; in the forms' order, as the labels are.
COUNT_NAMES = f"""
INSERT INTO {NAMES} (form, records)
SELECT * FROM unnest(CAST(:forms AS text[]), CAST(:counts AS integer[])) ORDER BY 1
ON CONFLICT (form) DO UPDATE SET records = {NAMES}.records + EXCLUDED.records
"""
DROP_NAMES = f"DELETE FROM {NAMES} WHERE form = ANY(CAST(:forms AS text[])) AND records <= 0"
