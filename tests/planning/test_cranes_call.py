"""Tests of the call-level crane split and sequences: validator, planner, twin and CLI."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.errors import DataImportError, InvalidValue
from opentos.model.ids import ContainerNumber, check_digit
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.slots import BayRowTier
from opentos.operations.cranes import crane_problem, planned_sequences
from opentos.operations.scenarios import Scenario, small_call, vessel_call, zim_chicago
from opentos.operations.twin_study import SimulationSettings, simulate
from opentos.planning.cranes.call import (
    CallCranePlan,
    CallCraneProblem,
    CallMove,
    CraneSequence,
    PlannedMove,
    generate_call,
    lower_bound_s,
    plan_call_cranes,
    problem_from_json,
    problem_to_json,
    to_json,
    validate_call_plan,
)
from opentos.planning.result import Status
from opentos.presets.kinematics import load_kinematics


def box(serial: int) -> ContainerNumber:
    """A valid container number for tests."""
    first10 = f"TSTU{serial:06d}"
    return ContainerNumber.parse(first10 + str(check_digit(first10)))


def tiny_call(*, split_sections: bool = True) -> CallCraneProblem:
    """A call with 5 moves in 4 sections 30 m apart and 2 cranes that is easy to understand.

    Sections at 100 m (bay 14), 130 m (bay 10), 160 m (bay 06) and 190 m (bay 02); the
    cranes start outside the ship at 60 m and 230 m, gantry at 1 m/s, 27 m apart and one
    section free between them at least. Bay 10 has a hold discharge and a deck load.
    """
    return CallCraneProblem(
        moves=(
            CallMove(box(1), "discharge", BayRowTier(14, 1, 82), 60),
            CallMove(box(2), "discharge", BayRowTier(10, 1, 2), 80),
            CallMove(box(3), "load", BayRowTier(10, 2, 82), 70),
            CallMove(box(4), "load", BayRowTier(6, 1, 4), 90),
            CallMove(box(5), "discharge", BayRowTier(2, 1, 2), 100),
        ),
        bay_x_m={14: 100.0, 10: 130.0, 6: 160.0, 2: 190.0},
        cranes=("QC1", "QC2"),
        start_x_m=(60.0, 230.0),
        gantry_speed_m_s=1.0,
        gantry_start_stop_s=0.0,
        min_spacing_m=27.0,
        safety_sections=1,
        split_sections=split_sections,
    )


def planned(move: int, start: int, duration: int) -> PlannedMove:
    """Move ``move`` of :func:`tiny_call` from ``start`` for ``duration`` seconds."""
    m = tiny_call().moves[move - 1]
    return PlannedMove(m.container, m.kind, m.slot, start, start + duration)


def tiny_plan() -> CallCranePlan:
    """A valid plan of the tiny call, worked out by hand.

    QC2 loads bay 06 first, then discharges bay 02; QC1 discharges bay 14, then waits
    until QC2 has left bay 06 (bays 10 and 06 are neighbours) before bay 10.
    """
    return CallCranePlan(
        370,
        (
            CraneSequence("QC1", (planned(1, 40, 60), planned(2, 220, 80), planned(3, 300, 70))),
            CraneSequence("QC2", (planned(4, 70, 90), planned(5, 190, 100))),
        ),
    )


def test_hand_made_plan_is_valid() -> None:
    """The hand-made plan keeps every rule."""
    assert validate_call_plan(tiny_call(), tiny_plan()) == []


def test_validator_catches_cranes_that_cross() -> None:
    """QC2 (east) going to bay 14 while QC1 stays at bay 10 means crossing it."""
    plan = CallCranePlan(
        440,
        (
            CraneSequence("QC1", (planned(2, 220, 80), planned(3, 300, 70))),
            CraneSequence("QC2", (planned(4, 70, 90), planned(5, 190, 100), planned(1, 380, 60))),
        ),
    )
    problems = validate_call_plan(tiny_call(), plan)
    assert len(problems) == 1
    assert "QC1 and QC2" in problems[0]
    assert "closer than the safety rules allow" in problems[0]


def test_validator_catches_cranes_too_close() -> None:
    """Working neighbouring sections at once breaks the one free section rule."""
    plan = CallCranePlan(
        370,
        (
            CraneSequence("QC1", (planned(1, 40, 60), planned(2, 130, 80), planned(3, 300, 70))),
            CraneSequence("QC2", (planned(4, 70, 90), planned(5, 190, 100))),
        ),
    )
    assert any("closer than" in p for p in validate_call_plan(tiny_call(), plan))


def test_validator_catches_broken_precedence() -> None:
    """A deck load of bay 10 before its hold discharge is caught."""
    plan = CallCranePlan(
        370,
        (
            CraneSequence("QC1", (planned(1, 40, 60), planned(3, 220, 70), planned(2, 290, 80))),
            CraneSequence("QC2", (planned(4, 70, 90), planned(5, 190, 100))),
        ),
    )
    problems = validate_call_plan(tiny_call(), plan)
    assert problems == [
        f"section at 130 m: deck load {box(3)} starts at 220 s before hold discharge "
        f"{box(2)} ends at 370 s"
    ]


def test_validator_catches_missing_and_doubled_moves() -> None:
    """A move left out, or planned twice, is named."""
    good = tiny_plan()
    qc1, qc2 = good.cranes
    missing = replace(good, cranes=(replace(qc1, moves=qc1.moves[1:]), qc2))
    assert validate_call_plan(tiny_call(), missing) == [
        f"{box(1)} (discharge at 0140182) is not planned"
    ]
    twice = replace(good, cranes=(qc1, replace(qc2, moves=(*qc2.moves, qc1.moves[0]))))
    assert validate_call_plan(tiny_call(), twice) == [f"{box(1)} is planned twice (QC1, QC2)"]


def test_validator_catches_wrong_times() -> None:
    """Too short a move, too fast a gantry, a wrong makespan or a false dual flag."""
    qc1, qc2 = tiny_plan().cranes
    short = CraneSequence("QC1", (planned(1, 40, 50), *qc1.moves[1:]))
    assert any("planned duration is 60 s" in p for p in _check(short, qc2, 370))
    fast = CraneSequence("QC1", (planned(1, 20, 60), *qc1.moves[1:]))
    assert any("cannot be at 100 m before 40 s" in p for p in _check(fast, qc2, 370))
    assert _check(qc1, qc2, 400) == ["makespan is 370 s, the plan says 400 s"]
    dual = CraneSequence("QC2", (replace(qc2.moves[0], dual=True), qc2.moves[1]))
    assert any("marked dual" in p for p in _check(qc1, dual, 370))


def _check(qc1: CraneSequence, qc2: CraneSequence, makespan: int) -> list[str]:
    return validate_call_plan(tiny_call(), CallCranePlan(makespan, (qc1, qc2)))


def test_bad_problems_are_refused_naming_the_value() -> None:
    """Durations, unknown bays, crane ids and start positions are checked."""
    with pytest.raises(InvalidValue, match="duration_s 0"):
        CallMove(box(1), "load", BayRowTier(2, 1, 2), 0)
    with pytest.raises(InvalidValue, match="bay 18 has no position"):
        replace(tiny_call(), moves=(CallMove(box(9), "load", BayRowTier(18, 1, 2), 60),))
    with pytest.raises(InvalidValue, match="start closer than the safety rules allow"):
        replace(tiny_call(), start_x_m=(100.0, 120.0))
    with pytest.raises(InvalidValue, match=r"crane ids \['A', 'A'\] are not unique"):
        replace(tiny_call(), cranes=("A", "A"))
    with pytest.raises(InvalidValue, match="already move 1"):
        replace(tiny_call(), moves=tiny_call().moves[:1] * 2)


def test_problem_json_round_trip_and_errors() -> None:
    """A problem written as JSON reads back equal; a bad file names the key."""
    problem = generate_call(3000, 2, 40, seed=3, dual_cycling=True)
    assert problem_from_json(json.dumps(problem_to_json(problem))) == problem
    document = problem_to_json(tiny_call())
    document["moves"][0]["kind"] = "restow"  # type: ignore[index]
    with pytest.raises(DataImportError) as error:
        problem_from_json(json.dumps(document), "bad.json")
    assert "moves[0].kind" in error.value.problems[0]


# --- brute force ------------------------------------------------------------------------------


def brute_force(problem: CallCraneProblem) -> int:
    """The least makespan of any valid plan that works each move as one task (tiny calls).

    Every assignment of moves to the two cranes, every order on each crane, and every
    interleaving of the two cranes' occupations (a crane occupies a move's section
    from when it leaves for it until it reaches its next move); each gives earliest
    start times, kept if :func:`validate_call_plan` accepts the plan.
    """
    moves = problem.moves
    x = [problem.bay_x_m[m.slot.bay] for m in moves]
    best = None
    for owners in itertools.product((0, 1), repeat=len(moves)):
        mine = [[i for i in range(len(moves)) if owners[i] == k] for k in (0, 1)]
        if not problem.split_sections and any(
            owners[i] != owners[j]
            for i, j in itertools.combinations(range(len(moves)), 2)
            if x[i] == x[j]
        ):
            continue
        for west in itertools.permutations(mine[0]):
            for east in itertools.permutations(mine[1]):
                for merge in _merges(len(west), len(east)):
                    starts = _timing(problem, x, (list(west), list(east)), merge)
                    if starts is None:
                        continue
                    plan = CallCranePlan(
                        max(starts[i] + moves[i].duration_s for i in range(len(moves))),
                        tuple(
                            CraneSequence(
                                crane,
                                tuple(
                                    PlannedMove(
                                        moves[i].container,
                                        moves[i].kind,
                                        moves[i].slot,
                                        starts[i],
                                        starts[i] + moves[i].duration_s,
                                    )
                                    for i in route
                                ),
                            )
                            for crane, route in zip(problem.cranes, (west, east), strict=True)
                        ),
                    )
                    if not validate_call_plan(problem, plan) and (
                        best is None or plan.makespan_s < best
                    ):
                        best = plan.makespan_s
    assert best is not None
    return best


def _merges(a: int, b: int) -> list[tuple[int, ...]]:
    """Every interleaving of a west sequence of ``a`` and an east one of ``b`` (0/1 labels)."""
    return [
        tuple(0 if k in west else 1 for k in range(a + b))
        for west in itertools.combinations(range(a + b), a)
    ]


def _timing(
    problem: CallCraneProblem,
    x: Sequence[float],
    routes: tuple[list[int], list[int]],
    merge: tuple[int, ...],
) -> list[int] | None:
    """Earliest starts where, in the order ``merge`` gives, each occupation of a section
    that clashes with one of the other crane's waits for it to end."""
    n = len(x)
    lower = [0] * n
    edges: list[tuple[int, int, int]] = []  # start[b] >= start[a] + c
    arrive = [0] * n
    for k, route in enumerate(routes):
        here = problem.start_x_m[k]
        for pos, i in enumerate(route):
            arrive[i] = problem.travel_s(here, x[i])
            if pos == 0:
                lower[i] = arrive[i]
            else:
                edges.append(
                    (route[pos - 1], i, problem.moves[route[pos - 1]].duration_s + arrive[i])
                )
            here = x[i]
    for i, j in itertools.permutations(range(n), 2):  # precedence: one move per stage here
        same = x[i] == x[j]
        if same and problem.moves[i].stage < problem.moves[j].stage:
            edges.append((i, j, problem.moves[i].duration_s))
    order = []
    counters = [0, 0]
    for side in merge:
        order.append(routes[side][counters[side]])
        counters[side] += 1
    place = {i: pos for pos, i in enumerate(order)}
    crane = {i: k for k, route in enumerate(routes) for i in route}

    def clash(i_crane: int, xi: float, j_crane: int, xj: float) -> bool:
        west, east = (xi, xj) if i_crane < j_crane else (xj, xi)
        return not problem.safe(west, east)

    for j in range(n):  # a crane leaves its start position before the other comes near
        other = 1 - crane[j]
        if clash(other, problem.start_x_m[other], crane[j], x[j]):
            if not routes[other]:
                return None
            edges.append((routes[other][0], j, arrive[j]))
    for i, j in itertools.permutations(range(n), 2):
        if crane[i] != crane[j] and place[i] < place[j] and clash(crane[i], x[i], crane[j], x[j]):
            route = routes[crane[i]]
            after = route.index(i) + 1
            if after == len(route):
                return None
            edges.append((route[after], j, arrive[j]))
    start = list(lower)
    for _ in range(n + 1):
        changed = False
        for a, b, c in edges:
            if start[a] + c > start[b]:
                start[b] = start[a] + c
                changed = True
        if not changed:
            return start
    return None


@pytest.mark.parametrize("split_sections", [True, False])
def test_planner_matches_the_brute_force_optimum(split_sections: bool) -> None:
    """On the tiny call the planner proves the optimum that brute force finds."""
    problem = tiny_call(split_sections=split_sections)
    result = plan_call_cranes(problem, time_limit_s=10.0, seed=1)
    assert result.plan is not None
    assert validate_call_plan(problem, result.plan) == []
    assert result.status is Status.OPTIMAL
    assert result.objective == brute_force(problem)
    assert result.bound == result.objective


@st.composite
def small_calls(draw: st.DrawFn) -> CallCraneProblem:
    """Calls of up to 8 moves over up to 5 sections, with 1 to 3 cranes 100 m apart."""
    sections = draw(st.integers(1, 5))
    pitch = draw(st.sampled_from([13.0, 20.0, 30.0]))
    engine_room = draw(st.integers(1, 5))  # a wider gap before this section
    bays = {2 + 4 * s: 100.0 + pitch * s + 15.0 * (s >= engine_room) for s in range(sections)}
    moves = []
    for serial in range(1, draw(st.integers(1, 8)) + 1):
        bay = draw(st.sampled_from(sorted(bays)))
        kind = draw(st.sampled_from(["discharge", "load"]))
        tier = draw(st.sampled_from([2, 4, 6, 82, 84]))
        moves.append(
            CallMove(box(serial), kind, BayRowTier(bay, serial, tier), draw(st.integers(1, 90)))
        )
    cranes = draw(st.integers(1, 3))
    first = min(bays.values()) - draw(st.sampled_from([0.0, 40.0]))
    return CallCraneProblem(
        tuple(moves),
        bays,
        tuple(f"Q{k}" for k in range(cranes)),
        tuple(first + 100.0 * k for k in range(cranes)),
        tuple(draw(st.integers(0, 30)) for _ in range(cranes)),
        gantry_speed_m_s=draw(st.sampled_from([0.75, 1.5])),
        gantry_start_stop_s=draw(st.sampled_from([0.0, 5.0])),
        min_spacing_m=27.0,
        safety_sections=draw(st.integers(0, 1)),
        dual_cycling=draw(st.booleans()),
        dual_saving_s=draw(st.integers(0, 40)),
        split_sections=draw(st.booleans()),
    )


@settings(max_examples=40, deadline=None)
@given(small_calls())
def test_every_plan_found_is_valid(problem: CallCraneProblem) -> None:
    """Any plan of a random small call passes the validator and meets the lower bound."""
    result = plan_call_cranes(problem, time_limit_s=0.2, seed=0)
    if result.plan is None:
        assert result.status in (Status.UNKNOWN, Status.INFEASIBLE)  # a crane parked in the way
        return
    assert validate_call_plan(problem, result.plan) == []
    assert result.objective is not None
    assert lower_bound_s(problem) <= result.objective


# --- generated calls and the twin's calls ---------------------------------------------------


@pytest.mark.parametrize(
    ("teu", "cranes", "moves", "seed", "dual", "split"),
    [
        (3000, 2, 60, 1, False, False),
        (6000, 3, 200, 2, True, True),
        (10000, 4, 400, 3, False, True),
        (24000, 7, 900, 4, True, False),
    ],
)
def test_planner_output_is_valid_on_generated_calls(
    teu: int, cranes: int, moves: int, seed: int, dual: bool, split: bool
) -> None:
    """Every plan passes the validator and lies between the lower bound and its hint."""
    problem = replace(
        generate_call(teu, cranes, moves, seed, dual_cycling=dual), split_sections=split
    )
    result = plan_call_cranes(problem, time_limit_s=0.5, seed=seed)
    assert result.plan is not None
    assert validate_call_plan(problem, result.plan) == []
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert (
        lower_bound_s(problem) <= result.objective <= result.statistics["constructive_makespan_s"]
    )
    if dual:
        assert any(m.dual for seq in result.plan.cranes for m in seq.moves)


@cache
def twin_call(name: str) -> Scenario:
    """A twin scenario (built once)."""
    return {"small-call": small_call, "zim-chicago": zim_chicago}[name]()


@pytest.mark.parametrize(("name", "dual"), [("small-call", True), ("zim-chicago", False)])
def test_planner_output_is_valid_on_twin_calls(name: str, dual: bool) -> None:
    """The twin's calls (the small one with dual cycling): valid plans, within 2 % of the
    lower bound for zim-chicago. (The CLI test plans the small call without.)"""
    made = twin_call(name)
    problem = crane_problem(
        made.calls[0], made.layout, load_kinematics("qianwan-1"), dual_cycling=dual
    )
    result = plan_call_cranes(problem, time_limit_s=0.5, seed=1)
    assert result.plan is not None
    assert validate_call_plan(problem, result.plan) == []
    assert sum(len(seq.moves) for seq in result.plan.cranes) == made.calls[0].moves
    if name == "zim-chicago":
        assert result.bound is not None
        assert result.objective is not None
        assert result.objective <= 1.02 * result.bound


def test_same_seed_same_plan() -> None:
    """Two solves with one seed give byte-identical JSON."""
    problem = generate_call(8000, 4, 300, seed=5)
    a = plan_call_cranes(problem, time_limit_s=0.5, seed=7)
    b = plan_call_cranes(problem, time_limit_s=0.5, seed=7)
    assert a.plan is not None
    assert b.plan is not None
    assert json.dumps(to_json(a.plan)) == json.dumps(to_json(b.plan))


def test_the_twin_follows_the_planned_sequences() -> None:
    """With crane_plan="qcsp" each crane moves its boxes in planned order, and where two
    cranes share a section, its stages still follow each other (from the ledger)."""
    made = vessel_call("split-call", 1, discharge=120, load=120, cranes=3)
    settings = SimulationSettings(policy="fcfs", agvs=12, seed=3, crane_plan="qcsp")
    result = simulate(made, settings)
    assert result.finished
    call = made.calls[0]
    plan = planned_sequences(call, made.layout, load_kinematics("qianwan-1"), settings)
    profile = call.visit.profile
    done: dict[str, list[ContainerNumber]] = {}
    stages: dict[tuple[int, int], list[float]] = {}
    for e in result.events:
        if isinstance(e.from_place, VesselPlace) and isinstance(e.to_place, EquipmentPlace):
            crane, slot = e.to_place.equipment, e.from_place.slot
            stage = 0 if slot.on_deck else 1  # deck, then hold discharge
        elif isinstance(e.to_place, VesselPlace) and isinstance(e.from_place, EquipmentPlace):
            crane, slot = e.from_place.equipment, e.to_place.slot
            stage = 3 if slot.on_deck else 2  # hold, then deck load
        else:
            continue
        done.setdefault(crane, []).append(e.container)
        at = (e.at - result.start).total_seconds()
        stages.setdefault((profile.section_of(slot.bay).bay, stage), []).append(at)
    for crane, jobs in plan.items():
        assert done.get(crane, []) == [job.move.container for job in jobs]
    for (section, stage), times in stages.items():
        for later in range(stage + 1, 4):
            after = stages.get((section, later))
            assert after is None or max(times) < min(after), f"bay {section}: stage {later}"
    worked_by = {
        (profile.section_of(job.move.slot.bay).bay, crane)
        for crane, jobs in plan.items()
        for job in jobs
    }
    sections = {section for section, _ in worked_by}
    assert len(worked_by) > len(sections), "no section is shared: the test checks nothing"


def test_cli_plans_cranes(tmp_path: Path) -> None:
    """`opentos plan cranes` prints the plan, writes it with a picture, reads a problem file."""
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "opentos",
            "plan",
            "cranes",
            "--scenario",
            "small-call",
            "--seed",
            "1",
            "--time-limit",
            "0.5",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert sum(c["moves"] for c in printed["cranes"]) == twin_call("small-call").moves
    assert "valid" in done.stderr
    assert json.loads((out / "crane_plan.json").read_text())["plan"] == printed
    assert (out / "crane_plan.png").read_bytes().startswith(b"\x89PNG")
    problem = problem_from_json((out / "crane_problem.json").read_text())
    result = plan_call_cranes(problem, time_limit_s=0.5, seed=2017)
    assert result.plan is not None
    (tmp_path / "tiny.json").write_text(json.dumps(problem_to_json(tiny_call())))
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "opentos",
            "plan",
            "cranes",
            str(tmp_path / "tiny.json"),
            "--out",
            str(tmp_path / "tiny"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["makespan_s"] == brute_force(tiny_call())
    (tmp_path / "bad.json").write_text('{"cranes": []}')
    bad = subprocess.run(
        [sys.executable, "-m", "opentos", "plan", "cranes", str(tmp_path / "bad.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 1
    assert "bad.json" in bad.stderr
    assert "Traceback" not in bad.stderr
