"""The result every planner returns: status, objective, plan, statistics, runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

P = TypeVar("P")


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    """The plan is proven optimal."""
    FEASIBLE = "feasible"
    """A plan was found; it may not be optimal (time limit)."""
    INFEASIBLE = "infeasible"
    """Proven to have no plan."""
    UNKNOWN = "unknown"
    """No plan found within the limits, and no proof that none exists."""


@dataclass(frozen=True, slots=True)
class Result(Generic[P]):
    """A planner's answer; ``plan`` is None unless the status is OPTIMAL or FEASIBLE."""

    status: Status
    objective: float | None
    plan: P | None
    runtime_s: float
    bound: float | None = None
    """Best proven lower bound on the objective (minimisation), when the solver gives one."""
    statistics: dict[str, float] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True when there is a plan."""
        return self.plan is not None
