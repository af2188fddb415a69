"""The berth plan: vessels placed on the quay and in time, from a problem file or an example."""

from __future__ import annotations

import json
from pathlib import Path

from opentos.planning.berth.continuous import BerthPlan, BerthProblem
from opentos.planning.result import Result


def berth_problem(
    text: str | None = None, source: str = "<problem>", *, example: int = 0, seed: int = 0
) -> BerthProblem:
    """A berth problem read from ``text`` (JSON, from ``source``), or a generated qianwan-1
    example of ``example`` vessels.

    Raises
    ------
    DataImportError
        ``text`` is not a berth problem; the error names ``source``.
    """
    from opentos.planning.berth.continuous import generate_berth
    from opentos.planning.berth.files import problem_from_json

    if text is not None:
        return problem_from_json(text, source)
    return generate_berth(example, seed)


def plan_berths(
    problem: BerthProblem, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[BerthPlan]:
    """The berth planner's result for ``problem``."""
    from opentos.planning.berth.continuous import solve_berth

    return solve_berth(problem, time_limit_s=time_limit_s, seed=seed)


def write_berth_plan(
    problem: BerthProblem, result: Result[BerthPlan], plan: BerthPlan, out: Path
) -> dict[str, object]:
    """Write ``berth_plan.json`` (status, problem, plan) and ``berth_plan.png`` into ``out``;
    return the plan as JSON."""
    from opentos.planning.berth.continuous import plot_berth
    from opentos.planning.berth.files import plan_to_dict, problem_to_dict

    out.mkdir(parents=True, exist_ok=True)
    document = {
        "status": str(result.status),
        "problem": problem_to_dict(problem),
        "plan": plan_to_dict(plan),
    }
    (out / "berth_plan.json").write_text(json.dumps(document, indent=2) + "\n")
    plot_berth(problem, plan, out / "berth_plan.png")
    return dict(plan_to_dict(plan))
