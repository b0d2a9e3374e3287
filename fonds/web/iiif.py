"""IIIF: a Presentation 3 manifest for every record with scans, and its page images.

Viewers (Mirador, Universal Viewer) and other archives display a record's scan from its
manifest at `/iiif/{id}/manifest.json`: one canvas per page of each stored PDF. Pages are
rendered from the PDF once (at ingest via `render_pages`, or on the first request) and kept
under the archive's `iiif/` folder by the file's SHA-256, so a scan shared by two records is
rendered once. Each image is served plainly and as a level-0 IIIF Image API 3 service
(`/iiif/image/{sha256}-{page}/info.json`, `/full/max/0/default.jpg`).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from iiif_prezi3 import Manifest
from sqlalchemy import select

from fonds.dates import display
from fonds.model import Record, Rendition
from fonds.store import reader
from fonds.store import tables as t
from fonds.web.api import CORS_HEADERS, archive_of, json_response, problem

if TYPE_CHECKING:
    from fonds.archive import Archive

router = APIRouter(tags=["IIIF"])

# Rendering: longest side of a page image, in pixels (about 200 dpi for a letter page).
MAX_SIDE = 2200
JPEG_QUALITY = 82
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
# pdfium is not thread-safe; FastAPI runs sync routes on a thread pool.
_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    """One rendered page: where the JPEG is and how big it is."""

    sha256: str
    number: int  # 1-based
    path: Path
    width: int
    height: int

    @property
    def identifier(self) -> str:
        return f"{self.sha256}-{self.number}"


def scans(record: Record) -> list[Rendition]:
    """The record's stored PDF scans, the renditions a manifest shows."""
    return [r for r in record.media_files if r.sha256 and r.content_type == "application/pdf"]


def render_pages(archive: Archive, sha256: str) -> list[PageImage]:
    """Render (once; cached under iiif/) every page of the stored PDF `sha256`."""
    folder = archive.settings.home / "iiif" / sha256
    index = folder / "pages.json"
    if index.is_file():
        sizes = json.loads(index.read_text(encoding="utf-8"))
        pages = [
            PageImage(sha256, i + 1, folder / f"{i + 1}.jpg", w, h)
            for i, (w, h) in enumerate(sizes)
        ]
        if all(page.path.is_file() for page in pages):
            return pages
    source = archive.store.files.path(sha256)
    if not source.is_file():
        return []
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    sizes = []
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(source))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                width, height = page.get_size()
                scale = MAX_SIDE / max(width, height, 1)
                image = page.render(scale=scale).to_pil().convert("RGB")
                page.close()
                fd, tmp = tempfile.mkstemp(dir=folder, suffix=".jpg")
                with os.fdopen(fd, "wb") as out:
                    image.save(out, format="JPEG", quality=JPEG_QUALITY)
                Path(tmp).replace(folder / f"{i + 1}.jpg")
                sizes.append((image.width, image.height))
        finally:
            pdf.close()
    index.write_text(json.dumps(sizes), encoding="utf-8")
    return [
        PageImage(sha256, i + 1, folder / f"{i + 1}.jpg", w, h) for i, (w, h) in enumerate(sizes)
    ]


def build_manifest(archive: Archive, record: Record, base: str) -> dict[str, Any]:
    """The record's IIIF Presentation 3 manifest, as a JSON-LD dict (built with iiif-prezi3)."""
    rid = quote(record.id, safe="")
    root = f"{base}/iiif/{rid}"
    label_language = "en"
    manifest = Manifest(id=f"{root}/manifest.json", label={label_language: [record.title]})
    if record.description:
        manifest.summary = {label_language: [record.description]}
    metadata = [
        ("Date", display(record.doc_date) if record.doc_date else ""),
        ("Source", record.source or ""),
        ("Languages", ", ".join(lang.name or lang.id for lang in record.languages)),
        ("Collections", "; ".join(c.name for c in record.collections)),
        ("Record", record.id),
    ]
    manifest.metadata = [
        {"label": {"en": [name]}, "value": {"none": [value]}} for name, value in metadata if value
    ]
    settings = archive.settings
    manifest.requiredStatement = {
        "label": {"en": ["Attribution"]},
        "value": {
            "en": [
                f"{settings.site_name}: {record.rights.name}"
                if record.rights
                else settings.site_name
            ]
        },
    }
    manifest.homepage = [
        {
            "id": f"{base}/document/{rid}",
            "type": "Text",
            "label": {"en": [record.title]},
            "format": "text/html",
        }
    ]
    manifest.seeAlso = [
        {
            "id": f"{base}/api/v1/records/{rid}",
            "type": "Dataset",
            "format": "application/json",
            "label": {"en": ["Record (JSON)"]},
        }
    ]
    renderings = []
    for scan in scans(record):
        renderings.append(
            {
                "id": f"{base}/media_files/{quote(str(scan.id), safe='')}.pdf",
                "type": "Text",
                "format": "application/pdf",
                "label": {"en": [scan.filename or "PDF"]},
            }
        )
        for page in render_pages(archive, scan.sha256 or ""):
            canvas_id = f"{root}/canvas/{page.identifier}"
            canvas = manifest.make_canvas(
                id=canvas_id,
                label={"none": [f"p. {page.number}"]},
                height=page.height,
                width=page.width,
            )
            service = f"{base}/iiif/image/{page.identifier}"
            annotation_page = canvas.add_image(
                image_url=f"{service}/full/max/0/default.jpg",
                anno_page_id=f"{canvas_id}/page",
                anno_id=f"{canvas_id}/page/image",
                format="image/jpeg",
                height=page.height,
                width=page.width,
            )
            body = annotation_page.items[0].body
            body.service = [{"id": service, "type": "ImageService3", "profile": "level0"}]
    if renderings:
        manifest.rendering = renderings
    data: dict[str, Any] = json.loads(manifest.json())
    if data.get("items"):
        first = data["items"][0]["items"][0]["items"][0]["body"]
        data["thumbnail"] = [
            {
                "id": first["id"],
                "type": "Image",
                "format": "image/jpeg",
                "width": first["width"],
                "height": first["height"],
            }
        ]
    return data


@router.get("/iiif/{record_id}/manifest.json", summary="IIIF Presentation 3 manifest")
def manifest(request: Request, record_id: str) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None or not scans(record):
        return problem(404, "Not found", f"No published record {record_id!r} with scans.")
    data = build_manifest(archive, record, str(request.base_url).rstrip("/"))
    return json_response(
        request,
        data,
        last_modified=record.updated_at,
        media_type=f'application/ld+json;profile="{PRESENTATION_CONTEXT}"',
    )


@router.get("/iiif/image/{identifier}/info.json", summary="IIIF Image API 3 (level 0)")
def image_info(request: Request, identifier: str) -> Response:
    archive = archive_of(request)
    page = _page(archive, identifier)
    if page is None:
        return problem(404, "Not found", f"No image {identifier!r}.")
    service = f"{str(request.base_url).rstrip('/')}/iiif/image/{identifier}"
    data = {
        "@context": IMAGE_CONTEXT,
        "id": service,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": page.width,
        "height": page.height,
        "sizes": [{"width": page.width, "height": page.height}],
    }
    return json_response(request, data, media_type=f'application/ld+json;profile="{IMAGE_CONTEXT}"')


@router.get(
    "/iiif/image/{identifier}/{region}/{size}/{rotation}/{quality_format}",
    summary="A page image (level 0: full/max/0/default.jpg)",
)
def image(
    request: Request, identifier: str, region: str, size: str, rotation: str, quality_format: str
) -> Response:
    archive = archive_of(request)
    page = _page(archive, identifier)
    if page is None:
        return problem(404, "Not found", f"No image {identifier!r}.")
    full_size = {"max", "full", f"{page.width},", f"{page.width},{page.height}"}
    if (
        region != "full"
        or size not in full_size
        or rotation != "0"
        or quality_format not in ("default.jpg", "color.jpg")
    ):
        return problem(
            400, "Not supported", "This level-0 service offers full/max/0/default.jpg only."
        )
    return FileResponse(
        page.path,
        media_type="image/jpeg",
        headers={**CORS_HEADERS, "Cache-Control": "public, max-age=86400"},
    )


@router.get("/iiif/{record_id}/pages/{number}.jpg", summary="A page image, plainly")
def page_image(request: Request, record_id: str, number: int) -> Response:
    archive = archive_of(request)
    record = archive.get(record_id)
    if record is None:
        return problem(404, "Not found", f"No published record {record_id!r}.")
    pages = [p for scan in scans(record) for p in render_pages(archive, scan.sha256 or "")]
    if not 1 <= number <= len(pages):
        return problem(404, "Not found", f"Record {record_id!r} has no page {number}.")
    return FileResponse(pages[number - 1].path, media_type="image/jpeg", headers=CORS_HEADERS)


def _page(archive: Archive, identifier: str) -> PageImage | None:
    """The page an image id names, if its file is the scan of some published record."""
    sha256, _, number = identifier.rpartition("-")
    if len(sha256) != 64 or not number.isdigit():
        return None
    with archive.store.read() as c:
        published = c.execute(
            select(t.renditions.c.id)
            .join(t.records, t.records.c.id == t.renditions.c.record_id)
            .where(
                t.renditions.c.sha256 == sha256,
                t.renditions.c.kind == "scan",
                reader.published_clause(),
            )
        ).first()
    if published is None:
        return None
    pages = render_pages(archive, sha256)
    index = int(number) - 1
    return pages[index] if 0 <= index < len(pages) else None
