"""Errors as RFC 9457 problem details (``application/problem+json``), from one table.

The OpenTOS error tree (:mod:`opentos.errors`) maps to HTTP status codes in
:data:`STATUS`, the most specific class first; FastAPI's own errors (a
malformed query, an unknown path) come out in the same shape.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from opentos.errors import (
    Conflict,
    DataImportError,
    DomainError,
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
    (InvalidValue, 400, "invalid-value"),
    (DomainError, 422, "domain-rule"),
    (DataImportError, 422, "rejected-data"),
    (StorageError, 503, "storage-unavailable"),
    (OpenTosError, 500, "internal"),
)
"""Error class, HTTP status and problem type slug (``urn:opentos:problem:<slug>``)."""


def problem(
    status: int, detail: str, instance: str, slug: str | None = None, **extra: object
) -> JSONResponse:
    """A problem-details response."""
    body: dict[str, object] = {
        "type": "about:blank" if slug is None else f"urn:opentos:problem:{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _opentos_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, status, slug in STATUS:
        if isinstance(exc, cls):
            extra: dict[str, object] = {}
            if isinstance(exc, DataImportError):
                extra["problems"] = list(exc.problems[:50])
            detail = "internal error" if status == 500 else str(exc)
            return problem(status, detail, request.url.path, slug, **extra)
    raise exc  # pragma: no cover - OpenTosError is the last row


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), request.url.path)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        (".".join(str(part) for part in e.get("loc", ())), str(e.get("msg", "")))
        for e in exc.errors()
    ]
    shown = "; ".join(f"{where}: {msg}" for where, msg in errors[:5])
    listed = [{"loc": where, "msg": msg} for where, msg in errors]
    return problem(422, shown, request.url.path, "invalid-request", errors=listed)


def install(app: FastAPI) -> None:
    """Route every error of the app through the problem-details handlers."""
    app.add_exception_handler(OpenTosError, _opentos_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
