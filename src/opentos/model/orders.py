"""Orders and reports exchanged with shipping lines about container moves.

- :class:`LoadDischargeOrder`: the line's list of boxes to load onto or
  discharge from one vessel call (EDIFACT COPRAR).
- :class:`HandlingReport`: the terminal's report of boxes loaded or discharged,
  each with its slot and time (COARRI).
- :class:`GateReport`: the terminal's report of boxes through the truck gate,
  in or out, with the truck and its references (CODECO).
- :class:`Booking`: a line's booking or release of equipment, by size type and
  quantity, with specific boxes when known (COPARN).

Every type validates itself on construction and gives a JSON-ready
:meth:`to_dict`. Times are aware datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    JsonValue,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind, SizeType
from opentos.model.moves import MoveKind
from opentos.model.slots import BayRowTier

_OPERATOR = re.compile(r"[A-Z0-9]{1,4}")
_CALL_SIGN = re.compile(r"[A-Z0-9]{1,17}")
_IMO = re.compile(r"\d{7}")


def check_text(what: str, value: object, max_len: int, *, optional: bool = False) -> None:
    """Check a free-text field: a str of 1..max_len characters without surrounding blanks."""
    if value is None and optional:
        return
    if (
        not isinstance(value, str)
        or not value
        or value != value.strip()
        or len(value) > max_len
        or not value.isprintable()
    ):
        raise InvalidValue(
            f"{what} {value!r} must be 1-{max_len} printable characters without surrounding blanks"
        )


def check_aware(what: str, value: datetime | None) -> None:
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(f"{what} {value!r} must be a datetime with a time zone")


def _operator(what: str, value: object) -> None:
    if not isinstance(value, str) or not _OPERATOR.fullmatch(value):
        raise InvalidValue(f"{what} {value!r} must be 1-4 capital letters or digits")


def iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class VesselCall:
    """The vessel call a message is about: vessel, voyage, line operator and port.

    Only one vessel identifier is written to EDIFACT: the IMO number if given,
    else the call sign.
    """

    vessel_name: str
    voyage: str
    operator: str
    call_sign: str | None = None
    imo: str | None = None
    port: UnLocode | None = None

    def __post_init__(self) -> None:
        check_text("vessel name", self.vessel_name, 35)
        check_text(f"vessel {self.vessel_name}: voyage", self.voyage, 17)
        _operator(f"vessel {self.vessel_name}: operator", self.operator)
        if self.call_sign is not None and not _CALL_SIGN.fullmatch(self.call_sign):
            raise InvalidValue(
                f"vessel {self.vessel_name}: call sign {self.call_sign!r} must be 1-17 capital "
                "letters or digits"
            )
        if self.imo is not None and not _IMO.fullmatch(self.imo):
            raise InvalidValue(
                f"vessel {self.vessel_name}: IMO number {self.imo!r} must be 7 digits"
            )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "vessel_name": self.vessel_name,
            "voyage": self.voyage,
            "operator": self.operator,
            "call_sign": self.call_sign,
            "imo": self.imo,
            "port": _str(self.port),
        }


def _vessel_kind(what: str, kind: MoveKind) -> MoveKind:
    if kind not in (MoveKind.LOAD, MoveKind.DISCHARGE):
        raise InvalidValue(f"{what} kind {kind!r} must be {MoveKind.LOAD} or {MoveKind.DISCHARGE}")
    return kind


def _unique_numbers(what: str, numbers: list[ContainerNumber]) -> None:
    seen: set[ContainerNumber] = set()
    for number in numbers:
        if number in seen:
            raise InvalidValue(f"{what}: container {number} is listed twice")
        seen.add(number)


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One box to load or discharge, with its slot on board when given and its booking."""

    container: Container
    slot: BayRowTier | None = None
    booking: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.container, Container):
            raise InvalidValue(f"order item {self.container!r} is not a Container")
        check_text(f"container {self.container.number}: booking", self.booking, 35, optional=True)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": self.container.to_dict(),
            "slot": _str(self.slot),
            "booking": self.booking,
        }


@dataclass(frozen=True, slots=True)
class LoadDischargeOrder:
    """A line's order to load onto (``MoveKind.LOAD``) or discharge from one vessel call."""

    reference: str
    kind: MoveKind
    vessel: VesselCall
    items: tuple[OrderItem, ...]
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("order reference", self.reference, 35)
        what = f"order {self.reference}"
        object.__setattr__(self, "kind", _vessel_kind(what, self.kind))
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise InvalidValue(f"{what} lists no container")
        check_aware(f"{what}: issue time", self.issued)
        _unique_numbers(what, [i.container.number for i in self.items])

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "kind": self.kind.value,
            "vessel": self.vessel.to_dict(),
            "issued": iso_or_none(self.issued),
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True, slots=True)
class HandlingItem:
    """One box loaded onto or discharged from a vessel: its slot on board and the time."""

    container: Container
    kind: MoveKind
    slot: BayRowTier
    at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.container, Container):
            raise InvalidValue(f"handling item {self.container!r} is not a Container")
        what = f"container {self.container.number}"
        object.__setattr__(self, "kind", _vessel_kind(what, self.kind))
        if not isinstance(self.slot, BayRowTier):
            raise InvalidValue(f"{what}: slot {self.slot!r} is not a BayRowTier")
        check_aware(f"{what}: move time", self.at)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": self.container.to_dict(),
            "kind": self.kind.value,
            "slot": str(self.slot),
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class HandlingReport:
    """The terminal's report of the boxes loaded or discharged at one vessel call."""

    reference: str
    kind: MoveKind
    vessel: VesselCall
    items: tuple[HandlingItem, ...]
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("report reference", self.reference, 35)
        what = f"report {self.reference}"
        kind = _vessel_kind(what, self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "items", tuple(self.items))
        check_aware(f"{what}: issue time", self.issued)
        for item in self.items:
            if item.kind is not kind:
                raise InvalidValue(
                    f"{what} is a {kind} report but container {item.container.number} "
                    f"was a {item.kind}"
                )
        _unique_numbers(what, [i.container.number for i in self.items])

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "kind": self.kind.value,
            "vessel": self.vessel.to_dict(),
            "issued": iso_or_none(self.issued),
            "items": [i.to_dict() for i in self.items],
        }


def _gate_kind(what: str, kind: MoveKind) -> MoveKind:
    if kind not in (MoveKind.GATE_IN, MoveKind.GATE_OUT):
        raise InvalidValue(
            f"{what} direction {kind!r} must be {MoveKind.GATE_IN} or {MoveKind.GATE_OUT}"
        )
    return kind


@dataclass(frozen=True, slots=True)
class GateItem:
    """One box through the truck gate: direction, time, truck and the references it came on."""

    container: Container
    direction: MoveKind
    at: datetime
    truck: str
    """The truck's licence plate."""
    haulier: str | None = None
    booking: str | None = None
    release: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.container, Container):
            raise InvalidValue(f"gate item {self.container!r} is not a Container")
        what = f"container {self.container.number}"
        object.__setattr__(self, "direction", _gate_kind(what, self.direction))
        check_aware(f"{what}: gate time", self.at)
        check_text(f"{what}: truck licence plate", self.truck, 17)
        check_text(f"{what}: haulier", self.haulier, 17, optional=True)
        check_text(f"{what}: booking", self.booking, 35, optional=True)
        check_text(f"{what}: release", self.release, 35, optional=True)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": self.container.to_dict(),
            "direction": self.direction.value,
            "at": self.at.isoformat(),
            "truck": self.truck,
            "haulier": self.haulier,
            "booking": self.booking,
            "release": self.release,
        }


@dataclass(frozen=True, slots=True)
class GateReport:
    """The terminal's report to a line of its boxes through the gate, all in or all out."""

    reference: str
    direction: MoveKind
    operator: str
    items: tuple[GateItem, ...]
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("gate report reference", self.reference, 35)
        what = f"gate report {self.reference}"
        direction = _gate_kind(what, self.direction)
        object.__setattr__(self, "direction", direction)
        _operator(f"{what}: operator", self.operator)
        object.__setattr__(self, "items", tuple(self.items))
        check_aware(f"{what}: issue time", self.issued)
        for item in self.items:
            if item.direction is not direction:
                raise InvalidValue(
                    f"{what} is a {direction} report but container {item.container.number} "
                    f"went {item.direction}"
                )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "direction": self.direction.value,
            "operator": self.operator,
            "issued": iso_or_none(self.issued),
            "items": [i.to_dict() for i in self.items],
        }


class BookingKind(StrEnum):
    """What a booking asks of the terminal; values are the COPARN ``BGM`` document codes."""

    BOOKING = "126"
    """Booking of export boxes: full boxes to be accepted at the gate for a vessel."""
    RELEASE = "12"
    """Release order: empties (or named boxes) the terminal may hand out at the gate."""
    ACCEPTANCE = "11"
    """Acceptance order: empties (or named boxes) the terminal may take in at the gate."""
    ARRIVAL = "27"
    """Advice of the impending arrival of boxes."""
    CALL_DOWN = "690"
    """Call-down of import boxes for delivery."""

    @property
    def is_release(self) -> bool:
        """True if boxes leave the terminal on this order."""
        return self in (BookingKind.RELEASE, BookingKind.CALL_DOWN)


@dataclass(frozen=True, slots=True)
class EquipmentLine:
    """So many boxes of one size type, full or empty; named boxes when known."""

    iso_type: SizeType
    quantity: int = 1
    full_empty: FullEmpty = FullEmpty.EMPTY
    containers: tuple[ContainerNumber, ...] = ()
    reefer: ReeferSetting | None = None
    dangerous_goods: tuple[DangerousGoods, ...] = ()

    def __post_init__(self) -> None:
        what = f"equipment line {self.iso_type}"
        if (
            isinstance(self.quantity, bool)
            or not isinstance(self.quantity, int)
            or not 1 <= self.quantity <= 9999
        ):
            raise InvalidValue(f"{what}: quantity {self.quantity!r} must be 1-9999")
        fe = self.full_empty
        if not isinstance(fe, FullEmpty):
            try:
                fe = FullEmpty(fe)
            except ValueError:
                raise InvalidValue(f"{what}: full/empty {fe!r} must be 'F' or 'E'") from None
        object.__setattr__(self, "full_empty", fe)
        numbers = tuple(self.containers)
        object.__setattr__(self, "containers", numbers)
        if len(numbers) > self.quantity:
            raise InvalidValue(
                f"{what}: {len(numbers)} containers named but quantity is {self.quantity}"
            )
        _unique_numbers(what, list(numbers))
        if self.reefer is not None and self.iso_type.kind is not ContainerKind.REEFER:
            raise InvalidValue(
                f"{what}: reefer setting {self.reefer} given for a {self.iso_type.kind}"
            )
        object.__setattr__(self, "dangerous_goods", tuple(self.dangerous_goods))

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two lines the same kind of equipment (a booking lists each once)."""
        return (self.iso_type, self.full_empty, self.reefer, self.dangerous_goods)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "iso_type": self.iso_type.code,
            "quantity": self.quantity,
            "full_empty": self.full_empty.value,
            "containers": [str(n) for n in self.containers],
            "reefer": None if self.reefer is None else {"set_point_c": self.reefer.set_point_c},
            "dangerous_goods": [
                {
                    "imdg_class": dg.imdg_class,
                    "un_number": dg.un_number,
                    "packing_group": _str(dg.packing_group),
                    "flashpoint_c": dg.flashpoint_c,
                }
                for dg in self.dangerous_goods
            ],
        }


@dataclass(frozen=True, slots=True)
class Booking:
    """A line's booking or release of equipment at the terminal (COPARN)."""

    reference: str
    kind: BookingKind
    operator: str
    lines: tuple[EquipmentLine, ...]
    vessel: VesselCall | None = None
    port_of_loading: UnLocode | None = None
    port_of_discharge: UnLocode | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("booking reference", self.reference, 35)
        what = f"booking {self.reference}"
        kind = self.kind
        if not isinstance(kind, BookingKind):
            try:
                kind = BookingKind(kind)
            except ValueError:
                allowed = ", ".join(k.value for k in BookingKind)
                raise InvalidValue(f"{what}: kind {kind!r} must be one of {allowed}") from None
        object.__setattr__(self, "kind", kind)
        _operator(f"{what}: operator", self.operator)
        lines = tuple(self.lines)
        object.__setattr__(self, "lines", lines)
        if not lines:
            raise InvalidValue(f"{what} has no equipment line")
        keys: set[tuple[object, ...]] = set()
        for line in lines:
            if line.key in keys:
                raise InvalidValue(
                    f"{what}: two lines of {line.iso_type} {line.full_empty.name.lower()} with "
                    "the same reefer and dangerous goods; merge them into one"
                )
            keys.add(line.key)
        _unique_numbers(what, [n for line in lines for n in line.containers])
        for name in ("valid_from", "valid_until", "issued"):
            check_aware(f"{what}: {name}", getattr(self, name))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise InvalidValue(
                f"{what}: valid until {self.valid_until.isoformat()} is before valid from "
                f"{self.valid_from.isoformat()}"
            )

    @property
    def quantity(self) -> int:
        """Boxes booked over all lines."""
        return sum(line.quantity for line in self.lines)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "kind": self.kind.name.lower(),
            "code": self.kind.value,
            "operator": self.operator,
            "vessel": None if self.vessel is None else self.vessel.to_dict(),
            "port_of_loading": _str(self.port_of_loading),
            "port_of_discharge": _str(self.port_of_discharge),
            "valid_from": iso_or_none(self.valid_from),
            "valid_until": iso_or_none(self.valid_until),
            "issued": iso_or_none(self.issued),
            "lines": [line.to_dict() for line in self.lines],
        }
