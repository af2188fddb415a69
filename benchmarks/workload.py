"""A seeded stream of valid ledger events on the qianwan-1 yard, for benchmarks.

The yard is filled as in the demo, then boxes are shuffled: each move takes
the top box of a random stack to the top of another stack of the same length
class with room, never putting a box on a longer one. The stream is valid by
construction (the ledger re-checks every event anyway).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.synthetic import ContainerFactory, fill_yard

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Workload:
    """Containers to register, the arrivals that fill the yard, and a move generator."""

    containers: list[Container]
    arrivals: list[MoveEvent]
    layout: TerminalLayout
    seed: int

    def moves(self, count: int) -> Iterator[MoveEvent]:
        """``count`` valid yard-to-yard moves after the arrivals."""
        rng = random.Random(self.seed + 1)
        length = {c.number: c.length_ft for c in self.containers}
        tiers = {b.id: b.tiers for b in self.layout.blocks}
        stacks: dict[tuple[str, int, int], list[ContainerNumber]] = {}
        for event in self.arrivals:
            place = event.to_place
            assert isinstance(place, YardPlace)
            s = place.slot
            stacks.setdefault((s.block, s.bay, s.row), []).append(event.container)
        keys = {20: [k for k in stacks if k[1] % 2], 40: [k for k in stacks if k[1] % 2 == 0]}
        at = self.arrivals[-1].at
        made = 0
        while made < count:
            src = rng.choice(keys[20] if rng.random() < 0.5 else keys[40])
            pile = stacks[src]
            if not pile:
                continue
            box = pile[-1]
            kind = 20 if src[1] % 2 else 40
            dst = rng.choice(keys[kind])
            target = stacks[dst]
            if dst == src or len(target) >= tiers[dst[0]]:
                continue
            if target and length[target[-1]] > length[box]:
                continue
            pile.pop()
            target.append(box)
            at += timedelta(seconds=3)
            made += 1
            yield MoveEvent(
                box,
                YardPlace(YardSlot(src[0], src[1], src[2], len(pile) + 1)),
                YardPlace(YardSlot(dst[0], dst[1], dst[2], len(target))),
                at,
                equipment=f"{dst[0]}-W",
            )


def workload(layout: TerminalLayout, occupancy: float = 0.5, seed: int = 11) -> Workload:
    """The qianwan-1-style workload: a yard filled to ``occupancy``, then moves."""
    containers, arrivals = fill_yard(layout, ContainerFactory(random.Random(seed)), occupancy, T0)
    arrivals = [
        MoveEvent(e.container, None, e.to_place, T0 + timedelta(seconds=i))
        for i, e in enumerate(arrivals)
    ]
    return Workload(containers, arrivals, layout, seed)
