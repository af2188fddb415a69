"""``opentos appointment``: the slot rules, and truck appointments booked, listed, cancelled,
closed, checked in and marked no-shows (each one transaction, as over the API)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from opentos.cli.database import open_store
from opentos.cli.options import JsonOption, report
from opentos.errors import InvalidValue
from opentos.model.appointments import Appointment, GateMove, SlotRules
from opentos.model.ids import ContainerNumber
from opentos.operations import appointments as vbs

appointment_app = typer.Typer(help="Truck appointments and their slot rules.", no_args_is_help=True)

Id = Annotated[str, typer.Argument(help="Appointment id.")]


def _when(text: str, name: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{name} {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise InvalidValue(f"{name} {text!r} has no time zone")
    return at


def _line(a: Appointment) -> str:
    what = ", ".join(str(n) for n in a.containers) or f"ref {a.reference}"
    blocks = ", ".join(b or "-" for b in a.blocks)
    return (
        f"{a.id} {a.state}: {a.haulier} {a.truck} {a.move} {what} in slot "
        f"{a.slot:%Y-%m-%d %H:%M} UTC" + (f" (blocks {blocks})" if a.blocks else "")
    )


@appointment_app.command("rules")
def rules(
    file: Annotated[
        Path | None, typer.Option(help="Set the rules from this JSON file (the API's form).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the terminal's slot rules, or set them from a file."""
    with open_store() as store:
        if file is None:
            found = vbs.slot_rules(store)
        else:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise InvalidValue(f"slot rules file {file}: {exc}") from None
            found = vbs.set_slot_rules(store, SlotRules.from_dict(data))
    d = found.to_dict()
    places = ", ".join(f"{m} {n}" for m, n in found.per_slot.items()) or "none"
    quotas = ", ".join(f"{b} {q}" for b, q in found.block_quota.items()) or "none"
    report(f"slots of {found.slot_minutes} min; places: {places}; block quotas: {quotas}", d,
           as_json)  # fmt: skip


@appointment_app.command("book")
def book(
    haulier: Annotated[str, typer.Option(help="The haulier's company.")],
    move: Annotated[GateMove, typer.Option(help="What the truck comes to do.")],
    slot: Annotated[str, typer.Option(help="Start of the slot, ISO 8601 with a time zone.")],
    truck: Annotated[str, typer.Option(help="Licence plate.")],
    driver: Annotated[str, typer.Option(help="The driver's name.")],
    container: Annotated[
        list[str] | None, typer.Option(help="A box it brings or takes (repeat for more).")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="Booking or release number.")] = None,
    group: Annotated[str | None, typer.Option(help="Priority group.")] = None,
    visit: Annotated[str | None, typer.Option(help="An export's vessel visit.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Book a slot for a truck, checked against the slot rules and each box."""
    with open_store() as store:
        made = vbs.book(
            store, haulier=haulier, move=move, slot=_when(slot, "slot"), truck=truck,
            driver=driver, containers=[ContainerNumber.parse(c) for c in container or ()],
            reference=reference, group=group, visit=visit,
        )  # fmt: skip
    report(_line(made), made.to_dict(), as_json)


@appointment_app.command("list")
def list_(
    haulier: Annotated[str | None, typer.Option(help="Only this haulier's.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="From (ISO 8601).")] = None,
    days: Annotated[int, typer.Option(min=1, max=92, help="Days from --from.")] = 7,
    as_json: JsonOption = False,
) -> None:
    """Appointments by slot."""
    begin = None if start is None else _when(start, "from")
    with open_store() as store:
        found = store.appointments(
            haulier=haulier,
            start=begin,
            end=None if begin is None else begin + timedelta(days=days),
        )
    summary = "\n".join([_line(a) for a in found] + [f"{len(found)} appointment(s)"])
    report(summary, {"data": [a.to_dict() for a in found], "count": len(found)}, as_json)


@appointment_app.command("cancel")
def cancel(appointment: Id, as_json: JsonOption = False) -> None:
    """Cancel an appointment for its haulier (its place is free again)."""
    with open_store() as store:
        done = vbs.cancel(store, appointment)
    report(_line(done), done.to_dict(), as_json)


@appointment_app.command("close")
def close(appointment: Id, as_json: JsonOption = False) -> None:
    """Withdraw an appointment (the terminal)."""
    with open_store() as store:
        done = vbs.close(store, appointment)
    report(_line(done), done.to_dict(), as_json)


@appointment_app.command("check-in")
def check_in(
    appointment: Id,
    at: Annotated[str, typer.Option(help="When the truck reached the gate (ISO 8601).")],
    as_json: JsonOption = False,
) -> None:
    """A truck at the gate for its appointment, within its tolerance."""
    with open_store() as store:
        done = vbs.arrive(store, appointment, _when(at, "at"))
    report(_line(done), done.to_dict(), as_json)


@appointment_app.command("no-shows")
def no_shows(
    now: Annotated[str | None, typer.Option(help="As of (ISO 8601); default now.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Mark every booked appointment whose check-in tolerance has passed as a no-show."""
    with open_store() as store:
        marked = vbs.mark_no_shows(store, None if now is None else _when(now, "now"))
    summary = "\n".join([_line(a) for a in marked] + [f"{len(marked)} no-show(s)"])
    report(summary, {"data": [a.to_dict() for a in marked], "count": len(marked)}, as_json)
