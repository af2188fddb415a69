"""Fixtures of the EDI tests: arrival bay plans that fit a real vessel profile."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from opentos.model.ids import UnLocode
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.synthetic import ContainerFactory

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
PROFILE = vessel_class(10_000)

PlanMaker = Callable[..., OnBoardPlan]


def arrival_plan(
    n: int, seed: int = 1, profile: VesselProfile = PROFILE, vessel: str = "OPENTOS TRADER"
) -> OnBoardPlan:
    """An arrival plan of ``n`` full 20' import boxes filling the first stacks from the bottom."""
    factory = ContainerFactory(random.Random(seed))
    slots = list(profile.slots(20))[:n]
    stowage = tuple(
        Stowed(slot, factory.make(iso_type="22G1", flow="import", full=True)) for slot in slots
    )
    return OnBoardPlan(
        "BP1",
        vessel_name=vessel,
        imo_number="9321483",
        carrier="MSC",
        voyage="012E",
        departure_port=UnLocode.parse("KRPUS"),
        next_port=UnLocode.parse("CNTAO"),
        departed_at=T0 - timedelta(days=1),
        prepared_at=T0 - timedelta(days=1),
        stowage=stowage,
    )


@pytest.fixture
def make_plan() -> PlanMaker:
    """:func:`arrival_plan`, for tests."""
    return arrival_plan
