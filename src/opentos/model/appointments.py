"""Truck appointments (a vehicle booking system): slots, capacities, quotas, the rules of booking.

A terminal divides each day into slots (for example 30 minutes, from midnight
UTC). Each slot takes at most so many appointments of each gate move
(:class:`GateMove`), and at most so many boxes from or to each yard block
(the block's yard cranes serve only so many trucks in half an hour). A
priority group (a haulier's contract, a shuttle service) can be guaranteed a
share of a move's places in every slot: those places are kept for the group,
the rest is open to anyone. Bookings open and close a set time before the
slot; a truck may check in a set time early or late.

:func:`check_booking` decides whether one more appointment fits among those
already booked, and says why not; :func:`check_in` whether a truck is within
its tolerance. Both are pure: the operations layer reads the appointments and
records the decision in one transaction.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import cast

from opentos.errors import BookingRefused, IllegalTransition, InvalidValue
from opentos.model.container import JsonValue
from opentos.model.ids import ContainerNumber
from opentos.model.places import check_id


class GateMove(StrEnum):
    """What a truck comes to do."""

    DELIVER_EXPORT = "deliver-export"
    PICK_UP_IMPORT = "pick-up-import"
    DELIVER_EMPTY = "deliver-empty"
    PICK_UP_EMPTY = "pick-up-empty"


class AppointmentState(StrEnum):
    """Life of an appointment."""

    BOOKED = "booked"
    CHECKED_IN = "checked-in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    """Given up by the haulier."""
    CLOSED = "closed"
    """Withdrawn by the terminal (a closed slot, a refused truck)."""
    NO_SHOW = "no-show"
    """The truck did not come within its tolerance."""


HOLDING = frozenset(
    {AppointmentState.BOOKED, AppointmentState.CHECKED_IN, AppointmentState.COMPLETED}
)
"""States that take a place in their slot."""

_NEXT: dict[AppointmentState, frozenset[AppointmentState]] = {
    AppointmentState.BOOKED: frozenset(
        {
            AppointmentState.CHECKED_IN,
            AppointmentState.CANCELLED,
            AppointmentState.CLOSED,
            AppointmentState.NO_SHOW,
        }
    ),
    AppointmentState.CHECKED_IN: frozenset({AppointmentState.COMPLETED, AppointmentState.CLOSED}),
    AppointmentState.COMPLETED: frozenset(),
    AppointmentState.CANCELLED: frozenset(),
    AppointmentState.CLOSED: frozenset(),
    AppointmentState.NO_SHOW: frozenset(),
}


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None:
        raise InvalidValue(f"{name} {value.isoformat()} has no time zone")


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How a terminal's days are cut into slots and what each slot takes.

    Parameters
    ----------
    slot_minutes
        Length of a slot; the day (UTC) is cut into slots from midnight, so it divides
        24 hours.
    per_slot
        The most appointments of each gate move in one slot; a move not named takes none.
    block_quota
        The most boxes from or to each yard block in one slot; a block not named has no
        quota of its own.
    shares
        Priority groups and the share (0-1) of each move's places in every slot kept for
        each; together at most 1.
    opens_before, closes_before
        Bookings for a slot open this long before it starts and close this long before.
    early, late
        How early and how late a truck may check in for its slot.
    """

    slot_minutes: int = 30
    per_slot: Mapping[GateMove, int] = field(default_factory=dict)
    block_quota: Mapping[str, int] = field(default_factory=dict)
    shares: Mapping[str, float] = field(default_factory=dict)
    opens_before: timedelta = timedelta(days=7)
    closes_before: timedelta = timedelta(hours=1)
    early: timedelta = timedelta(minutes=30)
    late: timedelta = timedelta(minutes=30)
    export_cutoff: timedelta = timedelta(hours=12)
    """Exports are delivered at least this long before their vessel's planned arrival."""
    refused_imdg_classes: tuple[str, ...] = ("1", "7")
    """IMDG classes the terminal does not take into its yard (here: explosives and
    radioactive material, which go to or from the ship directly)."""

    def __post_init__(self) -> None:
        if not 1 <= self.slot_minutes <= 1440 or 1440 % self.slot_minutes:
            raise InvalidValue(
                f"slot of {self.slot_minutes} minutes does not divide the day into slots"
            )
        for move, places in self.per_slot.items():
            if places < 0:
                raise InvalidValue(f"{move} places per slot {places} is negative")
        for block, quota in self.block_quota.items():
            if quota < 0:
                raise InvalidValue(f"block {block} quota per slot {quota} is negative")
        for group, share in self.shares.items():
            if not 0 <= share <= 1:
                raise InvalidValue(f"priority group {group} share {share} is not within 0-1")
        if sum(self.shares.values()) > 1 + 1e-9:
            raise InvalidValue(
                f"priority groups' shares add up to {sum(self.shares.values()):g}, more than 1"
            )
        if self.closes_before > self.opens_before:
            raise InvalidValue(
                f"bookings close {self.closes_before} before a slot but open only "
                f"{self.opens_before} before it"
            )
        for name in ("opens_before", "closes_before", "early", "late", "export_cutoff"):
            if getattr(self, name) < timedelta(0):
                raise InvalidValue(f"{name} {getattr(self, name)} is negative")

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-compatible dict that :meth:`from_dict` reads back to equal rules."""
        return {
            "slot_minutes": self.slot_minutes,
            "per_slot": {str(m): n for m, n in sorted(self.per_slot.items())},
            "block_quota": dict(sorted(self.block_quota.items())),
            "shares": dict(sorted(self.shares.items())),
            "opens_before_s": self.opens_before.total_seconds(),
            "closes_before_s": self.closes_before.total_seconds(),
            "early_s": self.early.total_seconds(),
            "late_s": self.late.total_seconds(),
            "export_cutoff_s": self.export_cutoff.total_seconds(),
            "refused_imdg_classes": list(self.refused_imdg_classes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SlotRules:
        """Rules from :meth:`to_dict`'s form.

        Raises
        ------
        InvalidValue
            A field is missing, of the wrong type, or breaks a rule of :class:`SlotRules`.
        """
        try:
            per_slot = cast(Mapping[str, int], data["per_slot"])
            return cls(
                slot_minutes=int(cast(int, data["slot_minutes"])),
                per_slot={GateMove(m): int(n) for m, n in per_slot.items()},
                block_quota={
                    str(b): int(q) for b, q in cast(Mapping[str, int], data["block_quota"]).items()
                },
                shares={
                    str(g): float(v) for g, v in cast(Mapping[str, float], data["shares"]).items()
                },
                opens_before=timedelta(seconds=float(cast(float, data["opens_before_s"]))),
                closes_before=timedelta(seconds=float(cast(float, data["closes_before_s"]))),
                early=timedelta(seconds=float(cast(float, data["early_s"]))),
                late=timedelta(seconds=float(cast(float, data["late_s"]))),
                export_cutoff=timedelta(seconds=float(cast(float, data["export_cutoff_s"]))),
                refused_imdg_classes=tuple(
                    str(c) for c in cast(list[str], data["refused_imdg_classes"])
                ),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, InvalidValue):
                raise
            raise InvalidValue(f"slot rules: {exc!s} in {dict(data)!r}") from None

    @property
    def slot_length(self) -> timedelta:
        """A slot's length."""
        return timedelta(minutes=self.slot_minutes)

    def check_slot(self, start: datetime) -> None:
        """Refuse a slot start that is not on this terminal's grid of slots.

        Raises
        ------
        InvalidValue
            ``start`` has no time zone or does not start a slot.
        """
        _aware("slot", start)
        midnight = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if (start - midnight) % self.slot_length:
            raise InvalidValue(
                f"slot {start.isoformat()} does not start a slot of {self.slot_minutes} minutes "
                "(slots run from midnight UTC)"
            )

    def slot_of(self, at: datetime) -> datetime:
        """The start of the slot ``at`` falls in."""
        _aware("time", at)
        at = at.astimezone(UTC)
        midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + (at - midnight) // self.slot_length * self.slot_length

    def reserved(self, move: GateMove, group: str) -> int:
        """Places of ``move`` kept for ``group`` in every slot (its share, rounded down)."""
        return math.floor(self.shares.get(group, 0.0) * self.per_slot.get(move, 0) + 1e-9)


@dataclass(frozen=True, slots=True)
class Appointment:
    """A truck's booking of one slot for one gate move.

    ``containers`` are the boxes it brings or takes, each with the yard block it comes
    from or goes to (``blocks``, in the same order; ``None`` where not known yet). An
    export or an empty may be booked by ``reference`` (a booking or release number)
    before its box is known.
    """

    id: str
    haulier: str
    truck: str
    driver: str
    move: GateMove
    slot: datetime
    containers: tuple[ContainerNumber, ...] = ()
    blocks: tuple[str | None, ...] = ()
    reference: str | None = None
    group: str | None = None
    visit: str | None = None
    """The vessel visit an export is for (its cut-off is checked at booking)."""
    state: AppointmentState = AppointmentState.BOOKED

    def __post_init__(self) -> None:
        check_id("appointment", self.id)
        _aware(f"appointment {self.id}: slot", self.slot)
        for name in ("haulier", "truck", "driver"):
            if not getattr(self, name).strip():
                raise InvalidValue(f"appointment {self.id}: no {name}")
        if len(self.blocks) != len(self.containers):
            raise InvalidValue(
                f"appointment {self.id}: {len(self.blocks)} blocks for "
                f"{len(self.containers)} containers"
            )
        if len(set(self.containers)) != len(self.containers):
            raise InvalidValue(f"appointment {self.id}: a container is named twice")
        if not self.containers and self.reference is None:
            raise InvalidValue(
                f"appointment {self.id}: names no container and no booking or release reference"
            )

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-compatible dict that :meth:`from_dict` reads back to an equal appointment."""
        return {
            "id": self.id,
            "haulier": self.haulier,
            "truck": self.truck,
            "driver": self.driver,
            "move": str(self.move),
            "slot": self.slot.astimezone(UTC).isoformat(),
            "containers": [str(n) for n in self.containers],
            "blocks": list(self.blocks),
            "reference": self.reference,
            "group": self.group,
            "visit": self.visit,
            "state": str(self.state),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Appointment:
        """An appointment from :meth:`to_dict`'s form."""
        return cls(
            id=str(data["id"]),
            haulier=str(data["haulier"]),
            truck=str(data["truck"]),
            driver=str(data["driver"]),
            move=GateMove(str(data["move"])),
            slot=datetime.fromisoformat(str(data["slot"])),
            containers=tuple(
                ContainerNumber.parse(str(n)) for n in cast(list[str], data["containers"])
            ),
            blocks=tuple(None if b is None else str(b) for b in cast(list[object], data["blocks"])),
            reference=None if data.get("reference") is None else str(data["reference"]),
            group=None if data.get("group") is None else str(data["group"]),
            visit=None if data.get("visit") is None else str(data["visit"]),
            state=AppointmentState(str(data["state"])),
        )

    def advance(self, state: AppointmentState) -> Appointment:
        """The appointment in ``state``.

        Raises
        ------
        IllegalTransition
            ``state`` cannot follow the present one (a cancelled appointment is done).
        """
        if state not in _NEXT[self.state]:
            raise IllegalTransition(f"appointment {self.id} is {self.state}; it cannot be {state}")
        return replace(self, state=state)


def _holding(booked: Iterable[Appointment], slot: datetime, other_than: str) -> list[Appointment]:
    return [a for a in booked if a.slot == slot and a.state in HOLDING and a.id != other_than]


def check_booking(
    rules: SlotRules, booked: Sequence[Appointment], new: Appointment, now: datetime
) -> None:
    """Whether ``new`` may be booked now beside the appointments ``booked``.

    ``booked`` may include ``new``'s own earlier version (a change): it does not count
    against itself.

    Raises
    ------
    InvalidValue
        The slot is not one of the terminal's.
    BookingRefused
        The booking window is not open, the slot has no place left for the move (or none
        that ``new``'s priority group may take), or a block's quota is used up; the
        message names the slot, the move or block and the figures.
    """
    rules.check_slot(new.slot)
    _aware("now", now)
    slot = new.slot.isoformat()
    if now < new.slot - rules.opens_before:
        raise BookingRefused(
            f"slot {slot}: bookings open {new.slot - rules.opens_before:%Y-%m-%d %H:%M} UTC "
            f"({rules.opens_before} before the slot)"
        )
    if now > new.slot - rules.closes_before:
        raise BookingRefused(
            f"slot {slot}: bookings closed {new.slot - rules.closes_before:%Y-%m-%d %H:%M} UTC "
            f"({rules.closes_before} before the slot)"
        )
    others = _holding(booked, new.slot, new.id)
    _check_places(rules, others, new, slot)
    _check_quotas(rules, others, new, slot)


def _check_places(rules: SlotRules, others: list[Appointment], new: Appointment, slot: str) -> None:
    capacity = rules.per_slot.get(new.move, 0)
    same = [a for a in others if a.move is new.move]
    if len(same) >= capacity:
        raise BookingRefused(
            f"slot {slot}: {new.move} is full ({len(same)} of {capacity} places booked)"
        )
    used = Counter(a.group for a in same)
    # places kept for each group: those it has not used yet are not open to others
    kept = sum(max(rules.reserved(new.move, g), used.get(g, 0)) for g in rules.shares) + sum(
        n for g, n in used.items() if g not in rules.shares
    )
    open_places = capacity - kept
    group = new.group if new.group in rules.shares else None
    if group is not None and used.get(group, 0) < rules.reserved(new.move, group):
        return  # one of the group's kept places
    if open_places <= 0:
        raise BookingRefused(
            f"slot {slot}: the {capacity - len(same)} places of {new.move} left of {capacity} "
            f"are kept for priority groups ({', '.join(sorted(rules.shares))})"
        )


def _check_quotas(rules: SlotRules, others: list[Appointment], new: Appointment, slot: str) -> None:
    wanted = Counter(b for b in new.blocks if b is not None and b in rules.block_quota)
    if not wanted:
        return
    taken = Counter(b for a in others for b in a.blocks if b is not None)
    for block, boxes in sorted(wanted.items()):
        quota = rules.block_quota[block]
        if taken[block] + boxes > quota:
            raise BookingRefused(
                f"slot {slot}: block {block} takes {quota} boxes per slot and "
                f"{taken[block]} are booked; {new.id} would add {boxes}"
            )


def check_in(rules: SlotRules, appointment: Appointment, at: datetime) -> None:
    """Whether a truck checking in at ``at`` is within its appointment's tolerance.

    Raises
    ------
    BookingRefused
        Too early or too late, naming by how much; or the appointment is not booked.
    """
    _aware("check-in", at)
    if appointment.state is not AppointmentState.BOOKED:
        raise BookingRefused(f"appointment {appointment.id} is {appointment.state}, not booked")
    opens = appointment.slot - rules.early
    closes = appointment.slot + rules.slot_length + rules.late
    if at < opens:
        raise BookingRefused(
            f"appointment {appointment.id}: {opens - at} too early (the gate takes it from "
            f"{opens:%H:%M} UTC)"
        )
    if at > closes:
        raise BookingRefused(
            f"appointment {appointment.id}: {at - closes} too late (the gate took it until "
            f"{closes:%H:%M} UTC)"
        )
