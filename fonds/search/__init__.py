"""Full-text search over records: fonds' query language, facets, snippets, related records.

The façade the store, the web pages, the APIs and the CLI import. The embedded backend is a
Tantivy index in a directory (`open_index`); a PostgreSQL backend implements the same
`SearchBackend` protocol for archives that outgrow one machine. Query syntax: docs/search.md.

    index = open_index(archive_dir / "index")
    index.add(records); index.commit()
    result = index.search('"record of conversation" Mao', filters={"language": ["rus"]})
"""

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
    "open_index",
    "parse_date_range",
    "parse_query",
]
