"""A vessel call in the twin, checked from its ledger and log, not the simulator's counters."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import timedelta
from functools import cache

import pytest
from checks import agv_conflicts, crane_gap_violations

from opentos.model.places import EquipmentPlace, VesselPlace, YardPlace
from opentos.operations.scenarios import Scenario, day, small_call, small_day
from opentos.operations.twin_study import FaultSpec, SimulationResult, SimulationSettings, simulate
from opentos.presets.kinematics import load_kinematics
from opentos.twin.arrivals import TruckArrival


@cache
def scenario() -> Scenario:
    """The small call: 60 discharges and 60 loads with 2 quay cranes at qianwan-1."""
    return small_call(1)


@cache
def run(policy: str, agvs: int = 12, seed: int = 1) -> SimulationResult:
    """The small call in the twin (cached: several tests look at one run)."""
    return simulate(scenario(), SimulationSettings(policy=policy, agvs=agvs, seed=seed))


POLICIES = ["fcfs", "nearest", "optimal"]


@pytest.mark.parametrize("policy", POLICIES)
def test_every_planned_move_is_done_exactly_once(policy: str) -> None:
    """Each discharge leaves the vessel once and ends in the yard; each load lands once."""
    result = run(policy)
    assert result.finished
    call = scenario().calls[0]
    quay = [
        e
        for e in result.events
        if isinstance(e.from_place, EquipmentPlace) or isinstance(e.to_place, EquipmentPlace)
    ]
    off = Counter(e.container for e in quay if isinstance(e.from_place, VesselPlace))
    on = {e.container: e.to_place for e in quay if isinstance(e.to_place, VesselPlace)}
    on_count = Counter(e.container for e in quay if isinstance(e.to_place, VesselPlace))
    assert off == Counter(call.discharge)
    assert on_count == Counter(n for n, _ in call.load)
    assert all(on[n] == VesselPlace(call.visit.id, slot) for n, slot in call.load)
    last = {e.container: e.to_place for e in result.events}
    assert all(isinstance(last[n], YardPlace) for n in call.discharge)
    assert all(last[n] is None for n, _ in call.load), "loads leave with the vessel"


@pytest.mark.parametrize("policy", POLICIES)
def test_inventory_is_conserved_and_the_ledger_holds(policy: str) -> None:
    """No box appears or vanishes, none is left on a machine, the ledger replays to the end."""
    result = run(policy)
    arrived = sum(1 for e in result.events if e.from_place is None)
    departed = sum(1 for e in result.events if e.to_place is None)
    call = scenario().calls[0]
    assert arrived == len(call.on_board)
    assert departed == len(call.on_board) - len(call.discharge) + len(call.load)
    terminal = result.terminal
    assert len(terminal.inventory) == len(scenario().yard) + arrived - departed
    assert not any(isinstance(p, EquipmentPlace) for p in terminal.inventory.positions().values())
    assert terminal.ledger.rebuild() == terminal.inventory


@pytest.mark.parametrize("policy", POLICIES)
def test_never_two_agvs_on_one_node_or_segment(policy: str) -> None:
    """From the AGVs' logged positions: no node or segment ever held two AGVs at once."""
    result = run(policy)
    assert result.log.agv_edges, "the AGVs never moved"
    assert agv_conflicts(result.log.agv_nodes, result.log.agv_edges) == []


@pytest.mark.parametrize("policy", POLICIES)
def test_quay_cranes_keep_their_distance(policy: str) -> None:
    """From the cranes' logged positions: neighbours never closer than the minimum gap."""
    result = run(policy)
    layout = scenario().layout
    order = [qc.id for qc in sorted(layout.quay_cranes, key=lambda q: q.rail_position_m)]
    gap = load_kinematics("qianwan-1").quay_crane.min_spacing_m
    assert crane_gap_violations(result.log.qc_positions, order, gap) == []


def test_same_seed_same_kpis() -> None:
    """Two runs with one seed give byte-identical kpis.json."""
    a = simulate(scenario(), SimulationSettings(policy="optimal", agvs=8, seed=5))
    b = simulate(scenario(), SimulationSettings(policy="optimal", agvs=8, seed=5))
    assert json.dumps(a.kpis, sort_keys=True) == json.dumps(b.kpis, sort_keys=True)
    assert [str(e) for e in a.events] == [str(e) for e in b.events]


def test_kpis_are_consistent_with_the_log() -> None:
    """The KPI figures agree with counts taken straight from the ledger."""
    result = run("fcfs")
    k = result.kpis
    assert k["moves"] == scenario().moves
    per_crane = k["quay_cranes"]
    assert isinstance(per_crane, dict)
    assert sum(c["moves"] for c in per_crane.values()) == scenario().moves
    assert 0 < float(str(k["ratio_to_crane_bound"])) <= 1.0


def test_agvs_charge_and_keep_working() -> None:
    """AGVs that start low go to chargers, charge, and the call is still finished."""
    result = simulate(
        scenario(), SimulationSettings(policy="fcfs", agvs=8, seed=2, battery_pct=42.0)
    )
    assert result.finished
    charging = [s for s in result.log.agv_states if s[1] == "charging"]
    assert charging, "no AGV charged"
    per_agv = Counter(agv for agv, *_ in charging)
    assert max(per_agv.values()) <= 2, f"AGVs charged over and over: {per_agv}"
    assert all(end - start > 60 for _, _, start, end in charging)
    chargers = set(result.path.chargers())
    visits = {node for _, node, _, _ in result.log.agv_nodes if node in chargers}
    assert visits, "no AGV stood at a charger"


@cache
def day_run() -> tuple[Scenario, SimulationResult]:
    """Two calls in turn at one berth and 40 trucks, in the twin."""
    made = small_day()
    return made, simulate(made, SimulationSettings(policy="nearest", agvs=10, seed=3))


def test_successive_calls_and_trucks_are_all_served() -> None:
    """Both calls are worked and leave; every truck collects or delivers its box and leaves."""
    made, result = day_run()
    assert result.finished
    assert len(result.log.truck_turns) == len(made.trucks)
    last = {e.container: e.to_place for e in result.events}
    for truck in made.trucks:
        if truck.kind == "import":
            assert last[truck.container] is None, f"{truck.container} did not leave"
        else:
            assert isinstance(last[truck.container], YardPlace)
    departures = {e.container for e in result.events if e.to_place is None and e.equipment is None}
    for call in made.calls:
        assert {n for n, _ in call.load} <= departures
    visits = [result.terminal.visits[c.visit.id] for c in made.calls]
    assert all(v.actual_departure is not None for v in visits)
    first, second = visits
    assert second.actual_arrival is not None
    assert first.actual_departure is not None
    assert second.actual_arrival >= first.actual_departure, "two vessels at one berth"


def test_day_keeps_every_invariant() -> None:
    """No AGV conflicts, quay cranes and each block's two yard cranes keep their distance."""
    made, result = day_run()
    assert agv_conflicts(result.log.agv_nodes, result.log.agv_edges) == []
    assert result.terminal.ledger.rebuild() == result.terminal.inventory
    safety = 2 * load_kinematics("qianwan-1").yard_crane.safety_bays
    blocks = {block for _, block, _, _ in result.log.armg_positions}
    for block in blocks:
        positions = [(t, c, x) for t, b, c, x in result.log.armg_positions if b == block]
        assert crane_gap_violations(positions, [f"{block}-W", f"{block}-L"], safety) == []
    order = [qc.id for qc in sorted(made.layout.quay_cranes, key=lambda q: q.rail_position_m)]
    gap = load_kinematics("qianwan-1").quay_crane.min_spacing_m
    assert crane_gap_violations(result.log.qc_positions, order, gap) == []
    turns = result.kpis["truck_turn_time_min"]
    assert isinstance(turns, dict)
    assert turns["trucks"] == len(made.trucks)


def test_yard_crane_breakdown_and_wind_lose_nothing() -> None:
    """A yard crane breaks down and a wind alarm stops the yard: nothing moves meanwhile,
    then every move is still done once and no box is lost."""
    made = scenario()
    call = made.calls[0]
    yard = dict(made.yard)
    busiest = Counter(yard[n].block for n, _ in call.load).most_common(1)[0][0]
    faults = (
        FaultSpec(600.0, f"{busiest}-W", "breakdown", 1200.0),
        FaultSpec(3000.0, "yard", "wind", 900.0),
    )
    result = simulate(made, SimulationSettings(policy="fcfs", agvs=12, seed=1, faults=faults))
    assert result.finished
    start = made.start
    for fault in faults:
        lo = start + timedelta(seconds=fault.at_s + 1e-3)
        hi = start + timedelta(seconds=fault.at_s + fault.duration_s - 1e-3)
        cranes = (
            {f"{busiest}-W"}
            if fault.kind == "breakdown"
            else {yc.id for yc in made.layout.yard_cranes}
        )
        during = [e for e in result.events if e.equipment in cranes and lo < e.at < hi]
        assert during == [], f"a stopped crane moved a box: {during[0]}"
    stopped = [s for s in result.log.armg_states if s[1] == "stopped"]
    assert stopped, "no crane was ever stopped"
    quay = [e for e in result.events if isinstance(e.to_place, VesselPlace) and e.from_place]
    assert Counter(e.container for e in quay) == Counter(n for n, _ in call.load)
    assert result.terminal.ledger.rebuild() == result.terminal.inventory
    assert not any(
        isinstance(p, EquipmentPlace) for p in result.terminal.inventory.positions().values()
    )


def test_agv_breakdowns_mid_job_lose_nothing() -> None:
    """AGVs break down while driving: they halt where they block nobody, the others are
    re-routed, their jobs are done by others or after the repair, and nothing is lost."""
    made = scenario()
    faults = (
        FaultSpec(900.0, "AGV03", "breakdown", 900.0),
        FaultSpec(1500.0, "AGV07", "breakdown", 600.0),
        FaultSpec(2400.0, "AGV01", "breakdown", 1200.0),
    )
    result = simulate(made, SimulationSettings(policy="optimal", agvs=10, seed=4, faults=faults))
    assert result.finished
    broken = [s for s in result.log.agv_states if s[1] == "broken"]
    assert {agv for agv, *_ in broken} == {"AGV03", "AGV07", "AGV01"}
    for agv, _, start, end in broken:
        moving = [e for e in result.log.agv_edges if e[0] == agv and start < e[3] < end]
        assert moving == [], f"{agv} drove while broken down"
    assert agv_conflicts(result.log.agv_nodes, result.log.agv_edges) == []
    call = made.calls[0]
    quay = [e for e in result.events if isinstance(e.to_place, VesselPlace) and e.from_place]
    assert Counter(e.container for e in quay) == Counter(n for n, _ in call.load)
    assert result.terminal.ledger.rebuild() == result.terminal.inventory
    assert not any(
        isinstance(p, EquipmentPlace) for p in result.terminal.inventory.positions().values()
    )


def test_dual_cycling_keeps_the_stack_precedence() -> None:
    """With dual cycling, main-trolley cycles are paired, and from the ledger: a box is
    loaded into a hold stack only after every discharge from that stack."""
    made = scenario()
    result = simulate(made, SimulationSettings(policy="fcfs", agvs=12, seed=1, dual_cycling=True))
    assert result.finished
    assert any(kind == "dual" for _, _, kind in result.log.qc_moves)
    call = made.calls[0]
    profile = call.visit.profile

    def column(place: VesselPlace) -> tuple[float, int, bool]:
        slot = place.slot
        return (profile.section_of(slot.bay).lcg_m, slot.row, slot.on_deck)

    last_off: dict[tuple[float, int, bool], object] = {}
    for e in result.events:
        if isinstance(e.from_place, VesselPlace) and isinstance(e.to_place, EquipmentPlace):
            key = column(e.from_place)
            last_off[key] = max(last_off.get(key, e.at), e.at)  # type: ignore[type-var]
    for e in result.events:
        if isinstance(e.to_place, VesselPlace) and isinstance(e.from_place, EquipmentPlace):
            key = column(e.to_place)
            if key in last_off:
                assert e.at > last_off[key], f"{e.container} loaded before its stack was cleared"


def test_truck_early_for_an_import_waits_until_it_is_landed() -> None:
    """A truck comes for a box still on board: it waits at the gate, then collects it."""
    made = small_call()
    box = made.calls[0].discharge[-1]
    early = TruckArrival("TRK-EARLY", 1.0, "import", box)
    made = dataclasses.replace(made, trucks=(*made.trucks, early))
    result = simulate(made, SimulationSettings(policy="fcfs", agvs=6, seed=2))
    assert result.finished
    path = [e.to_place for e in result.events if e.container == box]
    landed = next(i for i, p in enumerate(path) if isinstance(p, YardPlace))
    assert isinstance(path[0], VesselPlace)  # on board at the start
    assert path[-1] is None  # collected and out of the gate
    assert landed < len(path) - 1
    assert len(result.log.truck_turns) == len(made.trucks)


@pytest.mark.slow
def test_day_with_planned_crane_sequences_finishes() -> None:
    """The four-call day with QCSP crane plans, each crane starting a call where it left
    the last one: no yard crane lifts a box that another crane has just covered."""
    made = day()
    result = simulate(made, SimulationSettings(policy="fcfs", agvs=38, seed=1))
    assert result.finished
    assert result.terminal.ledger.rebuild() == result.terminal.inventory
    assert len(result.log.truck_turns) == len(made.trucks)
