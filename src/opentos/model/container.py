"""The container record: what the terminal knows about one box.

A :class:`Container` carries what planning, the gate and EDI need: the ISO 6346
number and size type, the line operator, full or empty, weights (gross, VGM
under SOLAS VI/2, tare), ports, reefer setting, dangerous goods (IMDG),
out-of-gauge dimensions, seals and holds. It checks its own consistency on
construction, so a record that exists is plausible: weights within ISO limits,
a reefer setting only on a reefer, out-of-gauge only on open tops, flat racks
and platforms.

Records persist as JSON: :meth:`Container.to_dict` gives plain dicts of str,
int, float, bool, None and lists that :meth:`Container.from_dict` reads back to
an equal record.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Self, TypeAlias, TypeVar

from opentos.errors import InvalidValue
from opentos.model.dictread import DictReader
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind, SizeType

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
"""A value that :func:`json.dumps` writes and :func:`json.loads` reads back unchanged."""

MAX_GROSS_KG = 45_000
"""Greatest plausible gross mass or VGM; ISO 668 ratings reach about 36,000 kg."""

UN_NUMBER_MAX = 3599
"""Highest UN number accepted (the list ends in the 3500s; raise it as the list grows)."""

SET_POINT_MIN_C = -70.0
SET_POINT_MAX_C = 40.0

_OPERATOR = re.compile(r"[A-Z0-9]{1,4}")
_IMDG_CLASS = re.compile(r"1\.([1-6])([A-Z]?)|2\.[123]|3|4\.[123]|5\.[12]|6\.[12]|7|8|9")
# IMDG 2.1.2.3: compatibility groups used with each division of class 1.
_COMPATIBILITY_GROUPS = {
    "1": "ABCDEFGJL",
    "2": "BCDEFGHJKL",
    "3": "CFGHJKL",
    "4": "BCDEFGS",
    "5": "D",
    "6": "N",
}
UNKNOWN_FACTS = ("number", "length", "height", "type", "operator", "full_empty")
"""The facts of a box a lenient EDI reading may have to leave unknown (``Container.unknown``):
the number (not a valid ISO 6346 number), the size-type's length, height or type, the
operator, full or empty."""
_UNKNOWN_SET = frozenset(UNKNOWN_FACTS)
_OOG_KINDS = frozenset({ContainerKind.OPEN_TOP, ContainerKind.FLAT_RACK, ContainerKind.PLATFORM})


class FullEmpty(StrEnum):
    """Whether a box is laden (``F``) or empty (``E``), as in EDIFACT EQD."""

    FULL = "F"
    EMPTY = "E"


class PackingGroup(StrEnum):
    """IMDG packing group: I great danger, II medium, III minor."""

    I = "I"  # noqa: E741 -- the name the IMDG Code uses
    II = "II"
    III = "III"


class SealIssuer(StrEnum):
    """Who applied a seal (EDIFACT SEL qualifiers CA, SH, CU, TO)."""

    CARRIER = "carrier"
    SHIPPER = "shipper"
    CUSTOMS = "customs"
    TERMINAL = "terminal"


class HoldKind(StrEnum):
    """Who stops a box from leaving or being loaded."""

    CUSTOMS = "customs"
    LINE = "line"
    TERMINAL = "terminal"
    QUARANTINE = "quarantine"
    PORT_AUTHORITY = "port_authority"


_E = TypeVar("_E", bound=StrEnum)


def _enum(enum: type[_E], value: object, what: str) -> _E:
    """Coerce ``value`` to ``enum``, raising InvalidValue naming it and the allowed values."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(e.value) for e in enum)
    raise InvalidValue(f"{what} {value!r} must be one of {allowed}")


def _finite(what: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidValue(f"{what} {value!r} must be a finite number")
    return float(value)


@dataclass(frozen=True, slots=True)
class DangerousGoods:
    """One IMDG dangerous-goods entry of a box: ``DangerousGoods("3", 1203, PackingGroup.II)``.

    Empties may carry entries too (uncleaned tanks and boxes with residue).
    """

    imdg_class: str
    un_number: int
    packing_group: PackingGroup | None = None
    flashpoint_c: float | None = None
    marine_pollutant: bool = False

    def __post_init__(self) -> None:
        m = _IMDG_CLASS.fullmatch(self.imdg_class)
        if m is None:
            raise InvalidValue(
                f"IMDG class {self.imdg_class!r} is not a class or division of the IMDG Code "
                "(1.1-1.6 with compatibility group, 2.1-2.3, 3, 4.1-4.3, 5.1, 5.2, 6.1, 6.2, "
                "7, 8, 9)"
            )
        division, group = m.group(1), m.group(2)
        if group and group not in _COMPATIBILITY_GROUPS[division]:
            raise InvalidValue(
                f"IMDG class {self.imdg_class!r}: compatibility group {group} is not used with "
                f"division 1.{division} (allowed: {', '.join(_COMPATIBILITY_GROUPS[division])})"
            )
        if (
            isinstance(self.un_number, bool)
            or not isinstance(self.un_number, int)
            or not 1 <= self.un_number <= UN_NUMBER_MAX
        ):
            raise InvalidValue(
                f"UN number {self.un_number!r} is out of range UN0001-UN{UN_NUMBER_MAX:04d}"
            )
        if self.packing_group is not None:
            pg = _enum(PackingGroup, self.packing_group, "packing group")
            object.__setattr__(self, "packing_group", pg)
        if self.flashpoint_c is not None:
            object.__setattr__(self, "flashpoint_c", _finite("flashpoint", self.flashpoint_c))
        if not isinstance(self.marine_pollutant, bool):
            raise InvalidValue(f"marine_pollutant {self.marine_pollutant!r} must be True or False")

    def __str__(self) -> str:
        pg = f" PG {self.packing_group}" if self.packing_group else ""
        return f"UN{self.un_number:04d} class {self.imdg_class}{pg}"


@dataclass(frozen=True, slots=True)
class OutOfGauge:
    """How far cargo sticks out beyond the box, in mm; at least one side is positive."""

    over_front_mm: int = 0
    over_back_mm: int = 0
    over_left_mm: int = 0
    over_right_mm: int = 0
    over_height_mm: int = 0

    def __post_init__(self) -> None:
        values = {
            "over_front_mm": self.over_front_mm,
            "over_back_mm": self.over_back_mm,
            "over_left_mm": self.over_left_mm,
            "over_right_mm": self.over_right_mm,
            "over_height_mm": self.over_height_mm,
        }
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValue(f"out-of-gauge {name} {value!r} must be an integer >= 0")
        if not any(values.values()):
            raise InvalidValue("out-of-gauge dimensions are all 0: leave out-of-gauge unset")


@dataclass(frozen=True, slots=True)
class ReeferSetting:
    """The carrier's instructions for a running reefer: set point, humidity, fresh air."""

    set_point_c: float
    humidity_pct: float | None = None
    ventilation_m3_h: float | None = None

    def __post_init__(self) -> None:
        set_point = _finite("reefer set point", self.set_point_c)
        if not SET_POINT_MIN_C <= set_point <= SET_POINT_MAX_C:
            raise InvalidValue(
                f"reefer set point {set_point} °C is out of range "
                f"{SET_POINT_MIN_C:g}..{SET_POINT_MAX_C:g} °C"
            )
        object.__setattr__(self, "set_point_c", set_point)
        if self.humidity_pct is not None:
            humidity = _finite("reefer humidity", self.humidity_pct)
            if not 0.0 <= humidity <= 100.0:
                raise InvalidValue(f"reefer humidity {humidity} % is out of range 0..100 %")
            object.__setattr__(self, "humidity_pct", humidity)
        if self.ventilation_m3_h is not None:
            ventilation = _finite("reefer ventilation", self.ventilation_m3_h)
            if ventilation < 0.0:
                raise InvalidValue(f"reefer ventilation {ventilation} m3/h must be >= 0")
            object.__setattr__(self, "ventilation_m3_h", ventilation)

    def __str__(self) -> str:
        return f"{self.set_point_c:+g} °C"


@dataclass(frozen=True, slots=True)
class Seal:
    """A seal on the doors: its number and who applied it."""

    number: str
    issuer: SealIssuer

    def __post_init__(self) -> None:
        if not self.number or self.number != self.number.strip() or len(self.number) > 35:
            raise InvalidValue(
                f"seal number {self.number!r} must be 1-35 characters without surrounding blanks"
            )
        object.__setattr__(self, "issuer", _enum(SealIssuer, self.issuer, "seal issuer"))


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold on a box (customs, line, terminal ...), with the reason given."""

    kind: HoldKind
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(HoldKind, self.kind, "hold kind"))


@dataclass(frozen=True, slots=True)
class Container:
    """What the terminal knows about one box; checks its own consistency on construction."""

    number: ContainerNumber
    iso_type: SizeType
    operator: str
    full_empty: FullEmpty
    gross_weight_kg: int | None = None
    vgm_kg: int | None = None
    tare_kg: int | None = None
    port_of_loading: UnLocode | None = None
    port_of_discharge: UnLocode | None = None
    place_of_delivery: UnLocode | None = None
    reefer: ReeferSetting | None = None
    dangerous_goods: tuple[DangerousGoods, ...] = ()
    oog: OutOfGauge | None = None
    seals: tuple[Seal, ...] = ()
    holds: tuple[Hold, ...] = ()
    iso_code_as_sent: str | None = None
    """The size-type code as the line sent it, when that is not today's code of
    ``iso_type`` (a 1984-edition ``2210``, a group code ``22GP``): kept so that what
    the terminal sends back about the box says what the line said."""
    unknown: frozenset[str] = frozenset()
    """What a lenient EDI reading could not tell (some of :data:`UNKNOWN_FACTS`); the
    value in that field is a stand-in. The ledger registers no box with anything
    unknown."""

    def __post_init__(self) -> None:
        n = self.number
        unknown = frozenset(self.unknown)
        object.__setattr__(self, "unknown", unknown)
        if not unknown <= _UNKNOWN_SET:
            odd = sorted(unknown - _UNKNOWN_SET)
            raise InvalidValue(
                f"container {n}: unknown {odd} is not one of {', '.join(UNKNOWN_FACTS)}"
            )
        sent = self.iso_code_as_sent
        if sent is not None:
            if not isinstance(sent, str) or not 1 <= len(sent) <= 10 or sent != sent.strip():
                raise InvalidValue(
                    f"container {n}: size-type as sent {sent!r} must be 1-10 characters"
                )
            if sent == self.iso_type.code:
                object.__setattr__(self, "iso_code_as_sent", None)
        if "operator" in unknown and not self.operator:
            pass
        elif not _OPERATOR.fullmatch(self.operator):
            raise InvalidValue(
                f"container {n}: operator {self.operator!r} must be 1-4 capital letters or digits"
            )
        full_empty = _enum(FullEmpty, self.full_empty, f"container {n}: full/empty")
        object.__setattr__(self, "full_empty", full_empty)
        for name in ("gross_weight_kg", "vgm_kg", "tare_kg"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidValue(f"container {n}: {name} {value!r} must be a positive integer")
            if value > MAX_GROSS_KG:
                raise InvalidValue(
                    f"container {n}: {name} {value} is over the plausible maximum {MAX_GROSS_KG} kg"
                )
        tare = self.tare_kg
        if tare is not None:
            for name, mass in (("gross_weight_kg", self.gross_weight_kg), ("vgm_kg", self.vgm_kg)):
                if mass is not None and mass < tare:
                    raise InvalidValue(
                        f"container {n}: {name} {mass} is less than the tare {tare} kg"
                    )
        type_known = "type" not in unknown
        if (
            type_known
            and self.reefer is not None
            and self.iso_type.kind is not ContainerKind.REEFER
        ):
            raise InvalidValue(
                f"container {n}: reefer setting {self.reefer} given but size type "
                f"{self.iso_type} is {self.iso_type.kind}, not a reefer"
            )
        if type_known and self.oog is not None and self.iso_type.kind not in _OOG_KINDS:
            raise InvalidValue(
                f"container {n}: out-of-gauge given but size type {self.iso_type} is "
                f"{self.iso_type.kind}; only open tops, flat racks and platforms carry "
                "out-of-gauge cargo"
            )
        for name, cls in (
            ("dangerous_goods", DangerousGoods),
            ("seals", Seal),
            ("holds", Hold),
        ):
            items = tuple(getattr(self, name))
            for item in items:
                if not isinstance(item, cls):
                    raise InvalidValue(
                        f"container {n}: {name} holds {item!r}, not a {cls.__name__}"
                    )
            object.__setattr__(self, name, items)

    @property
    def iso_code(self) -> str:
        """The size-type code to send about the box: as the line sent it, else today's."""
        return self.iso_code_as_sent or self.iso_type.code

    @property
    def length_ft(self) -> int:
        """Nominal length in feet (20, 40, 45 ...)."""
        return self.iso_type.length_ft

    @property
    def teu(self) -> float:
        """Twenty-foot equivalent units: 1 for 20', 2 for 40', 2.25 for 45'."""
        return self.iso_type.teu

    @property
    def is_reefer(self) -> bool:
        """True for a reefer size type, whether or not it runs."""
        return self.iso_type.kind is ContainerKind.REEFER

    @property
    def is_dangerous(self) -> bool:
        """True if the box carries (or held, for an uncleaned empty) dangerous goods."""
        return bool(self.dangerous_goods)

    @property
    def is_oog(self) -> bool:
        """True if cargo sticks out beyond the box."""
        return self.oog is not None

    @property
    def on_hold(self) -> bool:
        """True if any hold stops the box."""
        return bool(self.holds)

    @property
    def is_empty(self) -> bool:
        """True for an empty box."""
        return self.full_empty is FullEmpty.EMPTY

    @property
    def weight_for_planning_kg(self) -> int | None:
        """The mass to plan with: the VGM if known, else the declared gross mass."""
        return self.vgm_kg if self.vgm_kg is not None else self.gross_weight_kg

    def to_dict(self) -> dict[str, JsonValue]:
        """Return a JSON-compatible dict that :meth:`from_dict` reads back to an equal record."""
        return {
            "number": str(self.number),
            "iso_type": self.iso_type.code,
            "operator": self.operator,
            "full_empty": self.full_empty.value,
            "gross_weight_kg": self.gross_weight_kg,
            "vgm_kg": self.vgm_kg,
            "tare_kg": self.tare_kg,
            "port_of_loading": _str_or_none(self.port_of_loading),
            "port_of_discharge": _str_or_none(self.port_of_discharge),
            "place_of_delivery": _str_or_none(self.place_of_delivery),
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
                    "marine_pollutant": dg.marine_pollutant,
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
            "seals": [{"number": s.number, "issuer": s.issuer.value} for s in self.seals],
            "holds": [{"kind": h.kind.value, "reason": h.reason} for h in self.holds],
            **(
                {} if self.iso_code_as_sent is None else {"iso_code_as_sent": self.iso_code_as_sent}
            ),
            **({"unknown": list[JsonValue](sorted(self.unknown))} if self.unknown else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Read a record written by :meth:`to_dict`.

        Optional keys may be missing; unknown keys are rejected.

        Raises
        ------
        InvalidValue
            Naming the key (and the container number once known) that is missing,
            has the wrong type or breaks a rule.
        """
        r = DictReader(data, label="container record")
        unknown = frozenset(r.str_list("unknown", []))
        text = r.str_("number")
        number = (
            ContainerNumber.as_written(text) if "number" in unknown else ContainerNumber.parse(text)
        )
        r.label = f"container record {number}"
        reefer = r.optional_dict("reefer")
        oog = r.optional_dict("oog")
        # Not r.build: the messages of Container already name the container.
        box = cls(
            number=number,
            iso_type=r.parsed("iso_type", SizeType.parse),
            operator=r.str_("operator"),
            full_empty=r.enum("full_empty", FullEmpty),
            gross_weight_kg=r.optional_int("gross_weight_kg"),
            vgm_kg=r.optional_int("vgm_kg"),
            tare_kg=r.optional_int("tare_kg"),
            port_of_loading=r.optional_parsed("port_of_loading", UnLocode.parse),
            port_of_discharge=r.optional_parsed("port_of_discharge", UnLocode.parse),
            place_of_delivery=r.optional_parsed("place_of_delivery", UnLocode.parse),
            reefer=None if reefer is None else _read_reefer(reefer),
            dangerous_goods=tuple(_read_dg(dg) for dg in r.dict_list("dangerous_goods", [])),
            oog=None if oog is None else _read_oog(oog),
            seals=tuple(_read_seal(s) for s in r.dict_list("seals", [])),
            holds=tuple(_read_hold(h) for h in r.dict_list("holds", [])),
            iso_code_as_sent=r.optional_str("iso_code_as_sent"),
            unknown=unknown,
        )
        r.check_all_read()
        return box


def _read_reefer(r: DictReader) -> ReeferSetting:
    return r.build(
        ReeferSetting,
        set_point_c=r.float_("set_point_c"),
        humidity_pct=r.optional_float("humidity_pct"),
        ventilation_m3_h=r.optional_float("ventilation_m3_h"),
    )


def _read_dg(r: DictReader) -> DangerousGoods:
    return r.build(
        DangerousGoods,
        imdg_class=r.str_("imdg_class"),
        un_number=r.int_("un_number"),
        packing_group=r.optional_enum("packing_group", PackingGroup),
        flashpoint_c=r.optional_float("flashpoint_c"),
        marine_pollutant=r.bool_("marine_pollutant", default=False),
    )


def _read_oog(r: DictReader) -> OutOfGauge:
    return r.build(
        OutOfGauge,
        over_front_mm=r.int_("over_front_mm", default=0),
        over_back_mm=r.int_("over_back_mm", default=0),
        over_left_mm=r.int_("over_left_mm", default=0),
        over_right_mm=r.int_("over_right_mm", default=0),
        over_height_mm=r.int_("over_height_mm", default=0),
    )


def _read_seal(r: DictReader) -> Seal:
    return r.build(Seal, r.str_("number"), r.enum("issuer", SealIssuer))


def _read_hold(r: DictReader) -> Hold:
    return r.build(Hold, r.enum("kind", HoldKind), r.str_("reason", default=""))


def _str_or_none(value: UnLocode | None) -> str | None:
    return None if value is None else str(value)
