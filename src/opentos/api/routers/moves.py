"""Moves a terminal operator confirms: discharge, load and relocation by the planners,
gate-in and gate-out by the gate.

Each route parses the request (container number, places) and calls one function of
:mod:`opentos.operations.moves`, which checks the move and records its ledger events
in one transaction: a refused move records nothing. The same confirmation again (same
box, places, machines and time) changes nothing and answers the events of the first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from opentos.api.deps import GateClerk, Planner, StoreDep
from opentos.api.problems import WRITE_RESPONSES
from opentos.api.schemas import (
    DischargeCreate,
    GateInCreate,
    GateOutCreate,
    LoadCreate,
    MoveEventPublic,
    MovePublic,
    RelocationCreate,
)
from opentos.errors import InvalidSlot
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.places import Place, YardPlace, parse_place
from opentos.model.slots import BayRowTier
from opentos.operations import moves
from opentos.operations.moves import RecordedMove

router = APIRouter(prefix="/moves", tags=["moves"], responses=WRITE_RESPONSES)


@router.post(
    "/discharge",
    status_code=status.HTTP_201_CREATED,
    summary="Record a box discharged from a vessel visit to the yard or a machine",
)
def discharge(_user: Planner, store: StoreDep, body: DischargeCreate) -> MovePublic:
    number, to = ContainerNumber.parse(body.container), parse_place(body.to)
    return _public(
        moves.discharge(store, body.visit, number, to, at=_now(body.at), crane=body.crane)
    )


@router.post(
    "/load",
    status_code=status.HTTP_201_CREATED,
    summary="Record a box loaded from the terminal into a slot of a vessel visit",
)
def load(_user: Planner, store: StoreDep, body: LoadCreate) -> MovePublic:
    number, slot = ContainerNumber.parse(body.container), BayRowTier.parse(body.slot)
    return _public(moves.load(store, body.visit, number, slot, at=_now(body.at), crane=body.crane))


@router.post(
    "/relocation",
    status_code=status.HTTP_201_CREATED,
    summary="Record a box moved within the terminal (housekeeping, a rehandle)",
)
def relocation(_user: Planner, store: StoreDep, body: RelocationCreate) -> MovePublic:
    number, to = ContainerNumber.parse(body.container), parse_place(body.to)
    return _public(moves.relocate(store, number, to, at=_now(body.at), equipment=body.equipment))


@router.post(
    "/gate-in",
    status_code=status.HTTP_201_CREATED,
    summary="Record a box brought in by a truck visit and grounded in the yard",
)
def gate_in(_user: GateClerk, store: StoreDep, body: GateInCreate) -> MovePublic:
    number, to = ContainerNumber.parse(body.container), _yard(body.to)
    register = None
    if body.master_data is not None:
        data = body.master_data
        register = Container(
            number,
            SizeType.parse(data.iso_type),
            data.operator,
            FullEmpty.EMPTY if data.empty else FullEmpty.FULL,
            vgm_kg=data.vgm_kg,
        )
    return _public(
        moves.gate_in(
            store,
            body.visit,
            number,
            to,
            at=_now(body.at),
            register=register,
            yard_crane=body.yard_crane,
        )
    )


@router.post(
    "/gate-out",
    status_code=status.HTTP_201_CREATED,
    summary="Record a box put on a truck visit in the yard and taken out through the gate",
)
def gate_out(_user: GateClerk, store: StoreDep, body: GateOutCreate) -> MovePublic:
    number = ContainerNumber.parse(body.container)
    return _public(
        moves.gate_out(store, body.visit, number, at=_now(body.at), yard_crane=body.yard_crane)
    )


def _yard(text: str) -> YardPlace:
    place = parse_place(text)
    if not isinstance(place, YardPlace):
        raise InvalidSlot(f"to {text!r} is not a yard place (yard:BLOCK.BBB.RR.T)")
    return place


def _now(at: datetime | None) -> datetime:
    return datetime.now(UTC) if at is None else at


def _text(place: Place | None) -> str | None:
    return None if place is None else str(place)


def _public(move: RecordedMove) -> MovePublic:
    return MovePublic(
        kind=str(move.kind),
        container=str(move.container),
        visit=move.visit,
        from_place=_text(move.events[0].from_place),
        to_place=_text(move.events[-1].to_place),
        events=[
            MoveEventPublic(
                seq=e.seq,
                at=e.at,
                from_place=_text(e.from_place),
                to_place=_text(e.to_place),
                equipment=e.equipment,
            )
            for e in move.events
        ],
    )
