"""``opentos berth``: assign a berth and a place along the quay to a vessel visit."""

from __future__ import annotations

from typing import Annotated

import typer

from opentos.cli.database import open_store
from opentos.cli.options import JsonOption, describe_visit, optional_time, report, visit_json
from opentos.operations.berths import assign_berth

berth_app = typer.Typer(help="Berth assignments.", no_args_is_help=True)


@berth_app.command("assign")
def assign(
    visit: Annotated[str, typer.Argument(help="Vessel visit id.")],
    berth: Annotated[str, typer.Argument(help="Berth id.")],
    position_m: Annotated[
        float | None,
        typer.Option("--position-m", min=0, help="Quay metre of the vessel's end nearer 0."),
    ] = None,
    berthing: Annotated[
        str | None, typer.Option(help="Planned berthing time, ISO 8601 (default: the ETA).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Assign a berth; refused if another visit holds those quay metres at that time."""
    with open_store() as store:
        assigned = assign_berth(
            store, visit, berth, position_m=position_m,
            planned_berthing=optional_time(berthing, "--berthing"),
        )  # fmt: skip
    report(describe_visit(assigned), visit_json(assigned), as_json)
