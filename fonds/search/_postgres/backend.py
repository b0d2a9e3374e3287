"""`PostgresIndex`: the `SearchBackend` in PostgreSQL, shared by every web worker."""

from __future__ import annotations

import html
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool, Pool, QueuePool

from fonds.model import Record
from fonds.search._postgres import facets as facet_counts
from fonds.search._postgres.compiler import (
    Compiler,
    Lexicon,
    Sql,
    analyze,
    filters_sql,
    quote,
)
from fonds.search._postgres.folding import CJK
from fonds.search._postgres.rows import (
    COUNT_NAMES,
    DROP_NAMES,
    INSERT,
    INSERT_LABEL,
    INSERT_WORDS,
    LABEL_IDS,
    name_forms,
    record_row,
    words_of,
)
from fonds.search._postgres.schema import (
    BROWSE,
    CHANGES,
    LABELS,
    NAMES,
    RANK_NORMALIZATION,
    RANK_WEIGHTS,
    TABLE,
    WORDS,
    setup,
)
from fonds.search._postgres.snippets import HEADLINE_CHARS, add_snippets, mark_variants
from fonds.search.query import (
    Expand,
    Phrase,
    Query,
    Word,
    date_filter,
    looks_like_name,
    parse_query,
    walk,
)
from fonds.search.query import expand_names as expand_query_names
from fonds.search.threads import ForkSafeThreads
from fonds.search.types import FACETS, Hit, SearchResult, Sort

MAX_LIMIT = 1000
MAX_OFFSET = 100_000
STATEMENT_TIMEOUT_MS = 15_000
ANALYZE_AFTER = 10_000  # records written since the last ANALYZE that call for another
MLT_TERMS = 25
MLT_MAX_FREQUENCY = 0.05  # words in more than 5% of records say nothing about likeness
SUGGEST_SIMILARITY = 0.4
# Searches whose counts run beside their page at once (each on a connection of its own).
COUNT_THREADS = 4
FORGET_CHANGES = (
    f"INSERT INTO {CHANGES} (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING",
    f"DELETE FROM {CHANGES} WHERE txid IN (SELECT txid FROM {CHANGES} "
    "WHERE txid < txid_current() FOR UPDATE SKIP LOCKED)",
)
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


class PostgresIndex:
    """Full-text search in PostgreSQL over `search_records`, shared by every worker.

    Writes go through one connection whose transaction `commit()` ends, so searches (on other
    connections) never see half a batch; `close()` rolls back what was not committed.
    Unless `rum=False`, when the `rum` extension can be created (Debian's
    `postgresql-15-rum`; creating it takes a superuser) both vectors get a RUM index instead
    of GIN and queries ranked on one of them are ranked by its index: the top 20 of a word in a
    quarter of 50,000 records in 20 ms rather than scoring all 13,000 (250 ms, see
    bench/bench_search_pg.py). Without it GIN serves, with the same results.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        rum: bool | None = None,
        sample_above: int | None = None,
        sample_size: int | None = None,
    ) -> None:
        self.engine = engine
        self.sample = facet_counts.Sample(
            facet_counts.SAMPLE_ABOVE if sample_above is None else sample_above,
            facet_counts.SAMPLE_SIZE if sample_size is None else sample_size,
        )
        self.was_reset = False
        self.has_trgm = False
        self.has_rum = False
        self._lock = threading.RLock()
        self._writer: Connection | None = None
        self._frequencies: tuple[float, dict[str, float], float] | None = None
        self._frequencies_at = 0.0
        self._unanalysed = 0
        self._counters = ForkSafeThreads(COUNT_THREADS, "fonds-pg-counts")
        self._apart = room_to_count_apart(engine.pool)
        with engine.begin() as conn:
            found = setup(conn, rum)
        self.was_reset, self.has_trgm, self.has_rum = found.was_reset, found.has_trgm, found.has_rum
        self.use_rum = self.has_rum

    # --- writing ------------------------------------------------------------------------------

    def add(self, records: Iterable[Record], *, replace: bool = True) -> int:
        """Index records, replacing earlier versions; visible to searches after `commit()`."""
        rows: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
        labels: dict[tuple[str, str], str] = {}
        words: set[str] = set()
        forms: dict[str, list[str]] = {}  # the last version of each record in the batch wins
        for record in records:
            row, record_labels = record_row(record)
            rows.append((row, [(facet, value) for facet, value, _ in record_labels]))
            forms[row["record_id"]] = name_forms(row["people"])
            words.update(words_of(row))
            for facet, value, label in record_labels:
                if labels.get((facet, value), value) == value:
                    labels[(facet, value)] = label
        if not rows:
            return 0
        keys = sorted(labels)  # one order for every writer: no deadlock between two of them
        pairs = {"facets": [f for f, _ in keys], "values": [v for _, v in keys]}
        with self._lock:
            writer = self._writer_()
            if keys:
                writer.execute(text(INSERT_LABEL), {**pairs, "labels": [labels[k] for k in keys]})
            ids = {(f, v): i for f, v, i in writer.execute(text(LABEL_IDS), pairs)}
            for row, values in rows:
                row["facet_ids"] = [ids[key] for key in values]
            counts: Counter[str] = Counter()
            for (people,) in writer.execute(
                text(f"SELECT people FROM {TABLE} WHERE record_id = ANY(CAST(:ids AS text[]))"),
                {"ids": list(forms)},
            ):
                counts.subtract(name_forms(people))  # the versions these rows replace
            writer.execute(text(INSERT), [row for row, _ in rows])
            for record_forms in forms.values():
                counts.update(record_forms)
            count_names(writer, counts)
            writer.execute(text(INSERT_WORDS), {"words": sorted(words)})
            self._unanalysed += len(rows)
        return len(rows)

    def delete(self, ids: Iterable[str]) -> None:
        ids = [i for i in ids if i]
        if not ids:
            return
        with self._lock:
            writer = self._writer_()
            counts: Counter[str] = Counter()
            for (people,) in writer.execute(
                text(
                    f"DELETE FROM {TABLE} WHERE record_id = ANY(CAST(:ids AS text[])) "
                    "RETURNING people"
                ),
                {"ids": ids},
            ):
                counts.subtract(name_forms(people))
            count_names(writer, counts)

    def commit(self) -> None:
        """Publish what was added and deleted; searches started after this see it."""
        with self._lock:
            if self._writer is None:
                return
            writer, self._writer = self._writer, None
            try:
                # The ids of the transactions that changed the records before this one are no
                # longer needed to tell snapshots apart: this one's own id does it now.
                for statement in FORGET_CHANGES:
                    writer.execute(text(statement))
                writer.commit()
                if self._unanalysed >= ANALYZE_AFTER:
                    # Fresh statistics (the planner's choices, more_like_this's word rarity),
                    # and the visibility map that lets facets be counted from the date index
                    # alone. VACUUM skips the pages it has already seen all-visible.
                    writer.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        f"VACUUM (ANALYZE) {TABLE}"
                    )
                    self._unanalysed = 0
            finally:
                writer.close()

    def clear(self) -> None:
        """Empty the index (before a rebuild from the store)."""
        with self._lock:
            self._writer_().execute(
                text(f"TRUNCATE {TABLE}, {LABELS}, {WORDS}, {NAMES}, {BROWSE} RESTART IDENTITY")
            )
            self.commit()

    def close(self) -> None:
        """Release the writer; what was not committed is discarded, as in a database."""
        with self._lock:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                writer.rollback()
                writer.close()
            self._counters.shutdown()

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
            # Repeatable read: the counts, taken on another connection at the same time, read
            # the snapshot this one exports, so they describe the same records as the page.
            with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                read_settings(conn)
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
                conn.commit()  # the browse counts, if this search counted and kept them
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
        analysis = analyze(conn, query.root)
        compiler = Compiler(analysis, include_undated)
        text_expr = compiler.compile(query.root)
        if query.root is not None and text_expr is None:
            warnings.append("The query has no words that can be searched; showing everything.")
        sql = Sql()
        conditions = [sql.render(text_expr)] if text_expr is not None else []
        conditions += filters_sql(sql, filters, warnings)
        date_range = date_filter(date_from, date_to, warnings)
        if date_range is not None:
            conditions.append(sql.render(compiler.date_overlap(date_range)))
        where = " AND ".join(f"({c})" for c in conditions) or "TRUE"
        has_dates = date_range is not None or compiler.has_dates

        score, order = self._ranking(sql, compiler, sort)
        # Ranked by a score no index gives in order: the page reads every match's row, so the
        # counts are taken from the same pass.
        together = sort == "relevance" and order == f"{score} DESC, record_id"
        # Matches found by words are read from the table, ids and all: those may be sampled.
        counts = Counts(
            facets, facet_size, histogram, self.sample if text_expr is not None else None
        )
        apart: list[Callable[[Connection], object]] = []
        # Browsing (every record) reads kept counts in a millisecond: not worth a connection.
        browsing = where == "TRUE"
        if browsing:
            apart.append(lambda c: facet_counts.browse(c, facets, facet_size, histogram, result))
        elif not together:
            apart.append(lambda c: counts.count(c, sql, where, result))
        undated: list[int] = []  # set after the counts, which count every undated match
        if has_dates and not include_undated:
            apart.append(lambda c: undated.append(count_undated(c, analysis, query, filters)))
        counting = None if browsing else self._count_apart(conn, apart)
        try:
            self._page(
                conn,
                compiler,
                sql,
                where,
                score,
                order,
                sort,
                result,
                snippets,
                counts if together else None,
            )
            if counting is None or counting.cancel():
                # Not counted apart (browsing, or the pool is too small), or every counting
                # thread was busy with other searches: count here instead (waiting would hold
                # this connection while those may wait for one).
                for task in apart:
                    task(conn)
        except BaseException:
            if counting is not None and not counting.cancel():
                counting.exception()  # wait for it (the connection is shared); this error wins
            raise
        if counting is not None and not counting.cancelled():
            counting.result()  # its error, if any, is the search's
        if undated:
            result.undated_count = undated[0]
        if result.total == 0 and self.has_trgm:
            self._suggest(conn, query, warnings)

    def _page(
        self,
        conn: Connection,
        compiler: Compiler,
        sql: Sql,
        where: str,
        score: str,
        order: str,
        sort: Sort,
        result: SearchResult,
        snippets: bool,
        counts: Counts | None,
    ) -> None:
        """The page of hits with their snippets; with `counts`, also the counts of all matches
        (from the same pass over them)."""
        rows: Sequence[Any]
        if counts is not None:
            rows = counts.count(
                conn, sql, where, result, facet_counts.Page(score, result.limit, result.offset)
            )
        else:
            # The page first, then its texts: selected with the page, every match's body would
            # be unpacked before the sort picks twenty.
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
            add_snippets(conn, compiler, result.hits, pages)
        if compiler.names and result.hits:
            mark_variants(conn, compiler, result.hits)

    def _count_apart(
        self, conn: Connection, tasks: list[Callable[[Connection], object]]
    ) -> Future[None] | None:
        """Run `tasks` on a connection of their own, beside the page, in `conn`'s snapshot.

        Counting every match (~50 ms for 13,000 at 50,000 records) and making the page and its
        snippets take about as long each; on two connections they take the time of the longer.
        The tasks fill fields of the result the page does not touch.
        """
        if not tasks or not self._apart:
            return None
        snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar())
        if not SNAPSHOT_ID.fullmatch(snapshot):  # never: the server's own format
            raise ValueError(f"unexpected snapshot id {snapshot!r}")

        def run() -> None:
            with self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            ) as other:
                other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                read_settings(other)
                for task in tasks:
                    task(other)
                other.commit()  # what the tasks kept (the browse counts), if anything

        return self._counters.submit(run)

    def _ranking(self, sql: Sql, compiler: Compiler, sort: Sort) -> tuple[str, str]:
        """The score expression and the ORDER BY of a page."""
        ranked = {c: qs for c, qs in compiler.positive.items() if qs}
        if sort == "date":
            return "0", "date_start ASC NULLS LAST, record_id"
        if sort == "-date":
            return "0", "date_start DESC NULLS LAST, record_id"
        if not ranked:
            return "0", "record_id"
        if self.use_rum and len(ranked) == 1:  # both vectors have a RUM index
            [(column, queries)] = ranked.items()
            param = sql.bind(" | ".join(f"({q})" for q in queries))
            distance = f"({column} <=> CAST({param} AS tsquery))"
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

    def _suggest(self, conn: Connection, query: Query, warnings: list[str]) -> None:
        """When nothing matched, offer the closest person names (pg_trgm) for name-like words."""
        for node in walk(query.root):
            if isinstance(node, Word | Phrase) and looks_like_name(node.text):
                found = similar_names(conn, node.text, 1)
                if found and found[0].casefold() != node.text.casefold():
                    warnings.append(f'Nothing matched "{node.text}"; did you mean "{found[0]}"?')
                    return

    def suggest_names(self, name: str, limit: int = 5) -> list[str]:
        """The person names indexed that look most like `name` (trigram similarity).

        The closest first, names as close in byte order: the same answer on every run.
        """
        if not self.has_trgm or not name.strip():
            return []
        with self.engine.connect() as conn:
            return similar_names(conn, name, limit)

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        """Records that share the most distinctive words of `record_id`'s text.

        A word's weight is how often and where (title above body) the record uses it, times
        its rarity, estimated from the planner's statistics (`pg_stats.most_common_elems`),
        so no pass over the table is needed.
        """
        limit = max(1, min(int(limit), 100))
        with self.engine.connect() as conn:
            read_settings(conn)
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
                if len(lexeme) < 3 and not CJK.match(lexeme):
                    continue
                frequency = common.get(lexeme, rare)
                if frequency > MLT_MAX_FREQUENCY and total > 100:
                    continue
                use = sum(weight.get(w, 0.1) for w in weights or ["D"])
                scored.append((use * math.log(1.0 + 1.0 / max(frequency, 1e-9)), lexeme))
            top = [lexeme for _, lexeme in sorted(scored, reverse=True)[:MLT_TERMS]]
            if not top:
                return []
            sql = Sql()
            param = sql.bind(" | ".join(quote(t) for t in top))
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


def room_to_count_apart(pool: Pool) -> bool:
    """Whether the pool has connections enough to count apart without a deadlock.

    Searches hold a connection while their counts wait for a second one. The counts of all
    but COUNT_THREADS searches are still queued and are taken back (counted on the search's
    own connection) when their page is done, so the pool needs more than COUNT_THREADS.
    """
    if isinstance(pool, NullPool):
        return True
    if isinstance(pool, QueuePool):
        overflow = pool._max_overflow  # noqa: SLF001  (no public reader; -1 is unlimited)
        return overflow < 0 or pool.size() + overflow > COUNT_THREADS
    return False


@dataclass(frozen=True)
class Counts:
    """What a search counts over all its matches, and whether it may sample them."""

    facets: Sequence[str] | None
    size: int
    histogram: bool
    sample: facet_counts.Sample | None

    def count(
        self,
        conn: Connection,
        sql: Sql,
        where: str,
        result: SearchResult,
        page: facet_counts.Page | None = None,
    ) -> list[tuple[str, str, str, float]]:
        return facet_counts.count(
            conn, sql, where, self.facets, self.size, self.histogram, result, page, self.sample
        )


def count_undated(
    conn: Connection, analysis: Lexicon, query: Query, filters: dict[str, list[str]] | None
) -> int:
    """How many undated records the query would match without its date range."""
    relaxed = Compiler(analysis, include_undated=True)
    usql = Sql()
    relaxed_expr = relaxed.compile(query.root)
    parts = [usql.render(relaxed_expr)] if relaxed_expr is not None else []
    parts += filters_sql(usql, filters, [])
    parts.append("date_start IS NULL")
    where = " AND ".join(f"({p})" for p in parts)
    found = conn.execute(text(f"SELECT count(*) FROM {TABLE} WHERE {where}"), usql.params)
    return int(found.scalar() or 0)


def open_postgres(engine: Engine, **options: Any) -> PostgresIndex:
    """Open (creating its tables and indexes if needed) the search index in `engine`'s database."""
    return PostgresIndex(engine, **options)


def read_settings(conn: Connection) -> None:
    """A time limit, memory to count facets in, indexes always, and no JIT.

    The planner does not know that a sequential scan unpacks every record's vector
    (kilobytes, out of line) to test `@@`, so for a word in a quarter of the records it
    would choose one and take ten times longer. Turning sequential scans off makes every
    plan look expensive (10^10), which wakes the JIT compiler: it spent ~300 ms compiling the
    facet counts of the empty query at 50,000 records, which then ran in ~350 ms without it.
    """
    conn.execute(
        text(
            "SELECT set_config('statement_timeout', :ms, true), "
            "set_config('enable_seqscan', 'off', true), set_config('work_mem', '64MB', true), "
            "set_config('jit', 'off', true)"
        ),
        {"ms": str(STATEMENT_TIMEOUT_MS)},
    )


def similar_names(conn: Connection, name: str, limit: int) -> list[str]:
    """Every indexed name form `name` is like (the trigram index finds them), best first.

    All candidates are ranked, not the first few the index yields, and ties go by the form
    (`search_names.form` sorts bytewise), so the answer does not change between runs.
    """
    conn.execute(
        text("SELECT set_config('pg_trgm.word_similarity_threshold', :least, true)"),
        {"least": str(SUGGEST_SIMILARITY)},
    )
    rows = conn.execute(
        text(
            f"SELECT form FROM {NAMES} WHERE :name <% form "
            "AND word_similarity(:name, form) >= :least "
            "ORDER BY word_similarity(:name, form) DESC, form LIMIT :limit"
        ),
        {"name": name, "least": SUGGEST_SIMILARITY, "limit": max(1, min(limit, 50))},
    ).all()
    return [r[0] for r in rows]


def count_names(writer: Connection, counts: Counter[str]) -> None:
    """Add `counts` to `search_names`' record counts; drop the forms no record holds now."""
    forms = sorted(form for form, n in counts.items() if n)
    if not forms:
        return
    writer.execute(text(COUNT_NAMES), {"forms": forms, "counts": [counts[f] for f in forms]})
    if any(counts[form] < 0 for form in forms):
        writer.execute(text(DROP_NAMES), {"forms": [f for f in forms if counts[f] < 0]})
