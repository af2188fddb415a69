"""``opentos move``: record the moves an operator confirms, each checked and recorded whole."""

from __future__ import annotations

from typing import Annotated

import typer

from opentos.cli.database import open_store
from opentos.cli.options import AtOption, JsonOption, at_or_now, report
from opentos.errors import InvalidSlot, InvalidValue
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.places import YardPlace, parse_place
from opentos.model.slots import BayRowTier
from opentos.operations import moves
from opentos.operations.moves import RecordedMove

move_app = typer.Typer(help="Record confirmed moves.", no_args_is_help=True)

Visit = Annotated[str, typer.Argument(help="Visit id.")]
Box = Annotated[str, typer.Argument(help="Container number.")]
Crane = Annotated[str | None, typer.Option(help="Quay crane that made the move.")]
YardCrane = Annotated[str | None, typer.Option("--yard-crane", help="Yard crane that made it.")]


def _print(move: RecordedMove, as_json: bool) -> None:
    data = move.to_dict()
    visit = f" ({move.visit})" if move.visit else ""
    summary = (
        f"{str(move.kind).replace('_', '-')} of {move.container}{visit}: "
        f"{data['from'] or 'outside'} -> {data['to'] or 'outside'}, ledger event"
        f"{'s' if len(move.events) > 1 else ''} {', '.join(f'#{e.seq}' for e in move.events)}"
    )
    report(summary, data, as_json)


def _yard(text: str) -> YardPlace:
    place = parse_place(text)
    if not isinstance(place, YardPlace):
        raise InvalidSlot(f"--to {text!r} is not a yard slot (yard:BLOCK.BAY.ROW.TIER)")
    return place


@move_app.command("discharge")
def discharge(
    visit: Visit,
    container: Box,
    to: Annotated[str, typer.Option("--to", help="Yard slot or machine: yard:A01.001.01.1.")],
    crane: Crane = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a box discharged from a vessel visit to the yard or a machine."""
    number, place = ContainerNumber.parse(container), parse_place(to)
    with open_store() as store:
        move = moves.discharge(store, visit, number, place, at=at_or_now(at), crane=crane)
    _print(move, as_json)


@move_app.command("load")
def load(
    visit: Visit,
    container: Box,
    slot: Annotated[str, typer.Argument(help="Vessel slot, bay-row-tier BBBRRTT.")],
    crane: Crane = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a box loaded from the terminal into a slot of a vessel visit."""
    number, brt = ContainerNumber.parse(container), BayRowTier.parse(slot)
    with open_store() as store:
        move = moves.load(store, visit, number, brt, at=at_or_now(at), crane=crane)
    _print(move, as_json)


@move_app.command("relocate")
def relocate(
    container: Box,
    to: Annotated[str, typer.Option("--to", help="Yard slot or machine.")],
    equipment: Annotated[str | None, typer.Option(help="Machine that made the move.")] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a box moved within the terminal (housekeeping, a rehandle)."""
    number, place = ContainerNumber.parse(container), parse_place(to)
    with open_store() as store:
        move = moves.relocate(store, number, place, at=at_or_now(at), equipment=equipment)
    _print(move, as_json)


@move_app.command("gate-in")
def gate_in(
    visit: Annotated[str, typer.Argument(help="Truck visit id.")],
    container: Box,
    to: Annotated[str, typer.Option("--to", help="Yard slot: yard:A01.001.01.1.")],
    iso_type: Annotated[
        str | None, typer.Option("--iso-type", help="Size-type, to register a new box.")
    ] = None,
    operator: Annotated[str | None, typer.Option(help="Line, to register a new box.")] = None,
    empty: Annotated[bool, typer.Option("--empty", help="A new box is empty.")] = False,
    vgm_kg: Annotated[int | None, typer.Option("--vgm-kg", help="Verified gross mass.")] = None,
    yard_crane: YardCrane = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a box brought in by a truck and grounded in the yard."""
    number, place = ContainerNumber.parse(container), _yard(to)
    register = None
    if iso_type is not None or operator is not None:
        if iso_type is None or operator is None:
            raise InvalidValue(
                f"gate-in of {number}: a new box needs both --iso-type and --operator"
            )
        register = Container(
            number, SizeType.parse(iso_type), operator,
            FullEmpty.EMPTY if empty else FullEmpty.FULL, vgm_kg=vgm_kg,
        )  # fmt: skip
    with open_store() as store:
        move = moves.gate_in(
            store, visit, number, place, at=at_or_now(at), register=register, yard_crane=yard_crane
        )
    _print(move, as_json)


@move_app.command("gate-out")
def gate_out(
    visit: Annotated[str, typer.Argument(help="Truck visit id.")],
    container: Box,
    yard_crane: YardCrane = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a box put on a truck in the yard and taken out through the gate."""
    number = ContainerNumber.parse(container)
    with open_store() as store:
        move = moves.gate_out(store, visit, number, at=at_or_now(at), yard_crane=yard_crane)
    _print(move, as_json)
