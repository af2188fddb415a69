"""``opentos plan``: planners from the command line, JSON out, pictures beside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opentos.cli.files import output_folder, read_input
from opentos.cli.plan_visit import stowage, visit_cranes
from opentos.cli.stow import stow

if TYPE_CHECKING:
    from opentos.planning.cranes.call import CallCranePlan, CallCraneProblem

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
    from opentos.planning.berth.continuous import generate_berth, plot_berth, solve_berth
    from opentos.planning.berth.files import plan_to_dict, problem_from_json, problem_to_dict

    if (problem is None) == (example == 0):
        raise typer.BadParameter("give a problem file or --example N (not both)")
    output_folder(out)
    if problem is not None:
        made = problem_from_json(read_input(problem), str(problem))
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
    from dataclasses import replace

    from opentos.operations.cranes import scenario_crane_problem
    from opentos.planning.cranes.call import (
        plan_call_cranes,
        problem_from_json,
        problem_to_json,
        to_json,
        validate_call_plan,
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
        made = problem_from_json(read_input(problem), str(problem))
        if dual_cycling is not None:
            made = replace(made, dual_cycling=dual_cycling)
        if split_sections is not None:
            made = replace(made, split_sections=split_sections)
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
        result = plan_call_cranes(made, time_limit, seed)
    problems = validate_call_plan(made, result.plan) if result.plan is not None else []
    print(
        f"status {result.status}, makespan {result.objective} s, lower bound {result.bound} s, "
        f"{result.runtime_s:.2f} s; " + ("valid" if not problems else f"INVALID: {problems[0]}"),
        file=sys.stderr,
    )
    if result.plan is None:
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    (out / "crane_problem.json").write_text(json.dumps(problem_to_json(made)) + "\n")
    document = {
        "status": str(result.status),
        "lower_bound_s": result.bound,
        "plan": to_json(result.plan),
    }
    (out / "crane_plan.json").write_text(json.dumps(document, indent=1) + "\n")
    plot_crane_plan(made, result.plan, out / "crane_plan.png")
    if visit is None or as_json:
        print(json.dumps(to_json(result.plan)))
    if problems:  # a planner bug: say so with the exit code too
        raise typer.Exit(3)


def plot_crane_plan(problem: CallCraneProblem, plan: CallCranePlan, path: Path) -> None:
    """Crane positions along the ship against time, one colour per crane, tasks as bars.

    A line follows each crane (it leaves a position just in time for its next one);
    a bar marks each run of moves of one section and stage: solid for discharges,
    hatched for loads. The y axis is the quay position, labelled with the bays.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    from opentos.planning.cranes.call import STAGES

    colours = plt.get_cmap("tab10")
    last_h = max(plan.makespan_s, 1) / 3600 * 1.03
    fig, ax = plt.subplots(figsize=(12, 7))
    for k, seq in enumerate(plan.cranes):
        colour = colours(k % 10)
        here = problem.start_x_m[k]
        xs, ys = [0.0], [here]
        bars: list[tuple[float, float, float, int]] = []  # start, end, position, stage
        for m in seq.moves:
            x = problem.bay_x_m[m.slot.bay]
            leave = m.start_s - problem.travel_s(here, x)
            xs += [leave / 3600, m.start_s / 3600]
            ys += [here, x]
            stage = STAGES.index(_stage(m.kind, m.slot.on_deck))
            if bars and bars[-1][2] == x and bars[-1][3] == stage and bars[-1][1] == m.start_s:
                bars[-1] = (bars[-1][0], m.end_s, x, stage)
            else:
                bars.append((m.start_s, m.end_s, x, stage))
            here = x
        xs.append(last_h)
        ys.append(here)
        ax.plot(xs, ys, color=colour, linewidth=1.2, label=f"{seq.crane} ({len(seq.moves)} moves)")
        for start, end, x, stage in bars:
            ax.add_patch(
                Rectangle(
                    (start / 3600, x - 3.0),
                    (end - start) / 3600,
                    6.0,
                    facecolor=colour,
                    edgecolor="black",
                    linewidth=0.3,
                    alpha=0.85 if stage in (0, 1) else 0.45,
                    hatch=None if stage in (0, 1) else "//",
                )
            )
    labels: dict[float, list[int]] = {}
    for bay, x in problem.bay_x_m.items():
        labels.setdefault(round(x, 3), []).append(bay)
    ticks = sorted(labels)
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{x:.0f} m  bay {_section_name(labels[x])}" for x in ticks], fontsize=6)
    ax.set_xlim(0, last_h)
    low = min([*ticks, *problem.start_x_m]) - 15
    high = max([*ticks, *problem.start_x_m]) + 15
    ax.set_ylim(low, high)
    ax.set_xlabel("time (hours)")
    ax.set_ylabel("quay position (the ship's bays)")
    ax.set_title(
        f"Crane split and sequences: {len(problem.moves)} moves, {len(problem.cranes)} QCs, "
        f"makespan {plan.makespan_s / 3600:.2f} h"
    )
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Patch(facecolor="grey", alpha=0.85, label="discharge (deck, then hold)"),
        Patch(facecolor="grey", alpha=0.45, hatch="//", label="load (hold, then deck)"),
    ]
    ax.legend(
        handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _stage(kind: str, on_deck: bool) -> str:
    if kind == "discharge":
        return "deck discharge" if on_deck else "hold discharge"
    return "deck load" if on_deck else "hold load"


def _section_name(bays: list[int]) -> str:
    """A section by its 40' bay, or its lone 20' bay."""
    even = [b for b in bays if b % 2 == 0]
    return f"{(even or sorted(bays))[0]:02d}"
