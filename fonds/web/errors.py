"""Errors as readers and machines expect them: friendly HTML pages, RFC 9457 problem JSON.

`install(app)` registers the handlers. Paths under /api/, /srv/ and /oai, and any request
that asks for JSON, get `application/problem+json`; everything else gets an HTML page with
a search box and a way home. No handler ever shows a traceback: an unexpected exception is
logged and answered with a plain 500 page. A malformed query string is the reader's mistake,
not the server's, so validation errors become 400 with the fields named.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fonds.web.render import PAGE_HEADERS, render, wants_json

log = logging.getLogger("fonds.web")

MACHINE_PREFIXES = ("/api/", "/srv/", "/oai")
PROBLEM_TYPE = "application/problem+json"

# What a reader is told, by status; the technical detail goes to the problem JSON.
_MESSAGES = {
    400: "The address has a value this page cannot use.",
    404: "There is no page at this address. The record may have moved, or the link may have "
    "a typo in it.",
    405: "This address does not accept that kind of request.",
    500: "Something went wrong on our side while making this page. It has been logged; "
    "please try again in a moment.",
}


def install(app: FastAPI) -> None:
    """Register the error handlers on `app` (called once by `create_app`)."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)


def is_machine_request(request: Request) -> bool:
    """Does this request want machine-readable errors rather than an HTML page?"""
    path = request.url.path
    return path.startswith(MACHINE_PREFIXES) or path == "/api" or wants_json(request)


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """An RFC 9457 problem document for `request`."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def error_page(
    request: Request,
    status: int,
    message: str | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error as the request wants it: problem JSON for machines, a page for readers."""
    text = message or _MESSAGES.get(status) or _phrase(status)
    if is_machine_request(request):
        return problem(request, status, text, headers=headers)
    try:
        html = render(
            request,
            "error.html",
            {"title": _phrase(status), "message": text, "status": status},
            status,
        )
    except Exception:  # the page itself failed (a broken archive): plain text still answers
        log.exception("error page for %s failed", request.url.path)
        return Response(f"{status} {_phrase(status)}\n", status_code=status, headers=headers)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else None
    if is_machine_request(request) and isinstance(exc.detail, dict):
        return problem(
            request,
            exc.status_code,
            str(exc.detail.get("detail", "")),
            headers=headers,
            **{k: v for k, v in exc.detail.items() if k not in ("detail", "status")},
        )
    # Starlette's own 404/405 detail is just the status phrase; our message says more.
    if detail == _phrase(exc.status_code):
        detail = None
    return error_page(request, exc.status_code, detail, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query",))
        problems.append(f"{where}: {error.get('msg', 'invalid value')}")
    detail = "Invalid request: " + "; ".join(problems) if problems else "Invalid request."
    if is_machine_request(request):
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return problem(request, 400, detail, title="Bad Request", errors=errors)
    return error_page(request, 400, detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
