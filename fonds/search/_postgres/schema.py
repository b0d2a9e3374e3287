"""The search tables, their indexes and the SQL function they need, created on open.

They are derived data, like the Tantivy index: the backend creates what is missing, and
recreates its tables when another version of this package wrote them (`SCHEMA_TAG`, the
table's comment); `fonds reindex` fills them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from fonds.search.types import FACETS

SCHEMA_VERSION = 1
TABLE = "search_records"
LABELS = "search_labels"
SCHEMA_TAG = f"fonds-search {SCHEMA_VERSION}"
# Any constant: serialises the DDL of workers that start at the same moment.
SETUP_LOCK = 0x666F6E6473
STEMMED = "pg_catalog.russian"  # English Snowball for ASCII words, Russian for Cyrillic ones
WORDS = "search_words"
PREFIX_STEMS = 50
# ts_rank_cd's weights for D, C, B, A: body, places and subjects, description and people, title.
RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
RANK_NORMALIZATION = 1  # divide by 1 + log(length): a long report does not win by bulk alone
# The fields `field:value` looks in through `tsv_fields` (`title:` uses weight A of `tsv`).
SEARCH_FIELDS: tuple[str, ...] = (
    "person",
    "place",
    "subject",
    "collection",
    "language",
    "classification",
    "repository",
    "donor",
    "type",
)
# Facets whose value (an id) differs from what a page shows; search_labels holds their labels.
LABELLED = ("collection", "person", "language")


@dataclass(frozen=True)
class Setup:
    """What opening found: whether the tables were recreated, and which extensions serve."""

    was_reset: bool
    has_trgm: bool
    has_rum: bool


def setup(conn: Connection, rum: bool | None) -> Setup:
    """Create what is missing; `rum=False` keeps GIN even where RUM could be created."""
    was_reset = False
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK})
    # In the schema tables are created in: one of the same name further along the
    # search_path (another archive's) is none of ours.
    exists, tag, has_function = conn.execute(
        text(
            "SELECT t.oid IS NOT NULL, obj_description(t.oid, 'pg_class'), "
            "to_regprocedure(format('%I.fonds_prefixed_tsvector(text, text)', "
            "current_schema())) IS NOT NULL "
            "FROM (SELECT to_regclass(format('%I.%I', current_schema(), CAST(:t AS text))) "
            "AS oid) AS t"
        ),
        {"t": TABLE},
    ).one()
    if exists and tag != SCHEMA_TAG:
        conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}, {LABELS}, {WORDS}"))
        has_function = False  # rewritten: it may have changed with the tables
        was_reset = True
    has_trgm = try_extension(conn, "pg_trgm")
    has_rum = rum is not False and try_extension(conn, "rum")
    facets = ",\n".join(f"f_{f} text[] NOT NULL DEFAULT '{{}}'" for f in FACETS)
    conn.execute(
        text(f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
          record_id text PRIMARY KEY,
          title text NOT NULL DEFAULT '',
          description text NOT NULL DEFAULT '',
          body text NOT NULL DEFAULT '',
          people text NOT NULL DEFAULT '',
          date_text text NOT NULL DEFAULT '',
          date_start date,
          date_end date,
          status text NOT NULL DEFAULT 'published',
          {facets},
          tsv tsvector NOT NULL DEFAULT '',
          tsv_fields tsvector NOT NULL DEFAULT ''
        )""")
    )
    if tag != SCHEMA_TAG:
        conn.execute(text(f"COMMENT ON TABLE {TABLE} IS '{SCHEMA_TAG}'"))
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {WORDS} "
            '(word text COLLATE "C" PRIMARY KEY, stem text NOT NULL)'
        )
    )
    conn.execute(
        text(f"""
        CREATE TABLE IF NOT EXISTS {LABELS} (
          facet text NOT NULL, value text NOT NULL, label text NOT NULL,
          PRIMARY KEY (facet, value)
        )""")
    )
    if not has_function:
        # The stemmed words of `doc`, each prefixed (`person:khrushchev`), positions kept.
        conn.execute(
            text(r"""
            CREATE OR REPLACE FUNCTION fonds_prefixed_tsvector(prefix text, doc text)
            RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
              SELECT coalesce(string_agg(
                '''' || replace(replace(left(prefix || v.lexeme, 500), '\', '\\'),
                                '''', '''''')
                || ''':' || array_to_string(v.positions, ','), ' '), '')::tsvector
              FROM unnest(to_tsvector('pg_catalog.russian'::regconfig, doc)) AS v
            $f$""")
        )
    indexes = [
        f"{TABLE}_fields_gin ON {TABLE} USING gin (tsv_fields)",
        f"{TABLE}_date ON {TABLE} (date_start, date_end)",
        *(f"{TABLE}_f_{f} ON {TABLE} USING gin (f_{f})" for f in FACETS),
    ]
    if has_rum:
        conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_tsv_gin"))
        indexes.append(f"{TABLE}_tsv_rum ON {TABLE} USING rum (tsv rum_tsvector_ops)")
    else:
        conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_tsv_rum"))
        indexes.append(f"{TABLE}_tsv_gin ON {TABLE} USING gin (tsv)")
    if has_trgm:
        indexes.append(f"{TABLE}_people_trgm ON {TABLE} USING gin (people gin_trgm_ops)")
    for index in indexes:
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {index}"))
    return Setup(was_reset, has_trgm, has_rum)


def try_extension(conn: Connection, name: str) -> bool:
    """Create an extension if this role may; a missing one only turns a feature off."""
    try:
        with conn.begin_nested():
            conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
    except SQLAlchemyError:
        return False
    return True
