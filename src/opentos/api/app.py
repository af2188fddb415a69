"""The FastAPI application: one store per process, one error handler, the routers.

``create_app(settings)`` builds the app; :func:`app_from_environment` is the
factory ``opentos serve`` hands uvicorn, so that each worker process builds
its own from ``OPENTOS_*`` variables and opens its own store. Routers are
listed in :data:`ROUTERS`, the DCSA Track & Trace and vessel schedule routes among them,
and the web pages; their scripts and styles are served at ``/static``.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from opentos import __version__
from opentos.api import live as live_routes
from opentos.api import problems
from opentos.api.dcsa import routes as dcsa
from opentos.api.dcsa import subscriptions
from opentos.api.deps import cache_of, line_scope
from opentos.api.routers import (
    appointments,
    auth,
    containers,
    holds,
    interchanges,
    kpis,
    moves,
    pages,
    twin_studies,
    visit_operations,
    visits,
    yard,
)
from opentos.api.security import allow, store_of
from opentos.config import Settings, settings
from opentos.operations.live import LiveTwin, live_scenario, load_yard
from opentos.operations.readcache import ReadCache
from opentos.operations.users import CredentialCache, Role, User
from opentos.storage.store import Store

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    appointments.router,
    containers.router,
    visits.router,
    yard.router,
    kpis.router,
    pages.router,
    dcsa.router(store_of, line_scope, get_cache=cache_of),
    subscriptions.router(store_of, line_scope),
    visit_operations.router,
    moves.router,
    holds.router,
    interchanges.router,
    twin_studies.router,
)
"""The routers of every app; the live view's joins them in :func:`create_app`."""

TAGS = [
    {"name": "public", "description": "Open to anyone, no credentials needed."},
    {"name": "identity", "description": "Logging in (OAuth2 password flow), users and roles."},
    {"name": "containers", "description": "Where a box is, its status and its history."},
    {"name": "visits", "description": "Vessel, rail and truck visits; berth and bay plans."},
    {"name": "yard", "description": "The yard layout, blocks' occupancy and bay views."},
    {
        "name": "kpis",
        "description": "KPIs under the twin's names; ledger events per day, crane moves per visit.",
    },
    {"name": "moves", "description": "Moves as an operator confirms them: quay, yard, gate."},
    {"name": "holds", "description": "Holds on boxes and customs decisions."},
    {
        "name": "appointments",
        "description": "Truck appointments: slots, quotas, bookings by hauliers, check-in.",
    },
    {"name": "interchanges", "description": "EDI interchanges imported whole or not at all."},
    {"name": "twin", "description": "Twin studies of small scenarios, run on request."},
    {
        "name": "DCSA",
        "description": "DCSA Track & Trace 2.2 events, Operational Vessel Schedules 3.0.",
    },
    {"name": "server", "description": "The server itself."},
]

DESCRIPTION = """\
The terminal server of OpenTOS: inquiries (containers, visits, the berth plan, bay plans,
the yard, KPIs, DCSA Track & Trace and schedules) and operations (visits, berths, plans,
moves, holds, EDI interchanges, twin studies), each one transaction.

People log in at `POST /token` and send the access token as `Authorization: Bearer`;
machine clients send their API key as `X-API-Key`. Each route names the roles it
allows. Errors are RFC 9457 problem details (`application/problem+json`).
"""


def create_app(config: Settings | None = None) -> FastAPI:
    """The API over the terminal in ``config.database_url``.

    Raises
    ------
    ConfigError
        The token signing key is missing or a default one outside development.
    """
    config = config or settings()
    signing_key = config.signing_key()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.open(config.database_url)
        app.state.store = store
        cache = None
        if config.read_cache_entries > 0:
            cache = ReadCache(store, config.read_cache_entries, config.read_cache_poll_s)
            cache.start()
        app.state.read_cache = cache
        live = _live_twin(store, config)
        app.state.live = live
        _settle_garbage_collector()
        try:
            yield
        finally:
            if live is not None:
                live.stop()
            if cache is not None:
                cache.stop()
            store.close()

    app = FastAPI(
        title="OpenTOS",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = config
    app.state.signing_key = signing_key
    app.state.block_svg_lock = threading.Lock()
    app.state.credentials = CredentialCache(config.credential_cache_s)
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, responses=problems.PROBLEM_RESPONSES)
    app.include_router(live_routes.router(live_of), responses=problems.PROBLEM_RESPONSES)
    # all of api/static at /static: the live view's files and the web pages' (static/pages/)
    live_routes.mount_static(app)
    return app


GC_THRESHOLDS = (20_000, 50, 50)
"""Allocations before a young collection, young before a middle one, middle before a full
one: Python's defaults (700, 10, 10) make a server that keeps many answers in memory stop
for a full collection every few seconds, for tens to hundreds of milliseconds."""


def _settle_garbage_collector() -> None:
    """Leave what start-up made (modules, the layout, the app) out of every collection from
    now on, and collect less often (see :data:`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _live_twin(store: Store, config: Settings) -> LiveTwin | None:
    """The live twin ``config`` asks for, started on ``store`` (its yard loaded if the
    terminal holds none of the scenario's boxes yet)."""
    if config.twin is None:
        return None
    live = LiveTwin(store, config.twin, config.twin_seed, config.twin_speed)
    load_yard(store, live_scenario(config.twin, config.twin_seed))
    live.start()
    return live


async def live_of(
    request: Request, _user: Annotated[User, Depends(allow(Role.PUBLIC))]
) -> LiveTwin | None:
    """The server's live twin, if it runs one: machines and KPIs, open to anyone who can
    reach the server (the view shows no container or party data)."""
    live = request.app.state.live
    assert live is None or isinstance(live, LiveTwin)
    return live


def app_from_environment() -> FastAPI:
    """The app as ``OPENTOS_*`` variables configure it (uvicorn's factory)."""
    return create_app(settings())
