"""The caches of checked credentials: values kept until they expire, only successes kept."""

from __future__ import annotations

import pytest

from opentos.errors import NotAuthenticated
from opentos.operations.users import CredentialCache, ExpiringCache, Role, User


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_values_expire_and_a_full_cache_drops_the_expired() -> None:
    clock = Clock()
    cache: ExpiringCache[str, int] = ExpiringCache(clock)
    cache.MAX_ENTRIES = 2
    cache.put("a", 1, until=101.0)
    cache.put("b", 2, until=110.0)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, 2, None)
    cache.put("c", 3, until=110.0)  # full, none expired: not kept
    assert cache.get("c") is None
    clock.now = 101.0
    assert cache.get("a") is None
    cache.put("c", 3, until=110.0)  # full: "a" has expired and is dropped
    assert (cache.get("b"), cache.get("c")) == (2, 3)


def test_credentials_are_trusted_for_the_ttl_and_failures_never() -> None:
    clock = Clock()
    cache = CredentialCache(5.0, clock)
    calls: list[str] = []
    ann = User("ann", Role.PLANNER)

    def check() -> User:
        calls.append("read")
        return ann

    def refuse() -> User:
        calls.append("refused")
        raise NotAuthenticated("no")

    assert cache._cached(("user", "ann"), check) is ann
    assert cache.peek_user("ann") is ann
    assert cache._cached(("user", "ann"), check) is ann
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            cache._cached(("user", "bob"), refuse)
    assert calls == ["read", "refused", "refused"]
    clock.now += 5.0
    assert cache.peek_user("ann") is None
    cache._cached(("user", "ann"), check)
    assert calls[-1] == "read"


def test_no_ttl_keeps_nothing() -> None:
    cache = CredentialCache(0.0)
    cache._cached(("user", "ann"), lambda: User("ann", Role.ADMIN))
    assert cache.peek_user("ann") is None
