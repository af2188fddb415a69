"""Random sequences of operations: each applies whole or leaves the store exactly as it was."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from operations_helpers import PROFILE, T0, boxes, snapshot

from opentos.errors import OpenTosError
from opentos.model.container import HoldKind
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, VesselPlace, YardPlace
from opentos.model.slots import YardSlot
from opentos.model.visits import TruckVisit, VesselVisit, VisitPhase
from opentos.operations import holds, moves, visits
from opentos.presets import load_preset
from opentos.storage.store import Store

BOXES = boxes(6, seed=3)
"""Three on board V1 at the start, three outside."""
YARD = [YardPlace(YardSlot("A01", bay, row, tier)) for bay in (1, 3) for row in (1, 2)
        for tier in (1, 2)]  # fmt: skip
VESSEL = list(PROFILE.slots(20))[:6]

Operation = Callable[[Store], object]


def _operation(draw: st.DrawFn, step: int) -> Operation:
    at = T0 + timedelta(minutes=step + 1)
    box = draw(st.sampled_from(BOXES))
    yard = draw(st.sampled_from(YARD))
    choices: list[Operation] = [
        lambda s: moves.discharge(s, "V1", box.number, yard, at=at),
        lambda s: moves.load(s, "V1", box.number, draw(st.sampled_from(VESSEL)), at=at),
        lambda s: moves.relocate(s, box.number, yard, at=at),
        lambda s: moves.relocate(s, box.number, EquipmentPlace("AGV01"), at=at),
        lambda s: moves.gate_in(s, "T1", box.number, yard, at=at, register=box),
        lambda s: moves.gate_out(s, "T1", box.number, at=at),
        lambda s: holds.add_hold(s, box.number, HoldKind.CUSTOMS),
        lambda s: holds.release_hold(s, box.number, HoldKind.CUSTOMS),
        lambda s: visits.depart(s, "T1", at),
    ]
    return draw(st.sampled_from(choices))


@st.composite
def programs(draw: st.DrawFn) -> list[Operation]:
    return [_operation(draw, step) for step in range(draw(st.integers(1, 12)))]


def _call(url: str) -> Store:
    store = Store.create(url, load_preset("tiny"), "tiny")
    with store.transaction() as tx:
        tx.add_visit(
            VesselVisit(id="V1", vessel_name="F", profile=PROFILE, operator="MSC",
                        planned_arrival=T0, planned_departure=T0 + timedelta(hours=9))
            .advance(VisitPhase.ARRIVED, T0)
        )  # fmt: skip
        tx.add_visit(TruckVisit(id="T1", licence_plate="P1").advance(VisitPhase.ARRIVED, T0))
        tx.register_many(BOXES[:3])
        tx.record(
            [MoveEvent(b.number, None, VesselPlace("V1", s), T0)
             for b, s in zip(BOXES[:3], VESSEL, strict=False)]
        )  # fmt: skip
    return store


@settings(max_examples=25, deadline=None)
@given(programs())
def test_every_operation_applies_whole_or_not_at_all(program: list[Operation]) -> None:
    """Each operation succeeds or raises an OpenTOS error leaving the store as it was."""
    with (
        tempfile.TemporaryDirectory() as folder,
        _call(f"sqlite:///{Path(folder) / 't.db'}") as store,
    ):
        for operation in program:
            before = snapshot(store)
            try:
                operation(store)
            except OpenTosError:
                assert snapshot(store) == before
        assert store.rebuild().consistent
