"""Tiny named rail instances, shared by the rail planning tests."""

from __future__ import annotations

from opentos.planning.rail.generate import WAGON_TYPES
from opentos.planning.rail.problem import (
    DgRules,
    RailBox,
    RailLoadProblem,
    Wagon,
    YardBlock,
)

SGNS = WAGON_TYPES["Sgns"]
"""One 60' platform: 20+20+20, 20+40, 40+20, 40 (50 t), 45; 69 t."""
SGGRSS = WAGON_TYPES["Sggrss"]
"""Two 40' platforms: 20+20 or 40 each (55 t each), 104 t together."""
LGNS = WAGON_TYPES["Lgns"]
"""One 40' platform: 20+20 or 40; 28.5 t."""

BLOCK = YardBlock("R1", 0.0, 6.5)


def box(
    box_id: str, length_ft: int = 20, kg: int = 10_000, bay: int = 1, **extra: object
) -> RailBox:
    """A box in block R1."""
    return RailBox(box_id, length_ft, kg, "R1", bay, **extra)  # type: ignore[arg-type]


def three_wagons(*boxes: RailBox, dg: DgRules | None = None) -> RailLoadProblem:
    """An Sgns, an Sggrss and an Lgns (four platforms), every platform at its first pattern."""
    wagons = (Wagon("W1", SGNS), Wagon("W2", SGGRSS), Wagon("W3", LGNS))
    return RailLoadProblem(
        wagons, boxes, (BLOCK,), dg_rules=dg or DgRules(free_first=0, free_last=0)
    )
