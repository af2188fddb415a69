"""``opentos serve``: the HTTP API under uvicorn, one store per worker process."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from opentos.cli.console import console
from opentos.cli.database import database_url
from opentos.config import settings
from opentos.errors import InvalidValue
from opentos.operations.subscriptions import Notifier
from opentos.storage.store import Store

APP_FACTORY = "opentos.api.app:app_from_environment"
"""What uvicorn imports in each worker: the app is built from the environment there."""


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    twin: Annotated[
        str | None,
        typer.Option(
            help="Run this twin scenario live against the served terminal (zim-chicago, "
            "small-call, day, small-day); watch it at /live. One worker only.",
        ),
    ] = None,
    speed: Annotated[
        float, typer.Option(min=0.001, help="The live twin's speed: times real time.")
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="The live twin's seed.")] = 2017,
    notify_every: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Send DCSA event subscriptions their new events every this many seconds "
            "(0: never; default OPENTOS_NOTIFY_INTERVAL_S, 5).",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API and the web pages (OpenAPI at /openapi.json, documentation at
    /docs), optionally with the twin running live against the terminal."""
    import uvicorn

    from opentos.api.logs import uvicorn_log_config
    from opentos.operations.scenarios import SCENARIOS

    if twin is not None:
        if twin not in SCENARIOS:
            raise InvalidValue(f"no scenario {twin!r}; scenarios: {', '.join(SCENARIOS)}")
        if workers != 1:
            raise InvalidValue(f"--twin runs in one worker; got --workers {workers}")
    url = database_url()
    settings().signing_key()  # refuse a missing or default secret before anything starts
    Store.open(url).close()  # a database that cannot serve fails here, with a clear message
    if twin is not None:
        os.environ.update(
            OPENTOS_TWIN=twin, OPENTOS_TWIN_SPEED=str(speed), OPENTOS_TWIN_SEED=str(seed)
        )
    # Workers are separate processes: they read the database from the environment.
    os.environ["OPENTOS_DATABASE_URL"] = url
    console.print(f"OpenTOS API on http://{host}:{port} (docs at /docs), {workers} worker(s)")
    if twin is not None:
        console.print(f"twin {twin} (seed {seed}) live at {speed:g}x: http://{host}:{port}/live")
    interval = settings().notify_interval_s if notify_every is None else notify_every
    notifier = Notifier(url, interval) if interval > 0 else None
    if notifier is not None:
        console.print(f"event subscriptions notified every {interval:g} s")
        _log_like_uvicorn("opentos.notify")
        notifier.start()
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            log_config=uvicorn_log_config(),
        )
    finally:
        if notifier is not None:
            notifier.stop()


def _log_like_uvicorn(name: str) -> None:
    """Send logger ``name``'s records, from INFO up, to standard error as uvicorn's look."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
