"""Fixtures of the operations tests: the tiny terminal with a vessel alongside and a truck in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from operations_helpers import PROFILE, T0, boxes

from opentos.model.ledger import MoveEvent
from opentos.model.places import VesselPlace
from opentos.model.visits import TruckVisit, VesselVisit, VisitPhase
from opentos.presets import load_preset
from opentos.storage.store import Store


@pytest.fixture
def terminal(database_url: str) -> Iterator[Store]:
    """The tiny terminal, empty."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as store:
        yield store


@pytest.fixture
def call(terminal: Store) -> Store:
    """The tiny terminal with feeder visit V1 alongside (3 boxes on board) and truck T1 in."""
    with terminal.transaction() as tx:
        tx.add_visit(
            VesselVisit(
                id="V1", vessel_name="OPENTOS FEEDER", profile=PROFILE, operator="MSC",
                voyage_in="001E", voyage_out="001W", planned_arrival=T0,
                planned_departure=T0 + timedelta(hours=12),
            ).advance(VisitPhase.ARRIVED, T0)
        )  # fmt: skip
        tx.add_visit(
            TruckVisit(id="T1", licence_plate="LU-B12345", haulier="HAUL").advance(
                VisitPhase.ARRIVED, T0
            )
        )
        on_board = boxes(3)
        tx.register_many(on_board)
        slots = list(PROFILE.slots(20))[:3]
        tx.record(
            [
                MoveEvent(b.number, None, VesselPlace("V1", s), T0)
                for b, s in zip(on_board, slots, strict=True)
            ]
        )
    return terminal
