"""The FastAPI application: one store per process, one error handler, the routers.

``create_app(settings)`` builds the app; :func:`app_from_environment` is the
factory ``opentos serve`` hands uvicorn, so that each worker process builds
its own from ``OPENTOS_*`` variables and opens its own store. Routers are
listed in :data:`ROUTERS`, the DCSA Track & Trace and vessel schedule routes among them,
and the web pages; their scripts and styles are served at :data:`STATIC_PATH`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from opentos import __version__
from opentos.api import problems
from opentos.api.dcsa import routes as dcsa
from opentos.api.deps import line_scope
from opentos.api.routers import auth, containers, kpis, pages, visits, yard
from opentos.api.security import store_of
from opentos.config import Settings, settings
from opentos.storage.store import Store

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    containers.router,
    visits.router,
    yard.router,
    kpis.router,
    pages.router,
    dcsa.router(store_of, line_scope),
)

STATIC_PATH = "/static"
"""Where the files of ``opentos/api/static`` are served."""

TAGS = [
    {"name": "public", "description": "Open to anyone, no credentials needed."},
    {"name": "identity", "description": "Logging in (OAuth2 password flow), users and roles."},
    {"name": "containers", "description": "Where a box is, its status and its history."},
    {"name": "visits", "description": "Vessel, rail and truck visits; berth and bay plans."},
    {"name": "yard", "description": "The yard layout, blocks' occupancy and bay views."},
    {"name": "kpis", "description": "Moves per day and per vessel visit."},
    {
        "name": "DCSA",
        "description": "DCSA Track & Trace 2.2 events, Operational Vessel Schedules 3.0.",
    },
    {"name": "server", "description": "The server itself."},
]

DESCRIPTION = """\
The inquiry of OpenTOS: containers, visits, the berth plan, bay plans and the yard.

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
        try:
            yield
        finally:
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
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, responses=problems.PROBLEM_RESPONSES)
    # the web pages' and the live view's scripts and styles: files, no data, no role gate
    app.mount(STATIC_PATH, StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The app as ``OPENTOS_*`` variables configure it (uvicorn's factory)."""
    return create_app(settings())
