"""A twin study: a scenario run in the twin, driven by the ECS, from one seed.

:func:`simulate` assembles the terminal in memory (every box recorded in the
ledger, checked), the guide path and router, the twin's machines, the crane
plan of each call and the :class:`~opentos.control.ecs.EquipmentControl` that
drives the machines through a :class:`~opentos.twin.link.TwinLink`; runs the
SimPy clock until every quay move is done (or the time limit); and returns the
ledger, the machines' log and the KPIs. Assembling subsystems is the
application layer's job, so this lives here and not in :mod:`opentos.twin`.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import simpy

from opentos.control.dispatch import policy as dispatch_policy
from opentos.control.ecs import EcsSettings, EquipmentControl
from opentos.control.link import Fault, Gantry
from opentos.control.quay import CraneJob, QuayMove, crane_sequences, instruction_id
from opentos.control.routing import Router
from opentos.control.yard import YardView
from opentos.errors import IllegalMove, InvalidValue
from opentos.model.guidepath import Edge, GuidePath, build_guidepath
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind, MoveState, WorkInstruction
from opentos.model.places import Place, VesselPlace, YardPlace
from opentos.model.terminal import Terminal
from opentos.model.visits import Visit, VisitPhase
from opentos.operations.cranes import planned_sequences
from opentos.operations.scenarios import Scenario, VesselCall
from opentos.operations.scenarios import scenario as make_scenario
from opentos.presets.kinematics import load_kinematics
from opentos.storage.store import Store
from opentos.twin.kpi import JsonDict, kpis
from opentos.twin.link import CountingEnvironment, TwinLink
from opentos.twin.machines import Agv, BlockRail, Log, Machines, QuayCrane, Truck, YardCrane
from opentos.twin.plots import write_plots
from opentos.twin.timing import KinematicTiming


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A fault to inject: an AGV or a yard crane breaks down, or a wind alarm stops the yard."""

    at_s: float
    machine: str
    """An AGV's or a yard crane's id, or ``"yard"`` for a wind alarm."""
    kind: Literal["breakdown", "wind"]
    duration_s: float

    def __post_init__(self) -> None:
        if self.kind == "wind" and self.machine != "yard":
            raise InvalidValue(f"a wind alarm stops the whole yard, not {self.machine!r}")
        if not (self.at_s >= 0 and self.duration_s > 0):
            raise InvalidValue(
                f"fault of {self.machine}: at_s {self.at_s} must be >= 0 and duration_s "
                f"{self.duration_s} > 0"
            )


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """How to run a scenario."""

    policy: str = "fcfs"
    agvs: int = 38
    seed: int = 1
    until_s: float = 48 * 3600.0
    battery_pct: float = 100.0
    """State of charge of every AGV at the start."""
    faults: tuple[FaultSpec, ...] = ()
    dual_cycling: bool = False
    """Interleave hold discharges and loads and pair them in one main-trolley cycle."""
    crane_plan: Literal["sweep", "qcsp"] = "qcsp"
    """Crane split and sequences: ``"qcsp"`` plans each call with
    :func:`~opentos.planning.cranes.call.plan_call_cranes` (zones balanced by the
    cranes' cycle times, sections split at zone boundaries); ``"sweep"`` is the plain
    sweep of :func:`~opentos.control.quay.crane_sequences`, balanced by move counts
    over whole sections.

    The ECS orders each crane's own moves only. Where a zone boundary splits a
    section, the crane ahead in the sweep works its earlier stages first thing and
    the other crane its later stages at the end of its zone, hours apart; the tests
    check the stage order from the ledger."""
    crane_plan_time_limit_s: float = 1.0
    """CP-SAT's (deterministic) time limit for each call's crane plan."""
    ecs: EcsSettings = field(default_factory=EcsSettings)

    def __post_init__(self) -> None:
        if self.crane_plan not in ("sweep", "qcsp"):
            raise InvalidValue(f"crane_plan {self.crane_plan!r} is not 'sweep' or 'qcsp'")
        if not self.crane_plan_time_limit_s >= 0:
            raise InvalidValue(
                f"Expected crane_plan_time_limit_s >= 0, got {self.crane_plan_time_limit_s}."
            )
        if self.agvs < 1:
            raise InvalidValue(f"Expected agvs >= 1, got {self.agvs}.")
        if not self.until_s > 0:
            raise InvalidValue(f"Expected until_s > 0, got {self.until_s}.")
        if not 0 < self.battery_pct <= 100:
            raise InvalidValue(f"Expected 0 < battery_pct <= 100, got {self.battery_pct}.")


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """What a run produced."""

    scenario: str
    settings: SimulationSettings
    events: tuple[MoveEvent, ...]
    log: Log
    kpis: JsonDict
    finished: bool
    end_s: float
    simpy_events: int
    cranes: tuple[str, ...]
    agvs: tuple[str, ...]
    path: GuidePath
    start: datetime
    terminal: Terminal
    """The terminal at the end of the run (its ledger holds every event)."""


@dataclass(frozen=True, slots=True)
class TwinRun:
    """A run as :func:`simulate` assembled it, handed to its ``on_start`` before the clock
    starts: what an observer of the run (:mod:`opentos.operations.live`) reads."""

    scenario: Scenario
    env: CountingEnvironment
    link: TwinLink
    log: Log
    terminal: Terminal
    path: GuidePath
    cranes: tuple[str, ...]
    """The quay cranes that work the calls."""
    agvs: tuple[str, ...]
    start: datetime
    initial_events: int
    """The ledger's head before the run: the scenario's yard."""
    plans: dict[str, dict[str, list[CraneJob]]]
    """Each call's crane jobs, by visit and crane."""
    yard_places: dict[ContainerNumber, YardPlace]


def simulate(
    scenario: Scenario,
    settings: SimulationSettings,
    progress: Callable[[int, int], None] | None = None,
    *,
    store: Store | None = None,
    batch: int = 2_000,
    environment: Callable[[], CountingEnvironment] = CountingEnvironment,
    on_start: Callable[[TwinRun], None] | None = None,
) -> SimulationResult:
    """Run ``scenario`` under ``settings`` (see the module docstring).

    With ``store`` (which must hold the scenario's yard) the run is also written to
    the store: the scenario's boxes, its calls' visits and the crane jobs as work
    instructions, then the twin's moves, ``batch`` events a transaction (see
    :func:`record_study`). The run itself is the same with or without it.

    ``environment`` makes the SimPy clock (a
    :class:`~opentos.twin.link.RealtimeCountingEnvironment` runs at a multiple of real
    time); ``on_start`` is called with the assembled :class:`TwinRun` just before the
    clock starts. Neither changes what the run does.
    """
    if batch < 1:
        raise InvalidValue(f"Expected batch >= 1, got {batch}.")
    if store is not None:
        check_yard(store, scenario)
    env = environment()
    rng = random.Random(settings.seed)
    layout = scenario.layout
    if settings.agvs > len(layout.agvs):
        raise InvalidValue(
            f"{settings.agvs} AGVs asked, the terminal {layout.name} has {len(layout.agvs)}"
        )
    kinematics = load_kinematics("qianwan-1")
    start = scenario.start

    def clock(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    terminal = Terminal(layout)
    containers = {c.number: c for c in scenario.containers}
    for container in scenario.containers:
        terminal.register(container)
    arrivals = [MoveEvent(n, None, YardPlace(slot), start) for n, slot in scenario.yard]
    for call in scenario.calls:
        terminal.add_visit(call.visit)
    arrivals.sort(key=_bottom_up)
    terminal.record(arrivals)
    initial_events = terminal.ledger.head

    path = build_guidepath(layout)
    agv_k = kinematics.agv

    def edge_time(edge: Edge, starts: bool, stops: bool) -> float:
        return agv_k.edge_time_s(edge.length_m, edge.bend, starts, stops)

    router = Router(path, edge_time)
    link = TwinLink(env)
    timing = KinematicTiming(
        kinematics,
        {call.visit.id: call.visit.profile for call in scenario.calls},
        {b.id: b for b in layout.blocks},
    )
    machines = Machines(env, terminal, timing, rng, link.emit, clock)
    parkings = sorted(path.parkings())
    agv_ids = [a.id for a in layout.agvs[: settings.agvs]]
    homes = dict(zip(agv_ids, parkings, strict=False))
    for agv_id, node in homes.items():
        router.hold(agv_id, node, 0.0)
        agv = Agv(machines, agv_id, node, agv_k)
        agv.energy_kwh = agv_k.battery_kwh * settings.battery_pct / 100
        link.agvs[agv_id] = agv
    crane_ids: list[str] = []
    for call in scenario.calls:
        crane_ids += [c for c in call.cranes if c not in crane_ids]
    rail = _rail_positions(scenario, crane_ids, kinematics.quay_crane.min_spacing_m)
    for qc in layout.quay_cranes:
        link.quay_cranes[qc.id] = QuayCrane(
            machines,
            qc.id,
            rail[qc.id],
            path.quay_handovers_near,
            kinematics.quay_crane.min_spacing_m,
        )
    ordered = [
        link.quay_cranes[qc.id]
        for qc in sorted(layout.quay_cranes, key=lambda q: q.rail_position_m)
    ]
    for i, crane in enumerate(ordered):
        crane.neighbours = [
            c
            for c in (
                ordered[i - 1] if i else None,
                ordered[i + 1] if i + 1 < len(ordered) else None,
            )
            if c is not None
        ]
    yc_k = kinematics.yard_crane
    rails = {b.id: BlockRail(env, b.bays, 2 * yc_k.safety_bays) for b in layout.blocks}
    landside_nodes = {
        b.id: [f"{b.id}/L{k}" for k in range(1, b.landside_transfer_points + 1)]
        for b in layout.blocks
    }
    truck_lanes = {
        b.id: (simpy.Resource(env, capacity=b.landside_transfer_points), list(landside_nodes[b.id]))
        for b in layout.blocks
    }
    for yc in layout.yard_cranes:
        nodes = (
            tuple(path.block_handovers(yc.block))
            if yc.side == "waterside"
            else tuple(landside_nodes[yc.block])
        )
        link.yard_cranes[yc.id] = YardCrane(
            machines, yc.id, yc.block, yc.side, nodes, rails[yc.block]
        )
    yard = YardView(layout, terminal.inventory, containers)
    ecs = EquipmentControl(
        link,
        layout,
        path,
        router,
        dispatch_policy(settings.policy),
        yard,
        containers,
        homes,
        agv_k.straight.max_speed_m_s,
        settings.ecs,
        settings.battery_pct,
        qc_min_spacing_m=kinematics.quay_crane.min_spacing_m,
    )
    yard_places = {n: YardPlace(slot) for n, slot in scenario.yard}
    ends: dict[str, float] = {}
    plans: dict[str, dict[str, list[CraneJob]]] = {}
    for call in scenario.calls:
        if settings.crane_plan == "qcsp":
            sequences = planned_sequences(call, layout, kinematics, settings, ends)
            # A crane starts its next call where it finished this one.
            ends.update({c: jobs[-1].bay_x_m for c, jobs in sequences.items() if jobs})
        else:
            on_board = dict(call.on_board)
            moves = [QuayMove(n, "discharge", on_board[n]) for n in call.discharge]
            moves += [QuayMove(n, "load", slot) for n, slot in call.load]
            sequences = crane_sequences(
                moves, call.cranes, call.bay_x_m, dual_cycling=settings.dual_cycling
            )
        plans[call.visit.id] = sequences
        ecs.add_call(call.visit.id, sequences, yard_places)
    ecs.start()
    for crane in link.quay_cranes.values():  # the cranes report where they stand
        link.emit(Gantry(0.0, crane.id, crane.x_m, crane.x_m))

    gate_distance = _gate_distances(layout)
    for arrival in scenario.trucks:
        link.trucks[arrival.truck] = Truck(
            machines,
            arrival,
            kinematics.truck,
            truck_lanes.__getitem__,
            gate_distance.__getitem__,
        )
    env.process(_faults(env, settings.faults, link))
    calls_done = env.event()
    env.process(_berths(env, scenario, terminal, ecs, clock, calls_done))

    def watch() -> simpy.events.ProcessGenerator:
        total = max(ecs.unfinished, 1)
        while not calls_done.triggered or len(machines.log.truck_turns) < len(scenario.trucks):
            yield env.timeout(60.0)
            if progress is not None:
                progress(total - ecs.unfinished, total)

    done = env.process(watch())
    if on_start is not None:
        on_start(
            TwinRun(
                scenario,
                env,
                link,
                machines.log,
                terminal,
                path,
                tuple(crane_ids),
                tuple(agv_ids),
                start,
                initial_events,
                plans,
                yard_places,
            )
        )
    limit = scenario.duration_s if scenario.duration_s is not None else settings.until_s
    env.run(until=env.any_of([done, env.timeout(limit)]))
    end_s = float(env.now)
    for agv in link.agvs.values():
        agv.close_log(end_s)
    events = tuple(terminal.ledger.events[initial_events:])
    seconds_of = {e.seq: (e.at - start).total_seconds() for e in events}
    figures = kpis(
        events,
        machines.log,
        cranes=crane_ids,
        agvs=agv_ids,
        start_s=0.0,
        end_s=end_s,
        seconds_of=seconds_of,
    )
    stalled: JsonDict = {}
    if not ecs.finished:
        left = ecs.moves_left()
        stalled = {
            "moves_left": left[:MOVES_LEFT_SHOWN],
            "machine_states": machine_states(link, ecs, crane_ids),
        }
    figures = {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "policy": settings.policy,
        "dual_cycling": settings.dual_cycling,
        "crane_plan": settings.crane_plan,
        "agvs": settings.agvs,
        "finished": ecs.finished,
        "status": "finished" if ecs.finished else "not finished",
        "unfinished_moves": ecs.unfinished,
        **stalled,
        **figures,
    }
    if store is not None:
        final = [terminal.visits[call.visit.id] for call in scenario.calls]
        record_study(
            store, scenario, events, instructions(plans, yard_places, events), final, batch
        )
    return SimulationResult(
        scenario.name,
        settings,
        events,
        machines.log,
        figures,
        ecs.finished,
        end_s,
        env.steps,
        tuple(crane_ids),
        tuple(agv_ids),
        path,
        start,
        terminal,
    )


def run_scenario(name: str, settings: SimulationSettings) -> SimulationResult:
    """The twin study of ``opentos simulate``: the scenario ``name`` made from the
    settings' seed and run under them, in memory (the terminal's store is not touched).

    Raises
    ------
    NotFound
        No scenario ``name``.
    InvalidValue
        More AGVs than the scenario's terminal has, or another bad setting.
    """
    return simulate(make_scenario(name, settings.seed), settings)


def instructions(
    plans: dict[str, dict[str, list[CraneJob]]],
    yard: dict[ContainerNumber, YardPlace],
    events: Sequence[MoveEvent],
) -> list[WorkInstruction]:
    """The calls' crane jobs as work instructions, with the ECS's ids, as the run left them.

    A job whose box reached its destination (on board for a load, the yard for a
    discharge) is done, one the ledger saw begin is in progress, and the rest are
    planned; the times are the first and last of its moves in the ledger.
    """
    by_id: dict[str, list[MoveEvent]] = defaultdict(list)
    for event in events:
        if event.work_instruction is not None:
            by_id[event.work_instruction].append(event)
    made = []
    for visit, cranes in plans.items():
        for crane, jobs in cranes.items():
            for job in jobs:
                move = job.move
                wi_id = instruction_id(visit, crane, job.sequence)
                moves = by_id.get(wi_id, [])
                aboard = VesselPlace(visit, move.slot)
                source: Place | None
                target: Place | None
                if move.kind == "load":
                    kind, source, target = MoveKind.LOAD, yard.get(move.container), aboard
                    done = any(e.to_place == aboard for e in moves)
                else:
                    kind, source = MoveKind.DISCHARGE, aboard
                    landed = [e.to_place for e in moves if isinstance(e.to_place, YardPlace)]
                    target = landed[-1] if landed else None
                    done = target is not None
                state = MoveState.DONE if done else MoveState.PLANNED
                if moves and not done:
                    state = MoveState.IN_PROGRESS
                made.append(
                    WorkInstruction(
                        wi_id,
                        kind,
                        move.container,
                        source,
                        target,
                        visit,
                        state=state,
                        sequence=job.sequence,
                        actual_start=moves[0].at if moves else None,
                        actual_end=moves[-1].at if done else None,
                        equipment=crane,
                    )
                )
    return made


def check_yard(store: Store, scenario: Scenario) -> None:
    """Raise :class:`IllegalMove` unless ``store``'s yard is the scenario's, box for box."""
    placed = store.inventory_places()
    wanted = {n: YardPlace(slot) for n, slot in scenario.yard}
    extra = sorted(n for n, p in placed.items() if isinstance(p, YardPlace) and n not in wanted)
    mismatched = [(n, p) for n, p in wanted.items() if placed.get(n) != p]
    if mismatched or extra:
        number, where = mismatched[0] if mismatched else (extra[0], None)
        raise IllegalMove(
            f"{number} is at {placed.get(number)} in the store, at {where} in scenario "
            f"{scenario.name}: record a twin study into a store holding the scenario's yard"
        )


def record_study(
    store: Store,
    scenario: Scenario,
    events: Sequence[MoveEvent],
    work: Sequence[WorkInstruction],
    visits: Sequence[Visit],
    batch: int = 2_000,
) -> None:
    """Write a twin run into ``store``, whose yard must be the scenario's.

    One transaction registers the scenario's boxes the store does not know, adds
    the calls' visits as planned and saves ``work``; then the run's ``events`` go
    through :meth:`~opentos.storage.store.Transaction.record`, ``batch`` a
    transaction, each checked; the last one also leaves ``visits`` as the run did.

    Raises
    ------
    IllegalMove
        The store's yard is not the scenario's, or a move breaks the store's
        invariants (its transaction is rolled back; earlier ones stay).
    """
    check_yard(store, scenario)
    record_setup(store, scenario, work)
    chunks = [events[k : k + batch] for k in range(0, len(events), batch)] or [[]]
    for k, chunk in enumerate(chunks, start=1):
        record_events(store, chunk, visits if k == len(chunks) else ())


def record_setup(store: Store, scenario: Scenario, work: Sequence[WorkInstruction]) -> None:
    """One transaction: register the scenario's boxes ``store`` does not know, add the
    calls' visits as planned and save ``work``."""
    known = store.containers([c.number for c in scenario.containers])
    with store.transaction() as tx:
        tx.register_many([c for c in scenario.containers if c.number not in known])
        for call in scenario.calls:
            tx.add_visit(call.visit)
        for wi in work:
            tx.save_instruction(wi)


def record_events(
    store: Store,
    events: Sequence[MoveEvent],
    visits: Sequence[Visit] = (),
    work: Sequence[WorkInstruction] = (),
) -> None:
    """One transaction: record ``events`` (checked), then save ``visits`` and ``work``."""
    with store.transaction() as tx:
        tx.record(events)
        for visit in visits:
            tx.add_visit(visit)
        for wi in work:
            tx.save_instruction(wi)


def write_results(result: SimulationResult, out: Path) -> list[Path]:
    """Write ``kpis.json`` and the plots of ``result`` into ``out``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "kpis.json"
    path.write_text(json.dumps(result.kpis, indent=2, sort_keys=True) + "\n")
    return [path, *write_plots(result, out)]


MOVES_LEFT_SHOWN = 10
"""Moves left that a stalled run's KPIs name (the count covers all of them)."""


def machine_states(link: TwinLink, ecs: EquipmentControl, cranes: list[str]) -> dict[str, str]:
    """Each machine's last state: the working quay cranes' trolleys and the yard cranes
    at work (from the machines), the AGVs and the blocks with work queued (from the ECS)."""
    states: dict[str, str] = {}
    for crane in cranes:
        qc = link.quay_cranes[crane]
        states[crane] = f"main trolley: {qc.main_doing}; portal trolley: {qc.portal_doing}"
    for crane_id in sorted(link.yard_cranes):
        yc = link.yard_cranes[crane_id]
        if yc.busy:
            states[crane_id] = yc.doing
    for machine, state in ecs.machine_states().items():
        agv = link.agvs.get(machine)
        if agv is None:
            states[machine] = state
            continue
        if agv.in_action:
            doing = "handing over or charging"
        else:
            doing = f"following {agv.current}" if agv.current else "no order"
        states[machine] = f"{state} (the AGV: at {agv.node}, {doing})"
    return states


def _berths(
    env: simpy.Environment,
    scenario: Scenario,
    terminal: Terminal,
    ecs: EquipmentControl,
    clock: Callable[[float], datetime],
    done: simpy.Event,
) -> simpy.events.ProcessGenerator:
    """Bring each vessel alongside at its time once its berth is free; see it off when done.

    On arrival its boxes enter the ledger on board; on departure everything still
    on board leaves the terminal with it.
    """
    free_at: dict[str | None, simpy.Event] = {}
    pending = []

    def call_process(call: VesselCall) -> simpy.events.ProcessGenerator:
        visit = call.visit
        if call.arrival_s > env.now:
            yield env.timeout(call.arrival_s - env.now)
        berth_free = free_at.get(visit.berth)
        if berth_free is not None:
            yield berth_free
        free_at[visit.berth] = mine = env.event()
        arrived = visit.advance(VisitPhase.ARRIVED, clock(env.now))
        terminal.add_visit(arrived)
        terminal.record(
            sorted(
                (
                    MoveEvent(n, None, VesselPlace(visit.id, slot), clock(env.now))
                    for n, slot in call.on_board
                ),
                key=_bottom_up,
            )
        )
        ecs.vessel_alongside(visit.id)
        while not ecs.call_done(visit.id):
            yield env.timeout(60.0)
        aboard = terminal.inventory.on_visit(visit.id)
        terminal.record(
            sorted(
                (MoveEvent(n, place, None, clock(env.now)) for n, place in aboard),
                key=lambda e: -_bottom_up(e)[0],
            )
        )
        terminal.add_visit(arrived.advance(VisitPhase.DEPARTED, clock(env.now)))
        mine.succeed()

    for call in sorted(scenario.calls, key=lambda c: c.arrival_s):
        pending.append(env.process(call_process(call)))
    yield env.all_of(pending)
    done.succeed()


def _faults(
    env: simpy.Environment, faults: tuple[FaultSpec, ...], link: TwinLink
) -> simpy.events.ProcessGenerator:
    """Stop yard cranes at the planned times and let them go when repaired or calm."""

    def clear(fault: FaultSpec, repaired: simpy.Event) -> simpy.events.ProcessGenerator:
        yield env.timeout(fault.duration_s)
        repaired.succeed()
        link.emit(Fault(env.now, fault.machine, fault.kind, True))

    def agv_breakdown(fault: FaultSpec) -> simpy.events.ProcessGenerator:
        agv = link.agvs[fault.machine]
        while agv.in_action:  # a handover or a charge in progress finishes first
            yield env.timeout(1.0)
        repaired = env.event()
        agv.repaired = repaired
        # The ECS stops it at a safe node with a "halt" order; the AGV reports the
        # repair itself once it stands there (and it was repaired).
        link.emit(Fault(env.now, fault.machine, "breakdown", False))
        yield env.timeout(fault.duration_s)
        repaired.succeed()

    for fault in sorted(faults, key=lambda f: f.at_s):
        if fault.at_s > env.now:
            yield env.timeout(fault.at_s - env.now)
        if fault.machine in link.agvs:
            env.process(agv_breakdown(fault))
            continue
        if fault.kind == "wind":
            cranes = list(link.yard_cranes.values())
        elif fault.machine in link.yard_cranes:
            cranes = [link.yard_cranes[fault.machine]]
        else:
            raise InvalidValue(f"fault of {fault.machine!r}: no AGV or yard crane of that id")
        repaired = env.event()
        for crane in cranes:
            crane.stop(repaired)
        link.emit(Fault(env.now, fault.machine, fault.kind, False))
        env.process(clear(fault, repaired))


def _gate_distances(layout: TerminalLayout) -> dict[str, float]:
    """Road distance from the gate to each block's landside end (assumption: the gate sits
    inland behind the middle of the yard; trucks drive along the yard's landside road)."""
    far = max(b.y_m + b.length_m for b in layout.blocks)
    gate_x = layout.quay.length_m / 2
    return {
        b.id: 150.0 + abs(b.x_m + b.width_m / 2 - gate_x) + (far - b.y_m - b.length_m)
        for b in layout.blocks
    }


def _bottom_up(event: MoveEvent) -> tuple[int, str]:
    """Sort key that puts arrivals in a stack in order from the bottom tier up."""
    place = event.to_place if event.to_place is not None else event.from_place
    tier = place.slot.tier if isinstance(place, YardPlace | VesselPlace) else 0
    return (tier, str(place))


def _rail_positions(scenario: Scenario, working: list[str], spacing_m: float) -> dict[str, float]:
    """Where each quay crane starts: working cranes at their preset positions, the others
    parked out of the way, packed at the end of the quay past the last working crane."""
    cranes = sorted(scenario.layout.quay_cranes, key=lambda q: q.rail_position_m)
    positions = {qc.id: qc.rail_position_m for qc in cranes}
    last = max((i for i, qc in enumerate(cranes) if qc.id in working), default=-1)
    idle = [qc.id for qc in cranes[last + 1 :]]
    end = scenario.layout.quay.length_m
    for k, crane in enumerate(reversed(idle)):
        positions[crane] = end - k * spacing_m
    return positions
