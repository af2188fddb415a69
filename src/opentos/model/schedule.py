"""A line's schedule of one vessel and voyage: its port calls with ETA and ETD (IFTSAI).

:class:`Schedule` holds the vessel (a :class:`~opentos.model.orders.VesselCall`
without port) and its :class:`PortCall` in voyage order. :func:`planned_visits`
turns the calls at one port, the terminal's own, into planned
:class:`~opentos.model.visits.VesselVisit` with the estimated times as planned
arrival and departure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from opentos.errors import InvalidValue
from opentos.model.container import JsonValue
from opentos.model.ids import UnLocode
from opentos.model.orders import VesselCall
from opentos.model.vessel import VesselProfile
from opentos.model.visits import VesselVisit

_TERMINAL = re.compile(r"[A-Z0-9]{1,17}")


def _aware(what: str, value: datetime | None) -> None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise InvalidValue(f"{what} {value!r} must be a datetime with a time zone")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class PortCall:
    """One call of the voyage: the port, the terminal when given, and the estimated times."""

    port: UnLocode
    eta: datetime | None = None
    etd: datetime | None = None
    terminal: str | None = None
    """The terminal's code (SMDG terminal code list) when the line names it."""

    def __post_init__(self) -> None:
        if not isinstance(self.port, UnLocode):
            raise InvalidValue(f"port call port {self.port!r} is not a UnLocode")
        what = f"call at {self.port}"
        _aware(f"{what}: ETA", self.eta)
        _aware(f"{what}: ETD", self.etd)
        if self.eta is not None and self.etd is not None and self.etd < self.eta:
            raise InvalidValue(
                f"{what}: ETD {self.etd.isoformat()} is before ETA {self.eta.isoformat()}"
            )
        if self.terminal is not None and not _TERMINAL.fullmatch(self.terminal):
            raise InvalidValue(
                f"{what}: terminal code {self.terminal!r} must be 1-17 capital letters or digits"
            )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "port": str(self.port),
            "terminal": self.terminal,
            "eta": _iso(self.eta),
            "etd": _iso(self.etd),
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    """One vessel's voyage as the line publishes it: the port calls in order."""

    reference: str
    vessel: VesselCall
    calls: tuple[PortCall, ...]
    issued: datetime | None = None

    def __post_init__(self) -> None:
        ref = self.reference
        if not isinstance(ref, str) or not ref or ref != ref.strip() or len(ref) > 35:
            raise InvalidValue(
                f"schedule reference {ref!r} must be 1-35 characters without surrounding blanks"
            )
        what = f"schedule {ref}"
        if not isinstance(self.vessel, VesselCall):
            raise InvalidValue(f"{what}: vessel {self.vessel!r} is not a VesselCall")
        calls = tuple(self.calls)
        object.__setattr__(self, "calls", calls)
        if not calls:
            raise InvalidValue(f"{what} has no port call")
        if not all(isinstance(c, PortCall) for c in calls):
            raise InvalidValue(f"{what}: every call must be a PortCall")
        _aware(f"{what}: issue time", self.issued)

    def calls_at(self, port: UnLocode) -> tuple[PortCall, ...]:
        """The calls at ``port``, in voyage order."""
        return tuple(c for c in self.calls if c.port == port)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "vessel": self.vessel.to_dict(),
            "issued": _iso(self.issued),
            "calls": [c.to_dict() for c in self.calls],
        }


_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def visit_id(vessel: VesselCall, nth: int = 1) -> str:
    """The id a planned visit of ``vessel`` gets: voyage and vessel name (``FA512W-MSC-TESSA``).

    ``nth`` > 1 (a second call at the same port on one voyage) adds ``-2`` ...
    """
    base = _NOT_ID.sub("-", f"{vessel.voyage}-{vessel.vessel_name}").strip("-._")
    suffix = f"-{nth}" if nth > 1 else ""
    return (base[: 40 - len(suffix)] or "VISIT") + suffix


def planned_visits(
    schedule: Schedule, port: UnLocode, profile: VesselProfile
) -> tuple[VesselVisit, ...]:
    """The planned vessel visits of ``schedule``'s calls at ``port`` (the terminal's own).

    Each visit has the vessel's name, IMO number or call sign, operator, the
    voyage in and out, ``profile`` as its vessel class, and the call's ETA and
    ETD as planned arrival and departure.
    """
    vessel = schedule.vessel
    return tuple(
        VesselVisit(
            id=visit_id(vessel, n),
            vessel_name=vessel.vessel_name,
            profile=profile,
            operator=vessel.operator,
            voyage_in=vessel.voyage,
            voyage_out=vessel.voyage,
            imo=vessel.imo,
            call_sign=vessel.call_sign,
            planned_arrival=call.eta,
            planned_departure=call.etd,
        )
        for n, call in enumerate(schedule.calls_at(port), start=1)
    )
