"""A search result as JSON: what `fonds search --format json` and the JSON API return."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fonds.search.types import SearchResult


def result_to_json(result: SearchResult) -> dict[str, Any]:
    """Hits, facets, histogram and warnings, with the parsed query shown as text."""
    return {
        "query": str(result.query),
        "total": result.total,
        "offset": result.offset,
        "limit": result.limit,
        "undated_count": result.undated_count,
        "estimated": result.estimated,
        "warnings": list(result.warnings),
        "hits": [asdict(hit) for hit in result.hits],
        "facets": {
            name: [asdict(value) for value in values] for name, values in result.facets.items()
        },
        "histogram": [bucket._asdict() for bucket in result.histogram],
    }
