"""Scenarios for the twin: a terminal, its yard, vessel calls and truck flows, from a seed.

``zim-chicago`` re-creates the call behind Qianwan's first world record
(December 2017: ZIM Chicago, 1,785 boxes in about 9 hours with about 5 quay
cranes, ../shared/reference/qianwan.md): a 10,000 TEU vessel alongside at
qianwan-1 with about 900 boxes to discharge and 885 to load, worked by QC01 to
QC05, over a yard filled to 45 %. Everything else about the call (the vessel's
stowage, the boxes, the yard) is generated from the seed:

- on board at arrival: a 10,000 TEU class vessel loaded for five ports with
  no overstows (Qingdao boxes on top); the Qingdao boxes are discharged;
- the load list: export boxes already in the yard for the vessel's next
  ports, given target slots above what stays on board, later ports lower (so
  the load plan itself makes no overstows), 20'/40' by stack, no 45' and
  reefers only where the stack has a plug;
- the vessel lies stern to the west at ``berth_x_m`` with its bow east, so a
  bay's position along the quay is the stern position plus the bay's LCG.

Times are float seconds from the scenario's start (the vessel is all fast
at 0); :attr:`Scenario.start` maps them to UTC for the ledger.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.layout import TerminalLayout
from opentos.model.places import VesselPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit, VisitPhase
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory, fill_vessel, fill_yard

START = datetime(2017, 12, 1, 0, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class VesselCall:
    """One vessel alongside: what is on board, what to discharge, what to load where."""

    visit: VesselVisit
    berth_x_m: float
    """Quay position of the stern (the bow points east, to larger x)."""
    cranes: tuple[str, ...]
    """Quay cranes given to the call, west to east."""
    arrival_s: float
    on_board: tuple[tuple[ContainerNumber, BayRowTier], ...]
    discharge: tuple[ContainerNumber, ...]
    load: tuple[tuple[ContainerNumber, BayRowTier], ...]

    @property
    def moves(self) -> int:
        """Boxes to move: discharges plus loads."""
        return len(self.discharge) + len(self.load)

    def bay_x_m(self, bay: int) -> float:
        """Position along the quay of a bay's centre."""
        section = self.visit.profile.section_of(bay)
        return self.berth_x_m + section.lcg_m


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a twin run starts from."""

    name: str
    seed: int
    layout: TerminalLayout
    start: datetime
    containers: tuple[Container, ...]
    yard: tuple[tuple[ContainerNumber, YardSlot], ...]
    calls: tuple[VesselCall, ...]

    @property
    def moves(self) -> int:
        """Quay moves of every call."""
        return sum(call.moves for call in self.calls)


def _stack_columns(
    profile: VesselProfile,
) -> list[tuple[int | None, tuple[int, ...], int, bool, tuple[int, ...], frozenset[int]]]:
    """(bay40, bays20, row, on_deck, tiers, reefer tiers) for every stack column, bow first."""
    columns = []
    for section in profile.sections:
        for part, on_deck in ((section.hold, False), (section.deck, True)):
            for stack in part.stacks:
                columns.append(
                    (
                        section.bay40,
                        section.bays20,
                        stack.row,
                        on_deck,
                        stack.tiers,
                        stack.reefer_tiers,
                    )
                )
    return columns


def _plan_loads(
    profile: VesselProfile,
    remaining: dict[BayRowTier, Container],
    exports: list[Container],
    ports: Sequence[str],
    target: int,
    rng: random.Random,
) -> list[tuple[Container, BayRowTier]]:
    """Target slots for up to ``target`` export boxes above what stays on board."""
    rank = {p: i for i, p in enumerate(ports)}
    by_length: dict[int, list[Container]] = defaultdict(list)
    for box in exports:
        by_length[20 if box.length_ft < 40 else 40].append(box)
    for boxes in by_length.values():
        rng.shuffle(boxes)
    plan: list[tuple[Container, BayRowTier]] = []
    columns = _stack_columns(profile)
    rng.shuffle(columns)
    for bay40, bays20, row, _on_deck, tiers, reefer_tiers in columns:
        if len(plan) >= target:
            break
        staying_40 = {
            t: remaining[BayRowTier(bay40, row, t)]
            for t in tiers
            if bay40 is not None and BayRowTier(bay40, row, t) in remaining
        }
        staying_20 = [
            {
                t: remaining[BayRowTier(b, row, t)]
                for t in tiers
                if BayRowTier(b, row, t) in remaining
            }
            for b in bays20
        ]
        if staying_40 and any(staying_20):
            continue  # a mixed column: leave it alone
        if staying_40 or (bay40 is not None and not any(staying_20) and rng.random() < 0.6):
            stacks = [(bay40, staying_40, 40)]
        else:
            stacks = [(b, staying, 20) for b, staying in zip(bays20, staying_20, strict=True)]
        for bay, staying, length in stacks:
            assert bay is not None
            top = max(staying) if staying else None
            free = [t for t in tiers if top is None or t > top]
            limit = rank[str(staying[top].port_of_discharge)] if top is not None else len(ports)
            pool = by_length[length]
            chosen: list[Container] = []
            for _ in free:
                if not pool or len(plan) + len(chosen) >= target:
                    break
                chosen.append(pool.pop())
            chosen = [c for c in chosen if rank[str(c.port_of_discharge)] <= limit]
            chosen.sort(key=lambda c: -rank[str(c.port_of_discharge)])
            for tier, box in zip(free, chosen, strict=False):
                if box.is_reefer and tier not in reefer_tiers:
                    break
                plan.append((box, BayRowTier(bay, row, tier)))
    return plan


def zim_chicago(seed: int = 2017) -> Scenario:
    """The ZIM Chicago record call (1,785 moves, 5 quay cranes) at qianwan-1."""
    return vessel_call("zim-chicago", seed, discharge=900, load=885, cranes=5)


def small_call(seed: int = 1) -> Scenario:
    """A short call for tests: 60 discharges and 60 loads with 2 quay cranes."""
    return vessel_call("small-call", seed, discharge=60, load=60, cranes=2)


def vessel_call(name: str, seed: int, *, discharge: int, load: int, cranes: int) -> Scenario:
    """One 10,000 TEU call at qianwan-1 (see the module docstring) with the given moves."""
    layout = load_preset("qianwan-1")
    rng = random.Random(seed)
    factory = ContainerFactory(rng)
    yard_boxes, yard_events = fill_yard(layout, factory, 0.45, START)
    profile = vessel_class(10_000, name="ZIM Chicago class (10,000 TEU)")
    visit_id = "ZIMCHI-1712"
    ports = ("CNTAO", "KRPUS", "CNSHA", "SGSIN", "ILHFA")
    ship_boxes, ship_events = fill_vessel(visit_id, profile, factory, ports, 0.72, START)
    on_board = {
        event.to_place.slot: box
        for box, event in zip(ship_boxes, ship_events, strict=True)
        if isinstance(event.to_place, VesselPlace)
    }
    keep = _top_segments(on_board, "CNTAO", discharge, rng)
    if len(keep) < discharge:
        raise InvalidValue(f"{name} seed {seed}: only {len(keep)} boxes for Qingdao")
    # Qingdao boxes not discharged on this call stay on board as cargo for the next port.
    next_port = UnLocode.parse(ports[1])
    for slot, box in on_board.items():
        if slot not in keep and str(box.port_of_discharge) == "CNTAO":
            on_board[slot] = replace(box, port_of_discharge=next_port)
    discharges = sorted(keep)
    remaining = {slot: box for slot, box in on_board.items() if slot not in keep}
    next_ports = ports[1:]
    exports = []
    export_index: dict[ContainerNumber, int] = {}
    for i, (box, event) in enumerate(zip(yard_boxes, yard_events, strict=True)):
        if str(box.port_of_loading) != "CNTAO" or box.length_ft == 45:
            continue
        assert isinstance(event.to_place, YardPlace)
        relabelled = replace(box, port_of_discharge=UnLocode.parse(_pick(rng, next_ports)))
        export_index[box.number] = i
        exports.append(relabelled)
    loads = _plan_loads(profile, remaining, exports, next_ports, load, rng)
    for box, _ in loads:
        yard_boxes[export_index[box.number]] = box
    containers = tuple(yard_boxes) + tuple(on_board.values())
    yard = tuple(
        (box.number, event.to_place.slot)
        for box, event in zip(yard_boxes, yard_events, strict=True)
        if isinstance(event.to_place, YardPlace)
    )
    visit = VesselVisit(
        id=visit_id,
        vessel_name="ZIM CHICAGO",
        profile=profile,
        operator="ZIM",
        voyage_in="17W",
        voyage_out="17E",
        berth=layout.quay.berths[0].id,
        planned_arrival=START,
        planned_berthing=START,
    ).advance(VisitPhase.ARRIVED, START)
    call = VesselCall(
        visit=visit,
        berth_x_m=20.0,
        cranes=tuple(qc.id for qc in layout.quay_cranes[:cranes]),
        arrival_s=0.0,
        on_board=tuple((box.number, slot) for slot, box in sorted(on_board.items())),
        discharge=tuple(on_board[slot].number for slot in discharges),
        load=tuple((box.number, slot) for box, slot in loads),
    )
    return Scenario(name, seed, layout, START, containers, yard, (call,))


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def _top_segments(
    on_board: dict[BayRowTier, Container], port: str, count: int, rng: random.Random
) -> set[BayRowTier]:
    """``count`` slots of boxes for ``port``, each with only such boxes above it.

    Stacks are taken in random order, each from its top down while its boxes
    are for ``port``, so the discharge needs no restows.
    """
    stacks: dict[tuple[int, int, bool], list[BayRowTier]] = defaultdict(list)
    for slot in on_board:
        stacks[(slot.bay, slot.row, slot.on_deck)].append(slot)
    keys = sorted(stacks)
    rng.shuffle(keys)
    chosen: set[BayRowTier] = set()
    for key in keys:
        for slot in sorted(stacks[key], key=lambda s: -s.tier):
            if len(chosen) >= count or str(on_board[slot].port_of_discharge) != port:
                break
            chosen.add(slot)
    return chosen


SCENARIOS: dict[str, Callable[[int], Scenario]] = {
    "zim-chicago": zim_chicago,
    "small-call": small_call,
}


def scenario(name: str, seed: int) -> Scenario:
    """A scenario by name (:class:`NotFound` lists the names)."""
    try:
        make = SCENARIOS[name]
    except KeyError:
        raise NotFound(f"no scenario {name!r}; scenarios: {', '.join(SCENARIOS)}") from None
    return make(seed)
