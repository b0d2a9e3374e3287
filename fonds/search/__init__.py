"""Full-text search over records: fonds' query language, facets, snippets, related records.

The façade the store, the web pages, the APIs and the CLI import. The embedded backend is a
Tantivy index in a directory (`open_index`); a PostgreSQL backend implements the same
`SearchBackend` protocol for archives that outgrow one machine. Query syntax: docs/search.md.

    index = open_index(archive_dir / "index")
    index.add(records); index.commit()
    result = index.search('"record of conversation" Mao', filters={"language": ["rus"]})
"""

from sqlalchemy import Engine

from fonds.config import Settings
from fonds.search._tantivy import TantivyIndex, open_index
from fonds.search.query import Expand, Query, expand_names, parse_date_range, parse_query
from fonds.search.types import (
    FACETS,
    FacetCount,
    HistogramBucket,
    Hit,
    SearchBackend,
    SearchResult,
    Sort,
)

SearchIndex = TantivyIndex

__all__ = [
    "FACETS",
    "Expand",
    "FacetCount",
    "HistogramBucket",
    "Hit",
    "Query",
    "SearchBackend",
    "SearchIndex",
    "SearchResult",
    "Sort",
    "TantivyIndex",
    "expand_names",
    "open_backend",
    "open_index",
    "parse_date_range",
    "parse_query",
]


def open_backend(settings: Settings, engine: Engine) -> SearchBackend:
    """The search engine an archive's settings choose.

    "auto" (the default) searches in PostgreSQL when the archive's database is PostgreSQL,
    so every web worker on every machine shares one engine, and in a Tantivy index in the
    archive directory otherwise.
    """
    choice = settings.search_backend
    if choice == "auto":
        choice = "postgres" if settings.url.startswith("postgresql") else "tantivy"
    if choice == "postgres":
        from fonds.search._postgres import open_postgres

        return open_postgres(engine)
    if choice != "tantivy":
        raise ValueError(f"unknown search_backend {choice!r}: use tantivy, postgres or auto")
    return open_index(settings.index_dir)
