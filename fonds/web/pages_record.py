"""The record page, its JSON twin, and citation downloads.

`/document/{id}` (and `/document/{id}/{slug}`, the seed pages' permalink form) shows
everything the seed pages show: title, dates, summary, citations, share links, credits,
original language, source and archival reference, classification, translator, people,
places, subjects, collections, the translation beside the original, the scan, related
records, and the previous and next record of its collection.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from iso639 import Language as IsoLanguage
from iso639 import LanguageNotFoundError
from markupsafe import Markup, escape

from fonds.cite import STYLES, cite, to_bibtex, to_csl_json, to_ris
from fonds.dates import display
from fonds.model import Person, Record, Rendition, html_to_text
from fonds.serialize import record_to_json
from fonds.store import reader
from fonds.web.errors import error_page
from fonds.web.render import (
    TTLCache,
    archive_of,
    clean_html,
    respond,
    strip_json,
    wants_json,
)

log = logging.getLogger("fonds.web")
router = APIRouter(include_in_schema=False)

# The styles the citation dialog offers, after the house form.
DIALOG_STYLES = ("chicago", "apa", "mla")
DOWNLOADS: dict[str, tuple[str, str]] = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json", "CSL-JSON"),
}
# The levels of an archival reference, in the order archivists cite them.
REFERENCE_LEVELS: tuple[tuple[str, str], ...] = (
    ("repository", "Repository"),
    ("fond", "Fond"),
    ("opis", "Opis (inventory)"),
    ("papka", "Papka (folder)"),
    ("delo", "Delo (file)"),
    ("listy", "Listy (sheets)"),
    ("series", "Series"),
    ("box", "Box"),
    ("folder", "Folder"),
    ("file", "File"),
)
# Related records come from a "more like this" query; they change only when the archive does,
# so each worker keeps them for a while.
_RELATED = TTLCache(ttl=600)
RENDITION_LABELS = {"translation": "Translation", "transcript": "Original", "scan": "Scan"}


@router.get("/records/{record_id}")
def record_alias(request: Request, record_id: str) -> Response:
    """`/records/{id}` (the plural-noun form) is the same record's permalink."""
    suffix = ".json" if record_id.endswith(".json") else ""
    return RedirectResponse(f"/document/{quote(strip_json(record_id), safe='')}{suffix}", 301)


@router.get("/document/{record_id}/cite.{ext}")
def citation_download(request: Request, record_id: str, ext: str) -> Response:
    """The citation as a file for reference managers: BibTeX, RIS or CSL-JSON."""
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None or ext not in DOWNLOADS:
        return error_page(request, 404)
    base_url, archive_name = _cite_options(request)
    disposition = {"Content-Disposition": f'attachment; filename="{_file_stem(record)}.{ext}"'}
    if ext == "bib":
        body = to_bibtex(record, base_url=base_url, archive_name=archive_name)
    elif ext == "ris":
        body = to_ris(record, base_url=base_url, archive_name=archive_name)
    else:
        return JSONResponse(
            [to_csl_json(record, base_url=base_url, archive_name=archive_name)],
            media_type=DOWNLOADS[ext][0],
            headers=disposition,
        )
    return Response(body, media_type=DOWNLOADS[ext][0], headers=disposition)


@router.get("/document/{record_id}/cite")
def citation_text(request: Request, record_id: str) -> Response:
    """One citation as plain text: `?style=chicago` (house, chicago, apa, mla or a CSL id)."""
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return error_page(request, 404)
    style = request.query_params.get("style") or "house"
    as_html = request.query_params.get("format") == "html"
    try:
        base_url, archive_name = _cite_options(request)
        text = cite(
            record,
            style,
            format="html" if as_html else "text",
            base_url=base_url,
            archive_name=archive_name,
        )
    except ValueError as error:
        return error_page(request, 400, str(error))
    if as_html:  # a fragment for the citation dialog: cite() escapes every field
        return HTMLResponse(text)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"id": record.id, "style": style, "citation": text})
    return PlainTextResponse(text)


@router.get("/document/{record_id}/{slug}")
def record_page_with_slug(request: Request, record_id: str, slug: str) -> Response:
    """The permalink with the title's slug; any slug shows the record (titles change)."""
    return _record_response(request, record_id, json_twin=slug.endswith(".json"))


@router.get("/document/{record_id}")
def record_page(request: Request, record_id: str) -> Response:
    return _record_response(request, strip_json(record_id), json_twin=wants_json(request))


def _record_response(request: Request, record_id: str, *, json_twin: bool) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return error_page(request, 404, "There is no published record with this number.")
    if json_twin:  # answered before the page's citations and related records are worked out
        return JSONResponse(record_to_json(record), headers={"Vary": "Accept"})
    context = record_context(request, record)
    return respond(request, "record.html", context, record_to_json(record))


def record_context(request: Request, record: Record) -> dict[str, Any]:
    """Everything the record page shows, worked out once so the template only lays it out."""
    archive = archive_of(request)
    settings = archive.settings
    base = settings.base_url.rstrip("/")
    permalink = f"{base}/document/{quote(record.id, safe='')}"
    with archive.store.read() as c:
        prev_id, next_id = reader.neighbours(c, record)
        around = {r.id: r for r in reader.get_records(c, [i for i in (prev_id, next_id) if i])}
    related = _RELATED.get_or_set(
        (id(archive), record.id, record.updated_at), lambda: _related(archive, record.id)
    )
    renditions = [rendition_view(r) for r in record.renditions]
    texts = [r for r in renditions if r["html"]]
    scans = [r for r in renditions if r["url"]]
    home_collection = record.collections[-1] if record.collections else None
    description_text = html_to_text(record.description or "")
    return {
        "record": record,
        "title": record.title,
        "permalink": permalink,
        "date": _date_view(record),
        "description": clean_html(record.description),
        "description_text": description_text,
        "citations": citations(record, base, settings.site_name),
        "downloads": {
            ext: (f"/document/{quote(record.id, safe='')}/cite.{ext}", label)
            for ext, (_, label) in DOWNLOADS.items()
        },
        "share": share_links(record.title, permalink),
        "people": _people_groups(record),
        "languages": _languages(record),
        "reference": _reference_rows(record),
        "texts": texts,
        "scans": scans,
        "parallel": len(texts) >= 2,
        "prev": around.get(prev_id) if prev_id else None,
        "next": around.get(next_id) if next_id else None,
        "home_collection": home_collection,
        "scope": [(home_collection.id, home_collection.name)] if home_collection else [],
        "related": related,
        "json_ld": json_ld(record, permalink, settings.site_name, base, scans),
        "og": {
            "type": "article",
            "title": record.title,
            "description": description_text[:300],
            "url": permalink,
            "site_name": settings.site_name,
        },
        "source_url": record.extra.get("url") if isinstance(record.extra.get("url"), str) else None,
        "classification_line": record.extra.get("classification_line"),
    }


def citations(record: Record, base_url: str, archive_name: str) -> list[dict[str, Any]]:
    """The house citation (rendered) and the dialog's CSL styles (addresses to load them).

    A CSL render costs 10-50 ms (citeproc-py), so a record page carries only the house
    citation; the dialog loads Chicago, APA and MLA when it opens, and without JavaScript
    each style is a link to its plain-text citation.
    """
    out: list[dict[str, Any]] = []
    try:
        house = cite(record, "house", format="html", base_url=base_url, archive_name=archive_name)
        out.append({"style": "house", "label": "Archive", "html": Markup(house)})
    except Exception:  # a citation that cannot be formed should not cost the page
        log.exception("house citation of %s failed", record.id)
    path = f"/document/{quote(record.id, safe='')}/cite"
    for style in DIALOG_STYLES:
        label = STYLES.get(style, style).split(" (")[0]
        out.append(
            {
                "style": style,
                "label": _short_style(style, label),
                "html": None,
                "href": f"{path}?style={style}",
                "src": f"{path}?style={style}&format=html",
            }
        )
    return out


def _short_style(style: str, label: str) -> str:
    return {"house": "Archive", "chicago": "Chicago", "apa": "APA", "mla": "MLA"}.get(style, label)


def share_links(title: str, url: str) -> list[dict[str, str]]:
    """Plain links to share a record: no scripts, counters or trackers from anyone."""
    text = f"{title} {url}"
    return [
        {
            "name": "Email",
            "url": "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote),
        },
        {"name": "Bluesky", "url": "https://bsky.app/intent/compose?" + urlencode({"text": text})},
        {
            "name": "Mastodon",
            "url": "https://mastodonshare.com/?" + urlencode({"text": title, "url": url}),
        },
        {"name": "X", "url": "https://x.com/intent/post?" + urlencode({"text": title, "url": url})},
        {
            "name": "Facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "name": "LinkedIn",
            "url": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {
            "name": "Reddit",
            "url": "https://www.reddit.com/submit?" + urlencode({"url": url, "title": title}),
        },
    ]


def rendition_view(rendition: Rendition) -> dict[str, Any]:
    """One rendition as the page shows it: sanitised text, or a stored file to view."""
    language = rendition.language
    html: Markup | None = None
    if rendition.html:
        html = clean_html(rendition.html)
    elif rendition.pages and any(page.text.strip() for page in rendition.pages):
        html = Markup("").join(
            Markup(
                '<section class="page-text" aria-label="Page {n}"><h4>Page {n}</h4>{p}</section>'
            ).format(n=page.number, p=_paragraphs(page.text))
            for page in rendition.pages
            if page.text.strip()
        )
    url = f"/files/{rendition.sha256}" if rendition.sha256 else None
    is_pdf = rendition.content_type.startswith("application/pdf")
    label = RENDITION_LABELS[rendition.kind]
    if language and language.name:
        label = f"{label} - {language.name}"
    return {
        "kind": rendition.kind,
        "id": rendition.id or rendition.kind,
        "anchor": f"{rendition.kind}-{(rendition.id or '').rsplit('-', 1)[-1] or '1'}",
        "label": label,
        "language": language.name if language else "",
        "lang": lang_tag(language.id) if language else None,
        "html": html,
        "url": url if (url and (is_pdf or rendition.kind == "scan" or not html)) else None,
        "download_url": f"{url}?download=1" if url else None,
        "is_pdf": is_pdf,
        "is_image": rendition.content_type.startswith("image/"),
        "content_type": rendition.content_type,
        "filename": rendition.filename or (f"{rendition.kind}.{rendition.extension}"),
        "size": rendition.size,
    }


def _paragraphs(text: str) -> Markup:
    blocks = [b.strip() for b in text.replace("\r", "").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


@lru_cache(maxsize=256)
def lang_tag(code: str) -> str | None:
    """The BCP 47 tag for an ISO 639-2/B code ("rus" → "ru"), for `lang` attributes."""
    try:
        found = IsoLanguage.match(code)
    except (LanguageNotFoundError, ValueError, TypeError):
        return None
    return found.part1 or found.part3 or None


def _date_view(record: Record) -> dict[str, Any]:
    """The date normalised and as written, and the event date when it is another day."""
    doc, event = record.doc_date, record.event_date
    shown = display(doc) if doc else ""
    as_written = doc.text.strip() if doc and doc.text else ""
    event_shown = display(event) if event else ""
    return {
        "shown": shown,
        "iso": doc.edtf if doc and not doc.flag else None,
        # The words on the page, when they say more than the normalised date (not an ISO date).
        "as_written": as_written if as_written not in ("", shown, doc.edtf if doc else "") else "",
        "flag": doc.flag if doc else None,
        "event": event_shown if event and event_shown != shown else "",
        "event_iso": event.edtf if event and not event.flag else None,
        "event_as_written": (event.text or "") if event and event.text != event.edtf else "",
    }


def _people_groups(record: Record) -> list[tuple[str, list[Person]]]:
    groups = [
        ("Author" if len(record.creators) == 1 else "Authors", record.creators),
        ("Participants", record.contributors),
        ("Mentioned", record.persons_mentioned),
    ]
    return [(label, people) for label, people in groups if people]


def _languages(record: Record) -> list[str]:
    names = [language.name or language.id for language in record.languages]
    if not names:  # an older import may name the language only on the transcript
        names = [r.language.name or r.language.id for r in record.transcripts if r.language]
    return list(dict.fromkeys(names))


def _reference_rows(record: Record) -> list[tuple[str, str]]:
    reference = record.archival_reference
    if reference is None or reference.is_empty():
        return []
    return [(label, str(v)) for key, label in REFERENCE_LEVELS if (v := getattr(reference, key))]


def _related(archive: Any, record_id: str) -> list[Record]:
    """Records like this one, from the index; the page still shows when the index fails."""
    try:
        related: list[Record] = archive.related(record_id, limit=5)
    except Exception:
        log.exception("related records of %s failed", record_id)
        return []
    return [r for r in related if r.id != record_id]


def json_ld(
    record: Record, permalink: str, site_name: str, base: str, scans: list[dict[str, Any]]
) -> dict[str, Any]:
    """schema.org metadata for search engines and reference managers."""

    def person(p: Person) -> dict[str, Any]:
        data: dict[str, Any] = {"@type": "Person", "name": p.name}
        if p.id:
            data["url"] = f"{base}/people/{p.id}"
        if p.variants:
            data["alternateName"] = p.variants
        return data

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ["ArchiveComponent", "CreativeWork"],
        "@id": permalink,
        "url": permalink,
        "identifier": record.id,
        "name": record.title,
        "publisher": {"@type": "Organization", "name": site_name, "url": base},
    }
    if record.description:
        data["description"] = html_to_text(record.description)
    if record.doc_date and record.doc_date.edtf and not record.doc_date.flag:
        data["dateCreated"] = record.doc_date.edtf
    if record.event_date and record.event_date.edtf and not record.event_date.flag:
        data["temporalCoverage"] = record.event_date.edtf
    if record.languages:
        data["inLanguage"] = [lang_tag(lang.id) or lang.id for lang in record.languages]
    if record.creators:
        data["author"] = [person(p) for p in record.creators]
    if record.contributors or record.persons_mentioned:
        data["mentions"] = [person(p) for p in [*record.contributors, *record.persons_mentioned]]
    if record.translator:
        data["translator"] = {"@type": "Person", "name": record.translator}
    if record.subjects:
        data["about"] = [{"@type": "Thing", "name": s.name} for s in record.subjects]
    if record.original_coverages:
        data["spatialCoverage"] = [
            {"@type": "Place", "name": p.name} for p in record.original_coverages
        ]
    if record.collections:
        data["isPartOf"] = [
            {"@type": "Collection", "name": c.name, "url": f"{base}/collections/{c.id}"}
            for c in record.collections
        ]
    if record.repositories:
        data["holdingArchive"] = {
            "@type": "ArchiveOrganization",
            "name": record.repositories[0].name,
        }
    if record.source or (record.archival_reference and record.archival_reference.raw):
        data["itemLocation"] = record.source or record.archival_reference.raw  # type: ignore[union-attr]
    if record.donors:
        data["funder"] = [{"@type": "Organization", "name": d.name} for d in record.donors]
    if record.classifications:
        data["conditionsOfAccess"] = ", ".join(c.name for c in record.classifications)
    if record.type:
        data["genre"] = record.type[0].name
    if scans:
        data["associatedMedia"] = [
            {
                "@type": "MediaObject",
                "contentUrl": base + s["url"],
                "encodingFormat": s["content_type"],
                "name": s["filename"],
            }
            for s in scans
        ]
    return data


def _cite_options(request: Request) -> tuple[str, str]:
    """The permalink base and the archive's name, as every citation prints them."""
    settings = archive_of(request).settings
    return settings.base_url.rstrip("/"), settings.site_name


def _file_stem(record: Record) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in record.id)
    return stem.strip("-") or "record"
