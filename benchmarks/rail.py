"""Rail load planning benchmark: a 100-wagon train with 300 candidate boxes, 10 s.

The train and boxes come from ``opentos.planning.rail.generate`` (seed 1); the
plan is made by CP-SAT with two workers from the constructive plan and checked
by the independent validator. The figure gives the boxes loaded, the share of
the train's loading length used, the set-ups and crane travel, the cost against
the best lower bound (CP-SAT's, the model's LP relaxation by GLOP, or the
aggregate relaxation; gap = (cost - bound) / cost), the constructive plan's
cost and the wall time. ``python -m benchmarks.rail [--quick]`` runs it alone.
"""

from __future__ import annotations

import argparse

Row = tuple[str, str, str]

TARGET = "<= 10 s, valid, gap to the bound printed"


def _one(wagons: int, boxes: int, seed: int, time_limit_s: float, target: str) -> Row:
    from opentos.planning.rail.generate import generate
    from opentos.planning.rail.solver import solve_load_plan
    from opentos.planning.rail.validate import check_load_plan

    name = f"rail load plan, {wagons} wagons, {boxes} candidate boxes, seed {seed}"
    problem = generate(wagons, boxes, seed=seed)
    result = solve_load_plan(problem, time_limit_s=time_limit_s, num_workers=2, seed=seed)
    if result.plan is None or result.objective is None:
        return (name, f"{result.status}: no plan, {result.runtime_s:.1f} s", target)
    report = check_load_plan(problem, result.plan)
    valid = "valid" if report.ok else f"INVALID: {report.violations[0]}"
    must_go = sum(b.must_go for b in problem.boxes)
    if result.bound is not None and result.objective > 0:
        gap_share = (result.objective - result.bound) / result.objective
        source = (
            "LP relaxation"
            if result.bound == result.statistics.get("lp_bound")
            else "aggregate relaxation"
            if result.bound == result.statistics.get("relaxation_bound")
            else "CP-SAT"
        )
        gap = f"bound {result.bound:,.0f} ({source}), gap {gap_share:.1%}"
    else:
        gap = "no bound"
    measured = (
        f"{result.status}, {result.runtime_s:.1f} s; loaded "
        f"{report.boxes_loaded}/{len(problem.boxes)} "
        f"(must-go {must_go - len(report.must_go_left)}/{must_go}), utilisation "
        f"{report.utilisation:.1%} of {report.capacity_ft:,} ft; {report.setups} set-ups, crane "
        f"travel {report.crane_travel_m / 1000:.1f} km; objective {result.objective:,.0f}, {gap}; "
        f"constructive {result.statistics['constructive_objective']:,.0f}; {valid}"
    )
    return (name, measured, target)


def run(quick: bool = False) -> list[Row]:
    """The 100-wagon benchmark (a 30-wagon one with ``quick``); rows of (figure, value, target)."""
    if quick:
        return [_one(30, 90, 1, 5.0, "")]
    return [_one(100, 300, 1, 10.0, TARGET)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The rail load planning benchmark.")
    parser.add_argument("--quick", action="store_true", help="a 30-wagon train, 5 s")
    args = parser.parse_args()
    for row in run(args.quick):
        print(" | ".join(row), flush=True)
