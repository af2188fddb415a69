"""Planning benchmarks: solve times and objectives on generated instances.

Berth plans on a continuous quay, berth allocation (DBAP), quay crane
scheduling (QCSP), block relocation (BRP) and multi-port stowage (MPSP), each
solved with a 10 s limit and checked by its independent validator; the figure
is the runtime, the objective and the status. The call-level crane split and
sequences (``plan_call_cranes``) are measured on the twin's zim-chicago call and
on a generated 24,000 TEU call with 7 cranes: makespan, lower bound, solve time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opentos.planning.result import Result

Row = tuple[str, str, str]


def _row(name: str, result: Result[Any], problems: Sequence[str]) -> Row:
    valid = "valid" if not problems else f"INVALID: {problems[0]}"
    bound = f", bound {result.bound:g}" if result.bound is not None else ""
    return (
        name,
        f"{result.status}, objective {result.objective}{bound}, {result.runtime_s:.2f} s ({valid})",
        "",
    )


def _suite(
    label: str,
    sizes: Sequence[tuple[int, ...]],
    generate: Callable[..., Any],
    solve: Callable[..., Result[Any]],
    validate: Callable[[Any, Any], list[str]],
) -> list[Row]:
    rows = []
    for size in sizes:
        instance = generate(*size, seed=1)
        result = solve(instance, time_limit_s=10.0, seed=1)
        problems = validate(instance, result.plan) if result.plan is not None else ["no plan"]
        rows.append(_row(f"{label} {'x'.join(map(str, size))}", result, problems))
    return rows


def crane_calls(quick: bool = False) -> list[Row]:
    """Crane split and sequences of whole calls: makespan against the lower bound."""
    from opentos.operations.cranes import crane_problem
    from opentos.operations.scenarios import zim_chicago
    from opentos.planning.cranes.call import generate_call, plan_call_cranes, validate_call_plan
    from opentos.presets.kinematics import load_kinematics

    scenario = zim_chicago()
    call = scenario.calls[0]
    kinematics = load_kinematics("qianwan-1")
    problems = [
        (
            f"crane plan, zim-chicago call ({call.moves} moves, {len(call.cranes)} QCs, "
            "sections split at zone boundaries)",
            crane_problem(call, scenario.layout, kinematics),
        ),
        (
            f"crane plan, zim-chicago call ({call.moves} moves, whole sections per crane)",
            crane_problem(call, scenario.layout, kinematics, split_sections=False),
        ),
        (
            "crane plan, generated 24,000 TEU call (6,000 moves, 7 QCs, sections split)",
            generate_call(24_000, 7, 6_000, seed=1, split_sections=True),
        ),
    ]
    rows = []
    for name, problem in problems[:2] if quick else problems:
        result = plan_call_cranes(problem, time_limit_s=10.0, seed=1)
        found = validate_call_plan(problem, result.plan) if result.plan is not None else []
        valid = "valid" if result.plan is not None and not found else f"INVALID: {found[:1]}"
        if result.objective is None or result.bound is None:
            rows.append((name, f"{result.status}, no plan, {result.runtime_s:.1f} s", ""))
            continue
        gap = result.objective / result.bound - 1 if result.bound else 0.0
        start = result.statistics.get("constructive_makespan_s", float("nan"))
        rows.append(
            (
                name,
                f"{result.status}, makespan {result.objective:.0f} s "
                f"({result.objective / 3600:.2f} h), lower bound {result.bound:.0f} s "
                f"(+{gap:.1%}), constructive {start:.0f} s, {result.runtime_s:.1f} s ({valid})",
                "",
            )
        )
    return rows


def run(quick: bool = False) -> list[Row]:
    """Every planning benchmark; rows of (figure, value, target)."""
    from opentos.planning.berth.continuous import generate_berth, solve_berth, validate_berth
    from opentos.planning.berth.dbap import generate_dbap, solve_dbap, validate_dbap
    from opentos.planning.cranes.qcsp import generate_qcsp, solve_qcsp, validate_qcsp
    from opentos.planning.stowage.mpsp import generate_mpsp, solve_mpsp, validate_mpsp
    from opentos.planning.yard.brp import generate_brp, solve_brp, validate_brp

    rows: list[Row] = []
    rows += _suite(
        "berth plan on the qianwan-1 quay (660 m, 7 QCs), vessels",
        [(5,), (10,)] if quick else [(5,), (10,), (20,)],
        generate_berth,
        solve_berth,
        validate_berth,
    )
    rows += _suite(
        "DBAP vessels x berths",
        [(10, 3), (30, 5)] if quick else [(10, 3), (30, 5), (60, 10)],
        generate_dbap,
        solve_dbap,
        validate_dbap,
    )
    rows += _suite(
        "QCSP tasks x bays x cranes",
        [(10, 10, 2)] if quick else [(10, 10, 2), (20, 15, 3), (40, 20, 4)],
        generate_qcsp,
        solve_qcsp,
        validate_qcsp,
    )
    rows += crane_calls(quick)
    rows += _suite(
        "BRP stacks x tiers",
        [(3, 3), (4, 4)] if quick else [(3, 3), (4, 4), (5, 4), (6, 5)],
        generate_brp,
        solve_brp,
        validate_brp,
    )
    rows += _suite(
        "MPSP ports x tiers x stacks",
        [(5, 6, 10)] if quick else [(5, 6, 10), (8, 6, 10), (10, 10, 20)],
        generate_mpsp,
        solve_mpsp,
        validate_mpsp,
    )
    return rows
