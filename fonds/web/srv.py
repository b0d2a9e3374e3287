"""The archive API, `/srv/...`: a drop-in for the Digital Archive API its users' scripts call.

When the Wilson Center switched its API off, every script built on it (and on the
`digitalarchive` Python client) broke. These routes answer the same URLs with the same
shapes, point by point as `../shared/corpus/wilson-api/README.md` lists them, so those
scripts work against a fonds server by changing the host. The names here are that API's
(Document is "record", places are "coverage", people "contributor"); ids are kept from
imports, vocabulary terms and people have integer ids sent as strings.

Also here: the asset URLs the API hands out (`/transcripts/{id}.html`,
`/translations/{id}.html`, `/media_files/{id}.pdf`), including the `//transcripts/...` form
the client requests because it joins the host and a path that already starts with "/".
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import nh3
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import Connection, func, or_, select
from starlette.types import ASGIApp, Receive, Scope, Send

from fonds.dates import display
from fonds.model import Collection, Person, Place, Record, Rendition, Term, slugify
from fonds.store import reader
from fonds.store import tables as t
from fonds.web.api import CORS_HEADERS, archive_of, cached_response, json_response, problem
from fonds.web.finder import (
    TERM_FILTERS,
    RecordFilter,
    descendants,
    find_record_ids,
    resolve_collection,
    resolve_term,
)

if TYPE_CHECKING:
    from fastapi import FastAPI


router = APIRouter(tags=["archive API (/srv)"])

DEFAULT_ITEMS_PER_PAGE = 20
MAX_ITEMS_PER_PAGE = 1000
# Endpoints whose search the client reads as one page (it ignores their pagination).
UNPAGED = frozenset({"subject", "contributor", "coverage", "repository"})
# Vocabulary endpoints: endpoint → term kind.
TERM_ENDPOINTS: dict[str, str] = {
    "subject": "subject",
    "coverage": "place",
    "repository": "repository",
    "publisher": "publisher",
    "donor": "donor",
    "theme": "theme",
    "type": "type",
    "classification": "classification",
    "language": "language",
    "right": "right",
}
# Fields a vocabulary search may name besides `term` (the client passes any model field).
_TEXT_FIELDS = {"name": "name", "value": "value", "description": "description"}
# A record without a rights statement still gets a Right object: the client requires one.
NO_RIGHTS = {"id": "0", "name": "Rights not stated", "rights": ""}
# Record search parameters taking a list; the client sends some with "[]" and some without.
_LIST_PARAMS = (
    "collection",
    "subject",
    "contributor",
    "coverage",
    "donor",
    "publisher",
    "repository",
)


# -- record search and get ------------------------------------------------------------------


@router.get("/srv/record/date_range.json", summary="Earliest and latest record dates")
def date_range(request: Request) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        begin, end = reader.date_range(c)
    data = {"begin": _yyyymmdd(begin) if begin else None, "end": _yyyymmdd(end) if end else None}
    return json_response(request, data)


@router.get("/srv/record.json", summary="Search records (Document.match)")
def search_records(request: Request) -> Response:
    """Full text `q`, dates on the rounded-down date, and resource-id filters (AND)."""
    archive = archive_of(request)
    params = request.query_params
    per_page, page = _paging(request)
    flt = RecordFilter(q=params.get("q", ""))
    flt.start_from = _date_param(params.get("start_date"))
    flt.start_to = _date_param(params.get("end_date"))
    with archive.store.read() as c:
        for name in _LIST_PARAMS:
            for value in [*params.getlist(f"{name}[]"), *params.getlist(name)]:
                if name == "collection":
                    flt.collections.append(resolve_collection(c, value))
                elif name == "contributor":
                    flt.persons.append(int(value) if value.strip().isdigit() else None)
                else:
                    kind, roles = TERM_FILTERS["place" if name == "coverage" else name]
                    flt.terms.append((_term_id(c, kind, value), roles))
        for name in ("language", "translation", "theme"):
            for value in [*params.getlist(name), *params.getlist(f"{name}[]")]:
                kind, roles = TERM_FILTERS[name]
                term_id = (
                    resolve_term(c, kind, value)
                    if kind != "theme"
                    else (_term_id(c, kind, value) or resolve_term(c, kind, value))
                )
                flt.terms.append((term_id, roles))
    ids, total = find_record_ids(
        archive,
        flt,
        sort="relevance" if flt.q.strip() else "date",
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    records = archive.get_many(ids)
    return json_response(request, _page([record_stub(r) for r in records], total, page, per_page))


@router.get("/srv/record/{record_id}.json", summary="One record, hydrated")
def get_record(request: Request, record_id: str) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return _not_found(f"record {record_id}")
    with archive.store.read() as c:
        data = record_json(c, record)
    return json_response(request, data, last_modified=record.updated_at)


def record_stub(record: Record) -> dict[str, Any]:
    """A search hit: what the client requires of every Document, and no lists."""
    return {
        "id": record.id,
        "uri": f"/srv/record/{record.id}.json",
        "title": record.title,
        "description": record.description or "",
        "doc_date": _doc_date(record),
        "frontend_doc_date": display(record.doc_date) if record.doc_date else "",
        "slug": record.slug,
        "source_created_at": _stamp(record.created_at),
        "source_updated_at": _stamp(record.updated_at),
        "first_published_at": _stamp(record.first_published_at or record.updated_at),
        "model": "Record",
    }


def record_json(c: Connection, record: Record) -> dict[str, Any]:
    """The hydrated record: every list present (empty as []), ids as strings."""
    data = record_stub(record)
    dated = record.doc_date
    places = [_coverage(c, place) for place in record.original_coverages]
    data.update(
        {
            "source": record.source or "",
            "type": [_term_stub(term) for term in record.type],
            "rights": (
                {
                    "id": str(record.rights.id or ""),
                    "name": record.rights.name,
                    "rights": record.rights.description or record.rights.value or "",
                }
                if record.rights
                else dict(NO_RIGHTS)
            ),
            "pdf_generated_at": _stamp(record.updated_at),
            "date_range_start": _yyyymmdd(dated.start) if dated and dated.start else None,
            "sort_string_by_coverage": ", ".join(sorted(p["name"] for p in places)),
            "main_src": None,
            "donors": [_term_stub(term) for term in record.donors],
            "subjects": [_term_stub(term) for term in record.subjects],
            "transcripts": [_asset(record, r) for r in record.transcripts],
            "translations": [_asset(record, r) for r in record.translations],
            "media_files": [_asset(record, r) for r in record.media_files],
            "languages": [
                {"id": lang.id, "name": lang.name or lang.id} for lang in record.languages
            ],
            "contributors": [_contributor(p) for p in record.contributors],
            "creators": [_contributor(p) for p in record.creators],
            "original_coverages": places,
            "collections": [_collection_stub(c, col) for col in record.collections],
            "attachments": [{"id": a, "uri": f"/srv/record/{a}.json"} for a in record.attachments],
            "links": [{"id": a, "uri": f"/srv/record/{a}.json"} for a in record.links],
            "repositories": [_named(term, "repository") for term in record.repositories],
            "publishers": [_named(term, "publisher") for term in record.publishers],
            "classifications": [_term_stub(term) for term in record.classifications],
            "themes": [_theme_stub(term) for term in record.themes],
        }
    )
    return data


# -- vocabulary search and get --------------------------------------------------------------


@router.get("/srv/{endpoint}.json", summary="Search collections, subjects, contributors, ...")
def search_resources(request: Request, endpoint: str) -> Response:
    """`term` matches the name; any other field the model has (name, value, description)
    narrows further; unknown parameters are accepted and ignored."""
    archive = archive_of(request)
    params = request.query_params
    term = params.get("term", "").strip()
    per_page, page = _paging(request)
    extra = {
        field: params[key].strip()
        for key, field in _TEXT_FIELDS.items()
        if params.get(key, "").strip()
    }
    with archive.store.read() as c:
        if endpoint == "collection":
            items = _find_collections(c, term, extra)
        elif endpoint == "contributor":
            items = _find_contributors(c, term)
        elif endpoint in TERM_ENDPOINTS:
            items = _find_terms(c, endpoint, term, extra)
        else:
            return _not_found(f"endpoint {endpoint}")
    total = len(items)
    if endpoint in UNPAGED:
        return json_response(request, _page(items, total, 1, max(total, 1)))
    chunk = items[(page - 1) * per_page : page * per_page]
    return json_response(request, _page(chunk, total, page, per_page))


@router.get("/srv/{endpoint}/{resource_id}.json", summary="One collection, subject, ...")
def get_resource(request: Request, endpoint: str, resource_id: str) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        data: dict[str, Any] | None
        if endpoint == "collection":
            data = _collection_full(c, resource_id)
        elif endpoint == "contributor":
            data = _contributor_full(c, resource_id)
        elif endpoint == "theme":
            data = _theme_full(c, resource_id)
        elif endpoint in TERM_ENDPOINTS:
            data = _term_full(c, endpoint, resource_id)
        else:
            data = None
    if data is None:
        return _not_found(f"{endpoint} {resource_id}")
    return json_response(request, data)


# -- assets -------------------------------------------------------------------------------------


def _asset_route(kind: str) -> Any:
    def serve(request: Request, name: str) -> Response:
        return serve_asset(request, kind, name)

    serve.__name__ = f"serve_{kind}"
    return serve


for _kind in ("transcripts", "translations", "media_files"):
    for _prefix in ("/", "//"):
        router.add_api_route(
            f"{_prefix}{_kind}/{{name}}",
            _asset_route(_kind),
            methods=["GET"],
            include_in_schema=_prefix == "/",
            summary=f"The bytes of a {_kind[:-1]}",
        )


def serve_asset(request: Request, kind: str, name: str) -> Response:
    """The rendition `name` ("{id}.html" or "{id}.pdf") of a published record."""
    archive = archive_of(request)
    rendition_id, _, extension = name.rpartition(".")
    if not rendition_id:
        return _not_found(f"asset {name}")
    with archive.store.read() as c:
        row = reader.rendition_row(c, rendition_id)
    expected = {"transcripts": "transcript", "translations": "translation", "media_files": "scan"}[
        kind
    ]
    if row is None or row["kind"] != expected:
        return _not_found(f"asset {name}")
    record = archive.get(row["record_id"])
    if record is None:
        return _not_found(f"asset {name}")
    rendition = next((r for r in record.renditions if r.id == rendition_id), None)
    if rendition is None or rendition.extension != extension.lower():
        return _not_found(f"asset {name}")
    if rendition.html and not rendition.sha256:
        return _html_asset(request, rendition.html, record)
    if rendition.sha256 and archive.store.files.has(rendition.sha256):
        return FileResponse(
            archive.store.files.path(rendition.sha256),
            media_type=rendition.content_type,
            filename=rendition.filename or name,
            content_disposition_type="inline",
            headers=CORS_HEADERS,
        )
    if rendition.html:
        return _html_asset(request, rendition.html, record)
    return _not_found(f"asset {name}")


def _html_asset(request: Request, html: str, record: Record) -> Response:
    """A text rendition, sanitised: it is served from our origin, so no script may ride."""
    body = nh3.clean(html).encode("utf-8")
    return cached_response(
        request, body, media_type="text/html; charset=utf-8", last_modified=record.updated_at
    )


class DoubleSlashMiddleware:
    """Collapse a path's leading run of slashes ("//srv/x" → "/srv/x") for every route.

    The asset routes answer the client's "//transcripts/..." themselves; this is for
    proxies and scripts that double the slash elsewhere too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope.get("path", "")
            if path.startswith("//"):
                scope = dict(scope)
                scope["path"] = "/" + path.lstrip("/")
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    scope["raw_path"] = b"/" + raw.lstrip(b"/")
        await self.app(scope, receive, send)


def install_double_slash(app: FastAPI) -> None:
    """Add DoubleSlashMiddleware to `app` (call from create_app)."""
    app.add_middleware(DoubleSlashMiddleware)


# -- private: shapes ------------------------------------------------------------------------------


def _page(items: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return {
        "list": items,
        "pagination": {
            "page": page,
            "totalPages": pages,
            "totalItems": total,
            "itemsPerPage": per_page,
        },
    }


def _paging(request: Request) -> tuple[int, int]:
    params = request.query_params
    per_page = _int(params.get("itemsPerPage"), DEFAULT_ITEMS_PER_PAGE)
    page = _int(params.get("page"), 1)
    return max(1, min(per_page, MAX_ITEMS_PER_PAGE)), max(1, page)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _date_param(value: str | None) -> date | None:
    """YYYYMMDD (as the client sends) or YYYY-MM-DD; anything else is no bound."""
    if not value:
        return None
    digits = value.strip().replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _term_id(c: Connection, kind: str, value: str) -> int | None:
    """Filters in this API are ids; a value that is no id of this kind matches nothing."""
    value = value.strip()
    if not value.isdigit():
        return None
    row = c.execute(
        select(t.terms.c.id).where(t.terms.c.kind == kind, t.terms.c.id == int(value))
    ).first()
    return int(row.id) if row is not None else None


def _yyyymmdd(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _doc_date(record: Record) -> str:
    dated = record.doc_date
    return _yyyymmdd(dated.start) if dated is not None and dated.start else ""


def _stamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


def _term_stub(term: Term) -> dict[str, Any]:
    return {"id": str(term.id or ""), "name": term.name}


def _named(term: Term, endpoint: str) -> dict[str, Any]:
    return {
        "id": str(term.id or ""),
        "name": term.name,
        "value": term.value or term.name,
        "uri": f"/srv/{endpoint}/{term.id}.json",
    }


def _theme_stub(term: Term) -> dict[str, Any]:
    slug = slugify(term.name)
    return {
        "id": str(term.id or ""),
        "slug": slug,
        "title": term.name,
        "uri": f"/srv/theme/{slug}.json",
    }


def _contributor(person: Person) -> dict[str, Any]:
    return {
        "id": str(person.id or ""),
        "name": person.name,
        "value": person.name,
        "uri": f"/srv/contributor/{person.id}.json",
    }


def _coverage(c: Connection, place: Place) -> dict[str, Any]:
    row = c.execute(
        select(t.terms).where(t.terms.c.kind == "place", t.terms.c.name == place.name)
    ).first()
    if row is None:
        return {
            "id": str(place.id or ""),
            "name": place.name,
            "value": place.name,
            "uri": f"/srv/coverage/{place.id}.json",
            "parent": [],
            "children": [],
        }
    return _coverage_row(c, row)


def _coverage_row(c: Connection, row: Any, *, with_children: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(row.id),
        "name": row.name,
        "value": row.value or row.name,
        "uri": f"/srv/coverage/{row.id}.json",
        "parent": [],
    }
    if row.parent_id is not None:
        parent = c.execute(select(t.terms).where(t.terms.c.id == row.parent_id)).first()
        if parent is not None:
            data["parent"] = _coverage_row(c, parent, with_children=False)
    if with_children:
        children = c.execute(
            select(t.terms).where(t.terms.c.parent_id == row.id).order_by(t.terms.c.name)
        ).all()
        data["children"] = [
            {
                "id": str(ch.id),
                "name": ch.name,
                "value": ch.value or ch.name,
                "uri": f"/srv/coverage/{ch.id}.json",
            }
            for ch in children
        ]
    return data


def _collection_stub(c: Connection, collection: Collection) -> dict[str, Any]:
    row = c.execute(select(t.collections).where(t.collections.c.id == collection.id)).first()
    if row is None:
        return {
            "id": collection.id,
            "name": collection.name,
            "slug": collection.slug or slugify(collection.name),
            "uri": f"/srv/collection/{collection.id}.json",
            "model": "Collection",
        }
    return _collection_row(c, row, full=False)


def _collection_row(
    c: Connection, row: Any, *, full: bool, count: int | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(row.id),
        "name": row.name,
        "slug": row.slug or slugify(row.name),
        "uri": f"/srv/collection/{row.id}.json",
        "model": "Collection",
        "value": row.name,
        "short_description": row.short_description or "",
        "main_src": row.main_src,
        "thumb_src": row.thumb_src,
        "source_updated_at": _stamp(row.source_updated_at),
    }
    if row.is_inactive:
        # The client models is_inactive as a string; it is sent only when it is true, so
        # that "is_inactive" read as a truth value means what it says.
        data["is_inactive"] = "true"
    if row.parent_id:
        parent = c.execute(select(t.collections).where(t.collections.c.id == row.parent_id)).first()
        if parent is not None:
            data["parent"] = {
                "id": str(parent.id),
                "name": parent.name,
                "slug": parent.slug or slugify(parent.name),
                "uri": f"/srv/collection/{parent.id}.json",
            }
    if full:
        data.update(
            {
                "description": row.description or "",
                "source_created_at": _stamp(row.source_created_at),
                "first_published_at": _stamp(row.first_published_at),
                "no_of_documents": str(count if count is not None else 0),
            }
        )
    return data


def _collection_full(c: Connection, collection_id: str) -> dict[str, Any] | None:
    info = reader.get_collection(c, collection_id)
    if info is None:
        return None
    row = c.execute(select(t.collections).where(t.collections.c.id == info.id)).first()
    # Documents in sub-collections count too (a FRUS volume holds its chapters' records).
    within = descendants(c, info.id)
    count = c.execute(
        select(func.count(func.distinct(t.record_collections.c.record_id)))
        .join(t.records, t.records.c.id == t.record_collections.c.record_id)
        .where(t.record_collections.c.collection_id.in_(within), reader.published_clause())
    ).scalar_one()
    return _collection_row(c, row, full=True, count=int(count))


def _find_collections(c: Connection, term: str, extra: dict[str, str]) -> list[dict[str, Any]]:
    query = select(t.collections).order_by(t.collections.c.name, t.collections.c.id)
    columns = {
        "name": t.collections.c.name,
        "value": t.collections.c.name,
        "description": t.collections.c.description,
    }
    if term:
        for word in term.split():
            query = query.where(
                or_(
                    t.collections.c.name.ilike(f"%{word}%"),
                    t.collections.c.short_description.ilike(f"%{word}%"),
                )
            )
    for field, value in extra.items():
        query = query.where(columns[field].ilike(f"%{value}%"))
    return [_collection_row(c, row, full=False) for row in c.execute(query)]


def _find_contributors(c: Connection, term: str) -> list[dict[str, Any]]:
    query = select(t.persons).order_by(t.persons.c.name, t.persons.c.id)
    for word in term.split():
        ids = select(t.person_names.c.person_id).where(t.person_names.c.name.ilike(f"%{word}%"))
        query = query.where(or_(t.persons.c.id.in_(ids), t.persons.c.name.ilike(f"%{word}%")))
    return [
        {
            "id": str(row.id),
            "name": row.name,
            "value": row.name,
            "uri": f"/srv/contributor/{row.id}.json",
        }
        for row in c.execute(query)
    ]


def _contributor_full(c: Connection, person_id: str) -> dict[str, Any] | None:
    if not person_id.isdigit():
        return None
    row = c.execute(select(t.persons).where(t.persons.c.id == int(person_id))).first()
    if row is None:
        return None
    return {
        "id": str(row.id),
        "name": row.name,
        "value": row.name,
        "uri": f"/srv/contributor/{row.id}.json",
        "description": row.description or "",
    }


def _find_terms(
    c: Connection, endpoint: str, term: str, extra: dict[str, str]
) -> list[dict[str, Any]]:
    kind = TERM_ENDPOINTS[endpoint]
    query = select(t.terms).where(t.terms.c.kind == kind).order_by(t.terms.c.name, t.terms.c.id)
    for word in term.split():
        query = query.where(
            or_(t.terms.c.name.ilike(f"%{word}%"), t.terms.c.value.ilike(f"%{word}%"))
        )
    columns = {
        "name": t.terms.c.name,
        "value": t.terms.c.value,
        "description": t.terms.c.description,
    }
    for field, value in extra.items():
        query = query.where(columns[field].ilike(f"%{value}%"))
    return [_term_row(c, endpoint, row) for row in c.execute(query)]


def _term_full(c: Connection, endpoint: str, term_id: str) -> dict[str, Any] | None:
    kind = TERM_ENDPOINTS[endpoint]
    if endpoint == "language":
        row = c.execute(
            select(t.terms).where(t.terms.c.kind == kind, t.terms.c.name == term_id)
        ).first()
    elif term_id.isdigit():
        row = c.execute(
            select(t.terms).where(t.terms.c.kind == kind, t.terms.c.id == int(term_id))
        ).first()
    else:
        row = None
    return _term_row(c, endpoint, row) if row is not None else None


def _term_row(c: Connection, endpoint: str, row: Any) -> dict[str, Any]:
    if endpoint == "coverage":
        return _coverage_row(c, row)
    if endpoint == "theme":
        return _theme_row(row)
    if endpoint == "language":
        return {
            "id": row.name,
            "name": row.value or row.name,
            "uri": f"/srv/language/{row.name}.json",
        }
    data = {
        "id": str(row.id),
        "name": row.name,
        "value": row.value or row.name,
        "uri": f"/srv/{endpoint}/{row.id}.json",
    }
    if endpoint == "right":
        data["rights"] = row.description or ""
    return data


def _theme_row(row: Any) -> dict[str, Any]:
    slug = slugify(row.name)
    return {
        "id": str(row.id),
        "slug": slug,
        "title": row.name,
        "value": row.value or row.name,
        "description": row.description or "",
        "main_src": None,
        "uri": f"/srv/theme/{slug}.json",
        "featured_resources": [],
        "featured_collections": [],
        "dates_with_events": [],
    }


def _theme_full(c: Connection, slug_or_id: str) -> dict[str, Any] | None:
    """Themes are fetched by slug (as the client does); an id works too."""
    for row in c.execute(select(t.terms).where(t.terms.c.kind == "theme")):
        if slugify(row.name) == slug_or_id or str(row.id) == slug_or_id:
            return _theme_row(row)
    return None


def _asset(record: Record, rendition: Rendition) -> dict[str, Any]:
    folder = {"translation": "translations", "transcript": "transcripts", "scan": "media_files"}[
        rendition.kind
    ]
    label = {"translation": "TranslationFile", "transcript": "TranscriptFile", "scan": "MediaFile"}[
        rendition.kind
    ]
    extension = rendition.extension
    data: dict[str, Any] = {
        "id": str(rendition.id),
        "filename": rendition.filename or f"{label}_{record.id}.{extension}",
        "content_type": rendition.content_type,
        "extension": extension,
        "asset_id": rendition.sha256[:16] if rendition.sha256 else str(rendition.id),
        "source_created_at": _stamp(record.created_at),
        "source_updated_at": _stamp(record.updated_at),
    }
    url = f"/{folder}/{rendition.id}.{extension}"
    if rendition.kind == "scan":
        data["path"] = url
    else:
        data["url"] = url
    if rendition.kind == "translation":
        language = rendition.language
        data["language"] = (
            {"id": language.id, "name": language.name or language.id}
            if language
            else {"id": "und", "name": "Undetermined"}
        )
    return data


def _not_found(what: str) -> Response:
    return problem(404, "Not found", f"There is no {what}.")
