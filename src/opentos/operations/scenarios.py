"""Twin scenarios: a terminal, its yard, vessel calls and truck flows, from a seed.

A scenario is built from a preset, synthetic boxes and the stowage planner, so it
lives in the application layer; the twin only runs what it is given.

``zim-chicago`` re-creates the call behind Qianwan's first world record
(December 2017: ZIM Chicago, 1,785 boxes in about 9 hours with about 5 quay
cranes, ../shared/reference/qianwan.md): a 10,000 TEU vessel alongside at
qianwan-1 with 900 boxes to discharge and up to 885 to load, worked by QC01 to
QC05, over a yard filled to 45 %. Everything else about the call (the vessel's
stowage, the boxes, the yard) is generated from the seed:

- on board at arrival: a 10,000 TEU class vessel loaded for five ports with
  no overstows (Qingdao boxes on top); the Qingdao boxes are discharged;
- the load list: export boxes already in the yard for the vessel's next
  ports (no 45'), stowed by the automatic stowage planner
  (:mod:`opentos.planning.stowage`) above what stays on board;
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
from datetime import UTC, datetime, timedelta

from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.layout import TerminalLayout
from opentos.model.places import VesselPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.planning.stowage.problem import StowagePlan, StowageProblem, Stowed
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory, fill_vessel, fill_yard
from opentos.twin.arrivals import TruckArrival

START = datetime(2017, 12, 1, 0, 0, tzinfo=UTC)
YARD_FILL = 0.45
"""Share of the yard's TEU capacity filled at the start of a scenario."""


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
    stowage: tuple[StowageProblem, StowagePlan] | None = None
    """The load plan the stowage planner made for the call, and its problem."""

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
    """Every box of the run: in the yard, on board the calls, and to come by truck."""
    yard: tuple[tuple[ContainerNumber, YardSlot], ...]
    calls: tuple[VesselCall, ...]
    trucks: tuple[TruckArrival, ...] = ()
    duration_s: float | None = None
    """Run this long; None: until every call and truck is done."""

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


def _stow_loads(
    profile: VesselProfile,
    on_board: dict[BayRowTier, Container],
    exports: list[Container],
    ports: Sequence[str],
    target: int,
    rng: random.Random,
) -> tuple[list[tuple[Container, BayRowTier]], StowageProblem, StowagePlan]:
    """The load plan for ``target`` export boxes, made by the automatic stowage planner.

    ``ports[0]`` is this port; the others are the rotation. Boxes the planner
    refuses (no VGM, or no room) stay in the yard.
    """
    from opentos.planning.stowage.solver import solve_stowage

    pool = list(exports)
    rng.shuffle(pool)
    chosen = tuple(pool[:target])
    rotation = tuple(UnLocode.parse(p) for p in ports[1:])
    stowed = tuple(Stowed(box, slot) for slot, box in sorted(on_board.items()))
    plan = None
    for attempt in range(2):
        problem = StowageProblem(profile, UnLocode.parse(ports[0]), rotation, stowed, chosen)
        result = solve_stowage(problem, time_limit_s=60.0, master_limit_s=1.0, seed=attempt)
        plan = result.plan
        if plan is None:
            raise InvalidValue(f"no load plan for {profile.name}: {result.status}")
        refused = {n for n, _ in plan.refused}
        if not refused or attempt:
            break
        # The load list is the one that fits: boxes refused for want of room give way
        # to boxes for the next port, which can go on top of anything.
        spare = pool[target : target + len(refused)]
        chosen = tuple(b for b in chosen if b.number not in refused) + tuple(
            replace(b, port_of_discharge=rotation[0]) for b in spare
        )
    assert plan is not None
    by_number = {box.number: box for box in chosen}
    loads = [(by_number[n], slot) for n, slot in plan.placements if n in by_number]
    return loads, problem, plan


def zim_chicago(
    seed: int = 2017, *, occupancy: float = YARD_FILL, start: datetime = START
) -> Scenario:
    """The ZIM Chicago record call (900 discharges, up to 885 loads, 5 quay cranes) at qianwan-1.

    ``occupancy`` is the yard's fill and ``start`` the clock time of the scenario's 0 s.
    """
    return vessel_call(
        "zim-chicago", seed, discharge=900, load=885, cranes=5, occupancy=occupancy, start=start
    )


def small_call(seed: int = 1) -> Scenario:
    """A short call for tests: 60 discharges and 60 loads with 2 quay cranes."""
    return vessel_call("small-call", seed, discharge=60, load=60, cranes=2)


class _Yard:
    """The generated yard, and the export boxes in it not yet promised to a call."""

    def __init__(
        self,
        layout: TerminalLayout,
        factory: ContainerFactory,
        occupancy: float = YARD_FILL,
        start: datetime = START,
    ) -> None:
        self.boxes, events = fill_yard(layout, factory, occupancy, start)
        self.slots: list[YardSlot] = []
        for event in events:
            assert isinstance(event.to_place, YardPlace)
            self.slots.append(event.to_place.slot)
        self.unpromised = {
            i
            for i, box in enumerate(self.boxes)
            if str(box.port_of_loading) == "CNTAO" and box.length_ft != 45
        }

    def exports(self, rng: random.Random, ports: Sequence[str]) -> dict[int, Container]:
        """Unpromised export boxes, relabelled for one of ``ports``."""
        return {
            i: replace(self.boxes[i], port_of_discharge=UnLocode.parse(_pick(rng, ports)))
            for i in sorted(self.unpromised)
        }

    def imports(self) -> list[int]:
        """Indexes of the import boxes (for Qingdao, landed from a vessel)."""
        return [
            i
            for i, box in enumerate(self.boxes)
            if str(box.port_of_discharge) == "CNTAO" and str(box.port_of_loading) != "CNTAO"
        ]


def _call(
    rng: random.Random,
    factory: ContainerFactory,
    yard: _Yard,
    *,
    visit_id: str,
    vessel_name: str,
    teu: int,
    discharge: int,
    load: int,
    cranes: tuple[str, ...],
    berth: str,
    berth_x_m: float,
    arrival_s: float,
    start: datetime = START,
) -> tuple[VesselCall, list[Container]]:
    """One call: its vessel loaded for five ports, Qingdao boxes on top, loads from the yard."""
    profile = vessel_class(teu, name=f"{vessel_name} class ({teu:,} TEU)")
    ports = ("CNTAO", "KRPUS", "CNSHA", "SGSIN", "ILHFA")
    ship_boxes, ship_events = fill_vessel(visit_id, profile, factory, ports, 0.72, start)
    on_board = {
        event.to_place.slot: box
        for box, event in zip(ship_boxes, ship_events, strict=True)
        if isinstance(event.to_place, VesselPlace)
    }
    keep = _top_segments(on_board, "CNTAO", discharge, rng)
    if len(keep) < discharge:
        raise InvalidValue(f"{visit_id}: only {len(keep)} boxes for Qingdao, {discharge} asked")
    # Qingdao boxes not discharged on this call stay on board as cargo for the next port.
    next_port = UnLocode.parse(ports[1])
    for slot, box in on_board.items():
        if slot not in keep and str(box.port_of_discharge) == "CNTAO":
            on_board[slot] = replace(box, port_of_discharge=next_port)
    exports = yard.exports(rng, ports[1:])
    by_number = {box.number: i for i, box in exports.items()}
    loads, stow_problem, stow_plan = _stow_loads(
        profile, on_board, list(exports.values()), ports, load, rng
    )
    for box, _ in loads:
        i = by_number[box.number]
        yard.boxes[i] = box
        yard.unpromised.discard(i)
    arrived = start + timedelta(seconds=arrival_s)
    visit = VesselVisit(
        id=visit_id,
        vessel_name=vessel_name,
        profile=profile,
        operator="ZIM" if vessel_name.startswith("ZIM") else "COS",
        berth=berth,
        planned_arrival=arrived,
        planned_berthing=arrived,
    )
    call = VesselCall(
        visit=visit,
        berth_x_m=berth_x_m,
        cranes=cranes,
        arrival_s=arrival_s,
        on_board=tuple((box.number, slot) for slot, box in sorted(on_board.items())),
        discharge=tuple(on_board[slot].number for slot in sorted(keep)),
        load=tuple((box.number, slot) for box, slot in loads),
        stowage=(stow_problem, stow_plan),
    )
    return call, list(on_board.values())


def vessel_call(
    name: str,
    seed: int,
    *,
    discharge: int,
    load: int,
    cranes: int,
    occupancy: float = YARD_FILL,
    start: datetime = START,
) -> Scenario:
    """One 10,000 TEU call at qianwan-1 (see the module docstring) with the given moves."""
    layout = load_preset("qianwan-1")
    rng = random.Random(seed)
    factory = ContainerFactory(rng)
    yard = _Yard(layout, factory, occupancy, start)
    call, on_board = _call(
        rng,
        factory,
        yard,
        visit_id="ZIMCHI-1712",
        vessel_name="ZIM CHICAGO",
        teu=10_000,
        discharge=discharge,
        load=load,
        cranes=tuple(qc.id for qc in layout.quay_cranes[:cranes]),
        berth=layout.quay.berths[0].id,
        berth_x_m=20.0,
        arrival_s=0.0,
        start=start,
    )
    return _scenario(name, seed, layout, yard, [call], on_board, start=start)


DAY_CALLS = (
    # (visit, vessel name, TEU, discharge, load, berth, stern x, cranes, arrival hour)
    ("COSQDX-01", "COSCO QINGDAO", 7_000, 400, 380, 0, 5.0, (0, 1, 2), 0.0),
    ("ZIMSHA-02", "ZIM SHANGHAI", 6_000, 450, 420, 1, 336.0, (3, 4, 5, 6), 1.0),
    ("COSBUS-03", "COSCO BUSAN", 6_000, 380, 360, 0, 5.0, (0, 1, 2), 11.0),
    ("ZIMSIN-04", "ZIM SINGAPORE", 7_000, 320, 290, 1, 336.0, (3, 4, 5, 6), 13.0),
)
"""The day's calls: two at each berth, one after the other (assumption: about 3,000 quay
moves a day, Qianwan phase 1's 1.5 M TEU a year)."""


def day(seed: int = 24, *, calls: int = 4, trucks_per_hour: float = 60.0) -> Scenario:
    """24 hours at qianwan-1: successive calls at both berths and truck gate flows.

    Trucks (assumption: 60 an hour on average, half of them in the busier day
    hours 06-22 twice as often as at night) either collect an import box from
    the yard or deliver an export box; the gate sends each to a block's
    landside end, where the block's landside yard crane serves it.
    """
    layout = load_preset("qianwan-1")
    rng = random.Random(seed)
    factory = ContainerFactory(rng)
    yard = _Yard(layout, factory)
    qcs = [qc.id for qc in layout.quay_cranes]
    made: list[VesselCall] = []
    on_board: list[Container] = []
    for visit_id, name, teu, disc, load, berth, x, crane_idx, hour in DAY_CALLS[:calls]:
        call, boxes = _call(
            rng,
            factory,
            yard,
            visit_id=visit_id,
            vessel_name=name,
            teu=teu,
            discharge=disc,
            load=load,
            cranes=tuple(qcs[i] for i in crane_idx),
            berth=layout.quay.berths[berth].id,
            berth_x_m=x,
            arrival_s=hour * 3600.0,
        )
        made.append(call)
        on_board += boxes
    trucks, delivered = _trucks(rng, factory, yard, trucks_per_hour, 24 * 3600.0)
    return _scenario("day", seed, layout, yard, made, on_board, trucks, delivered, 24 * 3600.0)


def small_day(seed: int = 5) -> Scenario:
    """A short busy period for tests: two calls in turn at one berth and 40 trucks."""
    layout = load_preset("qianwan-1")
    rng = random.Random(seed)
    factory = ContainerFactory(rng)
    yard = _Yard(layout, factory)
    made = []
    on_board: list[Container] = []
    for visit_id, arrival in (("FIRST-01", 0.0), ("SECOND-02", 1800.0)):
        call, boxes = _call(
            rng,
            factory,
            yard,
            visit_id=visit_id,
            vessel_name="ZIM FEEDER",
            teu=6_000,
            discharge=30,
            load=30,
            cranes=("QC01", "QC02"),
            berth=layout.quay.berths[0].id,
            berth_x_m=5.0,
            arrival_s=arrival,
        )
        made.append(call)
        on_board += boxes
    trucks, delivered = _trucks(rng, factory, yard, 40.0, 3600.0)
    return _scenario("small-day", seed, layout, yard, made, on_board, trucks, delivered, None)


def _scenario(
    name: str,
    seed: int,
    layout: TerminalLayout,
    yard: _Yard,
    calls: Sequence[VesselCall],
    on_board: Sequence[Container],
    trucks: tuple[TruckArrival, ...] = (),
    delivered: Sequence[Container] = (),
    duration_s: float | None = None,
    start: datetime = START,
) -> Scenario:
    """Assemble a scenario from its generated parts."""
    return Scenario(
        name,
        seed,
        layout,
        start,
        tuple(yard.boxes) + tuple(on_board) + tuple(delivered),
        tuple((box.number, slot) for box, slot in zip(yard.boxes, yard.slots, strict=True)),
        tuple(calls),
        trucks,
        duration_s,
    )


def _trucks(
    rng: random.Random,
    factory: ContainerFactory,
    yard: _Yard,
    per_hour: float,
    duration_s: float,
) -> tuple[tuple[TruckArrival, ...], list[Container]]:
    """Truck arrivals over ``duration_s``: half collect imports, half deliver exports."""
    count = round(per_hour * duration_s / 3600)
    imports = [i for i in yard.imports() if not yard.boxes[i].on_hold]
    rng.shuffle(imports)
    times: list[float] = []
    while len(times) < count:
        t = rng.uniform(0.0, duration_s)
        hour = (t / 3600) % 24
        if rng.random() < (1.0 if 6 <= hour < 22 else 0.5):
            times.append(t)
    times.sort()
    trucks = []
    delivered = []
    for k, at in enumerate(times, start=1):
        if k % 2 and imports:
            box = yard.boxes[imports.pop()]
            trucks.append(TruckArrival(f"TRK{k:05d}", at, "import", box.number))
        else:
            box = factory.make(flow="export")
            if box.length_ft == 45:
                box = factory.make(iso_type="45G1", flow="export")
            delivered.append(box)
            trucks.append(TruckArrival(f"TRK{k:05d}", at, "export", box.number))
    return tuple(trucks), delivered


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
    "day": day,
    "small-day": small_day,
}


def scenario(name: str, seed: int) -> Scenario:
    """A scenario by name (:class:`NotFound` lists the names)."""
    try:
        make = SCENARIOS[name]
    except KeyError:
        raise NotFound(f"no scenario {name!r}; scenarios: {', '.join(SCENARIOS)}") from None
    return make(seed)
