"""The train load planner: plans checked by the independent validator, optimum by enumeration."""

from __future__ import annotations

import itertools

import pytest
from rail_cases import box, three_wagons

from opentos.planning.rail.generate import generate
from opentos.planning.rail.problem import BOX_LENGTHS_FT, DgRules, RailLoadProblem
from opentos.planning.rail.solver import (
    greedy_load_plan,
    lp_bound,
    relaxation_bound,
    solve_load_plan,
)
from opentos.planning.rail.validate import check_load_plan, dg_code
from opentos.planning.result import Status


def brute_force(problem: RailLoadProblem) -> int:
    """The least cost by enumeration, written apart from the solver.

    Every box on no platform or on one of the train's platforms; for each platform
    the cheapest pattern that takes its boxes (by length count and payload); wagon
    payloads and DG rules checked on the whole assignment.
    """
    slots = [(w, p) for w, wagon in enumerate(problem.wagons)
             for p in range(len(wagon.wagon_type.platforms))]  # fmt: skip
    weights = problem.weights
    n = len(problem.wagons)
    rules = problem.dg_rules
    best: int | None = None
    for choice in itertools.product([None, *range(len(slots))], repeat=len(problem.boxes)):
        cost = 0
        ok = True
        wagon_boxes: dict[int, list[int]] = {}
        for b, c in enumerate(choice):
            box = problem.boxes[b]
            if c is None:
                cost += (
                    weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft
                )
            else:
                w, p = slots[c]
                wagon_boxes.setdefault(w, []).append(b)
                cost += round(abs(problem.box_x_m(box) - problem.platform_x_m(w, p)))
        for c, (w, p) in enumerate(slots):
            mine = [problem.boxes[b] for b, x in enumerate(choice) if x == c]
            wagon = problem.wagons[w]
            platform = wagon.wagon_type.platforms[p]
            options = [
                weights.setup * (k != wagon.current_patterns[p])
                for k, pattern in enumerate(platform.patterns)
                if all(
                    sum(b.length_ft == L for b in mine) <= pattern.count(L) for L in BOX_LENGTHS_FT
                )
                and sum(b.gross_kg for b in mine) <= platform.payload_kg(k)
            ]
            if not options:
                ok = False
                break
            cost += min(options)
        for w, indices in wagon_boxes.items():
            boxes = [problem.boxes[b] for b in indices]
            if sum(b.gross_kg for b in boxes) > problem.wagons[w].wagon_type.max_payload_kg:
                ok = False
            if any(b.is_dg for b in boxes) and (w < rules.free_first or w >= n - rules.free_last):
                ok = False
            if any(
                dg_code(a, b) >= rules.same_wagon_code for a, b in itertools.combinations(boxes, 2)
            ):
                ok = False
            nxt = [problem.boxes[b] for b in wagon_boxes.get(w + 1, [])]
            if any(dg_code(a, b) >= rules.adjacent_code for a in boxes for b in nxt):
                ok = False
        if ok and (best is None or cost < best):
            best = cost
    assert best is not None
    return best


SMALL = three_wagons(
    box("A", 40, 25_000, bay=2),
    box("B", 45, 20_000, bay=30, priority=2),
    box("C", 20, 26_000, bay=12, must_go=True),
    box("D", 20, 26_000, bay=14, dg_class="3"),
    box("E", 40, 28_000, bay=8, dg_class="5.1"),
    box("F", 20, 18_000, bay=6),
)
"""Six boxes for four platforms: D and E may not share a wagon; the Lgns takes 28.5 t."""


def test_small_instance_is_solved_to_its_optimum() -> None:
    """Six boxes on three wagons: CP-SAT proves the optimum that enumeration finds."""
    result = solve_load_plan(SMALL, time_limit_s=20, seed=1)
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    report = check_load_plan(SMALL, result.plan)
    assert report.ok, report.violations
    assert result.objective == report.objective == brute_force(SMALL)
    assert result.bound == pytest.approx(result.objective)
    assert relaxation_bound(SMALL) <= result.objective
    lp = lp_bound(SMALL)
    assert lp is not None
    assert lp <= result.objective


def test_dg_rules_shape_the_optimum() -> None:
    """With DG banned from the first and last wagons, D and E compete for the Sggrss."""
    problem = three_wagons(*SMALL.boxes, dg=DgRules(free_first=1, free_last=1))
    result = solve_load_plan(problem, time_limit_s=20, seed=1)
    assert result.plan is not None
    report = check_load_plan(problem, result.plan)
    assert report.ok, report.violations
    assert result.objective == brute_force(problem)
    on = {p.box_id: p.wagon for p in result.plan.placements}
    assert not ({"D", "E"} <= on.keys())  # one wagon may carry DG, and not both


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_plans_keep_every_rule(seed: int) -> None:
    """On generated trains, CP-SAT's plan passes the validator and its cost is recomputed."""
    problem = generate(12, 40, seed=seed)
    result = solve_load_plan(problem, time_limit_s=20, seed=seed, deterministic_time_s=1.0)
    assert result.plan is not None
    report = check_load_plan(problem, result.plan)
    assert report.ok, report.violations
    assert result.objective == report.objective
    assert result.bound is not None
    assert result.bound <= result.objective + 1e-6
    assert result.objective <= result.statistics["constructive_objective"]


@pytest.mark.parametrize("seed", [0, 1])
def test_long_trains_are_improved_window_by_window(seed: int) -> None:
    """On a train longer than a window, the windows' plan passes the validator and the
    relaxation bound stays below it."""
    problem = generate(30, 100, seed=seed)
    result = solve_load_plan(problem, time_limit_s=30, seed=seed, deterministic_time_s=2.0)
    assert result.plan is not None
    report = check_load_plan(problem, result.plan)
    assert report.ok, report.violations
    assert result.objective == report.objective
    assert result.statistics["windows"] > 1
    assert result.objective <= result.statistics["constructive_objective"]
    assert result.bound is not None
    assert result.bound <= result.objective
    assert result.statistics["lp_bound"] <= result.objective
    assert result.statistics["relaxation_bound"] <= result.objective


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_constructive_plan_alone_keeps_every_rule(seed: int) -> None:
    """The constructive plan passes the validator, on a train with more boxes than room."""
    problem = generate(30, 120, seed=seed)
    plan = greedy_load_plan(problem)
    report = check_load_plan(problem, plan)
    assert report.ok, report.violations
    assert plan.objective == report.objective
    assert report.boxes_loaded > 0


def test_same_seed_same_plan() -> None:
    """Two solves with one seed, two interleaved workers and a deterministic limit agree."""
    for wagons in (10, 24):  # one model; windows
        problem = generate(wagons, 3 * wagons, seed=5)
        runs = [
            solve_load_plan(problem, time_limit_s=60, seed=3, num_workers=2, deterministic_time_s=1)
            for _ in range(2)
        ]
        assert runs[0].plan == runs[1].plan
        assert runs[0].objective == runs[1].objective


def test_must_go_first_and_heavy_boxes_left() -> None:
    """A must-go box is loaded before optional ones; a box no wagon can carry is left."""
    problem = three_wagons(
        box("M", 45, 20_000, must_go=True),
        box("O", 45, 20_000, priority=3),
        box("X", 20, 30_000),
        box("Y", 20, 30_000),
        box("Z", 20, 30_000),
        box("W", 20, 30_000),
        box("V", 20, 30_000),
    )
    result = solve_load_plan(problem, time_limit_s=10, seed=0)
    assert result.plan is not None
    report = check_load_plan(problem, result.plan)
    assert report.ok, report.violations
    assert report.must_go_left == ()
    assert "O" in result.plan.left  # one 45' slot on the train: the Sgns
    # 30 t 20' boxes: the Sgns is taken by the 45'; the Sggrss takes one on each 55 t
    # platform, the Lgns none (28.5 t).
    assert sorted((p.wagon, p.platform) for p in result.plan.placements if p.box_id in "XYZWV") == [
        (1, 0),
        (1, 1),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit_s": 0}, "time_limit_s > 0"),
        ({"num_workers": 0}, "1 <= num_workers <= 8"),
        ({"seed": -1}, "0 <= seed < 2**31"),
        ({"deterministic_time_s": 0.0}, "deterministic_time_s > 0"),
    ],
)
def test_bad_solver_parameters_are_refused(kwargs: dict[str, float], message: str) -> None:
    """Bad parameters are refused with the expected range."""
    from opentos.errors import InvalidValue

    with pytest.raises(InvalidValue, match=message.replace("*", r"\*")):
        solve_load_plan(SMALL, **kwargs)  # type: ignore[arg-type]
