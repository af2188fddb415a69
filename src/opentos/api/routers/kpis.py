"""KPIs from the ledger: the terminal's over a time range and one vessel visit's.

Each answer has the KPIs under the twin's names (``figures``, from
:mod:`opentos.operations.kpis`) and the move counts the dashboard draws: per UTC
day and per vessel visit (:func:`~opentos.operations.inquiry.ledger_move_counts`),
or a visit's per hour (:func:`~opentos.operations.inquiry.visit_move_counts`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from opentos.api.deps import KpiReader, StoreDep
from opentos.api.schemas import TerminalKpis, VisitKpis
from opentos.operations import inquiry

router = APIRouter(tags=["kpis"])


@router.get("/kpis", summary="The terminal's KPIs and moves per day and per visit in a range")
def terminal_kpis(
    _user: KpiReader,
    store: StoreDep,
    start: Annotated[
        datetime | None, Query(alias="from", description="Start (inclusive), with a time zone.")
    ] = None,
    end: Annotated[
        datetime | None, Query(alias="to", description="End (exclusive), with a time zone.")
    ] = None,
) -> TerminalKpis:
    counts = inquiry.ledger_move_counts(store, start, end)
    figures = inquiry.terminal_kpis(store, counts.start, counts.end)
    return TerminalKpis.model_validate(counts).model_copy(update={"figures": figures})


@router.get("/visits/{visit_id}/kpis", summary="A vessel visit's KPIs and its moves per hour")
def visit_kpis(
    _user: KpiReader, store: StoreDep, visit_id: Annotated[str, Path(max_length=40)]
) -> VisitKpis:
    counts = inquiry.visit_move_counts(store, visit_id)
    figures = inquiry.visit_kpis(store, visit_id)
    return VisitKpis.model_validate(counts).model_copy(update={"figures": figures})
