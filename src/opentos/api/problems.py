"""Errors as RFC 9457 problem details (``application/problem+json``), from one table.

The OpenTOS error tree (:mod:`opentos.errors`) maps to HTTP status codes in
:data:`STATUS`, the most specific class first; FastAPI's own errors (a
malformed query, an unknown path) come out in the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from opentos.errors import (
    Conflict,
    DataImportError,
    DomainError,
    IllegalMove,
    IllegalTransition,
    InvalidValue,
    NotAuthenticated,
    NotFound,
    OpenTosError,
    PermissionDenied,
    StorageError,
)

PROBLEM_JSON = "application/problem+json"

STATUS: tuple[tuple[type[OpenTosError], int, str], ...] = (
    (NotAuthenticated, 401, "not-authenticated"),
    (PermissionDenied, 403, "permission-denied"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (IllegalMove, 409, "illegal-move"),
    (IllegalTransition, 409, "illegal-transition"),
    (InvalidValue, 400, "invalid-value"),
    (DomainError, 422, "domain-rule"),
    (DataImportError, 422, "rejected-data"),
    (StorageError, 503, "storage-unavailable"),
    (OpenTosError, 500, "internal"),
)
"""Error class, HTTP status and problem type slug (``urn:opentos:problem:<slug>``)."""


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, for people (detail) and programs (type)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
    for status, description in (
        (400, "A malformed value: a container number, cursor, date range"),
        (401, "No credentials, or bad or expired ones"),
        (403, "The role may not do this"),
        (404, "Unknown, or outside the asker's scope"),
        (422, "A request that breaks the schema or a rule of the domain"),
    )
}
"""The problems every route may answer, for the OpenAPI document."""

WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    409: {
        "model": Problem,
        "content": {PROBLEM_JSON: {}},
        "description": "The terminal's state refuses it: a box not where the move says, a "
        "visit in the wrong phase, a concurrent change (retry)",
    }
}
"""The problems a route that changes the terminal may answer besides :data:`PROBLEM_RESPONSES`."""


def problem(
    status: int,
    detail: str,
    instance: str,
    slug: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> JSONResponse:
    """A problem-details response (``headers`` added to it, an ``Allow`` on a 405)."""
    body: dict[str, object] = {
        "type": "about:blank" if slug is None else f"urn:opentos:problem:{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **(extra or {}),
    }
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=sent)


def _opentos_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, status, slug in STATUS:
        if isinstance(exc, cls):
            extra: dict[str, object] = {}
            if isinstance(exc, DataImportError):
                extra["problems"] = list(exc.problems[:50])
            detail = "internal error" if status == 500 else str(exc)
            return problem(status, detail, request.url.path, slug, extra=extra)
    raise exc  # pragma: no cover - OpenTosError is the last row


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), request.url.path, headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        (".".join(str(part) for part in e.get("loc", ())), str(e.get("msg", "")))
        for e in exc.errors()
    ]
    shown = "; ".join(f"{where}: {msg}" for where, msg in errors[:5])
    listed = [{"loc": where, "msg": msg} for where, msg in errors]
    return problem(422, shown, request.url.path, "invalid-request", extra={"errors": listed})


def install(app: FastAPI) -> None:
    """Route every error of the app through the problem-details handlers."""
    app.add_exception_handler(OpenTosError, _opentos_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
