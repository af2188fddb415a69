"""A container vessel's bay structure: stacks, bay sections, hatch covers, the profile.

Bays follow ISO 9711 / SMDG, numbered from the bow: odd bays are 20-foot
positions, an even bay ``B`` is the 40-foot (and 45-foot) position over the
20-foot bays ``B - 1`` and ``B + 1``. Rows: ``00`` on the centre line when a
bay has an odd number of rows, odd numbers to starboard, even numbers to port,
counting outward. Tiers: ``02, 04 ...`` in the hold, ``82, 84 ...`` on deck
(vessels with more than nine deck tiers number them from 80 or 72, so that
every tier fits the two digits of ``BBBRRTT``).

A :class:`VesselProfile` is a :class:`~opentos.model.stacking.StackArea`: the
ledger asks it which cells a box occupies and which cell stands below or
above another. Those lookups are precomputed in dictionaries when the profile
is built, because they run in the ledger's inner loop.

Generated classes (feeder to ULCV) are in :mod:`opentos.model.vessel_classes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Self, TypeAlias

from opentos.errors import DomainError, IllegalMove, InvalidSlot, InvalidValue
from opentos.model.dictread import DictReader
from opentos.model.slots import DECK_TIER_MIN, BayRowTier
from opentos.model.stacking import Cell

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
"""A value that :func:`json.dumps` writes and :func:`json.loads` reads back unchanged."""

TIER_HEIGHT_MM = 2591
"""Height of one tier: a standard 8'6" box."""

HIGH_CUBE_MM = 2896
"""Height of a 9'6" high-cube box."""

LENGTHS_FT = (20, 40, 45)
"""Box lengths a vessel slot can take."""

_MAX_TIER = 98


def _brt(bay: int, row: int, tier: int) -> str:
    return f"{bay:03d}{row:02d}{tier:02d}"


def _spans(numbers: Iterable[int], step: int = 1) -> str:
    """``[1, 2, 3, 5]`` -> ``"01-03, 05"``; with ``step=2``, ``[82, 84, 86]`` -> ``"82-86"``."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + step:
            runs[-1].append(n)
        else:
            runs.append([n])
    return (
        ", ".join(f"{r[0]:02d}" + (f"-{r[-1]:02d}" if len(r) > 1 else "") for r in runs) or "none"
    )


@dataclass(frozen=True, slots=True)
class StackSpec:
    """One stack of a bay section, in the hold or on deck, and its limits."""

    row: int
    tiers: tuple[int, ...]
    """Tier numbers from the bottom up: even, contiguous in steps of 2."""
    max_weight_20_kg: int
    """Limit for a stack of 20' boxes in one 20' bay."""
    max_weight_40_kg: int
    """Limit for a stack of 40'/45' boxes."""
    max_height_mm: int
    reefer_tiers: frozenset[int] = frozenset()
    """Tiers with a reefer plug (one plug per 20' cell)."""
    accepts_45: bool = False
    tcg_m: float = 0.0
    """Transverse centre of the stack, positive to starboard."""

    def __post_init__(self) -> None:
        where = f"stack in row {self.row:02d}"
        if not 0 <= self.row <= 99:
            raise InvalidValue(f"{where}: row is out of range 00-99")
        tiers = self.tiers
        if not tiers:
            raise InvalidValue(f"{where} has no tiers")
        first = tiers[0]
        if first < 2 or first % 2 or tiers != tuple(range(first, first + 2 * len(tiers), 2)):
            raise InvalidValue(
                f"{where}: tiers {list(tiers)} are not contiguous even numbers (step 2, from 02)"
            )
        if first < DECK_TIER_MIN <= tiers[-1]:
            raise InvalidValue(
                f"{where}: tiers {list(tiers)} mix hold (< {DECK_TIER_MIN}) and deck tiers"
            )
        if tiers[-1] > _MAX_TIER:
            raise InvalidValue(f"{where}: tier {tiers[-1]} does not fit BBBRRTT (at most 98)")
        for name in ("max_weight_20_kg", "max_weight_40_kg", "max_height_mm"):
            if getattr(self, name) <= 0:
                raise InvalidValue(f"{where}: {name} {getattr(self, name)} is not positive")
        if not self.reefer_tiers <= set(tiers):
            extra = sorted(self.reefer_tiers - set(tiers))
            raise InvalidValue(f"{where}: reefer tiers {extra} are not tiers of the stack")
        if not math.isfinite(self.tcg_m):
            raise InvalidValue(f"{where}: tcg_m {self.tcg_m} is not a finite number")

    @property
    def on_deck(self) -> bool:
        """True for a deck stack (tiers from 50 up)."""
        return self.tiers[0] >= DECK_TIER_MIN

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain JSON-compatible form."""
        return {
            "row": self.row,
            "tiers": list[JsonValue](self.tiers),
            "max_weight_20_kg": self.max_weight_20_kg,
            "max_weight_40_kg": self.max_weight_40_kg,
            "max_height_mm": self.max_height_mm,
            "reefer_tiers": list[JsonValue](sorted(self.reefer_tiers)),
            "accepts_45": self.accepts_45,
            "tcg_m": self.tcg_m,
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "stack") -> Self:
        """Read the form written by :meth:`to_dict`; ``where`` is its key path, for messages."""
        return cls._read(DictReader(data, where))

    @classmethod
    def _read(cls, r: DictReader) -> Self:
        return cls(
            row=r.int_("row"),
            tiers=tuple(r.int_list("tiers")),
            max_weight_20_kg=r.int_("max_weight_20_kg"),
            max_weight_40_kg=r.int_("max_weight_40_kg"),
            max_height_mm=r.int_("max_height_mm"),
            reefer_tiers=frozenset(r.int_list("reefer_tiers")),
            accepts_45=r.bool_("accepts_45"),
            tcg_m=r.float_("tcg_m"),
        )


@dataclass(frozen=True, slots=True)
class BayPart:
    """The stacks of the hold, or of the deck, of one bay section (rows unique)."""

    stacks: tuple[StackSpec, ...] = ()

    def __post_init__(self) -> None:
        rows = [s.row for s in self.stacks]
        if len(set(rows)) != len(rows):
            twice = sorted({r for r in rows if rows.count(r) > 1})
            raise InvalidValue(f"rows {_spans(twice)} appear twice in one bay part")

    @property
    def rows(self) -> frozenset[int]:
        """Row numbers of the stacks."""
        return frozenset(s.row for s in self.stacks)

    @property
    def cell_count(self) -> int:
        """Tiers summed over the stacks: the cells of one 20' bay."""
        return sum(len(s.tiers) for s in self.stacks)

    def stack(self, row: int) -> StackSpec | None:
        """The stack in ``row``, or ``None``."""
        return next((s for s in self.stacks if s.row == row), None)


@dataclass(frozen=True, slots=True)
class HatchCover:
    """A hatch cover: the deck rows standing on it and the hold rows it closes."""

    id: str
    rows: frozenset[int]

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidValue("hatch cover id is empty")
        if not self.rows:
            raise InvalidValue(f"hatch cover {self.id} covers no rows")


@dataclass(frozen=True, slots=True)
class BaySection:
    """A 40' bay with its two 20' bays (or one lone 20' bay): hold, deck, hatch covers.

    A section without hatch covers is open-top (hatchless); otherwise the covers
    share out, without overlap, every row of its hold and deck.
    """

    bay40: int | None
    bays20: tuple[int, ...]
    hold: BayPart
    deck: BayPart
    lcg_m: float
    """Longitudinal centre, from the aft perpendicular."""
    hatch_covers: tuple[HatchCover, ...] = ()

    def __post_init__(self) -> None:
        b40 = self.bay40
        where = f"bay section {b40 if b40 is not None else self.bays20}"
        if b40 is None:
            if len(self.bays20) != 1 or self.bays20[0] % 2 == 0 or not 1 <= self.bays20[0] <= 999:
                raise InvalidValue(f"{where}: a lone 20' bay needs one odd bay, not {self.bays20}")
        elif b40 % 2 or not 2 <= b40 <= 998 or self.bays20 != (b40 - 1, b40 + 1):
            raise InvalidValue(
                f"{where}: 40' bay {b40} must be even and cover bays20 ({b40 - 1}, {b40 + 1}),"
                f" not {self.bays20}"
            )
        if not self.hold.stacks and not self.deck.stacks:
            raise InvalidValue(f"{where} has no stacks")
        for part, on_deck in ((self.hold, False), (self.deck, True)):
            for s in part.stacks:
                if s.on_deck != on_deck:
                    raise InvalidValue(
                        f"{where}: row {s.row:02d} has tiers {_spans(s.tiers, 2)}, which are not "
                        f"{'deck' if on_deck else 'hold'} tiers"
                    )
        if not math.isfinite(self.lcg_m):
            raise InvalidValue(f"{where}: lcg_m {self.lcg_m} is not a finite number")
        if self.hatch_covers:
            ids = [c.id for c in self.hatch_covers]
            if len(set(ids)) != len(ids):
                raise InvalidValue(f"{where}: hatch cover ids {ids} are not unique")
            covered = [r for c in self.hatch_covers for r in c.rows]
            rows = self.hold.rows | self.deck.rows
            if len(set(covered)) != len(covered) or set(covered) != rows:
                raise InvalidValue(
                    f"{where}: hatch covers over rows {_spans(covered)} do not share out "
                    f"rows {_spans(rows)} once each"
                )

    @property
    def bay(self) -> int:
        """The bay that names the section: its 40' bay, or its lone 20' bay."""
        return self.bay40 if self.bay40 is not None else self.bays20[0]

    @property
    def bays(self) -> tuple[int, ...]:
        """Every bay number of the section, ascending."""
        return tuple(sorted((*self.bays20, *(() if self.bay40 is None else (self.bay40,)))))

    @property
    def teu(self) -> int:
        """Number of 20' cells of the section."""
        return (self.hold.cell_count + self.deck.cell_count) * len(self.bays20)

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain JSON-compatible form."""
        return {
            "bay40": self.bay40,
            "bays20": list[JsonValue](self.bays20),
            "lcg_m": self.lcg_m,
            "hold": [s.to_dict() for s in self.hold.stacks],
            "deck": [s.to_dict() for s in self.deck.stacks],
            "hatch_covers": [
                {"id": c.id, "rows": list[JsonValue](sorted(c.rows))} for c in self.hatch_covers
            ],
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "section") -> Self:
        """Read the form written by :meth:`to_dict`; ``where`` is its key path, for messages."""
        return cls._read(DictReader(data, where))

    @classmethod
    def _read(cls, r: DictReader) -> Self:
        r.raw("bay40")  # required, null for a lone 20' bay
        return cls(
            bay40=r.optional_int("bay40"),
            bays20=tuple(r.int_list("bays20")),
            hold=BayPart(tuple(StackSpec._read(s) for s in r.dict_list("hold"))),
            deck=BayPart(tuple(StackSpec._read(s) for s in r.dict_list("deck"))),
            lcg_m=r.float_("lcg_m"),
            hatch_covers=tuple(
                HatchCover(c.str_("id"), frozenset(c.int_list("rows")))
                for c in r.dict_list("hatch_covers")
            ),
        )


class _Index:
    """Lookups for the ledger's inner loop, built once per profile."""

    __slots__ = ("above", "below", "cells", "sections", "stacks")

    def __init__(self, sections: tuple[BaySection, ...]) -> None:
        self.sections: dict[int, BaySection] = {}
        self.stacks: dict[tuple[int, int, bool], StackSpec] = {}
        self.cells: dict[tuple[int, int, int, int], tuple[Cell, ...]] = {}
        self.below: dict[Cell, Cell | None] = {}
        self.above: dict[Cell, Cell | None] = {}
        for section in sections:
            b40 = section.bay40
            for bay in section.bays:
                self.sections[bay] = section
            for part, on_deck in ((section.hold, False), (section.deck, True)):
                for spec in part.stacks:
                    row, tiers = spec.row, spec.tiers
                    for bay in section.bays:
                        self.stacks[(bay, row, on_deck)] = spec
                    for bay in section.bays20:
                        for i, tier in enumerate(tiers):
                            cell = (bay, row, tier)
                            self.cells[(bay, row, tier, 20)] = (cell,)
                            self.below[cell] = (bay, row, tiers[i - 1]) if i else None
                            up = i + 1 < len(tiers)
                            self.above[cell] = (bay, row, tiers[i + 1]) if up else None
                    if b40 is not None:
                        for tier in tiers:
                            pair = ((b40 - 1, row, tier), (b40 + 1, row, tier))
                            self.cells[(b40, row, tier, 40)] = pair
                            if spec.accepts_45:
                                self.cells[(b40, row, tier, 45)] = pair


@dataclass(frozen=True, slots=True)
class VesselProfile:
    """A vessel class: main dimensions and bay sections; a stack area for the ledger.

    Heights for the vertical centre of gravity: the bottom of hold tier 02 is
    ``hold_base_m`` above the keel, the bottom of deck tier ``deck_base_tier``
    (standing on the hatch covers) is ``deck_base_m`` above it, and every tier
    is ``tier_height_mm`` high.
    """

    name: str
    loa_m: float
    beam_m: float
    design_draft_m: float
    max_draft_m: float
    deadweight_t: float
    lightship_t: float
    sections: tuple[BaySection, ...]
    hold_base_m: float
    deck_base_m: float
    deck_base_tier: int = 82
    tier_height_mm: int = TIER_HEIGHT_MM
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"vessel profile {self.name!r}"
        if not self.name or self.name != self.name.strip():
            raise InvalidValue(f"{where}: the name is empty or has surrounding blanks")
        dims = ("loa_m", "beam_m", "design_draft_m", "max_draft_m", "deadweight_t", "lightship_t")
        for name in dims:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidValue(f"{where}: {name} {value} is not a positive number")
        if self.max_draft_m < self.design_draft_m:
            raise InvalidValue(
                f"{where}: max_draft_m {self.max_draft_m} is below design_draft_m "
                f"{self.design_draft_m}"
            )
        if not (self.tier_height_mm > 0 and 0 <= self.hold_base_m < self.deck_base_m):
            raise InvalidValue(
                f"{where}: needs 0 <= hold_base_m ({self.hold_base_m}) < deck_base_m "
                f"({self.deck_base_m}) and a positive tier_height_mm ({self.tier_height_mm})"
            )
        if self.deck_base_tier % 2 or not DECK_TIER_MIN <= self.deck_base_tier <= _MAX_TIER:
            raise InvalidValue(f"{where}: deck_base_tier {self.deck_base_tier} is not 50-98, even")
        if not self.sections:
            raise InvalidValue(f"{where} has no bay sections")
        seen: dict[int, int] = {}
        last = 0
        for section in self.sections:
            for bay in section.bays:
                if bay in seen:
                    raise InvalidValue(
                        f"{where}: bay {bay:02d} is in bay sections {seen[bay]:02d} and "
                        f"{section.bay:02d}"
                    )
                seen[bay] = section.bay
            if section.bays[0] < last:
                raise InvalidValue(
                    f"{where}: bay section {section.bay:02d} comes after bay {last:02d}; "
                    "sections go in bay order"
                )
            last = section.bays[-1]
            low = min((s.tiers[0] for s in section.deck.stacks), default=self.deck_base_tier)
            if low < self.deck_base_tier:
                raise InvalidValue(
                    f"{where}: bay {section.bay:02d} has deck tier {low}, below deck_base_tier "
                    f"{self.deck_base_tier}"
                )
        object.__setattr__(self, "_index", _Index(self.sections))

    # --- StackArea -------------------------------------------------------------------------

    @property
    def area_id(self) -> str:
        """The class name, used in messages."""
        return self.name

    def cells(self, bay: int, row: int, tier: int, length_ft: int) -> tuple[Cell, ...]:
        """Cells a box of ``length_ft`` feet occupies at ``bay``/``row``/``tier``.

        Raises
        ------
        InvalidSlot
            The bay, row or tier does not exist on this vessel.
        IllegalMove
            The slot exists but cannot take the length: a 20' in an even bay, a
            40' in an odd bay or at a lone 20' bay, a 45' where the stack takes none.
        """
        try:
            return self._index.cells[(bay, row, tier, length_ft)]
        except KeyError:
            raise self._slot_error(bay, row, tier, length_ft) from None

    def below(self, cell: Cell) -> Cell | None:
        """The cell under ``cell`` in its stack; ``None`` at the bottom of a hold or deck stack."""
        try:
            return self._index.below[cell]
        except KeyError:
            raise self._slot_error(*cell, 20) from None

    def above(self, cell: Cell) -> Cell | None:
        """The cell on top of ``cell`` in its stack; ``None`` at the top tier."""
        try:
            return self._index.above[cell]
        except KeyError:
            raise self._slot_error(*cell, 20) from None

    def _slot_error(self, bay: int, row: int, tier: int, length_ft: int) -> DomainError:
        """Say why ``cells`` has no entry for this slot and length."""
        slot = _brt(bay, row, tier)
        missing = f"slot {slot} does not exist on {self.name}"
        section = self._index.sections.get(bay)
        if section is None:
            bays = (b for s in self.sections for b in s.bays)
            return InvalidSlot(f"{missing}: no bay {bay:02d} (bays {_spans(bays)})")
        on_deck = tier >= DECK_TIER_MIN
        place = "on deck" if on_deck else "in the hold"
        spec = (section.deck if on_deck else section.hold).stack(row)
        if spec is None:
            rows = (section.deck if on_deck else section.hold).rows
            return InvalidSlot(
                f"{missing}: bay {bay:02d} has no row {row:02d} {place} (rows {_spans(rows)})"
            )
        if tier not in spec.tiers:
            tiers = _spans(spec.tiers, 2)
            return InvalidSlot(
                f"{missing}: row {row:02d} {place} of bay {bay:02d} has tiers {tiers}"
            )
        cannot = f"slot {slot} on {self.name} cannot take a {length_ft}' box"
        if length_ft not in LENGTHS_FT:
            return IllegalMove(f"{cannot}: boxes are 20', 40' or 45' long")
        if bay % 2 == 0:
            if length_ft == 20:
                return IllegalMove(
                    f"{cannot}: bay {bay:02d} is a 40' position; a 20' box goes in bay "
                    f"{bay - 1:02d} or {bay + 1:02d}"
                )
            return IllegalMove(f"{cannot}: row {row:02d} {place} of bay {bay:02d} takes no 45' box")
        if section.bay40 is None:
            return IllegalMove(f"{cannot}: bay {bay:02d} is a lone 20' bay")
        if length_ft == 45 and not spec.accepts_45:
            return IllegalMove(f"{cannot}: row {row:02d} {place} of bay {bay:02d} takes no 45' box")
        return IllegalMove(
            f"{cannot}: bay {bay:02d} is a 20' position; a {length_ft}' box goes in bay "
            f"{section.bay40:02d}"
        )

    # --- structure -------------------------------------------------------------------------

    def section_of(self, bay: int) -> BaySection:
        """The section that holds ``bay`` (odd or even).

        Raises
        ------
        InvalidSlot
            The vessel has no such bay.
        """
        section = self._index.sections.get(bay)
        if section is None:
            bays = (b for s in self.sections for b in s.bays)
            raise InvalidSlot(f"bay {bay:02d} does not exist on {self.name} (bays {_spans(bays)})")
        return section

    def stack(self, bay: int, row: int, on_deck: bool) -> StackSpec:
        """The stack at ``bay`` (odd or even) and ``row``, on deck or in the hold.

        Raises
        ------
        InvalidSlot
            The vessel has no such stack.
        """
        spec = self._index.stacks.get((bay, row, on_deck))
        if spec is None:
            section = self.section_of(bay)
            place = "on deck" if on_deck else "in the hold"
            rows = (section.deck if on_deck else section.hold).rows
            raise InvalidSlot(
                f"bay {bay:02d} of {self.name} has no row {row:02d} {place} (rows {_spans(rows)})"
            )
        return spec

    def slots(self, length_ft: int | None = None) -> Iterator[BayRowTier]:
        """Every slot position, in bay-row-tier order, for one box length or for all.

        Odd bays are the 20' positions; even bays the 40' ones (45' only where the
        stack accepts 45' boxes).
        """
        if length_ft is not None and length_ft not in LENGTHS_FT:
            raise InvalidValue(f"length_ft {length_ft} is not one of {LENGTHS_FT}")
        for section in self.sections:
            stacks = sorted((*section.hold.stacks, *section.deck.stacks), key=_row_tier)
            for bay in section.bays:
                if length_ft is not None and (length_ft == 20) != (bay % 2 == 1):
                    continue
                for spec in stacks:
                    if length_ft == 45 and not spec.accepts_45:
                        continue
                    for tier in spec.tiers:
                        yield BayRowTier(bay, spec.row, tier)

    def vcg_m(self, tier: int) -> float:
        """Height above the keel of the middle of a standard box at ``tier``."""
        h = self.tier_height_mm / 1000
        if tier >= DECK_TIER_MIN:
            return self.deck_base_m + ((tier - self.deck_base_tier) // 2 + 0.5) * h
        return self.hold_base_m + ((tier - 2) // 2 + 0.5) * h

    @property
    def teu_capacity(self) -> int:
        """Number of 20' cells."""
        return sum(s.teu for s in self.sections)

    @property
    def rows_on_deck(self) -> int:
        """Most rows across the deck of any section."""
        return max(len(s.deck.stacks) for s in self.sections)

    @property
    def rows_in_hold(self) -> int:
        """Most rows across the hold of any section."""
        return max(len(s.hold.stacks) for s in self.sections)

    @property
    def tiers_on_deck(self) -> int:
        """Most tiers of any deck stack."""
        return max((len(t.tiers) for s in self.sections for t in s.deck.stacks), default=0)

    @property
    def tiers_in_hold(self) -> int:
        """Most tiers of any hold stack."""
        return max((len(t.tiers) for s in self.sections for t in s.hold.stacks), default=0)

    @property
    def reefer_plugs(self) -> int:
        """Reefer plugs, one per 20' cell of a reefer tier."""
        return sum(
            len(t.reefer_tiers) * len(s.bays20)
            for s in self.sections
            for part in (s.hold, s.deck)
            for t in part.stacks
        )

    # --- plain form ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain JSON-compatible form; :meth:`from_dict` reads it back to an equal profile."""
        return {
            "name": self.name,
            "loa_m": self.loa_m,
            "beam_m": self.beam_m,
            "design_draft_m": self.design_draft_m,
            "max_draft_m": self.max_draft_m,
            "deadweight_t": self.deadweight_t,
            "lightship_t": self.lightship_t,
            "hold_base_m": self.hold_base_m,
            "deck_base_m": self.deck_base_m,
            "deck_base_tier": self.deck_base_tier,
            "tier_height_mm": self.tier_height_mm,
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Read the form written by :meth:`to_dict`.

        Raises
        ------
        InvalidValue
            A key is missing, a value has the wrong type, or the profile breaks a rule;
            the message names the key path (``sections[3].deck[0].tiers``).
        """
        r = DictReader(data, label="vessel profile")
        return cls(
            name=r.str_("name"),
            loa_m=r.float_("loa_m"),
            beam_m=r.float_("beam_m"),
            design_draft_m=r.float_("design_draft_m"),
            max_draft_m=r.float_("max_draft_m"),
            deadweight_t=r.float_("deadweight_t"),
            lightship_t=r.float_("lightship_t"),
            sections=tuple(BaySection._read(s) for s in r.dict_list("sections")),
            hold_base_m=r.float_("hold_base_m"),
            deck_base_m=r.float_("deck_base_m"),
            deck_base_tier=r.int_("deck_base_tier"),
            tier_height_mm=r.int_("tier_height_mm"),
        )


def _row_tier(spec: StackSpec) -> tuple[int, int]:
    return spec.row, spec.tiers[0]
