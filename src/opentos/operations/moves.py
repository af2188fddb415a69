"""Moves a terminal operator confirms: discharge, load, yard relocation, gate-in and gate-out.

Each function checks the move first (the container is known, the visit is
there and in the terminal, the slot exists, no hold stops the box, a full box
to load has its VGM), then records its ledger events in one transaction; the
ledger itself refuses what breaks an inventory invariant (a box in two places,
a floating box). Nothing is recorded when any check fails.

A vessel visit's first move after its arrival puts it in
:attr:`~opentos.model.visits.VisitPhase.WORKING`, as does a move after it was
complete (more work came).

The same confirmation again (same box, places, machines and time: a retried
request) changes nothing and returns the events recorded the first time.

A truck's equipment id in the ledger is its visit id: a gate-in is outside ->
``equipment:T1`` -> the yard, a gate-out the yard -> ``equipment:T1`` ->
outside, each leg through the gate made by the truck, as CODECO reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from opentos.errors import DomainError, IllegalMove, IllegalTransition, InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace
from opentos.model.slots import BayRowTier
from opentos.model.visits import TruckVisit, VesselVisit, Visit, VisitPhase
from opentos.storage.store import Store, Transaction

_TRUCK_POSITIONS = (1, 2)
"""Spots on a truck: one 40' or 45', or two 20' boxes."""


@dataclass(frozen=True, slots=True)
class RecordedMove:
    """A confirmed move: its kind, the box, the visit and the ledger events it left."""

    kind: MoveKind
    container: ContainerNumber
    visit: str | None
    events: tuple[MoveEvent, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-compatible form."""
        return {
            "kind": str(self.kind),
            "container": str(self.container),
            "visit": self.visit,
            "from": _text(self.events[0].from_place),
            "to": _text(self.events[-1].to_place),
            "events": [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "from": _text(e.from_place),
                    "to": _text(e.to_place),
                    "equipment": e.equipment,
                }
                for e in self.events
            ],
        }


def discharge(
    store: Store,
    visit_id: str,
    container: ContainerNumber,
    to: Place,
    *,
    at: datetime,
    crane: str | None = None,
) -> RecordedMove:
    """Record a box discharged from vessel visit ``visit_id`` to a yard slot or a machine.

    Raises
    ------
    NotFound
        The container, the visit or the quay crane is unknown.
    IllegalTransition
        The visit is not in the terminal.
    IllegalMove
        The box is not on board the visit, or the ledger refuses the move.
    InvalidValue
        ``to`` is a vessel slot, or the visit is not a vessel visit.
    """
    _check_crane(store, crane)
    if isinstance(to, VesselPlace):
        raise InvalidValue(
            f"discharge of {container} to {to}: a discharge goes to the yard or a machine"
        )
    done = _replayed(store, container, at, [(_on(visit_id), to, crane)])
    if done:
        return RecordedMove(MoveKind.DISCHARGE, container, visit_id, done)
    with store.transaction() as tx:
        tx.container(container)
        visit = _vessel(tx, visit_id, f"discharge of {container}")
        where = tx.where(container)
        if not (isinstance(where, VesselPlace) and where.visit == visit_id):
            raise IllegalMove(
                f"discharge of {container}: it is {_at(where)}, not on board visit {visit_id}"
            )
        events = _record(tx, [MoveEvent(container, where, to, at, crane)])
        _working(tx, visit, at)
    return RecordedMove(MoveKind.DISCHARGE, container, visit_id, events)


def load(
    store: Store,
    visit_id: str,
    container: ContainerNumber,
    slot: BayRowTier,
    *,
    at: datetime,
    crane: str | None = None,
) -> RecordedMove:
    """Record a box loaded from the yard (or a machine) into ``slot`` of vessel visit ``visit_id``.

    Raises
    ------
    NotFound
        The container, the visit or the quay crane is unknown.
    IllegalTransition
        The visit is not in the terminal.
    DomainError
        A hold stops the box, or a full box has no VGM (SOLAS VI/2: no VGM, no load).
    InvalidSlot
        The vessel has no such slot (or it takes no box of this length).
    IllegalMove
        The box is not in the terminal or is on board already, or the ledger refuses it.
    """
    _check_crane(store, crane)
    what = f"load of {container} into {slot}"
    place = VesselPlace(visit_id, slot)
    done = _replayed(store, container, at, [(_anywhere, place, crane)])
    if done:
        return RecordedMove(MoveKind.LOAD, container, visit_id, done)
    with store.transaction() as tx:
        box = tx.container(container)
        visit = _vessel(tx, visit_id, what)
        _not_held(box, what)
        if not box.is_empty and box.vgm_kg is None:
            raise DomainError(
                f"{what}: the box is full and has no VGM (SOLAS VI/2: no VGM, no load)"
            )
        visit.profile.cells(slot.bay, slot.row, slot.tier, box.length_ft)
        where = tx.where(container)
        if where is None or isinstance(where, VesselPlace):
            raise IllegalMove(f"{what}: it is {_at(where)}; a load comes from the terminal")
        events = _record(tx, [MoveEvent(container, where, place, at, crane)])
        _working(tx, visit, at)
    return RecordedMove(MoveKind.LOAD, container, visit_id, events)


def relocate(
    store: Store,
    container: ContainerNumber,
    to: Place,
    *,
    at: datetime,
    equipment: str | None = None,
) -> RecordedMove:
    """Record a box moved within the terminal (housekeeping, a rehandle, off a machine).

    Raises
    ------
    NotFound
        The container is unknown.
    IllegalMove
        The box is not in the terminal or is on board a vessel, or the ledger refuses it.
    InvalidValue
        ``to`` is a vessel slot (that is a load).
    """
    what = f"relocation of {container} to {to}"
    if isinstance(to, VesselPlace):
        raise InvalidValue(f"{what}: a box goes on board by a load")
    done = _replayed(store, container, at, [(_anywhere, to, equipment)])
    if done:
        return RecordedMove(MoveKind.YARD_SHIFT, container, None, done)
    with store.transaction() as tx:
        tx.container(container)
        where = tx.where(container)
        if where is None or isinstance(where, VesselPlace):
            raise IllegalMove(f"{what}: it is {_at(where)}; a relocation is within the yard")
        events = _record(tx, [MoveEvent(container, where, to, at, equipment)])
    return RecordedMove(MoveKind.YARD_SHIFT, container, None, events)


def gate_in(
    store: Store,
    visit_id: str,
    container: ContainerNumber,
    to: YardPlace,
    *,
    at: datetime,
    register: Container | None = None,
    yard_crane: str | None = None,
) -> RecordedMove:
    """Record a box brought in by truck visit ``visit_id`` and grounded at ``to``.

    ``register`` gives the box's master data when the terminal does not know it yet
    (or updates them).

    Raises
    ------
    NotFound
        The container (without ``register``), the visit or the yard crane is unknown.
    IllegalTransition
        The truck is not in the terminal.
    IllegalMove
        The box is in the terminal already, or the ledger refuses the move.
    """
    what = f"gate-in of {container} by {visit_id}"
    if register is not None and register.number != container:
        raise InvalidValue(f"{what}: the master data given are of {register.number}")
    _check_yard_crane(store, yard_crane)
    truck_at = _on_truck(visit_id)
    done = _replayed(
        store, container, at, [(_outside, truck_at, visit_id), (truck_at, to, yard_crane)]
    )
    if done:
        return RecordedMove(MoveKind.GATE_IN, container, visit_id, done)
    with store.transaction() as tx:
        if register is not None:
            tx.register(register, source=f"gate-in by {visit_id}")
        else:
            try:
                tx.container(container)
            except NotFound:
                raise NotFound(
                    f"{what}: container {container} is not known to this terminal; "
                    "give its size-type and operator to register it"
                ) from None
        truck = _truck(tx, visit_id, what)
        where = tx.where(container)
        if where is not None:
            raise IllegalMove(f"{what}: it is in the terminal already, at {where}")
        on_truck = _free_spot(tx, truck, what)
        events = _record(
            tx,
            [
                MoveEvent(container, None, on_truck, at, truck.id),
                MoveEvent(container, on_truck, to, at, yard_crane),
            ],
        )
    return RecordedMove(MoveKind.GATE_IN, container, visit_id, events)


def gate_out(
    store: Store,
    visit_id: str,
    container: ContainerNumber,
    *,
    at: datetime,
    yard_crane: str | None = None,
) -> RecordedMove:
    """Record a box put on truck visit ``visit_id`` and taken out through the gate.

    Raises
    ------
    NotFound
        The container, the visit or the yard crane is unknown.
    IllegalTransition
        The truck is not in the terminal.
    DomainError
        A hold stops the box.
    IllegalMove
        The box is not in the yard, or the ledger refuses the move.
    """
    what = f"gate-out of {container} by {visit_id}"
    _check_yard_crane(store, yard_crane)
    truck_at = _on_truck(visit_id)
    done = _replayed(
        store, container, at, [(_in_yard, truck_at, yard_crane), (truck_at, _outside, visit_id)]
    )
    if done:
        return RecordedMove(MoveKind.GATE_OUT, container, visit_id, done)
    with store.transaction() as tx:
        box = tx.container(container)
        truck = _truck(tx, visit_id, what)
        _not_held(box, what)
        where = tx.where(container)
        if not isinstance(where, YardPlace):
            raise IllegalMove(f"{what}: it is {_at(where)}; a gate-out takes a box from the yard")
        on_truck = _free_spot(tx, truck, what)
        events = _record(
            tx,
            [
                MoveEvent(container, where, on_truck, at, yard_crane),
                MoveEvent(container, on_truck, None, at, truck.id),
            ],
        )
    return RecordedMove(MoveKind.GATE_OUT, container, visit_id, events)


PlaceTest = Callable[[Place | None], bool]
_Leg = tuple[Place | PlaceTest | None, Place | PlaceTest | None, str | None]


def _replayed(
    store: Store, container: ContainerNumber, at: datetime, legs: Sequence[_Leg]
) -> tuple[MoveEvent, ...] | None:
    """The box's last events, if they are these legs at ``at``: the move was recorded already."""
    events = store.events(container=container)[-len(legs) :]
    if len(events) != len(legs):
        return None
    for event, (src, dst, equipment) in zip(events, legs, strict=True):
        if (
            event.at != at
            or event.equipment != equipment
            or not _matches(event.from_place, src)
            or not _matches(event.to_place, dst)
        ):
            return None
    if store.where(container) != events[-1].to_place:
        return None
    return tuple(events)


def _matches(place: Place | None, expected: Place | PlaceTest | None) -> bool:
    if callable(expected):
        return expected(place)
    return place == expected


def _on(visit_id: str) -> PlaceTest:
    return lambda place: isinstance(place, VesselPlace) and place.visit == visit_id


def _on_truck(visit_id: str) -> PlaceTest:
    return lambda place: isinstance(place, EquipmentPlace) and place.equipment == visit_id


def _anywhere(place: Place | None) -> bool:
    return place is not None


def _in_yard(place: Place | None) -> bool:
    return isinstance(place, YardPlace)


def _outside(place: Place | None) -> bool:
    return place is None


def _record(tx: Transaction, events: list[MoveEvent]) -> tuple[MoveEvent, ...]:
    return tuple(tx.record(events))


def _vessel(tx: Transaction, visit_id: str, what: str) -> VesselVisit:
    visit = _in_terminal(tx, visit_id, what)
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(f"{what}: visit {visit_id} is a {visit.kind} visit, not a vessel visit")
    return visit


def _truck(tx: Transaction, visit_id: str, what: str) -> TruckVisit:
    visit = _in_terminal(tx, visit_id, what)
    if not isinstance(visit, TruckVisit):
        raise InvalidValue(f"{what}: visit {visit_id} is a {visit.kind} visit, not a truck visit")
    return visit


def _in_terminal(tx: Transaction, visit_id: str, what: str) -> Visit:
    try:
        visit = tx.visit(visit_id)
    except NotFound as exc:
        raise NotFound(f"{what}: {exc}") from None
    if not visit.in_terminal:
        hint = "; record its arrival first" if visit.phase is VisitPhase.PLANNED else ""
        raise IllegalTransition(f"{what}: visit {visit_id} is {visit.phase}{hint}")
    return visit


def _working(tx: Transaction, visit: Visit, at: datetime) -> None:
    if visit.phase in (VisitPhase.ARRIVED, VisitPhase.COMPLETE):
        tx.add_visit(visit.advance(VisitPhase.WORKING, at))


def _not_held(box: Container, what: str) -> None:
    if box.on_hold:
        holds = ", ".join(f"{h.kind}" + (f" ({h.reason})" if h.reason else "") for h in box.holds)
        raise DomainError(f"{what}: the box is on hold: {holds}")


def _free_spot(tx: Transaction, truck: TruckVisit, what: str) -> EquipmentPlace:
    for position in _TRUCK_POSITIONS:
        place = EquipmentPlace(truck.id, position)
        if tx.at(place) is None:
            return place
    raise IllegalMove(f"{what}: truck {truck.licence_plate} carries two boxes already")


def _check_crane(store: Store, crane: str | None) -> None:
    cranes = [q.id for q in store.layout.quay_cranes]
    if crane is not None and crane not in cranes:
        raise NotFound(f"no quay crane {crane!r} (quay cranes: {', '.join(cranes)})")


def _check_yard_crane(store: Store, crane: str | None) -> None:
    cranes = [y.id for y in store.layout.yard_cranes]
    if crane is not None and crane not in cranes:
        raise NotFound(f"no yard crane {crane!r} (yard cranes: {', '.join(cranes) or 'none'})")


def _at(place: Place | None) -> str:
    return "not in the terminal" if place is None else f"at {place}"


def _text(place: Place | None) -> str | None:
    return None if place is None else str(place)
