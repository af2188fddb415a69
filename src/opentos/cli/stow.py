"""``opentos plan stow``: a vessel's load plan from a problem file or a generated example."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from opentos.cli.files import output_folder, read_input
from opentos.errors import DataImportError, InvalidValue
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
    from opentos.planning.stowage.bayplan import draw_bay_plan
    from opentos.planning.stowage.generate import generate_stowage
    from opentos.planning.stowage.problem import StowageProblem
    from opentos.planning.stowage.solver import solve_stowage
    from opentos.planning.stowage.validate import arrival_violations, validate_stowage

    if (problem is None) == (example == 0):
        raise typer.BadParameter("give a problem file or --example TEU (not both)")
    try:
        chosen = [int(b) for b in bays.split(",") if b.strip()] if bays else None
    except ValueError:
        raise typer.BadParameter(f"--bays {bays!r} is not a list of bay numbers") from None
    output_folder(out)
    if problem is not None:
        data = parse_json(read_input(problem), str(problem))
        if not isinstance(data, dict):
            raise DataImportError(str(problem), ["expected a JSON object"])
        try:
            made = StowageProblem.from_dict(data)
        except InvalidValue as exc:
            raise DataImportError(str(problem), [str(exc)]) from None
    else:
        made = generate_stowage(example, moves or round(0.42 * example), ports=ports, seed=seed)
    result = solve_stowage(made, time_limit_s=time_limit, seed=seed)
    if result.plan is None:
        print(f"status {result.status}: no plan", file=sys.stderr)
        raise typer.Exit(2)
    report = validate_stowage(made, result.plan)
    before = set(arrival_violations(made))
    c = report.condition
    own = [v for v in report.violations if v not in before]
    check = {
        "violations": own,
        "arrival_violations": sorted(before),
        "placed": report.placed,
        "refused_no_vgm": report.refused_no_vgm,
        "refused_no_room": report.refused_no_room,
        "overstows": report.overstows,
        "overstow_bound": report.overstow_bound,
        "hatch_cover_restows": report.hatch_cover_restows,
        "max_section_moves": report.max_section_moves,
        "mean_section_moves": round(report.mean_section_moves, 2),
        "hatch_openings": report.hatch_openings,
        "weight_inversions": report.weight_inversions,
        "gm_m": round(c.gm_m, 3),
        "trim_m": round(c.trim_m, 3),
        "list_deg": round(c.list_deg, 3),
        "draft_m": round(max(c.draft_aft_m, c.draft_fwd_m), 3),
        "displacement_t": round(c.displacement_t, 1),
    }
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
    for suffix in ("png", "svg"):
        draw_bay_plan(made, result.plan, out / f"bay_plan.{suffix}", bays=chosen)
    print(json.dumps(document))
