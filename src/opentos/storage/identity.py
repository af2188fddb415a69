"""The server's users in the database: people and machine clients, with hashed secrets.

Users are not terminal state: adding one does not move the ledger on. Each call
is one short transaction of its own. Hashing and checking secrets is the
caller's business (:mod:`opentos.operations.users`); this module only stores
what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from opentos.errors import Conflict
from opentos.storage import schema
from opentos.storage.store import Store, _translate


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A row of ``users``."""

    name: str
    role: str
    party: str | None
    kind: str
    key_id: str | None
    secret_hash: str
    active: bool
    created_at: datetime


_COLUMNS = (
    schema.users.c.name,
    schema.users.c.role,
    schema.users.c.party,
    schema.users.c.kind,
    schema.users.c.key_id,
    schema.users.c.secret_hash,
    schema.users.c.active,
    schema.users.c.created_at,
)


def insert_user(store: Store, user: StoredUser) -> None:
    """Add a user, committed before this returns.

    Raises
    ------
    Conflict
        A user of that name (or an API key with that id) exists already.
    """
    try:
        with store.engine.begin() as connection:
            connection.execute(
                insert(schema.users).values(
                    name=user.name,
                    role=user.role,
                    party=user.party,
                    kind=user.kind,
                    key_id=user.key_id,
                    secret_hash=user.secret_hash,
                    active=user.active,
                    created_at=user.created_at,
                )
            )
    except IntegrityError:
        raise Conflict(f"user {user.name!r} exists already") from None
    except DBAPIError as exc:
        raise _translate(exc, f"adding user {user.name!r}") from exc


def _one(store: Store, column: str, value: str) -> StoredUser | None:
    query = select(*_COLUMNS).where(schema.users.c[column] == value)
    try:
        with store.reading() as connection:
            row = connection.execute(query).first()
    except DBAPIError as exc:
        raise _translate(exc, "reading users") from exc
    return None if row is None else StoredUser(*row)


def user_named(store: Store, name: str) -> StoredUser | None:
    """The user called ``name``, if any."""
    return _one(store, "name", name)


def user_with_key(store: Store, key_id: str) -> StoredUser | None:
    """The machine client whose API key has the public id ``key_id``, if any."""
    return _one(store, "key_id", key_id)


def all_users(store: Store) -> list[StoredUser]:
    """Every user, by name."""
    with store.reading() as connection:
        rows = connection.execute(select(*_COLUMNS).order_by(schema.users.c.name)).all()
    return [StoredUser(*row) for row in rows]
