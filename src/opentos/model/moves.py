"""Work instructions: the planned moves that planning hands to equipment control.

A work instruction says which container goes from where to where, for which
visit, and tracks its state from planned to done. Each completed instruction
leaves one or more events in the ledger (a discharge, for example, is
vessel -> quay crane -> AGV -> yard), each event naming the instruction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol, Self, TypeVar

from opentos.errors import IllegalTransition, InvalidValue
from opentos.model.ids import ContainerNumber
from opentos.model.places import Place, check_id
from opentos.model.slots import BayRowTier


class MoveKind(StrEnum):
    """Why a container moves."""

    DISCHARGE = "discharge"
    LOAD = "load"
    RESTOW = "restow"
    YARD_SHIFT = "yard_shift"
    GATE_IN = "gate_in"
    GATE_OUT = "gate_out"
    RAIL_LOAD = "rail_load"
    RAIL_DISCHARGE = "rail_discharge"


class MoveState(StrEnum):
    """Where a work instruction is in its life."""

    PLANNED = "planned"
    """Made by planning; not yet given to equipment control."""
    RELEASED = "released"
    """Given to equipment control, waiting for a machine."""
    IN_PROGRESS = "in_progress"
    """A machine has started the first leg."""
    DONE = "done"
    """The container is at its destination."""
    CANCELLED = "cancelled"
    """Withdrawn before it was done; the container stays where it is."""


_NEXT: dict[MoveState, frozenset[MoveState]] = {
    MoveState.PLANNED: frozenset({MoveState.RELEASED, MoveState.CANCELLED}),
    MoveState.RELEASED: frozenset({MoveState.PLANNED, MoveState.IN_PROGRESS, MoveState.CANCELLED}),
    MoveState.IN_PROGRESS: frozenset({MoveState.DONE, MoveState.RELEASED}),
    MoveState.DONE: frozenset(),
    MoveState.CANCELLED: frozenset(),
}
"""Allowed transitions. IN_PROGRESS -> RELEASED is the re-plan after a breakdown."""


@dataclass(frozen=True, slots=True)
class WorkInstruction:
    """One planned container move and its progress (planned and actual times side by side)."""

    id: str
    kind: MoveKind
    container: ContainerNumber
    from_place: Place | None
    to_place: Place | None
    visit: str | None = None
    state: MoveState = MoveState.PLANNED
    sequence: int | None = None
    """Order within the visit's or crane's work sequence, when planning gives one."""
    planned_start: datetime | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    equipment: str | None = None
    """Machine doing it now (quay crane, AGV, yard crane, truck)."""

    def __post_init__(self) -> None:
        check_id("work instruction", self.id)
        if self.from_place is None and self.to_place is None:
            raise InvalidValue(f"work instruction {self.id}: from and to cannot both be outside")

    def advance(self, state: MoveState, at: datetime | None = None) -> Self:
        """The instruction in ``state``; start and end times are set from ``at``.

        Raises
        ------
        IllegalTransition
            ``state`` cannot follow the current state.
        """
        if state not in _NEXT[self.state]:
            allowed = ", ".join(sorted(_NEXT[self.state])) or "none (final)"
            raise IllegalTransition(
                f"work instruction {self.id} ({self.container}) cannot go from {self.state} to "
                f"{state}; allowed: {allowed}"
            )
        changes: dict[str, object] = {"state": state}
        if state is MoveState.IN_PROGRESS and self.actual_start is None:
            changes["actual_start"] = at
        if state is MoveState.DONE:
            changes["actual_end"] = at
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_final(self) -> bool:
        """Done or cancelled."""
        return not _NEXT[self.state]


class QuayWork(Protocol):
    """A discharge or load at a vessel slot (the ECS's and the planners' quay moves)."""

    @property
    def kind(self) -> str: ...

    @property
    def slot(self) -> BayRowTier: ...


W = TypeVar("W", bound=QuayWork)


def dual_cycle_order(discharges: Sequence[W], loads: Sequence[W]) -> list[W]:
    """Hold discharges and loads of one bay section interleaved for dual cycling.

    ``discharges`` come top tier first and ``loads`` bottom tier first. A load into
    a stack (a row of the section, 20' and 40' bays alike) may go as soon as that
    stack has no discharge left; discharges and loads then alternate, so that each
    load can share a main-trolley cycle with the discharge after it.
    """
    left: dict[int, int] = defaultdict(int)
    for m in discharges:
        left[m.slot.row] += 1
    queue, waiting = list(discharges), list(loads)
    out: list[W] = []
    last_was_discharge = False
    while queue or waiting:
        ready = next((m for m in waiting if left[m.slot.row] == 0), None)
        if ready is not None and (last_was_discharge or not queue):
            waiting.remove(ready)
            out.append(ready)
            last_was_discharge = False
        else:  # a load always finds its stack cleared once no discharge is left
            move = queue.pop(0)
            left[move.slot.row] -= 1
            out.append(move)
            last_was_discharge = True
    return out
