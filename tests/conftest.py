"""Fixtures shared by the whole test suite, one section per concern."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from needs import missing
from opentos.storage.pgserver import INSTALL_HINT, PostgresServer, find_pg_bindir

# --- Hypothesis ---------------------------------------------------------------------------------
# HYPOTHESIS_PROFILE=ci runs more examples and prints a blob to reproduce any failure.

settings.register_profile(
    "ci",
    deadline=None,
    print_blob=True,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# --- PostgreSQL ---------------------------------------------------------------------------------
# One throwaway server per session (per worker under pytest-xdist), started only when a test
# asks for it; every test gets a fresh database of its own.

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_bindir() -> Path:
    """The PostgreSQL binaries; missing binaries skip the test, or fail it on CI."""
    bindir = find_pg_bindir()
    if bindir is None:
        missing(f"PostgreSQL is needed for this test: {INSTALL_HINT}")
    return bindir


@pytest.fixture(scope="session")
def pg_server(pg_bindir: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, stopped and deleted at its end."""
    with PostgresServer(pg_bindir) as server:
        yield server


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database, once on SQLite and once on PostgreSQL.

    Tests must dispose of their engines; the PostgreSQL database is dropped afterwards anyway,
    closing any connection left open.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'opentos.db'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"opentos_test_{next(_database_numbers)}"
    yield server.create_database(name)
    server.drop_database(name)
