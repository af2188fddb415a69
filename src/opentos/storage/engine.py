"""Database engines for the embedded SQLite default and for PostgreSQL.

SQLite runs in WAL mode with real transactions: Python's sqlite3 driver would
otherwise open a transaction only at the first write, so a read-then-write
unit of work would not see one consistent snapshot. We issue ``BEGIN``
ourselves (the recipe in SQLAlchemy's SQLite dialect documentation).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from opentos.errors import StorageError

SQLITE_BUSY_TIMEOUT_MS = 5_000


def is_sqlite(engine: Engine) -> bool:
    """True for the embedded SQLite backend."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``)."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StorageError(f"database URL {url!r} is not valid: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_transactions(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise StorageError(f"database URL {url!r}: only sqlite and postgresql are supported")


def read_engine(engine: Engine) -> Engine:
    """The engine reads go through: for PostgreSQL one in autocommit without pre-ping.

    A read then costs one round trip instead of four (ping, ``BEGIN``, the
    statement, ``ROLLBACK``). A connection the server dropped is found when it
    is used: that read fails with :class:`~opentos.errors.StorageError` and the
    pool is emptied, so the next one connects afresh. Writes keep the checked
    (pre-pinged) pool of ``engine``. SQLite reads use ``engine`` itself.
    """
    if is_sqlite(engine):
        return engine
    return create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=10)


def _sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
