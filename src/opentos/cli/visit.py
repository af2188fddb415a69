"""``opentos visit``: create vessel, truck and rail visits, change their plans, record phases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from opentos.cli.console import console
from opentos.cli.database import open_store
from opentos.cli.options import (
    AtOption,
    JsonOption,
    at_or_now,
    describe_visit,
    optional_time,
    report,
    visit_json,
    visit_name,
)
from opentos.model.visits import VisitKind, VisitPhase
from opentos.operations import visits

visit_app = typer.Typer(help="Vessel, truck and rail visits.", no_args_is_help=True)

VisitId = Annotated[str, typer.Argument(help="Visit id (letters, digits, '_', '.', '-').")]
Eta = Annotated[str | None, typer.Option("--eta", help="Planned arrival, ISO 8601.")]
Etd = Annotated[str | None, typer.Option("--etd", help="Planned departure, ISO 8601.")]


@visit_app.command("add-vessel")
def add_vessel(
    visit_id: VisitId,
    name: Annotated[str, typer.Option("--name", help="Vessel name.")],
    operator: Annotated[str, typer.Option(help="Operating line (SMDG liner code).")],
    vessel_class: Annotated[
        str | None,
        typer.Option("--vessel-class", help="Standard vessel class (e.g. post-panamax-8500)."),
    ] = None,
    teu: Annotated[int | None, typer.Option(help="A vessel class of this TEU capacity.")] = None,
    voyage_in: Annotated[str, typer.Option(help="Inbound voyage.")] = "",
    voyage_out: Annotated[str, typer.Option(help="Outbound voyage.")] = "",
    imo: Annotated[str | None, typer.Option(help="IMO number (7 digits).")] = None,
    call_sign: Annotated[str | None, typer.Option(help="Radio call sign.")] = None,
    eta: Eta = None,
    etd: Etd = None,
    as_json: JsonOption = False,
) -> None:
    """Create a planned vessel visit (without a class: that of the vessel's last visit)."""
    with open_store() as store:
        visit = visits.add_vessel_visit(
            store, visit_id, vessel_name=name, operator=operator, vessel_class_name=vessel_class,
            teu=teu, voyage_in=voyage_in, voyage_out=voyage_out, imo=imo, call_sign=call_sign,
            planned_arrival=optional_time(eta, "--eta"),
            planned_departure=optional_time(etd, "--etd"),
        )  # fmt: skip
    report(describe_visit(visit) + f"; {visit.profile.name}", visit_json(visit), as_json)


@visit_app.command("add-truck")
def add_truck(
    visit_id: VisitId,
    plate: Annotated[str, typer.Option("--plate", help="Licence plate.")],
    haulier: Annotated[str | None, typer.Option(help="Haulier.")] = None,
    eta: Annotated[
        str | None, typer.Option("--eta", help="Appointment: planned arrival, ISO 8601.")
    ] = None,
    etd: Annotated[
        str | None, typer.Option("--etd", help="End of the appointment window, ISO 8601.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a planned truck visit (its appointment)."""
    with open_store() as store:
        visit = visits.add_truck_visit(
            store, visit_id, licence_plate=plate, haulier=haulier,
            planned_arrival=optional_time(eta, "--eta"),
            planned_departure=optional_time(etd, "--etd"),
        )  # fmt: skip
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("add-rail")
def add_rail(
    visit_id: VisitId,
    train: Annotated[str, typer.Option(help="Train number.")],
    track: Annotated[str | None, typer.Option(help="Terminal rail track.")] = None,
    wagons: Annotated[int, typer.Option(min=0, help="Wagons.")] = 0,
    eta: Eta = None,
    etd: Etd = None,
    as_json: JsonOption = False,
) -> None:
    """Create a planned train visit."""
    with open_store() as store:
        visit = visits.add_rail_visit(
            store, visit_id, train=train, track=track, wagons=wagons,
            planned_arrival=optional_time(eta, "--eta"),
            planned_departure=optional_time(etd, "--etd"),
        )  # fmt: skip
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("update")
def update(
    visit_id: VisitId, eta: Eta = None, etd: Etd = None, as_json: JsonOption = False
) -> None:
    """Change a visit's planned arrival and/or departure."""
    with open_store() as store:
        visit = visits.update_planned_times(
            store, visit_id, planned_arrival=optional_time(eta, "--eta"),
            planned_departure=optional_time(etd, "--etd"),
        )  # fmt: skip
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("arrive")
def arrive(visit_id: VisitId, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Record a visit's actual arrival."""
    with open_store() as store:
        visit = visits.arrive(store, visit_id, at_or_now(at))
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("depart")
def depart(visit_id: VisitId, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Record a visit's actual departure; what is still on board leaves with it."""
    with open_store() as store:
        visit = visits.depart(store, visit_id, at_or_now(at))
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("advance")
def advance(
    visit_id: VisitId,
    phase: Annotated[VisitPhase, typer.Argument(help="The phase to go to.")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a visit to a phase: working, complete, cancelled (or arrived, departed)."""
    with open_store() as store:
        visit = visits.advance(store, visit_id, phase, at_or_now(at))
    report(describe_visit(visit), visit_json(visit), as_json)


@visit_app.command("list")
def list_(
    kind: Annotated[VisitKind | None, typer.Option(help="Only visits of this kind.")] = None,
    phase: Annotated[VisitPhase | None, typer.Option(help="Only visits in this phase.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List visits by planned arrival."""
    with open_store() as store:
        found = [
            v
            for v in store.visits()
            if (kind is None or v.kind is kind) and (phase is None or v.phase is phase)
        ]
    if as_json:
        report("", {"data": [visit_json(v) for v in found], "count": len(found)}, True)
        return
    table = Table("id", "kind", "what", "phase", "planned arrival", "planned departure",
                  "arrived", "departed", title=f"Visits: {len(found)}")  # fmt: skip
    for v in found:
        table.add_row(
            v.id, str(v.kind), visit_name(v), str(v.phase), _time(v.planned_arrival),
            _time(v.planned_departure), _time(v.actual_arrival), _time(v.actual_departure),
        )  # fmt: skip
    console.print(table)


def _time(at: object) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M}"
