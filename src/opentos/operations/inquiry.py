"""The inquiry: read-only questions about boxes, visits, the berth plan and the yard.

Every function reads, none writes, and each takes the :class:`Scope` of who
asks: a line sees only the boxes it operates, a haulier only its own trucks
and the boxes it pre-notified. What lies outside the scope does not exist for
the asker: a box of another line raises exactly the :class:`NotFound` of an
unknown box, and filters never reach past the scope.

Lists are paged: a function returns at most ``limit`` items and an opaque
``next_cursor`` to pass back for the next page (``None`` on the last page).
Date ranges are half-open, ``[start, end)``, and at most
:data:`MAX_RANGE_DAYS` long.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace, parse_place
from opentos.model.visits import (
    RailVisit,
    TruckVisit,
    VesselVisit,
    Visit,
    VisitKind,
    VisitPhase,
)
from opentos.operations.readcache import Read, ReadCache
from opentos.operations.users import Role, User
from opentos.storage.queries import container_rows, yard_occupancy
from opentos.storage.store import Store

MAX_LIMIT = 100
"""The largest page any list gives."""

MAX_RANGE_DAYS = 92
"""The longest date range a list accepts."""
MAX_RANGE = timedelta(days=MAX_RANGE_DAYS)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    """What an asker may see: everything, one line's boxes, or one haulier's."""

    operator: str | None = None
    """A line's SMDG code: only boxes it operates, only vessel visits."""
    haulier: str | None = None
    """A haulier's company: only its truck visits and the boxes it pre-notified."""

    @classmethod
    def of(cls, user: User) -> Scope:
        """The scope of ``user``'s role."""
        if user.role is Role.LINE:
            return cls(operator=user.party)
        if user.role is Role.HAULIER:
            return cls(haulier=user.party)
        return cls()


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next (``None``: this is the last)."""

    items: tuple[T, ...]
    next_cursor: str | None


# -- cursors and limits ------------------------------------------------------------------------


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidValue(f"cursor {cursor!r} is not one this server gave") from None


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue(f"limit {limit} is out of range 1-{MAX_LIMIT}")


def _check_range(start: datetime | None, end: datetime | None) -> None:
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise InvalidValue(f"{name} {value.isoformat()} has no time zone")
    if start is not None and end is not None:
        if end <= start:
            raise InvalidValue(f"to {end.isoformat()} is not after from {start.isoformat()}")
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            raise InvalidValue(
                f"from {start.isoformat()} to {end.isoformat()} is longer than "
                f"{MAX_RANGE_DAYS} days"
            )


def _page(items: Sequence[T], limit: int, key: Callable[[T], str]) -> Page[T]:
    shown = tuple(items[:limit])
    more = len(items) > limit
    return Page(shown, _encode(key(shown[-1])) if more and shown else None)


# -- containers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    """Where a box is: in a yard slot, on board a visit's vessel, on equipment, or outside."""

    kind: str
    """``yard``, ``vessel``, ``equipment`` or ``outside``."""
    place: str | None = None
    block: str | None = None
    visit: str | None = None
    slot: str | None = None
    """``BBBRRTT`` on board (ISO 9711), ``BLOCK.BBB.RR.T`` in the yard."""
    bay: int | None = None
    row: int | None = None
    tier: int | None = None
    equipment: str | None = None
    equipment_kind: str | None = None
    """``quay_crane``, ``agv``, ``yard_crane`` or ``vehicle`` (a truck or a rail wagon)."""


@dataclass(frozen=True, slots=True)
class HoldStatus:
    """A hold on a box: who holds it, and why."""

    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class ContainerStatus:
    """A box: its type, operator, cargo, holds and where it is now."""

    number: str
    iso_type: str
    iso_description: str
    length_ft: int
    operator: str
    full_empty: str
    gross_weight_kg: int | None
    vgm_kg: int | None
    port_of_loading: str | None
    port_of_discharge: str | None
    reefer_set_point_c: float | None
    dangerous_goods: tuple[str, ...]
    holds: tuple[HoldStatus, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One ledger event of a box (``None`` places are outside the terminal)."""

    seq: int
    at: datetime
    from_place: str | None
    to_place: str | None
    equipment: str | None
    work_instruction: str | None


def locate(layout: TerminalLayout, place: Place | None) -> Location:
    """A place described for people: block/bay/row/tier, BBBRRTT and visit, or equipment."""
    if place is None:
        return Location("outside")
    if isinstance(place, YardPlace):
        s = place.slot
        return Location(
            "yard", str(place), block=s.block, slot=str(s), bay=s.bay, row=s.row, tier=s.tier
        )
    if isinstance(place, VesselPlace):
        b = place.slot
        return Location(
            "vessel", str(place), visit=place.visit, slot=str(b), bay=b.bay, row=b.row, tier=b.tier
        )
    assert isinstance(place, EquipmentPlace)
    return Location(
        "equipment",
        str(place),
        equipment=place.equipment,
        equipment_kind=_equipment_kind(layout, place.equipment),
    )


def _equipment_kind(layout: TerminalLayout, equipment: str) -> str:
    if any(q.id == equipment for q in layout.quay_cranes):
        return "quay_crane"
    if any(a.id == equipment for a in layout.agvs):
        return "agv"
    if any(y.id == equipment for y in layout.yard_cranes):
        return "yard_crane"
    return "vehicle"


def _status(layout: TerminalLayout, box: Container, place: Place | None) -> ContainerStatus:
    return ContainerStatus(
        number=str(box.number),
        iso_type=box.iso_type.code,
        iso_description=box.iso_type.description,
        length_ft=box.length_ft,
        operator=box.operator,
        full_empty=str(box.full_empty),
        gross_weight_kg=box.gross_weight_kg,
        vgm_kg=box.vgm_kg,
        port_of_loading=None if box.port_of_loading is None else str(box.port_of_loading),
        port_of_discharge=None if box.port_of_discharge is None else str(box.port_of_discharge),
        reefer_set_point_c=None if box.reefer is None else box.reefer.set_point_c,
        dangerous_goods=tuple(str(dg) for dg in box.dangerous_goods),
        holds=tuple(HoldStatus(str(h.kind), h.reason) for h in box.holds),
        location=locate(layout, place),
    )


def _pre_notified(store: Store, haulier: str) -> set[str]:
    """Numbers of the boxes ``haulier`` pre-notified (COPINO)."""
    numbers: set[str] = set()
    for doc in store.documents("pre_notification"):
        if doc.get("haulier") != haulier:
            continue
        items = doc.get("items")
        for item in items if isinstance(items, list) else []:
            box = item.get("container") if isinstance(item, dict) else None
            if isinstance(box, dict) and isinstance(box.get("number"), str):
                numbers.add(box["number"])
    return numbers


def _unknown(number: ContainerNumber) -> NotFound:
    # the one message for an unknown box and for one outside the asker's scope
    return NotFound(f"container {number} is not known to this terminal")


def _visible(store: Store, scope: Scope, box: Container) -> bool:
    if scope.operator is not None and box.operator != scope.operator:
        return False
    return scope.haulier is None or str(box.number) in _pre_notified(store, scope.haulier)


def _known_box(store: Store, number: str, scope: Scope) -> tuple[Container, Place | None]:
    """The box called ``number`` and where it is, if ``scope`` may see it."""
    parsed = ContainerNumber.parse(number)
    try:
        box, place = store.status(parsed)
    except NotFound:
        raise _unknown(parsed) from None
    if not _visible(store, scope, box):
        raise _unknown(parsed)
    return box, place


def container_status(store: Store, number: str, scope: Scope = EVERYTHING) -> ContainerStatus:
    """A box's status and where it is now.

    Raises
    ------
    InvalidContainerNumber
        ``number`` is not an ISO 6346 number.
    NotFound
        The terminal does not know the box, or it is outside ``scope``.
    """
    box, place = _known_box(store, number, scope)
    return _status(store.layout, box, place)


def status_read(store: Store, number: str) -> Read[ContainerStatus]:
    """A box's status as :func:`container_status` gives it to terminal staff, with the
    keys it was read from, for a :class:`~opentos.operations.readcache.ReadCache` (the
    asker's scope is checked afterwards with :func:`check_scope`)."""
    box, place = _known_box(store, number, EVERYTHING)
    return Read(
        _status(store.layout, box, place), (f"container:{box.number}", f"place:{box.number}")
    )


def check_scope(scope: Scope, number: str, operator: str) -> None:
    """Refuse, as an unknown box, a box of ``operator`` that a line's ``scope`` may not see.

    Raises
    ------
    NotFound
        ``scope`` is another line's.
    ValueError
        ``scope`` is a haulier's: whether it sees a box depends on its pre-notifications,
        which only :func:`container_status` reads.
    """
    if scope.haulier is not None:
        raise ValueError("a haulier's scope is checked by container_status")
    if scope.operator is not None and operator != scope.operator:
        raise _unknown(ContainerNumber.parse(number))


def container_history(
    store: Store,
    number: str,
    scope: Scope = EVERYTHING,
    *,
    limit: int = MAX_LIMIT,
    cursor: str | None = None,
) -> Page[HistoryEvent]:
    """A box's ledger events, oldest first (see :func:`container_status` for errors)."""
    _check_limit(limit)
    after = _decode(cursor)
    if after is not None and not after.isdigit():
        raise InvalidValue(f"cursor {cursor!r} is not one this server gave")
    box, _place = _known_box(store, number, scope)
    events = store.events(box.number, int(after or 0), limit + 1)
    items = [_history(e) for e in events]
    return _page(items, limit, lambda e: str(e.seq))


def _history(event: MoveEvent) -> HistoryEvent:
    return HistoryEvent(
        seq=event.seq or 0,
        at=event.at,
        from_place=None if event.from_place is None else str(event.from_place),
        to_place=None if event.to_place is None else str(event.to_place),
        equipment=event.equipment,
        work_instruction=event.work_instruction,
    )


def list_containers(
    store: Store,
    scope: Scope = EVERYTHING,
    *,
    operator: str | None = None,
    visit: str | None = None,
    block: str | None = None,
    limit: int = MAX_LIMIT,
    cursor: str | None = None,
) -> Page[ContainerStatus]:
    """Boxes by number: of ``operator``, on board ``visit`` or in ``block`` when given.

    Only boxes in the terminal are listed when ``visit`` or ``block`` is given, every
    box the terminal knows otherwise. A filter outside ``scope`` gives an empty list.

    Raises
    ------
    InvalidValue
        Both ``visit`` and ``block`` are given, or the limit or cursor is bad.
    """
    _check_limit(limit)
    if visit is not None and block is not None:
        raise InvalidValue("give visit or block, not both")
    after = _decode(cursor)
    if scope.operator is not None:
        if operator is not None and operator != scope.operator:
            return Page((), None)
        operator = scope.operator
    numbers = None if scope.haulier is None else _pre_notified(store, scope.haulier)
    prefix = None
    if visit is not None:
        prefix = f"vessel:{visit}:"
    elif block is not None:
        prefix = f"yard:{block}."
    rows = container_rows(
        store,
        numbers=numbers,
        operator=operator,
        place_prefix=prefix,
        after=after,
        limit=limit + 1,
    )
    layout = store.layout
    items = [
        _status(
            layout, Container.from_dict(r.data), None if r.place is None else parse_place(r.place)
        )
        for r in rows
    ]
    return _page(items, limit, lambda s: s.number)


# -- visits ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitSummary:
    """A visit with planned and actual times side by side; kind-specific fields or ``None``."""

    id: str
    kind: str
    phase: str
    planned_arrival: datetime | None
    actual_arrival: datetime | None
    planned_departure: datetime | None
    actual_departure: datetime | None
    vessel_name: str | None = None
    voyage_in: str | None = None
    voyage_out: str | None = None
    operator: str | None = None
    berth: str | None = None
    planned_berthing: datetime | None = None
    actual_berthing: datetime | None = None
    train: str | None = None
    track: str | None = None
    licence_plate: str | None = None
    haulier: str | None = None


def _summary(visit: Visit) -> VisitSummary:
    base = {
        "id": visit.id,
        "kind": str(visit.kind),
        "phase": str(visit.phase),
        "planned_arrival": visit.planned_arrival,
        "actual_arrival": visit.actual_arrival,
        "planned_departure": visit.planned_departure,
        "actual_departure": visit.actual_departure,
    }
    if isinstance(visit, VesselVisit):
        return VisitSummary(
            **base,  # type: ignore[arg-type]
            vessel_name=visit.vessel_name,
            voyage_in=visit.voyage_in,
            voyage_out=visit.voyage_out,
            operator=visit.operator,
            berth=visit.berth,
            planned_berthing=visit.planned_berthing,
            actual_berthing=visit.actual_berthing,
        )
    if isinstance(visit, RailVisit):
        return VisitSummary(**base, train=visit.train, track=visit.track)  # type: ignore[arg-type]
    assert isinstance(visit, TruckVisit)
    return VisitSummary(
        **base,  # type: ignore[arg-type]
        licence_plate=visit.licence_plate,
        haulier=visit.haulier,
    )


def _in_scope(visit: Visit, scope: Scope) -> bool:
    if scope.operator is not None:
        return isinstance(visit, VesselVisit)
    if scope.haulier is not None:
        return isinstance(visit, TruckVisit) and visit.haulier == scope.haulier
    return True


def _arrival(visit: Visit) -> datetime | None:
    return visit.actual_arrival or visit.planned_arrival


def _departure(visit: Visit) -> datetime | None:
    return visit.actual_departure or visit.planned_departure


def _stamp(at: datetime | None) -> str:
    return "~" if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _visit_key(visit: VisitSummary) -> str:
    # arrival, then id; visits with no known arrival last ("~" sorts after digits)
    return f"{_stamp(visit.actual_arrival or visit.planned_arrival)}|{visit.id}"


def _parse_kind(kind: str | None) -> VisitKind | None:
    if kind is None:
        return None
    try:
        return VisitKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in VisitKind)
        raise InvalidValue(f"visit kind {kind!r} is not one of {allowed}") from None


def _parse_phase(phase: str | None) -> VisitPhase | None:
    if phase is None:
        return None
    try:
        return VisitPhase(phase)
    except ValueError:
        allowed = ", ".join(p.value for p in VisitPhase)
        raise InvalidValue(f"visit phase {phase!r} is not one of {allowed}") from None


def list_visits(
    store: Store,
    scope: Scope = EVERYTHING,
    *,
    kind: str | None = None,
    phase: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = MAX_LIMIT,
    cursor: str | None = None,
) -> Page[VisitSummary]:
    """Visits by arrival (actual, else planned), arriving in ``[start, end)`` when given.

    Raises
    ------
    InvalidValue
        Unknown kind or phase, a bad date range, limit or cursor.
    """
    _check_limit(limit)
    _check_range(start, end)
    wanted_kind, wanted_phase = _parse_kind(kind), _parse_phase(phase)
    after = _decode(cursor)
    found = []
    for visit in store.visits(wanted_kind):
        arrival = _arrival(visit)
        if not _in_scope(visit, scope):
            continue
        if wanted_kind is not None and visit.kind is not wanted_kind:
            continue
        if wanted_phase is not None and visit.phase is not wanted_phase:
            continue
        if start is not None and (arrival is None or arrival < start):
            continue
        if end is not None and (arrival is None or arrival >= end):
            continue
        found.append(_summary(visit))
    found.sort(key=_visit_key)
    if after is not None:
        found = [v for v in found if _visit_key(v) > after]
    return _page(found, limit, _visit_key)


def visit_summary(store: Store, visit_id: str, scope: Scope = EVERYTHING) -> VisitSummary:
    """One visit (:class:`NotFound` if unknown or outside ``scope``)."""
    return _summary(_scoped_visit(store, visit_id, scope))


def _scoped_visit(store: Store, visit_id: str, scope: Scope) -> Visit:
    visit = store.visit(visit_id)
    if not _in_scope(visit, scope):
        raise NotFound(f"no visit {visit_id!r}")
    return visit


def berth_plan(store: Store, start: datetime, end: datetime) -> list[VisitSummary]:
    """Vessel visits alongside (planned or actual) at any time in ``[start, end)``, by arrival.

    A visit is in the plan when its stay, from its arrival to its departure (actual,
    else planned; open-ended when unknown), overlaps the range. Cancelled visits are not.
    """
    _check_range(start, end)
    found = []
    for visit in store.visits(VisitKind.VESSEL):
        if not isinstance(visit, VesselVisit) or visit.phase is VisitPhase.CANCELLED:
            continue
        arrival = visit.actual_berthing or _arrival(visit)
        departure = _departure(visit)
        if arrival is None or arrival >= end:
            continue
        if departure is not None and departure <= start:
            continue
        found.append(_summary(visit))
    return sorted(found, key=_visit_key)


def schedule_read(
    store: Store,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = MAX_LIMIT,
    cursor: str | None = None,
) -> Read[Page[VisitSummary]]:
    """:func:`schedule`, with the keys it was read from (every visit)."""
    return Read(schedule(store, start=start, end=end, limit=limit, cursor=cursor), ("visit:*",))


def schedule(
    store: Store,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = MAX_LIMIT,
    cursor: str | None = None,
) -> Page[VisitSummary]:
    """The public vessel schedule: vessel visits with planned and actual times."""
    return list_visits(
        store, EVERYTHING, kind=str(VisitKind.VESSEL), start=start, end=end, limit=limit,
        cursor=cursor,
    )  # fmt: skip


# -- bay plans and the yard --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotBox:
    """A box in a slot (on board: ``slot`` is BBBRRTT; in the yard: BLOCK.BBB.RR.T)."""

    slot: str
    bay: int
    row: int
    tier: int
    container: str
    iso_type: str
    length_ft: int
    operator: str
    full_empty: str
    weight_kg: int | None
    port_of_discharge: str | None
    reefer: bool
    dangerous: bool


@dataclass(frozen=True, slots=True)
class BayPlan:
    """The boxes on board a vessel visit, by slot."""

    visit: str
    vessel_name: str
    boxes: tuple[SlotBox, ...]


BoxFace = tuple[str, str, int, str, str, int | None, str | None, bool, bool]
"""What a drawing shows of a box, as plain values (the garbage collector does not follow
them): the :class:`SlotBox` fields after its slot."""


def _face(box: Container) -> BoxFace:
    pod = None if box.port_of_discharge is None else str(box.port_of_discharge)
    return (
        str(box.number), box.iso_type.code, box.length_ft, box.operator, str(box.full_empty),
        box.weight_for_planning_kg, pod, box.is_reefer, box.is_dangerous,
    )  # fmt: skip


def _slot_box(slot: str, bay: int, row: int, tier: int, box: Container | BoxFace) -> SlotBox:
    return SlotBox(slot, bay, row, tier, *(box if isinstance(box, tuple) else _face(box)))


def bay_plan(store: Store, visit_id: str, scope: Scope = EVERYTHING) -> BayPlan:
    """What is on board a vessel visit, by slot; a line sees only its own boxes.

    Raises
    ------
    NotFound
        No such visit, or it is outside ``scope``.
    InvalidValue
        The visit is not a vessel visit.
    """
    visit = _scoped_visit(store, visit_id, scope)
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(f"visit {visit_id!r} is a {visit.kind} visit; only vessels have bays")
    placed = store.on_visit(visit_id)
    boxes = store.containers([n for n, _ in placed])
    slots = []
    for number, place in placed:
        box = boxes[number]
        if scope.operator is not None and box.operator != scope.operator:
            continue
        assert isinstance(place, VesselPlace)
        s = place.slot
        slots.append(_slot_box(str(s), s.bay, s.row, s.tier, box))
    return BayPlan(visit.id, visit.vessel_name, tuple(slots))


def vessel_profile_of(store: Store, visit_id: str, scope: Scope = EVERYTHING) -> VesselVisit:
    """The vessel visit ``visit_id`` (for drawing its bays); errors as :func:`bay_plan`."""
    visit = _scoped_visit(store, visit_id, scope)
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(f"visit {visit_id!r} is a {visit.kind} visit; only vessels have bays")
    return visit


@dataclass(frozen=True, slots=True)
class BlockOccupancy:
    """A yard block's size and how full it is."""

    block: str
    bays: int
    rows: int
    tiers: int
    capacity_teu: int
    boxes: int
    teu: int

    @property
    def occupancy(self) -> float:
        """Share of the capacity in use, 0-1."""
        return self.teu / self.capacity_teu if self.capacity_teu else 0.0


def yard_blocks(store: Store) -> list[BlockOccupancy]:
    """Every yard block with its occupancy, in layout order."""
    used = yard_occupancy(store)
    return [
        BlockOccupancy(b.id, b.bays, b.rows, b.tiers, b.capacity_teu, *used.get(b.id, (0, 0)))
        for b in store.layout.blocks
    ]


def block_boxes(store: Store, block: str, cache: ReadCache | None = None) -> list[SlotBox]:
    """The boxes in a yard block, by slot (:class:`NotFound` for an unknown block); their
    master data taken from ``cache`` where it keeps them (and kept there)."""
    placed = store.in_block(block)
    boxes = _faces(store, [n for n, _ in placed], cache)
    found = []
    for number, place in placed:
        assert isinstance(place, YardPlace)
        s = place.slot
        found.append(_slot_box(str(s), s.bay, s.row, s.tier, boxes[number]))
    return found


def block_read(store: Store, block: str, cache: ReadCache | None = None) -> Read[list[SlotBox]]:
    """:func:`block_boxes`, with the key it was read from."""
    return Read(block_boxes(store, block, cache), (f"block:{block}",))


def _faces(
    store: Store, numbers: Sequence[ContainerNumber], cache: ReadCache | None
) -> dict[ContainerNumber, Container | BoxFace]:
    """Master data of ``numbers``: the faces ``cache`` keeps, the others read (and kept)."""
    if cache is None:
        return dict(store.containers(numbers))
    found: dict[ContainerNumber, Container | BoxFace] = {}
    missing = []
    for number in numbers:
        face = cache.get(("face", number))
        if isinstance(face, tuple):
            found[number] = face
        else:
            missing.append(number)
    stamp = cache.stamp()
    for number, box in store.containers(missing).items():
        found[number] = face = _face(box)
        cache.put(("face", number), Read(face, (f"container:{number}",)), stamp)
    return found


def terminal_kpis(store: Store, start: datetime, end: datetime) -> dict[str, object]:
    """The terminal's KPIs from the ledger over ``[start, end)``, a range of at most
    :data:`MAX_RANGE_DAYS` days (see :mod:`opentos.operations.kpis`)."""
    from opentos.operations.kpis import terminal_kpis as computed

    _check_range(start, end)
    return dict(computed(store, start, end))


def visit_kpis(store: Store, visit_id: str) -> dict[str, object]:
    """One visit's KPIs from the ledger (see :mod:`opentos.operations.kpis`)."""
    from opentos.operations.kpis import visit_kpis as computed

    return dict(computed(store, visit_id))


@dataclass(frozen=True, slots=True)
class Rectangle:
    """A berth or a block drawn to scale: ``x_m`` along the quay, ``y_m`` inland of its edge."""

    id: str
    x_m: float
    y_m: float
    width_m: float
    length_m: float


@dataclass(frozen=True, slots=True)
class YardLayout:
    """The terminal's plan view: the quay with its berths, and the yard blocks."""

    terminal: str
    quay_length_m: float
    berths: tuple[Rectangle, ...]
    blocks: tuple[Rectangle, ...]


def yard_layout(store: Store) -> YardLayout:
    """The quay, its berths and the yard blocks as rectangles in metres, in layout order.

    A berth is a strip of the quay (``length_m`` 0); a block covers ``x_m .. x_m + width_m``
    along the quay and ``y_m .. y_m + length_m`` inland.
    """
    layout = store.layout
    return YardLayout(
        terminal=layout.name,
        quay_length_m=layout.quay.length_m,
        berths=tuple(Rectangle(b.id, b.start_m, 0.0, b.length_m, 0.0) for b in layout.quay.berths),
        blocks=tuple(Rectangle(b.id, b.x_m, b.y_m, b.width_m, b.length_m) for b in layout.blocks),
    )


# -- move counts: a stand-in for the KPIs of operations.kpis --------------------------------


@dataclass(frozen=True, slots=True)
class PeriodMoves:
    """The moves of one period (a UTC day or hour) starting at ``start``."""

    start: datetime
    moves: int


@dataclass(frozen=True, slots=True)
class VisitMoves:
    """A vessel visit's moves: boxes discharged, loaded and restowed (on board to on board)."""

    visit: str
    moves: int
    discharged: int
    loaded: int
    restowed: int


@dataclass(frozen=True, slots=True)
class LedgerMoveCounts:
    """Ledger events counted in ``[start, end)``: in all, per UTC day and per vessel visit."""

    start: datetime
    end: datetime
    moves: int
    per_day: tuple[PeriodMoves, ...]
    per_visit: tuple[VisitMoves, ...]


@dataclass(frozen=True, slots=True)
class VisitMoveCounts:
    """A vessel visit's moves counted from the ledger, in all and per UTC hour."""

    visit: str
    moves: VisitMoves
    per_hour: tuple[PeriodMoves, ...]


def _midnight(at: datetime) -> datetime:
    return datetime.combine(at.astimezone(UTC).date(), time(), UTC)


def _visits_of(event: MoveEvent) -> set[str]:
    return {p.visit for p in (event.from_place, event.to_place) if isinstance(p, VesselPlace)}


def _crane_moves(visit: str, events: Sequence[MoveEvent]) -> list[MoveEvent]:
    """The events of ``events`` that a crane made on ``visit``'s vessel: off it into the
    terminal, onto it from the terminal, or from one of its slots to another. Cargo that
    came on board and left on board (from or to outside the terminal) is not a move."""

    def aboard(place: Place | None) -> bool:
        return isinstance(place, VesselPlace) and place.visit == visit

    return [
        e
        for e in events
        if (aboard(e.from_place) and e.to_place is not None)
        or (aboard(e.to_place) and e.from_place is not None)
    ]


def _visit_moves(visit: str, events: Sequence[MoveEvent]) -> VisitMoves:
    mine = _crane_moves(visit, events)
    on = [isinstance(e.from_place, VesselPlace) and e.from_place.visit == visit for e in mine]
    off = [isinstance(e.to_place, VesselPlace) and e.to_place.visit == visit for e in mine]
    restowed = sum(1 for a, b in zip(on, off, strict=True) if a and b)
    discharged = sum(on) - restowed
    return VisitMoves(visit, len(mine), discharged, len(mine) - discharged - restowed, restowed)


def ledger_move_counts(
    store: Store, start: datetime | None = None, end: datetime | None = None
) -> LedgerMoveCounts:
    """Every ledger event in ``[start, end)`` counted per UTC day and per vessel visit.

    The counts the KPI dashboard draws beside :func:`terminal_kpis`; only the events of
    the range are read (by their time index). Without a range it covers the days of the
    last :data:`MAX_RANGE_DAYS` that hold events (today when the ledger is empty).
    """
    _check_range(start, end)
    span = store.event_times()
    if end is None:
        last = span[1] if span is not None else datetime.now(UTC)
        end = _midnight(last) + timedelta(days=1)
        if start is not None:  # at least the day of start, at most the longest range
            end = min(max(end, _midnight(start) + timedelta(days=1)), start + MAX_RANGE)
    if start is None:
        first = span[0] if span is not None else end - timedelta(days=1)
        start = max(_midnight(first), end - MAX_RANGE)
    _check_range(start, end)
    inside = store.events(start=start, end=end)
    per_day: dict[date, int] = {}
    day = _midnight(start)
    while day < end:
        per_day[day.date()] = 0
        day += timedelta(days=1)
    for e in inside:
        per_day[e.at.astimezone(UTC).date()] += 1
    visits = sorted(set().union(*(_visits_of(e) for e in inside)))
    return LedgerMoveCounts(
        start=start,
        end=end,
        moves=len(inside),
        per_day=tuple(PeriodMoves(datetime.combine(d, time(), UTC), n) for d, n in per_day.items()),
        per_visit=tuple(_visit_moves(v, inside) for v in visits),
    )


def visit_move_counts(store: Store, visit_id: str) -> VisitMoveCounts:
    """A vessel visit's discharges, loads and restows from the ledger, per UTC hour.

    The counts the KPI dashboard draws beside :func:`visit_kpis`.

    Raises
    ------
    NotFound
        No visit has that id.
    InvalidValue
        The visit is not a vessel visit.
    """
    vessel_profile_of(store, visit_id)
    events = store.events(place_prefix=f"vessel:{visit_id}:")
    per_hour: dict[datetime, int] = {}
    for e in _crane_moves(visit_id, events):
        hour = e.at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        per_hour[hour] = per_hour.get(hour, 0) + 1
    return VisitMoveCounts(
        visit=visit_id,
        moves=_visit_moves(visit_id, events),
        per_hour=tuple(PeriodMoves(h, n) for h, n in sorted(per_hour.items())),
    )


def summarize_visit(visit: Visit) -> VisitSummary:
    """``visit`` as the inquiry shows it (what a write answers with the visit it changed)."""
    return _summary(visit)
