"""Who a request comes from, and the one dependency that says which roles may call a route.

People log in at ``POST /token`` (OAuth2 password flow) and get a signed JWT
(HS256, short-lived, signed with ``OPENTOS_SECRET_KEY``) to send as
``Authorization: Bearer``; machine clients send their API key as
``X-API-Key``. Every route declares its roles with :func:`allow`, and nothing
else checks permissions::

    @router.get("/containers/{number}")
    def container(user: Annotated[User, Depends(allow(Role.PLANNER, Role.LINE))]) -> ...

No credentials on a route that needs them, or bad or expired ones anywhere,
answer 401; valid credentials of a role the route does not allow, 403.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from opentos.errors import NotAuthenticated, PermissionDenied
from opentos.operations.users import ANONYMOUS, CredentialCache, ExpiringCache, Role, User
from opentos.storage.store import Store

ALGORITHM = "HS256"
ISSUER = "opentos"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False, scheme_name="person")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="client")


def issue_token(user: User, key: str, expiry_s: int, now: datetime | None = None) -> str:
    """A signed access token for ``user``, valid for ``expiry_s`` seconds from ``now``."""
    issued = now or datetime.now(UTC)
    claims: Mapping[str, object] = {
        "sub": user.name,
        "role": str(user.role),
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + timedelta(seconds=expiry_s),
    }
    return jwt.encode(dict(claims), key, algorithm=ALGORITHM)


_verified: ExpiringCache[tuple[str, str], str] = ExpiringCache(time.time)
"""Subjects of the tokens whose signature and claims were checked, until they expire: the
same token comes with every request of a session and gives the same answer until then."""


def token_subject(token: str, key: str) -> str:
    """The user name an access token was issued to.

    Raises
    ------
    NotAuthenticated
        The token is malformed, not signed with ``key``, or expired.
    """
    subject = _verified.get((token, key))
    if subject is None:
        subject, expires = _decode(token, key)
        _verified.put((token, key), subject, expires)
    return subject


def _decode(token: str, key: str) -> tuple[str, float]:
    """The subject and expiry (POSIX seconds) of a valid token (see :func:`token_subject`)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("the access token has expired; log in again") from None
    except jwt.InvalidTokenError:
        raise NotAuthenticated("the access token is not valid") from None
    subject = claims.get("sub")
    expires = claims.get("exp")
    if not isinstance(subject, str) or not isinstance(expires, int | float):
        raise NotAuthenticated("the access token is not valid")
    return subject, float(expires)


async def store_of(request: Request) -> Store:
    """The process's store (opened by the app at start-up)."""
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


def signing_key_of(request: Request) -> str:
    """The key that signs this process's access tokens."""
    key = request.app.state.signing_key
    assert isinstance(key, str)
    return key


def credentials_of(request: Request) -> CredentialCache:
    """The process's cache of checked users and API keys."""
    cache = request.app.state.credentials
    assert isinstance(cache, CredentialCache)
    return cache


class RoleGate:
    """A dependency that authenticates the request and admits only ``roles``.

    A route whose roles include :attr:`Role.PUBLIC` needs no credentials (the user is
    :data:`ANONYMOUS`), but credentials given to it must still be valid.

    The gate runs on the event loop: the token's signature is checked there, and
    the user (or API key) is read from the :class:`CredentialCache`; only when
    the cache does not hold it is the database read, in a worker thread.
    """

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def __repr__(self) -> str:
        return f"allow({', '.join(sorted(self.roles))})"

    async def __call__(
        self,
        request: Request,
        token: Annotated[str | None, Depends(oauth2_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
    ) -> User:
        user = await _authenticate(request, token, api_key)
        if user is None:
            if Role.PUBLIC in self.roles:
                return ANONYMOUS
            raise NotAuthenticated("credentials are needed: a bearer token or an API key")
        if user.role not in self.roles and Role.PUBLIC not in self.roles:
            raise PermissionDenied(f"role {user.role} may not {request.method} this resource")
        return user


async def _authenticate(request: Request, token: str | None, api_key: str | None) -> User | None:
    if token is not None and api_key is not None:
        raise NotAuthenticated("give a bearer token or an API key, not both")
    store = await store_of(request)
    cache = credentials_of(request)
    if api_key is not None:
        return cache.peek_api_key(api_key) or await run_in_threadpool(
            cache.check_api_key, store, api_key
        )
    if token is not None:
        name = token_subject(token, signing_key_of(request))
        return cache.peek_user(name) or await run_in_threadpool(cache.active_user, store, name)
    return None


def allow(*roles: Role) -> RoleGate:
    """The dependency of a route that ``roles`` may call (and only they)."""
    if not roles:
        raise ValueError("a route must allow at least one role")
    return RoleGate(frozenset(roles))
