"""Stowage instructions: what a vessel's central planner asks the terminal to do in one port.

The line's central planner sends them (EDIFACT MOVINS) before the call: which
slots to discharge, which to load and with what (a given box, or any box of a
category: size type, port of discharge, weight class, reefer, dangerous goods,
out of gauge), and which boxes to restow or shift. The terminal's own load
plan has to fit inside these reservations.

Instructions are grouped by handling (:class:`Handling`), each group listing
the vessel slots concerned (:class:`SlotInstruction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import (
    MAX_GROSS_KG,
    DangerousGoods,
    FullEmpty,
    JsonValue,
    OutOfGauge,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind, SizeType
from opentos.model.moves import MoveKind
from opentos.model.slots import BayRowTier

_OOG_KINDS = frozenset({ContainerKind.OPEN_TOP, ContainerKind.FLAT_RACK, ContainerKind.PLATFORM})


class Handling(StrEnum):
    """What the terminal is to do with the slots of a group."""

    LOAD = "load"
    DISCHARGE = "discharge"
    RESTOW = "restow"
    """Discharge to the quay and load back into another (or the same) slot."""
    SHIFT = "shift"
    """Move within the vessel without landing the box on the quay."""

    @property
    def move_kind(self) -> MoveKind:
        """The kind of work instruction the terminal makes for it."""
        return _MOVE_KINDS[self]

    @property
    def names_boxes(self) -> bool:
        """True when every slot must name the box (a restow or shift moves a known box)."""
        return self in (Handling.RESTOW, Handling.SHIFT)


_MOVE_KINDS = {
    Handling.LOAD: MoveKind.LOAD,
    Handling.DISCHARGE: MoveKind.DISCHARGE,
    Handling.RESTOW: MoveKind.RESTOW,
    Handling.SHIFT: MoveKind.RESTOW,
}


class VesselIdKind(StrEnum):
    """How the vessel is identified: radio call sign or IMO number."""

    CALL_SIGN = "call_sign"
    IMO = "imo"


def _positive_kg(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValue(f"{what} {value!r} must be a positive integer")
    if value > MAX_GROSS_KG:
        raise InvalidValue(f"{what} {value} is over the plausible maximum {MAX_GROSS_KG} kg")
    return value


def _aware(what: str, value: datetime | None) -> None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise InvalidValue(f"{what} {value!r} must be a datetime with a time zone")


def _text(what: str, value: object, longest: int) -> None:
    if not isinstance(value, str) or value != value.strip() or len(value) > longest:
        raise InvalidValue(
            f"{what} {value!r} must be text of at most {longest} characters "
            "without surrounding blanks"
        )


@dataclass(frozen=True, slots=True)
class WeightClass:
    """A weight range a slot is reserved for: ``WeightClass(10_000, 20_000)`` (exclusive min)."""

    min_kg: int
    max_kg: int

    def __post_init__(self) -> None:
        for name, value in (("min_kg", self.min_kg), ("max_kg", self.max_kg)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValue(f"weight class {name} {value!r} must be an integer >= 0")
        if self.max_kg <= self.min_kg:
            raise InvalidValue(
                f"weight class {self.min_kg}-{self.max_kg} kg: maximum must exceed minimum"
            )
        if self.max_kg > MAX_GROSS_KG:
            raise InvalidValue(
                f"weight class maximum {self.max_kg} kg is over the plausible {MAX_GROSS_KG} kg"
            )

    def __contains__(self, mass_kg: object) -> bool:
        return isinstance(mass_kg, int) and self.min_kg < mass_kg <= self.max_kg

    def __str__(self) -> str:
        return f"{self.min_kg}-{self.max_kg} kg"


@dataclass(frozen=True, slots=True)
class SlotInstruction:
    """One vessel slot of an instruction, with the box or the category of box it concerns."""

    slot: BayRowTier
    container: ContainerNumber | None = None
    iso_type: SizeType | None = None
    full_empty: FullEmpty | None = None
    port_of_loading: UnLocode | None = None
    port_of_discharge: UnLocode | None = None
    weight_kg: int | None = None
    weight_class: WeightClass | None = None
    reefer: ReeferSetting | None = None
    dangerous_goods: tuple[DangerousGoods, ...] = ()
    oog: OutOfGauge | None = None

    def __post_init__(self) -> None:
        where = f"slot {self.slot}"
        if not isinstance(self.slot, BayRowTier):
            raise InvalidValue(f"slot {self.slot!r} must be a BayRowTier")
        if self.full_empty is not None:
            try:
                object.__setattr__(self, "full_empty", FullEmpty(self.full_empty))
            except ValueError:
                raise InvalidValue(
                    f"{where}: full/empty {self.full_empty!r} must be 'F' or 'E'"
                ) from None
        if self.weight_kg is not None:
            _positive_kg(f"{where}: weight_kg", self.weight_kg)
            if self.weight_class is not None and self.weight_kg not in self.weight_class:
                raise InvalidValue(
                    f"{where}: weight {self.weight_kg} kg is outside its weight class "
                    f"{self.weight_class}"
                )
        kind = self.iso_type.kind if self.iso_type is not None else None
        if self.reefer is not None and kind is not None and kind is not ContainerKind.REEFER:
            raise InvalidValue(
                f"{where}: reefer setting {self.reefer} given but size type {self.iso_type} "
                f"is {kind}, not a reefer"
            )
        if self.oog is not None and kind is not None and kind not in _OOG_KINDS:
            raise InvalidValue(
                f"{where}: out-of-gauge given but size type {self.iso_type} is {kind}; only "
                "open tops, flat racks and platforms carry out-of-gauge cargo"
            )
        goods = tuple(self.dangerous_goods)
        for item in goods:
            if not isinstance(item, DangerousGoods):
                raise InvalidValue(f"{where}: dangerous_goods holds {item!r}")
        object.__setattr__(self, "dangerous_goods", goods)

    @property
    def is_reefer(self) -> bool:
        """True for a running reefer or a reefer size type."""
        return self.reefer is not None or (
            self.iso_type is not None and self.iso_type.kind is ContainerKind.REEFER
        )

    @property
    def is_dangerous(self) -> bool:
        return bool(self.dangerous_goods)

    @property
    def is_oog(self) -> bool:
        return self.oog is not None

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready dict."""
        return {
            "slot": str(self.slot),
            "container": None if self.container is None else str(self.container),
            "iso_type": None if self.iso_type is None else self.iso_type.code,
            "full_empty": None if self.full_empty is None else self.full_empty.value,
            "port_of_loading": None if self.port_of_loading is None else str(self.port_of_loading),
            "port_of_discharge": (
                None if self.port_of_discharge is None else str(self.port_of_discharge)
            ),
            "weight_kg": self.weight_kg,
            "weight_class": None
            if self.weight_class is None
            else {"min_kg": self.weight_class.min_kg, "max_kg": self.weight_class.max_kg},
            "reefer": None
            if self.reefer is None
            else {
                "set_point_c": self.reefer.set_point_c,
                "humidity_pct": self.reefer.humidity_pct,
                "ventilation_m3_h": self.reefer.ventilation_m3_h,
            },
            "dangerous_goods": [
                {
                    "imdg_class": dg.imdg_class,
                    "un_number": dg.un_number,
                    "packing_group": None if dg.packing_group is None else dg.packing_group.value,
                    "flashpoint_c": dg.flashpoint_c,
                }
                for dg in self.dangerous_goods
            ],
            "oog": None
            if self.oog is None
            else {
                "over_front_mm": self.oog.over_front_mm,
                "over_back_mm": self.oog.over_back_mm,
                "over_left_mm": self.oog.over_left_mm,
                "over_right_mm": self.oog.over_right_mm,
                "over_height_mm": self.oog.over_height_mm,
            },
        }


@dataclass(frozen=True, slots=True)
class HandlingGroup:
    """The slots with one handling instruction; a slot appears at most once per group."""

    handling: Handling
    slots: tuple[SlotInstruction, ...]

    def __post_init__(self) -> None:
        try:
            handling = Handling(self.handling)
        except ValueError:
            allowed = ", ".join(repr(h.value) for h in Handling)
            raise InvalidValue(f"handling {self.handling!r} must be one of {allowed}") from None
        object.__setattr__(self, "handling", handling)
        slots = tuple(self.slots)
        if not slots:
            raise InvalidValue(f"{handling} instruction names no slot")
        seen: set[BayRowTier] = set()
        for item in slots:
            if not isinstance(item, SlotInstruction):
                raise InvalidValue(f"{handling} instruction holds {item!r}, not a SlotInstruction")
            if item.slot in seen:
                raise InvalidValue(f"{handling} instruction names slot {item.slot} twice")
            seen.add(item.slot)
            if handling.names_boxes and item.container is None:
                raise InvalidValue(
                    f"{handling} instruction for slot {item.slot} does not name the container"
                )
        object.__setattr__(self, "slots", slots)

    def to_dict(self) -> dict[str, JsonValue]:
        return {"handling": self.handling.value, "slots": [s.to_dict() for s in self.slots]}


@dataclass(frozen=True, slots=True, kw_only=True)
class StowageInstructions:
    """The instructions for one vessel call in one port, from the line's central planner.

    Header values the sender left out stay empty (``""`` or None) so that a
    partly readable message still yields its instructions; :meth:`missing`
    lists what a complete message needs.
    """

    message_id: str = ""
    prepared_at: datetime | None = None
    vessel_name: str = ""
    vessel_id: str = ""
    vessel_id_kind: VesselIdKind = VesselIdKind.CALL_SIGN
    carrier: str = ""
    voyage: str = ""
    loading_voyage: str = ""
    port: UnLocode | None = None
    next_port: UnLocode | None = None
    eta: datetime | None = None
    etd: datetime | None = None
    groups: tuple[HandlingGroup, ...] = ()

    def __post_init__(self) -> None:
        _text("message id", self.message_id, 35)
        _text("vessel name", self.vessel_name, 35)
        _text("vessel id", self.vessel_id, 35)
        _text("carrier", self.carrier, 17)
        _text("voyage", self.voyage, 17)
        _text("loading voyage", self.loading_voyage, 35)
        try:
            kind = VesselIdKind(self.vessel_id_kind)
        except ValueError:
            raise InvalidValue(
                f"vessel id kind {self.vessel_id_kind!r} must be 'call_sign' or 'imo'"
            ) from None
        object.__setattr__(self, "vessel_id_kind", kind)
        if (
            kind is VesselIdKind.IMO
            and self.vessel_id
            and not (len(self.vessel_id) == 7 and self.vessel_id.isdigit())
        ):
            raise InvalidValue(f"IMO number {self.vessel_id!r} must be 7 digits")
        _aware("prepared_at", self.prepared_at)
        _aware("eta", self.eta)
        _aware("etd", self.etd)
        groups = tuple(self.groups)
        for group in groups:
            if not isinstance(group, HandlingGroup):
                raise InvalidValue(f"stowage instructions hold {group!r}, not a HandlingGroup")
        object.__setattr__(self, "groups", groups)

    def missing(self) -> list[str]:
        """What a complete stowage instruction message needs and this one lacks."""
        out: list[str] = []
        for name, present in (
            ("prepared_at", self.prepared_at is not None),
            ("vessel_id or vessel_name", bool(self.vessel_id or self.vessel_name)),
            ("voyage", bool(self.voyage)),
            ("port", self.port is not None),
            ("eta or etd", self.eta is not None or self.etd is not None),
            ("groups", bool(self.groups)),
        ):
            if not present:
                out.append(name)
        return out

    def slots(self, handling: Handling) -> Iterable[SlotInstruction]:
        """Every slot instruction with ``handling``, in message order."""
        for group in self.groups:
            if group.handling is handling:
                yield from group.slots

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready dict."""
        return {
            "message_id": self.message_id,
            "prepared_at": _iso(self.prepared_at),
            "vessel_name": self.vessel_name,
            "vessel_id": self.vessel_id,
            "vessel_id_kind": self.vessel_id_kind.value,
            "carrier": self.carrier,
            "voyage": self.voyage,
            "loading_voyage": self.loading_voyage,
            "port": None if self.port is None else str(self.port),
            "next_port": None if self.next_port is None else str(self.next_port),
            "eta": _iso(self.eta),
            "etd": _iso(self.etd),
            "groups": [g.to_dict() for g in self.groups],
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
