"""The reader's web: the home page, search, stored files, sitemap and robots.txt.

This module owns the `router` that `create_app` includes for every HTML page; the record
page and citations (`pages_record`) and the browse pages (`pages_browse`) add their routes
to it. Every page has a JSON twin from the same handler: the same path with `.json`, or an
`Accept: application/json` header (see `render.respond`). Pages work without JavaScript.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select

from fonds.archive import Archive
from fonds.search.types import FACETS, SearchResult
from fonds.store import reader
from fonds.store import tables as t
from fonds.web import pages_browse, pages_record
from fonds.web.errors import error_page
from fonds.web.render import (
    STATIC_DIR,
    TTLCache,
    archive_of,
    bar_width,
    page_number,
    pagination,
    query_url,
    record_summary,
    respond,
)

router = APIRouter(include_in_schema=False)

# How readers see the facets' names, in the order the search page lists them.
FACET_LABELS: dict[str, str] = {
    "collection": "Collection",
    "subject": "Subject",
    "person": "Person",
    "place": "Place",
    "language": "Original language",
    "repository": "Repository",
    "classification": "Classification",
    "donor": "Donor",
    "type": "Type",
}
SORTS: dict[str, str] = {"relevance": "Relevance", "date": "Oldest first", "-date": "Newest first"}
MAX_FILTER_VALUES = 20
MAX_QUERY_CHARS = 1000
SITEMAP_SIZE = 50_000
# The home page's counts and lists, kept briefly: they cost ~10 ms and change only on ingest.
_HOME = TTLCache(ttl=30)
_SHA256 = re.compile(r"[0-9a-f]{64}")


def mount_static(app: FastAPI) -> None:
    """Serve fonds/static at /static (CSS, the little JavaScript there is)."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")


# -- home ---------------------------------------------------------------------------------


@router.get("/")
@router.get("/index.json")
def home(request: Request) -> Response:
    """Counts, featured collections, recent additions and the search box."""
    archive = archive_of(request)
    total, collections, people_total, first, last, recent = _HOME.get_or_set(
        id(archive), lambda: _home_data(archive)
    )
    top = [info for info in collections if not info.parent_id]
    featured = sorted(top, key=lambda info: (-info.count, info.name))[:6]
    counts = {
        "records": total,
        "collections": len(collections),
        "people": people_total,
        "first_year": first.year if first else None,
        "last_year": last.year if last else None,
    }
    context = {"counts": counts, "featured": featured, "recent": recent}
    data = {
        "counts": counts,
        "featured_collections": [
            {
                "id": i.id,
                "name": i.name,
                "description": i.short_description or i.description,
                "count": i.count,
                "url": f"/collections/{i.id}",
            }
            for i in featured
        ],
        "recent": [record_summary(r) for r in recent],
    }
    return respond(request, "home.html", context, data)


def _home_data(archive: Archive) -> tuple[Any, ...]:
    with archive.store.read() as c:
        total = reader.count_records(c)
        collections = reader.collections(c)
        people_total = reader.persons(c, limit=1)[1]
        first, last = reader.date_range(c)
        recent, _ = reader.list_records(c, order="-updated", limit=8)
    return total, collections, people_total, first, last, recent


# -- search -------------------------------------------------------------------------------


@router.get("/search")
@router.get("/search.json")
def search(request: Request) -> Response:
    """Full-text search with facets; every state of the page is its URL.

    Parameters are read by hand, not declared, so that no query string a reader (or a
    crawler) can type produces an error: what cannot be used is ignored or repaired, and
    the search backend's warnings say so on the page.
    """
    archive = archive_of(request)
    params = request.query_params
    q = (params.get("q") or "")[:MAX_QUERY_CHARS]
    filters = {
        key: list(dict.fromkeys(v for v in params.getlist(key) if v))[:MAX_FILTER_VALUES]
        for key in FACETS
        if any(params.getlist(key))
    }
    date_from = (params.get("from") or "").strip()[:40] or None
    date_to = (params.get("to") or "").strip()[:40] or None
    chosen_sort = params.get("sort") if params.get("sort") in SORTS else None
    # With no words to rank by, the newest records come first.
    sort = chosen_sort or ("relevance" if q.strip() else "-date")
    expand = params.get("expand") != "0"
    include_undated = params.get("undated") == "1"
    size = archive.settings.page_size
    page = page_number(params.get("page"), maximum=500)
    result: SearchResult = archive.search(
        q,
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        include_undated=include_undated,
        sort=sort,
        offset=(page - 1) * size,
        limit=size,
        expand_names=expand,
    )
    state: dict[str, Any] = {
        "q": q,
        **filters,
        "from": date_from,
        "to": date_to,
        "sort": chosen_sort,
        "expand": "0" if not expand else None,
        "undated": "1" if include_undated else None,
    }
    facets = _facet_links(state, filters, result)
    pager = pagination(page, min(result.total, 500 * size), size)
    context = {
        "q": q,
        "state": state,
        "result": result,
        "facets": facets,
        "filters": filters,
        "active": _active_filters(state, filters, result),
        "date_from": date_from or "",
        "date_to": date_to or "",
        "sort": sort,
        "sorts": SORTS,
        "expand": expand,
        "include_undated": include_undated,
        "undated_left_out": result.undated_left_out(date_from, date_to, include_undated),
        "pager": pager,
        "page_url": lambda n: query_url("/search", {**state, "page": n if n > 1 else None}),
        "sort_url": lambda s: query_url("/search", {**state, "sort": s, "page": None}),
        "histogram": _histogram_links(state, result),
        "undated_url": query_url("/search", {**state, "undated": "1", "page": None}),
        "noexpand_url": query_url("/search", {**state, "expand": "0", "page": None}),
        "expand_url": query_url("/search", {**state, "expand": None, "page": None}),
    }
    data = {
        "q": q,
        "filters": filters,
        "date_from": date_from,
        "date_to": date_to,
        "sort": sort,
        "page": pager["page"],
        "total": result.total,
        "offset": result.offset,
        "limit": result.limit,
        "warnings": result.warnings,
        "undated_count": result.undated_count,
        "estimated": result.estimated,
        "hits": [{**_hit_dict(hit), "url": f"/document/{hit.id}"} for hit in result.hits],
        "facets": {k: [vars(f) for f in v] for k, v in result.facets.items()},
        "histogram": [b._asdict() for b in result.histogram],
    }
    return respond(request, "search.html", context, data)


def _hit_dict(hit: Any) -> dict[str, Any]:
    return {
        "id": hit.id,
        "score": hit.score,
        "title": hit.title,
        "date": hit.date,
        "snippet": hit.snippet,
        "title_html": hit.title_html,
        "matched_variants": hit.matched_variants,
    }


def _facet_links(
    state: dict[str, Any], filters: dict[str, list[str]], result: SearchResult
) -> list[dict[str, Any]]:
    """Each facet's values as links that add (or, when active, remove) that filter."""
    out = []
    for key in FACETS:
        chosen = filters.get(key, [])
        values = []
        seen = set()
        for facet in result.facets.get(key, []):
            seen.add(facet.value)
            values.append(_facet_value(state, key, chosen, facet.value, facet.label, facet.count))
        # A chosen value always shows, even when the other filters leave it no matches.
        for value in chosen:
            if value not in seen:
                values.append(_facet_value(state, key, chosen, value, value, 0))
        if values:
            out.append({"key": key, "label": FACET_LABELS[key], "values": values})
    return out


def _facet_value(
    state: dict[str, Any], key: str, chosen: list[str], value: str, label: str, count: int
) -> dict[str, Any]:
    active = value in chosen
    toggled = [v for v in chosen if v != value] if active else [*chosen, value]
    return {
        "value": value,
        "label": label,
        "count": count,
        "active": active,
        "url": query_url("/search", {**state, key: toggled, "page": None}),
    }


def _active_filters(
    state: dict[str, Any], filters: dict[str, list[str]], result: SearchResult
) -> list[dict[str, str]]:
    """The filters in force, each with a link that removes it, for the top of the results."""
    labels = {(k, f.value): f.label for k, values in result.facets.items() for f in values}
    active = []
    for key, values in filters.items():
        for value in values:
            rest = [v for v in values if v != value]
            active.append(
                {
                    "facet": FACET_LABELS.get(key, key),
                    "label": labels.get((key, value), value),
                    "url": query_url("/search", {**state, key: rest, "page": None}),
                }
            )
    for key, label in (("from", "From"), ("to", "To")):
        if state.get(key):
            active.append(
                {
                    "facet": label,
                    "label": str(state[key]),
                    "url": query_url("/search", {**state, key: None, "page": None}),
                }
            )
    return active


def _histogram_links(state: dict[str, Any], result: SearchResult) -> list[dict[str, Any]]:
    """The matches per year (or decade) as bars that narrow the dates to that bucket."""
    buckets = result.histogram
    if not buckets:
        return []
    peak = max(b.count for b in buckets) or 1
    out = []
    for bucket in buckets:
        label = bucket.label
        if label.endswith("s") and label[:-1].isdigit():  # a decade, "1960s"
            start, end = bucket.start_year, bucket.start_year + 9
        elif "–" in label:
            start, end = bucket.start_year, int(label.split("–")[1])
        else:
            start = end = bucket.start_year
        out.append(
            {
                "label": label,
                "count": bucket.count,
                "width": bar_width(bucket.count, peak),
                "url": query_url(
                    "/search", {**state, "from": str(start), "to": str(end), "page": None}
                ),
            }
        )
    return out


# -- stored files -------------------------------------------------------------------------


@router.get("/files/{sha256}")
def stored_file(request: Request, sha256: str) -> Response:
    """A stored original (a scan, say) with its own content type; PDFs open inline.

    Only files that belong to a published record are served. `?download=1` asks the
    browser to save the file instead of showing it.
    """
    archive = archive_of(request)
    digest = sha256.lower()
    if not _SHA256.fullmatch(digest):
        return error_page(request, 404)
    info = published_file(archive, digest)
    path = archive.store.files.path(digest)
    if info is None or not path.is_file():
        return error_page(request, 404)
    content_type, filename = info
    disposition = "attachment" if request.query_params.get("download") == "1" else "inline"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=31536000, immutable",
    }
    if not content_type.startswith(("application/pdf", "image/", "text/plain")):
        # An HTML or SVG original must not run in the site's origin.
        headers["Content-Security-Policy"] = "sandbox"
    return FileResponse(
        path,
        media_type=content_type,
        filename=filename or f"{digest[:16]}",
        content_disposition_type=disposition,
        headers=headers,
    )


def published_file(archive: Archive, sha256: str) -> tuple[str, str | None] | None:
    """The content type and file name of a stored file that a published record uses.

    (A helper the archive façade lacks; the lead may move it to `fonds.store.reader`.)
    """
    query = (
        select(t.renditions.c.content_type, t.renditions.c.filename, t.files.c.original_name)
        .join(t.records, t.records.c.id == t.renditions.c.record_id)
        .outerjoin(t.files, t.files.c.sha256 == t.renditions.c.sha256)
        .where(t.renditions.c.sha256 == sha256, reader.published_clause())
        .limit(1)
    )
    with archive.store.read() as c:
        row = c.execute(query).first()
    if row is None:
        return None
    name = row.filename or row.original_name
    return row.content_type or "application/octet-stream", name


# -- sitemap and robots -------------------------------------------------------------------


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    base = archive_of(request).settings.base_url.rstrip("/")
    text = (
        "User-agent: *\n"
        "Allow: /\n"
        # Facet combinations are endless; the sitemap lists every record instead.
        "Disallow: /search\n"
        "Disallow: /api/\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return PlainTextResponse(text)


@router.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    """Every published record and browse page; an index of parts past 50,000 records."""
    archive = archive_of(request)
    base = archive.settings.base_url.rstrip("/")
    with archive.store.read() as c:
        total = reader.count_records(c)
    if total > SITEMAP_SIZE:
        parts = -(-total // SITEMAP_SIZE)
        body = "".join(
            f"<sitemap><loc>{xml_escape(base)}/sitemap/{n}.xml</loc></sitemap>"
            for n in range(1, parts + 1)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}'
            "</sitemapindex>\n"
        )
        return Response(xml, media_type="application/xml")
    return _sitemap_part(archive, 1, pages=True)


@router.get("/sitemap/{part}.xml")
def sitemap_part(request: Request, part: str) -> Response:
    number = page_number(part, maximum=100_000)
    return _sitemap_part(archive_of(request), number, pages=False)


def _sitemap_part(archive: Archive, number: int, *, pages: bool) -> Response:
    base = xml_escape(archive.settings.base_url.rstrip("/"))
    urls: list[str] = []
    if pages:
        for path in ("/", "/collections", "/people", "/places", "/subjects", "/timeline"):
            urls.append(f"<url><loc>{base}{path}</loc></url>")
    query = (
        select(t.records.c.id, t.records.c.updated_at)
        .where(reader.published_clause())
        .order_by(t.records.c.id)
        .offset((number - 1) * SITEMAP_SIZE)
        .limit(SITEMAP_SIZE)
    )
    with archive.store.read() as c:
        for row in c.execute(query):
            lastmod = _w3c_date(row.updated_at)
            urls.append(
                f"<url><loc>{base}/document/{xml_escape(_path_quote(row.id))}</loc>"
                f"<lastmod>{lastmod}</lastmod></url>"
            )
        if pages and number == 1:
            for info in reader.collections(c):
                urls.append(
                    f"<url><loc>{base}/collections/{xml_escape(_path_quote(info.id))}</loc></url>"
                )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(urls)
        + "</urlset>\n"
    )
    return Response(xml, media_type="application/xml")


def _w3c_date(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).date().isoformat()


def _path_quote(value: str) -> str:
    return quote(value, safe="")


# The record page, citations and browse pages hang off the same router, after the routes
# above so that /search and /files are never read as something else.
router.include_router(pages_record.router)
router.include_router(pages_browse.router)

__all__ = ["FACET_LABELS", "mount_static", "published_file", "router", "sitemap"]
