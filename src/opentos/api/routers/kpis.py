"""Key figures: moves per day and per vessel visit, counted from the ledger.

The routes call the stand-in counters of :mod:`opentos.operations.inquiry`
(:func:`~opentos.operations.inquiry.ledger_move_counts`,
:func:`~opentos.operations.inquiry.visit_move_counts`) until ``operations.kpis``
takes their place behind the same paths.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from opentos.api.deps import KpiReader, StoreDep
from opentos.api.schemas import TerminalKpis, VisitKpis
from opentos.operations import inquiry

router = APIRouter(tags=["kpis"])


@router.get("/kpis", summary="Moves per UTC day and per vessel visit in a time range")
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
    return TerminalKpis.model_validate(inquiry.ledger_move_counts(store, start, end))


@router.get("/visits/{visit_id}/kpis", summary="A vessel visit's moves, in all and per UTC hour")
def visit_kpis(
    _user: KpiReader, store: StoreDep, visit_id: Annotated[str, Path(max_length=40)]
) -> VisitKpis:
    return VisitKpis.model_validate(inquiry.visit_move_counts(store, visit_id))
