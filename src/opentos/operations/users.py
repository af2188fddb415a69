"""Users of the server and their roles: add one, check a password or an API key.

People log in with a name and a password and get a short-lived access token
(:mod:`opentos.api.security`); machine clients (a line's EDI gateway, a
customs system) send an API key with every request. Both secrets are
generated here, shown once, and stored only as argon2 hashes.

An API key reads ``otk_<key id>_<secret>``: the key id finds the one row to
check, so each request costs one argon2 verification, not one per client.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from opentos.errors import InvalidValue, NotAuthenticated
from opentos.storage.identity import StoredUser, all_users, insert_user, user_named, user_with_key
from opentos.storage.store import Store

API_KEY_PREFIX = "otk_"
K = TypeVar("K")
V = TypeVar("V")


class Role(StrEnum):
    """What a user may see and do; ``line`` and ``haulier`` are scoped to their party."""

    ADMIN = "admin"
    PLANNER = "planner"
    GATE = "gate"
    CUSTOMS = "customs"
    LINE = "line"
    """A shipping line: sees only the boxes whose operator is its SMDG line code."""
    HAULIER = "haulier"
    """A trucking company: sees only its own truck visits and pre-notified boxes."""
    PUBLIC = "public"
    """Anyone, with no credentials; never the role of a stored user."""


class CredentialKind(StrEnum):
    """How a user proves who it is."""

    PASSWORD = "password"
    API_KEY = "api_key"


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,79}$")
_LINE_CODE = re.compile(r"^[A-Z0-9]{1,4}$")
_API_KEY = re.compile(rf"^{API_KEY_PREFIX}([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})$")
_hasher = PasswordHasher()
# Checked when the name is unknown, so that an unknown name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    """Who a request comes from: a name, a role and, for ``line`` and ``haulier``, a party."""

    name: str
    role: Role
    party: str | None = None
    kind: CredentialKind = CredentialKind.PASSWORD


ANONYMOUS = User("anonymous", Role.PUBLIC)
"""The user of a request with no credentials."""


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user just added and its secret (password or API key), which is not kept."""

    user: User
    secret: str


def _check(name: str, role: Role, party: str | None) -> None:
    if not _NAME.match(name):
        raise InvalidValue(
            f"user name {name!r} must be 1-80 letters, digits, '_', '.', '@' or '-', "
            "starting with a letter or digit"
        )
    if role is Role.PUBLIC:
        raise InvalidValue("role 'public' needs no user: requests without credentials have it")
    if role is Role.LINE and (party is None or not _LINE_CODE.match(party)):
        raise InvalidValue(
            f"a line user needs --party with its SMDG line code (1-4 capitals or digits), "
            f"got {party!r}"
        )
    if role is Role.HAULIER and (party is None or not party.strip() or len(party) > 35):
        raise InvalidValue(f"a haulier user needs --party with its company (1-35), got {party!r}")
    if role not in (Role.LINE, Role.HAULIER) and party is not None:
        raise InvalidValue(f"role {role} is not scoped to a party; drop --party {party!r}")


def parse_role(text: str) -> Role:
    """A role from its name (:class:`InvalidValue` naming the roles otherwise)."""
    try:
        return Role(text)
    except ValueError:
        allowed = ", ".join(r.value for r in Role if r is not Role.PUBLIC)
        raise InvalidValue(f"role {text!r} is not one of {allowed}") from None


def add_user(
    store: Store,
    name: str,
    role: Role,
    party: str | None = None,
    *,
    api_key: bool = False,
    at: datetime | None = None,
) -> NewUser:
    """Add a person (with a generated password) or a machine client (with an API key).

    Raises
    ------
    InvalidValue
        The name, role or party is not acceptable (the message says why).
    Conflict
        A user of that name exists already.
    """
    _check(name, role, party)
    key_id: str | None = None
    if api_key:
        key_id = secrets.token_hex(6)
        secret_part = secrets.token_urlsafe(32)
        secret = f"{API_KEY_PREFIX}{key_id}_{secret_part}"
        hashed = _hasher.hash(secret_part)
        kind = CredentialKind.API_KEY
    else:
        secret = secrets.token_urlsafe(18)
        hashed = _hasher.hash(secret)
        kind = CredentialKind.PASSWORD
    stored = StoredUser(
        name, str(role), party, str(kind), key_id, hashed, True, at or datetime.now(UTC)
    )
    insert_user(store, stored)
    return NewUser(_user(stored), secret)


def _user(stored: StoredUser) -> User:
    return User(stored.name, Role(stored.role), stored.party, CredentialKind(stored.kind))


def _verify(hashed: str, secret: str) -> bool:
    try:
        return _hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def check_password(store: Store, name: str, password: str) -> User:
    """The person ``name`` if ``password`` is theirs.

    Raises
    ------
    NotAuthenticated
        Unknown name, wrong password, a machine client, or an inactive user (one message
        for all, so that it tells nothing about which).
    """
    stored = user_named(store, name)
    if stored is None:
        _verify(_DUMMY_HASH, password)
    elif (
        stored.active
        and stored.kind == CredentialKind.PASSWORD
        and _verify(stored.secret_hash, password)
    ):
        return _user(stored)
    raise NotAuthenticated("wrong user name or password")


def check_api_key(store: Store, key: str) -> User:
    """The machine client whose API key is ``key``.

    Raises
    ------
    NotAuthenticated
        The key is malformed, unknown, wrong or its client inactive.
    """
    match = _API_KEY.match(key)
    if match is None:
        raise NotAuthenticated("the API key is not valid")
    key_id, secret_part = match.groups()
    stored = user_with_key(store, key_id)
    if stored is None:
        _verify(_DUMMY_HASH, secret_part)
    elif stored.active and _verify(stored.secret_hash, secret_part):
        return _user(stored)
    raise NotAuthenticated("the API key is not valid")


def active_user(store: Store, name: str) -> User:
    """The active user called ``name``: the holder of an access token must still exist.

    Raises
    ------
    NotAuthenticated
        No such user, or it was deactivated.
    """
    stored = user_named(store, name)
    if stored is None or not stored.active:
        raise NotAuthenticated("the access token's user is unknown or inactive")
    return _user(stored)


def users(store: Store) -> list[User]:
    """Every user, by name."""
    return [_user(s) for s in all_users(store)]


class ExpiringCache(Generic[K, V]):
    """Values kept until their own expiry time (on ``clock``), at most ``MAX_ENTRIES``.

    Thread-safe. When it is full, the expired entries are dropped; if none has
    expired, new values are not kept (and are computed again when asked).
    """

    MAX_ENTRIES = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The value kept under ``key``, if it has not expired."""
        with self._lock:
            found = self._entries.get(key)
        return found[1] if found is not None and found[0] > self.clock() else None

    def put(self, key: K, value: V, until: float) -> None:
        """Keep ``value`` under ``key`` until ``until`` (on the cache's clock)."""
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                now = self.clock()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) < self.MAX_ENTRIES:
                self._entries[key] = (until, value)


class CredentialCache:
    """Users and API keys a server worker has checked, trusted for ``ttl_s`` seconds.

    Without it every request would read the user's row and an API key request
    would cost an argon2 verification (tens of milliseconds by design). Only
    successful checks are kept; a failed one is checked again every time. An
    API key is kept under its SHA-256, never as given. ``ttl_s`` 0 keeps nothing.
    """

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._users: ExpiringCache[tuple[str, str], User] = ExpiringCache(clock)

    def peek_user(self, name: str) -> User | None:
        """The user ``name`` if it was checked within the last ``ttl_s`` seconds."""
        return self._users.get(("user", name))

    def peek_api_key(self, key: str) -> User | None:
        """The client of API key ``key`` if it was checked within the last ``ttl_s`` seconds."""
        return self._users.get(("key", _digest(key)))

    def active_user(self, store: Store, name: str) -> User:
        """:func:`active_user`, read at most once per ``ttl_s``."""
        return self._cached(("user", name), lambda: active_user(store, name))

    def check_api_key(self, store: Store, key: str) -> User:
        """:func:`check_api_key`, verified at most once per ``ttl_s``."""
        return self._cached(("key", _digest(key)), lambda: check_api_key(store, key))

    def _cached(self, key: tuple[str, str], check: Callable[[], User]) -> User:
        found = self._users.get(key)
        if found is not None:
            return found
        user = check()
        if self.ttl_s > 0:
            self._users.put(key, user, self._users.clock() + self.ttl_s)
        return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
