"""Automatic stowage: a master plan over bay sections (CP-SAT), then a slot plan per section.

**Master plan.** The boxes to place are grouped by discharge order, length
(20', 40', 45'), reefer, dangerous goods, out-of-gauge, high cube and weight
band. CP-SAT decides how many boxes of each group go to each bay section's hold
and deck, within the section part's free cells (with a little slack), reefer
plugs, 45' positions, hold column heights and stack weights; a box for port
``p`` only where enough cells stand on no box for an earlier port (so that no
box needs to be overstowed); keeping the cargo's vertical and longitudinal
moments within what the GM and trim limits allow (a linear estimate: each box at
the mean height of its part's free cells). It minimises hatch-cover restows
(a section whose deck carries boxes for a later port than its hold), then the
largest number of crane moves in one section, then the ports of discharge
mixed under the hatch covers.

**Slot plan.** In each section part, boxes are placed one at a time, later
ports first and heavy first within a port, each in the lowest legal cell (the
one that best evens the list among equals): no floating, no 20' on a 40',
stack weight and height, reefer plugs (kept free while reefers wait for them),
out-of-gauge on top with its neighbours free, IMDG segregation, and nothing
above a box for an earlier port. Rows are given to 20' or 40' boxes so that
the two do not block each other. Boxes a section cannot take are then tried in
every other section.

**Checks.** The loaded condition is computed with the hydrostatic model; if GM
or trim miss their limits the master plan is solved again with tighter moment
bounds (up to three times). Every plan should still be checked with
:func:`opentos.planning.stowage.validate.validate_stowage`.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.slots import BayRowTier
from opentos.model.vessel import BaySection, StackSpec, VesselProfile
from opentos.planning.result import Result, Status
from opentos.planning.stowage import stability
from opentos.planning.stowage.problem import (
    NO_ROOM,
    NO_VGM,
    StowagePlan,
    StowageProblem,
    Stowed,
    weight_kg,
)
from opentos.planning.stowage.rules import segregation_code

MASTER_SLACK = 0.97
"""Share of a section part's free cells the master plan may fill."""
NESTED_SLACK = 0.95
PLACE_WEIGHT = 100_000_000
"""Master objective weight of a box placed: above every soft objective together."""
KG_SLACK = 0.92
"""Share of the stack weight limits the master plan may use (stacks fill up unevenly)."""
"""Share of the cells over no box for an earlier port that boxes for later ports may fill."""
_WEIGHT_BANDS_KG = (8_000, 18_000)
_NONE = 1 << 20  # the discharge order cap of a column with no remaining box


# --- the vessel as the slot planner sees it -------------------------------------------------


@dataclass(slots=True)
class _Column:
    """One 20' column of a stack: a bay, a row, hold or deck."""

    bay: int
    spec: StackSpec
    height: int = 0
    """Cells taken, from the bottom."""
    cap: int = _NONE
    """Earliest discharge order among the boxes in the column."""
    top_long: bool = False
    """The top box is a 40'/45'."""
    top_45: bool = False
    """The top box is a 45' (only another 45' may stand on it)."""
    closed: bool = False
    """Nothing more may go on: an out-of-gauge box on top, or a neighbour's overhang."""
    weight20: int = 0
    """20' boxes in this column (kg)."""
    height_mm: int = 0

    @property
    def free(self) -> int:
        return 0 if self.closed else len(self.spec.tiers) - self.height

    def tier(self) -> int:
        return self.spec.tiers[self.height]


@dataclass(slots=True)
class _Row:
    """A row of a section part: one column per 20' bay, and its 40'/45' boxes."""

    spec: StackSpec
    columns: list[_Column]
    weight40: int = 0
    """40'/45' boxes of the row (kg)."""
    mode: int = 0
    """20 or 40 once given to one length; 0 while free."""
    y: int = 0
    """Place across the ship, for segregation."""

    @property
    def total(self) -> int:
        return self.weight40 + sum(c.weight20 for c in self.columns)


@dataclass(slots=True)
class _Part:
    """The hold or the deck of one bay section."""

    index: int
    section: BaySection
    section_index: int
    on_deck: bool
    rows: list[_Row]
    vcg_mean_m: float = 0.0
    """Mean height of the free cells at the start: the master plan's estimate of a box's VCG."""

    @property
    def long_ok(self) -> bool:
        return self.section.bay40 is not None

    def free_cells(self) -> int:
        return sum(c.free for r in self.rows for c in r.columns)

    def free_plugs(self, order: int = 0, *, short: bool = False) -> int:
        """Free plug cells over no box for a port before ``order`` (and no 40' if ``short``)."""
        return sum(
            1
            for r in self.rows
            for c in r.columns
            if not c.closed and c.cap >= order and not (short and c.top_long)
            for t in r.spec.tiers[c.height :]
            if t in r.spec.reefer_tiers
        )


@dataclass(slots=True)
class _Placed:
    container: Container
    slot: BayRowTier
    section: int
    on_deck: bool
    xs: tuple[int, ...]
    y: int
    z: int


@dataclass(slots=True)
class _Ship:
    """The slot planner's state: parts, rows, columns and the boxes placed so far."""

    profile: VesselProfile
    parts: list[_Part]
    x_of_bay: dict[int, int]
    z_of_tier: dict[int, int]
    placed: list[_Placed] = field(default_factory=list)
    dg: list[_Placed] = field(default_factory=list)
    moment_t_m: float = 0.0
    overstows: int = 0
    """Boxes standing over a box for an earlier port (counted as they are stowed)."""


def _build_ship(problem: StowageProblem) -> _Ship:
    profile = problem.profile
    odd_bays = sorted(b for s in profile.sections for b in s.bays20)
    x_of_bay = {b: i for i, b in enumerate(odd_bays)}
    rows_all = sorted(
        {st.row for s in profile.sections for part in (s.hold, s.deck) for st in part.stacks},
        key=lambda r: -r if r % 2 == 0 and r else (0 if r == 0 else 1000 + r),
    )
    y_of_row = {r: i for i, r in enumerate(rows_all)}
    tiers = sorted({t for s in profile.sections for p in (s.hold, s.deck) for st in p.stacks
                    for t in st.tiers})  # fmt: skip
    z_of_tier = {t: i for i, t in enumerate(tiers)}
    parts: list[_Part] = []
    for si, section in enumerate(profile.sections):
        for part, on_deck in ((section.hold, False), (section.deck, True)):
            if not part.stacks:
                continue
            rows = [
                _Row(spec, [_Column(b, spec) for b in section.bays20], y=y_of_row[spec.row])
                for spec in part.stacks
            ]
            parts.append(_Part(len(parts), section, si, on_deck, rows))
    ship = _Ship(profile, parts, x_of_bay, z_of_tier)
    index = {(p.section.bay, p.on_deck): p for p in parts}
    order = {problem.rotation[i]: i for i in range(len(problem.rotation))}
    for s in sorted(problem.remaining, key=lambda s: s.slot.tier):
        into = index[(profile.section_of(s.slot.bay).bay, s.slot.on_deck)]
        stack = next(r for r in into.rows if r.spec.row == s.slot.row)
        box = s.container
        pod = order.get(box.port_of_discharge, -1) if box.port_of_discharge else -1
        cols = (
            stack.columns
            if s.slot.bay % 2 == 0
            else [c for c in stack.columns if c.bay == s.slot.bay]
        )
        _occupy(ship, into, stack, cols, box, s.slot, pod, record=False)
    for p in parts:
        vcgs = [
            profile.vcg_m(t) for r in p.rows for c in r.columns for t in r.spec.tiers[c.height :]
        ]
        p.vcg_mean_m = sum(vcgs) / len(vcgs) if vcgs else profile.vcg_m(p.rows[0].spec.tiers[0])
    return ship


def _occupy(
    ship: _Ship,
    part: _Part,
    row: _Row,
    cols: Sequence[_Column],
    box: Container,
    slot: BayRowTier,
    pod: int,
    *,
    record: bool = True,
) -> None:
    w = weight_kg(box)
    long = len(cols) > 1 or box.length_ft >= 40
    if any(c.cap < pod for c in cols):
        ship.overstows += 1
    for c in cols:
        c.height = row.spec.tiers.index(slot.tier) + 1
        c.cap = min(c.cap, pod)
        c.top_long = long
        c.top_45 = box.length_ft >= 45
        c.height_mm += box.iso_type.height_mm
        if not long:
            c.weight20 += w
    if long:
        row.weight40 += w
    if box.is_oog:
        for c in cols:
            c.closed = True
    ship.moment_t_m += w / 1000 * row.spec.tcg_m
    xs = tuple(ship.x_of_bay[c.bay] for c in cols)
    placed = _Placed(box, slot, part.section_index, part.on_deck, xs, row.y,
                     ship.z_of_tier[slot.tier])  # fmt: skip
    if box.is_dangerous:  # boxes staying on board count for segregation too
        ship.dg.append(placed)
    if record:
        ship.placed.append(placed)
        if box.oog is not None and (box.oog.over_left_mm or box.oog.over_right_mm):
            for other in part.rows:
                if abs(other.y - row.y) == 1:
                    for c in other.columns:
                        if c.bay in {x.bay for x in cols} and c.height <= row.spec.tiers.index(
                            slot.tier
                        ):
                            c.closed = True


# --- segregation, as the planner checks it ------------------------------------------------


def _segregated(code: int, a: _Placed, b: _Placed) -> bool:
    if code == 0:
        return True
    if code == 4:
        return abs(a.section - b.section) >= 2
    if code == 3:
        return a.section != b.section
    dx = min(abs(i - j) for i in a.xs for j in b.xs)
    dy = abs(a.y - b.y)
    if code == 2:
        if a.section != b.section:
            return True
        if a.on_deck == b.on_deck:
            return max(dx, dy) >= 2
        return dy != 0
    if a.on_deck != b.on_deck:
        return True
    return max(dx, dy, abs(a.z - b.z)) >= 2


# --- master plan ----------------------------------------------------------------------------


_GroupKey = tuple[int, int, bool, bool, bool, bool, int]
"""(discharge order, length, reefer, dangerous, out-of-gauge, high cube, weight band)."""


def _group_key(order: int, box: Container) -> _GroupKey:
    length = 45 if box.length_ft >= 45 else (40 if box.length_ft >= 40 else 20)
    w = weight_kg(box)
    band = sum(1 for limit in _WEIGHT_BANDS_KG if w > limit)
    return (order, length, box.is_reefer, box.is_dangerous, box.is_oog,
            box.iso_type.height_mm > 2600, band)  # fmt: skip


@dataclass(slots=True)
class _Master:
    counts: dict[tuple[_GroupKey, int], int]
    ballast: dict[str, float]
    objective: float
    """Soft objective (hatch mixing, busiest section, ports per hold, ballast); NaN: greedy."""
    status: str
    start: dict[tuple[_GroupKey, int], int] = field(default_factory=dict)
    """The first (greedy) plan CP-SAT started from."""


_TEU = {20: 1, 40: 2, 45: 2}


def _eligible(g: _GroupKey, p: _Part) -> bool:
    _, length, reefer, _, oog, _, _ = g
    if length >= 40 and not p.long_ok:
        return False
    if (oog or length == 45) and not p.on_deck:
        return False
    if length == 45 and not any(r.spec.accepts_45 for r in p.rows):
        return False
    return not (reefer and p.free_plugs() == 0)


def _capacities(ship: _Ship, n_ports: int, dg_cap: int) -> dict[tuple[int, str, int], int]:
    """What each part can take: (part, resource, port order) -> amount."""
    caps: dict[tuple[int, str, int], int] = {}
    for p in ship.parts:
        cells = [(c, t) for r in p.rows for c in r.columns if not c.closed
                 for t in r.spec.tiers[c.height :]]  # fmt: skip
        i = p.index
        caps[(i, "teu", 0)] = _slack(len(cells), MASTER_SLACK)
        for order in range(n_ports):
            caps[(i, "nest", order)] = _slack(
                sum(1 for c, _ in cells if c.cap >= order), NESTED_SLACK
            )
            caps[(i, "nest20", order)] = _slack(
                sum(c.free for r in p.rows for c in r.columns if c.cap >= order and not c.top_long),
                NESTED_SLACK,
            )
            caps[(i, "nest40", order)] = _slack(
                sum(2 * _row_positions_40(r, order) for r in p.rows), NESTED_SLACK
            )
            caps[(i, "plug", order)] = p.free_plugs(order)
            caps[(i, "plug20", order)] = p.free_plugs(order, short=True)
            caps[(i, "45", order)] = sum(
                _row_positions_40(r, order) for r in p.rows if r.spec.accepts_45
            )
            caps[(i, "pair", order)] = _plug_pairs(p, order)

        caps[(i, "oog", 0)] = len(p.rows) // 3 if p.on_deck else 0
        caps[(i, "dg", 0)] = dg_cap
        if not p.on_deck:
            for order in range(n_ports):
                caps[(i, "mm", order)] = sum(
                    r.spec.max_height_mm - c.height_mm
                    for r in p.rows
                    for c in r.columns
                    if c.free and c.cap >= order
                )
        # Weight the rows can still take, in all and in rows over no box for an
        # earlier port than ``order``.
        for order in range(n_ports):
            caps[(i, "kg", order)] = int(
                KG_SLACK
                * sum(
                    _row_room_kg(r, p.long_ok)
                    for r in p.rows
                    if max(c.cap for c in r.columns) >= order
                )
            )
    return caps


def _slack(room: int, share: float) -> int:
    """``share`` of a room, rounded down; a small room (under 20) is left whole."""
    return room - math.ceil(room * (1 - share)) if room >= 20 else room


def _row_positions_40(row: _Row, order: int) -> int:
    """40' positions left in a row for boxes of port ``order`` or later (level columns only)."""
    if len(row.columns) != 2:
        return 0
    a, b = row.columns
    if a.height != b.height or min(a.cap, b.cap) < order:
        return 0
    return min(a.free, b.free)


def _row_room_kg(row: _Row, long_ok: bool) -> int:
    """Weight a row may still take (both 20' bays, or the lone one)."""
    spec = row.spec
    limit = (
        min(2 * spec.max_weight_20_kg, spec.max_weight_40_kg) if long_ok else spec.max_weight_20_kg
    )
    return max(0, limit - row.total)


def _usage(g: _GroupKey, p: _Part, n_ports: int, mean_kg: float) -> list[tuple[str, int, int]]:
    """What one box of group ``g`` takes of part ``p``: (resource, port order, amount)."""
    pod, length, reefer, dg, oog, high, _ = g
    t = _TEU[length]
    above = max(len(r.spec.tiers) for r in p.rows) - 1
    out = [("teu", 0, t)]
    for order in range(n_ports):
        if pod >= order:
            out.append(("nest", order, t))
            out.append(("kg", order, int(mean_kg)))
            out.append(("nest40" if length >= 40 else "nest20", order, t))
        elif reefer:
            out.append(("nest", order, t * above))
    if reefer:
        for order in range(pod + 1):
            out.append(("plug", order, t))
            out.append(("pair", order, 1) if length >= 40 else ("plug20", order, 1))
    if length == 45:
        out.extend(("45", o, 1) for o in range(pod + 1))
    if oog:
        out.append(("oog", 0, 1))
    if dg:
        out.append(("dg", 0, 1))
    if not p.on_deck:
        out.extend(
            ("mm", o, t * (2896 if high else 2591)) for o in range(min(pod, n_ports - 1) + 1)
        )
    return out


def _greedy_master(
    problem: StowageProblem,
    ship: _Ship,
    groups: dict[_GroupKey, list[Container]],
    caps: dict[tuple[int, str, int], int],
    usage: dict[tuple[_GroupKey, int], list[tuple[str, int, int]]],
    moves: dict[int, int],
) -> dict[tuple[_GroupKey, int], int]:
    """A first master plan, box by box: it keeps every capacity; CP-SAT improves on it.

    Each box goes to the part that mixes no later port over an earlier one at the
    hatch covers, suits its weight (heavy in the hold), and whose section has the
    fewest moves so far.
    """
    left = dict(caps)
    counts: dict[tuple[_GroupKey, int], int] = defaultdict(int)
    section_moves = {si: moves.get(s.bay, 0) for si, s in enumerate(problem.profile.sections)}
    hold_min: dict[int, int] = defaultdict(lambda: _NONE)
    deck_max: dict[int, int] = defaultdict(lambda: -1)
    for s in problem.remaining:
        si = next(i for i, sec in enumerate(problem.profile.sections) if s.slot.bay in sec.bays)
        o = problem.order(s.container.port_of_discharge)
        if s.slot.on_deck:
            deck_max[si] = max(deck_max[si], o)
        else:
            hold_min[si] = min(hold_min[si], o)

    def restrictive(g: _GroupKey) -> tuple[int, ...]:
        return (not g[2], not g[4], g[1] != 45, not g[3], -g[0], -g[6])

    for g in sorted(groups, key=restrictive):
        for _ in groups[g]:
            best: tuple[tuple[int, ...], int] | None = None
            for p in ship.parts:
                use = usage.get((g, p.index))
                if use is None or any(left.get((p.index, r, o), 0) < a for r, o, a in use):
                    continue
                si = p.section_index
                clash = (deck_max[si] > g[0]) if not p.on_deck else (hold_min[si] < g[0])
                heavy_deck = (g[6] == 2 and p.on_deck) or (g[6] == 0 and not p.on_deck)
                key = (
                    int(clash),
                    int(p.on_deck),
                    section_moves[si],
                    int(heavy_deck),
                    -left[(p.index, "teu", 0)],
                )
                if best is None or key < best[0]:
                    best = (key, p.index)
            if best is None:
                continue  # no part has room: the box is left for "no room"
            pi = best[1]
            for r, o, a in usage[(g, pi)]:
                left[(pi, r, o)] -= a
            counts[(g, pi)] += 1
            part = ship.parts[pi]
            section_moves[part.section_index] += 1
            if part.on_deck:
                deck_max[part.section_index] = max(deck_max[part.section_index], g[0])
            else:
                hold_min[part.section_index] = min(hold_min[part.section_index], g[0])
    return dict(counts)


def _master(
    problem: StowageProblem,
    ship: _Ship,
    groups: dict[_GroupKey, list[Container]],
    *,
    gm_margin_m: float,
    trim_share: float,
    time_limit_s: float,
    seed: int,
) -> _Master | None:
    profile = problem.profile
    model = cp_model.CpModel()
    parts = ship.parts
    n_ports = len(problem.rotation)
    total_dg = sum(len(b) for g, b in groups.items() if g[3])
    dg_cap = max(2, math.ceil(total_dg / max(1, len(parts))) + 2)
    caps = _capacities(ship, n_ports, dg_cap)
    mean_w = {g: sum(weight_kg(c) for c in b) / len(b) for g, b in groups.items()}
    usage = {
        (g, p.index): _usage(g, p, n_ports, mean_w[g])
        for g in groups
        for p in parts
        if _eligible(g, p)
    }
    moves: dict[int, int] = defaultdict(int)
    for s in (*problem.discharge, *problem.restows):
        moves[profile.section_of(s.slot.bay).bay] += 1
    start = _greedy_master(problem, ship, groups, caps, usage, moves)
    x: dict[tuple[_GroupKey, int], cp_model.IntVar] = {}
    placed: list[cp_model.IntVar] = []
    for g, pi in usage:
        x[(g, pi)] = v = model.new_int_var(0, len(groups[g]), f"x{pi}_{g}")
        if start:
            model.add_hint(v, start.get((g, pi), 0))
    for g, boxes in groups.items():
        vs = [v for (gg, _), v in x.items() if gg == g]
        if vs:
            model.add(sum(vs) <= len(boxes))
            placed.extend(vs)
    rows: dict[tuple[int, str, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for xkey, v in x.items():
        for r, o, a in usage[xkey]:
            rows[(xkey[1], r, o)].append((a, v))
    for ckey, terms in rows.items():
        model.add(
            cp_model.LinearExpr.weighted_sum([v for _, v in terms], [a for a, _ in terms])
            <= caps[ckey]
        )
    by_part: dict[int, list[tuple[_GroupKey, cp_model.IntVar]]] = defaultdict(list)
    for (g, pi), v in x.items():
        by_part[pi].append((g, v))
    mv_vars: list[cp_model.IntVar] = []
    mv_coef: list[int] = []
    ml_coef: list[int] = []
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in parts:
        items = by_part.get(p.index, [])
        for g, v in items:
            w_t10 = int(mean_w[g] / 100)  # 0.1 t
            mv_vars.append(v)
            mv_coef.append(w_t10 * int(p.vcg_mean_m * 10))
            ml_coef.append(w_t10 * int(p.section.lcg_m * 10))
        for order in range(n_ports):
            vs = [v for g, v in items if g[0] == order]
            if vs:
                flag = model.new_bool_var(f"y{p.index}_{order}")
                model.add(sum(vs) <= sum(len(groups[g]) for g, _ in items if g[0] == order) * flag)
                y[(p.index, order)] = flag
                if start:
                    used = any(start.get((g, p.index), 0) for g, _ in items if g[0] == order)
                    model.add_hint(flag, used)
    moment_v = cp_model.LinearExpr.weighted_sum(mv_vars, mv_coef)
    moment_l = cp_model.LinearExpr.weighted_sum(mv_vars, ml_coef)
    # Stability: the moments the limits allow, with ballast to choose.
    fixed = list(stability.fixed_masses(profile))
    known = fixed + [_mass(profile, s) for s in problem.remaining]
    placing_t = sum(len(b) * mean_w[g] for g, b in groups.items()) / 1000
    ballast = _stability_constraints(
        model,
        problem,
        known,
        placing_t,
        moment_v,
        moment_l,
        cp_model.LinearExpr.sum([]),
        gm_margin_m,
        trim_share,
    )
    if ballast is None:
        return None
    tanks = ballast[0]
    if start:
        # The ballast that suits the first plan, so that CP-SAT starts from a whole solution.
        estimate = [m for m in known if m not in fixed] + [
            stability.Mass(n * mean_w[g] / 1000, parts[pi].section.lcg_m, parts[pi].vcg_mean_m)
            for (g, pi), n in start.items()
        ]
        water = _ballast(problem, estimate, gm_margin_m, trim_share, seed)
        for k, v in tanks.items():
            model.add_hint(v, int((water or {}).get(k, 0)))

    def uses(pi: int, order: int) -> bool:
        return any(n for (g, p), n in start.items() if p == pi and g[0] == order)

    # Objectives.
    worst = model.new_int_var(0, sum(len(b) for b in groups.values()) + len(problem.on_board), "m")
    start_moves = dict.fromkeys(range(len(profile.sections)), 0)
    for si, section in enumerate(profile.sections):
        vs = [v for (g, pi), v in x.items() if parts[pi].section_index == si]
        model.add(worst >= moves[section.bay] + sum(vs))
        start_moves[si] = moves[section.bay] + sum(
            n for (g, pi), n in start.items() if parts[pi].section_index == si
        )
    if start:
        model.add_hint(worst, max(start_moves.values()))
    hatch: list[cp_model.IntVar] = []
    hold_orders: dict[int, set[int]] = defaultdict(set)
    for s in problem.remaining:
        if not s.slot.on_deck:
            pod = s.container.port_of_discharge
            hold_orders[profile.section_of(s.slot.bay).bay].add(problem.order(pod))
    mixed: list[cp_model.IntVar] = []
    for si, section in enumerate(profile.sections):
        hold = next((p for p in parts if p.section_index == si and not p.on_deck), None)
        deck = next((p for p in parts if p.section_index == si and p.on_deck), None)
        if hold is None or deck is None:
            continue
        for oh in range(n_ports):
            fixed_hold = oh in hold_orders[section.bay]
            hy = y.get((hold.index, oh))
            if hy is not None:
                mixed.append(hy)
            if hy is None and not fixed_hold:
                continue
            for od in range(oh + 1, n_ports):
                dy = y.get((deck.index, od))
                if dy is None:
                    continue
                if fixed_hold:
                    hatch.append(dy)
                else:
                    assert hy is not None
                    z = model.new_bool_var(f"h{si}_{oh}_{od}")
                    model.add_bool_or([z, ~hy, ~dy])
                    hatch.append(z)
                    if start:
                        model.add_hint(z, uses(hold.index, oh) and uses(deck.index, od))
    # Every box placed first; then the soft objectives.
    model.minimize(
        cp_model.LinearExpr.weighted_sum(
            [*placed, *hatch, worst, *mixed, *tanks.values()],
            [-PLACE_WEIGHT] * len(placed)
            + [100_000] * len(hatch)
            + [4_000]
            + [1_000] * len(mixed)
            + [1] * len(tanks),
        )
    )
    solver = cp_model.CpSolver()
    # One worker and a deterministic time limit: the same problem and seed give the
    # same plan on any machine.
    solver.parameters.max_deterministic_time = max(1.0, time_limit_s)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.repair_hint = True
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if not start:
            return None
        # CP-SAT found nothing in time: keep the first plan; ballast comes later.
        return _Master(start, {}, math.nan, "greedy")
    counts = {k: int(solver.value(v)) for k, v in x.items() if solver.value(v)}
    water = {k: float(solver.value(v)) for k, v in tanks.items()}
    # Report the soft part of the objective: without the reward for the boxes placed.
    soft = solver.objective_value + PLACE_WEIGHT * sum(counts.values())
    return _Master(counts, water, soft, solver.status_name(code), start)


def _stability_constraints(
    model: cp_model.CpModel,
    problem: StowageProblem,
    known: Sequence[stability.Mass],
    placing_t: float,
    moment_v: cp_model.LinearExpr,
    moment_l: cp_model.LinearExpr,
    moment_t: cp_model.LinearExpr,
    gm_margin_m: float,
    trim_share: float,
) -> tuple[dict[str, cp_model.IntVar], cp_model.LinearExpr] | None:
    """Ballast variables (whole tonnes) and the GM, trim, draft and deadweight limits.

    ``moment_v`` and ``moment_l`` are the vertical and longitudinal moments of the
    boxes being placed, in 0.01 t·m; ``known`` the masses already fixed. The hull
    figures that depend on the displacement are taken at their worst over the
    range the ballast allows, so the constraints are linear and on the safe side.
    """
    profile = problem.profile
    limits = problem.limits
    cap = {k: int(stability.ballast_capacity_t(profile, k)) for k in stability.BALLAST_TANKS}
    tanks = {k: model.new_int_var(0, cap[k], f"ballast_{k}") for k in cap}
    total_b = cp_model.LinearExpr.sum(list(tanks.values()))
    base_t = sum(m.t for m in known) + placing_t
    lpp = stability.lpp_m(profile)
    max_disp = (
        stability.RHO_T_M3
        * stability.block_coefficient(profile)
        * lpp
        * profile.beam_m
        * (profile.max_draft_m - limits.max_trim_m / 2)
    )
    dead_room = profile.deadweight_t + profile.lightship_t
    top = min(max_disp, dead_room) - base_t
    if top < 0:
        return None
    model.add(total_b <= int(top))
    hulls = [stability.hull(profile, base_t + f * top) for f in (0.0, 0.25, 0.5, 0.75, 1.0)]
    max_kg = min(h.kb_m + h.bm_m for h in hulls) - limits.min_gm_m - gm_margin_m
    gml = min(h.kb_m + h.bml_m for h in hulls) - max_kg
    known_v = sum(m.t * m.vcg_m for m in known)
    known_l = sum(m.t * m.lcg_m for m in known)
    known_t = sum(m.t * m.tcg_m for m in known)
    centre = {k: stability.ballast_centre(profile, k) for k in tanks}
    ballast_v = cp_model.LinearExpr.weighted_sum(
        list(tanks.values()), [int(centre[k][1] * 100) for k in tanks]
    )
    model.add(
        moment_v + ballast_v <= int((max_kg * base_t - known_v) * 100) + int(max_kg * 100) * total_b
    )
    span = trim_share * limits.max_trim_m * gml / lpp
    lcb = stability.LCB_SHARE * lpp
    ballast_l = cp_model.LinearExpr.weighted_sum(
        list(tanks.values()), [int(centre[k][0] * 100) for k in tanks]
    )
    lo, hi = lcb - span, lcb + span
    model.add(moment_l + ballast_l >= int((lo * base_t - known_l) * 100) + int(lo * 100) * total_b)
    model.add(moment_l + ballast_l <= int((hi * base_t - known_l) * 100) + int(hi * 100) * total_b)
    # List: |TCG| <= tan(max list) x GM, with GM at its minimum.
    tcg_max = (
        trim_share * math.tan(math.radians(limits.max_list_deg)) * (limits.min_gm_m + gm_margin_m)
    )
    ballast_t = cp_model.LinearExpr.weighted_sum(
        list(tanks.values()), [int(centre[k][2] * 100) for k in tanks]
    )
    model.add(
        moment_t + ballast_t
        <= int((tcg_max * base_t - known_t) * 100) + int(tcg_max * 100) * total_b
    )
    model.add(
        moment_t + ballast_t
        >= int((-tcg_max * base_t - known_t) * 100) - int(tcg_max * 100) * total_b
    )
    return tanks, total_b


def _ballast(
    problem: StowageProblem,
    masses: Sequence[stability.Mass],
    gm_margin_m: float,
    trim_share: float,
    seed: int,
) -> dict[str, float] | None:
    """The least ballast that keeps GM and trim for cargo already placed, or None."""
    model = cp_model.CpModel()
    known = list(stability.fixed_masses(problem.profile)) + list(masses)
    zero = cp_model.LinearExpr.sum([])
    made = _stability_constraints(
        model, problem, known, 0.0, zero, zero, zero, gm_margin_m, trim_share
    )
    if made is None:
        return None
    tanks, total_b = made
    model.minimize(total_b)
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = 5.0
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k: float(solver.value(v)) for k, v in tanks.items()}


def _row_pairs(row: _Row, order: int = 0) -> int:
    """40' plug positions of a row a 40' box for port ``order`` or later can still reach."""
    a, b = row.columns
    if a.height != b.height or a.closed or b.closed or min(a.cap, b.cap) < order:
        return 0
    return sum(1 for t in row.spec.tiers[a.height :] if t in row.spec.reefer_tiers)


def _plug_pairs(part: _Part, order: int = 0) -> int:
    """40' plug positions of the part (see :func:`_row_pairs`)."""
    return sum(_row_pairs(r, order) for r in part.rows) if part.long_ok else 0


def _slot_plan(
    problem: StowageProblem,
    ship: _Ship,
    groups: dict[_GroupKey, list[Container]],
    counts: dict[tuple[_GroupKey, int], int],
    ballast: dict[str, float],
    order: dict[ContainerNumber, int],
    refused: list[tuple[ContainerNumber, str]],
    seed: int,
) -> tuple[StowagePlan, list[str], dict[str, float]]:
    """Slot-plan a master plan's counts; the plan, the stability problems and the figures."""
    profile = problem.profile
    assigned, spare = _deal(groups, counts)
    left = _plan_slots(problem, ship, assigned, order) + spare
    placements = sorted(((p.container.number, p.slot) for p in ship.placed),
                        key=lambda t: (t[1], str(t[0])))  # fmt: skip
    plan_refused = sorted(refused + [(c.number, NO_ROOM) for c in left],
                          key=lambda t: str(t[0]))  # fmt: skip
    stowed = [Stowed(p.container, p.slot) for p in ship.placed]
    masses = [_mass(profile, s) for s in (*problem.remaining, *stowed)]
    water = ballast
    cond = stability.condition(profile, masses, water)
    if cond.problems(profile, problem.limits):
        better = _ballast(problem, masses, 0.05, 0.95, seed)
        if better is not None:
            water = better
            cond = stability.condition(profile, masses, water)
    plan = StowagePlan(
        tuple(placements),
        tuple(plan_refused),
        tuple((k, v) for k, v in sorted(water.items()) if v),
    )
    moves = _section_moves(problem, stowed)
    stats: dict[str, float] = {
        "overstows": ship.overstows,
        "hatch_cover_restows": _hatch_cover_restows(problem, [*problem.remaining, *stowed]),
        "max_section_moves": max(moves.values()),
        "placed": len(placements),
        "refused_no_vgm": len(refused),
        "no_room": len(left),
        "gm_m": round(cond.gm_m, 3),
        "trim_m": round(cond.trim_m, 3),
        "list_deg": round(cond.list_deg, 3),
        "draft_m": round(max(cond.draft_aft_m, cond.draft_fwd_m), 3),
        "ballast_t": round(cond.ballast_t, 1),
    }
    return plan, cond.problems(profile, problem.limits), stats


def _hatch_cover_restows(problem: StowageProblem, boxes: Sequence[Stowed]) -> int:
    """Deck boxes on a hatch cover for a later port than some hold box under that cover."""
    profile = problem.profile
    hold_first: dict[tuple[int, str], int] = {}
    deck: list[tuple[tuple[int, str], int]] = []
    for s in boxes:
        section = profile.section_of(s.slot.bay)
        cover = next((c.id for c in section.hatch_covers if s.slot.row in c.rows), None)
        if cover is None:
            continue
        key = (section.bay, cover)
        order = problem.order(s.container.port_of_discharge)
        if s.slot.on_deck:
            deck.append((key, order))
        else:
            hold_first[key] = min(hold_first.get(key, _NONE), order)
    return sum(1 for key, order in deck if order > hold_first.get(key, _NONE))


def _section_moves(problem: StowageProblem, placed: Sequence[Stowed]) -> dict[int, int]:
    """Crane moves per bay section: discharges and restows off, placements on."""
    moves: dict[int, int] = dict.fromkeys((s.bay for s in problem.profile.sections), 0)
    for s in (*problem.discharge, *problem.restows, *placed):
        moves[problem.profile.section_of(s.slot.bay).bay] += 1
    return moves


def _mass(profile: VesselProfile, s: Stowed) -> stability.Mass:
    spec = profile.stack(s.slot.bay, s.slot.row, s.slot.on_deck)
    return stability.Mass(
        weight_kg(s.container) / 1000,
        stability.slot_lcg_m(profile, s.slot.bay),
        profile.vcg_m(s.slot.tier),
        spec.tcg_m,
    )


# --- slot plan ------------------------------------------------------------------------------


def _candidates(
    ship: _Ship, part: _Part, box: Container, pod: int, strict_mode: bool
) -> list[tuple[tuple[float, ...], _Row, list[_Column], int]]:
    """Legal places for ``box`` in ``part``: (key, row, columns, tier)."""
    out: list[tuple[tuple[float, ...], _Row, list[_Column], int]] = []
    w = weight_kg(box)
    h_mm = box.iso_type.height_mm
    long = box.length_ft >= 40
    reefer = box.is_reefer
    for row in part.rows:
        spec = row.spec
        if strict_mode and row.mode and row.mode != (40 if long else 20):
            continue
        if long:
            if not part.long_ok or (box.length_ft >= 45 and not spec.accepts_45):
                continue
            a, b = row.columns
            if a.height != b.height or a.free == 0 or b.free == 0:
                continue
            if box.length_ft < 45 and (a.top_45 or b.top_45):
                continue
            options = [[a, b]]
        else:
            options = [[c] for c in row.columns if c.free and not c.top_long]
        for cols in options:
            c0 = cols[0]
            tier = c0.tier()
            if any(c.cap < pod for c in cols):
                continue
            if box.is_oog and not part.on_deck:
                continue
            plug = tier in spec.reefer_tiers
            if reefer and not plug:
                continue
            if any(c.height_mm + h_mm > spec.max_height_mm for c in cols):
                continue
            if long:
                half = w / 2
                if any(
                    c.weight20 + (row.weight40 + w) / 2 > spec.max_weight_20_kg for c in row.columns
                ):
                    continue
                if row.total + w > spec.max_weight_40_kg:
                    continue
                del half
            else:
                c = cols[0]
                if c.weight20 + w + row.weight40 / 2 > spec.max_weight_20_kg:
                    continue
                if row.weight40 and row.total + w > spec.max_weight_40_kg:
                    continue
            if box.oog is not None and (box.oog.over_left_mm or box.oog.over_right_mm):
                bays = {c.bay for c in cols}
                if any(
                    c.height > c0.height
                    for other in part.rows
                    if abs(other.y - row.y) == 1
                    for c in other.columns
                    if c.bay in bays
                ):
                    continue
            if box.is_dangerous and not _dg_ok(ship, part, row, cols, box, tier):
                continue
            balance = abs(ship.moment_t_m + w / 1000 * spec.tcg_m)
            pair = 0 if long else (0 if any(o.height > c0.height for o in row.columns) else 1)
            mode_pref = 0 if row.mode == (40 if long else 20) else (1 if row.mode == 0 else 2)
            first = float(c0.height)
            if box.is_oog:
                # Nothing goes above it (or beside it, if over-width): lose the fewest cells.
                first = float(sum(c.free - 1 for c in cols))
                if box.oog is not None and (box.oog.over_left_mm or box.oog.over_right_mm):
                    bays = {c.bay for c in cols}
                    first += sum(
                        c.free
                        for other in part.rows
                        if abs(other.y - row.y) == 1
                        for c in other.columns
                        if c.bay in bays
                    )
            out.append(((first, mode_pref, pair, balance, row.y), row, cols, tier))
    return out


def _dg_ok(
    ship: _Ship, part: _Part, row: _Row, cols: Sequence[_Column], box: Container, tier: int
) -> bool:
    me = _Placed(box, BayRowTier(cols[0].bay, row.spec.row, tier), part.section_index,
                 part.on_deck, tuple(ship.x_of_bay[c.bay] for c in cols), row.y,
                 ship.z_of_tier[tier])  # fmt: skip
    for other in ship.dg:
        if abs(other.section - me.section) > 2:
            continue
        code = segregation_code(box, other.container)
        if not _segregated(code, me, other):
            return False
    return True


def _place(ship: _Ship, part: _Part, box: Container, pod: int) -> bool:
    for strict in (True, False):
        options = _candidates(ship, part, box, pod, strict)
        if options:
            break
    else:
        return False
    _, row, cols, tier = min(options, key=lambda o: o[0])
    bay = row.columns[0].bay + 1 if len(cols) == 2 else cols[0].bay
    slot = BayRowTier(bay, row.spec.row, tier)
    if not row.mode:
        row.mode = 40 if box.length_ft >= 40 else 20
    _occupy(ship, part, row, cols, box, slot, pod)
    return True


def _assign_modes(
    part: _Part, boxes: Sequence[Container], order: dict[ContainerNumber, int]
) -> None:
    """Give rows to 20' or 40' boxes, so that each port's 20' boxes find room.

    Rows with boxes on board keep the length on top. Of the empty rows, outboard
    pairs first are given to 20' boxes until, for every port ``p``, the 20' rows
    over no box for an earlier port have room for the 20' boxes for ``p`` or later
    (with 10 % to spare); the other rows take 40' boxes.
    """
    for row in part.rows:
        if row.mode:
            continue
        tops = [c for c in row.columns if c.height]
        if any(c.top_long for c in tops):
            row.mode = 40
        elif tops:
            row.mode = 20
    if not part.long_ok:
        for row in part.rows:
            row.mode = 20
        return
    orders = sorted({order[b.number] for b in boxes if b.length_ft < 40}, reverse=True)
    free_rows = sorted((r for r in part.rows if r.mode == 0), key=lambda r: -abs(r.spec.tcg_m))
    for o in orders:
        need = sum(1 for b in boxes if b.length_ft < 40 and order[b.number] >= o)
        have = sum(c.free for r in part.rows if r.mode == 20 for c in r.columns if c.cap >= o)
        while have < need * 1.1 and free_rows:
            row = free_rows.pop(0)
            row.mode = 20
            have += sum(c.free for c in row.columns)
    for row in part.rows:
        if row.mode == 0:
            row.mode = 40


def _plan_slots(
    problem: StowageProblem,
    ship: _Ship,
    assigned: dict[int, list[Container]],
    order: dict[ContainerNumber, int],
) -> list[Container]:
    """Place the boxes port by port (latest first); return those no part could take.

    Reefers go first. Then each part places its own boxes for the port (out-of-gauge
    boxes first, while their neighbours are low); a box it cannot take
    goes at once to the part with the most free cells that can, while cells over
    no box for an earlier port are still free.
    """
    still: list[Container] = []
    for part in ship.parts:
        _assign_modes(part, assigned.get(part.index, []), order)
    # Reefers first, on the lowest plugs (a reefer for an earlier port then takes the
    # cells above it for its own port or earlier ones, as the master plan allows for).
    for part in ship.parts:
        special = [b for b in assigned.get(part.index, []) if _special(b)]
        for box in _placing_order(special, order):
            port = order[box.number]
            if not _place(ship, part, box, port):
                parts = sorted(ship.parts, key=lambda p: (-p.free_plugs(port), -p.free_cells()))
                if not any(_place(ship, p, box, port) for p in parts):
                    still.append(box)
    ports = {order[b.number] for boxes in assigned.values() for b in boxes}
    for port in sorted(ports, reverse=True):
        left: list[Container] = []
        for part in ship.parts:
            mine = [
                b
                for b in assigned.get(part.index, [])
                if order[b.number] == port and not _special(b)
            ]
            for box in _placing_order(mine, order):
                # An out-of-gauge box its part cannot take goes elsewhere at once,
                # before the low neighbours it needs fill up.
                if not _place(ship, part, box, port) and not (
                    box.is_oog and _place_anywhere(ship, box, port)
                ):
                    left.append(box)
        still.extend(
            box for box in _placing_order(left, order) if not _place_anywhere(ship, box, port)
        )
    return still


def _place_anywhere(ship: _Ship, box: Container, port: int) -> bool:
    """Place ``box`` in the part with the most free cells that can take it."""
    parts = sorted(ship.parts, key=lambda p: -p.free_cells())
    return any(_place(ship, p, box, port) for p in parts)


def _special(box: Container) -> bool:
    """A reefer: placed before the others."""
    return box.is_reefer


def _deal(
    groups: dict[_GroupKey, list[Container]], counts: dict[tuple[_GroupKey, int], int]
) -> tuple[dict[int, list[Container]], list[Container]]:
    """Share each group's boxes among its parts so that each part gets the group's mean weight.

    The boxes (heaviest first) are dealt like cards: part ``i`` with ``c`` boxes takes
    the boxes at the positions ``(k + 0.5) / c``, merged over the parts. Boxes the
    master plan found no room for (the lightest of their group) are returned apart.
    """
    out: dict[int, list[Container]] = defaultdict(list)
    spare: list[Container] = []
    for g, boxes in groups.items():
        seats = sorted(
            ((k + 0.5) / c, pi) for (gg, pi), c in counts.items() if gg == g for k in range(c)
        )
        for box, (_, pi) in zip(boxes, seats, strict=False):
            out[pi].append(box)
        spare.extend(boxes[len(seats) :])
    return out, spare


def _placing_order(
    boxes: Sequence[Container], order: dict[ContainerNumber, int]
) -> list[Container]:
    """Later ports first; then out-of-gauge (they need a top with free neighbours), heavy first."""
    return sorted(
        boxes,
        key=lambda b: (-order[b.number], not b.is_oog, -weight_kg(b), str(b.number)),
    )


# --- the solver -----------------------------------------------------------------------------


def solve_stowage(
    problem: StowageProblem,
    *,
    time_limit_s: float = 30.0,
    seed: int = 0,
    master_limit_s: float = 10.0,
) -> Result[StowagePlan]:
    """A load plan for ``problem``; see the module docstring.

    The objective is the number of restows the plan leaves for later ports:
    overstows plus hatch-cover restows (as defined in ``docs/stowage.md``). The
    status is FEASIBLE when every box with a VGM is placed and the loaded
    condition keeps the stability limits by the model; UNKNOWN otherwise (the
    plan is still returned, with the boxes it could not place refused for
    ``"no room"``); INFEASIBLE when no master plan exists.
    """
    started = time.perf_counter()
    order: dict[ContainerNumber, int] = {
        c.number: problem.order(c.port_of_discharge) for c in problem.to_place
    }
    refused = [(c.number, NO_VGM) for c in problem.load if c.vgm_kg is None]
    no_vgm = {n for n, _ in refused}
    to_place = [c for c in problem.to_place if c.number not in no_vgm]
    groups: dict[_GroupKey, list[Container]] = defaultdict(list)
    for c in to_place:
        groups[_group_key(order[c.number], c)].append(c)
    for members in groups.values():
        members.sort(key=lambda c: (-weight_kg(c), str(c.number)))
    stats: dict[str, float] = {}
    gm_margin, trim_share = 0.2, 0.8
    best: tuple[StowagePlan, list[str], dict[str, float]] | None = None
    for attempt in range(4):
        remaining_time = time_limit_s - (time.perf_counter() - started)
        ship = _build_ship(problem)
        master = _master(
            problem,
            ship,
            dict(groups),
            gm_margin_m=gm_margin,
            trim_share=trim_share,
            time_limit_s=min(max(1.0, remaining_time * 0.4), master_limit_s),
            seed=seed,
        )
        if master is None:
            if best is None and attempt == 0:
                return Result(Status.INFEASIBLE if remaining_time > 0 else Status.UNKNOWN, None,
                              None, time.perf_counter() - started)  # fmt: skip
            break
        plan, problems, stats = _slot_plan(problem, ship, groups, master.counts, master.ballast,
                                           order, refused, seed)  # fmt: skip
        if stats["no_room"] and master.status != "greedy" and master.start:
            # CP-SAT packs the sections fuller than the first plan: if its slot plan
            # leaves boxes behind, try the first plan's too and keep the better.
            other = _slot_plan(problem, _build_ship(problem), groups, master.start, {},
                               order, refused, seed)  # fmt: skip
            if (len(other[1]), other[2]["no_room"]) < (len(problems), stats["no_room"]):
                plan, problems, stats = other
                master = _Master(master.start, {}, math.nan, "greedy")
        stats["attempts"] = attempt + 1
        stats["master_objective"] = master.objective
        stats["master_from_cp_sat"] = float(master.status != "greedy")
        left = stats["no_room"]
        if best is None or (len(problems), left) < (len(best[1]), best[2]["no_room"]):
            best = (plan, problems, stats)
        if not problems and not left:
            break
        if any("GM" in p for p in problems):
            gm_margin += 0.5
        if any("trim" in p for p in problems):
            trim_share *= 0.6
        if not any("GM" in p or "trim" in p for p in problems):
            break
        if time.perf_counter() - started > time_limit_s:
            break
    assert best is not None
    plan, problems, stats = best
    ok = not problems and not stats["no_room"]
    return Result(
        Status.FEASIBLE if ok else Status.UNKNOWN,
        stats["overstows"] + stats["hatch_cover_restows"],
        plan,
        time.perf_counter() - started,
        statistics=stats,
    )
