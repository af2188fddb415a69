"""``opentos plan stow``: a vessel's load plan from a problem file or a generated example."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from opentos.cli.files import output_folder, read_input
from opentos.model.dictread import parse_json


def stow(
    problem: Annotated[
        Path | None,
        typer.Argument(
            help="Stowage problem (JSON, as written by --example); see docs/stowage.md."
        ),
    ] = None,
    example: Annotated[
        int, typer.Option(help="Plan a generated example on a vessel class of this many TEU.")
    ] = 0,
    moves: Annotated[int, typer.Option(help="Load moves of the example.")] = 0,
    ports: Annotated[int, typer.Option(help="Ports of discharge of the example.")] = 5,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the planner.")
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="Seed of the example and of the search.")] = 0,
    bays: Annotated[
        str, typer.Option(help="Draw only these bays, e.g. 12,16 (default: every section).")
    ] = "",
    out: Annotated[
        Path,
        typer.Option(help="Folder for stow_plan.json, bay_plan.png and bay_plan.svg."),
    ] = Path("out"),
) -> None:
    """Plan where every box of the load list goes; print the plan and its check as JSON."""
    from opentos.operations.planning import draw_stowage, solve_and_check_stowage, stowage_problem

    if (problem is None) == (example == 0):
        raise typer.BadParameter("give a problem file or --example TEU (not both)")
    try:
        chosen = [int(b) for b in bays.split(",") if b.strip()] if bays else None
    except ValueError:
        raise typer.BadParameter(f"--bays {bays!r} is not a list of bay numbers") from None
    output_folder(out)
    if problem is not None:
        made = stowage_problem(parse_json(read_input(problem), str(problem)), str(problem))
    else:
        made = stowage_problem(example_teu=example, moves=moves, ports=ports, seed=seed)
    result, checked = solve_and_check_stowage(made, time_limit_s=time_limit, seed=seed)
    if result.plan is None or checked is None:
        print(f"status {result.status}: no plan", file=sys.stderr)
        raise typer.Exit(2)
    report, own, before = checked.report, checked.violations, checked.arrival_violations
    check = checked.to_dict()
    print(
        f"status {result.status}, {report.placed} placed, "
        f"{len(own)} violations ({len(before)} in the arrival state), "
        f"{report.overstows} overstows (bound {report.overstow_bound}), "
        f"{result.runtime_s:.1f} s",
        file=sys.stderr,
    )
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "status": str(result.status),
        "plan": result.plan.to_dict(),
        "check": check,
        "statistics": result.statistics,
    }
    if example:
        (out / "stow_problem.json").write_text(json.dumps(made.to_dict()) + "\n")
    (out / "stow_plan.json").write_text(json.dumps(document, indent=2) + "\n")
    draw_stowage(made, result.plan, out, chosen)
    print(json.dumps(document))
