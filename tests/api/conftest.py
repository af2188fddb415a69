"""The API over real HTTP: a terminal with a few boxes and visits, served by uvicorn.

One server per database backend for the whole session (SQLite, then
PostgreSQL), started with ``python -m opentos -d URL serve`` in a subprocess,
polled until it answers and always killed at the end.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from api_helpers import USERS, Server, login, populate, start_server, stop_server

from opentos.operations.users import add_user
from opentos.presets import load_preset
from opentos.storage.pgserver import PostgresServer
from opentos.storage.store import Store

_database_numbers = itertools.count(1)


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def api_backend(request: pytest.FixtureRequest) -> str:
    """The database backend of the API tests: SQLite, then PostgreSQL."""
    return str(request.param)


def _database(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A new empty database on ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'opentos.db'}"
        return
    pg: PostgresServer = request.getfixturevalue("pg_server")
    name = f"opentos_api_{next(_database_numbers)}"
    yield pg.create_database(name)
    pg.drop_database(name)


@pytest.fixture(scope="session")
def api_database(
    api_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the API tests, on SQLite and on PostgreSQL."""
    yield from _database(api_backend, request, tmp_path_factory)


def _serve(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The tiny terminal in ``database_url``, populated, with one user per role, served."""
    passwords = {}
    with Store.create(database_url, load_preset("tiny"), "tiny") as store:
        slots = populate(store)
        for name, (role, party) in USERS.items():
            passwords[name] = add_user(store, name, role, party).secret
    log = tmp_path_factory.mktemp("server") / "server.log"
    running = start_server(database_url, log)
    try:
        running.passwords = passwords
        running.slots = slots
        running.tokens = {name: login(running, name, pw) for name, pw in passwords.items()}
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def server(api_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The tiny terminal, populated, with one user per role, served over HTTP.

    The tests only read it (and refuse writes to it): they rely on its data as populated.
    """
    yield from _serve(api_database, tmp_path_factory)


@pytest.fixture(scope="session")
def scratch_server(
    api_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Another server like :func:`server`, on its own database, for the tests that change
    the terminal (each with visits and boxes of its own) and for generated requests."""
    for database_url in _database(api_backend, request, tmp_path_factory):
        yield from _serve(database_url, tmp_path_factory)
