"""Containers: where a box is and its status, its ledger history, lists by filter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from opentos.api.deps import CacheDep, ContainerReader, Cursor, Limit, StoreDep, kept
from opentos.api.schemas import ContainerPublic, HistoryEventPublic, Page
from opentos.operations import inquiry
from opentos.operations.inquiry import Scope
from opentos.operations.readcache import Read

router = APIRouter(prefix="/containers", tags=["containers"])

Number = Annotated[str, Path(max_length=20, description="ISO 6346 container number")]


@router.get("", summary="Containers by number, filtered by operator, visit or block")
def list_containers(
    user: ContainerReader,
    store: StoreDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    operator: Annotated[str | None, Query(max_length=4)] = None,
    visit: Annotated[str | None, Query(max_length=40)] = None,
    block: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[ContainerPublic]:
    page = inquiry.list_containers(
        store, Scope.of(user), operator=operator, visit=visit, block=block, limit=limit,
        cursor=cursor,
    )  # fmt: skip
    return Page[ContainerPublic](
        data=[ContainerPublic.model_validate(c) for c in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{number}", summary="A box: where it is now and its status")
async def container(
    user: ContainerReader, store: StoreDep, cache: CacheDep, number: Number
) -> ContainerPublic:
    scope = Scope.of(user)
    if scope.haulier is not None:  # what a haulier sees depends on its pre-notifications
        status = await run_in_threadpool(inquiry.container_status, store, number, scope)
        return ContainerPublic.model_validate(status)

    def read() -> Read[ContainerPublic]:
        found = inquiry.status_read(store, number)
        return Read(ContainerPublic.model_validate(found.value), found.keys)

    public = await kept(cache, ("status", number), read)
    inquiry.check_scope(scope, number, public.operator)
    return public


@router.get("/{number}/history", summary="A box's ledger events, oldest first")
def history(
    user: ContainerReader,
    store: StoreDep,
    number: Number,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[HistoryEventPublic]:
    page = inquiry.container_history(store, number, Scope.of(user), limit=limit, cursor=cursor)
    return Page[HistoryEventPublic](
        data=[HistoryEventPublic.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
    )
