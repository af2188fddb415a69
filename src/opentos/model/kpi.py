"""The KPI rules that read the ledger alone, shared by the twin and the operations.

Definitions (DESIGN.md, counting physical boxes, i.e. moves):

- a **quay move** is a box leaving or reaching a vessel slot from or to a
  terminal place (not the arrival on board or the departure with the vessel);
  restows count, one move per lift. Its crane is the event's equipment, or
  the machine at the other end when the event names none;
- the rehandle ratio is relocations / productive yard moves; which moves are
  which is each caller's (the twin reads work instructions, the business
  ledger has none on its direct moves);
- rates are rounded to two decimals and ratios to four, 0.0 when the divisor is 0.
"""

from __future__ import annotations

from collections.abc import Iterable

from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, VesselPlace

JsonDict = dict[str, object]

UNKNOWN_CRANE = "?"
"""The crane of a quay move whose event names no equipment."""


def per_hour(moves: int, hours: float) -> float:
    """``moves / hours`` to two decimals, 0.0 for no hours."""
    return round(moves / hours, 2) if hours else 0.0


def ratio(part: float, whole: float, digits: int = 4) -> float:
    """``part / whole`` to ``digits`` decimals, 0.0 when ``whole`` is 0."""
    return round(part / whole, digits) if whole else 0.0


def quay_move(event: MoveEvent) -> tuple[str, str] | None:
    """``(crane, vessel visit)`` of a quay move, or ``None`` if ``event`` is not one."""
    src, dst = event.from_place, event.to_place
    if src is None or dst is None:
        return None
    if isinstance(src, VesselPlace):
        visit, other = src.visit, dst
    elif isinstance(dst, VesselPlace):
        visit, other = dst.visit, src
    else:
        return None
    if event.equipment:
        return event.equipment, visit
    if isinstance(other, EquipmentPlace):
        return other.equipment, visit
    return UNKNOWN_CRANE, visit


def turn_time_summary(minutes: Iterable[float]) -> JsonDict | None:
    """Count, mean, 95th percentile and maximum of truck turn times (``None`` for none)."""
    turns = sorted(minutes)
    if not turns:
        return None
    return {
        "trucks": len(turns),
        "mean": round(sum(turns) / len(turns), 2),
        "p95": round(turns[min(len(turns) - 1, int(0.95 * len(turns)))], 2),
        "max": round(turns[-1], 2),
    }


def crane_summary(moves: int, hours: float) -> JsonDict:
    """A crane's moves, working hours and gross rate."""
    return {
        "moves": moves,
        "hours": round(hours, 3),
        "gross_moves_per_hour": per_hour(moves, hours),
    }
