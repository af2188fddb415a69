"""KPIs computed from the ledger: the terminal's over a time range, and one visit's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from opentos.api.deps import StoreDep
from opentos.api.security import allow
from opentos.operations import inquiry
from opentos.operations.users import Role, User

router = APIRouter(tags=["kpis"])

KpiReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER))]


@router.get("/kpis", summary="The terminal's KPIs over a time range (the twin's KPI names)")
def terminal_kpis(
    _user: KpiReader,
    store: StoreDep,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
) -> dict[str, object]:
    return inquiry.terminal_kpis(store, start, end)


@router.get("/visits/{visit_id}/kpis", summary="One visit's KPIs: crane and berth rates")
def visit_kpis(
    _user: KpiReader, store: StoreDep, visit_id: Annotated[str, Path(max_length=40)]
) -> dict[str, object]:
    return inquiry.visit_kpis(store, visit_id)
