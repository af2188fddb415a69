"""Quay crane work sequences: a simple built-in crane split and sequence.

The planning subsystem will supply optimised sequences (QCSP); until then,
and as the baseline to beat, this module makes a plain, always-valid one:

- the call's bays are sorted along the quay and cut into as many contiguous
  ranges as there are cranes, balancing the number of moves;
- every crane sweeps its range in the same direction (west to east), so
  neighbouring cranes never need to cross and the one ahead always moves away;
- within a bay: discharge the deck (top tier first), then the hold (top first),
  then load the hold (bottom first), then the deck (bottom first) -- the
  precedence a bay's hatch covers impose.

With ``dual_cycling``, a bay's hold discharges and loads are interleaved
(a load may go into a stack once the stack has no discharge left), and a load
followed by a discharge of the same bay and part is marked ``dual``: the main
trolley takes the load out and brings the discharge back in one cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from opentos.errors import InvalidValue
from opentos.model.ids import ContainerNumber
from opentos.model.moves import dual_cycle_order
from opentos.model.slots import BayRowTier


@dataclass(frozen=True, slots=True)
class QuayMove:
    """One box across the quay: discharge from or load to ``slot``."""

    container: ContainerNumber
    kind: Literal["discharge", "load"]
    slot: BayRowTier


@dataclass(frozen=True, slots=True)
class CraneJob:
    """A move in a crane's sequence; ``dual`` marks a load paired with the next discharge."""

    crane: str
    sequence: int
    move: QuayMove
    bay_x_m: float
    dual: bool = False


def instruction_id(visit: str, crane: str, sequence: int) -> str:
    """The work instruction id of a crane job: visit, crane and place in its sequence."""
    return f"{visit}.{crane}.{sequence:04d}"


def crane_sequences(
    moves: Sequence[QuayMove],
    cranes: Sequence[str],
    bay_x_m: Callable[[int], float],
    *,
    dual_cycling: bool = False,
) -> dict[str, list[CraneJob]]:
    """Split ``moves`` over ``cranes`` (west to east) and order each crane's jobs.

    Raises
    ------
    InvalidValue
        No cranes, or a box both discharged and loaded.
    """
    if not cranes:
        raise InvalidValue("a crane split needs at least one crane")
    seen: dict[ContainerNumber, str] = {}
    for move in moves:
        if move.container in seen:
            raise InvalidValue(
                f"{move.container} is moved twice ({seen[move.container]} and {move.kind})"
            )
        seen[move.container] = move.kind
    # A 40' bay and its two 20' bays are one section at one position along the quay.
    by_section: dict[float, list[QuayMove]] = defaultdict(list)
    for move in moves:
        by_section[round(bay_x_m(move.slot.bay), 3)].append(move)
    sections = sorted(by_section)
    # A balanced contiguous cut: a section goes to the crane whose equal share of all
    # moves its midpoint falls in.
    share = len(moves) / len(cranes)
    ranges: list[list[float]] = [[] for _ in cranes]
    before = 0
    for section in sections:
        size = len(by_section[section])
        crane = min(len(cranes) - 1, int((before + size / 2) // share))
        ranges[crane].append(section)
        before += size
    plan: dict[str, list[CraneJob]] = {}
    for crane_id, crane_sections in zip(cranes, ranges, strict=True):
        jobs: list[CraneJob] = []
        for section in crane_sections:
            order = _dual_order if dual_cycling else _bay_order
            for move in order(by_section[section]):
                jobs.append(CraneJob(crane_id, len(jobs) + 1, move, bay_x_m(move.slot.bay)))
        if dual_cycling:
            jobs = _pair_dual_cycles(jobs)
        plan[crane_id] = jobs
    return plan


def _bay_order(moves: list[QuayMove]) -> list[QuayMove]:
    def key(move: QuayMove) -> tuple[int, int, int, int]:
        slot = move.slot
        if move.kind == "discharge":
            return (0 if slot.on_deck else 1, -slot.tier, slot.row, slot.bay)
        return (2 if not slot.on_deck else 3, slot.tier, slot.row, slot.bay)

    return sorted(moves, key=key)


def _dual_order(moves: list[QuayMove]) -> list[QuayMove]:
    """A bay's moves with hold discharges and hold loads interleaved for dual cycling.

    The deck is discharged first and loaded last, as in :func:`_bay_order`. In the
    hold, discharges and loads alternate (:func:`~opentos.model.moves.dual_cycle_order`).
    """
    ordered = _bay_order(moves)
    deck_discharge = [m for m in ordered if m.kind == "discharge" and m.slot.on_deck]
    hold_discharge = [m for m in ordered if m.kind == "discharge" and not m.slot.on_deck]
    hold_load = [m for m in ordered if m.kind == "load" and not m.slot.on_deck]
    deck_load = [m for m in ordered if m.kind == "load" and m.slot.on_deck]
    return deck_discharge + dual_cycle_order(hold_discharge, hold_load) + deck_load


def _pair_dual_cycles(jobs: list[CraneJob]) -> list[CraneJob]:
    """Mark loads that can share a main-trolley cycle with the discharge after them."""
    out = list(jobs)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (
            a.move.kind == "load"
            and b.move.kind == "discharge"
            and a.bay_x_m == b.bay_x_m
            and a.move.slot.on_deck == b.move.slot.on_deck
        ):
            out[i] = CraneJob(a.crane, a.sequence, a.move, a.bay_x_m, dual=True)
    return out
