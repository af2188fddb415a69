"""``opentos plan``: planners from the command line, JSON out, pictures beside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from opentos.cli.files import output_folder, read_input
from opentos.cli.plan_visit import stowage, visit_cranes
from opentos.cli.stow import stow

plan_app = typer.Typer(
    help="Planning: berth plans, load plans (stowage), crane split and sequences.",
    no_args_is_help=True,
)
plan_app.command("stow")(stow)
plan_app.command("stowage")(stowage)


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
    from opentos.operations.berth_plan import berth_problem, plan_berths, write_berth_plan

    if (problem is None) == (example == 0):
        raise typer.BadParameter("give a problem file or --example N (not both)")
    output_folder(out)
    if problem is not None:
        made = berth_problem(read_input(problem), str(problem))
    else:
        made = berth_problem(example=example, seed=seed)
    result = plan_berths(made, time_limit_s=time_limit, seed=seed)
    print(
        f"status {result.status}, objective {result.objective} s, bound {result.bound}, "
        f"{result.runtime_s:.2f} s",
        file=sys.stderr,
    )
    if result.plan is None:
        raise typer.Exit(2)
    print(json.dumps(write_berth_plan(made, result, result.plan, out)))


@plan_app.command("cranes")
def cranes(
    problem: Annotated[
        Path | None,
        typer.Argument(help="Crane problem (JSON); see opentos.planning.cranes.call."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Plan a twin scenario's call instead: zim-chicago, small-call, ..."),
    ] = None,
    call: Annotated[
        str | None, typer.Option(help="Visit id of the scenario's call (default: its first).")
    ] = None,
    visit: Annotated[
        str | None,
        typer.Option(help="Plan a stored vessel visit instead, and save its work instructions."),
    ] = None,
    quay_cranes: Annotated[
        str,
        typer.Option(
            "--cranes",
            help="With --visit: how many quay cranes (e.g. 3) or which (QC01,QC02); "
            "default: those over the vessel.",
        ),
    ] = "",
    berth_x: Annotated[
        float | None,
        typer.Option("--berth-x", help="With --visit: the stern's quay position (m)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --visit: JSON only, no summary table.")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="CP-SAT's (deterministic) seconds.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the scenario and of the search.")] = 2017,
    dual_cycling: Annotated[
        bool | None,
        typer.Option(
            "--dual-cycling/--no-dual-cycling",
            help="Pair hold loads and discharges in one main-trolley cycle "
            "(default: off, or the problem file's).",
            show_default=False,
        ),
    ] = None,
    split_sections: Annotated[
        bool | None,
        typer.Option(
            "--split-sections/--whole-sections",
            help="Let zone boundaries cut a bay section, even a stage "
            "(default: split, or the problem file's).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(help="Folder for crane_problem.json, crane_plan.json and crane_plan.png."),
    ] = Path("out"),
) -> None:
    """Crane split and sequences (QCSP) of a vessel call; print the plan as JSON, draw it.

    With --scenario the problem is the twin's: the call's moves with their
    main-trolley cycles, its cranes where the quay puts them. The folder also gets
    the problem as crane_problem.json, which can be edited and planned again. With
    --visit the problem is a stored visit's (its discharges and the loads its load
    plan put on board) and the plan is saved as the visit's work instructions.
    """
    from opentos.operations.cranes import (
        check_crane_plan,
        crane_problem_file,
        plan_crane_problem,
        scenario_crane_problem,
        write_crane_plan,
    )

    if sum(x is not None for x in (problem, scenario, visit)) != 1:
        raise typer.BadParameter("give a problem file, --scenario NAME or --visit ID (one)")
    if call is not None and scenario is None:
        raise typer.BadParameter("--call picks a call of a --scenario")
    if visit is None and (quay_cranes or berth_x is not None or as_json):
        raise typer.BadParameter("--cranes, --berth-x and --json go with --visit")
    output_folder(out)
    if visit is not None:
        planned = visit_cranes(
            visit, quay_cranes, berth_x, bool(dual_cycling), time_limit, seed, out, as_json
        )
        made, result = planned.problem, planned.result
    elif problem is not None:
        made = crane_problem_file(
            read_input(problem), str(problem), dual_cycling=dual_cycling,
            split_sections=split_sections,
        )  # fmt: skip
    else:
        assert scenario is not None
        made = scenario_crane_problem(
            scenario,
            call,
            seed,
            dual_cycling=bool(dual_cycling),
            split_sections=split_sections is not False,
        )
    if visit is None:
        result = plan_crane_problem(made, time_limit_s=time_limit, seed=seed)
    problems = check_crane_plan(made, result.plan) if result.plan is not None else []
    print(
        f"status {result.status}, makespan {result.objective} s, lower bound {result.bound} s, "
        f"{result.runtime_s:.2f} s; " + ("valid" if not problems else f"INVALID: {problems[0]}"),
        file=sys.stderr,
    )
    if result.plan is None:
        raise typer.Exit(2)
    plan_json = write_crane_plan(made, result, result.plan, out)
    if visit is None or as_json:
        print(json.dumps(plan_json))
    if problems:  # a planner bug: say so with the exit code too
        raise typer.Exit(3)
