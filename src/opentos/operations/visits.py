"""Visits: create vessel, truck and rail visits, change their planned times, move their phases.

Each function is one transaction. Creating a visit that exists with the same
data changes nothing (a retried request is harmless); with other data it is
refused. Departing a vessel or a truck takes the boxes still on board with it
out of the terminal (ledger events to outside), in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from opentos.errors import IllegalTransition, InvalidValue, NotFound
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import standard_class, vessel_class
from opentos.model.visits import (
    RailVisit,
    TruckVisit,
    VesselVisit,
    Visit,
    VisitKind,
    VisitPhase,
)
from opentos.operations.berths import check_quay_space
from opentos.storage.store import Store, Transaction

V = TypeVar("V", VesselVisit, TruckVisit, RailVisit)


def add_vessel_visit(
    store: Store,
    visit_id: str,
    *,
    vessel_name: str,
    operator: str,
    vessel_class_name: str | None = None,
    teu: int | None = None,
    profile: VesselProfile | None = None,
    voyage_in: str = "",
    voyage_out: str = "",
    imo: str | None = None,
    call_sign: str | None = None,
    planned_arrival: datetime | None = None,
    planned_departure: datetime | None = None,
) -> VesselVisit:
    """Create a planned vessel visit.

    The vessel's profile is ``profile``, else the standard class ``vessel_class_name``
    (``post-panamax-8500`` ...), else a class of ``teu`` TEU, else the profile of the
    last visit of the same vessel (same IMO number, else name).

    Raises
    ------
    InvalidValue
        A value is malformed, no profile can be found, or ``visit_id`` is a visit
        with other data.
    NotFound
        ``vessel_class_name`` is no standard class.
    """
    given = [x for x in (vessel_class_name, teu, profile) if x is not None]
    if len(given) > 1:
        raise InvalidValue(
            f"visit {visit_id}: give one of a profile, a vessel class or a TEU capacity"
        )
    with store.transaction() as tx:
        if profile is None:
            if vessel_class_name is not None:
                profile = standard_class(vessel_class_name)
            elif teu is not None:
                profile = vessel_class(teu)
            else:
                profile = _earlier_profile(tx, visit_id, vessel_name, imo)
        visit = VesselVisit(
            id=visit_id, vessel_name=vessel_name, profile=profile, operator=operator,
            voyage_in=voyage_in, voyage_out=voyage_out, imo=imo, call_sign=call_sign,
            planned_arrival=planned_arrival, planned_departure=planned_departure,
        )  # fmt: skip
        return _add(tx, visit)


def add_truck_visit(
    store: Store,
    visit_id: str,
    *,
    licence_plate: str,
    haulier: str | None = None,
    planned_arrival: datetime | None = None,
    planned_departure: datetime | None = None,
) -> TruckVisit:
    """Create a planned truck visit; its planned arrival and departure are its appointment.

    Raises
    ------
    InvalidValue
        A value is malformed, or ``visit_id`` is a visit with other data.
    """
    visit = TruckVisit(
        id=visit_id, licence_plate=licence_plate, haulier=haulier,
        planned_arrival=planned_arrival, planned_departure=planned_departure,
    )  # fmt: skip
    with store.transaction() as tx:
        return _add(tx, visit)


def add_rail_visit(
    store: Store,
    visit_id: str,
    *,
    train: str,
    track: str | None = None,
    wagons: int = 0,
    planned_arrival: datetime | None = None,
    planned_departure: datetime | None = None,
) -> RailVisit:
    """Create a planned train visit, on ``track`` of the terminal when given.

    Raises
    ------
    InvalidValue
        A value is malformed, or ``visit_id`` is a visit with other data.
    NotFound
        The terminal has no rail track ``track``.
    """
    visit = RailVisit(
        id=visit_id, train=train, track=track, wagons=wagons,
        planned_arrival=planned_arrival, planned_departure=planned_departure,
    )  # fmt: skip
    if track is not None:
        tracks = {t.id: t for t in store.layout.rail_tracks}
        if track not in tracks:
            known = ", ".join(sorted(tracks)) or "none"
            raise NotFound(f"visit {visit_id}: no rail track {track!r} (tracks: {known})")
        if wagons > tracks[track].wagons:
            raise InvalidValue(
                f"visit {visit_id}: {wagons} wagons do not fit rail track {track} "
                f"({tracks[track].wagons} wagons)"
            )
    with store.transaction() as tx:
        return _add(tx, visit)


def update_planned_times(
    store: Store,
    visit_id: str,
    *,
    planned_arrival: datetime | None = None,
    planned_departure: datetime | None = None,
    kind: VisitKind | None = None,
) -> Visit:
    """Change a visit's planned arrival and/or departure (``None`` leaves one as it is).

    With ``kind``, only a visit of that kind is changed (a gate works trucks only).

    Raises
    ------
    NotFound
        No visit ``visit_id`` (of ``kind``, when given).
    IllegalTransition
        The visit has departed or was cancelled: its plan is history.
    InvalidValue
        The planned departure would be before the planned arrival, or a time has no zone.
    DomainError
        The new times put a berthed vessel on quay metres another visit holds then.
    """
    with store.transaction() as tx:
        visit = _of_kind(tx.visit(visit_id), kind)
        if visit.is_final:
            raise IllegalTransition(
                f"visit {visit_id} is {visit.phase}; its planned times can no longer change"
            )
        changes: dict[str, datetime] = {}
        if planned_arrival is not None:
            changes["planned_arrival"] = planned_arrival
        if planned_departure is not None:
            changes["planned_departure"] = planned_departure
        updated = replace(visit, **changes)  # type: ignore[arg-type]
        if updated != visit:
            if isinstance(updated, VesselVisit) and updated.berth is not None:
                check_quay_space(tx, store.layout, updated)
            tx.add_visit(updated)
        return updated


def advance(
    store: Store,
    visit_id: str,
    phase: VisitPhase,
    at: datetime,
    *,
    kind: VisitKind | None = None,
) -> Visit:
    """Move a visit to ``phase`` at ``at`` (see :meth:`~opentos.model.visits.VesselVisit.advance`).

    Asking again for the phase the visit is in changes nothing when ``at`` is the
    time already recorded for it (a retried arrival or departure). Departing takes
    the boxes still on board a vessel, or on a truck, out of the terminal. With
    ``kind``, only a visit of that kind moves.

    Raises
    ------
    NotFound
        No visit ``visit_id`` (of ``kind``, when given).
    InvalidValue
        ``at`` has no time zone.
    IllegalTransition
        ``phase`` cannot follow the visit's phase.
    """
    if at.tzinfo is None:
        raise InvalidValue(f"visit {visit_id}: time {at} has no time zone")
    with store.transaction() as tx:
        visit = _of_kind(tx.visit(visit_id), kind)
        if visit.phase is phase and _recorded(visit, phase) in (at, None):
            return visit
        moved = visit.advance(phase, at)
        if phase is VisitPhase.DEPARTED:
            _leave_with(tx, visit, at)
        tx.add_visit(moved)
        return moved


def arrive(store: Store, visit_id: str, at: datetime, *, kind: VisitKind | None = None) -> Visit:
    """Record a visit's actual arrival (a vessel at berth, a train on its track, a truck in).

    Raises
    ------
    NotFound
        No visit ``visit_id`` (of ``kind``, when given).
    IllegalTransition
        The visit is not planned (it arrived at another time, departed or was cancelled).
    """
    return advance(store, visit_id, VisitPhase.ARRIVED, at, kind=kind)


def depart(store: Store, visit_id: str, at: datetime, *, kind: VisitKind | None = None) -> Visit:
    """Record a visit's actual departure, taking what is still on board out of the terminal.

    Raises
    ------
    NotFound
        No visit ``visit_id`` (of ``kind``, when given).
    IllegalTransition
        The visit is not in the terminal, or is still working.
    """
    return advance(store, visit_id, VisitPhase.DEPARTED, at, kind=kind)


def _of_kind(visit: Visit, kind: VisitKind | None) -> Visit:
    """``visit``, if it is of ``kind`` (any, when ``None``)."""
    if kind is not None and visit.kind is not kind:
        raise NotFound(f"no {kind} visit {visit.id!r}: it is a {visit.kind} visit")
    return visit


def _recorded(visit: Visit, phase: VisitPhase) -> datetime | None:
    if phase is VisitPhase.ARRIVED:
        return visit.actual_arrival
    if phase is VisitPhase.DEPARTED:
        return visit.actual_departure
    return None


def _leave_with(tx: Transaction, visit: Visit, at: datetime) -> None:
    """Events taking the boxes on board ``visit`` out of the terminal with it, top tier first."""
    if isinstance(visit, VesselVisit):
        aboard = list(tx.inventory.on_visit(visit.id))
        aboard.sort(key=lambda item: -item[1].slot.tier)
        tx.record([MoveEvent(n, p, None, at) for n, p in aboard])
    elif isinstance(visit, TruckVisit):
        carried = [
            (n, p)
            for position in range(1, 10)
            if (n := tx.at(p := EquipmentPlace(visit.id, position))) is not None
        ]
        tx.record([MoveEvent(n, p, None, at, equipment=visit.id) for n, p in carried])


def _add(tx: Transaction, visit: V) -> V:
    try:
        known = tx.visit(visit.id)
    except NotFound:
        tx.add_visit(visit)
        return visit
    if known == visit:
        return visit
    raise InvalidValue(
        f"visit {visit.id} already exists ({known.kind} visit, {known.phase}) with other data"
    )


def _earlier_profile(
    tx: Transaction, visit_id: str, vessel_name: str, imo: str | None
) -> VesselProfile:
    same = [
        v
        for v in tx.visits()
        if isinstance(v, VesselVisit)
        and v.id != visit_id
        and (
            (imo is not None and v.imo == imo)
            or (imo is None and v.vessel_name.strip().upper() == vessel_name.strip().upper())
        )
    ]
    if not same:
        raise InvalidValue(
            f"visit {visit_id}: the terminal has no earlier visit of vessel {vessel_name!r} "
            "to take its profile from; give a vessel class or a TEU capacity"
        )
    return same[-1].profile
