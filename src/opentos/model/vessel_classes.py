"""Plausible container vessel classes, from a 1,000 TEU feeder to a 24,000 TEU ULCV.

:func:`vessel_class` builds a deterministic :class:`~opentos.model.vessel.VesselProfile`
for a nominal capacity; :func:`standard_class` returns one of :data:`STANDARD_CLASSES`.
The figures are typical of ships of each size, not those of a particular ship.

Reference points (:data:`REFERENCE_POINTS`); rows in the hold are two fewer than on deck:

=======  =====  =====  ============  ========  =========  ===========  ======  ==========
TEU      LOA m  beam   draft design  draft max  DWT t     rows deck    tiers   stack limits
                m      / max m                                          hold /  20' / 40' t
                                                                        deck    hold; deck
=======  =====  =====  ============  ========  =========  ===========  ======  ==========
1,000    147    23.25  8.0 / 8.7               13,700     9            5 / 4   100/150; 60/90
2,500    208    29.8   10.5 / 11.5             33,900     12           7 / 5   105/170; 65/100
4,500    294.1  32.2   12.0 / 13.5             55,000     13 Panamax   8 / 6   110/190; 70/110
8,500    334    42.8   13.0 / 14.5             101,000    17           9 / 8   112/210; 80/130
14,000   366    48.2   14.5 / 15.2             150,000    19 neo-Pmx   10 / 9  115/225; 90/150
20,000   400    58.8   14.5 / 16.0             197,000    23           11 / 10 118/235; 95/165
24,000   399.9  61.5   14.5 / 16.5             232,000    24           12 / 11 120/240; 100/180
=======  =====  =====  ============  ========  =========  ===========  ======  ==========

Assumptions, in the order the generator applies them:

- Every figure is interpolated linearly in TEU between the two nearest reference
  points (integers rounded half up), so every figure grows with the capacity.
  Capacities outside 1,000-24,000 TEU are refused.
- A full section is a 40' bay over two 20' bays: every deck row with all deck
  tiers; the inner ``rows - 2`` rows in the hold with all hold tiers, except the
  outermost pair of hold rows, which start one tier higher (the bilge).
- Tiers: hold ``02, 04 ...``; deck from 82 (up to 9 deck tiers), 80 (10) or 72
  (11-14), so the top tier fits ``BBBRRTT``.
- Rows are 2.55 m apart (or ``(beam - 0.3 m) / rows`` if narrower); a row's
  transverse centre follows from its number.
- The two aft-most holds lose a quarter of a section's capacity (the stern and
  propeller shaft narrow them), taken from their lowest and outermost cells.
- The number of sections is the smallest that leaves at least a quarter of a
  section to take off at the bow; the bow sections (at least 3, or 16 % of the
  sections) then lose exactly the surplus, lowest and outermost hold cells and
  highest deck cells first (hull shape and the bridge's line of sight). The
  capacity is therefore the requested TEU, rounded down to an even number.
- Sections are 13.0 m apart (a 40' box, cell guides and lashing bridges) from
  7 % of the length between perpendiculars (95.5 % of LOA) aft of its forward
  end; the deckhouse (15 m) stands aft of all sections on ships with fewer than
  12 rows, after 80 % of them with 12-16 rows and after 35 % from 17 rows (bridge
  forward, engine room aft). Bays are numbered from the bow without gaps.
- Heights: hold tier 02 stands on the double bottom (1.4 m to 2.5 m above the
  keel); the deck stacks stand on hatch covers 1.2 m above the top of the hold
  stacks. Tiers are 2,591 mm (8'6").
- Stack height limits: in the hold the stack's tiers of 8'6" plus 610 mm (two
  high cubes); on deck the stack's tiers of 9'6" (all high cubes).
- Stack weight limits from the table, the same for every stack of a part.
- 45' boxes on deck only, in every deck stack of a 40' bay; none in the hold.
- Reefer plugs on deck only, one per 20' cell: the lowest deck tier of every row
  from the centre line outward, then the next tier, until 10 % of the TEU
  capacity has a plug.
- Hatch covers: one across a bay up to 10 rows on deck, two (port, starboard)
  for an even number of rows up to 14, otherwise three (port, centre,
  starboard, a third of the width each); each covers the hold and deck rows
  within it.
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
SECTION_PITCH_M = 13.0
DECKHOUSE_M = 15.0
HATCH_CLEARANCE_M = 1.2
REEFER_SHARE = 0.10
STERN_TAPER = 0.25
"""Share of a full section's TEU taken off the two aft-most holds."""
MIN_BOW_TAPER = 0.25
"""Least share of a full section's TEU taken off the bow sections."""

# Weights of the bow taper's score: how far forward, outboard, low (hold) or high (deck).
_W_FORWARD = 2.0
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
        Nominal capacity, 1,000-24,000; the profile has exactly this many 20' cells,
        rounded down to an even number.
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
    a, b = REFERENCE_POINTS[max(upper - 1, 0)], REFERENCE_POINTS[upper]
    w = 0.0 if a.teu == b.teu else (teu - a.teu) / (b.teu - a.teu)
    names = [x.name for x in fields(ReferencePoint)]
    return {n: getattr(a, n) + w * (getattr(b, n) - getattr(a, n)) for n in names}


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _deck_base_tier(tiers_deck: int) -> int:
    return 82 if tiers_deck <= 9 else 80 if tiers_deck == 10 else 72


def _offset(row: int, rows: int) -> float:
    """Distance of ``row`` from the centre line in row pitches, for ``rows`` across."""
    steps = (row + 1) // 2
    return float(steps) if rows % 2 else steps - 0.5


@lru_cache(maxsize=32)
def _build(teu: int, name: str) -> VesselProfile:
    f = _interpolate(teu)
    rows_deck = _round_half_up(f["rows_deck"])
    rows_hold = rows_deck - 2
    tiers_hold = _round_half_up(f["tiers_hold"])
    tiers_deck = _round_half_up(f["tiers_deck"])
    deck_base = _deck_base_tier(tiers_deck)
    first_row = 0 if rows_deck % 2 else 1
    deck_rows = range(first_row, first_row + rows_deck)
    hold_rows = range(first_row, first_row + rows_hold)
    max_offset = _offset(deck_rows[-1], rows_deck)
    outboard = {r: _offset(r, rows_deck) / max_offset for r in deck_rows}

    def full_section() -> dict[str, _Stacks]:
        hold = {r: [2, 2 * tiers_hold] for r in hold_rows}
        for r in hold_rows[-2:]:  # the bilge: the outermost pair starts a tier higher
            hold[r][0] = 4
        deck = {r: [deck_base, deck_base + 2 * (tiers_deck - 1)] for r in deck_rows}
        return {"hold": hold, "deck": deck}

    full_teu = 2 * _cell_count(full_section())
    stern_cells = _round_half_up(STERN_TAPER * full_teu / 2)
    need = teu - teu % 2 + 2 * stern_cells + MIN_BOW_TAPER * full_teu
    count = math.ceil(need / full_teu)
    geometry = [full_section() for _ in range(count)]
    scale = _Scale(outboard, 2 * tiers_hold, deck_base, deck_base + 2 * (tiers_deck - 1))
    _peel(geometry, list(range(count - 1, count - 3, -1)), stern_cells, ("hold",), scale)
    bow_cells = (count * full_teu - 2 * stern_cells - (teu - teu % 2)) // 2
    bow = list(range(max(3, _round_half_up(0.16 * count))))
    _peel(geometry, bow, bow_cells, ("hold", "deck"), scale)

    plugs = _reefer_plugs(geometry, deck_rows, deck_base, tiers_deck, teu)
    pitch = min(ROW_PITCH_M, (f["beam_m"] - 0.3) / rows_deck)
    lbp = 0.955 * f["loa_m"]
    gap = count if rows_deck < 12 else _round_half_up((0.8 if rows_deck <= 16 else 0.35) * count)
    covers = 1 if rows_deck <= 10 else 2 if rows_deck % 2 == 0 and rows_deck <= 14 else 3
    limits = {
        k: _round_half_up(f[k]) * 1000 for k in ("hold_20_t", "hold_40_t", "deck_20_t", "deck_40_t")
    }
    reefer: dict[tuple[int, int], set[int]] = {}
    for j, row, tier in plugs:
        reefer.setdefault((j, row), set()).add(tier)
    sections = []
    for j, parts in enumerate(geometry):
        bay40 = 4 * j + 2
        specs: dict[str, tuple[StackSpec, ...]] = {}
        for part, stacks in parts.items():
            on_deck = part == "deck"
            specs[part] = tuple(
                StackSpec(
                    row=row,
                    tiers=tuple(range(lo, hi + 1, 2)),
                    max_weight_20_kg=limits["deck_20_t" if on_deck else "hold_20_t"],
                    max_weight_40_kg=limits["deck_40_t" if on_deck else "hold_40_t"],
                    max_height_mm=(hi - lo + 2) // 2 * HIGH_CUBE_MM
                    if on_deck
                    else (hi - lo + 2) // 2 * TIER_HEIGHT_MM + 610,
                    reefer_tiers=frozenset(reefer.get((j, row), ()) if on_deck else ()),
                    accepts_45=on_deck,
                    tcg_m=round(
                        (1 if row % 2 else -1 if row else 0) * _offset(row, rows_deck) * pitch, 3
                    ),
                )
                for row, (lo, hi) in sorted(stacks.items())
            )
        lcg = 0.93 * lbp - SECTION_PITCH_M * (j + 0.5) - (DECKHOUSE_M if j >= gap else 0.0)
        sections.append(
            BaySection(
                bay40=bay40,
                bays20=(bay40 - 1, bay40 + 1),
                hold=BayPart(specs["hold"]),
                deck=BayPart(specs["deck"]),
                lcg_m=round(lcg, 2),
                hatch_covers=_hatch_covers(bay40, parts, covers, outboard),
            )
        )
    hold_base = round(f["hold_base_m"], 2)
    return VesselProfile(
        name=name,
        loa_m=round(f["loa_m"], 1),
        beam_m=round(f["beam_m"], 2),
        design_draft_m=round(f["design_draft_m"], 1),
        max_draft_m=round(f["max_draft_m"], 1),
        deadweight_t=float(round(f["deadweight_t"], -2)),
        lightship_t=float(round(f["lightship_t"], -2)),
        sections=tuple(sections),
        hold_base_m=hold_base,
        deck_base_m=round(hold_base + tiers_hold * TIER_HEIGHT_MM / 1000 + HATCH_CLEARANCE_M, 3),
        deck_base_tier=deck_base,
    )


def _cell_count(parts: dict[str, _Stacks]) -> int:
    return sum((hi - lo) // 2 + 1 for stacks in parts.values() for lo, hi in stacks.values())


@dataclass(frozen=True, slots=True)
class _Scale:
    """Normalises a cell's position to 0..1 for the taper scores."""

    outboard: dict[int, float]
    hold_top: int
    deck_bottom: int
    deck_top: int

    def score(self, part: str, row: int, tier: int, forward: float) -> float:
        if part == "hold":
            depth = (self.hold_top - tier) / max(self.hold_top - 2, 1)
            return _W_FORWARD * forward + _W_OUTBOARD_HOLD * self.outboard[row] + depth
        height = (tier - self.deck_bottom) / max(self.deck_top - self.deck_bottom, 1)
        return (
            _W_FORWARD * forward
            + _W_OUTBOARD_DECK * self.outboard[row]
            + _W_HEIGHT_DECK * height
            + _DECK_BIAS
        )


def _peel(
    geometry: list[dict[str, _Stacks]],
    order: list[int],
    cells: int,
    parts: tuple[str, ...],
    scale: _Scale,
) -> None:
    """Take ``cells`` cells off the sections in ``order`` (the extreme one first).

    Cells go in order of their score: hold stacks lose cells from the bottom, deck
    stacks from the top, so stacks stay contiguous; the cell next to the hatch
    cover of the centre-most stacks stays, so no part of a section goes empty.
    """
    candidates: list[tuple[float, int, str, int, int]] = []
    for k, j in enumerate(order):
        forward = (len(order) - k) / len(order)
        for part in parts:
            stacks = geometry[j][part]
            centre = min((scale.outboard[r] for r in stacks), default=0.0)
            for row, (lo, hi) in stacks.items():
                kept = (hi if part == "hold" else lo) if scale.outboard[row] == centre else None
                for tier in range(lo, hi + 1, 2):
                    if tier != kept:
                        score = scale.score(part, row, tier, forward)
                        candidates.append((-score, j, part, row, tier))
    if cells > len(candidates):
        raise InvalidValue(f"cannot take {cells} cells off sections {order}: the hull is too short")
    candidates.sort()
    for _, j, part, row, tier in candidates[:cells]:
        stack = geometry[j][part][row]
        if part == "hold":
            assert tier == stack[0], "hold stacks lose cells from the bottom"
            stack[0] += 2
        else:
            assert tier == stack[1], "deck stacks lose cells from the top"
            stack[1] -= 2
    for j in set(order):
        for part in parts:
            stacks = geometry[j][part]
            for row in [r for r, (lo, hi) in stacks.items() if lo > hi]:
                del stacks[row]


def _reefer_plugs(
    geometry: list[dict[str, _Stacks]],
    deck_rows: range,
    deck_base: int,
    tiers_deck: int,
    teu: int,
) -> set[tuple[int, int, int]]:
    """``(section, row, tier)`` with a plug: low deck tiers first, centre rows first."""
    plugs: set[tuple[int, int, int]] = set()
    by_offset = sorted(deck_rows, key=lambda r: (_offset(r, len(deck_rows)), r))
    for level in range(tiers_deck):
        tier = deck_base + 2 * level
        for row in by_offset:
            if 2 * len(plugs) >= REEFER_SHARE * teu:
                return plugs
            for j, parts in enumerate(geometry):
                lo_hi = parts["deck"].get(row)
                if lo_hi is not None and lo_hi[0] <= tier <= lo_hi[1]:
                    plugs.add((j, row, tier))
    return plugs


def _hatch_covers(
    bay40: int, parts: dict[str, _Stacks], covers: int, outboard: dict[int, float]
) -> tuple[HatchCover, ...]:
    rows = set(parts["hold"]) | set(parts["deck"])
    if covers == 1:
        groups = {"": rows}
    elif covers == 2:
        groups = {"P": {r for r in rows if r % 2 == 0}, "S": {r for r in rows if r % 2}}
    else:
        centre = {r for r in rows if outboard[r] <= 1 / 3}
        groups = {
            "P": {r for r in rows - centre if r % 2 == 0},
            "C": centre,
            "S": {r for r in rows - centre if r % 2},
        }
    return tuple(HatchCover(f"{bay40:02d}{side}", frozenset(g)) for side, g in groups.items() if g)
