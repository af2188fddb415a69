"""Plausible container vessel classes, from a 1,000 TEU feeder to a 24,000 TEU ULCV.

:func:`vessel_class` builds a deterministic :class:`~opentos.model.vessel.VesselProfile`
for a nominal capacity; :func:`standard_class` returns one of :data:`STANDARD_CLASSES`.
The figures are typical of ships of each size, not those of a particular ship.

Reference points (:data:`REFERENCE_POINTS`); the hold has two rows fewer than the deck:

======  =====  =====  ===========  =======  =======  ====  =========  ================
TEU     LOA    beam   draft m      DWT      light-   rows  tiers      stack limit t
        m      m      design/max   t        ship t   deck  hold/deck  20'/40' hold;deck
======  =====  =====  ===========  =======  =======  ====  =========  ================
1,000   147.0  23.25   8.0 / 8.7    13,700    4,600     9     5 / 4   100/150;  60/90
2,500   208.0  29.80  10.5 / 11.5   33,900   11,000    12     7 / 5   105/170;  65/100
4,500   294.1  32.20  12.0 / 13.5   55,000   19,000    13     8 / 6   110/190;  70/110
8,500   334.0  42.80  13.0 / 14.5  101,000   36,000    17     9 / 8   112/210;  80/130
14,000  366.0  48.20  14.5 / 15.2  150,000   45,000    19    10 / 9   115/225;  90/150
20,000  400.0  58.80  14.5 / 16.0  197,000   55,000    23   11 / 10   118/235;  95/165
24,000  399.9  61.50  14.5 / 16.5  232,000   60,000    24   12 / 11   120/240; 100/180
======  =====  =====  ===========  =======  =======  ====  =========  ================

4,500 TEU is a Panamax (32.2 m beam, 13 rows on deck); 14,000 TEU a neo-Panamax
(the new Panama locks take 366 m LOA, 51.25 m beam, 15.2 m draft); 24,000 TEU
is the size of the largest ships afloat (about 400 m by 61.5 m, 24 rows on deck).

Assumptions, in the order the generator applies them:

- Every figure is interpolated linearly in TEU between the two nearest reference
  points. Rows are rounded half up; hold and deck tiers are rounded up or down,
  whichever lets the bays fit the interpolated LOA best. Capacities outside
  1,000-24,000 TEU are refused.
- Bay 01 at the bow is a lone 20' bay; then come 40' sections over two 20' bays:
  04 (03, 05), 08 (07, 09), 12 (11, 13) ...
- A full section has every deck row with every deck tier, and the inner
  ``rows - 2`` rows in the hold with every hold tier, except the outermost pair of
  hold rows, which start one tier higher (the bilge).
- Tiers: hold ``02, 04 ...``; deck from 82 (up to 9 deck tiers), 80 (10) or 72
  (11-14), so that the top tier fits ``BBBRRTT``.
- Rows are 2.55 m apart (less if the beam is narrower); a row's transverse
  centre follows from its number.
- The two aft-most holds lose a quarter of a full section's TEU (the stern and
  the propeller shaft narrow them).
- The number of 40' sections is the smallest that leaves at least 40 % of a
  section over at the bow, and the bow then loses exactly the surplus, so that the
  capacity is exactly the requested TEU (one more only if no cell of bay 01 is
  left to take). The bow taper spans bay 01 and 1 + 4 x surplus / section 40'
  sections; cells go forward first, then outboard, low in the hold (the hull)
  and high on deck (the bridge's line of sight). Hold stacks lose cells from the
  bottom, deck stacks from the top; the centre stacks keep the cell next to the
  hatch cover.
- Sections are 13.0 m long (a 40' box, cell guides, lashing bridges), bay 01
  6.5 m, from 7 % of the length between perpendiculars (95.5 % of LOA) aft of its
  forward end. The deckhouse (15 m) stands aft of the cargo with fewer than 12
  rows (deckhouse and engine room aft), after 80 % of the sections with 12-16
  rows and after 35 % from 17 rows (bridge forward, engine room aft). LOA is the
  table's, longer only where the bays leave less than 13 %, 9 % or 5 % of it aft
  of the cargo for the engine room and stern.
- Heights: hold tier 02 stands on the double bottom (1.4 m to 2.5 m above the
  keel); the deck stacks stand on hatch covers 1.2 m above the top of the hold
  stacks. Tiers are 2,591 mm (8'6").
- Stack height limits: in the hold the stack's tiers of 8'6" plus 610 mm (two
  high cubes); on deck the stack's tiers of 9'6" (any mix of boxes).
- Stack weight limits from the table, the same for every stack of a part.
- 45' boxes on deck only, in every deck stack of a 40' section; none in the hold.
- Reefer plugs on deck only, one per 20' cell: the lowest deck tier of every row
  from the centre line outward, then the next tier, until 10 % of the TEU
  capacity has a plug.
- Hatch covers: one across a bay up to 10 rows on deck, two (port, starboard)
  for an even number of rows up to 14, otherwise three (port, centre and
  starboard, the centre one over the middle third of the width); each covers the
  hold and deck rows within it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from types import MappingProxyType

from opentos.errors import InvalidValue, NotFound
from opentos.model.vessel import (
    HIGH_CUBE_MM,
    TIER_HEIGHT_MM,
    BayPart,
    BaySection,
    HatchCover,
    StackSpec,
    VesselProfile,
)


@dataclass(frozen=True, slots=True)
class ReferencePoint:
    """Typical figures of a container vessel of ``teu`` nominal capacity."""

    teu: int
    loa_m: float
    beam_m: float
    design_draft_m: float
    max_draft_m: float
    deadweight_t: float
    lightship_t: float
    rows_deck: int
    tiers_hold: int
    tiers_deck: int
    hold_base_m: float
    hold_20_t: float
    hold_40_t: float
    deck_20_t: float
    deck_40_t: float


_P = ReferencePoint
# fmt: off
REFERENCE_POINTS: tuple[ReferencePoint, ...] = (
    # TEU  LOA m  beam m draft m     DWT t    light t  rows tiers  base m  hold t    deck t
    #                    des.  max                     deck hold deck      20'  40'  20'  40'
    _P(1000,  147.0, 23.25,  8.0,  8.7,  13_700,  4_600,  9,  5,  4,  1.4,  100, 150,  60,  90),
    _P(2500,  208.0, 29.80, 10.5, 11.5,  33_900, 11_000, 12,  7,  5,  1.6,  105, 170,  65, 100),
    _P(4500,  294.1, 32.20, 12.0, 13.5,  55_000, 19_000, 13,  8,  6,  1.8,  110, 190,  70, 110),
    _P(8500,  334.0, 42.80, 13.0, 14.5, 101_000, 36_000, 17,  9,  8,  2.0,  112, 210,  80, 130),
    _P(14000, 366.0, 48.20, 14.5, 15.2, 150_000, 45_000, 19, 10,  9,  2.2,  115, 225,  90, 150),
    _P(20000, 400.0, 58.80, 14.5, 16.0, 197_000, 55_000, 23, 11, 10,  2.4,  118, 235,  95, 165),
    _P(24000, 399.9, 61.50, 14.5, 16.5, 232_000, 60_000, 24, 12, 11,  2.5,  120, 240, 100, 180),
)
"""The table of the module docstring, by ascending TEU."""
# fmt: on

STANDARD_CLASSES: Mapping[str, int] = MappingProxyType(
    {
        "feeder-1000": 1000,
        "feeder-2500": 2500,
        "panamax-4500": 4500,
        "post-panamax-8500": 8500,
        "neo-panamax-14000": 14000,
        "ulcv-20000": 20000,
        "ulcv-24000": 24000,
    }
)
"""Named classes and their nominal TEU."""

ROW_PITCH_M = 2.55
"""Distance between rows (a 2,438 mm box and its cell guides), less on a narrow beam."""
SECTION_PITCH_M = 13.0
"""Length of a 40' section: a 12,192 mm box, cell guides and a lashing bridge."""
DECKHOUSE_M = 15.0
FORE_END = 0.93 * 0.955
"""Fore end of the cargo space from the aft perpendicular, in LOA: 7 % of LBP aft of the FP."""
HATCH_CLEARANCE_M = 1.2
"""From the top of the hold stacks to the bottom of the deck stacks (coaming, hatch cover)."""
REEFER_SHARE = 0.10
"""Share of the TEU capacity with a reefer plug."""
STERN_TAPER = 0.25
"""Share of a full section's TEU taken off the two aft-most holds."""
MIN_BOW_TAPER = 0.4
"""Least share of a full section's TEU taken off the bow."""
BOW_SPREAD = 4.0
"""40' sections in the bow taper per full section of TEU it takes off (plus one)."""

# Weights of the bow taper's score: how far forward, outboard, low (hold) or high (deck).
_W_FORWARD = 1.0
_W_OUTBOARD_HOLD = 1.0
_W_OUTBOARD_DECK = 0.5
_W_HEIGHT_DECK = 1.2
_DECK_BIAS = -0.4

_Stacks = dict[int, list[int]]
"""Working geometry of one bay part: row -> [lowest tier, highest tier]."""


def vessel_class(teu: int, *, name: str | None = None) -> VesselProfile:
    """A plausible vessel class of ``teu`` nominal capacity (see the module docstring).

    Parameters
    ----------
    teu
        Nominal capacity, 1,000-24,000; the profile has exactly this many 20' cells
        (one more only if the bow taper finds no cell of bay 01 left to take).
    name
        Class name; by default ``feeder-``, ``panamax-``, ``post-panamax-``,
        ``neo-panamax-`` or ``ulcv-`` followed by ``teu``.

    Raises
    ------
    InvalidValue
        ``teu`` is outside 1,000-24,000.
    """
    low, high = REFERENCE_POINTS[0].teu, REFERENCE_POINTS[-1].teu
    if isinstance(teu, bool) or not isinstance(teu, int) or not low <= teu <= high:
        raise InvalidValue(f"teu {teu!r} is not a whole number from {low} to {high}")
    return _build(teu, name if name is not None else _default_name(teu))


def standard_class(name: str) -> VesselProfile:
    """One of :data:`STANDARD_CLASSES` by name (case-insensitive).

    Raises
    ------
    NotFound
        No standard class has that name; the message lists the names.
    """
    key = name.strip().lower()
    if key not in STANDARD_CLASSES:
        raise NotFound(
            f"no standard vessel class {name!r}; the classes are {', '.join(STANDARD_CLASSES)}"
        )
    return vessel_class(STANDARD_CLASSES[key], name=key)


def _default_name(teu: int) -> str:
    for limit, label in ((2500, "feeder"), (4500, "panamax"), (8500, "post-panamax")):
        if teu <= limit:
            return f"{label}-{teu}"
    return f"{'neo-panamax' if teu <= 14000 else 'ulcv'}-{teu}"


def _interpolate(teu: int) -> dict[str, float]:
    """Every figure of :class:`ReferencePoint` at ``teu``, linearly between neighbours."""
    upper = next(i for i, p in enumerate(REFERENCE_POINTS) if p.teu >= teu)
    b = REFERENCE_POINTS[upper]
    a = b if b.teu == teu else REFERENCE_POINTS[upper - 1]  # exact at a reference point
    w = 0.0 if a is b else (teu - a.teu) / (b.teu - a.teu)
    names = [x.name for x in fields(ReferencePoint)]
    return {n: getattr(a, n) + w * (getattr(b, n) - getattr(a, n)) for n in names}


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _offset(row: int, rows: int) -> float:
    """Distance of ``row`` from the centre line in row pitches, for ``rows`` across."""
    steps = (row + 1) // 2
    return float(steps) if rows % 2 else steps - 0.5


@dataclass(frozen=True, slots=True)
class _Shape:
    """Cross-section of a class: rows and tiers of a full section, and the taper scores."""

    rows_deck: int
    tiers_hold: int
    tiers_deck: int

    @property
    def deck_base(self) -> int:
        return 82 if self.tiers_deck <= 9 else 80 if self.tiers_deck == 10 else 72

    @property
    def deck_top(self) -> int:
        return self.deck_base + 2 * (self.tiers_deck - 1)

    @property
    def deck_rows(self) -> range:
        first = 0 if self.rows_deck % 2 else 1
        return range(first, first + self.rows_deck)

    def outboard(self, row: int) -> float:
        """0 on the centre line, 1 at the outermost deck row."""
        return _offset(row, self.rows_deck) / _offset(self.deck_rows[-1], self.rows_deck)

    def full_section(self) -> dict[str, _Stacks]:
        hold_rows = self.deck_rows[:-2]
        hold = {r: [2, 2 * self.tiers_hold] for r in hold_rows}
        for r in hold_rows[-2:]:  # the bilge: the outermost pair starts a tier higher
            hold[r][0] = 4
        deck = {r: [self.deck_base, self.deck_top] for r in self.deck_rows}
        return {"hold": hold, "deck": deck}

    def score(self, part: str, row: int, tier: int, forward: float) -> float:
        """How early a taper takes a cell off: forward, outboard, low in the hold, high on deck."""
        if part == "hold":
            depth = (2 * self.tiers_hold - tier) / max(2 * self.tiers_hold - 2, 1)
            return _W_FORWARD * forward + _W_OUTBOARD_HOLD * self.outboard(row) + depth
        height = (tier - self.deck_base) / max(self.deck_top - self.deck_base, 1)
        return (
            _W_FORWARD * forward
            + _W_OUTBOARD_DECK * self.outboard(row)
            + _W_HEIGHT_DECK * height
            + _DECK_BIAS
        )


@lru_cache(maxsize=32)
def _build(teu: int, name: str) -> VesselProfile:
    f = _interpolate(teu)
    shape, count = _choose_shape(teu, f)
    full_teu = 2 * _cell_count(shape.full_section())
    stern_teu = 2 * _round_half_up(STERN_TAPER * full_teu / 2)
    lone_teu = full_teu // 2
    # geometry[0] is the lone 20' bay 01 at the bow, then the 40' bays 04, 08, 12 ...
    geometry = [shape.full_section() for _ in range(count + 1)]
    teu_per_cell = [1] + [2] * count
    _peel(geometry, teu_per_cell, [count, count - 1], stern_teu, ("hold",), shape)
    surplus = lone_teu + count * full_teu - stern_teu - teu
    bow = list(range(min(count, 2 + math.ceil(BOW_SPREAD * surplus / full_teu))))
    _peel(geometry, teu_per_cell, bow, surplus, ("hold", "deck"), shape)
    hold_base = round(f["hold_base_m"], 2)
    loa, lcgs = _layout(count, shape.rows_deck, f["loa_m"])
    return VesselProfile(
        name=name,
        loa_m=loa,
        beam_m=round(f["beam_m"], 2),
        design_draft_m=round(f["design_draft_m"], 1),
        max_draft_m=round(f["max_draft_m"], 1),
        deadweight_t=float(round(f["deadweight_t"], -2)),
        lightship_t=float(round(f["lightship_t"], -2)),
        sections=_sections(geometry, teu_per_cell, shape, f, lcgs, teu),
        hold_base_m=hold_base,
        deck_base_m=round(
            hold_base + shape.tiers_hold * TIER_HEIGHT_MM / 1000 + HATCH_CLEARANCE_M, 3
        ),
        deck_base_tier=shape.deck_base,
    )


def _choose_shape(teu: int, f: dict[str, float]) -> tuple[_Shape, int]:
    """Rows and tiers (tiers rounded up or down) whose sections fit the table's LOA best.

    Returns the shape and its number of 40' sections.
    """
    rows = _round_half_up(f["rows_deck"])
    best: tuple[tuple[bool, float], _Shape, int] | None = None
    for hold in sorted({math.floor(f["tiers_hold"]), math.ceil(f["tiers_hold"])}):
        for deck in sorted({math.floor(f["tiers_deck"]), math.ceil(f["tiers_deck"])}):
            shape = _Shape(rows, hold, deck)
            full_teu = 2 * _cell_count(shape.full_section())
            stern_teu = 2 * _round_half_up(STERN_TAPER * full_teu / 2)
            bow_teu = MIN_BOW_TAPER * full_teu - full_teu // 2
            count = math.ceil((teu + stern_teu + bow_teu) / full_teu)
            loa = _layout(count, rows, 0.0)[0]
            key = (loa > f["loa_m"], abs(loa - f["loa_m"]))
            if best is None or key < best[0]:
                best = (key, shape, count)
    assert best is not None
    return best[1], best[2]


def _sections(
    geometry: list[dict[str, _Stacks]],
    teu_per_cell: list[int],
    shape: _Shape,
    f: dict[str, float],
    lcgs: list[float],
    teu: int,
) -> tuple[BaySection, ...]:
    """Turn the working geometry into bay sections, with positions, limits and plugs."""
    plugs = _reefer_plugs(geometry, teu_per_cell, shape, teu)
    pitch = min(ROW_PITCH_M, (f["beam_m"] - 0.3) / shape.rows_deck)
    rows = shape.rows_deck
    covers = 1 if rows <= 10 else 2 if rows % 2 == 0 and rows <= 14 else 3
    limit = {k: _round_half_up(f[k]) * 1000 for k in f if k.endswith("_t")}
    sections = []
    for j, parts in enumerate(geometry):
        bay40, bays20 = (None, (1,)) if j == 0 else (4 * j, (4 * j - 1, 4 * j + 1))
        specs: dict[str, tuple[StackSpec, ...]] = {}
        for part, stacks in parts.items():
            on_deck = part == "deck"
            specs[part] = tuple(
                StackSpec(
                    row=row,
                    tiers=tuple(range(lo, hi + 1, 2)),
                    max_weight_20_kg=limit[f"{part}_20_t"],
                    max_weight_40_kg=limit[f"{part}_40_t"],
                    max_height_mm=(hi - lo + 2) // 2 * HIGH_CUBE_MM
                    if on_deck
                    else (hi - lo + 2) // 2 * TIER_HEIGHT_MM + 610,
                    reefer_tiers=frozenset(plugs.get((j, row), ()) if on_deck else ()),
                    accepts_45=on_deck and bay40 is not None,
                    tcg_m=round(
                        (1 if row % 2 else -1 if row else 0) * _offset(row, rows) * pitch, 3
                    ),
                )
                for row, (lo, hi) in sorted(stacks.items())
            )
        bay = bay40 if bay40 is not None else bays20[0]
        sections.append(
            BaySection(
                bay40=bay40,
                bays20=bays20,
                hold=BayPart(specs["hold"]),
                deck=BayPart(specs["deck"]),
                lcg_m=lcgs[j],
                hatch_covers=_hatch_covers(bay, parts, covers, shape),
            )
        )
    return tuple(sections)


def _layout(count: int, rows: int, table_loa_m: float) -> tuple[float, list[float]]:
    """LOA, and the lcg of bay 01 and of each 40' section from the bow aft."""
    if rows < 12:  # deckhouse and engine room aft of the cargo
        deckhouse, aft_reserve = count, 0.13
    elif rows <= 16:
        deckhouse, aft_reserve = _round_half_up(0.8 * count), 0.09
    else:  # bridge forward, engine room aft
        deckhouse, aft_reserve = _round_half_up(0.35 * count), 0.05
    length = SECTION_PITCH_M * (count + 0.5) + (DECKHOUSE_M if deckhouse < count else 0.0)
    loa = max(table_loa_m, math.ceil(10 * length / (FORE_END - aft_reserve)) / 10)
    fore = FORE_END * loa
    lcgs = [fore - SECTION_PITCH_M / 4]
    for j in range(1, count + 1):
        lcgs.append(fore - SECTION_PITCH_M * j - (DECKHOUSE_M if j > deckhouse else 0.0))
    return round(loa, 1), [round(x, 2) for x in lcgs]


def _cell_count(parts: dict[str, _Stacks]) -> int:
    return sum((hi - lo) // 2 + 1 for stacks in parts.values() for lo, hi in stacks.values())


def _peel(
    geometry: list[dict[str, _Stacks]],
    teu_per_cell: list[int],
    order: list[int],
    teu: int,
    parts: tuple[str, ...],
    shape: _Shape,
) -> None:
    """Take ``teu`` TEU off the sections in ``order`` (the extreme one first).

    Cells go in order of their score: hold stacks lose cells from the bottom, deck
    stacks from the top, so stacks stay contiguous; the cell next to the hatch
    cover of the centre-most stacks stays, so no part of a section goes empty.
    When one TEU is left and no 20'-bay cell remains to take, it stays on.
    """
    candidates: list[tuple[float, int, str, int, int]] = []
    for k, j in enumerate(order):
        forward = (len(order) - k) / len(order)
        for part in parts:
            stacks = geometry[j][part]
            centre = min((shape.outboard(r) for r in stacks), default=0.0)
            for row, (lo, hi) in stacks.items():
                kept = (hi if part == "hold" else lo) if shape.outboard(row) == centre else None
                for tier in range(lo, hi + 1, 2):
                    if tier != kept:
                        score = shape.score(part, row, tier, forward)
                        candidates.append((-score, j, part, row, tier))
    candidates.sort()
    left = teu
    for _, j, part, row, tier in candidates:
        if left <= 0:
            break
        if teu_per_cell[j] > left:
            continue  # a 40' cell when one TEU is left: that stack keeps its cells
        stack = geometry[j][part][row]
        if part == "hold":
            assert tier == stack[0], "hold stacks lose cells from the bottom"
            stack[0] += 2
        else:
            assert tier == stack[1], "deck stacks lose cells from the top"
            stack[1] -= 2
        left -= teu_per_cell[j]
    if left > 1:
        raise InvalidValue(f"cannot take {teu} TEU off sections {order}: the hull is too short")
    for j in set(order):
        for part in parts:
            stacks = geometry[j][part]
            for row in [r for r, (lo, hi) in stacks.items() if lo > hi]:
                del stacks[row]


def _reefer_plugs(
    geometry: list[dict[str, _Stacks]], teu_per_cell: list[int], shape: _Shape, teu: int
) -> dict[tuple[int, int], set[int]]:
    """Tiers with a plug by ``(section, row)``: low deck tiers first, centre rows first."""
    plugs: dict[tuple[int, int], set[int]] = {}
    count = 0
    by_offset = sorted(shape.deck_rows, key=lambda r: (_offset(r, shape.rows_deck), r))
    for tier in range(shape.deck_base, shape.deck_top + 1, 2):
        for row in by_offset:
            if count >= REEFER_SHARE * teu:
                return plugs
            for j, parts in enumerate(geometry):
                lo_hi = parts["deck"].get(row)
                if lo_hi is not None and lo_hi[0] <= tier <= lo_hi[1]:
                    plugs.setdefault((j, row), set()).add(tier)
                    count += teu_per_cell[j]
    return plugs


def _hatch_covers(
    bay: int, parts: dict[str, _Stacks], covers: int, shape: _Shape
) -> tuple[HatchCover, ...]:
    """One, two (port, starboard) or three (port, centre, starboard) covers across the bay."""
    rows = set(parts["hold"]) | set(parts["deck"])
    if covers == 1:
        groups = {"": rows}
    elif covers == 2:
        groups = {"P": {r for r in rows if r % 2 == 0}, "S": {r for r in rows if r % 2}}
    else:
        centre = {r for r in rows if shape.outboard(r) <= 1 / 3}
        groups = {
            "P": {r for r in rows - centre if r % 2 == 0},
            "C": centre,
            "S": {r for r in rows - centre if r % 2},
        }
    return tuple(HatchCover(f"{bay:02d}{side}", frozenset(g)) for side, g in groups.items() if g)
