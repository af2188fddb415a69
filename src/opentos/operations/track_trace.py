"""DCSA Track & Trace 2.2 events and Operational Vessel Schedules 3.0, read from the ledger.

The ledger is the truth; these functions turn it and the visits into the
shapes the DCSA standards publish (``src/opentos/api/dcsa/schemas``), as plain
JSON-ready dictionaries. Nothing is stored: the same database gives the same
events, byte for byte, with the same ids.

Equipment events (``eventType`` EQUIPMENT), one per ledger event that is a
terminal move of the transport means, classified ACT:

============================================  ======  =========================
ledger event                                   code    transport call
============================================  ======  =========================
vessel slot of visit V -> a terminal place     DISC    V (VESSEL)
a terminal place -> vessel slot of visit V     LOAD    V (VESSEL)
outside -> truck or wagon                      GTIN    the truck/train (TRUCK/RAIL)
truck or wagon -> outside                      GTOT    the truck/train (TRUCK/RAIL)
yard or terminal machine -> truck or wagon     PICK    the truck/train
truck or wagon -> yard or terminal machine     DROP    the truck/train
============================================  ======  =========================

A place on equipment is a truck or a wagon when its equipment id is a truck or
rail visit's id (or the truck's licence plate, the train's name); a box reaching
equipment from outside, or leaving it for outside, is on a truck otherwise (the
gate is the only other way in). Arrivals on board, departures with the vessel,
restows on board and moves between terminal machines and the yard are not
published, nor are seals (the model does not record the seal type 2.2
requires). Gate events need the event's ``equipment`` to be the truck, as in the
CODECO reports (a stock-take finding a box on a truck is no gate move). OpenTOS
records holds without the time of an inspection, so no INSP event is made.

Open work instructions with a planned start give planned equipment events:
PLN while the instruction is planned, EST once released to equipment control
(DISC, LOAD, GTIN, GTOT by the instruction's kind; rail moves as LOAD/DISC
are not planned here).

Transport events (``eventType`` TRANSPORT) of vessel visits: ARRI and DEPA,
ACT from the actual times, EST from the planned ones (the model's ETA and ETD);
a cancelled visit keeps only what actually happened.

OpenTOS keeps no separate time of recording, so ``eventCreatedDateTime`` is the
``eventDateTime``: the time of the move, or the planned time of a planned
event. Events are ordered by that time, then by their key (ledger events by
sequence number); the paging cursor is that position, encoded.

Scope: a shipping line (its SMDG code, the containers' ``operator``) sees the
equipment events of its own containers, and the transport events and schedules
of the vessel visits it operates or where one of its containers was discharged
or loaded. ``None`` (terminal staff) sees everything.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from opentos.errors import DomainError, InvalidValue, NotFound
from opentos.model.container import Container, FullEmpty, JsonValue
from opentos.model.ids import ContainerNumber
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind, MoveState, WorkInstruction
from opentos.model.places import EquipmentPlace, Place, VesselPlace
from opentos.model.visits import RailVisit, TruckVisit, VesselVisit, Visit, VisitKind, VisitPhase
from opentos.operations.readcache import Read
from opentos.storage.store import Store

Json = dict[str, JsonValue]

EVENT_ID_NAMESPACE = uuid.UUID("6f1c2a52-3f0e-5b8e-9d8a-0c7e7a1d2b40")
"""UUID5 namespace of OpenTOS's DCSA event ids (an arbitrary, fixed value)."""

DEFAULT_LIMIT = 100
"""Page size of :func:`find_events` when none is given (the 2.2 spec's default)."""


class EventType(StrEnum):
    """The 2.2 ``eventType`` values OpenTOS publishes (no SHIPMENT events)."""

    SHIPMENT = "SHIPMENT"
    TRANSPORT = "TRANSPORT"
    EQUIPMENT = "EQUIPMENT"


class EquipmentEventTypeCode(StrEnum):
    """The 2.2 equipment event codes."""

    LOAD = "LOAD"
    DISC = "DISC"
    GTIN = "GTIN"
    GTOT = "GTOT"
    STUF = "STUF"
    STRP = "STRP"
    PICK = "PICK"
    DROP = "DROP"
    INSP = "INSP"
    RSEA = "RSEA"
    RMVD = "RMVD"


class TransportEventTypeCode(StrEnum):
    """The 2.2 transport event codes."""

    ARRI = "ARRI"
    DEPA = "DEPA"


class Classifier(StrEnum):
    """``eventClassifierCode``: planned, estimated or actual."""

    PLN = "PLN"
    EST = "EST"
    ACT = "ACT"


class Operator(StrEnum):
    """Operators of the ``eventCreatedDateTime`` filter (``eventCreatedDateTime:gte=...``)."""

    EQ = "eq"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"


@dataclass(frozen=True, slots=True)
class Facility:
    """Where the terminal is: its UN/LOCODE, SMDG terminal code and name."""

    un_locode: str
    smdg_code: str | None = None
    """The SMDG terminal facility code (at most 6 characters), when the terminal has one."""
    name: str | None = None

    def __post_init__(self) -> None:
        if self.smdg_code is not None and not 1 <= len(self.smdg_code) <= 6:
            raise InvalidValue(f"SMDG facility code {self.smdg_code!r} must be 1-6 characters")

    @classmethod
    def of(cls, store: Store, smdg_code: str | None = None) -> Facility:
        """The store's terminal: its layout's UN/LOCODE and name."""
        layout = store.layout
        return cls(layout.un_locode, smdg_code, layout.name[:100])


@dataclass(frozen=True, slots=True)
class CreatedFilter:
    """One bound on ``eventCreatedDateTime``: ``eventCreatedDateTime:<operator>=<at>``."""

    operator: Operator
    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvalidValue(f"eventCreatedDateTime {self.at.isoformat()} has no time zone")

    def accepts(self, value: datetime) -> bool:
        """Whether an event created at ``value`` passes this bound."""
        match self.operator:
            case Operator.EQ:
                return value == self.at
            case Operator.GT:
                return value > self.at
            case Operator.GTE:
                return value >= self.at
            case Operator.LT:
                return value < self.at
            case Operator.LTE:
                return value <= self.at


@dataclass(frozen=True, slots=True)
class EventQuery:
    """The ``GET /v2/events`` filters; every one given must hold (AND), lists are OR."""

    event_types: frozenset[EventType] = frozenset()
    equipment_event_type_codes: frozenset[EquipmentEventTypeCode] = frozenset()
    transport_event_type_codes: frozenset[TransportEventTypeCode] = frozenset()
    equipment_reference: str | None = None
    transport_call_id: str | None = None
    vessel_imo_number: str | None = None
    carrier_voyage_number: str | None = None
    export_voyage_number: str | None = None
    un_location_code: str | None = None
    created: tuple[CreatedFilter, ...] = ()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise InvalidValue(f"limit {self.limit} must be at least 1")


@dataclass(frozen=True, slots=True, order=True)
class _Key:
    """An event's place in the published order."""

    created: datetime
    tag: str


@dataclass(frozen=True, slots=True)
class Event:
    """One published event: its order key and its DCSA body."""

    key: _Key
    body: Json = field(compare=False)
    seq: int | None = field(default=None, compare=False)
    """The ledger sequence number of an actual equipment event; ``None`` for the others."""

    @property
    def event_id(self) -> str:
        """The ``eventID``."""
        return str(self.body["eventID"])


@dataclass(frozen=True, slots=True)
class EventPage:
    """A page of events and the cursor of the next one (``None`` on the last page)."""

    events: list[Json]
    next_cursor: str | None


# -- times, ids, cursors ---------------------------------------------------------------------


def dcsa_time(at: datetime) -> str:
    """An aware time as the spec's ``date-time``, in UTC to the millisecond (``...Z``)."""
    if at.tzinfo is None:
        raise InvalidValue(f"time {at.isoformat()} has no time zone")
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_id(tag: str) -> str:
    """The deterministic ``eventID`` of an event key (UUID5)."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, tag))


def encode_cursor(key: _Key) -> str:
    """The opaque cursor pointing just after ``key``."""
    text = f"1|{key.created.astimezone(UTC).isoformat()}|{key.tag}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> _Key:
    """Read a cursor made by :func:`encode_cursor` (:class:`InvalidValue` if it is not one)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, at, tag = text.split("|", 2)
        if version != "1" or not tag:
            raise ValueError(text)
        created = datetime.fromisoformat(at)
        if created.tzinfo is None:
            raise ValueError(at)
        return _Key(created, tag)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidValue(f"cursor {cursor!r} is not one this server gave") from None


def parse_created_filter(operator: str, value: str) -> CreatedFilter:
    """``eventCreatedDateTime:<operator>=<value>``; no operator (``""``) is ``eq``."""
    try:
        op = Operator(operator or "eq")
    except ValueError:
        allowed = ", ".join(o.value for o in Operator)
        raise InvalidValue(
            f"eventCreatedDateTime operator {operator!r} is not one of {allowed}"
        ) from None
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(f"eventCreatedDateTime {value!r} is not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise InvalidValue(f"eventCreatedDateTime {value!r} has no time zone")
    return CreatedFilter(op, at)


# -- transport calls and locations -------------------------------------------------------------


def _location(facility: Facility) -> Json:
    out: Json = {}
    if facility.name:
        out["locationName"] = facility.name
    out["UNLocationCode"] = facility.un_locode
    if facility.smdg_code:
        out["facilityCode"] = facility.smdg_code
        out["facilityCodeListProvider"] = "SMDG"
    return out


def _facility_fields(facility: Facility) -> Json:
    out: Json = {"UNLocationCode": facility.un_locode}
    if facility.smdg_code:
        out["facilityCode"] = facility.smdg_code
        out["facilityCodeListProvider"] = "SMDG"
    out["facilityTypeCode"] = "POTE"
    return out


def _vessel_call(visit: VesselVisit, facility: Facility) -> Json:
    call: Json = {"transportCallID": visit.id}
    voyage = visit.voyage_out or visit.voyage_in
    if voyage:
        call["carrierVoyageNumber"] = voyage
    if visit.voyage_out:
        call["exportVoyageNumber"] = visit.voyage_out
    if visit.voyage_in:
        call["importVoyageNumber"] = visit.voyage_in
    call.update(_facility_fields(facility))
    call["modeOfTransport"] = "VESSEL"
    call["location"] = _location(facility)
    if visit.imo is not None:
        vessel: Json = {"vesselIMONumber": visit.imo, "vesselName": visit.vessel_name[:35]}
        if visit.call_sign:
            vessel["vesselCallSignNumber"] = visit.call_sign[:10]
        vessel["vesselOperatorCarrierCode"] = visit.operator
        vessel["vesselOperatorCarrierCodeListProvider"] = "SMDG"
        call["vessel"] = vessel
    return call


def _land_call(call_id: str, mode: str, facility: Facility) -> Json:
    call: Json = {"transportCallID": call_id}
    call.update(_facility_fields(facility))
    call["modeOfTransport"] = mode
    call["location"] = _location(facility)
    return call


@dataclass(frozen=True, slots=True)
class _Carriers:
    """The visits by id, and the land transport means known by equipment id."""

    vessels: dict[str, VesselVisit]
    land: dict[str, tuple[str, str]]
    """Equipment id -> (transport call id, ``TRUCK`` or ``RAIL``)."""

    @classmethod
    def of(cls, visits: Iterable[Visit]) -> _Carriers:
        vessels: dict[str, VesselVisit] = {}
        land: dict[str, tuple[str, str]] = {}
        for visit in visits:
            if isinstance(visit, VesselVisit):
                vessels[visit.id] = visit
            elif isinstance(visit, TruckVisit):
                land.setdefault(visit.licence_plate, (visit.id, "TRUCK"))
                land[visit.id] = (visit.id, "TRUCK")
            elif isinstance(visit, RailVisit):
                land.setdefault(visit.train, (visit.id, "RAIL"))
                land[visit.id] = (visit.id, "RAIL")
        return cls(vessels, land)

    def land_means(self, place: Place | None) -> tuple[str, str] | None:
        """The truck or train a place on equipment belongs to, if it is one."""
        if isinstance(place, EquipmentPlace):
            return self.land.get(place.equipment)
        return None


# -- equipment events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Classified:
    code: EquipmentEventTypeCode
    call: Json | None
    vessel: VesselVisit | None


def _classify(event: MoveEvent, carriers: _Carriers, facility: Facility) -> _Classified | None:
    """The DCSA equipment event a ledger event is, or ``None`` if it publishes none."""
    src, dst = event.from_place, event.to_place
    if isinstance(src, VesselPlace) and isinstance(dst, VesselPlace):
        return None
    if isinstance(src, VesselPlace):
        if dst is None:
            return None
        visit = carriers.vessels.get(src.visit)
        call = None if visit is None else _vessel_call(visit, facility)
        return _Classified(EquipmentEventTypeCode.DISC, call, visit)
    if isinstance(dst, VesselPlace):
        if src is None:
            return None
        visit = carriers.vessels.get(dst.visit)
        call = None if visit is None else _vessel_call(visit, facility)
        return _Classified(EquipmentEventTypeCode.LOAD, call, visit)
    if src is None or dst is None:
        on = dst if src is None else src
        if not isinstance(on, EquipmentPlace) or event.equipment != on.equipment:
            return None
        call_id, mode = carriers.land_means(on) or (on.equipment, "TRUCK")
        code = EquipmentEventTypeCode.GTIN if src is None else EquipmentEventTypeCode.GTOT
        return _Classified(code, _land_call(call_id, mode, facility), None)
    onto, off = carriers.land_means(dst), carriers.land_means(src)
    if onto is not None and off is None:
        return _Classified(EquipmentEventTypeCode.PICK, _land_call(*onto, facility), None)
    if off is not None and onto is None:
        return _Classified(EquipmentEventTypeCode.DROP, _land_call(*off, facility), None)
    return None


def _equipment_body(
    tag: str,
    at: datetime,
    classifier: Classifier,
    code: EquipmentEventTypeCode,
    box: Container | None,
    number: ContainerNumber,
    call: Json | None,
    facility: Facility,
) -> Json:
    stamp = dcsa_time(at)
    body: Json = {
        "eventID": event_id(tag),
        "eventCreatedDateTime": stamp,
        "eventType": EventType.EQUIPMENT.value,
        "eventClassifierCode": classifier.value,
        "eventDateTime": stamp,
        "equipmentEventTypeCode": code.value,
        "equipmentReference": str(number),
    }
    if box is not None:
        body["ISOEquipmentCode"] = box.iso_type.code
    full = box is None or box.full_empty is FullEmpty.FULL
    body["emptyIndicatorCode"] = "LADEN" if full else "EMPTY"
    body["eventLocation"] = _location(facility)
    if call is not None:
        body["transportCall"] = call
    return body


def _actual(
    event: MoveEvent, box: Container | None, carriers: _Carriers, facility: Facility
) -> Event | None:
    """The actual (ACT) equipment event a ledger entry publishes, if any."""
    found = _classify(event, carriers, facility)
    if found is None:
        return None
    tag = f"ledger:{event.seq:012d}"
    body = _equipment_body(
        tag, event.at, Classifier.ACT, found.code, box, event.container, found.call, facility
    )
    return Event(_Key(event.at.astimezone(UTC), tag), body, event.seq)


_PLANNED_CODE = {
    MoveKind.DISCHARGE: EquipmentEventTypeCode.DISC,
    MoveKind.LOAD: EquipmentEventTypeCode.LOAD,
    MoveKind.GATE_IN: EquipmentEventTypeCode.GTIN,
    MoveKind.GATE_OUT: EquipmentEventTypeCode.GTOT,
}
_PLANNED_CLASSIFIER = {
    MoveState.PLANNED: Classifier.PLN,
    MoveState.RELEASED: Classifier.EST,
    MoveState.IN_PROGRESS: Classifier.EST,
}


def _planned_call(wi: WorkInstruction, carriers: _Carriers, facility: Facility) -> Json | None:
    if wi.visit is None:
        return None
    vessel = carriers.vessels.get(wi.visit)
    if vessel is not None:
        return _vessel_call(vessel, facility)
    land = carriers.land.get(wi.visit)
    return None if land is None else _land_call(*land, facility)


# -- transport events ------------------------------------------------------------------------


def _visit_times(
    visit: VesselVisit,
) -> list[tuple[TransportEventTypeCode, Classifier, datetime]]:
    """A vessel visit's arrival and departure times, actual and estimated."""
    times: list[tuple[TransportEventTypeCode, Classifier, datetime | None]] = [
        (TransportEventTypeCode.ARRI, Classifier.ACT, visit.actual_arrival),
        (TransportEventTypeCode.DEPA, Classifier.ACT, visit.actual_departure),
    ]
    if visit.phase is not VisitPhase.CANCELLED:
        times += [
            (TransportEventTypeCode.ARRI, Classifier.EST, visit.planned_arrival),
            (TransportEventTypeCode.DEPA, Classifier.EST, visit.planned_departure),
        ]
    return [(code, classifier, at) for code, classifier, at in times if at is not None]


def _transport_events(visit: VesselVisit, facility: Facility) -> list[Event]:
    out: list[Event] = []
    for code, classifier, at in _visit_times(visit):
        tag = f"transport:{visit.id}:{code.value}:{classifier.value}"
        stamp = dcsa_time(at)
        body: Json = {
            "eventID": event_id(tag),
            "eventCreatedDateTime": stamp,
            "eventType": EventType.TRANSPORT.value,
            "eventClassifierCode": classifier.value,
            "eventDateTime": stamp,
            "transportEventTypeCode": code.value,
            "transportCall": _vessel_call(visit, facility),
        }
        out.append(Event(_Key(at.astimezone(UTC), tag), body))
    return out


# -- all events, filtered ----------------------------------------------------------------------


def _in_scope_vessels(
    scope: str | None,
    carriers: _Carriers,
    ledger: Sequence[MoveEvent],
    containers: Mapping[ContainerNumber, Container],
) -> set[str]:
    """Ids of the vessel visits a line sees: those it operates or where it moved a box."""
    if scope is None:
        return set(carriers.vessels)
    seen = {v.id for v in carriers.vessels.values() if v.operator == scope}
    for event in ledger:
        box = containers.get(event.container)
        if box is None or box.operator != scope:
            continue
        for place in (event.from_place, event.to_place):
            if isinstance(place, VesselPlace):
                seen.add(place.visit)
    return seen


def _visits_of(
    store: Store, ledger: Sequence[MoveEvent], instructions: Sequence[WorkInstruction]
) -> list[Visit]:
    """The visits one box's events and instructions name, read by id.

    A truck or train at the gate is named in the ledger by its visit id; one named
    otherwise (by licence plate or train) can only be found among every visit.
    """
    return _named_visits(store, ledger, instructions)[0]


def _named_visits(
    store: Store, ledger: Sequence[MoveEvent], instructions: Sequence[WorkInstruction]
) -> tuple[list[Visit], frozenset[str] | None]:
    """:func:`_visits_of`, and the ids it looked for (``None``: it read every visit)."""
    ids = {wi.visit for wi in instructions if wi.visit is not None}
    at_gate: set[str] = set()
    for event in ledger:
        for place in (event.from_place, event.to_place):
            if isinstance(place, VesselPlace):
                ids.add(place.visit)
            elif isinstance(place, EquipmentPlace):
                ids.add(place.equipment)
                if event.from_place is None or event.to_place is None:
                    at_gate.add(place.equipment)
    found = store.visits(ids=ids)
    if at_gate - {v.id for v in found}:
        return store.visits(), None
    return found, frozenset(ids)


def all_events(
    store: Store,
    scope: str | None,
    facility: Facility | None = None,
    *,
    equipment: ContainerNumber | None = None,
) -> list[Event]:
    """Every event ``scope`` may see, in the published order.

    Parameters
    ----------
    store
        The terminal.
    scope
        A shipping line's SMDG code, or ``None`` for terminal staff (see the module docstring).
    facility
        The terminal's location; by default its layout's UN/LOCODE without an SMDG code.
    equipment
        Only the equipment events of this container (read from the ledger by its index,
        so that asking about one box does not read every event); no transport events.
    """
    return _events(store, scope, facility, equipment)[0]


def box_events(
    store: Store, scope: str | None, facility: Facility | None, number: ContainerNumber
) -> Read[list[Event]]:
    """The equipment events of one box ``scope`` may see (as :func:`all_events` gives
    them), with the keys they were read from, for a
    :class:`~opentos.operations.readcache.ReadCache`."""
    events, visits = _events(store, scope, facility, number)
    keys = [f"{kind}:{number}" for kind in ("container", "place", "instruction")]
    keys += ["visit:*"] if visits is None else [f"visit:{v}" for v in sorted(visits)]
    return Read(events, keys)


def _events(
    store: Store, scope: str | None, facility: Facility | None, equipment: ContainerNumber | None
) -> tuple[list[Event], frozenset[str] | None]:
    """:func:`all_events`, and the ids of the visits read (``None``: every visit)."""
    facility = facility or Facility.of(store)
    with store.snapshot():
        ledger = store.events(container=equipment)
        instructions = [
            wi for wi in store.instructions(container=equipment) if wi.state in _PLANNED_CLASSIFIER
        ]
        if equipment is None:
            visits, named = store.visits(), None
        else:
            visits, named = _named_visits(store, ledger, instructions)
        carriers = _Carriers.of(visits)
        numbers = sorted({e.container for e in ledger} | {wi.container for wi in instructions})
        containers = store.containers(numbers)

    def visible(number: ContainerNumber) -> bool:
        if scope is None:
            return True
        box = containers.get(number)
        return box is not None and box.operator == scope

    out: list[Event] = []
    for event in ledger:
        if visible(event.container):
            actual = _actual(event, containers.get(event.container), carriers, facility)
            if actual is not None:
                out.append(actual)
    for wi in instructions:
        code = _PLANNED_CODE.get(wi.kind)
        if code is None or wi.planned_start is None or not visible(wi.container):
            continue
        tag = f"instruction:{wi.id}"
        body = _equipment_body(
            tag, wi.planned_start, _PLANNED_CLASSIFIER[wi.state], code,
            containers.get(wi.container), wi.container, _planned_call(wi, carriers, facility),
            facility,
        )  # fmt: skip
        out.append(Event(_Key(wi.planned_start.astimezone(UTC), tag), body))
    for visit_id in sorted(_in_scope_vessels(scope, carriers, ledger, containers)):
        visit = carriers.vessels.get(visit_id)
        if visit is not None and equipment is None:
            out.extend(_transport_events(visit, facility))
    out.sort(key=lambda e: e.key)
    return out, named


def ledger_events(
    store: Store,
    scope: str | None,
    since: int,
    until: int,
    facility: Facility | None = None,
    *,
    batch: int = 10_000,
) -> Iterator[Event]:
    """The actual equipment events of ledger entries ``since < seq <= until`` that
    ``scope`` may see, in ledger order, read ``batch`` entries at a time.

    The same events, with the same ids and bodies, as :func:`all_events` gives for those
    entries; only the visits and boxes the entries name are read.
    """
    facility = facility or Facility.of(store)
    position = since
    while position < until:
        with store.snapshot():
            ledger = [e for e in store.events(since=position, limit=batch) if (e.seq or 0) <= until]
            if not ledger:
                return
            carriers = _Carriers.of(_visits_of(store, ledger, ()))
            containers = store.containers(sorted({e.container for e in ledger}))
        for event in ledger:
            box = containers.get(event.container)
            if scope is not None and (box is None or box.operator != scope):
                continue
            actual = _actual(event, box, carriers, facility)
            if actual is not None:
                yield actual
        position = ledger[-1].seq or until
        if len(ledger) < batch:
            return


def _call_field(body: Json, name: str) -> JsonValue:
    call = body.get("transportCall")
    return call.get(name) if isinstance(call, dict) else None


def _imo(body: Json) -> JsonValue:
    vessel = _call_field(body, "vessel")
    return vessel.get("vesselIMONumber") if isinstance(vessel, dict) else None


def matches(event: Event, query: EventQuery) -> bool:
    """Whether ``event`` passes every filter of ``query`` (not the cursor or limit)."""
    body = event.body
    if query.event_types and EventType(str(body["eventType"])) not in query.event_types:
        return False
    if query.equipment_event_type_codes:
        code = body.get("equipmentEventTypeCode")
        if (
            code is None
            or EquipmentEventTypeCode(str(code)) not in query.equipment_event_type_codes
        ):
            return False
    if query.transport_event_type_codes:
        code = body.get("transportEventTypeCode")
        if (
            code is None
            or TransportEventTypeCode(str(code)) not in query.transport_event_type_codes
        ):
            return False
    checks: list[tuple[str | None, JsonValue]] = [
        (query.equipment_reference, body.get("equipmentReference")),
        (query.transport_call_id, _call_field(body, "transportCallID")),
        (query.vessel_imo_number, _imo(body)),
        (query.carrier_voyage_number, _call_field(body, "carrierVoyageNumber")),
        (query.export_voyage_number, _call_field(body, "exportVoyageNumber")),
        (query.un_location_code, _call_field(body, "UNLocationCode")),
    ]
    if any(wanted is not None and wanted != value for wanted, value in checks):
        return False
    return all(bound.accepts(event.key.created) for bound in query.created)


def find_events(
    store: Store, query: EventQuery, scope: str | None, facility: Facility | None = None
) -> EventPage:
    """One page of the events ``scope`` may see that match ``query``.

    Raises
    ------
    InvalidValue
        The cursor is not one this server gave.
    """
    if query.cursor is not None:
        decode_cursor(query.cursor)  # a cursor this server did not give is refused first
    equipment = None
    if query.equipment_reference is not None:
        equipment = equipment_of(query)
        if equipment is None:
            return EventPage([], None)  # no box has that number: no event names it
    return page_of(all_events(store, scope, facility, equipment=equipment), query)


def equipment_of(query: EventQuery) -> ContainerNumber | None:
    """The box ``query``'s ``equipmentReference`` names (``None``: none, or not a number)."""
    if query.equipment_reference is None:
        return None
    try:
        return ContainerNumber.parse(query.equipment_reference)
    except DomainError:
        return None


def page_of(events: Sequence[Event], query: EventQuery) -> EventPage:
    """The page of ``events`` (in the published order) that ``query`` asks for.

    Raises
    ------
    InvalidValue
        The cursor is not one this server gave.
    """
    after = None if query.cursor is None else decode_cursor(query.cursor)
    found = [e for e in events if (after is None or e.key > after) and matches(e, query)]
    page = found[: query.limit]
    more = len(found) > query.limit
    return EventPage([e.body for e in page], encode_cursor(page[-1].key) if more else None)


def find_event(
    store: Store, wanted: str, scope: str | None, facility: Facility | None = None
) -> Json:
    """The event with ``eventID`` ``wanted``, if ``scope`` may see it.

    Raises
    ------
    NotFound
        No such event, or not one of ``scope``'s.
    """
    for event in all_events(store, scope, facility):
        if event.event_id == wanted:
            return event.body
    raise NotFound(f"no event {wanted!r}")


# -- operational vessel schedules --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleQuery:
    """The ``GET /v3/service-schedules`` filters OpenTOS can answer."""

    vessel_imo_number: str | None = None
    vessel_name: str | None = None
    carrier_voyage_number: str | None = None
    un_location_code: str | None = None
    facility_smdg_code: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.limit < 0:
            raise InvalidValue(f"limit {self.limit} must not be negative")


UNKNOWN_SERVICE = "TBD"
"""Carrier service code and name of the schedule: OpenTOS's visits do not name a service."""


def _timestamps(visit: VesselVisit) -> list[JsonValue]:
    times = sorted(_visit_times(visit), key=lambda t: (t[2], t[0].value, t[1].value))
    return [
        {"eventTypeCode": code.value, "eventClassifierCode": classifier.value,
         "eventDateTime": dcsa_time(at)}
        for code, classifier, at in times
    ]  # fmt: skip


def _port_call(visit: VesselVisit, facility: Facility) -> Json:
    call: Json = {
        "transportCallReference": visit.id,
        "carrierImportVoyageNumber": visit.voyage_in or visit.voyage_out or visit.id,
    }
    if visit.voyage_out:
        call["carrierExportVoyageNumber"] = visit.voyage_out
    location: Json
    if facility.smdg_code:
        location = {"locationType": "FACS", "UNLocationCode": facility.un_locode,
                    "facilitySMDGCode": facility.smdg_code}  # fmt: skip
    else:
        location = {"locationType": "UNLO", "UNLocationCode": facility.un_locode}
    if facility.name:
        location["locationName"] = facility.name
    call["location"] = location
    if visit.phase is VisitPhase.CANCELLED:
        call["statusCode"] = "OMIT"
    call["timestamps"] = _timestamps(visit)
    return call


def _schedule_matches(visit: VesselVisit, query: ScheduleQuery, facility: Facility) -> bool:
    if query.vessel_imo_number is not None and visit.imo != query.vessel_imo_number:
        return False
    if query.vessel_name is not None and visit.vessel_name != query.vessel_name:
        return False
    if query.carrier_voyage_number is not None and query.carrier_voyage_number not in (
        visit.voyage_in,
        visit.voyage_out,
    ):
        return False
    if query.un_location_code is not None and query.un_location_code != facility.un_locode:
        return False
    if query.facility_smdg_code is not None and query.facility_smdg_code != facility.smdg_code:
        return False
    days = [
        t.astimezone(UTC).date()
        for t in (visit.actual_arrival or visit.planned_arrival,
                  visit.actual_departure or visit.planned_departure)
        if t is not None
    ]  # fmt: skip
    if query.start_date is not None and not any(d >= query.start_date for d in days):
        return False
    return query.end_date is None or any(d <= query.end_date for d in days)


def service_schedules(
    store: Store,
    query: ScheduleQuery,
    scope: str | None,
    facility: Facility | None = None,
) -> list[Json]:
    """The terminal's vessel visits as OVS 3.0 service schedules.

    One schedule (service ``TBD``: the visits name no service) holds a vessel
    schedule per vessel and operator, each with its calls at this terminal in
    order of arrival; ``limit`` counts calls. A line sees the visits of
    :func:`all_events`'s transport events.
    """
    facility = facility or Facility.of(store)
    carriers = _Carriers.of(store.visits(VisitKind.VESSEL))
    if scope is None:
        allowed = set(carriers.vessels)
    else:  # only moves to or from a vessel can make a call visible (_in_scope_vessels)
        ledger = store.events(place_prefix="vessel:")
        containers = store.containers(sorted({e.container for e in ledger}))
        allowed = _in_scope_vessels(scope, carriers, ledger, containers)

    def arrival(visit: VesselVisit) -> tuple[datetime, str]:
        at = visit.actual_arrival or visit.planned_arrival
        return (at.astimezone(UTC) if at else datetime.max.replace(tzinfo=UTC), visit.id)

    chosen = sorted(
        (v for v in carriers.vessels.values()
         if v.id in allowed and _schedule_matches(v, query, facility)),
        key=arrival,
    )[: query.limit]  # fmt: skip
    vessels: dict[tuple[str, str, str], list[VesselVisit]] = {}
    for visit in chosen:
        vessels.setdefault((visit.operator, visit.imo or "", visit.vessel_name), []).append(visit)
    schedules: list[JsonValue] = []
    for (operator, imo, name), visits in sorted(vessels.items()):
        vessel: Json = {"vesselOperatorSMDGLinerCode": operator or UNKNOWN_SERVICE}
        if imo:
            vessel["vesselIMONumber"] = imo
        vessel["vesselName"] = name[:35]
        call_sign = visits[-1].call_sign
        if call_sign:
            vessel["vesselCallSign"] = call_sign[:10]
        vessel["isDummyVessel"] = not imo
        vessel["transportCalls"] = [_port_call(v, facility) for v in visits]
        schedules.append(vessel)
    if not schedules:
        return []
    return [
        {
            "carrierServiceName": UNKNOWN_SERVICE,
            "carrierServiceCode": UNKNOWN_SERVICE,
            "vesselSchedules": schedules,
        }
    ]
