"""Dependencies shared by the routers: the store, the roles of each family, paging."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from opentos.api.security import allow, store_of
from opentos.operations.inquiry import MAX_LIMIT
from opentos.operations.readcache import Read, ReadCache
from opentos.operations.users import Role, User
from opentos.storage.store import Store

T = TypeVar("T")

StoreDep = Annotated[Store, Depends(store_of)]


async def cache_of(request: Request) -> ReadCache | None:
    """The process's read cache (``None`` when ``OPENTOS_READ_CACHE_ENTRIES`` is 0)."""
    cache = request.app.state.read_cache
    assert cache is None or isinstance(cache, ReadCache)
    return cache


CacheDep = Annotated[ReadCache | None, Depends(cache_of)]


async def kept(cache: ReadCache | None, key: Hashable, read: Callable[[], Read[T]]) -> T:
    """The answer kept under ``key``, else ``read()`` in a worker thread (the database is
    not read on the event loop), kept for the next asker."""
    if cache is None:
        return (await run_in_threadpool(read)).value
    found = cache.get(key)
    if found is not None:
        return cast(T, found)
    stamp = cache.stamp()
    fresh = await run_in_threadpool(read)
    cache.put(key, fresh, stamp)
    return fresh.value


Public = Annotated[User, Depends(allow(Role.PUBLIC))]
Anyone = Annotated[
    User,
    Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE, Role.HAULIER)),
]
Admin = Annotated[User, Depends(allow(Role.ADMIN))]
ContainerReader = Annotated[
    User,
    Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE, Role.HAULIER)),
]
VisitReader = ContainerReader
BerthPlanReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]
BayPlanReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.LINE))]
YardReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE))]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT}.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page.")
]

TrackTraceReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]


async def line_scope(user: TrackTraceReader) -> str | None:
    """The DCSA scope of the caller: a line's SMDG code (its own boxes only), else ``None``."""
    return user.party if user.role is Role.LINE else None


LayoutReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]
KpiReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER))]

# the write side: who may change what (see docs/api.md, "Roles")
Planner = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER))]
"""Vessel and rail visits, berths, load and crane plans, moves on the quay and in the
yard, interchange imports (and truck visits, like the gate)."""
GateClerk = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE))]
"""Truck visits and the moves through the gate."""
HoldKeeper = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.CUSTOMS))]
"""Holds on boxes and customs' decisions."""
