"""``opentos plan stowage`` and ``opentos plan cranes --visit``: plan a stored visit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from opentos.cli.console import console
from opentos.cli.database import open_store
from opentos.cli.files import output_folder

if TYPE_CHECKING:
    from opentos.operations.planning import VisitCranes

VisitOption = Annotated[str, typer.Option("--visit", help="Id of the stored vessel visit.")]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON instead of a summary table.")
]


def stowage(
    visit: VisitOption,
    rotation: Annotated[
        str,
        typer.Option(
            help="Next ports of call in order, e.g. KRPUS,SGSIN "
            "(default: read from the stowage on board)."
        ),
    ] = "",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the planner.")
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    as_json: JsonFlag = False,
    out: Annotated[
        Path, typer.Option(help="Folder for stow_plan.json, bay_plan.png and bay_plan.svg.")
    ] = Path("out"),
) -> None:
    """Plan a stored visit's load plan from the boxes in the yard ordered for it; save
    its work instructions."""
    from opentos.operations.planning import check_stowage, draw_stowage, plan_stowage

    output_folder(out)
    given = [p.strip() for p in rotation.split(",") if p.strip()] or None
    with open_store() as store:
        planned = plan_stowage(store, visit, rotation=given, time_limit_s=time_limit, seed=seed)
    result, problem = planned.result, planned.problem
    print(f"status {result.status}, {result.runtime_s:.1f} s", file=sys.stderr)
    if result.plan is None:
        raise typer.Exit(2)
    check = check_stowage(problem, result.plan)
    ports = [str(p) for p in problem.rotation]
    document = {
        "visit": visit,
        "status": str(result.status),
        "objective": result.objective,
        "rotation": ports,
        "instructions": len(planned.instructions),
        "not_in_yard": [str(n) for n in planned.not_in_yard],
        "plan": result.plan.to_dict(),
        "check": check.to_dict(),
        "statistics": result.statistics,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "stow_plan.json").write_text(json.dumps(document, indent=2) + "\n")
    draw_stowage(problem, result.plan, out)
    if as_json:
        print(json.dumps(document))
        return
    report = check.report
    table = Table("load plan", "value", title=f"visit {visit}: load plan ({result.status})")
    table.add_row("rotation", " → ".join(ports))
    table.add_row("on the load list, in the yard", f"{len(problem.load):,}")
    table.add_row("ordered, not in the yard yet", f"{len(planned.not_in_yard):,}")
    table.add_row("loaded", f"{report.placed:,}")
    table.add_row("refused (no room, no VGM)", f"{report.refused_no_room}, {report.refused_no_vgm}")
    table.add_row("hard-rule violations (independent check)", str(len(check.violations)))
    table.add_row("overstows (lower bound)", f"{report.overstows} ({report.overstow_bound})")
    table.add_row("work instructions saved", f"{len(planned.instructions):,}")
    console.print(table)
    console.print(f"wrote {out / 'stow_plan.json'}, {out / 'bay_plan.png'}, {out / 'bay_plan.svg'}")


def visit_cranes(
    visit: str,
    cranes: str,
    berth_x_m: float | None,
    dual_cycling: bool,
    time_limit_s: float,
    seed: int,
    out: Path,
    as_json: bool,
) -> VisitCranes:
    """Plan the stored visit's cranes; print a summary table unless ``as_json``."""
    from opentos.operations.planning import plan_cranes

    chosen: int | list[str] | None = None
    if cranes.strip().isdigit():
        chosen = int(cranes)
    elif cranes.strip():
        chosen = [c.strip() for c in cranes.split(",") if c.strip()]
    with open_store() as store:
        planned = plan_cranes(
            store, visit, cranes=chosen, berth_x_m=berth_x_m, dual_cycling=dual_cycling,
            time_limit_s=time_limit_s, seed=seed,
        )  # fmt: skip
    plan = planned.result.plan
    if plan is not None and not as_json:
        title = f"visit {visit}: crane split and sequences ({planned.result.status})"
        table = Table("crane", "discharges", "loads", "finishes (h)", title=title)
        for seq in plan.cranes:
            table.add_row(
                seq.crane,
                str(sum(1 for m in seq.moves if m.kind == "discharge")),
                str(sum(1 for m in seq.moves if m.kind == "load")),
                f"{max((m.end_s for m in seq.moves), default=0) / 3600:.2f}",
            )
        table.add_row("all", "", "", f"{plan.makespan_s / 3600:.2f} (makespan)")
        console.print(table)
        console.print(
            f"{len(planned.instructions):,} work instructions saved; "
            f"wrote {out / 'crane_plan.json'} and {out / 'crane_plan.png'}"
        )
    return planned
