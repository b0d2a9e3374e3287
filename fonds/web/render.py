"""Rendering pages: the Jinja2 environment, its filters, and the sanitiser for record HTML.

Every page handler in `pages*.py` ends in `respond()`, which gives the HTML page or its JSON
twin from the same data, so the two never drift apart. Translations, transcripts and
descriptions come from ingest (scraped pages, TEI, archive-API JSON) and are not trusted:
`clean_html` passes them through nh3 with an allow-list before any template sees them.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import nh3
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from fonds.archive import Archive
from fonds.dates import display
from fonds.model import HistoricalDate, Record

T = TypeVar("T")

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

# What record HTML may keep: text structure, tables, footnotes, and the few attributes the
# ingesters write (FRUS page breaks, footnote anchors, links to other records). No images,
# media, forms, styles or scripts: a record must not make the page load anything.
_TAGS = {
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
}
_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href", "data-record"},
    "abbr": {"title"},
    "li": {"value"},
    "ol": {"start", "type", "reversed"},
    "span": {"data-page"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "template", "noscript", "iframe", "object"},
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)
# `<a ... data-record="frus1961-63v22d330">`: the ingester knew which record a link points
# at, so the link goes to that record here instead of to the site it was scraped from.
_RECORD_LINK = re.compile(r"<a\b[^>]*\bdata-record\s*=\s*\"([^\"<>]+)\"[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


@lru_cache(maxsize=512)
def _clean(html: str) -> str:
    html = _RECORD_LINK.sub(_local_record_link, html)
    return str(_CLEANER.clean(html))


def clean_html(html: str | None) -> Markup:
    """Record HTML made safe to insert into a page (allow-listed tags and attributes only)."""
    if not html:
        return Markup("")
    return Markup(_clean(html))


def _local_record_link(match: re.Match[str]) -> str:
    tag = match.group(0)
    href = f'href="/document/{quote(match.group(1), safe="")}"'
    return _HREF.sub(href, tag, count=1) if _HREF.search(tag) else tag[:-1] + f" {href}>"


def date_text(value: HistoricalDate | None) -> str:
    """A record's date for readers, "n.d." for none (see `fonds.dates.display`)."""
    return display(value)


def query_url(path: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """`path` with the non-empty `params` as a query string (lists become repeated keys)."""
    items = params.items() if isinstance(params, Mapping) else params
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(v)) for v in values if v not in (None, "")]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def to_json_text(value: Any) -> Markup:
    """JSON for a `<script type="application/ld+json">` block: `<` escaped so it cannot end it."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@lru_cache(maxsize=64)
def _static_version(name: str) -> str:
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_url(name: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it for a long time."""
    return f"/static/{name}?v={_static_version(name)}"


def _number(value: int) -> str:
    return f"{value:,}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        clean=clean_html,
        date=date_text,
        number=_number,
        urlquote=lambda value: quote(str(value), safe=""),
        tojsonld=to_json_text,
    )
    env.globals.update(query_url=query_url, static_url=static_url)
    return env


ENV = _environment()

# Pages load nothing from elsewhere: scripts, styles and fonts are the site's own, the PDF
# viewer shows the site's own files, and no page may be framed by another site.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'self'; "
    "frame-src 'self'; style-src 'self'; script-src 'self'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def wants_json(request: Request) -> bool:
    """The JSON twin was asked for: a `.json` path, or an Accept header that prefers JSON."""
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def strip_json(value: str) -> str:
    """A path parameter without the `.json` suffix of a JSON-twin URL."""
    return value[: -len(".json")] if value.endswith(".json") else value


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> str:
    """The HTML of `template` with the context every page shares (site name, current URL)."""
    archive = request.app.state.archive
    shared = {
        "request": request,
        "site_name": archive.settings.site_name,
        "base_url": archive.settings.base_url.rstrip("/"),
        "path": request.url.path,
        "status": status,
    }
    return ENV.get_template(template).render({**shared, **context})


def respond(
    request: Request,
    template: str,
    context: dict[str, Any],
    data: Any,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page as HTML, or `data` as JSON when the JSON twin was asked for."""
    vary = {"Vary": "Accept", **(headers or {})}
    if wants_json(request):
        return JSONResponse(jsonable(data), status_code=status, headers=vary)
    html = render(request, template, context, status)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **vary})


def jsonable(value: Any) -> Any:
    """Dataclasses, dates and pydantic models as plain JSON values."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def pagination(page: int, total: int, size: int, window: int = 2) -> dict[str, Any]:
    """Page numbers for a list of `total` items: current, last, and a window of neighbours."""
    last = max(1, -(-total // size))
    page = min(max(1, page), last)
    numbers = sorted({1, last, *range(max(1, page - window), min(last, page + window) + 1)})
    return {
        "page": page,
        "last": last,
        "size": size,
        "total": total,
        "first_item": (page - 1) * size + 1 if total else 0,
        "last_item": min(total, page * size),
        "numbers": numbers,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
    }


def bar_width(count: int, peak: int) -> int:
    """A bar's length in percent of the longest, in steps of 5 (CSS classes w-0 .. w-100,
    since the pages' Content-Security-Policy allows no inline styles); a single record shows."""
    if count <= 0:
        return 0
    return max(5, min(100, 5 * round(20 * count / (peak or 1))))


def page_number(value: str | None, maximum: int = 10_000) -> int:
    """The `page` query parameter as a number from 1; anything unreadable is page 1."""
    try:
        number = int(str(value or "1").strip())
    except ValueError:
        return 1
    return min(max(1, number), maximum)


def archive_of(request: Request) -> Archive:
    """The archive the application serves."""
    archive: Archive = request.app.state.archive
    return archive


def record_summary(record: Record) -> dict[str, Any]:
    """A record as list pages' JSON twins show it: id, title, date, summary, URL."""
    return {
        "id": record.id,
        "title": record.title,
        "date": display(record.doc_date),
        "description": record.description,
        "url": f"/document/{quote(record.id, safe='')}",
    }


class TTLCache:
    """A small per-process cache whose entries expire, for page parts that are slow to work
    out and may be a little stale: related records (a "more like this" query costs ~12 ms),
    the home page's counts. Bounded; the oldest entries go first."""

    def __init__(self, ttl: float, maxsize: int = 4096) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_set(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                value: T = hit[1]
                return value
        value = compute()
        with self._lock:
            if len(self._data) >= self.maxsize:
                for old in list(self._data)[: self.maxsize // 4]:
                    del self._data[old]
            self._data[key] = (now + self.ttl, value)
        return value
