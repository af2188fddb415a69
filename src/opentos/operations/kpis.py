"""The terminal's KPIs from the stored ledger and visits alone (no machine log).

The names are the twin's (:mod:`opentos.twin.kpi`) where the ledger can give
the figure, and the quay-move and rate rules are shared with it
(:mod:`opentos.model.kpi`):

- ``moves``: quay moves (DISC, LOAD and both lifts of a restow), one per lift;
- ``moves_per_qc_hour`` (gross crane rate): moves / crane working hours, a
  crane's working time on a visit running from its first to its last move there
  (the twin counts from the berthing instead: it knows when the crane was ready);
  ``quay_cranes`` gives each crane's moves, hours and rate;
- ``berth_moves_per_hour`` (berth productivity): all quay moves, restows
  included / hours alongside, a vessel being alongside from its actual berthing
  (its arrival when none is recorded) to its actual departure;
- ``rehandle_ratio``: relocations / productive yard moves. The business ledger
  records direct moves without work instructions, so a box's trip is read
  through the machines: a trip that leaves a yard slot and ends in one is a
  relocation, a trip with one end in the yard and the other on a vessel, truck
  or wagon is productive (stacking or retrieval); registrations and stock-takes
  (from or to outside straight into or out of the yard) are no yard moves;
- ``truck_turn_time_min``: gate-in to gate-out of truck visits (their actual
  arrival and departure), in minutes;
- ``yard_occupancy``: boxes and TEU in yard slots, and the TEU share of the
  yard's capacity.

:data:`NEEDS_MACHINE_LOG` lists the twin's KPIs that need the machines' state
log and are not given here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from opentos.errors import InvalidValue
from opentos.model.ids import ContainerNumber
from opentos.model.kpi import JsonDict, crane_summary, per_hour, quay_move, ratio, turn_time_summary
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace
from opentos.model.visits import RailVisit, TruckVisit, VesselVisit, Visit
from opentos.storage.store import Store

NEEDS_MACHINE_LOG = (
    "net_moves_per_hour",
    "crane_bound_moves_per_qc_hour",
    "crane_bound_moves_per_hour",
    "ratio_to_crane_bound",
    "wait_share",
    "agv_time_split",
    "armg_utilisation",
)
"""Twin KPIs that need the machines' log (delays, waiting, travel), not the ledger."""


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / 3600


def _check_window(start: datetime, end: datetime) -> None:
    for name, at in (("start", start), ("end", end)):
        if at.tzinfo is None:
            raise InvalidValue(f"KPI {name} {at.isoformat()} has no time zone")
    if end <= start:
        raise InvalidValue(
            f"KPI window ends at {end.isoformat()}, not after its start {start.isoformat()}"
        )


def _land_ids(visits: Sequence[Visit]) -> set[str]:
    """Equipment ids that are trucks or wagons: the visits' ids, plates and train names."""
    out: set[str] = set()
    for visit in visits:
        if isinstance(visit, TruckVisit):
            out |= {visit.id, visit.licence_plate}
        elif isinstance(visit, RailVisit):
            out |= {visit.id, visit.train}
    return out


def _cranes(events: Sequence[MoveEvent], visit: str | None = None) -> tuple[int, float, JsonDict]:
    """Quay moves, crane working hours and each crane's figures (of one visit if given)."""
    times: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for event in events:
        found = quay_move(event)
        if found is not None and (visit is None or found[1] == visit):
            times[found].append(event.at)
    moves: dict[str, int] = defaultdict(int)
    hours: dict[str, float] = defaultdict(float)
    for (crane, _visit), ats in times.items():
        moves[crane] += len(ats)
        hours[crane] += _hours(min(ats), max(ats))
    per_crane: JsonDict = {c: crane_summary(moves[c], hours[c]) for c in sorted(moves)}
    return sum(moves.values()), sum(hours.values()), per_crane


def _alongside(visit: VesselVisit, until: datetime) -> tuple[datetime, datetime] | None:
    """When a vessel was alongside: berthing (or arrival) to departure, or ``until``."""
    came = visit.actual_berthing or visit.actual_arrival
    if came is None:
        return None
    return came, min(visit.actual_departure or until, until)


def _kind(place: Place | None, land: Collection[str]) -> str:
    if place is None:
        return "outside"
    if isinstance(place, YardPlace):
        return "yard"
    if isinstance(place, VesselPlace) or (
        isinstance(place, EquipmentPlace) and place.equipment in land
    ):
        return "flow"
    return "machine"


def _yard_moves(
    events: Sequence[MoveEvent], land: Collection[str], start: datetime, end: datetime
) -> tuple[int, int]:
    """``(relocations, productive yard moves)`` whose trips end in ``[start, end)``."""
    relocations = 0
    productive = 0
    trips: dict[ContainerNumber, str] = {}
    for event in events:
        src = _kind(event.from_place, land)
        dst = _kind(event.to_place, land)
        if {src, dst} == {"outside", "yard"}:
            trips.pop(event.container, None)  # a registration or stock-take, no yard move
            continue
        src = "flow" if src == "outside" else src
        dst = "flow" if dst == "outside" else dst
        origin = trips.pop(event.container, "flow") if src == "machine" else src
        if dst == "machine":
            trips[event.container] = origin
            continue
        if not start <= event.at < end:
            continue
        if origin == dst == "yard":
            relocations += 1
        elif "yard" in (origin, dst):
            productive += 1
    return relocations, productive


def _yard_occupancy(store: Store, events: Sequence[MoveEvent], end: datetime) -> JsonDict:
    places: dict[ContainerNumber, Place | None] = {}
    for event in events:
        if event.at < end:
            places[event.container] = event.to_place
    in_yard = sorted(n for n, p in places.items() if isinstance(p, YardPlace))
    boxes = store.containers(in_yard)
    teu = sum(boxes[n].teu for n in in_yard if n in boxes)
    capacity = store.layout.yard_capacity_teu
    return {
        "boxes": len(in_yard),
        "teu": round(teu, 2),
        "capacity_teu": capacity,
        "share": ratio(teu, capacity),
    }


def terminal_kpis(store: Store, start: datetime, end: datetime) -> JsonDict:
    """The terminal's KPIs over ``[start, end)`` (see the module docstring).

    Moves, crane hours and yard moves are those made in the window; hours
    alongside are the part of each vessel's stay in it; truck turns those of
    trucks that left in it; the yard occupancy is the yard at ``end``.

    Raises
    ------
    InvalidValue
        A time has no time zone, or ``end`` is not after ``start``.
    """
    _check_window(start, end)
    events = store.events()
    visits = store.visits()
    window = [e for e in events if start <= e.at < end]
    moves, crane_hours, per_crane = _cranes(window)
    berth_hours = 0.0
    for visit in visits:
        if isinstance(visit, VesselVisit):
            stay = _alongside(visit, end)
            if stay is not None:
                berth_hours += _hours(max(stay[0], start), stay[1])
    relocations, productive = _yard_moves(events, _land_ids(visits), start, end)
    turns = [
        (v.actual_departure - v.actual_arrival).total_seconds() / 60
        for v in visits
        if isinstance(v, TruckVisit)
        and v.actual_arrival is not None
        and v.actual_departure is not None
        and start <= v.actual_departure < end
    ]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "duration_h": round(_hours(start, end), 3),
        "moves": moves,
        "moves_per_qc_hour": per_hour(moves, crane_hours),
        "berth_moves_per_hour": per_hour(moves, berth_hours),
        "berth_hours": round(berth_hours, 3),
        "quay_cranes": per_crane,
        "rehandle_ratio": ratio(relocations, productive),
        "relocations": relocations,
        "productive_yard_moves": productive,
        "truck_turn_time_min": turn_time_summary(turns),
        "yard_occupancy": _yard_occupancy(store, events, end),
    }


def visit_kpis(store: Store, visit_id: str) -> JsonDict:
    """One visit's KPIs: a vessel's crane and berth rates, a truck's turn time.

    A vessel still alongside counts its hours up to its last quay move.

    Raises
    ------
    NotFound
        There is no such visit.
    InvalidValue
        It is a rail visit (the ledger gives no rail KPI yet).
    """
    visit = store.visit(visit_id)
    if isinstance(visit, TruckVisit):
        turn = None
        if visit.actual_arrival is not None and visit.actual_departure is not None:
            turn = round(_hours(visit.actual_arrival, visit.actual_departure) * 60, 2)
        on_truck = {visit.id, visit.licence_plate}
        boxes = {
            e.container
            for e in store.events()
            if any(
                isinstance(p, EquipmentPlace) and p.equipment in on_truck
                for p in (e.from_place, e.to_place)
            )
        }
        return {
            "visit": visit.id,
            "kind": "truck",
            "boxes": len(boxes),
            "truck_turn_time_min": turn,
        }
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(
            f"visit {visit_id} is a rail visit: KPIs are for vessel and truck visits"
        )
    events = store.events(place_prefix=f"vessel:{visit.id}:")
    moves, crane_hours, per_crane = _cranes(events, visit.id)
    last = max((e.at for e in events if quay_move(e) is not None), default=None)
    until = visit.actual_departure or last
    stay = None if until is None else _alongside(visit, until)
    berth_hours = 0.0 if stay is None else _hours(*stay)
    return {
        "visit": visit.id,
        "kind": "vessel",
        "moves": moves,
        "moves_per_qc_hour": per_hour(moves, crane_hours),
        "berth_moves_per_hour": per_hour(moves, berth_hours),
        "berth_hours": round(berth_hours, 3),
        "quay_cranes": per_crane,
    }
