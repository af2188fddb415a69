"""Holds on boxes: put one on, release one, apply customs' decisions (imported CUSRES).

A box has at most one hold of each kind, so a hold is named by its box and its
kind: ``POST`` adds (or gives an existing one the new reason), ``DELETE`` lifts it.
Each route calls one function of :mod:`opentos.operations.holds` (one transaction).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from opentos.api.deps import HoldKeeper, StoreDep
from opentos.api.problems import WRITE_RESPONSES
from opentos.api.schemas import (
    CustomsResponsesApply,
    HoldChangePublic,
    HoldChanges,
    HoldCreate,
    HoldPublic,
)
from opentos.model.container import HoldKind
from opentos.model.ids import ContainerNumber
from opentos.operations import holds
from opentos.operations.holds import HoldChange

router = APIRouter(tags=["holds"], responses=WRITE_RESPONSES)

Number = Annotated[str, Path(max_length=20, description="ISO 6346 container number")]


@router.post(
    "/containers/{number}/holds",
    summary="Put a hold on a box: it is neither loaded nor gated out until released",
)
def add_hold(
    _user: HoldKeeper, store: StoreDep, number: Number, body: HoldCreate
) -> HoldChangePublic:
    return _public(holds.add_hold(store, ContainerNumber.parse(number), body.kind, body.reason))


@router.delete("/containers/{number}/holds/{kind}", summary="Release a box's hold of one kind")
def release_hold(
    _user: HoldKeeper, store: StoreDep, number: Number, kind: HoldKind
) -> HoldChangePublic:
    return _public(holds.release_hold(store, ContainerNumber.parse(number), kind))


@router.post(
    "/customs-responses/apply",
    summary="Apply customs' latest decisions (imported CUSRES) to the holds of the boxes they name",
)
def apply_customs_responses(
    _user: HoldKeeper, store: StoreDep, body: CustomsResponsesApply
) -> HoldChanges:
    changes = holds.apply_customs_responses(store, body.reference)
    return HoldChanges(data=[_public(c) for c in changes], count=len(changes))


def _public(change: HoldChange) -> HoldChangePublic:
    return HoldChangePublic(
        container=str(change.container),
        kind=str(change.kind),
        action=change.action,
        changed=change.changed,
        holds=[HoldPublic(kind=str(h.kind), reason=h.reason) for h in change.holds],
    )
