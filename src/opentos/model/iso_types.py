"""ISO 6346 size-type codes (the four-character codes of the 1995 edition).

A size-type code such as ``45G1`` is read character by character:

1. length (``2`` 20 ft, ``4`` 40 ft, ``L`` 45 ft, ...);
2. height and width (``2`` 8'6", ``5`` 9'6" "high cube", ``C``-``F`` pallet-wide,
   ``L``-``P`` wider than 2.5 m ...);
3. and 4. the type code: a letter for the type group (``G`` general purpose,
   ``R`` reefer, ``U`` open top, ``P`` platform/flat rack, ``T`` tank ...) and a
   digit for the detail (``G1`` general purpose with passive vents).

Planning needs the decoded facts (length for the bay, height for stack limits,
reefer for plugs, flat rack for out-of-gauge), so :meth:`SizeType.parse` turns
any code the tables define into a :class:`SizeType`; it rejects codes the
standard leaves spare (``22G7``) and the codes of other editions. Partners still
send the numeric codes of the 1984 edition (``2210``), the 1995 group codes
(``22GP``) and carriers' shorthand (``40HC``): :func:`read_size_type` maps them
to today's codes from :data:`LEGACY_TYPES`, :data:`LEGACY_HEIGHTS`,
:data:`GROUP_TYPES` and :data:`TRADE_CODES`, saying what it did, and never
raises. Parsing is cached: EDI and the yard call it for every box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from opentos.errors import InvalidIsoType


class ContainerKind(StrEnum):
    """What a container is built for, as far as handling and planning care."""

    GENERAL = "general"
    VENTILATED = "ventilated"
    BULK = "bulk"
    NAMED_CARGO = "named_cargo"
    REEFER = "reefer"
    INSULATED = "insulated"
    OPEN_TOP = "open_top"
    PLATFORM = "platform"
    FLAT_RACK = "flat_rack"
    TANK = "tank"
    AIR_SURFACE = "air_surface"


class _Length(NamedTuple):
    length_ft: int
    length_mm: int
    label: str


class _Height(NamedTuple):
    height_mm: int
    width_max_mm: int | None
    label: str


class _Type(NamedTuple):
    group: str
    kind: ContainerKind
    description: str


# ISO 6346 table of length codes. length_ft is the nominal length in whole feet.
_LENGTHS: Mapping[str, _Length] = MappingProxyType(
    {
        "1": _Length(10, 2991, "10'"),
        "2": _Length(20, 6058, "20'"),
        "3": _Length(30, 9125, "30'"),
        "4": _Length(40, 12192, "40'"),
        "A": _Length(23, 7150, "7150 mm"),
        "B": _Length(24, 7315, "24'"),
        "C": _Length(24, 7430, "24'6\""),
        "D": _Length(24, 7450, "7450 mm"),
        "E": _Length(25, 7820, "7820 mm"),
        "F": _Length(26, 8100, "8100 mm"),
        "G": _Length(41, 12500, "41'"),
        "H": _Length(43, 13106, "43'"),
        "K": _Length(44, 13600, "13600 mm"),
        "L": _Length(45, 13716, "45'"),
        "M": _Length(48, 14630, "48'"),
        "N": _Length(49, 14935, "49'"),
        "P": _Length(53, 16154, "53'"),
    }
)

# ISO 6346 table of height/width codes. For codes that give only a bound ("over
# 2895 mm", "at most 1219 mm") height_mm is that bound; width_max_mm is None for
# "wider than 2500 mm".
_HEIGHTS: Mapping[str, _Height] = MappingProxyType(
    {
        "0": _Height(2438, 2438, "8'"),
        "2": _Height(2591, 2438, "8'6\""),
        "4": _Height(2743, 2438, "9'"),
        "5": _Height(2895, 2438, "9'6\""),
        "6": _Height(2895, 2438, "over 9'6\""),
        "8": _Height(1295, 2438, "4'3\""),
        "9": _Height(1219, 2438, "4' or less"),
        "C": _Height(2591, 2500, "8'6\" pallet-wide"),
        "D": _Height(2743, 2500, "9' pallet-wide"),
        "E": _Height(2895, 2500, "9'6\" pallet-wide"),
        "F": _Height(2895, 2500, "over 9'6\" pallet-wide"),
        "L": _Height(2591, None, "8'6\" over 2.5 m wide"),
        "M": _Height(2743, None, "9' over 2.5 m wide"),
        "N": _Height(2895, None, "9'6\" over 2.5 m wide"),
        "P": _Height(2895, None, "over 9'6\" over 2.5 m wide"),
    }
)

_HIGH_CUBE_OVER_MM = 2591
"""Heights above 8'6" (2591 mm) count as high cube."""

_OVER_BOUND_HEIGHTS = frozenset("6FP")

_K = ContainerKind
# ISO 6346 type codes with their type group codes; codes not listed are spare.
_TYPES: Mapping[str, _Type] = MappingProxyType(
    {
        "G0": _Type("GP", _K.GENERAL, "general purpose, openings at one or both ends"),
        "G1": _Type("GP", _K.GENERAL, "general purpose, passive vents at upper part"),
        "G2": _Type("GP", _K.GENERAL, "general purpose, end openings + full side openings"),
        "G3": _Type("GP", _K.GENERAL, "general purpose, end openings + partial side openings"),
        "V0": _Type("VH", _K.VENTILATED, "ventilated, non-mechanical, vents low and high"),
        "V2": _Type("VH", _K.VENTILATED, "ventilated, mechanical system inside"),
        "V4": _Type("VH", _K.VENTILATED, "ventilated, mechanical system outside"),
        "B0": _Type("BU", _K.BULK, "dry bulk, non-pressurised, closed"),
        "B1": _Type("BU", _K.BULK, "dry bulk, non-pressurised, airtight"),
        "B3": _Type("BK", _K.BULK, "dry bulk, horizontal discharge, test pressure 150 kPa"),
        "B4": _Type("BK", _K.BULK, "dry bulk, horizontal discharge, test pressure 265 kPa"),
        "B5": _Type("BK", _K.BULK, "dry bulk, tipping discharge, test pressure 150 kPa"),
        "B6": _Type("BK", _K.BULK, "dry bulk, tipping discharge, test pressure 265 kPa"),
        "S0": _Type("SN", _K.NAMED_CARGO, "named cargo, livestock carrier"),
        "S1": _Type("SN", _K.NAMED_CARGO, "named cargo, automobile carrier"),
        "S2": _Type("SN", _K.NAMED_CARGO, "named cargo, live fish carrier"),
        "R0": _Type("RE", _K.REEFER, "reefer, mechanically refrigerated"),
        "R1": _Type("RT", _K.REEFER, "reefer, mechanically refrigerated and heated"),
        "R2": _Type("RS", _K.REEFER, "reefer, self-powered, refrigerated"),
        "R3": _Type("RS", _K.REEFER, "reefer, self-powered, refrigerated and heated"),
        "H0": _Type("HR", _K.REEFER, "thermal, removable equipment outside, K=0.4 W/m2K"),
        "H1": _Type("HR", _K.REEFER, "thermal, removable equipment inside"),
        "H2": _Type("HR", _K.REEFER, "thermal, removable equipment outside, K=0.7 W/m2K"),
        "H5": _Type("HI", _K.INSULATED, "insulated, K=0.4 W/m2K"),
        "H6": _Type("HI", _K.INSULATED, "insulated, K=0.7 W/m2K"),
        "U0": _Type("UT", _K.OPEN_TOP, "open top, openings at one or both ends"),
        "U1": _Type("UT", _K.OPEN_TOP, "open top, end openings + removable top members"),
        "U2": _Type("UT", _K.OPEN_TOP, "open top, end and side openings"),
        "U3": _Type("UT", _K.OPEN_TOP, "open top, end and side openings + removable top members"),
        "U4": _Type("UT", _K.OPEN_TOP, "open top, end openings, partial and full side openings"),
        "U5": _Type("UT", _K.OPEN_TOP, "open top, complete fixed sides and ends"),
        "P0": _Type("PL", _K.PLATFORM, "platform"),
        "P1": _Type("PF", _K.FLAT_RACK, "flat rack, two complete fixed ends"),
        "P2": _Type("PF", _K.FLAT_RACK, "flat rack, fixed posts"),
        "P3": _Type("PC", _K.FLAT_RACK, "flat rack, folding complete ends"),
        "P4": _Type("PC", _K.FLAT_RACK, "flat rack, folding posts"),
        "P5": _Type("PS", _K.PLATFORM, "platform based, open top and ends (skeletal)"),
        "T0": _Type("TN", _K.TANK, "tank, non-dangerous liquids, 45 kPa"),
        "T1": _Type("TN", _K.TANK, "tank, non-dangerous liquids, 150 kPa"),
        "T2": _Type("TN", _K.TANK, "tank, non-dangerous liquids, 265 kPa"),
        "T3": _Type("TD", _K.TANK, "tank, dangerous liquids, 150 kPa"),
        "T4": _Type("TD", _K.TANK, "tank, dangerous liquids, 265 kPa"),
        "T5": _Type("TD", _K.TANK, "tank, dangerous liquids, 400 kPa"),
        "T6": _Type("TD", _K.TANK, "tank, dangerous liquids, 600 kPa"),
        "T7": _Type("TG", _K.TANK, "tank, gases, 910 kPa"),
        "T8": _Type("TG", _K.TANK, "tank, gases, 2200 kPa"),
        "T9": _Type("TG", _K.TANK, "tank, gases, pressure to be decided"),
        "A0": _Type("AS", _K.AIR_SURFACE, "air/surface"),
    }
)
_TYPE_LETTERS = frozenset(t[0] for t in _TYPES)


class _Decoded(NamedTuple):
    length_ft: int
    length_mm: int
    height_mm: int
    high_cube: bool
    type_code: str
    type_group: str
    kind: ContainerKind
    teu: float


def _teu(length_ft: int) -> float:
    return {20: 1.0, 40: 2.0, 45: 2.25}.get(length_ft, length_ft / 20)


def _decode(code: str) -> _Decoded:
    """Decode an upper-case code, raising InvalidIsoType naming the failing character."""
    if len(code) != 4:
        raise InvalidIsoType(f"size-type code {code!r} must be 4 characters, got {len(code)}")
    length = _LENGTHS.get(code[0])
    if length is None:
        raise InvalidIsoType(
            f"size-type code {code!r}: length code {code[0]!r} (character 1) is not an "
            "ISO 6346 length code (1-4, A-H, K-N, P)"
        )
    height = _HEIGHTS.get(code[1])
    if height is None:
        raise InvalidIsoType(
            f"size-type code {code!r}: height/width code {code[1]!r} (character 2) is not an "
            "ISO 6346 height code (0, 2, 4, 5, 6, 8, 9, C-F, L-N, P)"
        )
    if code[2] not in _TYPE_LETTERS:
        old_edition = " (numeric type codes are from the 1984 edition)" if code[2].isdigit() else ""
        raise InvalidIsoType(
            f"size-type code {code!r}: type letter {code[2]!r} (character 3) is not an "
            f"ISO 6346 type group (G, V, B, S, R, H, U, P, T, A){old_edition}"
        )
    if code[3] not in "0123456789":
        raise InvalidIsoType(
            f"size-type code {code!r}: type detail {code[3]!r} (character 4) must be a digit"
        )
    kind = _TYPES.get(code[2:])
    if kind is None:
        raise InvalidIsoType(
            f"size-type code {code!r}: type code {code[2:]!r} (characters 3-4) is spare, "
            "not assigned by ISO 6346"
        )
    return _Decoded(
        length_ft=length.length_ft,
        length_mm=length.length_mm,
        height_mm=height.height_mm,
        high_cube=height.height_mm > _HIGH_CUBE_OVER_MM,
        type_code=code[2:],
        type_group=kind.group,
        kind=kind.kind,
        teu=_teu(length.length_ft),
    )


def _describe(code: str) -> str:
    return f"{_LENGTHS[code[0]].label} {_HEIGHTS[code[1]].label} {_TYPES[code[2:]].description}"


@dataclass(frozen=True, slots=True, repr=False)
class SizeType:
    """A decoded ISO 6346 size-type code: ``SizeType.parse("45G1")`` is a 40' high cube.

    Every field but ``description`` follows from ``code``; construction checks
    that they agree, so build instances with :meth:`parse`. ``height_mm`` is the
    bound for codes that give one (``6``, ``F``, ``P``: over 2895 mm; ``9``: at
    most 1219 mm). Equality ignores the description.
    """

    code: str
    length_ft: int
    length_mm: int
    height_mm: int
    high_cube: bool
    type_code: str
    type_group: str
    kind: ContainerKind
    teu: float
    description: str = field(compare=False)

    def __post_init__(self) -> None:
        decoded = _decode(self.code)
        if tuple(decoded) != (
            self.length_ft,
            self.length_mm,
            self.height_mm,
            self.high_cube,
            self.type_code,
            self.type_group,
            self.kind,
            self.teu,
        ):
            raise InvalidIsoType(
                f"size-type code {self.code!r}: fields do not match the code, expected {decoded}"
            )

    @classmethod
    def parse(cls, code: str) -> SizeType:
        """Decode a size-type code such as ``"22G1"`` (case-insensitive, blanks around ignored).

        Returns the :data:`COMMON_TYPES` instance for common codes. Results are cached.

        Raises
        ------
        InvalidIsoType
            Naming the code and the character that is not in the ISO 6346 tables.
        """
        return _parse(code)

    @property
    def width_max_mm(self) -> int | None:
        """Greatest width the code allows: 2438 (8 ft), 2500 (pallet-wide), None if wider."""
        return _HEIGHTS[self.code[1]].width_max_mm

    @property
    def height_is_bound(self) -> bool:
        """True when the height code gives only a lower bound (over 9'6")."""
        return self.code[1] in _OVER_BOUND_HEIGHTS

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"SizeType({self.code!r})"


def _make(code: str, description: str | None = None) -> SizeType:
    d = _decode(code)
    return SizeType(code, *d, description=description or _describe(code))


COMMON_TYPES: Mapping[str, SizeType] = MappingProxyType(
    {
        code: _make(code, description)
        for code, description in [
            ("22G0", "20' dry, openings at one or both ends"),
            ("22G1", "20' dry"),
            ("25G1", "20' dry high cube"),
            ("42G1", "40' dry"),
            ("45G1", "40' dry high cube"),
            ("L2G1", "45' dry"),
            ("L5G1", "45' dry high cube"),
            ("22V0", "20' ventilated"),
            ("22B0", "20' dry bulk"),
            ("22R1", "20' reefer"),
            ("42R1", "40' reefer"),
            ("45R1", "40' reefer high cube"),
            ("L5R1", "45' reefer high cube"),
            ("22U1", "20' open top"),
            ("28U1", "20' half-height open top"),
            ("42U1", "40' open top"),
            ("45U1", "40' open top high cube"),
            ("22P1", "20' flat rack, fixed ends"),
            ("22P3", "20' flat rack, collapsible"),
            ("42P1", "40' flat rack, fixed ends"),
            ("42P3", "40' flat rack, collapsible"),
            ("45P3", "40' flat rack high cube, collapsible"),
            ("22T1", "20' tank, non-dangerous liquids"),
            ("22T6", "20' tank, dangerous liquids"),
            ("42T1", "40' tank, non-dangerous liquids"),
        ]
    }
)
"""Size types seen every day, with short descriptions; :meth:`SizeType.parse` returns these."""


@lru_cache(maxsize=4096)
def _parse(text: str) -> SizeType:
    code = text.strip().upper()
    try:
        return _parse_code(code)
    except InvalidIsoType as exc:
        if code == text:
            raise
        raise InvalidIsoType(f"{exc} (given as {text!r})") from None


@lru_cache(maxsize=1024)
def _parse_code(code: str) -> SizeType:
    return COMMON_TYPES.get(code) or _make(code)


# ---------------------------------------------------------------- codes from the field

LEGACY_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "00": "G0",
        "01": "G2",
        "02": "G3",
        "10": "G1",
        "11": "V0",
        "13": "V0",
        "15": "V2",
        "17": "V4",
        "20": "H5",
        "21": "H6",
        "30": "R0",
        "31": "R0",
        "32": "R1",
        "40": "H0",
        "41": "H1",
        "42": "H2",
        "50": "U0",
        "51": "U1",
        "52": "U2",
        "53": "U3",
        "54": "U4",
        "55": "U5",
        "60": "P0",
        "61": "P1",
        "62": "P2",
        "63": "P3",
        "64": "P4",
        "65": "P5",
        "70": "T0",
        "71": "T1",
        "72": "T2",
        "73": "T3",
        "74": "T4",
        "75": "T5",
        "76": "T6",
        "77": "T7",
        "78": "T8",
        "79": "T9",
        "80": "B0",
        "81": "B1",
    }
)
"""The two-digit type codes of ISO 6346:1984 and the type codes of the 1995 edition.

Source: the correspondence between the 1984 and 1995 codes that ISO 6346:1995
gives with its type code table (general purpose 00-02, with passive vents 10,
ventilated 11-17, insulated 20-21, refrigerated 30-32, with removable equipment
40-42, open top 50-55, platform based 60-65, tank 70-79, dry bulk 80-81). Two
rows have no exact counterpart and are read as the nearest code: 30 (cooled by
an expendable refrigerant) as R0, and 13 (ventilated, vents low and high, like
11) as V0. Files of the 1980s and 1990s and stowage tools that kept the old
tables still send these (``2210`` is today's ``22G1``, ``4510`` ``45G1``, ``4532``
``45R1``).
"""

LEGACY_HEIGHTS: Mapping[str, str] = MappingProxyType(
    {"0": "0", "1": "0", "2": "2", "3": "2", "4": "4", "5": "5", "6": "6", "8": "8", "9": "9"}
)
"""The 1984 height digits and today's: the 1984 edition gave odd digits to boxes with a
gooseneck tunnel (1: 8', 3: 8'6", 5: over 8'6", which in practice is 9'6"); today's
code no longer says so."""

GROUP_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "GP": "G1",
        "VH": "V0",
        "BU": "B0",
        "BK": "B3",
        "SN": "S0",
        "RE": "R0",
        "RT": "R1",
        "RS": "R2",
        "HR": "H0",
        "HI": "H5",
        "UT": "U1",
        "PL": "P0",
        "PF": "P1",
        "PC": "P3",
        "PS": "P5",
        "TN": "T1",
        "TD": "T6",
        "TG": "T7",
        "AS": "A0",
    }
)
"""ISO 6346:1995 type group codes (``22GP``, ``45RT``) and the detailed type read for each:
the most common one of the group, as for the :data:`COMMON_TYPES`."""

TRADE_CODES: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("20GP", "20DV", "20DC", "20ST", "20SD"), "22G1"),
        **dict.fromkeys(("40GP", "40DV", "40DC", "40ST", "40SD"), "42G1"),
        **dict.fromkeys(("40HC", "40HQ", "40HD", "40HS"), "45G1"),
        **dict.fromkeys(("45HC", "45HQ"), "L5G1"),
        **dict.fromkeys(("20RF", "20RE", "20RH"), "22R1"),
        **dict.fromkeys(("40RF", "40RE"), "42R1"),
        **dict.fromkeys(("40RH", "40RQ", "40HR"), "45R1"),
        "20OT": "22U1",
        "40OT": "42U1",
        "20FR": "22P3",
        "40FR": "42P3",
        "20TK": "22T1",
    }
)
"""Carriers' shorthand that is not ISO 6346 (``40HC``, ``20DV``) and the code it stands for.

Read before the group codes: ``20GP`` in a booking means a standard 20' box,
8'6" high, not the 8' box the group code ``20GP`` would be; ``45HC`` is a 45'
high cube."""


class SizeTypeReading(NamedTuple):
    """What a lenient reading makes of a size-type code as written."""

    size_type: SizeType
    """Today's code; for a code neither edition knows, a stand-in with the length and height
    that could be read (``G0`` for the type)."""
    written: str
    """The code as written, in upper case without blanks."""
    edition: str
    """``1995`` (today's), ``group`` (a 1995 type group code), ``trade`` (carriers'
    shorthand), ``1984`` (the old numeric codes) or ``unknown``."""
    unknown: frozenset[str]
    """What the code does not tell: some of ``length``, ``height``, ``type``."""

    @property
    def exact(self) -> bool:
        """True when the code is today's code for the box, unchanged."""
        return self.edition == "1995"


def read_size_type(text: str) -> SizeTypeReading:
    """Read any size-type code a partner sends; never raises.

    Today's codes are read as they are; the other codes are read, in this order,
    from :data:`TRADE_CODES`, :data:`GROUP_TYPES` and the 1984 tables
    (:data:`LEGACY_HEIGHTS`, :data:`LEGACY_TYPES`; ``L500`` mixes today's 45' length
    with an old type and is read the same way). What is left keeps the length and
    height its first two characters give, when they are readable.
    """
    return _read_size_type(text)


@lru_cache(maxsize=1024)
def _read_size_type(text: str) -> SizeTypeReading:
    code = "".join(text.split()).upper()
    try:
        return SizeTypeReading(_parse_code(code), code, "1995", frozenset())
    except InvalidIsoType:
        pass
    trade = TRADE_CODES.get(code)
    if trade is not None:
        return SizeTypeReading(_parse_code(trade), code, "trade", frozenset())
    if len(code) == 4 and code[0] in _LENGTHS:
        group = GROUP_TYPES.get(code[2:])
        if group is not None and code[1] in _HEIGHTS:
            return SizeTypeReading(_parse_code(code[:2] + group), code, "group", frozenset())
        height, old_type = LEGACY_HEIGHTS.get(code[1]), LEGACY_TYPES.get(code[2:])
        if height is not None and old_type is not None:
            today = code[0] + height + old_type
            return SizeTypeReading(_parse_code(today), code, "1984", frozenset())
    unknown = {"type"}
    length = code[0] if code[:1] and code[0] in _LENGTHS else None
    height_code = code[1] if len(code) > 1 else ""
    height = height_code if height_code in _HEIGHTS else LEGACY_HEIGHTS.get(height_code)
    if length is None:
        unknown.add("length")
    if height is None:
        unknown.add("height")
    stand_in = f"{length or '2'}{height or '2'}G0"
    return SizeTypeReading(_parse_code(stand_in), code, "unknown", frozenset(unknown))
