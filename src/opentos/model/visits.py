"""Visits: a vessel call, a train or a truck, with planned and actual times side by side.

Every visit goes through the same phases (:class:`VisitPhase`); moving to a
phase records its actual time (``actual_arrival`` on arrival, ...), next to
the planned one that was known before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Self

from opentos.errors import IllegalTransition, InvalidValue
from opentos.model.places import check_id
from opentos.model.vessel import VesselProfile


class VisitKind(StrEnum):
    """Mode of transport of a visit."""

    VESSEL = "vessel"
    RAIL = "rail"
    TRUCK = "truck"


class VisitPhase(StrEnum):
    """Life of a visit: expected, in the terminal, done."""

    PLANNED = "planned"
    ARRIVED = "arrived"
    """At the terminal (a vessel at berth, a train on its track, a truck through the gate)."""
    WORKING = "working"
    COMPLETE = "complete"
    """Its moves are done; it may still be in the terminal."""
    DEPARTED = "departed"
    CANCELLED = "cancelled"


_NEXT: dict[VisitPhase, frozenset[VisitPhase]] = {
    VisitPhase.PLANNED: frozenset({VisitPhase.ARRIVED, VisitPhase.CANCELLED}),
    VisitPhase.ARRIVED: frozenset({VisitPhase.WORKING, VisitPhase.COMPLETE, VisitPhase.DEPARTED}),
    VisitPhase.WORKING: frozenset({VisitPhase.COMPLETE}),
    VisitPhase.COMPLETE: frozenset({VisitPhase.WORKING, VisitPhase.DEPARTED}),
    VisitPhase.DEPARTED: frozenset(),
    VisitPhase.CANCELLED: frozenset(),
}


def _check_times(visit_id: str, pairs: Mapping[str, datetime | None]) -> None:
    for name, value in pairs.items():
        if value is not None and value.tzinfo is None:
            raise InvalidValue(f"visit {visit_id}: {name} {value} has no time zone")


def _from_iso(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class _VisitBase:
    id: str
    phase: VisitPhase = VisitPhase.PLANNED
    planned_arrival: datetime | None = None
    actual_arrival: datetime | None = None
    planned_departure: datetime | None = None
    actual_departure: datetime | None = None

    def _check(self) -> None:
        check_id("visit", self.id)
        _check_times(
            self.id,
            {
                f.name: getattr(self, f.name)
                for f in fields(self)
                if f.name.startswith(("planned_", "actual_"))
            },
        )
        if (
            self.planned_arrival
            and self.planned_departure
            and self.planned_departure < self.planned_arrival
        ):
            raise InvalidValue(
                f"visit {self.id}: planned departure {self.planned_departure.isoformat()} is "
                f"before planned arrival {self.planned_arrival.isoformat()}"
            )

    def advance(self, phase: VisitPhase, at: datetime) -> Self:
        """The visit in ``phase``; arriving or departing records ``at`` as the actual time.

        Raises
        ------
        IllegalTransition
            ``phase`` cannot follow the current phase.
        """
        if phase not in _NEXT[self.phase]:
            allowed = ", ".join(sorted(_NEXT[self.phase])) or "none (final)"
            raise IllegalTransition(
                f"visit {self.id} cannot go from {self.phase} to {phase}; allowed: {allowed}"
            )
        changes: dict[str, object] = {"phase": phase}
        if phase is VisitPhase.ARRIVED:
            changes["actual_arrival"] = at
        elif phase is VisitPhase.DEPARTED:
            changes["actual_departure"] = at
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_final(self) -> bool:
        """Departed or cancelled: no phase follows."""
        return not _NEXT[self.phase]

    @property
    def in_terminal(self) -> bool:
        """Arrived and not yet departed."""
        return self.phase in (VisitPhase.ARRIVED, VisitPhase.WORKING, VisitPhase.COMPLETE)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-compatible form (see :func:`visit_from_dict`)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                out[f.name] = value.isoformat()
            elif isinstance(value, VesselProfile):
                out[f.name] = value.to_dict()
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        out["kind"] = str(self.kind)
        return out

    @property
    def kind(self) -> VisitKind:
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class VesselVisit(_VisitBase):
    """A vessel call: the vessel, its voyage, berth and times (ETA/ATA, ETB/ATB, ETD/ATD)."""

    vessel_name: str
    profile: VesselProfile
    operator: str
    voyage_in: str = ""
    voyage_out: str = ""
    imo: str | None = None
    call_sign: str | None = None
    berth: str | None = None
    berth_position_m: float | None = None
    """Where along the quay the vessel lies: the quay metre of its end nearer quay metre 0."""
    planned_berthing: datetime | None = None
    actual_berthing: datetime | None = None

    def __post_init__(self) -> None:
        self._check()
        position = self.berth_position_m
        if position is not None and (
            isinstance(position, bool)
            or not isinstance(position, int | float)
            or not math.isfinite(position)
            or position < 0
        ):
            raise InvalidValue(f"visit {self.id}: berth position {position!r} m must be >= 0")
        if position is not None and self.berth is None:
            raise InvalidValue(
                f"visit {self.id}: berth position {position} m given without a berth"
            )
        if self.imo is not None and not (len(self.imo) == 7 and self.imo.isdigit()):
            raise InvalidValue(f"visit {self.id}: IMO number {self.imo!r} must be 7 digits")

    @property
    def kind(self) -> VisitKind:
        """Always :attr:`VisitKind.VESSEL`."""
        return VisitKind.VESSEL

    def advance(self, phase: VisitPhase, at: datetime) -> Self:
        """As :meth:`_VisitBase.advance`; starting work records the actual berthing time."""
        moved = _VisitBase.advance(self, phase, at)
        if phase is VisitPhase.ARRIVED and self.actual_berthing is None:
            moved = replace(moved, actual_berthing=at)
        return moved


@dataclass(frozen=True, slots=True, kw_only=True)
class RailVisit(_VisitBase):
    """A train on a terminal rail track."""

    train: str
    track: str | None = None
    wagons: int = 0

    def __post_init__(self) -> None:
        self._check()
        if self.wagons < 0:
            raise InvalidValue(f"visit {self.id}: wagons {self.wagons} is negative")

    @property
    def kind(self) -> VisitKind:
        """Always :attr:`VisitKind.RAIL`."""
        return VisitKind.RAIL


@dataclass(frozen=True, slots=True, kw_only=True)
class TruckVisit(_VisitBase):
    """A truck through the gate; the planned arrival is its appointment."""

    licence_plate: str
    haulier: str | None = None

    def __post_init__(self) -> None:
        self._check()
        if not self.licence_plate.strip():
            raise InvalidValue(f"visit {self.id}: licence plate is empty")

    @property
    def kind(self) -> VisitKind:
        """Always :attr:`VisitKind.TRUCK`."""
        return VisitKind.TRUCK


Visit = VesselVisit | RailVisit | TruckVisit


def visit_from_dict(data: Mapping[str, object]) -> Visit:
    """Rebuild a visit from :meth:`to_dict`'s output."""
    values = dict(data)
    kind = VisitKind(str(values.pop("kind")))
    cls: type[Visit] = {
        VisitKind.VESSEL: VesselVisit,
        VisitKind.RAIL: RailVisit,
        VisitKind.TRUCK: TruckVisit,
    }[kind]
    args: dict[str, object] = {}
    for f in fields(cls):
        if f.name not in values:
            continue
        value = values[f.name]
        if f.name == "phase":
            value = VisitPhase(str(value))
        elif f.name == "profile":
            value = VesselProfile.from_dict(value)  # type: ignore[arg-type]
        elif f.name.startswith(("planned_", "actual_")):
            value = _from_iso(value)
        args[f.name] = value
    return cls(**args)  # type: ignore[arg-type]
