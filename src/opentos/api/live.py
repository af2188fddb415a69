"""The live view's routes: ``GET /live`` (the page), ``/live/layout``, ``/live/state`` and
``/live/events`` (server-sent events).

:func:`router` builds them over one dependency the app provides: the running
:class:`~opentos.operations.live.LiveTwin`, or ``None`` when there is none (a 404).
The page (``templates/live.html`` on ``templates/base.html``) draws the layout
from ``/live/layout`` and moves the machines from the ``snapshot`` events of
``/live/events``; its script and style are served by :func:`mount_static`, so
the app must call it too. The events come at most every ``min_interval_s``
(a reader that falls behind gets the latest snapshot), then one ``end``.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run
# time, and those naming the dependency refer to router()'s argument.

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from opentos.operations.live import LiveTwin

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
"""The app's templates (``base.html`` and the pages that extend it)."""


def mount_static(app: FastAPI, path: str = "/static") -> None:
    """Serve the pages' scripts and style sheets at ``path`` (the route name ``static``)."""
    app.mount(path, StaticFiles(directory=STATIC_DIR), name="static")


def sse(event: str, data: object) -> str:
    """One server-sent event: its name and its data as one line of JSON."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def router(get_live: Callable[..., Any], min_interval_s: float = 0.2) -> APIRouter:
    """The live view's routes over the app's ``get_live`` dependency.

    Parameters
    ----------
    get_live
        A FastAPI dependency giving the :class:`~opentos.operations.live.LiveTwin` to show,
        or ``None`` (the routes answer 404); it may check the caller's role and raise.
    min_interval_s
        The least time between two ``snapshot`` events of one stream.
    """
    api = APIRouter(tags=["live"])

    async def running(live: Annotated[LiveTwin | None, Depends(get_live)]) -> LiveTwin:
        if live is None:
            raise HTTPException(404, "no live twin runs")
        return live

    Live = Annotated[LiveTwin, Depends(running)]  # noqa: N806 - a type alias

    @api.get("/live", response_class=HTMLResponse, name="live_page")
    def live_page(request: Request, live: Live) -> HTMLResponse:
        """The live view: the terminal drawn from its layout, its machines moving."""
        return templates.TemplateResponse(
            request,
            "live.html",
            {"scenario": live.scenario_name, "seed": live.seed, "speed": live.speed},
        )

    @api.get("/live/layout", name="live_layout")
    def live_layout(live: Live) -> JSONResponse:
        """The served terminal's geometry in metres: quay, berths, crane rails, guide path,
        blocks."""
        return JSONResponse(live.layout_geometry())

    @api.get("/live/state", name="live_state", responses={204: {"description": "No snapshot"}})
    def live_state(live: Live) -> Response:
        """The latest snapshot (204 before the first)."""
        latest = live.latest()
        if latest is None:
            return Response(status_code=204)
        return JSONResponse(latest)

    @api.get(
        "/live/events",
        name="live_events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def live_events(request: Request, live: Live) -> StreamingResponse:
        """Server-sent events: ``snapshot`` (the latest, at most every ``min_interval_s``),
        then one ``end`` with the run's status."""
        sub = live.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                while not await request.is_disconnected():
                    latest = None
                    while (message := sub.get_nowait()) is not None:
                        if message["type"] == "end":
                            if latest is not None:
                                yield sse("snapshot", latest)
                            yield sse("end", message)
                            return
                        latest = message
                    if latest is not None:
                        yield sse("snapshot", latest)
                    await asyncio.sleep(min_interval_s)
            finally:
                sub.close()

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return api
