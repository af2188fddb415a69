"""Berth assignment: which berth a vessel visit takes, and where along the quay it lies.

A vessel lies from its berthing position (a quay metre, by default the start of
its berth) over its length overall; the quay is continuous, so a long vessel
may reach into the next berth, but it must start within its own and stay
within the quay. Two visits may not share quay metres while their times at
berth overlap: from berthing (actual, else planned, else arrival) to departure
(actual, else planned). A visit without a known end counts as staying on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opentos.errors import DomainError, IllegalTransition, InvalidValue
from opentos.model.layout import TerminalLayout
from opentos.model.visits import VesselVisit, VisitPhase
from opentos.storage.store import Store, Transaction


def assign_berth(
    store: Store,
    visit_id: str,
    berth_id: str,
    *,
    position_m: float | None = None,
    planned_berthing: datetime | None = None,
) -> VesselVisit:
    """Assign berth ``berth_id`` (from quay metre ``position_m``) to vessel visit ``visit_id``.

    ``planned_berthing`` defaults to the visit's planned berthing, else its planned
    arrival. Assigning the same again changes nothing.

    Raises
    ------
    NotFound
        No such visit or berth.
    InvalidValue
        The visit is no vessel visit, has no planned departure, or does not fit the quay.
    IllegalTransition
        The visit has departed or was cancelled.
    DomainError
        Another visit holds quay metres the vessel needs while it is at berth.
    """
    berth = store.layout.berth(berth_id)
    quay = store.layout.quay
    with store.transaction() as tx:
        visit = tx.visit(visit_id)
        if not isinstance(visit, VesselVisit):
            raise InvalidValue(f"visit {visit_id} is a {visit.kind} visit; only vessels berth")
        if visit.is_final:
            raise IllegalTransition(f"visit {visit_id} is {visit.phase}; it takes no berth")
        start = berth.start_m if position_m is None else position_m
        end = start + visit.profile.loa_m
        where = f"visit {visit_id} ({visit.vessel_name}, {visit.profile.loa_m:g} m)"
        if not berth.start_m <= start < berth.end_m:
            raise InvalidValue(
                f"{where}: position {start:g} m is not on berth {berth_id} "
                f"({berth.start_m:g}-{berth.end_m:g} m)"
            )
        if end > quay.length_m:
            raise InvalidValue(
                f"{where} from {start:g} m reaches {end:g} m, past the end of the quay "
                f"({quay.length_m:g} m)"
            )
        assigned = replace(
            visit,
            berth=berth_id,
            berth_position_m=float(start),
            planned_berthing=planned_berthing or visit.planned_berthing or visit.planned_arrival,
        )
        check_quay_space(tx, store.layout, assigned)
        if assigned != visit:
            tx.add_visit(assigned)
        return assigned


def check_quay_space(tx: Transaction, layout: TerminalLayout, visit: VesselVisit) -> None:
    """Refuse ``visit``'s berth if another visit holds its quay metres while it is alongside.

    Raises
    ------
    InvalidValue
        The visit has no berth, or no planned arrival or departure.
    DomainError
        Another visit overlaps it in quay metres and in time.
    """
    if visit.berth is None:
        raise InvalidValue(f"visit {visit.id} has no berth")
    start = visit.berth_position_m
    if start is None:
        start = layout.berth(visit.berth).start_m
    end = start + visit.profile.loa_m
    where = f"visit {visit.id} ({visit.vessel_name}, {visit.profile.loa_m:g} m)"
    begin, until = _window(visit)
    if begin is None or until is None:
        raise InvalidValue(f"{where}: a berth needs the planned arrival and departure of the visit")
    for other in tx.visits():
        if (
            not isinstance(other, VesselVisit)
            or other.id == visit.id
            or other.berth is None
            or other.phase is VisitPhase.CANCELLED
        ):
            continue
        other_start = other.berth_position_m
        if other_start is None:
            other_start = layout.berth(other.berth).start_m
        other_end = other_start + other.profile.loa_m
        other_begin, other_until = _window(other)
        overlaps_quay = other_start < end and start < other_end
        overlaps_time = (other_begin is None or other_begin < until) and (
            other_until is None or begin < other_until
        )
        if overlaps_quay and overlaps_time:
            raise DomainError(
                f"{where} at {start:g}-{end:g} m from {begin:%Y-%m-%d %H:%M} to "
                f"{until:%Y-%m-%d %H:%M} overlaps visit {other.id} ({other.vessel_name}) "
                f"at {other_start:g}-{other_end:g} m, {_when(other_begin)} to "
                f"{_when(other_until)}"
            )


def _window(visit: VesselVisit) -> tuple[datetime | None, datetime | None]:
    begin = (
        visit.actual_berthing
        or visit.planned_berthing
        or visit.actual_arrival
        or visit.planned_arrival
    )
    return begin, visit.actual_departure or visit.planned_departure


def _when(at: datetime | None) -> str:
    return "open" if at is None else f"{at:%Y-%m-%d %H:%M}"
