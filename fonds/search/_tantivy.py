"""The embedded search index: Tantivy in a directory beside the archive's database.

The database is the source of truth; this index is derived from records and can be rebuilt
at any time (`clear()` then `add()`). The store calls `add`/`delete`/`commit`; pages call
`search`. Queries arrive as fonds' own tree (`query.py`) and are compiled here into Tantivy
query objects, so nothing a reader types is parsed by Tantivy.

Text is indexed once per field with one analyzer that serves English, Russian and Chinese
together: words are lower-cased and folded to ASCII where they are Latin, stemmed by the
English and then the Russian Snowball stemmer (each leaves the other's script alone), and
Chinese or Japanese characters become one token each, so a phrase of characters finds any
substring of a Chinese text. A second, unstemmed field (`exact`) is kept only for its term
dictionary, which turns `negotiat*` into the real words that start so.

Facets are fast text fields counted by Tantivy's terms aggregation in one pass over the
matches; the timeline is a histogram aggregation over the start year. Counting costs about
0.1 µs per match (more for facets with many values per record, such as people): 120 ms over
a million matches. So above SAMPLE_ABOVE matches the facets and timeline are counted over a
fixed, deterministic slice of the records (those whose id hashes into the first shards,
about SAMPLE_SIZE matches), scaled to all matches and marked `estimated`, which pages show
as "about". The total and the undated count are always exact. The counting runs on other
threads while the searching one ranks the page (Tantivy releases the GIL): it waits a few
milliseconds for the ranking pass's number of matches, and a slow search (a phrase over a
million records) does not wait, so it costs about one pass over its matches on an idle
two-core machine instead of two.

The browse page (no words, no filters: every record) is the most visited search and the
largest, so its counts are made exactly once per commit instead (`write_browse_counts`) and
kept beside the index in BROWSE_FILE, tagged with a hash of the commit's meta.json: every
process that opens the directory (the web workers, an ingest elsewhere) can tell whether the
file describes the commit it searches, and counts the usual way when it does not.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from fonds.model import Record
from fonds.search.fields import date_text, facet_values, field_texts, meta_texts
from fonds.search.query import (
    And,
    DateRange,
    Expand,
    Names,
    Node,
    Not,
    Phrase,
    Word,
    date_filter,
    parse_query,
)
from fonds.search.query import expand_names as expand_query
from fonds.search.threads import ForkSafeThreads
from fonds.search.types import (
    FACETS,
    FILTER_ONLY,
    FacetCount,
    Hit,
    SearchResult,
    Sort,
    histogram_buckets,
    scaled_count,
)

# 2: the `sample` shard of each record, for estimated facet counts.
# 3: Tantivy's `simple` tokenizer over text with its CJK characters spaced apart.
SCHEMA_VERSION = 3
MARKER = "fonds-search.json"
# The exact counts of the empty query at the last commit; see `write_browse_counts`.
BROWSE_FILE = "fonds-browse.json"
BROWSE_FORMAT = 1
TEXT = "fonds_text"
EXACT = "fonds_exact"
# Chinese and Japanese characters (Han, kana): each one a word of its own. Tantivy's
# `simple` tokenizer (runs of letters and digits) analyses text twice as fast as a regex
# tokenizer that split them, so they are spaced apart before the text reaches it.
_CJK_CLASS = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002fa1f"
)
_CJK = re.compile(f"[{_CJK_CLASS}]")
# Where a CJK character meets any other letter: the gap goes there, nowhere else.
_CJK_EDGE = re.compile(f"(?<=[{_CJK_CLASS}])(?=\\S)|(?<=\\S)(?=[{_CJK_CLASS}])")
# What separates them: a zero-width space, which the tokenizer splits on and no reader sees.
_GAP = "\u200b"
# Where an unqualified word is looked for, and how much a match there counts.
DEFAULT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("description", 2.0),
    ("body", 1.0),
    ("person", 1.0),
    ("place", 1.5),
    ("subject", 1.5),
    ("meta", 0.5),
)
TIE_BREAKER = 0.2
# How much a match on another form of a name counts beside the form the reader typed.
OTHER_FORM_WEIGHT = 0.5
# Facets whose value (an id) differs from what a page shows; their label field holds both.
_LABELLED = ("collection", "person", "language")
_SEP = "\x1f"
SNIPPET_CHARS = 240
SNIPPET_WINDOW = 600
PREFIX_TERMS = 50
# Facets are counted exactly up to this many matches; above it, on about SAMPLE_SIZE of them
# (~9 ms instead of ~120 ms for the empty query at a million), by whole shards of SHARDS.
SAMPLE_ABOVE = 30_000
SAMPLE_SIZE = 15_000
SHARDS = 1024
# The first shards a search with many matches counts its facets on (1/16 of the records).
QUICK_SHARDS = 64
# How long counting waits for the ranking pass's number of matches before it counts without.
COUNT_WAIT = 0.010
# Threads that count while a searching thread ranks, shared by every index of the process.
COUNTING = ForkSafeThreads(2, "fonds-count")
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
_MLT_STOP_WORDS = (
    "the a an and or of to in on at for by with from as is was were be been it its this that "
    "which who he she they we you i his her their our not no but if so than then there"
).split()


def text_analyzer() -> tantivy.TextAnalyzer:
    """The analyzer of every searchable text field, and of query words before term queries."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .filter(tantivy.Filter.stemmer("russian"))
        .build()
    )


def exact_analyzer() -> tantivy.TextAnalyzer:
    """Like `text_analyzer` without stemming: its dictionary holds real words, for prefixes."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


_TEXT = text_analyzer()
_EXACT = exact_analyzer()


def spaced(text: str) -> str:
    """Text as fonds' analyzers read it: NFC, each CJK character a word of its own."""
    if text.isascii():  # most names and terms: nothing to do, known at once
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CJK.search(text) is None:
        return text
    return _CJK_EDGE.sub(_GAP, text)


def unspaced(text: str) -> str:
    """Stored text, or a snippet of it, as written: without the gaps `spaced` put in (a
    highlighted Chinese word then reads as one mark)."""
    if _GAP not in text:
        return text
    return text.replace(_GAP, "").replace("</mark><mark>", "")


def analyze(text: str) -> list[str]:
    """The terms of `text` in the searchable fields (query words go through this too)."""
    return list(_TEXT.analyze(spaced(text)))


def analyze_exact(text: str) -> list[str]:
    """The unstemmed terms of `text` (the `exact` field's dictionary, for prefixes)."""
    return list(_EXACT.analyze(spaced(text)))


def build_schema() -> tantivy.Schema:
    """The index layout; bump SCHEMA_VERSION when it changes so old indexes are rebuilt."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name=TEXT)
    sb.add_text_field("description", stored=True, tokenizer_name=TEXT)
    sb.add_text_field("body", stored=True, tokenizer_name=TEXT)
    for name in ("person", "place", "subject", "meta", *_FIELD_ONLY):
        sb.add_text_field(name, tokenizer_name=TEXT)
    sb.add_text_field("exact", tokenizer_name=EXACT, index_option="basic")
    sb.add_text_field("date_text", stored=True, tokenizer_name="raw", index_option="basic")
    # Dates as YYYYMMDD integers: any year an archive holds, sortable, range-filterable.
    sb.add_integer_field("date_start", stored=True, indexed=True, fast=True)
    sb.add_integer_field("date_end", indexed=True, fast=True)
    sb.add_integer_field("year", fast=True)
    sb.add_integer_field("dated", indexed=True, fast=True)
    sb.add_integer_field("sample", indexed=True, fast=True)
    for facet in (*FACETS, "status"):
        sb.add_text_field(f"f_{facet}", tokenizer_name="raw", fast=True, index_option="basic")
    for facet in _LABELLED:
        sb.add_text_field(f"fl_{facet}", tokenizer_name="raw", fast=True, index_option="basic")
    return sb.build()


# Fields reachable only as `field:value`.
_FIELD_ONLY = ("collection", "language", "classification", "repository", "donor", "type")


def record_document(record: Record) -> tantivy.Document:
    """The index entry of one record: searchable text, facet values, date range."""
    doc = tantivy.Document()
    doc.add_text("id", record.id)
    # Every text is spaced once: the `exact` field reuses what the other fields were given.
    title, description, body = (
        spaced(text) for text in (record.title, record.description or "", record.body_text)
    )
    doc.add_text("title", title)
    if description:
        doc.add_text("description", description)
    if body:
        doc.add_text("body", body)

    terms = {
        name: [spaced(value) for value in values] for name, values in field_texts(record).items()
    }
    for name, values in terms.items():
        for value in values:
            doc.add_text(name, value)
    for text in meta_texts(record):
        doc.add_text("meta", spaced(text))
    exact = [title, description, body, *terms["person"], *terms["place"], *terms["subject"]]
    doc.add_text("exact", "\n".join(v for v in exact if v))

    dated = record.doc_date
    if dated is not None and dated.start is not None:
        end = dated.end or dated.start
        doc.add_integer("date_start", _day(dated.start))
        doc.add_integer("date_end", _day(end))
        doc.add_integer("year", dated.start.year)
        doc.add_integer("dated", 1)
    else:
        doc.add_integer("dated", 0)
    doc.add_text("date_text", date_text(record))
    doc.add_integer("sample", shard_of(record.id))

    for facet, pairs in facet_values(record).items():
        for key, label in dict(pairs).items():
            doc.add_text(f"f_{facet}", key)
            if facet in _LABELLED:
                doc.add_text(f"fl_{facet}", f"{key}{_SEP}{label}")
    doc.add_text("f_status", record.status)
    return doc


def shard_of(record_id: str) -> int:
    """The record's sample shard: a hash of its id, so the same records are always sampled."""
    digest = hashlib.blake2b(record_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % SHARDS


class TantivyIndex:
    """A Tantivy index in `path`: one writer per process (behind a lock), readers at will.

    Readers always see the last commit whole, never a writer's half-done batch. The writer
    is opened on the first `add`/`delete` and released at `commit()`, so another process
    (`fonds ingest` beside `fonds serve`) can take its turn.
    """

    def __init__(
        self,
        path: Path,
        *,
        heap_size: int = 128_000_000,
        threads: int = 0,
        sample_above: int | None = None,
        sample_size: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.sample_above = SAMPLE_ABOVE if sample_above is None else sample_above
        self.sample_size = SAMPLE_SIZE if sample_size is None else sample_size
        self.path.mkdir(parents=True, exist_ok=True)
        self.was_reset = _reset_if_stale(self.path)
        self.schema = build_schema()
        self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._index.register_tokenizer(TEXT, _TEXT)
        self._index.register_tokenizer(EXACT, _EXACT)
        (self.path / MARKER).write_text(json.dumps({"schema": SCHEMA_VERSION}))
        # Half the cores: an ingest's parser workers take the rest. On the 2-core bench
        # machine one indexing thread made fewer, larger segments and fewer merges than two:
        # peak RSS 734 instead of 962 MB for the FRUS corpus, and 5% less CPU.
        self._threads = threads or max(1, min(4, (os.cpu_count() or 1) // 2))
        self._heap = max(heap_size, 16_000_000 * self._threads)
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.RLock()
        # The meta.json hash the reader was last reloaded at, and the browse file as read.
        self._reader_tag: str | None = None
        self._browse: _Browse | None = None

    # --- writing ------------------------------------------------------------------------------

    def add(self, records: Iterable[Record], *, replace: bool = True) -> int:
        """Index records, replacing earlier versions (skip that with replace=False on a rebuild)."""
        n = 0
        with self._lock:
            writer = self._writer_()
            for record in records:
                if replace:
                    writer.delete_documents_by_term("id", record.id)
                writer.add_document(record_document(record))
                n += 1
        return n

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._writer_()
            for record_id in ids:
                writer.delete_documents_by_term("id", record_id)

    def commit(self) -> None:
        """Publish what was added and deleted; searches started after this see it."""
        with self._lock:
            if self._writer is None:
                return
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            self._index.reload()
            self.write_browse_counts()

    def write_browse_counts(self) -> bool:
        """Count the empty query's facets, timeline and undated records exactly, and keep them
        in BROWSE_FILE tagged with this commit's meta.json; True if written.

        Called by `commit()` (and by whatever fills the index by other means). Only an index
        larger than `sample_above` gets the file: below it a live count is exact and cheap
        (~6 ms at 30,000), above it the count costs ~0.2 s at a million records, paid here
        once instead of by every cold browse search in every worker. Counts up to
        MAX_LIMIT values per facet, so any `facet_size` a search asks for is a cut of them.
        Never raises: without the file, searches count as they would anyway.
        """
        target = self.path / BROWSE_FILE
        try:
            tag = _meta_tag(self.path)
            self._index.reload()
            self._reader_tag = tag
            searcher = self._index.searcher()
            total = int(searcher.num_docs)
            if tag is None or total <= self.sample_above:
                target.unlink(missing_ok=True)
                return False
            spec: dict[str, Any] = {f: _terms(f, MAX_LIMIT) for f in FACETS}
            spec["_years"] = _YEARS
            spec["_dated"] = _DATED
            aggs = searcher.aggregate(tantivy.Query.all_query(), spec)
            # Another process committed while this one counted: its own commit writes the file.
            if _meta_tag(self.path) != tag:
                return False
            data = {
                "format": BROWSE_FORMAT,
                "tag": tag,
                "total": total,
                "undated": _bucket_count(aggs.get("_dated"), 0),
                "years": {
                    str(int(b["key"])): int(b["doc_count"])
                    for b in aggs.get("_years", {}).get("buckets", [])
                },
                "facets": {
                    f: [[c.value, c.label, c.count] for c in _facet_counts(f, aggs)] for f in FACETS
                },
            }
            # Written whole under another name, then renamed: readers see the old or the new.
            temporary = target.with_name(f".{BROWSE_FILE}.{os.getpid()}.{threading.get_ident()}")
            try:
                temporary.write_text(json.dumps(data, ensure_ascii=False))
                temporary.replace(target)
            finally:
                temporary.unlink(missing_ok=True)
            return True
        except (OSError, ValueError, TypeError, KeyError, RuntimeError):
            return False

    def clear(self) -> None:
        """Empty the index (before a rebuild from the store)."""
        with self._lock:
            self._writer_().delete_all_documents()
            self.commit()

    def close(self) -> None:
        """Release the writer; what was not committed is discarded, as in a database."""
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer.wait_merging_threads()
                self._writer = None

    def __enter__(self) -> TantivyIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writer_(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(self._heap, self._threads)
        return self._writer

    # --- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

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

        Words must all match unless joined by OR. Filters are ANDed, within a facet and
        across facets. A date range (from `date_from`/`date_to` or `date:` in the query)
        matches records whose own range overlaps it; undated matches are counted in
        `undated_count` and included only with `include_undated`.
        """
        query = parse_query(q)
        if expand is not None and expand_names:
            query = expand_query(query, expand)
        warnings = list(query.warnings)
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
        # Perhaps the browse page, whose counts may be kept (see `write_browse_counts`).
        browsing = query.root is None and not date_from and not date_to
        tag = self._current_tag() if browsing else None
        searcher = self._index.searcher()

        compiler = _Compiler(self.schema, searcher, include_undated)
        text_q = compiler.compile(query.root)
        if query.root is not None and text_q is None:
            warnings.append("The query has no words that can be searched; showing everything.")
        must = self._filters(filters, warnings)
        date_range = date_filter(date_from, date_to, warnings)
        if date_range is not None:
            must.append(compiler.date_overlap(date_range))
        final = _all([text_q, *must])
        has_dates = date_range is not None or compiler.has_dates

        result = SearchResult(
            hits=[], total=0, query=query, warnings=warnings, offset=offset, limit=limit
        )
        spec = self._facet_spec(facets, facet_size, histogram, warnings)
        kept = None
        if tag is not None and text_q is None and not must:
            kept = self._browse_counts(tag, int(searcher.num_docs))
        # The counting passes run on other threads while this one ranks the page: each
        # matches the query again (a phrase costs ~45 ms at a million records), and Tantivy
        # releases the GIL while it works, so on two cores they take the time of one pass.
        counting, ranked = None, _Total()
        if spec and kept is None:
            counting = COUNTING.submit(self._count_matches, searcher, final, spec, ranked)
        undated_count = None
        if has_dates and not include_undated:
            relaxed = _Compiler(self.schema, searcher, include_undated=True, undated_only=True)
            undated_q = _all(
                [
                    relaxed.compile(query.root),
                    *self._filters(filters, []),
                    tantivy.Query.term_query(self.schema, "dated", 0),
                ]
            )
            undated_count = COUNTING.submit(_match_count, searcher, undated_q)
        try:
            found = self._run(searcher, final, sort, offset, limit)
            result.total = _count(found)
            ranked.set(result.total)
            result.hits = self._hits(
                searcher, found.hits, text_q, sort, snippets, sorted(compiler.tokens)
            )
            if compiler.name_forms and result.hits:
                self._mark_variants(searcher, compiler.name_forms, result.hits)
            if kept is not None:
                self._kept_counts(kept, spec, facet_size, result)
            counted = counting.result() if counting is not None else None
            if counted is not None and result.total:
                counted.fill(result, spec)
            if undated_count is not None:
                result.undated_count = undated_count.result()
            elif counted is not None:
                result.undated_count = counted.undated
        except ValueError as exc:  # an engine refusal must reach the reader as a message
            warnings.append(f"The search could not be run as written ({exc}).")
        return result

    def more_like_this(self, record_id: str, limit: int = 5) -> list[Hit]:
        """Records that share the most distinctive words of `record_id`'s text."""
        searcher = self._index.searcher()
        own = tantivy.Query.term_query(self.schema, "id", record_id)
        found = searcher.search(own, 1)
        if not found.hits:
            return []
        address = found.hits[0][1]
        mlt = tantivy.Query.more_like_this_query(
            address,
            min_doc_frequency=1,
            min_term_frequency=1,
            max_query_terms=25,
            min_word_length=3,
            stop_words=_MLT_STOP_WORDS,
        )
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, mlt), (tantivy.Occur.MustNot, own)]
        )
        similar = searcher.search(query, max(1, min(limit, 100)))
        return self._hits(searcher, similar.hits, None, "relevance", snippets=False)

    # --- parts of a search --------------------------------------------------------------------

    def _filters(
        self, filters: dict[str, list[str]] | None, warnings: list[str]
    ) -> list[tantivy.Query]:
        out: list[tantivy.Query] = []
        for key, values in (filters or {}).items():
            if key not in FACETS and key not in FILTER_ONLY:
                warnings.append(f'There is no filter "{key}"; it was ignored.')
                continue
            name = "id" if key == "id" else f"f_{key}"
            for value in [values] if isinstance(values, str) else values or []:
                if isinstance(value, str) and value:
                    term = tantivy.Query.term_query(self.schema, name, value)
                    out.append(tantivy.Query.const_score_query(term, 0.0))
        return out

    def _run(
        self, searcher: tantivy.Searcher, query: tantivy.Query, sort: Sort, offset: int, limit: int
    ) -> tantivy.SearchResult:
        if sort in ("date", "-date"):
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            return searcher.search(
                query, limit, count=True, order_by_field="date_start", offset=offset, order=order
            )
        return searcher.search(query, limit, count=True, offset=offset)

    def _hits(
        self,
        searcher: tantivy.Searcher,
        found: list[tuple[Any, tantivy.DocAddress]],
        text_q: tantivy.Query | None,
        sort: Sort,
        snippets: bool,
        highlight: Sequence[str] = (),
    ) -> list[Hit]:
        title_gen = body_gen = None
        if snippets and text_q is not None:
            title_gen = tantivy.SnippetGenerator.create(searcher, text_q, self.schema, "title")
            title_gen.set_max_num_chars(1000)
            body_gen = tantivy.SnippetGenerator.create(searcher, text_q, self.schema, "body")
            body_gen.set_max_num_chars(SNIPPET_CHARS)
        hits = []
        for key, address in found:
            doc = searcher.doc(address)
            stored_title = doc.get_first("title") or ""
            title = unspaced(stored_title)
            hit = Hit(
                id=doc.get_first("id") or "",
                score=float(key) if sort == "relevance" else None,
                title=title,
                date=doc.get_first("date_text") or "",
                title_html=html.escape(title, quote=False),
            )
            if snippets:
                if title_gen is not None:
                    marked = _snippet_html(title_gen.snippet_from_doc(doc), stored_title)
                    if marked:
                        hit.title_html = unspaced(marked)
                body = doc.get_first("body") or ""
                hit.snippet = (
                    _body_snippet(body_gen, body, highlight) if body_gen else ""
                ) or _lead(unspaced(doc.get_first("description") or body))
            hits.append(hit)
        return hits

    def _mark_variants(
        self,
        searcher: tantivy.Searcher,
        name_forms: list[tuple[str, tantivy.Query]],
        hits: list[Hit],
    ) -> None:
        """Ask, per form of each expanded name, which of the hits on this page contain it."""
        ids = [hit.id for hit in hits]
        on_page = tantivy.Query.term_set_query(self.schema, "id", ids)
        by_id: dict[str, list[str]] = {hit.id: [] for hit in hits}
        for form, form_q in name_forms:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, form_q), (tantivy.Occur.Must, on_page)]
            )
            for _, address in searcher.search(query, len(ids), count=False).hits:
                record_id = searcher.doc(address).get_first("id")
                if record_id in by_id and form not in by_id[record_id]:
                    by_id[record_id].append(form)
        for hit in hits:
            hit.matched_variants = by_id[hit.id]

    def _current_tag(self) -> str | None:
        """The current commit's tag, with the reader reloaded to it if it has not been yet.

        Tantivy's reader follows commits from other processes only after a short delay, so a
        reader behind the tag would search one commit while the kept counts describe the next.
        """
        tag = _meta_tag(self.path)
        if tag is not None and tag != self._reader_tag:
            try:
                self._index.reload()
            except ValueError:
                return None
            self._reader_tag = tag
        return tag

    def _browse_counts(self, tag: str, total: int) -> _Browse | None:
        """The kept counts of the empty query if they describe commit `tag` (and its `total`
        records); None when the file is missing, unreadable, malformed or of another commit."""
        kept = self._browse
        if kept is None or kept.tag != tag:
            kept = _read_browse(self.path / BROWSE_FILE, tag)
            if kept is None:
                return None
            self._browse = kept
        return kept if kept.total == total else None

    def _kept_counts(
        self, kept: _Browse, spec: dict[str, Any], size: int, result: SearchResult
    ) -> None:
        """Fill `result` from kept exact counts as a live count of `spec` would."""
        size = max(1, min(size, MAX_LIMIT))
        for facet in spec:
            if facet in FACETS:
                result.facets[facet] = list(kept.facets.get(facet, [])[:size])
        if "_years" in spec:
            result.histogram = histogram_buckets(kept.years)
        result.undated_count = kept.undated

    def _facet_spec(
        self, facets: Sequence[str] | None, size: int, histogram: bool, warnings: list[str]
    ) -> dict[str, Any]:
        """The aggregations that count the facets asked for and the timeline."""
        spec: dict[str, Any] = {}
        for facet in facets or ():
            if facet not in FACETS:
                warnings.append(f'There is no facet "{facet}"; it was not counted.')
                continue
            spec[facet] = _terms(facet, max(1, min(size, MAX_LIMIT)))
        if histogram:
            spec["_years"] = _YEARS
        return spec

    def _count_matches(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        spec: dict[str, Any],
        ranked: _Total,
    ) -> _Counted:
        """Count the facets and the timeline over every match, or over a sample of them.

        Runs beside the ranking pass. How it counts depends on the number of matches (see
        `_shards`), which the ranking pass finds; this thread waits COUNT_WAIT for it, and a
        search whose ranking takes longer (a phrase over a million records) does not wait:
        its first pass counts the matches exactly and the facets on the first QUICK_SHARDS
        shards at once, which is the whole count when there are many matches, and else is
        followed by the one pass that `_shards` asks for. Either way the same query gets the
        same counts.

        A shard is a hash of the record id (see `shard_of`), independent of what a record
        says, so a sample is unbiased. The sample is a filter aggregation inside a pass over
        all matches: intersecting the query with the shards would not spare Tantivy matching
        every candidate. The estimate is flagged through the facet counts (see
        SearchResult.estimated), so without facets (the timeline alone) everything is
        counted exactly, as it is when the sample holds no facet value to carry the mark.
        """
        if any(name in FACETS for name in spec):
            total = ranked.wait(COUNT_WAIT)
            if total is None:
                aggs = searcher.aggregate(query, _in_sample(spec, QUICK_SHARDS))
                total = sum(int(b.get("doc_count", 0)) for b in aggs["_dated"].get("buckets", []))
                if self._shards(total) == QUICK_SHARDS:
                    counted = _Counted.sampled(aggs, total, spec)
                    if counted is not None:
                        return counted
            if total == 0:
                return _Counted({}, None, 0)
            shards = self._shards(total)
            if shards is not None:
                aggs = searcher.aggregate(query, _in_sample(spec, shards))
                counted = _Counted.sampled(aggs, total, spec)
                if counted is not None:
                    return counted
        aggs = searcher.aggregate(query, {**spec, "_dated": _DATED})
        return _Counted.of(aggs, aggs, None)

    def _shards(self, total: int) -> int | None:
        """On how many first shards a search with `total` matches counts its facets (None:
        on every match). Up to `sample_above` matches, all; above, enough shards for about
        `sample_size` matches, or the first QUICK_SHARDS once they hold a quarter of that
        (about four times `sample_size` matches in all), which a search that cannot wait
        for its number of matches counts in its first pass."""
        if total <= self.sample_above:
            return None
        if total * QUICK_SHARDS * 4 >= self.sample_size * SHARDS:
            return QUICK_SHARDS
        return min(SHARDS, math.ceil(SHARDS * self.sample_size / total))


class _Total:
    """The number of matches, handed from the ranking thread to the counting thread."""

    def __init__(self) -> None:
        self._known = threading.Event()
        self._value = 0

    def set(self, value: int) -> None:
        self._value = value
        self._known.set()

    def wait(self, seconds: float) -> int | None:
        return self._value if self._known.wait(seconds) else None


@dataclass(frozen=True)
class _Counted:
    """What a counting pass found: the buckets the facets and timeline are read from (all
    matches, or a sample with the `scale` that takes it to all), and the undated matches."""

    found: dict[str, Any]
    scale: float | None
    undated: int

    @classmethod
    def of(cls, aggs: dict[str, Any], found: dict[str, Any], scale: float | None) -> _Counted:
        return cls(found, scale, _bucket_count(aggs.get("_dated"), 0))

    @classmethod
    def sampled(cls, aggs: dict[str, Any], total: int, spec: dict[str, Any]) -> _Counted | None:
        """The counts of a pass made with `_in_sample`, if its sample holds a facet value to
        carry the estimate's mark."""
        found = aggs.get("_sample", {})
        in_sample = int(found.get("doc_count") or 0)
        facets = [name for name in spec if name in FACETS]
        if not in_sample or not any(found.get(f, {}).get("buckets") for f in facets):
            return None
        return cls.of(aggs, found, total / in_sample)

    def fill(self, result: SearchResult, spec: dict[str, Any]) -> None:
        for name in spec:
            if name in FACETS:
                result.facets[name] = _facet_counts(name, self.found, self.scale)
        if "_years" in spec:
            years = self.found.get("_years", {}).get("buckets", [])
            result.histogram = histogram_buckets(
                {int(b["key"]): scaled_count(int(b["doc_count"]), self.scale) for b in years}
            )


def _in_sample(spec: dict[str, Any], shards: int) -> dict[str, Any]:
    """One pass: every match counted dated or undated, `spec` counted on the first `shards`."""
    sample = {"filter": f"sample:[0 TO {shards - 1}]", "aggs": spec}
    return {"_dated": _DATED, "_sample": sample}


def _match_count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    return _count(searcher.search(query, 1))


_YEARS: dict[str, Any] = {"histogram": {"field": "year", "interval": 1, "min_doc_count": 1}}
_DATED: dict[str, Any] = {"terms": {"field": "dated", "size": 2}}


def _terms(facet: str, size: int) -> dict[str, Any]:
    """The terms aggregation that counts a facet's values (with their labels, if any)."""
    field_name = f"fl_{facet}" if facet in _LABELLED else f"f_{facet}"
    return {"terms": {"field": field_name, "size": size}}


@dataclass(frozen=True)
class _Browse:
    """The empty query's exact counts at one commit, as kept in BROWSE_FILE."""

    tag: str
    total: int
    undated: int
    years: dict[int, int]
    facets: dict[str, list[FacetCount]]


def _meta_tag(path: Path) -> str | None:
    """What identifies the index's last commit: a hash of its meta.json (which names the
    segments, their deletes and the commit's opstamp); None when there is none."""
    try:
        return hashlib.blake2b((path / "meta.json").read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def _read_browse(path: Path, tag: str) -> _Browse | None:
    """The kept counts in `path` if they are whole and of commit `tag`; None otherwise."""
    try:
        data = json.loads(path.read_text())
        if data.get("format") != BROWSE_FORMAT or data.get("tag") != tag:
            return None
        return _Browse(
            tag=tag,
            total=int(data["total"]),
            undated=int(data["undated"]),
            years={int(year): int(n) for year, n in data["years"].items()},
            facets={
                str(facet): [FacetCount(str(v), str(label), int(n)) for v, label, n in values]
                for facet, values in data["facets"].items()
            },
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def open_index(path: Path, **options: Any) -> TantivyIndex:
    """Open (or create) the index in directory `path`."""
    return TantivyIndex(path, **options)


# --- query compilation ------------------------------------------------------------------------


class _Compiler:
    """fonds' query tree → Tantivy query objects, word by word through the index's analyzer."""

    def __init__(
        self,
        schema: tantivy.Schema,
        searcher: tantivy.Searcher,
        include_undated: bool,
        undated_only: bool = False,
    ) -> None:
        self.schema = schema
        self.searcher = searcher
        self.include_undated = include_undated
        # Compiling for the count of undated matches: a date range then stands for "undated"
        # alone, since no undated record can overlap it (the same matches, without walking
        # the ranges' million values).
        self.undated_only = undated_only
        self.has_dates = False
        self.name_forms: list[tuple[str, tantivy.Query]] = []
        # Every indexed token the query looks for: where snippets start looking in a body.
        self.tokens: set[str] = set()

    def compile(self, node: Node | None) -> tantivy.Query | None:
        if node is None:
            return None
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.match(analyze(node.text), node.field)
        if isinstance(node, Names):
            return self.names(node)
        if isinstance(node, DateRange):
            self.has_dates = True
            return self.date_overlap(node)
        if isinstance(node, Not):
            child = self.compile(node.child)
            return None if child is None else _without(child)
        if isinstance(node, And):
            return self.conjunction(node)
        alive = [k for k in (self.compile(c) for c in node.children) if k is not None]
        if not alive:
            return None
        if len(alive) == 1:
            return alive[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, k) for k in alive])

    def conjunction(self, node: And) -> tantivy.Query | None:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        positive = False
        for child in node.children:
            negated = isinstance(child, Not)
            compiled = self.compile(child.child if isinstance(child, Not) else child)
            if compiled is not None:
                occur = tantivy.Occur.MustNot if negated else tantivy.Occur.Must
                positive = positive or not negated
                clauses.append((occur, compiled))
        if not clauses:
            return None
        if not positive:
            clauses.insert(0, (tantivy.Occur.Must, tantivy.Query.all_query()))
        if len(clauses) == 1:
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    def word(self, node: Word) -> tantivy.Query | None:
        if not node.prefix:
            return self.match(analyze(node.text), node.field)
        tokens = analyze_exact(node.text)
        if not tokens:
            return None
        head = self.match(analyze(" ".join(tokens[:-1])), node.field) if tokens[:-1] else None
        words = [
            t for t, _ in self.searcher.terms_with_prefix("exact", tokens[-1], limit=PREFIX_TERMS)
        ]
        stems = list(dict.fromkeys(s for w in words for s in analyze(w)))
        self.tokens.update(stems)
        if not stems:
            tail: tantivy.Query = tantivy.Query.empty_query()
        else:
            per_field = []
            for name, weight in _fields(node.field):
                terms = [tantivy.Query.term_query(self.schema, name, s) for s in stems]
                either = (
                    terms[0]
                    if len(terms) == 1
                    else tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms])
                )
                per_field.append(_boost(either, weight))
            tail = _dismax(per_field)
        if head is None:
            return tail
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, head), (tantivy.Occur.Must, tail)])

    def match(self, tokens: list[str], field_name: str | None) -> tantivy.Query | None:
        """Tokens in one field, or the best of the default fields: a term or a phrase."""
        if not tokens:
            return None
        self.tokens.update(tokens)
        per_field = []
        for name, weight in _fields(field_name):
            if len(tokens) == 1:
                query = tantivy.Query.term_query(self.schema, name, tokens[0])
            else:
                query = tantivy.Query.phrase_query(
                    self.schema, name, list[str | tuple[int, str]](tokens)
                )
            per_field.append(_boost(query, weight))
        return _dismax(per_field)

    def names(self, node: Names) -> tantivy.Query | None:
        """Any form of the name; the form the reader typed counts twice as much as the others
        (`person:Thompson` ranks Thompson's records above James Thomson's)."""
        forms = []
        for i, form in enumerate(node.forms):
            query = self.match(analyze(form), node.field)
            if query is not None:
                self.name_forms.append((form, query))
                forms.append(query if i == 0 else _boost(query, OTHER_FORM_WEIGHT))
        if not forms:
            return None
        if len(forms) == 1:
            return forms[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, f) for f in forms])

    def date_overlap(self, rng: DateRange) -> tantivy.Query:
        """Records whose [date_start, date_end] overlaps the range (and undated ones, if asked)."""
        if self.undated_only:
            return tantivy.Query.term_query(self.schema, "dated", 0)
        clauses = []
        if rng.end is not None:
            clauses.append(_int_range(self.schema, "date_start", None, _day(rng.end)))
        if rng.start is not None:
            clauses.append(_int_range(self.schema, "date_end", _day(rng.start), None))
        if not clauses:
            clauses.append(tantivy.Query.term_query(self.schema, "dated", 1))
        overlap = tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])
        overlap = tantivy.Query.const_score_query(overlap, 0.0)
        if not self.include_undated:
            return overlap
        undated = tantivy.Query.term_query(self.schema, "dated", 0)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, overlap), (tantivy.Occur.Should, undated)]
        )


def _fields(field_name: str | None) -> tuple[tuple[str, float], ...]:
    return DEFAULT_FIELDS if field_name is None else ((field_name, 1.0),)


def _boost(query: tantivy.Query, weight: float) -> tantivy.Query:
    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)


def _dismax(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.disjunction_max_query(queries, tie_breaker=TIE_BREAKER)


def _without(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, query)]
    )


def _all(queries: list[tantivy.Query | None]) -> tantivy.Query:
    alive = [q for q in queries if q is not None]
    if not alive:
        return tantivy.Query.all_query()
    if len(alive) == 1:
        return alive[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in alive])


def _int_range(
    schema: tantivy.Schema, name: str, lower: int | None, upper: int | None
) -> tantivy.Query:
    return tantivy.Query.range_query(schema, name, tantivy.FieldType.Integer, lower, upper)


# --- results ----------------------------------------------------------------------------------


def _snippet_html(snippet: tantivy.Snippet, whole: str) -> str:
    """The fragment, HTML-escaped, with matched words in <mark>; "" when nothing matched."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return ""
    data = snippet.fragment().encode()
    merged: list[list[int]] = []
    for start, end in ranges:
        # Join neighbouring marks (the characters of a Chinese word, the words of a phrase).
        if merged and not data[merged[-1][1] : start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(html.escape(data[pos:start].decode(errors="ignore"), quote=False))
        out.append(
            f"<mark>{html.escape(data[start:end].decode(errors='ignore'), quote=False)}</mark>"
        )
        pos = end
    out.append(html.escape(data[pos:].decode(errors="ignore"), quote=False))
    text = "".join(out).strip()
    begin, finish = snippet.fragment_range().start, snippet.fragment_range().end
    if begin > 0:
        text = "… " + text
    if finish < len(whole.encode()) - 1:
        text += " …"
    return text


def _body_snippet(generator: tantivy.SnippetGenerator, body: str, tokens: Sequence[str]) -> str:
    """The snippet of a body, cut first to a window around the earliest likely match.

    Tantivy's snippet generator analyses the whole text it is given; on long records that
    cost a millisecond or more per hit, so it is given only SNIPPET_WINDOW characters, placed
    where a stem of a query word first occurs (a stem is almost always the start of the
    word it came from). When none is found the start of the body is used.
    """
    if len(body) <= SNIPPET_WINDOW:
        window, start = body, 0
    else:
        lower = body.lower()
        found = [
            at
            for token in tokens
            for probe in (token, token[:-1] if len(token) > 3 else token)
            if (at := lower.find(probe)) >= 0
        ]
        start = max(0, min(found) - SNIPPET_WINDOW // 4) if found else 0
        if start:
            space = body.find(" ", start)
            start = space + 1 if 0 <= space < start + 40 else start
        window = body[start : start + SNIPPET_WINDOW]
    doc = tantivy.Document()
    doc.add_text("body", window)
    marked = unspaced(_snippet_html(generator.snippet_from_doc(doc), window))
    if marked and start > 0 and not marked.startswith("…"):
        marked = "… " + marked
    return marked


def _lead(text: str) -> str:
    """The start of a text, escaped: the snippet when no word of the query is in the body."""
    text = " ".join(text.split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


def _facet_count(facet: str, bucket: dict[str, Any]) -> FacetCount:
    key = str(bucket.get("key", ""))
    value, _, label = key.partition(_SEP) if facet in _LABELLED else (key, "", key)
    return FacetCount(value=value, label=label or value, count=int(bucket.get("doc_count", 0)))


def _facet_counts(facet: str, aggs: dict[str, Any], scale: float | None = None) -> list[FacetCount]:
    """A facet's values as the terms aggregation named after it counted them."""
    buckets = aggs.get(facet, {}).get("buckets", [])
    return _merged([_facet_count(facet, b) for b in buckets], scale)


def _merged(counts: list[FacetCount], scale: float | None = None) -> list[FacetCount]:
    """One entry per facet value: a collection known to some records only as a chapter's
    parent is indexed there under its bare id, so the same id can come with two labels.

    With a `scale` the counts came from a sample: they are scaled and marked estimated."""
    merged: dict[str, FacetCount] = {}
    for item in counts:
        seen = merged.get(item.value)
        if seen is None:
            merged[item.value] = item
            continue
        label = seen.label if seen.label != seen.value else item.label
        merged[item.value] = FacetCount(item.value, label, seen.count + item.count)
    if scale is not None:
        merged = {
            value: FacetCount(c.value, c.label, scaled_count(c.count, scale), estimated=True)
            for value, c in merged.items()
        }
    return sorted(merged.values(), key=lambda c: (-c.count, c.label))


def _bucket_count(agg: dict[str, Any] | None, key: int) -> int:
    for bucket in (agg or {}).get("buckets", []):
        if int(bucket.get("key", -1)) == key:
            return int(bucket.get("doc_count", 0))
    return 0


# --- helpers ----------------------------------------------------------------------------------


def _count(found: tantivy.SearchResult) -> int:
    count = getattr(found, "count", None)  # present when searched with count=True
    return int(count or 0)


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


_TANTIVY_FILE = re.compile(r"^(meta\.json|\.managed\.json|\.tantivy-.*\.lock|[0-9a-f]{32}\..+)$")


def _reset_if_stale(path: Path) -> bool:
    """Delete an index written with another schema (it is derived: the store rebuilds it).

    Only Tantivy's own files are removed, never anything else in the directory.
    """
    marker = path / MARKER
    has_index = (path / "meta.json").exists()
    if not has_index:
        return False
    try:
        version = json.loads(marker.read_text()).get("schema") if marker.exists() else None
        compatible = bool(tantivy.Index.is_compatible(str(path)))
    except (OSError, ValueError):
        version, compatible = None, False
    if version == SCHEMA_VERSION and compatible:
        return False
    for child in path.iterdir():
        if child.is_file() and _TANTIVY_FILE.match(child.name):
            child.unlink()
    return True
