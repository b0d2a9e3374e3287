"""Browsing without a query: collections, people, places, subjects and the timeline.

Each list page and each entry page has a JSON twin (`.json` or `Accept: application/json`).
An entry page lists its records a page at a time, oldest first, and links to the search page
with the same filter, where facets can narrow it further.
"""

from __future__ import annotations

import calendar
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fonds.store import reader
from fonds.store.reader import CollectionInfo, TermInfo
from fonds.web.errors import error_page
from fonds.web.render import (
    archive_of,
    bar_width,
    page_number,
    pagination,
    query_url,
    record_summary,
    respond,
    strip_json,
)

router = APIRouter(include_in_schema=False)

LIST_SIZE = 100
# Vocabularies with browse pages: URL segment → (term kind, singular, plural, search facet).
VOCABULARIES: dict[str, tuple[str, str, str, str]] = {
    "places": ("place", "Place", "Places", "place"),
    "subjects": ("subject", "Subject", "Subjects", "subject"),
}


# -- collections --------------------------------------------------------------------------


@router.get("/collections")
@router.get("/collections.json")
def collections(request: Request) -> Response:
    """Every collection with its description and count, sub-collections under their parent."""
    archive = archive_of(request)
    with archive.store.read() as c:
        infos = reader.collections(c)
    top = [info for info in infos if not info.parent_id]
    data = [_collection_dict(info, with_children=True) for info in top]
    return respond(request, "collections.html", {"collections": top, "title": "Collections"}, data)


@router.get("/collections/{collection_id}")
def collection(request: Request, collection_id: str) -> Response:
    archive = archive_of(request)
    key = strip_json(collection_id)
    page = page_number(request.query_params.get("page"))
    size = archive.settings.page_size
    with archive.store.read() as c:
        info = reader.get_collection(c, key)
        if info is None:
            return error_page(request, 404, "There is no collection with this name.")
        records, total = reader.list_records(
            c, collection=info.id, offset=(page - 1) * size, limit=size
        )
        trail = _collection_trail(c, info)
        children = [reader.get_collection(c, child.id) or child for child in info.children]
    pager = pagination(page, total, size)
    context = {
        "title": info.name,
        "collection": info,
        "children": children,
        "trail": trail,
        "records": records,
        "pager": pager,
        "page_url": lambda n: query_url(request.url.path, {"page": n if n > 1 else None}),
        "scope": [(info.id, info.name)],
        "search_url": query_url("/search", {"collection": info.id}),
    }
    data = {
        **_collection_dict(info, with_children=False),
        "children": [_collection_dict(child, with_children=False) for child in children],
        "records": [record_summary(r) for r in records],
        "total": total,
        "page": pager["page"],
    }
    return respond(request, "collection.html", context, data)


def _collection_trail(c: Any, info: CollectionInfo) -> list[CollectionInfo]:
    """The collection's ancestors, outermost first (volume → compilation → chapter)."""
    trail: list[CollectionInfo] = []
    parent_id = info.parent_id
    while parent_id and len(trail) < 10:
        parent = reader.get_collection(c, parent_id)
        if parent is None:
            break
        trail.insert(0, parent)
        parent_id = parent.parent_id
    return trail


def _collection_dict(info: CollectionInfo, *, with_children: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "short_description": info.short_description,
        "kind": info.kind,
        "editors": info.editors,
        "published": info.published,
        "parent": info.parent_id,
        "count": info.count,
        "url": f"/collections/{info.id}",
    }
    if with_children:
        data["children"] = [_collection_dict(ch, with_children=True) for ch in info.children]
    return data


# -- people -------------------------------------------------------------------------------


@router.get("/people")
@router.get("/people.json")
def people(request: Request) -> Response:
    """People A to Z with their record counts; `?q=` finds any form of a name."""
    archive = archive_of(request)
    q = (request.query_params.get("q") or "").strip()[:200]
    page = page_number(request.query_params.get("page"))
    with archive.store.read() as c:
        found, total = reader.persons(
            c, query=q or None, offset=(page - 1) * LIST_SIZE, limit=LIST_SIZE
        )
    pager = pagination(page, total, LIST_SIZE)
    context = {
        "title": "People",
        "people": found,
        "q": q,
        "pager": pager,
        "page_url": lambda n: query_url("/people", {"q": q, "page": n if n > 1 else None}),
    }
    data = {
        "total": total,
        "page": pager["page"],
        "people": [_person_dict(p) for p in found],
    }
    return respond(request, "people.html", context, data)


@router.get("/people/{person_id}")
def person(request: Request, person_id: str) -> Response:
    """One person: every form of the name, dates, description, and their records."""
    archive = archive_of(request)
    key = strip_json(person_id)
    if not key.isdigit() or len(key) > 12:
        return error_page(request, 404, "There is no person with this number.")
    page = page_number(request.query_params.get("page"))
    size = archive.settings.page_size
    with archive.store.read() as c:
        info = reader.get_person(c, int(key))
        if info is None:
            return error_page(request, 404, "There is no person with this number.")
        records, total = reader.list_records(
            c, person=info.id, offset=(page - 1) * size, limit=size
        )
    pager = pagination(page, total, size)
    forms = list(dict.fromkeys(str(n["name"]) for n in info.names if n.get("name")))
    context = {
        "title": info.name,
        "person": info,
        "forms": [f for f in forms if f != info.name],
        "records": records,
        "pager": pager,
        "total": total,
        "page_url": lambda n: query_url(request.url.path, {"page": n if n > 1 else None}),
        "search_url": query_url("/search", {"person": str(info.id)}),
    }
    data = {
        **_person_dict(info),
        "names": [
            {"name": n.get("name"), "rule": n.get("rule"), "confidence": n.get("confidence")}
            for n in info.names
        ],
        "records": [record_summary(r) for r in records],
        "total": total,
        "page": pager["page"],
    }
    return respond(request, "person.html", context, data)


def _person_dict(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "birth_year": info.birth_year,
        "death_year": info.death_year,
        "count": info.count,
        "url": f"/people/{info.id}",
    }


# -- places and subjects ------------------------------------------------------------------


@router.get("/places")
@router.get("/places.json")
def places(request: Request) -> Response:
    return _vocabulary(request, "places")


@router.get("/subjects")
@router.get("/subjects.json")
def subjects(request: Request) -> Response:
    return _vocabulary(request, "subjects")


@router.get("/places/{term_id}")
def place(request: Request, term_id: str) -> Response:
    return _term_page(request, "places", strip_json(term_id))


@router.get("/subjects/{term_id}")
def subject(request: Request, term_id: str) -> Response:
    return _term_page(request, "subjects", strip_json(term_id))


def _vocabulary(request: Request, segment: str) -> Response:
    """A vocabulary as a tree (places nest: country → city), with counts of records."""
    kind, _, plural, _ = VOCABULARIES[segment]
    archive = archive_of(request)
    with archive.store.read() as c:
        terms = reader.terms(c, kind)
    tree = _tree(terms)
    context = {"title": plural, "segment": segment, "tree": tree, "total": len(terms)}
    data = [_term_dict(segment, node, children) for node, children in _flat_tree(tree)]
    return respond(request, "terms.html", context, data)


def _tree(terms: list[TermInfo]) -> list[dict[str, Any]]:
    nodes: dict[int, dict[str, Any]] = {term.id: {"term": term, "children": []} for term in terms}
    roots: list[dict[str, Any]] = []
    for term in terms:
        node = nodes[term.id]
        parent = nodes.get(term.parent_id) if term.parent_id else None
        if parent is not None and parent is not node:
            parent["children"].append(node)
        else:
            roots.append(node)
    return roots


def _flat_tree(tree: list[dict[str, Any]]) -> list[tuple[TermInfo, list[dict[str, Any]]]]:
    return [(node["term"], node["children"]) for node in tree]


def _term_dict(segment: str, term: TermInfo, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": term.id,
        "name": term.name,
        "description": term.description,
        "variants": term.variants,
        "count": term.count,
        "url": f"/{segment}/{term.id}",
        "children": [_term_dict(segment, ch["term"], ch["children"]) for ch in children],
    }


def _term_page(request: Request, segment: str, key: str) -> Response:
    kind, singular, plural, facet = VOCABULARIES[segment]
    archive = archive_of(request)
    page = page_number(request.query_params.get("page"))
    size = archive.settings.page_size
    with archive.store.read() as c:
        term = reader.get_term(c, kind, key[:500])
        if term is None:
            return error_page(request, 404, f"There is no {singular.lower()} with this name.")
        children = reader.term_children(c, term.id)
        trail: list[TermInfo] = []
        parent_id = term.parent_id
        while parent_id and len(trail) < 10:
            parent = reader.get_term(c, kind, parent_id)
            if parent is None:
                break
            trail.insert(0, parent)
            parent_id = parent.parent_id
        records, total = reader.list_records(c, term=term.id, offset=(page - 1) * size, limit=size)
    pager = pagination(page, total, size)
    context = {
        "title": term.name,
        "term": term,
        "segment": segment,
        "singular": singular,
        "plural": plural,
        "children": children,
        "trail": trail,
        "records": records,
        "pager": pager,
        "total": total,
        "page_url": lambda n: query_url(request.url.path, {"page": n if n > 1 else None}),
        # Places are filtered by name in the index; other vocabularies by the same name.
        "search_url": query_url("/search", {facet: term.name}),
    }
    data = {
        **_term_dict(segment, term, []),
        "parent": term.parent_id,
        "children": [_term_dict(segment, ch, []) for ch in children],
        "records": [record_summary(r) for r in records],
        "total": total,
        "page": pager["page"],
    }
    return respond(request, "term.html", context, data)


# -- timeline -----------------------------------------------------------------------------


@router.get("/timeline")
@router.get("/timeline.json")
def timeline(request: Request) -> Response:
    """Records per year, grouped by decade; each year links to its months."""
    archive = archive_of(request)
    with archive.store.read() as c:
        years = reader.year_counts(c)
        total = reader.count_records(c)
    dated = sum(n for _, n in years)
    peak = max((n for _, n in years), default=1)
    decades: dict[int, list[dict[str, Any]]] = {}
    for year, count in years:
        decades.setdefault(year // 10 * 10, []).append(
            {"year": year, "count": count, "width": bar_width(count, peak)}
        )
    context = {
        "title": "Timeline",
        "decades": sorted(decades.items()),
        "dated": dated,
        "undated": total - dated,
    }
    data = {
        "years": [{"year": y, "count": n, "url": f"/timeline/{y}"} for y, n in years],
        "undated": total - dated,
    }
    return respond(request, "timeline.html", context, data)


@router.get("/timeline/{year}")
def timeline_year(request: Request, year: str) -> Response:
    """One year: records per month, and the records of the year (or of `?month=`)."""
    archive = archive_of(request)
    key = strip_json(year)
    if not (key.isdigit() and 1 <= len(key) <= 4) or int(key) < 1:
        return error_page(request, 404, "The timeline has no such year.")
    year_number = int(key)
    month_param = request.query_params.get("month") or ""
    month = int(month_param) if month_param.isdigit() and 1 <= int(month_param) <= 12 else None
    page = page_number(request.query_params.get("page"))
    size = archive.settings.page_size
    with archive.store.read() as c:
        months = dict(reader.month_counts(c, year_number))
        records, total = reader.list_records(
            c, year=year_number, month=month, offset=(page - 1) * size, limit=size
        )
        years = [y for y, _ in reader.year_counts(c)]
    peak = max(months.values(), default=1)
    month_rows = [
        {
            "month": m,
            "name": calendar.month_name[m],
            "count": months.get(m, 0),
            "width": bar_width(months.get(m, 0), peak),
            "url": query_url(f"/timeline/{year_number}", {"month": m}),
        }
        for m in range(1, 13)
    ]
    earlier = [y for y in years if y < year_number]
    later = [y for y in years if y > year_number]
    pager = pagination(page, total, size)
    context = {
        "title": f"{year_number}" + (f", {calendar.month_name[month]}" if month else ""),
        "year": year_number,
        "month": month,
        "month_name": calendar.month_name[month] if month else "",
        "months": month_rows,
        "records": records,
        "total": total,
        "pager": pager,
        "previous_year": earlier[-1] if earlier else None,
        "next_year": later[0] if later else None,
        "page_url": lambda n: query_url(
            f"/timeline/{year_number}", {"month": month, "page": n if n > 1 else None}
        ),
        "search_url": query_url(
            "/search",
            {
                "from": f"{year_number:04d}" + (f"-{month:02d}" if month else ""),
                "to": f"{year_number:04d}" + (f"-{month:02d}" if month else ""),
            },
        ),
    }
    data = {
        "year": year_number,
        "month": month,
        "months": [{"month": r["month"], "count": r["count"]} for r in month_rows],
        "records": [record_summary(r) for r in records],
        "total": total,
        "page": pager["page"],
    }
    return respond(request, "timeline_year.html", context, data)
