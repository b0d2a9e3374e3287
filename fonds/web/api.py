"""The JSON API, `/api/v1`: records, search, vocabularies, citations, and editors' writes.

Scripts and other sites read the archive here; the OpenAPI document at
`/api/v1/openapi.json` describes every route. Reads are open to everyone (CORS `*`), carry
an ETag and Last-Modified, and answer `If-None-Match` with 304. Lists page with an opaque
`cursor` and a `next` link, with no cap on how far one can page. Errors are RFC 9457
problem details. Writes (`PUT`/`DELETE /records/{id}`) need an editor's bearer token
(`fonds users add`).

Records are found by `fonds.web.finder`, which the `/srv` drop-in shares.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from fonds import cite as citations
from fonds.dates import display
from fonds.model import Record
from fonds.search.query import parse_date_range
from fonds.serialize import record_from_json, record_to_json
from fonds.store import reader
from fonds.store import tables as t
from fonds.web.finder import (
    INDEX_MAX_OFFSET,
    TERM_FILTERS,
    RecordFilter,
    find_record_ids,
    resolve_collection,
    resolve_term,
)

if TYPE_CHECKING:
    from fonds.archive import Archive

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, tags=["api"])

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50
# Bodies of PUT /records are JSON, never files: anything larger than this is a mistake.
MAX_BODY_BYTES = 10 * 1024 * 1024
PROBLEM = "application/problem+json"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
}
SORTS = ("relevance", "date", "-date", "title", "updated", "-updated", "id")
CITATION_FORMATS = ("bibtex", "ris", "csl-json")

# Vocabularies listed at /api/v1/vocabularies/{kind}.
VOCABULARIES = (
    "subject",
    "place",
    "language",
    "repository",
    "classification",
    "donor",
    "type",
    "publisher",
    "theme",
    "right",
)

Multi = Annotated[list[str] | None, Query()]


# -- HTTP helpers shared by the API modules -------------------------------------------------


def archive_of(request: Request) -> Archive:
    archive: Archive = request.app.state.archive
    return archive


def json_response(
    request: Request,
    data: Any,
    *,
    status: int = 200,
    last_modified: datetime | None = None,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """JSON with an ETag (of the body), Last-Modified and CORS; 304 when the client has it."""
    body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return cached_response(
        request,
        body,
        media_type=media_type,
        status=status,
        last_modified=last_modified,
        headers=headers,
    )


def cached_response(
    request: Request,
    body: bytes,
    *,
    media_type: str,
    status: int = 200,
    last_modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Any body with validators: a strong ETag of its bytes, and 304 on a match."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    out = {**CORS_HEADERS, "ETag": etag, **(headers or {})}
    if last_modified is not None:
        out["Last-Modified"] = http_date(last_modified)
    if status == 200 and not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=out)
    return Response(body, status_code=status, media_type=media_type, headers=out)


def not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return _utc(last_modified).replace(microsecond=0) <= when
    return False


def http_date(value: datetime) -> str:
    return format_datetime(_utc(value), usegmt=True)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status_code=status,
        media_type=PROBLEM,
        headers={**CORS_HEADERS, **(headers or {})},
    )


def archive_modified(archive: Archive) -> datetime | None:
    """When any record last changed: the Last-Modified of lists and vocabularies."""
    with archive.store.read() as c:
        value = c.execute(select(func.max(t.records.c.updated_at))).scalar_one_or_none()
    if isinstance(value, str):  # some SQLite drivers hand back text for an aggregate
        value = datetime.fromisoformat(value)
    return value


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The offset a cursor stands for, 0 for none, None for a cursor that is not ours."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return offset if offset >= 0 else None


def record_summary(record: Record, base: str) -> dict[str, Any]:
    """What a list shows of a record; the full record is one `links.self` away."""
    dated = record.doc_date
    return {
        "id": record.id,
        "title": record.title,
        "slug": record.slug,
        "description": record.description,
        "doc_date": dated.edtf if dated is not None and not dated.flag else None,
        "frontend_doc_date": display(dated) if dated is not None else None,
        "date_range_start": dated.start.isoformat() if dated and dated.start else None,
        "date_range_end": dated.end.isoformat() if dated and dated.end else None,
        "languages": [lang.model_dump() for lang in record.languages],
        "collections": [{"id": c.id, "name": c.name} for c in record.collections],
        "has_scan": bool(record.media_files),
        "links": record_links(record, base),
    }


def record_links(record: Record, base: str) -> dict[str, str]:
    from urllib.parse import quote

    rid = quote(record.id, safe="")
    links = {
        "self": f"{base}/api/v1/records/{rid}",
        "html": f"{base}/document/{rid}",
        "citation": f"{base}/api/v1/records/{rid}/citation",
        "srv": f"{base}/srv/record/{rid}.json",
    }
    if any(r.sha256 and r.content_type == "application/pdf" for r in record.media_files):
        links["iiif_manifest"] = f"{base}/iiif/{rid}/manifest.json"
    return links


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# -- routes: records ------------------------------------------------------------------------


def install_preflight(app: FastAPI) -> None:
    """Answer CORS preflight requests for /api/ paths.

    A middleware rather than an OPTIONS catch-all route, so that an unknown API path
    still answers 404 (a catch-all route would make it 405).
    """

    @app.middleware("http")
    async def preflight(request: Request, call_next: Any) -> Any:
        if request.method == "OPTIONS" and request.url.path.startswith(PREFIX + "/"):
            return Response(
                status_code=204,
                headers={
                    **CORS_HEADERS,
                    "Access-Control-Allow-Methods": "GET, HEAD, PUT, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization, Content-Type, "
                    "If-None-Match, If-Modified-Since",
                    "Access-Control-Max-Age": "86400",
                },
            )
        return await call_next(request)


@router.get("/records", summary="List records, filtered, page by page")
def list_records(
    request: Request,
    q: Annotated[str, Query(description="Full-text query (docs/search.md)")] = "",
    collection: Multi = None,
    subject: Multi = None,
    person: Multi = None,
    place: Multi = None,
    language: Multi = None,
    repository: Multi = None,
    classification: Multi = None,
    donor: Multi = None,
    type: Multi = None,
    date_from: Annotated[
        str | None, Query(alias="from", description="1961, 1961-03 or 1961-03-05")
    ] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    sort: Annotated[str, Query(description=", ".join(SORTS))] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="From a previous page's `next`")] = None,
) -> Response:
    """Records matching every filter given (a filter repeated must match every value).

    Vocabulary filters take a term id or its exact name; `person` a person id; `collection`
    an id or slug (its sub-collections included); `language` an ISO 639-2/B code.
    """
    archive = archive_of(request)
    offset = decode_cursor(cursor)
    if offset is None:
        return problem(400, "Bad cursor", "The cursor is not one this API gave out.")
    sort = sort or ("relevance" if q.strip() else "date")
    if sort not in SORTS:
        return problem(400, "Unknown sort", f"sort must be one of {', '.join(SORTS)}.")
    values = {
        "subject": subject,
        "place": place,
        "language": language,
        "repository": repository,
        "classification": classification,
        "donor": donor,
        "type": type,
    }
    flt = RecordFilter(q=q)
    for name, given in (("from", date_from), ("to", date_to)):
        if given:
            bounds = parse_date_range(given)
            if bounds is None:
                return problem(400, "Unreadable date", f"{name}={given!r} is not a date.")
            if name == "from":
                flt.overlap_from = bounds.start
            else:
                flt.overlap_to = bounds.end
    with archive.store.read() as c:
        for name, given_values in values.items():
            kind, roles = TERM_FILTERS[name]
            for value in given_values or []:
                flt.terms.append((resolve_term(c, kind, value), roles))
        for value in collection or []:
            flt.collections.append(resolve_collection(c, value))
        for value in person or []:
            flt.persons.append(int(value) if value.strip().isdigit() else None)
    ids, total = find_record_ids(archive, flt, sort=sort, offset=offset, limit=limit)
    base = base_url(request)
    records = archive.get_many(ids)
    following = offset + len(ids)
    next_url = (
        str(request.url.include_query_params(cursor=encode_cursor(following)))
        if following < total and ids
        else None
    )
    data = {
        "total": total,
        "records": [record_summary(r, base) for r in records],
        "next": next_url,
        "next_cursor": encode_cursor(following) if next_url else None,
    }
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else None
    return json_response(request, data, last_modified=archive_modified(archive), headers=headers)


@router.get("/records/{record_id}", summary="One record in fonds' JSON")
def get_record(request: Request, record_id: str) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return problem(404, "Not found", f"There is no published record {record_id!r}.")
    data = record_to_json(record)
    data["links"] = record_links(record, base_url(request))
    return json_response(request, data, last_modified=record.updated_at)


@router.get("/records/{record_id}/citation", summary="The record's citation in any style")
def get_citation(
    request: Request,
    record_id: str,
    style: Annotated[
        str | None,
        Query(
            description="house, chicago, apa, mla, any CSL id, "
            "or bibtex, ris, csl-json; none gives every style"
        ),
    ] = None,
    format: Annotated[str, Query(pattern="^(text|html)$")] = "text",
) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return problem(404, "Not found", f"There is no published record {record_id!r}.")
    settings = archive.settings
    options: dict[str, Any] = {"base_url": settings.base_url, "archive_name": settings.site_name}
    modified = record.updated_at
    if style == "bibtex":
        body = citations.to_bibtex(record, **options).encode()
        return cached_response(
            request, body, media_type="application/x-bibtex; charset=utf-8", last_modified=modified
        )
    if style == "ris":
        body = citations.to_ris(record, **options).encode()
        return cached_response(
            request,
            body,
            media_type="application/x-research-info-systems; charset=utf-8",
            last_modified=modified,
        )
    if style == "csl-json":
        return json_response(
            request,
            [citations.to_csl_json(record, **options)],
            media_type="application/vnd.citationstyles.csl+json",
            last_modified=modified,
        )
    text_format: Literal["text", "html"] = "html" if format == "html" else "text"
    if style is None:
        data = {
            "id": record.id,
            "format": text_format,
            "citations": {
                name: citations.cite(record, name, format=text_format, **options)
                for name in citations.STYLES
            },
            "styles": citations.STYLES,
        }
        return json_response(request, data, last_modified=modified)
    try:
        text = citations.cite(record, style, format=text_format, **options)
    except (ValueError, FileNotFoundError) as error:
        return problem(400, "Unknown citation style", str(error), styles=list(citations.STYLES))
    data = {"id": record.id, "style": style, "format": text_format, "citation": text}
    return json_response(request, data, last_modified=modified)


@router.get("/records/{record_id}/related", summary="Records most like this one")
def get_related(
    request: Request, record_id: str, limit: Annotated[int, Query(ge=1, le=50)] = 5
) -> Response:
    archive = archive_of(request)
    if archive.get(record_id) is None:
        return problem(404, "Not found", f"There is no published record {record_id!r}.")
    base = base_url(request)
    related = archive.related(record_id, limit=limit)
    return json_response(
        request, {"id": record_id, "records": [record_summary(r, base) for r in related]}
    )


@router.put(
    "/records/{record_id}",
    summary="Create or replace a record (editors)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "security": [{"bearer": []}],
    },
)
async def put_record(request: Request, record_id: str) -> Response:
    """Save the record in the body (fonds' JSON) as `record_id`; all of it or nothing."""
    archive = archive_of(request)
    denied = _require_editor(request, archive)
    if denied is not None:
        return denied
    limit = min(archive.settings.max_upload_bytes, MAX_BODY_BYTES)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return problem(413, "Body too large", f"A record may be at most {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return problem(413, "Body too large", f"A record may be at most {limit} bytes.")
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks) or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return problem(422, "Invalid JSON", str(error))
    if not isinstance(data, dict):
        return problem(422, "Invalid record", "The body must be a JSON object (fonds' JSON).")
    if str(data.get("id", record_id)) != record_id:
        return problem(
            422,
            "Invalid record",
            f"The body's id {data.get('id')!r} differs from the URL's {record_id!r}.",
        )
    data["id"] = record_id
    if not str(data.get("title") or "").strip():
        return problem(
            422,
            "Invalid record",
            "A record needs a title.",
            errors=[{"loc": ["title"], "msg": "required"}],
        )
    try:
        record = record_from_json(data)
    except ValidationError as error:
        return problem(
            422,
            "Invalid record",
            "The body is not a valid record.",
            errors=json.loads(error.json(include_url=False, include_input=False)),
        )
    except (ValueError, TypeError) as error:
        return problem(422, "Invalid record", str(error))
    empty = _empty_names(record)
    if empty:
        return problem(422, "Invalid record", f"Empty names or ids in: {', '.join(empty)}.")
    for rendition in record.renditions:
        rendition.source_path = None  # the API never reads files from the server's disk
    try:
        outcome = archive.save(record)
    except SQLAlchemyError as error:
        # The transaction rolled back: nothing of the record was written.
        return problem(
            422, "Record not saved", f"The database refused the record: {type(error).__name__}."
        )
    saved = archive.get(record_id, include_unpublished=True)
    body = {"outcome": outcome, "record": record_to_json(saved) if saved else None}
    return json_response(request, body, status=201 if outcome == "added" else 200)


@router.delete(
    "/records/{record_id}",
    summary="Delete a record (editors)",
    status_code=204,
    openapi_extra={"security": [{"bearer": []}]},
)
def delete_record(request: Request, record_id: str) -> Response:
    archive = archive_of(request)
    denied = _require_editor(request, archive)
    if denied is not None:
        return denied
    if not archive.delete(record_id):
        return problem(404, "Not found", f"There is no record {record_id!r}.")
    return Response(status_code=204, headers=CORS_HEADERS)


def _empty_names(record: Record) -> list[str]:
    """Fields holding a person, term or collection without a name (or id): never valid."""
    fields = (
        "creators",
        "contributors",
        "persons_mentioned",
        "original_coverages",
        "subjects",
        "themes",
        "repositories",
        "donors",
        "publishers",
        "classifications",
        "type",
    )
    bad = [name for name in fields if any(not part.name.strip() for part in getattr(record, name))]
    if any(not c.id.strip() or not c.name.strip() for c in record.collections):
        bad.append("collections")
    if any(not lang.id.strip() for lang in record.languages):
        bad.append("languages")
    return bad


def _require_editor(request: Request, archive: Archive) -> Response | None:
    from fonds.users import verify_token

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="fonds"'}
    if scheme.lower() != "bearer" or not token.strip():
        return problem(
            401,
            "Unauthorized",
            "Send an editor's token: Authorization: Bearer <token> (fonds users add).",
            headers=challenge,
        )
    user = verify_token(archive, token.strip())
    if user is None:
        return problem(
            401,
            "Unauthorized",
            "The token is not valid.",
            headers={"WWW-Authenticate": 'Bearer realm="fonds", error="invalid_token"'},
        )
    if not user.can_write:
        return problem(403, "Forbidden", f"User {user.name!r} may not change records.")
    return None


# -- routes: search --------------------------------------------------------------------------


@router.get("/search", summary="Full-text search with facets and a date histogram")
def search(
    request: Request,
    q: str = "",
    collection: Multi = None,
    subject: Multi = None,
    person: Multi = None,
    place: Multi = None,
    language: Multi = None,
    repository: Multi = None,
    classification: Multi = None,
    donor: Multi = None,
    type: Multi = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    sort: Annotated[str, Query(pattern="^(relevance|date|-date)$")] = "relevance",
    include_undated: bool = False,
    offset: Annotated[int, Query(ge=0, le=INDEX_MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> Response:
    """Hits with snippets, the count of every facet value over all matches, and matches
    per year. Facet filters take the `value` a facet lists (ids for collection, person and
    language; names for the others)."""
    archive = archive_of(request)
    given = {
        "collection": collection,
        "subject": subject,
        "person": person,
        "place": place,
        "language": language,
        "repository": repository,
        "classification": classification,
        "donor": donor,
        "type": type,
    }
    filters = {k: v for k, v in given.items() if v}
    result = archive.search(
        q,
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        include_undated=include_undated,
        offset=offset,
        limit=limit,
    )
    base = base_url(request)
    following = offset + len(result.hits)
    next_url = (
        str(request.url.include_query_params(offset=following))
        if following < result.total and result.hits and following <= INDEX_MAX_OFFSET
        else None
    )
    data = {
        "q": q,
        "total": result.total,
        "offset": offset,
        "limit": limit,
        "hits": [
            {
                "id": hit.id,
                "title": hit.title,
                "date": hit.date,
                "score": hit.score,
                "snippet": hit.snippet,
                "title_html": hit.title_html,
                "matched_variants": hit.matched_variants,
                "links": {
                    "self": f"{base}/api/v1/records/{hit.id}",
                    "html": f"{base}/document/{hit.id}",
                },
            }
            for hit in result.hits
        ],
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in counts]
            for name, counts in result.facets.items()
        },
        "histogram": [
            {"label": b.label, "start_year": b.start_year, "count": b.count}
            for b in result.histogram
        ],
        "undated_count": result.undated_count,
        # True when facet and histogram counts are estimates from a sample of the matches.
        "estimated": result.estimated,
        "warnings": result.warnings,
        "next": next_url,
    }
    return json_response(request, data, last_modified=archive_modified(archive))


# -- routes: collections, people, vocabularies, dates -------------------------------------------


@router.get("/collections", summary="Every collection with its count of records")
def list_collections(request: Request) -> Response:
    archive = archive_of(request)
    base = base_url(request)
    with archive.store.read() as c:
        infos = reader.collections(c)
    data = {"total": len(infos), "collections": [_collection_json(i, base) for i in infos]}
    return json_response(request, data, last_modified=archive_modified(archive))


@router.get("/collections/{collection_id}", summary="One collection")
def get_collection(request: Request, collection_id: str) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        info = reader.get_collection(c, collection_id)
    if info is None:
        return problem(404, "Not found", f"There is no collection {collection_id!r}.")
    return json_response(
        request, _collection_json(info, base_url(request)), last_modified=archive_modified(archive)
    )


def _collection_json(info: reader.CollectionInfo, base: str) -> dict[str, Any]:
    from urllib.parse import quote

    row = info.row
    return {
        "id": info.id,
        "name": info.name,
        "slug": info.slug,
        "description": info.description,
        "short_description": info.short_description,
        "parent": info.parent_id,
        "children": [child.id for child in info.children],
        "kind": info.kind,
        "editors": info.editors,
        "published": info.published,
        "is_inactive": bool(row.get("is_inactive")),
        "count": info.count,
        "links": {
            "self": f"{base}/api/v1/collections/{quote(info.id, safe='')}",
            "records": f"{base}/api/v1/records?collection={quote(info.id, safe='')}",
        },
    }


@router.get("/people", summary="People, by any form of their names")
def list_people(
    request: Request,
    q: Annotated[str, Query(description="Part of any form of the name")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: str | None = None,
) -> Response:
    archive = archive_of(request)
    offset = decode_cursor(cursor)
    if offset is None:
        return problem(400, "Bad cursor", "The cursor is not one this API gave out.")
    with archive.store.read() as c:
        people, total = reader.persons(c, query=q or None, offset=offset, limit=limit)
    base = base_url(request)
    following = offset + len(people)
    next_url = (
        str(request.url.include_query_params(cursor=encode_cursor(following)))
        if following < total and people
        else None
    )
    data = {"total": total, "people": [_person_json(p, base) for p in people], "next": next_url}
    return json_response(request, data, last_modified=archive_modified(archive))


@router.get("/people/{person_id}", summary="One person, with every form of the name")
def get_person(request: Request, person_id: int) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        info = reader.get_person(c, person_id)
    if info is None:
        return problem(404, "Not found", f"There is no person {person_id}.")
    data = _person_json(info, base_url(request))
    data["names"] = [
        {"name": n["name"], "rule": n["rule"], "confidence": n["confidence"], "origin": n["origin"]}
        for n in info.names
    ]
    return json_response(request, data, last_modified=archive_modified(archive))


def _person_json(info: reader.PersonInfo, base: str) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "birth_year": info.birth_year,
        "death_year": info.death_year,
        "count": info.count,
        "links": {
            "self": f"{base}/api/v1/people/{info.id}",
            "records": f"{base}/api/v1/records?person={info.id}",
        },
    }


@router.get("/places", summary="Places (the archive API's coverages), with parents")
def list_places(request: Request, q: str = "") -> Response:
    return _vocabulary(request, "place", q)


@router.get("/subjects", summary="Subjects")
def list_subjects(request: Request, q: str = "") -> Response:
    return _vocabulary(request, "subject", q)


@router.get("/vocabularies/{kind}", summary="Any controlled vocabulary")
def list_vocabulary(request: Request, kind: str, q: str = "") -> Response:
    if kind not in VOCABULARIES:
        return problem(
            404, "Not found", f"There is no vocabulary {kind!r}.", vocabularies=list(VOCABULARIES)
        )
    return _vocabulary(request, kind, q)


def _vocabulary(request: Request, kind: str, q: str) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        terms = reader.terms(c, kind, query=q or None)
    param = {"place": "place", "subject": "subject"}.get(kind, kind)
    base = base_url(request)
    items = [
        {
            "id": term.id,
            "name": term.name,
            "value": term.value,
            "description": term.description,
            "parent": term.parent_id,
            "variants": term.variants,
            "count": term.count,
            "links": {"records": f"{base}/api/v1/records?{param}={term.id}"}
            if param in TERM_FILTERS
            else {},
        }
        for term in terms
    ]
    return json_response(
        request,
        {"kind": kind, "total": len(items), "terms": items},
        last_modified=archive_modified(archive),
    )


@router.get("/dates/histogram", summary="Records per year, and the archive's date range")
def dates_histogram(request: Request) -> Response:
    archive = archive_of(request)
    with archive.store.read() as c:
        years = reader.year_counts(c)
        begin, end = reader.date_range(c)
        undated = c.execute(
            select(func.count())
            .select_from(t.records)
            .where(reader.published_clause(), t.records.c.date_start.is_(None))
        ).scalar_one()
    data = {
        "begin": begin.isoformat() if begin else None,
        "end": end.isoformat() if end else None,
        "years": [{"year": year, "count": count} for year, count in years],
        "undated": int(undated),
    }
    return json_response(request, data, last_modified=archive_modified(archive))
