"""Data elements every message shares: ids, ports, slots, dates, weights, reefer, DG, OOG.

Readers take the text of one data element with the segment it came from and
return a model value, or None after recording a problem that names the
segment, the element and the value. Writers build the segment the SMDG guides
use. Lenient readings are noted as warnings: a container number with blanks or
dashes, a 6- or zero-padded 8-digit slot code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from opentos.edi.problems import Problems
from opentos.edi.syntax import Segment, decimal
from opentos.errors import InvalidValue
from opentos.model.container import (
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType, SizeTypeReading, read_size_type
from opentos.model.slots import BayRowTier

T = TypeVar("T")

FULL_EMPTY = {"5": FullEmpty.FULL, "4": FullEmpty.EMPTY}
"""EQD full/empty indicator (code list 8169)."""
FULL_EMPTY_CODE = {value: code for code, value in FULL_EMPTY.items()}


def full_empty(seg: Segment, problems: Problems, element: int = 6) -> FullEmpty | None:
    """The EQD full/empty indicator: 5 full, 4 empty (code list 8169)."""
    code = seg.el(element)
    found = FULL_EMPTY.get(code)
    if found is None:
        problems.error(
            "full/empty indicator must be 5 (full) or 4 (empty)",
            at=seg,
            element=str(element),
            value=code,
        )
    return found


SEALS = {"CA": "carrier", "SH": "shipper", "CU": "customs", "TO": "terminal"}
"""SEL party qualifiers (code list 9303) and the model's seal issuers."""


def model_value(
    problems: Problems,
    seg: Segment,
    element: str,
    text: str,
    parse: Callable[[str], T],
    what: str,
) -> T | None:
    """``parse(text)``; a rejected value becomes an error naming ``what`` and where it was."""
    try:
        return parse(text)
    except InvalidValue as exc:
        problems.error(f"{what}: {exc}", at=seg, element=element, value=text)
        return None


_PLACEHOLDER = re.compile(r"TBA|TBN|TBC|TBD|NIL|NONE|NA|N/A|DUMMY|UNKNOWN|X+|0+|[A-Z]{3,4}0+|X+0+")
"""Ids that stand for a box whose number is not known yet (``TBA``, ``XXXX0000000``)."""
_NO_CHECK_DIGIT = re.compile(r"[A-Z]{3}[UJZ][0-9]{6}")


def is_placeholder(text: str) -> bool:
    """True for an id such as ``TBA`` or ``XXXU0000000`` that names no box."""
    return _PLACEHOLDER.fullmatch(text.replace(" ", "").replace("-", "").upper()) is not None


def equipment_id(
    text: str, seg: Segment, element: str, problems: Problems
) -> ContainerNumber | None:
    """The box an ``EQD`` names, however it is written; None only when it names none.

    Blanks, dashes and lower case are dropped with a warning, a missing check digit
    is computed with a warning. A wrong check digit, a malformed number or a
    placeholder id (``TBA``, ``XXXU0000000``) is an error, and the id is kept as
    written (:meth:`ContainerNumber.as_written`, not :attr:`~ContainerNumber.verified`)
    so that the box is not lost.
    """
    cleaned = text.replace(" ", "").replace("-", "").upper()
    if cleaned != text:
        problems.warning(
            f"container number written as {text!r}; read as {cleaned}",
            at=seg,
            element=element,
            value=text,
        )
    if not cleaned:
        problems.error("container number is missing", at=seg, element=element, value=text)
        return None
    if _NO_CHECK_DIGIT.fullmatch(cleaned):
        number = ContainerNumber.from_parts(cleaned[:3], cleaned[3], cleaned[4:])
        problems.warning(
            f"container number {cleaned} has no check digit; read as {number}",
            at=seg,
            element=element,
            value=text,
        )
        return number
    try:
        return ContainerNumber.parse(cleaned)
    except InvalidValue as exc:
        if _PLACEHOLDER.fullmatch(cleaned):
            message = f"container number {cleaned!r} is a placeholder, not the box's number"
        else:
            message = str(exc)
        problems.error(message, at=seg, element=element, value=text)
        return ContainerNumber.as_written(cleaned)


def container_number(
    text: str, seg: Segment, element: str, problems: Problems
) -> ContainerNumber | None:
    """An ISO 6346 number read as :func:`equipment_id` reads it; None unless it is valid."""
    number = equipment_id(text, seg, element, problems)
    return number if number is not None and number.verified else None


def size_type(text: str, seg: Segment, element: str, problems: Problems) -> SizeTypeReading:
    """Any size-type code (:func:`~opentos.model.iso_types.read_size_type`); never None.

    Today's codes are read as they are. A 1984-edition code, a 1995 type group
    code or carriers' shorthand is read as today's code with a warning naming both;
    a code neither edition knows is an error, and the box keeps the length and
    height its first two characters give.
    """
    reading = read_size_type(text)
    code, today = reading.written, reading.size_type.code
    if reading.edition == "1995":
        if code != text.strip():
            problems.warning(
                f"size-type written as {text!r}; read as {code}",
                at=seg,
                element=element,
                value=text,
            )
        return reading
    described = _EDITIONS.get(reading.edition)
    if described is not None:
        problems.warning(
            f"size-type {code} is {described}; read as {today} (the code as sent is kept)",
            at=seg,
            element=element,
            value=text,
        )
        return reading
    unknown = reading.unknown
    known = [part for part in ("length", "height") if part not in unknown]
    kept = (
        f"; the box is kept as {today[:2]}.. ({' and '.join(known)} from the code)"
        if known
        else "; the box is kept with its size unknown"
    )
    problems.error(
        f"size-type {code!r} is not an ISO 6346 code of the 1995 or the 1984 edition{kept}",
        at=seg,
        element=element,
        value=text,
    )
    return reading


def code_as_sent(reading: SizeTypeReading) -> str | None:
    """The code to keep on the box as the line sent it: None for today's code, and for one
    longer than the 10 characters data element 8155 holds (an error already)."""
    written = reading.written
    return None if reading.exact or not written or len(written) > 10 else written


_EDITIONS = {
    "1984": "a 1984-edition ISO 6346 code",
    "group": "an ISO 6346 type group code",
    "trade": "carriers' shorthand, not an ISO 6346 code",
}


def iso_type(text: str, seg: Segment, element: str, problems: Problems) -> SizeType | None:
    """A size-type read as :func:`size_type` reads it; None when the code is unknown."""
    reading = size_type(text, seg, element, problems)
    return None if reading.unknown else reading.size_type


def locode(text: str, seg: Segment, element: str, problems: Problems) -> UnLocode | None:
    """A UN/LOCODE (``CNTAO``)."""
    return model_value(problems, seg, element, text.strip(), UnLocode.parse, "port")


_DIGITS = re.compile(r"\d+")


def slot(text: str, seg: Segment, element: str, problems: Problems) -> BayRowTier | None:
    """An ISO 9711 slot ``BBBRRTT``; ``BBRRTT`` and a zero-padded ``0BBBRRTT`` with a warning."""
    code = text.strip()
    if _DIGITS.fullmatch(code) and len(code) == 8 and code.startswith("0"):
        problems.warning(
            "8-digit slot code read as BBBRRTT without its leading zero",
            at=seg,
            element=element,
            value=text,
        )
        code = code[1:]
    elif _DIGITS.fullmatch(code) and len(code) == 6:
        problems.warning(
            "6-digit slot code (BBRRTT) read as BBBRRTT", at=seg, element=element, value=text
        )
    return model_value(problems, seg, element, code, BayRowTier.parse, "slot")


def slot_code(position: BayRowTier) -> str:
    """The 7-digit code written for a slot."""
    return str(position)


_DTM_FORMATS = {
    "101": ("%y%m%d", 6),
    "102": ("%Y%m%d", 8),
    "201": ("%y%m%d%H%M", 10),
    "203": ("%Y%m%d%H%M", 12),
    "204": ("%Y%m%d%H%M%S", 14),
}


def read_dtm(seg: Segment, problems: Problems) -> datetime | None:
    """The date/time of a ``DTM`` (formats 101, 102, 201, 203, 204), as aware UTC."""
    text, fmt = seg.el(1, 2), seg.el(1, 3) or "203"
    known = _DTM_FORMATS.get(fmt)
    if known is None:
        problems.error(
            f"date/time format {fmt!r} is not one OpenTOS reads (101, 102, 201, 203, 204)",
            at=seg,
            element="1.3",
            value=fmt,
        )
        return None
    pattern, length = known
    if len(text) != length or not text.isdigit():
        problems.error(
            f"date/time {text!r} does not match format {fmt} ({length} digits)",
            at=seg,
            element="1.2",
            value=text,
        )
        return None
    try:
        return datetime.strptime(text, pattern).replace(tzinfo=UTC)
    except ValueError:
        problems.error(f"date/time {text!r} is not a real date", at=seg, element="1.2", value=text)
        return None


def dtm(qualifier: str, at: datetime, fmt: str = "203") -> Segment:
    """``DTM+qualifier:date:format`` in UTC."""
    pattern = _DTM_FORMATS[fmt][0]
    return Segment.of("DTM", (qualifier, at.astimezone(UTC).strftime(pattern), fmt))


_TO_KG = {"KGM": 1.0, "TNE": 1000.0, "LBR": 0.45359237}


def measure(seg: Segment, problems: Problems, element: int = 3) -> float | None:
    """The measured value of a ``MEA`` (C174 in element ``element``), in kg."""
    unit, text = seg.el(element, 1), seg.el(element, 2)
    value = decimal(text)
    if value is None or value < 0:
        problems.error("weight is not a number >= 0", at=seg, element=f"{element}.2", value=text)
        return None
    factor = _TO_KG.get(unit)
    if factor is None:
        problems.error(
            f"weight unit {unit!r} is not KGM, TNE or LBR",
            at=seg,
            element=f"{element}.1",
            value=unit,
        )
        return None
    return value * factor


def kg(value: float | None) -> int | None:
    """Whole kilograms, as the model keeps weights."""
    return None if value is None else round(value)


def number_text(value: float) -> str:
    """A number as written in a data element: no exponent, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def read_tmp(seg: Segment, problems: Problems) -> ReeferSetting | None:
    """A reefer set point from ``TMP+2+value:CEL`` (FAH is converted)."""
    text, unit = seg.el(2, 1), seg.el(2, 2) or "CEL"
    value = decimal(text)
    if value is None:
        problems.error("temperature is not a number", at=seg, element="2.1", value=text)
        return None
    if unit == "FAH":
        value = (value - 32.0) * 5.0 / 9.0
    elif unit != "CEL":
        problems.error(
            f"temperature unit {unit!r} is not CEL or FAH", at=seg, element="2.2", value=unit
        )
        return None
    return model_value(problems, seg, "2.1", text, lambda _: ReeferSetting(value), "set point")


def tmp(setting: ReeferSetting, qualifier: str = "2") -> Segment:
    """``TMP+2+value:CEL``."""
    return Segment.of("TMP", qualifier, (number_text(setting.set_point_c), "CEL"))


_DIM_SIDES = {
    "5": ("over_front_mm", 2),
    "6": ("over_back_mm", 2),
    "7": ("over_right_mm", 3),
    "8": ("over_left_mm", 3),
    "9": ("over_height_mm", 4),
}
"""DIM qualifiers (code list 6145) for off-standard dimensions, and which C211 component."""

_CM_TO_MM = {"CMT": 10.0, "MMT": 1.0, "MTR": 1000.0, "INH": 25.4}


def read_dims(segs: list[Segment], problems: Problems) -> OutOfGauge | None:
    """Out-of-gauge from ``DIM`` segments 5-9 (front, back, right, left, height)."""
    values: dict[str, int] = {}
    for seg in segs:
        side = _DIM_SIDES.get(seg.qualifier)
        if side is None:
            problems.warning(
                f"DIM qualifier {seg.qualifier!r} is not an out-of-gauge side (5-9)",
                at=seg,
                element="1",
                value=seg.qualifier,
            )
            continue
        name, component = side
        unit, text = seg.el(2, 1), seg.el(2, component)
        value = decimal(text)
        factor = _CM_TO_MM.get(unit)
        if value is None or value < 0 or factor is None:
            problems.error(
                f"out-of-gauge {name} needs a length >= 0 in CMT, MMT, MTR or INH",
                at=seg,
                element=f"2.{component}",
                value=f"{unit}:{text}",
            )
            continue
        values[name] = round(value * factor)
    if not any(values.values()):
        return None
    first = segs[0]
    return model_value(problems, first, "2", "", lambda _: OutOfGauge(**values), "out-of-gauge")


def dims(oog: OutOfGauge) -> list[Segment]:
    """``DIM`` segments for each side that sticks out, in centimetres."""
    out: list[Segment] = []
    for qualifier, (name, component) in _DIM_SIDES.items():
        mm = getattr(oog, name)
        if mm:
            parts = ["CMT", "", "", ""]
            parts[component - 1] = number_text(mm / 10.0)
            out.append(Segment.of("DIM", qualifier, parts))
    return out


_PACKING = {"1": PackingGroup.I, "2": PackingGroup.II, "3": PackingGroup.III}


def read_dgs(seg: Segment, problems: Problems) -> DangerousGoods | None:
    """``DGS+IMD+class+UN+flashpoint:CEL+packing group``."""
    if seg.qualifier and seg.qualifier != "IMD":
        problems.warning(
            f"dangerous-goods regulation {seg.qualifier!r} read as IMDG",
            at=seg,
            element="1",
            value=seg.qualifier,
        )
    klass, un_text = seg.el(2, 1), seg.el(3, 1)
    if not un_text.isdigit():
        problems.error("UN number is not 4 digits", at=seg, element="3.1", value=un_text)
        return None
    flash_text, unit = seg.el(4, 1), seg.el(4, 2) or "CEL"
    flashpoint = decimal(flash_text)
    if flash_text and flashpoint is None:
        problems.error("flashpoint is not a number", at=seg, element="4.1", value=flash_text)
    elif flashpoint is not None and unit == "FAH":
        flashpoint = (flashpoint - 32.0) * 5.0 / 9.0
    pg_text = seg.el(5)
    packing = _PACKING.get(pg_text)
    if pg_text and packing is None:
        problems.error("packing group is not 1, 2 or 3", at=seg, element="5", value=pg_text)
    return model_value(
        problems,
        seg,
        "2.1",
        klass,
        lambda k: DangerousGoods(k, int(un_text), packing, flashpoint),
        "dangerous goods",
    )


def dgs(dg: DangerousGoods) -> Segment:
    """The ``DGS`` segment of one dangerous-goods entry."""
    pg = {PackingGroup.I: "1", PackingGroup.II: "2", PackingGroup.III: "3"}
    flash = (number_text(dg.flashpoint_c), "CEL") if dg.flashpoint_c is not None else None
    return Segment.of(
        "DGS",
        "IMD",
        dg.imdg_class,
        f"{dg.un_number:04d}",
        flash,
        pg[dg.packing_group] if dg.packing_group else None,
    )
