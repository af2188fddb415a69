"""Visits, the berth plan, vessels' bay plans and the public schedule."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from opentos.api.deps import (
    BayPlanReader,
    BerthPlanReader,
    CacheDep,
    Cursor,
    Limit,
    Public,
    StoreDep,
    VisitReader,
    kept,
)
from opentos.api.schemas import (
    BayPlanPublic,
    BerthPlan,
    Page,
    ScheduleEntry,
    VisitPublic,
)
from opentos.api.svg import bay_plan_svg
from opentos.operations import inquiry
from opentos.operations.inquiry import Scope
from opentos.operations.readcache import Read

router = APIRouter()

VisitId = Annotated[str, Path(max_length=40)]
From = Annotated[
    datetime | None, Query(alias="from", description="Start (inclusive), with a time zone.")
]
To = Annotated[datetime | None, Query(alias="to", description="End (exclusive), with a time zone.")]
SVG = "image/svg+xml"


@router.get("/visits", tags=["visits"], summary="Visits by arrival, filtered by kind, phase, dates")
def list_visits(
    user: VisitReader,
    store: StoreDep,
    start: From = None,
    end: To = None,
    kind: Annotated[str | None, Query(description="vessel, rail or truck")] = None,
    phase: Annotated[str | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[VisitPublic]:
    page = inquiry.list_visits(
        store, Scope.of(user), kind=kind, phase=phase, start=start, end=end, limit=limit,
        cursor=cursor,
    )  # fmt: skip
    return Page[VisitPublic](
        data=[VisitPublic.model_validate(v) for v in page.items], next_cursor=page.next_cursor
    )


@router.get("/visits/{visit_id}", tags=["visits"], summary="One visit")
def visit(user: VisitReader, store: StoreDep, visit_id: VisitId) -> VisitPublic:
    return VisitPublic.model_validate(inquiry.visit_summary(store, visit_id, Scope.of(user)))


@router.get("/visits/{visit_id}/bay-plan", tags=["visits"], summary="The boxes on board, by slot")
def bay_plan(user: BayPlanReader, store: StoreDep, visit_id: VisitId) -> BayPlanPublic:
    return BayPlanPublic.model_validate(inquiry.bay_plan(store, visit_id, Scope.of(user)))


@router.get(
    "/visits/{visit_id}/bay-plan.svg",
    tags=["visits"],
    summary="The bay plan drawn: each bay's rows and tiers, boxes coloured by discharge port",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
)
def bay_plan_drawing(user: BayPlanReader, store: StoreDep, visit_id: VisitId) -> Response:
    scope = Scope.of(user)
    vessel = inquiry.vessel_profile_of(store, visit_id, scope)
    plan = inquiry.bay_plan(store, visit_id, scope)
    return Response(bay_plan_svg(vessel, plan), media_type=SVG)


@router.get("/berth-plan", tags=["visits"], summary="Vessel visits alongside in a time range")
def berth_plan(
    _user: BerthPlanReader,
    store: StoreDep,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
) -> BerthPlan:
    visits = inquiry.berth_plan(store, start, end)
    return BerthPlan(start=start, end=end, visits=[VisitPublic.model_validate(v) for v in visits])


@router.get(
    "/schedule",
    tags=["public"],
    summary="The vessel schedule, planned and actual times (no credentials needed)",
)
async def schedule(
    _user: Public,
    store: StoreDep,
    cache: CacheDep,
    start: From = None,
    end: To = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ScheduleEntry]:
    def read() -> Read[Page[ScheduleEntry]]:
        found = inquiry.schedule_read(store, start=start, end=end, limit=limit, cursor=cursor)
        page = found.value
        entries = [ScheduleEntry.model_validate(v) for v in page.items]
        return Read(Page[ScheduleEntry](data=entries, next_cursor=page.next_cursor), found.keys)

    return await kept(cache, ("schedule", start, end, limit, cursor), read)
