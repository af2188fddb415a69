"""Helpers of the operations tests: times, a feeder profile, boxes and a snapshot of the store."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from opentos.model.container import Container
from opentos.model.vessel_classes import vessel_class
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PROFILE = vessel_class(2_000)
"""A feeder of 188 m: it fits the tiny terminal's 300 m quay."""


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything an operation could change: ledger head, counts, places, visits, boxes."""
    places = store.inventory_places()
    boxes = store.containers(list(places))
    return (
        store.head(),
        store.counts(),
        places,
        [v.to_dict() for v in store.visits()],
        {n: b.to_dict() for n, b in boxes.items()},
        store.documents(),
    )


def boxes(n: int, seed: int = 1) -> list[Container]:
    """``n`` full 20' transhipment boxes with their VGM."""
    factory = ContainerFactory(random.Random(seed))
    made = [factory.make(iso_type="22G1", flow="transship", full=True) for _ in range(n)]
    return [Container.from_dict({**b.to_dict(), "holds": [], "dangerous_goods": []}) for b in made]
