"""The throwaway PostgreSQL server and the database fixtures built on it."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from opentos.errors import StorageError
from opentos.storage.pgserver import PostgresServer, find_pg_bindir


@pytest.mark.postgres
def test_server_runs_postgresql(pg_server: PostgresServer) -> None:
    """The server answers SELECT version() through SQLAlchemy with PostgreSQL 1x."""
    engine = create_engine(pg_server.url())
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version()")).scalar_one()
    finally:
        engine.dispose()
    assert re.match(r"PostgreSQL 1\d\.", version), version


@pytest.mark.postgres
def test_databases_are_independent(pg_server: PostgresServer) -> None:
    """A table created in one database is not visible in another."""
    first = create_engine(pg_server.create_database("independent_first"))
    second = create_engine(pg_server.create_database("independent_second"))
    try:
        with first.begin() as connection:
            connection.execute(text("CREATE TABLE berth (name text)"))
        assert inspect(first).has_table("berth")
        assert not inspect(second).has_table("berth")
    finally:
        first.dispose()
        second.dispose()
        pg_server.drop_database("independent_first")
        pg_server.drop_database("independent_second")


@pytest.mark.postgres
def test_drop_database_closes_open_connections(pg_server: PostgresServer) -> None:
    """Dropping a database succeeds while a connection to it is still open."""
    engine = create_engine(pg_server.create_database("still_in_use"))
    try:
        with engine.connect() as connection:
            pg_server.drop_database("still_in_use")
            with pytest.raises(OperationalError, match="terminat"):
                connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    with pytest.raises(OperationalError, match="does not exist"):
        create_engine(pg_server.url("still_in_use")).connect()


def test_database_url_works(database_url: str) -> None:
    """The database_url fixture gives an empty database to create, fill and query tables in."""
    metadata = MetaData()
    berth = Table(
        "berth", metadata, Column("id", Integer, primary_key=True), Column("name", String)
    )
    engine = create_engine(database_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(berth.insert(), [{"id": 1, "name": "N1"}, {"id": 2, "name": "N2"}])
            names = connection.execute(berth.select().order_by(berth.c.id)).all()
    finally:
        engine.dispose()
    assert [row.name for row in names] == ["N1", "N2"]


@pytest.mark.postgres
def test_stop_leaves_nothing_behind(pg_bindir: Path) -> None:
    """After the with block the server is down and its temporary directory is gone."""
    with PostgresServer(pg_bindir) as server:
        directory, port = server.directory, server.port
        assert (directory / "data" / "PG_VERSION").exists()
    assert not server.running
    assert not directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=port, user="opentos", connect_timeout=2).close()


def test_missing_binaries_raise_storage_error(tmp_path: Path) -> None:
    """Starting from a directory without initdb raises StorageError saying how to install it."""
    with pytest.raises(StorageError, match="apt-get install -y postgresql"):
        PostgresServer(tmp_path).start()


def test_url_needs_a_running_server() -> None:
    """Asking a server that was never started for its URL raises StorageError."""
    with pytest.raises(StorageError, match="not running"):
        PostgresServer().url()


def test_bindir_override_is_the_only_place_looked_at(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """OPENTOS_PG_BINDIR without initdb and pg_ctl means no binaries, whatever else exists."""
    monkeypatch.setenv("OPENTOS_PG_BINDIR", str(tmp_path))
    assert find_pg_bindir() is None
