"""The web application: HTML pages and every API, served from one archive.

`create_app(archive)` builds the ASGI app; `app_from_env()` is the factory `fonds serve`
hands to uvicorn (each worker opens the archive named by FONDS_HOME). Each module below
owns one family of URLs and exposes a `router`.
"""

from __future__ import annotations

from fastapi import FastAPI

from fonds import __version__
from fonds.archive import Archive, open_archive
from fonds.web.head import HeadAsGet


def create_app(archive: Archive) -> FastAPI:
    """The application for `archive`: pages, /api/v1, /srv, /oai, IIIF."""
    from fonds.web import api, errors, iiif, oai, pages, srv

    app = FastAPI(
        title=f"{archive.settings.site_name} API",
        version=__version__,
        description="Records of a fonds digital archive: JSON API, archive-API compatible "
        "/srv endpoints, OAI-PMH and IIIF.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.archive = archive
    errors.install(app)
    api.install_preflight(app)
    for module in (api, srv, oai, iiif, pages):
        app.include_router(module.router)
    pages.mount_static(app)
    app.add_middleware(HeadAsGet)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn: the archive in FONDS_HOME (or the current directory)."""
    return create_app(open_archive())
