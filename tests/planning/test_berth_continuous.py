"""Berth planning on a continuous quay: CP-SAT solver, validator, generator, plot."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pytest

from opentos.errors import InvalidValue
from opentos.planning.berth.continuous import (
    BerthPlacement,
    BerthPlan,
    BerthProblem,
    BerthVessel,
    generate_berth,
    plot_berth,
    solve_berth,
    validate_berth,
)
from opentos.planning.result import Status

# --- Tiny named instances -------------------------------------------------------------------------


def quay(vessels: tuple[BerthVessel, ...], /, **changes: object) -> BerthProblem:
    """A 100 m quay, 10 m deep, 10 m clearance, 2 QCs at 10 moves an hour, 10 m by 1 h grid."""
    fields: dict[str, object] = {
        "quay_length_m": 100.0,
        "depth_m": ((0.0, 100.0, 10.0),),
        "clearance_m": 10.0,
        "cranes": 2,
        "crane_rate": 10.0,
        "vessels": vessels,
        "horizon_s": 12 * 3600.0,
        "slot_m": 10.0,
        "slot_s": 3600.0,
    }
    fields.update(changes)
    return BerthProblem(**fields)  # type: ignore[arg-type]


TWO_VESSELS_NOT_SIDE_BY_SIDE = quay(
    (
        BerthVessel("A", 60.0, 8.0, 0.0, moves=30, max_cranes=2),
        BerthVessel("B", 50.0, 8.0, 3600.0, moves=20, weight=2.0, max_cranes=2),
    )
)
"""60 + 10 + 50 m does not fit on 100 m: one waits for the other; B weighs double."""

THREE_VESSELS_SHARING_TWO_CRANES = quay(
    (
        BerthVessel("A", 30.0, 8.0, 0.0, moves=40, max_cranes=2),
        BerthVessel("B", 30.0, 8.0, 0.0, moves=20, max_cranes=2),
        BerthVessel("C", 20.0, 8.0, 3600.0, moves=10, weight=3.0),
    ),
    horizon_s=10 * 3600.0,
)
"""All three fit side by side, but two cranes must be shared out over time."""

DEEP_WEST_SHALLOW_EAST = quay(
    (
        BerthVessel("DEEP", 40.0, 12.0, 0.0, moves=20, max_cranes=2),
        BerthVessel("SHALLOW", 40.0, 8.0, 0.0, moves=20, max_cranes=2),
        BerthVessel("LATE", 30.0, 12.0, 7200.0, moves=10),
    ),
    depth_m=((0.0, 50.0, 14.0), (50.0, 100.0, 9.0)),
    horizon_s=10 * 3600.0,
)
"""Only the west 50 m take a 12 m draft: DEEP and LATE compete for it."""

TINY = {
    "two vessels that cannot lie side by side": TWO_VESSELS_NOT_SIDE_BY_SIDE,
    "three vessels sharing two cranes": THREE_VESSELS_SHARING_TWO_CRANES,
    "deep water in the west, shallow in the east": DEEP_WEST_SHALLOW_EAST,
}


def brute_force(problem: BerthProblem) -> float | None:
    """The optimum on the solver's grid by enumeration (None: infeasible), apart from the solver.

    Every crane count and allowed position of every vessel, and every order: each vessel in
    turn starts at the first slot from its ETA where it meets no earlier one in space and the
    cranes suffice (serial schedule generation; it reaches an optimal, active schedule).
    """
    slot_m, slot_s = problem.slot_m, problem.slot_s
    horizon = int(problem.horizon_s // slot_s)
    choices = []
    for v in problem.vessels:
        eta = math.ceil(v.eta_s / slot_s)
        space = math.ceil((v.length_m + problem.clearance_m) / slot_m)
        positions = [
            p
            for p in range(int(problem.quay_length_m // slot_m) + 1)
            if p * slot_m + v.length_m <= problem.quay_length_m
            and all(
                depth >= v.draft_m
                for a, b, depth in problem.depth_m
                if a < p * slot_m + v.length_m and b > p * slot_m
            )
        ]
        crane_counts = range(v.min_cranes, min(v.max_cranes, problem.cranes) + 1)
        durations = {
            c: math.ceil(v.moves / (c * problem.crane_rate) * 3600 / slot_s) for c in crane_counts
        }
        choices.append([(eta, space, p, c, durations[c]) for p in positions for c in crane_counts])

    best: float | None = None
    for combo in itertools.product(*choices):
        for order in itertools.permutations(range(len(combo))):
            load = [0] * (horizon + 1)
            placed: list[tuple[int, int, int, int]] = []  # start, end, position, space
            total = 0.0
            for i in order:
                eta, space, p, c, d = combo[i]
                t = eta
                while t + d <= horizon and (
                    any(load[u] + c > problem.cranes for u in range(t, t + d))
                    or any(
                        s < t + d and t < e and q < p + space and p < q + w for s, e, q, w in placed
                    )
                ):
                    t += 1
                if t + d > horizon:
                    break
                for u in range(t, t + d):
                    load[u] += c
                placed.append((t, t + d, p, space))
                v = problem.vessels[i]
                total += v.weight * ((t + d) * slot_s - v.eta_s)
            else:
                if best is None or total < best:
                    best = total
    return best


# --- Solver ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TINY))
def test_tiny_instances_match_brute_force(name: str) -> None:
    """On tiny instances the solver proves the optimum the brute force finds on the same grid."""
    problem = TINY[name]
    result = solve_berth(problem)
    assert result.status == Status.OPTIMAL
    assert result.plan is not None
    assert validate_berth(problem, result.plan) == []
    assert result.objective == pytest.approx(brute_force(problem))


def test_vessels_that_cannot_lie_side_by_side_go_one_after_the_other() -> None:
    """Two vessels too long to share the quay are worked at different times."""
    result = solve_berth(TWO_VESSELS_NOT_SIDE_BY_SIDE)
    assert result.plan is not None
    a, b = result.plan.placements
    assert a.end_s <= b.start_s or b.end_s <= a.start_s


def test_deep_draft_vessels_lie_in_deep_water() -> None:
    """A vessel drawing 12 m lies wholly within the 14 m deep west part of the quay."""
    result = solve_berth(DEEP_WEST_SHALLOW_EAST)
    assert result.plan is not None
    lengths = {v.id: v.length_m for v in DEEP_WEST_SHALLOW_EAST.vessels}
    for placement in result.plan.placements:
        if placement.vessel in ("DEEP", "LATE"):
            assert placement.position_m + lengths[placement.vessel] <= 50.0


@pytest.mark.parametrize("n", [3, 6, 10])
def test_plans_on_generated_instances_are_valid(n: int) -> None:
    """Every plan the solver returns for a generated instance passes the validator."""
    problem = generate_berth(n, seed=n)
    result = solve_berth(problem, time_limit_s=3.0)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.plan is not None
    assert validate_berth(problem, result.plan) == []
    assert result.objective == result.plan.objective
    assert result.bound is not None
    assert result.bound <= result.plan.objective + 1e-6


def test_same_seed_gives_the_same_plan() -> None:
    """Two solves of the same instance with the same seed give the same plan."""
    problem = generate_berth(5, seed=7)
    first = solve_berth(problem, seed=3)
    second = solve_berth(problem, seed=3)
    assert first.status == Status.OPTIMAL
    assert first.plan == second.plan


def test_generator_is_reproducible() -> None:
    """The same seed generates the same instance; another seed another one."""
    assert generate_berth(6, seed=1) == generate_berth(6, seed=1)
    assert generate_berth(6, seed=1) != generate_berth(6, seed=2)


@pytest.mark.parametrize(
    ("why", "problem"),
    [
        (
            "a vessel longer than the quay",
            quay((BerthVessel("LONG", 120.0, 8.0, 0.0, moves=10),)),
        ),
        (
            "a vessel too deep for every position",
            quay((BerthVessel("DEEP", 40.0, 11.0, 0.0, moves=10),)),
        ),
        (
            "a vessel that needs more cranes than the quay has",
            quay((BerthVessel("BIG", 40.0, 8.0, 0.0, moves=10, min_cranes=3, max_cranes=3),)),
        ),
        (
            "a vessel that arrives too late to finish within the horizon",
            quay((BerthVessel("LATE", 40.0, 8.0, 11 * 3600.0, moves=40),)),
        ),
        (
            "two vessels that cannot lie side by side nor both finish in time",
            quay(TWO_VESSELS_NOT_SIDE_BY_SIDE.vessels, horizon_s=2 * 3600.0),
        ),
    ],
)
def test_infeasible_instances_are_reported_infeasible(why: str, problem: BerthProblem) -> None:
    """An instance with no plan gives INFEASIBLE, not an exception."""
    result = solve_berth(problem)
    assert result.status == Status.INFEASIBLE, why
    assert result.plan is None
    assert result.objective is None


def test_solver_rejects_bad_parameters() -> None:
    """A non-positive time limit or an out-of-range seed is an InvalidValue."""
    with pytest.raises(InvalidValue, match="time_limit_s"):
        solve_berth(TWO_VESSELS_NOT_SIDE_BY_SIDE, time_limit_s=0)
    with pytest.raises(InvalidValue, match="seed"):
        solve_berth(TWO_VESSELS_NOT_SIDE_BY_SIDE, seed=-1)


# --- Validator ------------------------------------------------------------------------------------


def _valid_plan() -> tuple[BerthProblem, BerthPlan]:
    problem = THREE_VESSELS_SHARING_TWO_CRANES
    result = solve_berth(problem)
    assert result.plan is not None
    return problem, result.plan


def _with(plan: BerthPlan, vessel: str, **changes: object) -> BerthPlan:
    placements = tuple(
        dataclasses.replace(p, **changes) if p.vessel == vessel else p  # type: ignore[arg-type]
        for p in plan.placements
    )
    return BerthPlan(placements, plan.objective)


def test_validator_finds_each_broken_rule() -> None:
    """The validator names a missing vessel, one off the quay, before its ETA, worked too fast,
    two too close at once, too many cranes at once and a wrong objective."""
    problem, plan = _valid_plan()
    a = next(p for p in plan.placements if p.vessel == "A")
    cases = {
        "not placed": BerthPlan(plan.placements[1:], plan.objective),
        "off the": _with(plan, "A", position_m=80.0),
        "before its ETA": _with(plan, "C", start_s=0.0, end_s=a.end_s + 36000),
        "needs": _with(plan, "A", end_s=a.start_s + 60.0),
        "outside": _with(plan, "A", cranes=3),
        "objective": BerthPlan(plan.placements, plan.objective + 1.0),
    }
    for expected, broken in cases.items():
        problems = validate_berth(problem, broken)
        assert any(expected in message for message in problems), (expected, problems)

    overlap = BerthPlan(
        (
            BerthPlacement("A", 0.0, 0.0, 7200.0, 2),
            BerthPlacement("B", 35.0, 0.0, 3600.0, 2),
            BerthPlacement("C", 80.0, 3600.0, 7200.0, 1),
        ),
        0.0,
    )
    problems = validate_berth(problem, overlap)
    assert any("less than the clearance" in m for m in problems), problems
    assert any("cranes at work" in m for m in problems), problems


def test_validator_checks_depth_along_the_whole_span() -> None:
    """A 12 m draft vessel reaching into the 9 m deep east part breaks the depth rule."""
    problem = DEEP_WEST_SHALLOW_EAST
    result = solve_berth(problem)
    assert result.plan is not None
    broken = _with(result.plan, "DEEP", position_m=20.0)
    assert any("m of water" in m for m in validate_berth(problem, broken))


# --- Problem checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quay_length_m": 0.0}, "quay_length_m"),
        ({"depth_m": ((0.0, 60.0, 10.0),)}, "not at the quay's end"),
        ({"depth_m": ((0.0, 40.0, 10.0), (50.0, 100.0, 10.0))}, "starts at 50 m"),
        ({"depth_m": ((0.0, 100.0, -1.0),)}, "depth_m"),
        ({"depth_m": ()}, "at least one segment"),
        ({"cranes": 0}, "cranes"),
        ({"crane_rate": -1.0}, "crane_rate"),
        ({"clearance_m": -1.0}, "clearance_m"),
        ({"vessels": ()}, "at least one vessel"),
        ({"slot_s": 0.001}, "slots"),
    ],
)
def test_problem_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    """A malformed problem is an InvalidValue naming the field."""
    with pytest.raises(InvalidValue, match=message):
        quay(TWO_VESSELS_NOT_SIDE_BY_SIDE.vessels, **changes)


def test_problem_rejects_duplicate_vessel_ids() -> None:
    """Two vessels with the same id are an InvalidValue."""
    vessel = TWO_VESSELS_NOT_SIDE_BY_SIDE.vessels[0]
    with pytest.raises(InvalidValue, match="appears twice"):
        quay((vessel, vessel))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": ""}, "id"),
        ({"length_m": 0.0}, "length_m"),
        ({"draft_m": float("nan")}, "draft_m"),
        ({"eta_s": -1.0}, "eta_s"),
        ({"moves": 0}, "moves"),
        ({"weight": -1.0}, "weight"),
        ({"min_cranes": 0}, "min_cranes"),
        ({"min_cranes": 3, "max_cranes": 2}, "max_cranes"),
    ],
)
def test_vessel_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    """A malformed vessel is an InvalidValue naming the field."""
    with pytest.raises(InvalidValue, match=message):
        dataclasses.replace(TWO_VESSELS_NOT_SIDE_BY_SIDE.vessels[0], **changes)  # type: ignore[arg-type]


# --- Plot -----------------------------------------------------------------------------------------


def test_plot_writes_a_png(tmp_path: Path) -> None:
    """plot_berth writes a PNG file."""
    problem = generate_berth(4, seed=0)
    result = solve_berth(problem, time_limit_s=2.0)
    assert result.plan is not None
    path = tmp_path / "berth.png"
    plot_berth(problem, result.plan, path)
    assert path.read_bytes().startswith(b"\x89PNG")
