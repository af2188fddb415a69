"""Slot notations: ISO 9711 / SMDG vessel bay-row-tier and yard block slots.

Vessel slots are written ``BBBRRTT`` (seven digits): bay ``BBB`` (odd for a
20-foot position, even for a 40-foot one), row ``RR`` (``00`` on the centre
line if the vessel has an odd number of rows, odd numbers to starboard, even
to port), tier ``TT`` (``02``, ``04`` ... in the hold, ``82``, ``84`` ... on
deck). The older six-digit form ``BBRRTT`` is read as well and printed in the
seven-digit form.

Yard slots are written ``BLOCK.BBB.RR.T`` with the same odd/even bay rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from opentos.errors import InvalidSlot

DECK_TIER_MIN = 50
"""Tiers at or above this number are on deck (ISO 9711 numbers deck tiers from 72, 80 or 82)."""

_BRT = re.compile(r"^(\d{2,3})(\d{2})(\d{2})$")
_YARD = re.compile(r"^([A-Z0-9][A-Z0-9_-]{0,15})\.(\d{1,3})\.(\d{1,2})\.(\d{1,2})$")


@dataclass(frozen=True, slots=True, order=True)
class BayRowTier:
    """A vessel slot position: ``BayRowTier.parse("0120382")`` is bay 12, row 3, tier 82."""

    bay: int
    row: int
    tier: int

    def __post_init__(self) -> None:
        if not 1 <= self.bay <= 999:
            raise InvalidSlot(f"bay {self.bay} is out of range 1-999")
        if not 0 <= self.row <= 99:
            raise InvalidSlot(f"row {self.row} is out of range 00-99")
        if not 1 <= self.tier <= 99:
            raise InvalidSlot(f"tier {self.tier} is out of range 01-99")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read ``BBBRRTT`` (or the older ``BBRRTT``); surrounding blanks are ignored."""
        m = _BRT.match(text.strip())
        if m is None:
            raise InvalidSlot(f"bay-row-tier {text!r} is not 6 or 7 digits (BBBRRTT)")
        try:
            return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except InvalidSlot as exc:
            raise InvalidSlot(f"bay-row-tier {text!r}: {exc}") from None

    def __str__(self) -> str:
        return f"{self.bay:03d}{self.row:02d}{self.tier:02d}"

    @property
    def on_deck(self) -> bool:
        """True for a deck tier (82 and up, or any tier from 50)."""
        return self.tier >= DECK_TIER_MIN

    @property
    def is_40ft_bay(self) -> bool:
        """True for an even bay: a 40' (or 45') position over two 20' bays."""
        return self.bay % 2 == 0


@dataclass(frozen=True, slots=True, order=True)
class YardSlot:
    """A yard position: ``YardSlot.parse("A01.017.05.2")`` is block A01, bay 17, row 5, tier 2."""

    block: str
    bay: int
    row: int
    tier: int

    def __post_init__(self) -> None:
        if not self.block or "." in self.block or "/" in self.block:
            raise InvalidSlot(f"block id {self.block!r} is empty or contains '.' or '/'")
        if self.bay < 1 or self.row < 1 or self.tier < 1:
            raise InvalidSlot(
                f"yard slot {self.block}.{self.bay}.{self.row}.{self.tier}: bay, row and tier "
                "count from 1"
            )

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read ``BLOCK.BBB.RR.T``."""
        m = _YARD.match(text.strip().upper())
        if m is None:
            raise InvalidSlot(f"yard slot {text!r} is not of the form BLOCK.BBB.RR.T")
        return cls(m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))

    def __str__(self) -> str:
        return f"{self.block}.{self.bay:03d}.{self.row:02d}.{self.tier}"
