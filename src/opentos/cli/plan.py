"""``opentos plan``: planners from the command line, JSON out, pictures beside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from opentos.errors import DataImportError

plan_app = typer.Typer(help="Planning: berth plans (more to come).", no_args_is_help=True)


@plan_app.command("berth")
def berth(
    problem: Annotated[
        Path | None, typer.Argument(help="Berth problem (JSON); see opentos.planning.berth.files.")
    ] = None,
    example: Annotated[
        int, typer.Option(help="Plan a generated qianwan-1 example with this many vessels.")
    ] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the solver.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the example and of the search.")] = 0,
    out: Annotated[
        Path, typer.Option(help="Folder for berth_plan.json and berth_plan.png.")
    ] = Path("out"),
) -> None:
    """Place vessels on the quay and in time; print the plan as JSON, draw it as a PNG."""
    from opentos.planning.berth.continuous import generate_berth, plot_berth, solve_berth
    from opentos.planning.berth.files import plan_to_dict, problem_from_json, problem_to_dict

    if (problem is None) == (example == 0):
        raise typer.BadParameter("give a problem file or --example N (not both)")
    if problem is not None:
        try:
            text = problem.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataImportError(str(problem), [f"cannot read the file: {exc}"]) from None
        made = problem_from_json(text, str(problem))
    else:
        made = generate_berth(example, seed)
    result = solve_berth(made, time_limit_s=time_limit, seed=seed)
    print(
        f"status {result.status}, objective {result.objective} s, bound {result.bound}, "
        f"{result.runtime_s:.2f} s",
        file=sys.stderr,
    )
    if result.plan is None:
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "status": str(result.status),
        "problem": problem_to_dict(made),
        "plan": plan_to_dict(result.plan),
    }
    (out / "berth_plan.json").write_text(json.dumps(document, indent=2) + "\n")
    plot_berth(made, result.plan, out / "berth_plan.png")
    print(json.dumps(plan_to_dict(result.plan)))
