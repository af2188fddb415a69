"""Places a container can be in, and their canonical text form.

A place is where the ledger says a box is:

- ``yard:A01.017.05.2`` -- a yard slot (:class:`YardPlace`);
- ``vessel:V2026-001:0120382`` -- a slot on board a vessel visit (:class:`VesselPlace`);
- ``equipment:AGV07`` or ``equipment:TRK-0042:2`` -- on a machine or vehicle: a quay
  crane's platform, an AGV, a yard crane's spreader, a truck, a rail wagon; the
  optional position numbers the spots of a carrier that takes two 20' boxes
  (:class:`EquipmentPlace`).

Outside the terminal is not a place: a box arrives from outside and departs to
outside, written ``None`` in ledger events.

Text forms round-trip exactly: ``str(parse_place(text))`` is the canonical form.
Places hash and compare by that text, which each one keeps: the ledger looks
places up in dictionaries millions of times, and a string caches its hash.
Places of one kind sort by their fields (block, bay, row, tier ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Self

from opentos.errors import InvalidSlot
from opentos.model.slots import BayRowTier, YardSlot

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def check_id(kind: str, value: str) -> str:
    """Return ``value`` if it is a usable id (letters, digits, ``_ . -``; 1-40 characters)."""
    if not _ID.match(value):
        raise InvalidSlot(
            f"{kind} id {value!r} must be 1-40 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return value


class _TextKeyed:
    """Hash and equality by the canonical text kept in ``_text``; order by ``_order()``."""

    __slots__ = ()
    _text: str

    def __str__(self) -> str:
        return self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _TextKeyed):
            return self._text == other._text
        return NotImplemented

    def _order(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __lt__(self, other: _TextKeyed) -> bool:
        if type(self) is type(other):
            return self._order() < other._order()
        return self._text < other._text


@dataclass(frozen=True, slots=True, eq=False)
class YardPlace(_TextKeyed):
    """A slot in a yard block."""

    slot: YardSlot
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", f"yard:{self.slot}")

    def _order(self) -> tuple[object, ...]:
        return (self.slot,)

    @property
    def area_id(self) -> str:
        """The stack area: the block id."""
        return self.slot.block


@dataclass(frozen=True, slots=True, eq=False)
class VesselPlace(_TextKeyed):
    """A bay-row-tier slot on board the vessel of a vessel visit."""

    visit: str
    slot: BayRowTier
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_id("visit", self.visit)
        object.__setattr__(self, "_text", f"vessel:{self.visit}:{self.slot}")

    def _order(self) -> tuple[object, ...]:
        return (self.visit, self.slot)

    @property
    def area_id(self) -> str:
        """The stack area: the vessel visit id."""
        return self.visit


@dataclass(frozen=True, slots=True, eq=False)
class EquipmentPlace(_TextKeyed):
    """On a machine or vehicle; ``position`` numbers the spots of a twin carrier."""

    equipment: str
    position: int = 1
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_id("equipment", self.equipment)
        if not 1 <= self.position <= 9:
            raise InvalidSlot(
                f"position {self.position} on equipment {self.equipment} is out of range 1-9"
            )
        suffix = "" if self.position == 1 else f":{self.position}"
        object.__setattr__(self, "_text", f"equipment:{self.equipment}{suffix}")

    def _order(self) -> tuple[object, ...]:
        return (self.equipment, self.position)

    @classmethod
    def parse_body(cls, body: str) -> Self:
        """Read what follows ``equipment:``."""
        name, _, pos = body.partition(":")
        if pos and not pos.isdigit():
            raise InvalidSlot(f"equipment position {pos!r} is not a number")
        return cls(name, int(pos) if pos else 1)


Place = YardPlace | VesselPlace | EquipmentPlace
"""Where a box can be inside the terminal."""

StackPlace = YardPlace | VesselPlace
"""A place in a stack area, subject to the stacking rules."""


@lru_cache(maxsize=1 << 16)
def parse_place(text: str) -> Place:
    """Read a place from its text form (see the module docstring)."""
    kind, sep, body = text.strip().partition(":")
    if not sep or not body:
        raise InvalidSlot(
            f"place {text!r} is not of the form yard:..., vessel:... or equipment:..."
        )
    if kind == "yard":
        return YardPlace(YardSlot.parse(body))
    if kind == "vessel":
        visit, sep, slot = body.rpartition(":")
        if not sep:
            raise InvalidSlot(f"vessel place {text!r} is not of the form vessel:VISIT:BBBRRTT")
        return VesselPlace(visit, BayRowTier.parse(slot))
    if kind == "equipment":
        return EquipmentPlace.parse_body(body)
    raise InvalidSlot(f"place {text!r}: unknown kind {kind!r} (yard, vessel or equipment)")


def place_or_outside(text: str | None) -> Place | None:
    """Read a place; ``None`` or an empty text is outside the terminal."""
    return None if not text else parse_place(text)
