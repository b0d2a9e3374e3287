"""PostgreSQL full-text search: the `SearchBackend` for archives whose database is PostgreSQL.

Every web worker on every machine then shares one engine, so search lives in the database, in
a table of its own (`search_records`) derived from the store like the Tantivy index is: the
store calls `add`/`delete`/`commit`, `fonds reindex` rebuilds it. The backend creates what it
needs on open (tables, indexes, the `pg_trgm` extension for name suggestions, and `rum` for
ranked top-k where the role may create it) and recreates its tables when another version of
this module wrote them. bench/bench_search_pg.py measures it, GIN beside RUM.

Text is folded in Python before PostgreSQL sees it (lower case, `ё` → `е`, Latin accents
dropped), so matching never depends on the database's locale. The `russian` text search
configuration stems English words (it maps ASCII words to the English Snowball stemmer) and
Russian words alike; runs of Chinese or Japanese characters are indexed as overlapping
character bigrams generated here, so a query of characters finds any substring. Per record:

- `tsv`: stemmed; weight A title, B description and people, C places and subjects, D body
  and the source/translator metadata. Words, phrases and names are matched here.
- `tsv_fields`: each field's stemmed words prefixed by the field name (`person:khrushchev`),
  for `person:`, `place:`, `subject:`, `collection:`, ... queries.

Beside them, `search_words` maps every word seen to its stem, as Tantivy's unstemmed term
dictionary does: `negotiat*` becomes the stems of the real words that start so (a second,
unstemmed vector would have doubled the cost of indexing, which PostgreSQL's parser
dominates).

Queries arrive as fonds' own tree (`query.py`); words are analysed by PostgreSQL in one round
trip and the tree is compiled into tsquery text built from quoted lexemes, always passed as a
bound parameter: nothing a reader types becomes SQL.
"""

from __future__ import annotations

import html
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from fonds.model import Record
from fonds.search.fields import collections_of, date_text, field_texts
from fonds.search.query import (
    And,
    DateRange,
    Expand,
    Names,
    Node,
    Not,
    Phrase,
    Query,
    Word,
    date_filter,
    looks_like_name,
    parse_query,
    walk,
)
from fonds.search.query import expand_names as expand_query_names
from fonds.search.types import (
    FACETS,
    FILTER_ONLY,
    FacetCount,
    Hit,
    SearchResult,
    Sort,
    histogram_buckets,
)

SCHEMA_VERSION = 1
TABLE = "search_records"
LABELS = "search_labels"
_SCHEMA_TAG = f"fonds-search {SCHEMA_VERSION}"
# Any constant: serialises the DDL of workers that start at the same moment.
_SETUP_LOCK = 0x666F6E6473
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
_LABELLED = ("collection", "person", "language")
MAX_INDEXED_CHARS = 300_000  # a tsvector holds at most 1 MB; the rest of a huge text is stored
HEADLINE_CHARS = 200_000  # snippets are looked for in the first this many characters
HEADLINE_WINDOW = 1_500  # and of those, only this many around the first match are parsed
SNIPPET_CHARS = 240
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=20, ShortWord=2"
TITLE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
STATEMENT_TIMEOUT_MS = 15_000
ANALYZE_AFTER = 10_000  # records written since the last ANALYZE that call for another
MLT_TERMS = 25
MLT_MAX_FREQUENCY = 0.05  # words in more than 5% of records say nothing about likeness
SUGGEST_SIMILARITY = 0.4

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MARK = re.compile(r"(</?mark>)")


# --- folding and CJK ----------------------------------------------------------------------------


def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and base.isascii() and base.isalpha():
        return base.lower()  # é → e, İ → i
    low = ch.lower()
    if len(low) != 1:
        return ch
    return "е" if low == "ё" else low


# Latin, Greek and Cyrillic, and Latin Extended Additional: every fold is one character to one,
# so a position in folded text is the same position in the original (snippets rely on it).
_FOLD = {
    cp: folded
    for cp in (*range(0x0530), *range(0x1E00, 0x1F00))
    if (folded := _fold_char(chr(cp))) != chr(cp)
}


def fold(value: str) -> str:
    """Lower-case, `ё` → `е`, Latin accents dropped; the same length as `value`, always."""
    return value.translate(_FOLD)


def cjk_tokens(run: str) -> list[str]:
    """Overlapping bigrams of a run of CJK characters, and its last character on its own."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def search_text(value: str | None) -> str:
    """What PostgreSQL analyses for `value`: folded words, then the bigrams of its CJK runs."""
    if not value:
        return ""
    value = value[:MAX_INDEXED_CHARS]
    runs = _CJK.findall(value)
    words = fold(_CJK.sub(" ", value)) if runs else fold(value)
    if not runs:
        return words
    return words + "\n" + " ".join(tok for run in runs for tok in cjk_tokens(run))


# --- the record as a row ------------------------------------------------------------------------


def record_row(record: Record) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The row of one record in `search_records`, and its facet labels (facet, value, label)."""
    field_text = field_texts(record)
    people, places, subjects = field_text["person"], field_text["place"], field_text["subject"]
    collections = collections_of(record)
    meta = [
        record.source,
        record.translator,
        record.document_number,
        record.archival_reference.raw if record.archival_reference else None,
        *(t.name for t in record.publishers),
    ]
    facet_values: dict[str, list[tuple[str, str]]] = {
        "collection": collections,
        "person": [(p.id or p.name, p.name) for p in record.people],
        "language": [(lang.id, lang.name or lang.id) for lang in record.languages],
        "subject": [(t.name, t.name) for t in record.subjects],
        "place": [(p.name, p.name) for p in record.original_coverages],
        "repository": [(t.name, t.name) for t in record.repositories],
        "classification": [(t.name, t.name) for t in record.classifications],
        "donor": [(t.name, t.name) for t in record.donors],
        "type": [(t.name, t.name) for t in record.type],
    }
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
        "s_meta": search_text("\n".join(m for m in meta if m)),
        "s_body": search_text(body),
    }
    for name, values in field_text.items():
        row[f"s_{name}"] = search_text("\n".join(values))
    labels: list[tuple[str, str, str]] = []
    for facet, pairs in facet_values.items():
        unique = dict(pairs)
        row[f"f_{facet}"] = list(unique)
        if facet in _LABELLED:
            labels += [(facet, value, label) for value, label in unique.items()]
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


_WORD = re.compile(r"[^\W_]{2,60}")
_WORD_ANY = re.compile(r"[^\W_]+")


def _words(row: dict[str, Any]) -> set[str]:
    """The distinct folded words of a row's texts (not CJK: bigrams serve those)."""
    return {
        word
        for key, value in row.items()
        if key.startswith("s_") and value
        for word in _WORD.findall(value)
        if not _CJK.match(word)
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
    "tsv",
    "tsv_fields",
)
_INSERT = f"""
INSERT INTO {TABLE} ({", ".join(_COLUMNS)})
VALUES ({", ".join(f":{c}" for c in _STORED)}, :date_start, :date_end, :status,
        {", ".join(f"CAST(:f_{f} AS text[])" for f in FACETS)},
        {_vector_sql(STEMMED)}, {_FIELDS_SQL})
ON CONFLICT (record_id) DO UPDATE SET
  {", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "record_id")}
"""
# New words only: the stemmer runs once per word the archive has never seen.
_INSERT_WORDS = f"""
INSERT INTO {WORDS} (word, stem)
SELECT w, coalesce((SELECT v.lexeme FROM unnest(to_tsvector('{STEMMED}'::regconfig, w)) AS v
                    LIMIT 1), '')
FROM unnest(CAST(:words AS text[])) AS w
WHERE NOT EXISTS (SELECT 1 FROM {WORDS} s WHERE s.word = w)
ON CONFLICT (word) DO NOTHING
"""
_INSERT_LABEL = f"""
INSERT INTO {LABELS} (facet, value, label) VALUES (:facet, :value, :label)
ON CONFLICT (facet, value) DO UPDATE SET label = EXCLUDED.label
WHERE EXCLUDED.label <> EXCLUDED.value AND {LABELS}.label IS DISTINCT FROM EXCLUDED.label
"""


# --- the backend --------------------------------------------------------------------------------


class PostgresIndex:
    """Full-text search in PostgreSQL over `search_records`, shared by every worker.

    Writes go through one connection whose transaction `commit()` ends, so searches (on other
    connections) never see half a batch; `close()` rolls back what was not committed.
    Unless `rum=False`, when the `rum` extension can be created (Debian's
    `postgresql-15-rum`; creating it takes a superuser) the stemmed vector gets a RUM index
    instead of GIN and queries on it are ranked by that index: the top 20 of a word in a
    quarter of 50,000 records in 20 ms rather than scoring all 13,000 (250 ms, see
    bench/bench_search_pg.py). Without it GIN serves, with the same results.
    """

    def __init__(self, engine: Engine, *, rum: bool | None = None) -> None:
        self.engine = engine
        self.was_reset = False
        self.has_trgm = False
        self.has_rum = False
        self._lock = threading.RLock()
        self._writer: Connection | None = None
        self._frequencies: tuple[float, dict[str, float], float] | None = None
        self._frequencies_at = 0.0
        self._unanalysed = 0
        with engine.begin() as conn:
            self._setup(conn, rum)
        self.use_rum = self.has_rum

    # --- schema -------------------------------------------------------------------------------

    def _setup(self, conn: Connection, rum: bool | None) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_LOCK})
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
        if exists and tag != _SCHEMA_TAG:
            conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}, {LABELS}, {WORDS}"))
            has_function = False  # rewritten: it may have changed with the tables
            self.was_reset = True
        self.has_trgm = _try_extension(conn, "pg_trgm")
        self.has_rum = rum is not False and _try_extension(conn, "rum")
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
        if tag != _SCHEMA_TAG:
            conn.execute(text(f"COMMENT ON TABLE {TABLE} IS '{_SCHEMA_TAG}'"))
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
        if self.has_rum:
            conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_tsv_gin"))
            indexes.append(f"{TABLE}_tsv_rum ON {TABLE} USING rum (tsv rum_tsvector_ops)")
        else:
            conn.execute(text(f"DROP INDEX IF EXISTS {TABLE}_tsv_rum"))
            indexes.append(f"{TABLE}_tsv_gin ON {TABLE} USING gin (tsv)")
        if self.has_trgm:
            indexes.append(f"{TABLE}_people_trgm ON {TABLE} USING gin (people gin_trgm_ops)")
        for index in indexes:
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {index}"))

    # --- writing ------------------------------------------------------------------------------

    def add(self, records: Iterable[Record], *, replace: bool = True) -> int:
        """Index records, replacing earlier versions; visible to searches after `commit()`."""
        rows: list[dict[str, Any]] = []
        labels: dict[tuple[str, str], str] = {}
        words: set[str] = set()
        for record in records:
            row, record_labels = record_row(record)
            rows.append(row)
            words.update(_words(row))
            for facet, value, label in record_labels:
                if labels.get((facet, value), value) == value:
                    labels[(facet, value)] = label
        if not rows:
            return 0
        with self._lock:
            writer = self._writer_()
            writer.execute(text(_INSERT), rows)
            writer.execute(text(_INSERT_WORDS), {"words": sorted(words)})
            self._unanalysed += len(rows)
            if labels:
                writer.execute(
                    text(_INSERT_LABEL),
                    [{"facet": f, "value": v, "label": labels[(f, v)]} for f, v in sorted(labels)],
                )
        return len(rows)

    def delete(self, ids: Iterable[str]) -> None:
        ids = [i for i in ids if i]
        if not ids:
            return
        with self._lock:
            self._writer_().execute(
                text(f"DELETE FROM {TABLE} WHERE record_id = ANY(CAST(:ids AS text[]))"),
                {"ids": ids},
            )

    def commit(self) -> None:
        """Publish what was added and deleted; searches started after this see it."""
        with self._lock:
            if self._writer is None:
                return
            writer, self._writer = self._writer, None
            try:
                writer.commit()
                if self._unanalysed >= ANALYZE_AFTER:
                    # Fresh statistics: the planner's choices, and more_like_this's word rarity.
                    writer.execute(text(f"ANALYZE {TABLE}"))
                    writer.commit()
                    self._unanalysed = 0
            finally:
                writer.close()

    def clear(self) -> None:
        """Empty the index (before a rebuild from the store)."""
        with self._lock:
            self._writer_().execute(text(f"TRUNCATE {TABLE}, {LABELS}, {WORDS}"))
            self.commit()

    def close(self) -> None:
        """Release the writer; what was not committed is discarded, as in a database."""
        with self._lock:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                writer.rollback()
                writer.close()

    def __enter__(self) -> PostgresIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writer_(self) -> Connection:
        if self._writer is None:
            self._writer = self.engine.connect()
        return self._writer

    # --- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar() or 0)

    def search(
        self,
        q: str = "",
        *,
        filters: dict[str, list[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        include_undated: bool = False,
        sort: Sort = "relevance",
        offset: int = 0,
        limit: int = 20,
        facets: Sequence[str] | None = FACETS,
        facet_size: int = 20,
        histogram: bool = True,
        snippets: bool = True,
        expand: Expand | None = None,
        expand_names: bool = True,
    ) -> SearchResult:
        """Search; never raises on what a reader typed, says what it repaired in `warnings`.

        The same contract as the Tantivy index: words must all match unless joined by OR;
        filters are ANDed within and across facets; a date range matches records whose own
        range overlaps it, and undated matches are counted in `undated_count` and included
        only with `include_undated`.
        """
        query = parse_query(q)
        if expand is not None and expand_names:
            query = expand_query_names(query, expand)
        warnings = list(query.warnings)
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
        result = SearchResult(
            hits=[], total=0, query=query, warnings=warnings, offset=offset, limit=limit
        )
        try:
            with self.engine.connect() as conn:
                _read_settings(conn)
                self._search(
                    conn,
                    query,
                    result,
                    filters=filters,
                    date_from=date_from,
                    date_to=date_to,
                    include_undated=include_undated,
                    sort=sort,
                    facets=facets,
                    facet_size=facet_size,
                    histogram=histogram,
                    snippets=snippets,
                )
                conn.rollback()
        except DBAPIError as exc:  # an engine refusal must reach the reader as a message
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            warnings.append(f"The search could not be run as written ({reason}).")
        return result

    def _search(
        self,
        conn: Connection,
        query: Query,
        result: SearchResult,
        *,
        filters: dict[str, list[str]] | None,
        date_from: str | None,
        date_to: str | None,
        include_undated: bool,
        sort: Sort,
        facets: Sequence[str] | None,
        facet_size: int,
        histogram: bool,
        snippets: bool,
    ) -> None:
        warnings = result.warnings
        analysis = _analyze(conn, query.root)
        compiler = _Compiler(analysis, include_undated)
        text_expr = compiler.compile(query.root)
        if query.root is not None and text_expr is None:
            warnings.append("The query has no words that can be searched; showing everything.")
        sql = _Sql()
        conditions = [sql.render(text_expr)] if text_expr is not None else []
        conditions += _filters(sql, filters, warnings)
        date_range = date_filter(date_from, date_to, warnings)
        if date_range is not None:
            conditions.append(sql.render(compiler.date_overlap(date_range)))
        where = " AND ".join(f"({c})" for c in conditions) or "TRUE"
        has_dates = date_range is not None or compiler.has_dates

        score, order = self._ranking(sql, compiler, sort)
        # The page first, then its texts: selected with the page, every match's body would be
        # unpacked before the sort picks twenty.
        rows = conn.execute(
            text(
                f"SELECT record_id, title, date_text, {score} FROM {TABLE} WHERE {where} "
                f"ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            {**sql.params, "limit": result.limit, "offset": result.offset},
        ).all()
        result.hits = [
            Hit(
                id=row[0],
                score=float(row[3] or 0.0) if sort == "relevance" else None,
                title=row[1],
                date=row[2] or "",
                title_html=html.escape(row[1], quote=False),
            )
            for row in rows
        ]
        if snippets and result.hits:
            texts = {
                row[0]: (row[1], row[2])
                for row in conn.execute(
                    text(
                        f"SELECT record_id, description, left(body, {HEADLINE_CHARS}) "
                        f"FROM {TABLE} WHERE record_id = ANY(CAST(:ids AS text[]))"
                    ),
                    {"ids": [hit.id for hit in result.hits]},
                )
            }
            pages = [(hit.title, *texts.get(hit.id, ("", ""))) for hit in result.hits]
            _add_snippets(conn, compiler, result.hits, pages)
        if compiler.names and result.hits:
            _mark_variants(conn, compiler, result.hits)
        self._count(conn, sql, where, facets, facet_size, histogram, result)
        if has_dates and not include_undated:
            relaxed = _Compiler(analysis, include_undated=True)
            usql = _Sql()
            relaxed_expr = relaxed.compile(query.root)
            parts = [usql.render(relaxed_expr)] if relaxed_expr is not None else []
            parts += _filters(usql, filters, [])
            parts.append("date_start IS NULL")
            where_undated = " AND ".join(f"({p})" for p in parts)
            result.undated_count = int(
                conn.execute(
                    text(f"SELECT count(*) FROM {TABLE} WHERE {where_undated}"),
                    usql.params,
                ).scalar()
                or 0
            )
        if result.total == 0 and self.has_trgm:
            self._suggest(conn, query, warnings)

    def _ranking(self, sql: _Sql, compiler: _Compiler, sort: Sort) -> tuple[str, str]:
        """The score expression and the ORDER BY of a page."""
        ranked = {c: qs for c, qs in compiler.positive.items() if qs}
        if sort == "date":
            return "0", "date_start ASC NULLS LAST, record_id"
        if sort == "-date":
            return "0", "date_start DESC NULLS LAST, record_id"
        if not ranked:
            return "0", "record_id"
        if self.use_rum and list(ranked) == ["tsv"]:
            param = sql.bind(" | ".join(f"({q})" for q in ranked["tsv"]))
            distance = f"(tsv <=> CAST({param} AS tsquery))"
            # The distance alone: any second sort key and RUM's ordered scan is not used.
            return f"1.0 / NULLIF({distance}, 0)", distance
        scores = []
        for column, queries in ranked.items():
            param = sql.bind(" | ".join(f"({q})" for q in queries))
            scores.append(
                f"ts_rank_cd('{RANK_WEIGHTS}', {column}, CAST({param} AS tsquery), "
                f"{RANK_NORMALIZATION})"
            )
        score = " + ".join(scores)
        return score, f"{score} DESC, record_id"

    def _count(
        self,
        conn: Connection,
        sql: _Sql,
        where: str,
        facets: Sequence[str] | None,
        size: int,
        histogram: bool,
        result: SearchResult,
    ) -> None:
        """The total, the undated matches, every facet and the timeline, in one statement."""
        size = max(1, min(int(size), 1000))
        counted = []
        for facet in facets or ():
            if facet not in FACETS:
                result.warnings.append(f'There is no facet "{facet}"; it was not counted.')
            elif facet not in counted:
                counted.append(facet)
        columns = ["date_start", *(f"f_{f}" for f in counted)]
        parts = [
            "SELECT '_total', NULL::text, count(*), "
            "(count(*) FILTER (WHERE date_start IS NULL))::text FROM m"
        ]
        for facet in counted:
            label = (
                f"(SELECT label FROM {LABELS} l WHERE l.facet = '{facet}' AND l.value = x.v)"
                if facet in _LABELLED
                else "x.v"
            )
            parts.append(
                f"SELECT '{facet}', x.v, x.n, {label} FROM ("
                f"SELECT v, count(*) AS n FROM m, unnest(m.f_{facet}) AS v "
                f"GROUP BY v ORDER BY n DESC, v LIMIT {size}) AS x"
            )
        if histogram:
            parts.append(
                "SELECT '_year', extract(year FROM date_start)::int::text, count(*), NULL "
                "FROM m WHERE date_start IS NOT NULL GROUP BY 2"
            )
        # Each facet is its own small GROUP BY over the matches, read once into `m`: quicker
        # than one pass that pairs every value with its facet.
        statement = (
            f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {TABLE} WHERE {where}) "
            + " UNION ALL ".join(f"({p})" for p in parts)
        )
        years: dict[int, int] = {}
        for kind, value, n, extra in conn.execute(text(statement), sql.params):
            if kind == "_total":
                result.total = int(n)
                result.undated_count = int(extra or 0)
            elif kind == "_year":
                years[int(value)] = int(n)
            else:
                result.facets.setdefault(kind, []).append(
                    FacetCount(value=value, label=extra or value, count=int(n))
                )
        for facet in counted:
            result.facets.setdefault(facet, [])
        if histogram:
            result.histogram = histogram_buckets(years)

    def _suggest(self, conn: Connection, query: Query, warnings: list[str]) -> None:
        """When nothing matched, offer the closest person names (pg_trgm) for name-like words."""
        for node in walk(query.root):
            if isinstance(node, Word | Phrase) and looks_like_name(node.text):
                found = _similar_names(conn, node.text, 1)
                if found and found[0].casefold() != node.text.casefold():
                    warnings.append(f'Nothing matched "{node.text}"; did you mean "{found[0]}"?')
                    return

    def suggest_names(self, name: str, limit: int = 5) -> list[str]:
        """The person names indexed that look most like `name` (trigram similarity)."""
        if not self.has_trgm or not name.strip():
            return []
        with self.engine.connect() as conn:
            return _similar_names(conn, name, limit)

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        """Records that share the most distinctive words of `record_id`'s text.

        A word's weight is how often and where (title above body) the record uses it, times
        its rarity, estimated from the planner's statistics (`pg_stats.most_common_elems`),
        so no pass over the table is needed.
        """
        limit = max(1, min(int(limit), 100))
        with self.engine.connect() as conn:
            _read_settings(conn)
            terms = conn.execute(
                text(
                    f"SELECT v.lexeme, v.weights FROM {TABLE} r, unnest(r.tsv) AS v "
                    "WHERE r.record_id = :id"
                ),
                {"id": record_id},
            ).all()
            if not terms:
                return []
            total, common, rare = self._term_frequencies(conn)
            weight = {"A": 1.0, "B": 0.5, "C": 0.3, "D": 0.1}
            scored = []
            for lexeme, weights in terms:
                if len(lexeme) < 3 and not _CJK.match(lexeme):
                    continue
                frequency = common.get(lexeme, rare)
                if frequency > MLT_MAX_FREQUENCY and total > 100:
                    continue
                use = sum(weight.get(w, 0.1) for w in weights or ["D"])
                scored.append((use * math.log(1.0 + 1.0 / max(frequency, 1e-9)), lexeme))
            top = [lexeme for _, lexeme in sorted(scored, reverse=True)[:MLT_TERMS]]
            if not top:
                return []
            sql = _Sql()
            param = sql.bind(" | ".join(_quote(t) for t in top))
            score = (
                f"ts_rank_cd('{RANK_WEIGHTS}', tsv, CAST({param} AS tsquery), {RANK_NORMALIZATION})"
            )
            rows = conn.execute(
                text(
                    f"SELECT record_id, title, date_text, {score} AS s FROM {TABLE} "
                    f"WHERE tsv @@ CAST({param} AS tsquery) AND record_id <> :id "
                    "ORDER BY s DESC, record_id LIMIT :limit"
                ),
                {**sql.params, "id": record_id, "limit": limit},
            ).all()
        return [
            Hit(
                id=r[0],
                score=float(r[3]),
                title=r[1],
                date=r[2] or "",
                title_html=html.escape(r[1], quote=False),
            )
            for r in rows
        ]

    def _term_frequencies(self, conn: Connection) -> tuple[float, dict[str, float], float]:
        """(rows, frequency of the commonest words, a frequency for any other word); cached."""
        if self._frequencies is not None and self._frequencies_at > time.monotonic() - 600:
            return self._frequencies
        row = conn.execute(
            text(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
                "c.reltuples FROM pg_stats s JOIN pg_class c ON c.oid = to_regclass(:t) "
                "WHERE s.tablename = :t AND s.attname = 'tsv' "
                "AND s.schemaname = current_schema()"
            ),
            {"t": TABLE},
        ).first()
        common: dict[str, float] = {}
        rare, total = 0.01, 0.0
        if row is not None and row[0] and row[1]:
            common = dict(zip(row[0], row[1], strict=False))
            rare = min(row[1]) / 2
            total = float(row[2] or 0)
        self._frequencies = (total, common, rare)
        self._frequencies_at = time.monotonic()
        return self._frequencies


def open_postgres(engine: Engine, **options: Any) -> PostgresIndex:
    """Open (creating its tables and indexes if needed) the search index in `engine`'s database."""
    return PostgresIndex(engine, **options)


# --- analysis -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Analysis:
    """PostgreSQL's lexemes of one piece of query text, as (position, lexeme) in order."""

    stemmed: tuple[tuple[int, str], ...]
    cjk: tuple[str, ...]  # the CJK runs of the text, matched as bigrams


@dataclass
class _Lexicon:
    """What the query's words became: analyses of texts, and the stems of each prefix."""

    texts: dict[str, _Analysis] = field(default_factory=dict)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def split_prefix(value: str) -> tuple[str, str]:
    """`Tse-t*` → ("Tse-", "t"): the text before the last word, and that word folded."""
    words = list(_WORD_ANY.finditer(value))
    if not words or _CJK.search(value):
        return value, ""
    last = words[-1]
    return value[: last.start()], fold(last.group())


def _analyze(conn: Connection, root: Node | None) -> _Lexicon:
    """Analyse every word, phrase and name form, and look up every prefix, in one round trip."""
    pieces: list[str] = []
    prefixes: list[str] = []
    for node in walk(root):
        if isinstance(node, Word) and node.prefix:
            head, tail = split_prefix(node.text)
            pieces.append(head if tail else node.text)
            if tail:
                prefixes.append(tail)
        elif isinstance(node, Word | Phrase):
            pieces.append(node.text)
        elif isinstance(node, Names):
            pieces += node.forms
    pieces = list(dict.fromkeys(p for p in pieces if p.strip()))
    prefixes = list(dict.fromkeys(prefixes))
    if not pieces and not prefixes:
        return _Lexicon()
    found: dict[tuple[int, str], list[tuple[int, str]]] = {}
    rows = conn.execute(
        text(
            "SELECT t.i, 's', v.lexeme, v.positions "
            "FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS t(txt, i), "
            f"unnest(to_tsvector('{STEMMED}'::regconfig, t.txt)) AS v "
            "UNION ALL SELECT p.i, 'p', x.stem, NULL "
            "FROM unnest(CAST(:lows AS text[]), CAST(:highs AS text[])) "
            "WITH ORDINALITY AS p(lo, hi, i), LATERAL (SELECT DISTINCT w.stem FROM ("
            f'SELECT stem FROM {WORDS} WHERE word >= p.lo COLLATE "C" '
            "AND word < p.hi COLLATE \"C\" AND stem <> '' ORDER BY word LIMIT 500) AS w "
            f"LIMIT {PREFIX_STEMS}) AS x"
        ),
        {
            "texts": [fold(_CJK.sub(" ", p)) for p in pieces],
            "lows": prefixes,
            "highs": [_after(p) for p in prefixes],
        },
    )
    for i, kind, lexeme, positions in rows:
        bucket = found.setdefault((int(i) - 1, kind), [])
        bucket += [(int(p), lexeme) for p in positions or [0]]
    return _Lexicon(
        texts={
            piece: _Analysis(
                stemmed=tuple(sorted(found.get((i, "s"), []))),
                cjk=tuple(_CJK.findall(piece)),
            )
            for i, piece in enumerate(pieces)
        },
        prefixes={
            prefix: tuple(sorted(lex for _, lex in found.get((i, "p"), [])))
            for i, prefix in enumerate(prefixes)
        },
    )


def _after(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix` (code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return prefix + "\U0010ffff"
    return prefix[:-1] + chr(last + 1 if last + 1 not in range(0xD800, 0xE000) else 0xE000)


# --- query compilation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ts:
    """A tsquery (as text) over one of the vectors."""

    column: str
    query: str


@dataclass(frozen=True)
class _Bool:
    op: str  # AND, OR, NOT
    children: tuple[_Expr, ...]


@dataclass(frozen=True)
class _Raw:
    sql: str
    params: tuple[tuple[str, Any], ...] = ()


_Expr = _Ts | _Bool | _Raw


@dataclass
class _Compiler:
    """fonds' query tree → SQL over the vectors, and what ranking and snippets need."""

    lexicon: _Lexicon
    include_undated: bool
    has_dates: bool = False
    # Per column, the tsqueries of every word that is not negated: what ranks a match.
    positive: dict[str, list[str]] = field(default_factory=dict)
    # What snippets mark (the same tsqueries without weights or field names); CJK runs.
    marks: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    cjk: list[str] = field(default_factory=list)
    names: list[tuple[str, _Expr]] = field(default_factory=list)
    _negated: int = 0

    def compile(self, node: Node | None) -> _Expr | None:
        if node is None:
            return None
        if isinstance(node, Word):
            return self.leaf(node.text, node.field, prefix=node.prefix)
        if isinstance(node, Phrase):
            return self.leaf(node.text, node.field)
        if isinstance(node, Names):
            forms = []
            for form in node.forms:
                expr = self.leaf(form, node.field)
                if expr is not None:
                    forms.append(expr)
                    self.names.append((form, expr))
            return _merge("OR", forms)
        if isinstance(node, DateRange):
            self.has_dates = True
            return self.date_overlap(node)
        if isinstance(node, Not):
            self._negated += 1
            child = self.compile(node.child)
            self._negated -= 1
            return None if child is None else _negate(child)
        op = "AND" if isinstance(node, And) else "OR"
        kids = [k for k in (self.compile(c) for c in node.children) if k is not None]
        return _merge(op, kids)

    def leaf(self, value: str, field_name: str | None, *, prefix: bool = False) -> _Expr | None:
        """One word, phrase or name form: a phrase of its lexemes in its column."""
        if prefix:
            head, tail = split_prefix(value)
            if tail:
                return self.prefix(head, tail, field_name)
        found = self.lexicon.texts.get(value)
        if found is None:
            return None
        parts: list[_Ts] = []
        if found.stemmed:
            parts.append(self.lexemes(found.stemmed, field_name))
        for run in found.cjk:
            tokens = cjk_tokens(run)[:-1] if len(run) > 1 else [run]
            pairs = tuple(enumerate(tokens, 1))
            parts.append(self.lexemes(pairs, field_name, last_prefix=len(run) == 1))
            if not self._negated:
                self.cjk.append(run)
        return _merge("AND", list(parts))

    def lexemes(
        self,
        found: tuple[tuple[int, str], ...],
        field_name: str | None,
        *,
        last_prefix: bool = False,
    ) -> _Ts:
        """A phrase of lexemes (one, or alternatives at one position) in the field's column."""
        column, weights, label = "tsv", "", ""
        if field_name == "title":
            weights = "A"
        elif field_name is not None:
            column, label = "tsv_fields", f"{field_name}:"
        last = found[-1][0]
        query = _phrase(
            found, lambda p, lex: _term(label + lex, weights, last_prefix and p == last)
        )
        mark = _phrase(found, lambda p, lex: _term(lex, "", last_prefix and p == last))
        if not self._negated:
            self.positive.setdefault(column, []).append(query)
            self.marks.append(mark)
            self.stems += [lex for _, lex in found]
        return _Ts(column, query)

    def prefix(self, head: str, tail: str, field_name: str | None) -> _Expr | None:
        """`negotiat*`: the stems of the indexed words that start so; words before it as words."""
        stems = self.lexicon.prefixes.get(tail, ())
        if not stems:
            return _Raw("FALSE")  # no word in the archive starts so
        tail_expr = self.lexemes(tuple((1, stem) for stem in stems), field_name)
        head_expr = self.leaf(head, field_name) if head.strip() else None
        return _merge("AND", [e for e in (head_expr, tail_expr) if e is not None])

    def date_overlap(self, rng: DateRange) -> _Expr:
        """Records whose [date_start, date_end] overlaps the range (and undated ones, if asked)."""
        clauses: list[str] = []
        params: list[tuple[str, Any]] = []
        if rng.end is not None:
            clauses.append("date_start <= {0}")
            params.append(("end", rng.end))
        if rng.start is not None:
            clauses.append(f"date_end >= {{{len(params)}}}")
            params.append(("start", rng.start))
        if not clauses:
            clauses.append("date_start IS NOT NULL")
        overlap = " AND ".join(clauses)
        if self.include_undated:
            overlap = f"({overlap}) OR date_start IS NULL"
        return _Raw(overlap, tuple(params))


def _term(lexeme: str, weights: str = "", prefix: bool = False) -> str:
    label = ("*" if prefix else "") + weights
    return _quote(lexeme) + (f":{label}" if label else "")


def _quote(lexeme: str) -> str:
    """A lexeme as tsquery text: quoted, so no character of it is read as an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _phrase(found: tuple[tuple[int, str], ...], render: Any) -> str:
    """Lexemes in order, `<N>` apart as in the text; alternatives at one position ORed."""
    groups: dict[int, list[str]] = {}
    for position, lexeme in found:
        groups.setdefault(position, []).append(render(position, lexeme))
    out, previous = "", None
    for position, terms in sorted(groups.items()):
        unique = list(dict.fromkeys(terms))
        group = unique[0] if len(unique) == 1 else f"({' | '.join(unique)})"
        out = group if previous is None else f"{out} <{position - previous}> {group}"
        previous = position
    return out if len(groups) < 2 else f"({out})"


def _merge(op: str, kids: list[_Expr]) -> _Expr | None:
    """AND/OR of expressions; tsqueries over the same column become one tsquery."""
    if not kids:
        return None
    if len(kids) == 1:
        return kids[0]
    joiner = " & " if op == "AND" else " | "
    by_column: dict[str, list[_Ts]] = {}
    rest: list[_Expr] = []
    for kid in kids:
        if isinstance(kid, _Ts):
            by_column.setdefault(kid.column, []).append(kid)
        else:
            rest.append(kid)
    merged: list[_Expr] = []
    for column, queries in by_column.items():
        if len(queries) == 1:
            merged.append(queries[0])
        else:
            merged.append(_Ts(column, joiner.join(f"({t.query})" for t in queries)))
    merged += rest
    return merged[0] if len(merged) == 1 else _Bool(op, tuple(merged))


def _negate(expr: _Expr) -> _Expr:
    if isinstance(expr, _Ts):
        return _Ts(expr.column, f"!({expr.query})")
    return _Bool("NOT", (expr,))


class _Sql:
    """Renders expressions to SQL text, every value a bound parameter."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def render(self, expr: _Expr) -> str:
        if isinstance(expr, _Ts):
            return f"{expr.column} @@ CAST({self.bind(expr.query)} AS tsquery)"
        if isinstance(expr, _Raw):
            names = [self.bind(value) for _, value in expr.params]
            return expr.sql.format(*names)
        if expr.op == "NOT":
            return f"NOT ({self.render(expr.children[0])})"
        return f" {expr.op} ".join(f"({self.render(c)})" for c in expr.children)


def _filters(sql: _Sql, filters: dict[str, list[str]] | None, warnings: list[str]) -> list[str]:
    out: list[str] = []
    for key, values in (filters or {}).items():
        if key not in FACETS and key not in FILTER_ONLY:
            warnings.append(f'There is no filter "{key}"; it was ignored.')
            continue
        wanted = [v for v in ([values] if isinstance(values, str) else values or []) if v]
        wanted = [v for v in wanted if isinstance(v, str)]
        if not wanted:
            continue
        if key == "id":
            out += [f"record_id = {sql.bind(v)}" for v in wanted]
        elif key == "status":
            out += [f"status = {sql.bind(v)}" for v in wanted]
        else:
            out.append(f"f_{key} @> CAST({sql.bind(wanted)} AS text[])")
    return out


# --- results ------------------------------------------------------------------------------------


def _add_snippets(
    conn: Connection,
    compiler: _Compiler,
    hits: list[Hit],
    texts: list[tuple[str, str, str]],
) -> None:
    """Marked titles and body snippets: PostgreSQL's headlines, CJK runs marked here.

    Headlines are made of the folded, escaped text (what was indexed) and put back onto the
    original letters by `_realign`, so `Хрущев` marks `Хрущёв` and `&lt;` stays escaped.
    """
    escaped = [(html.escape(t, quote=False), html.escape(b, quote=False)) for t, _, b in texts]
    marked: dict[tuple[str, int], str] = {}
    if compiler.marks:
        stems = sorted(set(compiler.stems), key=len, reverse=True)
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, stems)) + ")")
        folded = [fold(b) for _, b in escaped]
        windows = [_window(f, pattern if stems else None) for f in folded]
        rows = conn.execute(
            text(
                f"SELECT 't', h.i, ts_headline('{STEMMED}'::regconfig, h.txt, "
                f"CAST(:q AS tsquery), '{TITLE_OPTIONS}') "
                "FROM unnest(CAST(:titles AS text[])) WITH ORDINALITY AS h(txt, i) UNION ALL "
                f"SELECT 'b', h.i, ts_headline('{STEMMED}'::regconfig, h.txt, "
                f"CAST(:q AS tsquery), '{HEADLINE_OPTIONS}') "
                "FROM unnest(CAST(:bodies AS text[])) WITH ORDINALITY AS h(txt, i)"
            ),
            {
                "q": " | ".join(f"({m})" for m in compiler.marks),
                "titles": [fold(t) for t, _ in escaped],
                "bodies": [f[a:b] for f, (a, b) in zip(folded, windows, strict=True)],
            },
        )
        for kind, i, headline in rows:
            index = int(i) - 1
            if kind == "t":
                title = escaped[index][0]
                aligned = _realign(headline or "", fold(title), title)
            else:
                (a, b), whole = windows[index], escaped[index][1]
                aligned = _realign(
                    headline or "",
                    folded[index][a:b],
                    whole[a:b],
                    before=a > 0,
                    after=b < len(whole),
                )
            if "<mark>" in aligned:
                marked[(kind, index)] = aligned
    for index, hit in enumerate(hits):
        title, description, body = texts[index]
        title_html = marked.get(("t", index)) or _mark_runs(title, compiler.cjk, None)
        if title_html:
            hit.title_html = _join_marks(title_html)
        snippet = marked.get(("b", index)) or _mark_runs(body, compiler.cjk, SNIPPET_CHARS)
        hit.snippet = _join_marks(snippet) if snippet else _lead(description or body)


def _realign(
    headline: str, folded: str, original: str, *, before: bool = False, after: bool = False
) -> str:
    """Put the original text back under a headline PostgreSQL made of the folded text.

    Folding keeps every character's position, so the excerpt is found in the folded text
    and the same span of the original is marked. "" when it cannot be found. `before` and
    `after` say that `original` was itself cut from a longer text.
    """
    plain = _MARK.sub("", headline)
    if not plain.strip():
        return ""
    start = folded.find(plain)
    if start < 0:
        return ""
    out, pos = [], start
    for part in _MARK.split(headline):
        if part in ("<mark>", "</mark>"):
            out.append(part)
        else:
            out.append(original[pos : pos + len(part)])
            pos += len(part)
    result = " ".join("".join(out).split())
    if before or (start > 0 and folded[:start].strip()):
        result = "… " + result
    if after or folded[pos:].strip():
        result += " …"
    return result


def _window(folded: str, stems: re.Pattern[str] | None) -> tuple[int, int]:
    """The part of a body worth handing to ts_headline: around the first word of the query.

    ts_headline parses all it is given, at a few MB/s; a stem is nearly always the beginning
    of the words it comes from, so a search for it here finds where the match is.
    """
    if len(folded) <= HEADLINE_WINDOW:
        return 0, len(folded)
    found = stems.search(folded) if stems is not None else None
    start = max(0, found.start() - HEADLINE_WINDOW // 3) if found else 0
    end = min(len(folded), start + HEADLINE_WINDOW)
    if start > 0:  # begin and end between words
        space = folded.find(" ", start, found.start() if found else end)
        start = space + 1 if space >= 0 else start
    if end < len(folded):
        space = folded.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def _mark_runs(value: str, runs: list[str], window: int | None) -> str:
    """Mark every occurrence of the CJK runs in `value` (within a window around the first)."""
    hits = sorted(
        (m.start(), m.end()) for run in set(runs) for m in re.finditer(re.escape(run), value)
    )
    if not hits:
        return ""
    begin, end = 0, len(value)
    if window is not None:
        begin = max(0, hits[0][0] - window // 3)
        end = min(len(value), begin + window)
    out, pos = [], begin
    for s, e in hits:
        if s < pos or e > end:
            continue
        out.append(html.escape(value[pos:s], quote=False))
        out.append(f"<mark>{html.escape(value[s:e], quote=False)}</mark>")
        pos = e
    out.append(html.escape(value[pos:end], quote=False))
    text_ = " ".join("".join(out).split())
    if begin > 0:
        text_ = "… " + text_
    if end < len(value):
        text_ += " …"
    return text_


def _join_marks(value: str) -> str:
    """Neighbouring marks become one (the words of a phrase, the characters of a word)."""
    return re.sub(r"</mark>(\s*)<mark>", r"\1", value)


def _lead(value: str) -> str:
    """The start of a text, escaped: the snippet when no word of the query is in the body."""
    value = " ".join(value.split())
    if len(value) > SNIPPET_CHARS:
        value = value[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(value, quote=False)


def _mark_variants(conn: Connection, compiler: _Compiler, hits: list[Hit]) -> None:
    """Ask, per form of each expanded name, which of the hits on this page contain it."""
    sql = _Sql()
    columns = [sql.render(expr) for _, expr in compiler.names]
    ids = sql.bind([hit.id for hit in hits])
    rows = conn.execute(
        text(
            f"SELECT record_id, {', '.join(columns)} FROM {TABLE} "
            f"WHERE record_id = ANY(CAST({ids} AS text[]))"
        ),
        sql.params,
    ).all()
    found = {row[0]: row[1:] for row in rows}
    for hit in hits:
        flags = found.get(hit.id, ())
        forms = [form for (form, _), flag in zip(compiler.names, flags, strict=False) if flag]
        hit.matched_variants = list(dict.fromkeys(forms))


def _read_settings(conn: Connection) -> None:
    """A time limit, memory to count facets in, and indexes always.

    The planner does not know that a sequential scan unpacks every record's vector
    (kilobytes, out of line) to test `@@`, so for a word in a quarter of the records it
    would choose one and take ten times longer.
    """
    conn.execute(
        text(
            "SELECT set_config('statement_timeout', :ms, true), "
            "set_config('enable_seqscan', 'off', true), set_config('work_mem', '64MB', true)"
        ),
        {"ms": str(STATEMENT_TIMEOUT_MS)},
    )


def _similar_names(conn: Connection, name: str, limit: int) -> list[str]:
    conn.execute(
        text("SELECT set_config('pg_trgm.word_similarity_threshold', :least, true)"),
        {"least": str(SUGGEST_SIMILARITY)},
    )
    rows = conn.execute(
        text(
            "SELECT form FROM (SELECT DISTINCT unnest(string_to_array(people, E'\\n')) AS form "
            f"FROM {TABLE} WHERE :name <% people LIMIT 200) AS c "
            "WHERE word_similarity(:name, form) >= :least "
            "ORDER BY word_similarity(:name, form) DESC, form LIMIT :limit"
        ),
        {"name": name, "least": SUGGEST_SIMILARITY, "limit": max(1, min(limit, 50))},
    ).all()
    return [r[0] for r in rows]


def _try_extension(conn: Connection, name: str) -> bool:
    """Create an extension if this role may; a missing one only turns a feature off."""
    try:
        with conn.begin_nested():
            conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
    except SQLAlchemyError:
        return False
    return True


# --- helpers (as the Tantivy index does them) ---------------------------------------------------
