"""``opentos serve``: the HTTP API under uvicorn, one store per worker process."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from opentos.cli.console import console
from opentos.cli.database import database_url
from opentos.config import settings
from opentos.storage.store import Store

APP_FACTORY = "opentos.api.app:app_from_environment"
"""What uvicorn imports in each worker: the app is built from the environment there."""


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, documentation at /docs)."""
    import uvicorn

    url = database_url()
    settings().signing_key()  # refuse a missing or default secret before anything starts
    Store.open(url).close()  # a database that cannot serve fails here, with a clear message
    # Workers are separate processes: they read the database from the environment.
    os.environ["OPENTOS_DATABASE_URL"] = url
    console.print(f"OpenTOS API on http://{host}:{port} (docs at /docs), {workers} worker(s)")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
