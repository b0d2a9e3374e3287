"""The search tables, their indexes and the SQL function they need, created on open.

They are derived data, like the Tantivy index: the backend creates what is missing, and
recreates its tables when another version of this package wrote them (`SCHEMA_TAG`, the
table's comment); `fonds reindex` fills them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from fonds.search.query import FIELDS
from fonds.search.types import FACETS

# 2: facet_ids and search_labels.id (migration 0002 upgrades 1 in place);
# 3: search_names, the person name forms for suggestions (migration 0003 upgrades 2).
SCHEMA_VERSION = 3
TABLE = "search_records"
LABELS = "search_labels"
# Every distinct person name form with the number of records that hold it: "did you mean"
# looks here (a few thousand short rows, trigram-indexed) rather than in every record's
# people, and the count lets a delete drop a form the last holder took away.
NAMES = "search_names"
# The browse page's counts (every record, no words or filters), made by the first search that
# needs them and kept for the ones after, and what tells whether they are still true:
# `search_changes` holds the id of each transaction that changed search_records since the
# last cleanup (a trigger writes it, whoever writes the rows), so the set of ids a snapshot
# sees is different after every change; the counts are kept under that set.
BROWSE = "search_browse"
CHANGES = "search_changes"
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
SEARCH_FIELDS: tuple[str, ...] = tuple(name for name in FIELDS if name != "title")
# Facets whose value (an id) differs from what a page shows. search_labels holds every facet
# value with a number (`facet_ids` of a record lists its values' numbers) and its label.
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
        conn.execute(
            text(f"DROP TABLE IF EXISTS {TABLE}, {LABELS}, {WORDS}, {NAMES}, {BROWSE}, {CHANGES}")
        )
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
          facet_ids integer[] NOT NULL DEFAULT '{{}}',
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
    # COLLATE "C": suggestions tied on similarity come in byte order, whatever the locale.
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {NAMES} "
            '(form text COLLATE "C" PRIMARY KEY, records integer NOT NULL)'
        )
    )
    conn.execute(
        text(f"""
        CREATE TABLE IF NOT EXISTS {LABELS} (
          facet text NOT NULL, value text NOT NULL, label text NOT NULL,
          id integer GENERATED BY DEFAULT AS IDENTITY UNIQUE,
          PRIMARY KEY (facet, value)
        )""")
    )
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {CHANGES} (txid bigint PRIMARY KEY)"))
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {BROWSE} "
            "(generation text PRIMARY KEY, counts jsonb NOT NULL)"
        )
    )
    # Once per transaction (a setting of the transaction remembers it): ingest's executemany
    # runs the trigger for every row. The table is named with its schema: writers may have
    # another search_path.
    schema = str(conn.execute(text("SELECT quote_ident(current_schema())")).scalar())
    conn.execute(
        text(f"""
        CREATE OR REPLACE FUNCTION fonds_search_changed() RETURNS trigger
        LANGUAGE plpgsql AS $f$
        BEGIN
          IF current_setting('fonds.search_changed', true) IS DISTINCT FROM
             txid_current()::text THEN
            INSERT INTO {schema}.{CHANGES} (txid) VALUES (txid_current())
            ON CONFLICT DO NOTHING;
            PERFORM set_config('fonds.search_changed', txid_current()::text, true);
          END IF;
          RETURN NULL;
        END
        $f$""")
    )
    if not conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass("
            "format('%I.%I', current_schema(), CAST(:t AS text))) "
            "AND tgname = 'search_records_changed')"
        ),
        {"t": TABLE},
    ).scalar():
        conn.execute(
            text(
                f"CREATE TRIGGER search_records_changed AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {TABLE} FOR EACH STATEMENT "
                "EXECUTE FUNCTION fonds_search_changed()"
            )
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
        f"{TABLE}_date ON {TABLE} (date_start, date_end)",
        # Dates, with the facet numbers beside them: the empty query and date ranges count
        # their facets from this index alone (5 MB at 50,000 records, the table is 80 MB).
        # The plain one above stays for counts without facets, where it is 3x quicker.
        f"{TABLE}_date_facets ON {TABLE} (date_start, date_end) INCLUDE (facet_ids)",
        *(f"{TABLE}_f_{f} ON {TABLE} USING gin (f_{f})" for f in FACETS),
    ]
    # Both vectors: `person:Rusk` ranks by tsv_fields alone, and RUM gives its top 20 in
    # ~13 ms instead of scoring 16,500 matches (~100 ms at 50,000 records).
    for column, name in (("tsv", "tsv"), ("tsv_fields", "fields")):
        if has_rum:
            conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_{name}_gin"))
            indexes.append(f"{TABLE}_{name}_rum ON {TABLE} USING rum ({column} rum_tsvector_ops)")
        else:
            conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_{name}_rum"))
            indexes.append(f"{TABLE}_{name}_gin ON {TABLE} USING gin ({column})")
    # Suggestions read search_names; version 2 read the records' people through this one.
    conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_people_trgm"))
    if has_trgm:
        indexes.append(f"{NAMES}_form_trgm ON {NAMES} USING gin (form gin_trgm_ops)")
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
