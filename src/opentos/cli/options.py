"""Options and output shared by the commands that run business operations.

Times are ISO 8601 (``2026-12-01T08:00``, ``2026-12-01T16:00+08:00``); one
without a UTC offset is taken as UTC. Each command prints a short summary, or
with ``--json`` the operation's result as one JSON document.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.text import Text

from opentos.cli.console import console, json_shown
from opentos.errors import InvalidValue
from opentos.model.visits import TruckVisit, VesselVisit, Visit

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="When it happened, ISO 8601 (default: now; no offset means UTC)."),
]


def parse_time(text: str, what: str) -> datetime:
    """An aware time from ISO 8601 text; one without an offset is UTC."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(
            f"{what} {text!r} is not an ISO 8601 time (e.g. 2026-12-01T08:00)"
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def optional_time(text: str | None, what: str) -> datetime | None:
    """:func:`parse_time`, or ``None`` for no text."""
    return None if text is None else parse_time(text, what)


def at_or_now(text: str | None) -> datetime:
    """The ``--at`` time, else now."""
    return datetime.now(UTC) if text is None else parse_time(text, "--at")


def report(summary: str | Text, data: object, as_json: bool) -> None:
    """Print ``summary``, or ``data`` as JSON with ``--json``."""
    if as_json:
        typer.echo(json_shown(json.dumps(data, indent=2, ensure_ascii=False, default=str)))
    else:
        console.print(summary)


def _when(at: datetime | None) -> str:
    return "-" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def visit_name(visit: Visit) -> str:
    """What a visit brings: the vessel, the truck's plate or the train."""
    if isinstance(visit, VesselVisit):
        return visit.vessel_name
    if isinstance(visit, TruckVisit):
        return visit.licence_plate
    return visit.train


def describe_visit(visit: Visit) -> str:
    """One line about a visit: kind, id, what it brings, phase and times."""
    times = "no planned times"
    if visit.planned_arrival is not None or visit.planned_departure is not None:
        times = f"planned {_when(visit.planned_arrival)} - {_when(visit.planned_departure)}"
    if visit.actual_arrival is not None:
        times += f", arrived {_when(visit.actual_arrival)}"
    if visit.actual_departure is not None:
        times += f", departed {_when(visit.actual_departure)}"
    if isinstance(visit, VesselVisit) and visit.berth is not None:
        position = visit.berth_position_m
        times += f", berth {visit.berth}" + ("" if position is None else f" from {position:g} m")
    return f"{visit.kind} visit {visit.id} ({visit_name(visit)}): {visit.phase}; {times}"


def visit_json(visit: Visit) -> dict[str, object]:
    """A visit as JSON, its vessel profile by name and size (the bay structure is long)."""
    data = visit.to_dict()
    if isinstance(visit, VesselVisit):
        profile = visit.profile
        data["profile"] = {
            "name": profile.name,
            "teu_capacity": profile.teu_capacity,
            "loa_m": profile.loa_m,
            "beam_m": profile.beam_m,
        }
    return data
