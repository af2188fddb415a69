"""Plan a vessel visit: its load plan and its crane split and sequences.

The planners (:mod:`opentos.planning`) are pure; these operations feed them
from what the Store holds and save their plans as work instructions, each in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opentos.planning.stowage.bayplan import draw_bay_plan
from opentos.planning.stowage.problem import StowagePlan, StowageProblem
from opentos.planning.stowage.validate import StowageReport, arrival_violations, validate_stowage


@dataclass(frozen=True, slots=True)
class StowageCheck:
    """The independent check of a load plan, with the arrival state's own faults apart."""

    report: StowageReport
    violations: tuple[str, ...]
    """Hard-rule breaks the plan makes (not already in the arrival state)."""
    arrival_violations: tuple[str, ...]
    """Hard-rule breaks already on board at arrival (no plan can undo them)."""


def check_stowage(problem: StowageProblem, plan: StowagePlan) -> StowageCheck:
    """Check ``plan`` with the independent validator."""
    report = validate_stowage(problem, plan)
    before = arrival_violations(problem)
    known = set(before)
    own = tuple(v for v in report.violations if v not in known)
    return StowageCheck(report, own, tuple(sorted(known)))


def draw_stowage(
    problem: StowageProblem, plan: StowagePlan, out: Path, bays: list[int] | None = None
) -> list[Path]:
    """Draw the bay plan as ``bay_plan.png`` and ``bay_plan.svg`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"bay_plan.{suffix}" for suffix in ("png", "svg")]
    for path in paths:
        draw_bay_plan(problem, plan, path, bays=bays)
    return paths
