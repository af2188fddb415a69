"""The ``opentos`` command line.

Every command works on one database: ``--database URL``, else
``OPENTOS_DATABASE_URL``, else ``opentos.db`` in the working directory. An
OpenTOS error is printed as one line on stderr and the command exits with 1; a
rejected file's problems follow, one a line, the first 50 then ``... and N more
problems``. What users typed or gave in files is printed literally
(:mod:`opentos.cli.console`), and output paths are checked before any work
(:mod:`opentos.cli.files`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opentos.cli.appointment import appointment_app
from opentos.cli.bench import bench_app
from opentos.cli.berth import berth_app
from opentos.cli.console import console, err_console, styled
from opentos.cli.container import container_app
from opentos.cli.database import chosen, database_url, open_store
from opentos.cli.edi import edi_app
from opentos.cli.files import output_folder
from opentos.cli.hold import hold_app
from opentos.cli.move import move_app
from opentos.cli.plan import plan_app
from opentos.cli.progress import progress
from opentos.cli.serve import serve
from opentos.cli.users import users_app
from opentos.cli.visit import visit_app
from opentos.errors import DataImportError, NotFound, OpenTosError
from opentos.model.ids import ContainerNumber
from opentos.model.places import Place
from opentos.presets import load_preset, preset_names
from opentos.storage.stocktake import import_stocktake, read_stocktake
from opentos.storage.store import Store

app = typer.Typer(
    help="OpenTOS: terminal operating system for automated container terminals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
ledger_app = typer.Typer(help="The move ledger.", no_args_is_help=True)
import_app = typer.Typer(
    help="Bulk imports, each applied whole or not at all.", no_args_is_help=True
)
app.add_typer(ledger_app, name="ledger")
app.add_typer(import_app, name="import")
app.add_typer(bench_app, name="bench")
app.add_typer(plan_app, name="plan")
app.add_typer(edi_app, name="edi")
app.add_typer(container_app, name="container")
app.add_typer(visit_app, name="visit")
app.add_typer(berth_app, name="berth")
app.add_typer(move_app, name="move")
app.add_typer(hold_app, name="hold")
app.add_typer(appointment_app, name="appointment")
app.add_typer(users_app, name="users")
app.command()(serve)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        help="Database URL (default: OPENTOS_DATABASE_URL, else sqlite:///opentos.db).",
    ),
]


@app.callback()
def _global(database: DatabaseOption = None) -> None:
    chosen.url = database


_url = database_url
_open = open_store


@app.command()
def init(
    preset: Annotated[
        str, typer.Option(help=f"Reference terminal: {', '.join(preset_names())}.")
    ] = "qianwan-1",
) -> None:
    """Create a terminal from a preset in a new database."""
    layout = load_preset(preset)
    with Store.create(_url(), layout, preset) as store:
        console.print(
            styled(
                "Created terminal ",
                (layout.name, "bold"),
                f" from preset {preset} in {store.engine.url!r}",
            )
        )


@app.command()
def terminal() -> None:
    """Show the terminal's layout, fleet, capacity and occupancy."""
    from opentos.cli.report import terminal_tables

    with _open() as store:
        for table in terminal_tables(store):
            console.print(table)


@app.command()
def inventory(
    container: Annotated[str | None, typer.Argument(help="Container number.")] = None,
    block: Annotated[str | None, typer.Option(help="List what is in a yard block.")] = None,
    visit: Annotated[str | None, typer.Option(help="List what is on board a vessel visit.")] = None,
) -> None:
    """Where is a container; what is in a block; what is on a vessel visit."""
    chosen = [x for x in (container, block, visit) if x is not None]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of CONTAINER, --block or --visit")
    with _open() as store:
        if container is not None:
            _show_container(store, ContainerNumber.parse(container))
        else:
            if block is not None:
                rows, title = store.in_block(block), f"Block {block}"
            else:
                assert visit is not None
                rows, title = store.on_visit(visit), f"Vessel visit {visit}"
            _show_places(store, rows, title)


def _show_container(store: Store, number: ContainerNumber) -> None:
    box = store.container(number)
    place = store.where(number)
    console.print(
        styled((str(number), "bold"), f" {box.iso_type.code} ({box.iso_type.description})")
    )
    console.print(f"  operator {box.operator}, {'full' if box.full_empty == 'F' else 'empty'}")
    weights = f"gross {box.gross_weight_kg} kg" if box.gross_weight_kg else "gross unknown"
    console.print(f"  {weights}, VGM {box.vgm_kg or 'none'}")
    console.print(
        f"  ports: loading {box.port_of_loading or '-'}, discharge {box.port_of_discharge or '-'}"
    )
    if box.reefer:
        console.print(f"  reefer {box.reefer}")
    for dg in box.dangerous_goods:
        console.print(f"  dangerous goods {dg}")
    for hold in box.holds:
        console.print(f"  hold: {hold.kind} {hold.reason}")
    where = str(place) if place is not None else "not in the terminal"
    console.print(styled("  ", ("where:", "bold"), f" {where}"))
    table = Table("seq", "time (UTC)", "from", "to", "equipment", title="Ledger")
    for event in store.events(container=number):
        table.add_row(
            str(event.seq),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            str(event.from_place or "outside"),
            str(event.to_place or "outside"),
            event.equipment or "",
        )
    console.print(table)


def _show_places(store: Store, rows: Sequence[tuple[ContainerNumber, Place]], title: str) -> None:
    table = Table("place", "container", "type", "F/E", "kg", "POD", title=f"{title}: {len(rows)}")
    limit = 200
    boxes = store.containers([number for number, _ in rows])
    for number, place in rows[:limit]:
        box = boxes[number]
        table.add_row(
            str(place),
            str(number),
            box.iso_type.code,
            str(box.full_empty),
            str(box.weight_for_planning_kg or ""),
            str(box.port_of_discharge or ""),
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"... and {len(rows) - limit} more")
    types = Counter(boxes[n].iso_type.code for n, _ in rows)
    console.print("types: " + ", ".join(f"{k} {v}" for k, v in types.most_common()))


@import_app.command("inventory")
def import_inventory(
    file: Annotated[Path, typer.Argument(help="Stock-take CSV file.")],
) -> None:
    """Load a stock-take (CSV): all rows or none. See docs/stocktake.md."""
    with _open() as store:
        take = read_stocktake(file, store.layout)
        with progress(err_console, "importing", len(take.containers)) as report:
            count = import_stocktake(store, take, datetime.now(UTC), report.advance)
    console.print(f"Imported {count} containers from {file}")


@ledger_app.command("rebuild")
def ledger_rebuild(
    repair: Annotated[
        bool, typer.Option(help="Rewrite the inventory from the ledger if they differ.")
    ] = False,
) -> None:
    """Rebuild the inventory from the ledger and compare it with the live one."""
    with _open() as store:
        report = store.rebuild(repair=repair)
    console.print(
        f"Replayed {report.events} events in {report.seconds:.2f} s: "
        f"{report.containers} containers in the terminal"
    )
    if report.consistent:
        console.print("The live inventory equals the inventory rebuilt from the ledger.")
        return
    shown = 20
    for line in report.differences[:shown]:
        err_console.print(line)
    if len(report.differences) > shown:
        err_console.print(f"... and {len(report.differences) - shown:,} more differences")
    if report.repaired:
        console.print(f"Repaired {len(report.differences)} differences.")
        return
    raise typer.Exit(1)


@ledger_app.command("events")
def ledger_events(
    container: Annotated[str | None, typer.Option(help="Only this container's events.")] = None,
    since: Annotated[int, typer.Option(help="Only events after this sequence number.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many events.")] = 50,
) -> None:
    """List ledger events."""
    number = ContainerNumber.parse(container) if container else None
    with _open() as store:
        for event in store.events(number, since, limit):
            console.print(str(event))


@app.command()
def simulate(
    scenario: Annotated[
        str, typer.Option(help="Scenario: zim-chicago, small-call.")
    ] = "zim-chicago",
    preset: Annotated[str, typer.Option(help="Terminal preset.")] = "qianwan-1",
    policy: Annotated[str, typer.Option(help="AGV dispatching: fcfs, nearest, optimal.")] = "fcfs",
    agvs: Annotated[int, typer.Option(help="AGVs in service.")] = 38,
    seed: Annotated[int, typer.Option(help="Seed of the scenario and the run.")] = 2017,
    out: Annotated[Path, typer.Option(help="Folder for kpis.json and the plots.")] = Path("out"),
    dual_cycling: Annotated[
        bool, typer.Option(help="Pair hold loads and discharges in one main-trolley cycle.")
    ] = False,
    crane_plan: Annotated[
        str,
        typer.Option(
            help="Crane split and sequences: qcsp (planned, balanced by work) or sweep (plain)."
        ),
    ] = "qcsp",
) -> None:
    """Run a scenario in the digital twin; write kpis.json and PNG plots to OUT."""
    from opentos.cli.simulate import run_simulation

    output_folder(out)
    run_simulation(
        scenario,
        preset,
        policy,
        agvs,
        seed,
        out,
        console,
        err_console,
        dual_cycling=dual_cycling,
        crane_plan=crane_plan,
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed for the arriving vessel's containers.")] = 7,
    occupancy: Annotated[
        float, typer.Option(help="Yard fill, 0-1 (the ZIM Chicago call's yard: 0.45).")
    ] = 0.45,
    out: Annotated[
        Path, typer.Option(help="Folder for the bay plan, KPIs, plots and the call's EDI files.")
    ] = Path("demo-out"),
) -> None:
    """Build qianwan-1 with a full yard and a vessel alongside, then run a call in the twin."""
    from opentos.cli.demo import run_demo

    output_folder(out)
    run_demo(
        _url(),
        seed=seed,
        occupancy=occupancy,
        out=out,
        console=console,
        progress_console=err_console,
    )


SHOWN_PROBLEMS = 50
"""Problems of a rejected file printed before "... and N more problems"."""


def main() -> None:
    """Entry point of the ``opentos`` command."""
    try:
        app()
    except DataImportError as exc:
        total = len(exc.problems)
        err_console.print(f"error: {exc.source}: {total} problem{'' if total == 1 else 's'}")
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            err_console.print(f"  {problem}")
        if total > SHOWN_PROBLEMS:
            more = total - SHOWN_PROBLEMS
            err_console.print(f"  ... and {more} more problem{'' if more == 1 else 's'}")
        raise SystemExit(1) from None
    except NotFound as exc:
        err_console.print(f"error: {exc}")
        raise SystemExit(1) from None
    except OpenTosError as exc:
        err_console.print(f"error: {exc}")
        raise SystemExit(1) from None
