"""Importing an EDIFACT interchange sent as the request body (BAPLIE, COPRAR, VERMAS ...).

The body is the interchange itself (``application/edifact`` or ``text/plain``), at
most :data:`MAX_INTERCHANGE_BYTES`. It is read strictly (every problem an error)
unless ``?lenient=true``, and applied by
:func:`~opentos.operations.interchange.import_interchange`: whole or not at all,
once only (the same interchange again changes nothing and says so).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from opentos.api.deps import Planner, StoreDep
from opentos.api.problems import PROBLEM_JSON, WRITE_RESPONSES, Problem
from opentos.api.schemas import ImportSummaryPublic
from opentos.model.ids import UnLocode
from opentos.operations.interchange import import_interchange

MAX_INTERCHANGE_BYTES = 8 * 1024 * 1024
"""The largest interchange a request may carry (a full bay plan of 20,000 slots is ~4 MB)."""
MEDIA_TYPES = ("application/edifact", "text/plain")

router = APIRouter(tags=["interchanges"], responses=WRITE_RESPONSES)


@router.post(
    "/interchanges",
    summary="Import an EDIFACT interchange (the body): all of it or nothing; once only",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "maxLength": MAX_INTERCHANGE_BYTES}}
                for media in MEDIA_TYPES
            },
        }
    },
    responses={
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": what}
        for status, what in (
            (413, f"The body is larger than {MAX_INTERCHANGE_BYTES:,} bytes"),
            (415, f"The body is not one of {', '.join(MEDIA_TYPES)}"),
        )
    },
)
async def import_(
    _user: Planner,
    store: StoreDep,
    request: Request,
    lenient: Annotated[
        bool, Query(description="Refuse errors only, let warnings pass (default: strict).")
    ] = False,
    visit: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Vessel visit of the messages (default: matched by vessel and voyage).",
        ),
    ] = None,
    port: Annotated[
        str | None,
        Query(
            min_length=5,
            max_length=5,
            description="IFTSAI: the terminal's port as the "
            "schedule names it (default: the layout's UN/LOCODE).",
        ),
    ] = None,
    vessel_class: Annotated[
        str | None,
        Query(
            max_length=40,
            description="IFTSAI: the standard vessel class of a vessel the "
            "terminal has no visit of.",
        ),
    ] = None,
) -> ImportSummaryPublic:
    data = await _body(request)
    port_code = None if port is None else UnLocode.parse(port)
    done = await run_in_threadpool(
        lambda: import_interchange(
            store,
            data,
            source="request body",
            strict=not lenient,
            visit_id=visit,
            port=port_code,
            vessel_class=vessel_class,
        )
    )
    return ImportSummaryPublic.model_validate(
        {**done.summary.to_dict(), "warnings": list(done.warnings)}
    )


async def _body(request: Request) -> bytes:
    """The request's body, refused if it is not EDIFACT text or is too large (before all
    of it is read)."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise HTTPException(
            415, f"send the interchange as {' or '.join(MEDIA_TYPES)}, not {media or 'nothing'!r}"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_INTERCHANGE_BYTES:
        raise HTTPException(413, f"an interchange is at most {MAX_INTERCHANGE_BYTES:,} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_INTERCHANGE_BYTES:
            raise HTTPException(413, f"an interchange is at most {MAX_INTERCHANGE_BYTES:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
