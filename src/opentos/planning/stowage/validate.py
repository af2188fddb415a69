"""Check an automatic stowage plan against the rule book, independently of the planner.

:func:`validate_stowage` rebuilds the final state (the on-board boxes that stay where
they are, plus the placed ones: loads and restows), checks hard rules 1-7 of
``docs/stowage.md`` on it and counts the soft objectives. It shares with the planner
only what is part of the rules: the problem and plan types, the hydrostatic model
(:mod:`.stability`) and the IMDG table (:mod:`.rules`). Every rule check, distance and
count is written here on its own, so that a planner's mistake is not repeated by its
checker.

The validator never raises on a bad plan: a slot that does not exist, a box twice, a box
neither on the load list nor a restow, ballast over a tank's capacity all become
violations, each a sentence naming the containers, the slots and the figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from opentos.errors import DomainError, InvalidValue
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.slots import DECK_TIER_MIN, BayRowTier
from opentos.model.stacking import Cell
from opentos.model.vessel import BaySection, StackSpec, VesselProfile
from opentos.planning.stowage.problem import (
    NO_ROOM,
    NO_VGM,
    StowagePlan,
    StowageProblem,
    Stowed,
    weight_kg,
)
from opentos.planning.stowage.rules import segregation_code
from opentos.planning.stowage.stability import (
    Condition,
    Mass,
    ballast_masses,
    condition,
    slot_lcg_m,
)

INVERSION_KG = 1000
"""A loaded box heavier than a box under it by more than this is a weight inversion."""

SEGREGATION_NAMES = {
    1: "away from",
    2: "separated from",
    3: "separated by a complete compartment or hold from",
    4: "separated longitudinally by an intervening complete compartment or hold from",
}
"""Names of the IMDG segregation codes."""


@dataclass(frozen=True, slots=True)
class StowageReport:
    """What :func:`validate_stowage` found: hard-rule violations and the soft objectives."""

    violations: tuple[str, ...]
    """Hard-rule breaks, each a sentence naming the container(s), slot(s) and figures."""
    placed: int
    """Load-list boxes the plan places (restows not counted)."""
    refused_no_vgm: int
    """Load-list boxes without a VGM that the plan does not place."""
    refused_no_room: int
    """Load-list boxes with a VGM that the plan does not place ("no room"); not a violation."""
    overstows: int
    overstow_bound: int
    """Overstows among the remaining on-board boxes alone: a lower bound for any plan."""
    hatch_cover_restows: int
    max_section_moves: int
    mean_section_moves: float
    """Mean over every bay section of the vessel, idle ones included."""
    hatch_openings: int
    weight_inversions: int
    condition: Condition
    """The loaded condition of the final state, with the plan's ballast."""

    @property
    def ok(self) -> bool:
        """True when the plan keeps every hard rule."""
        return not self.violations


def validate_stowage(problem: StowageProblem, plan: StowagePlan) -> StowageReport:
    """Check ``plan`` against the hard rules of ``docs/stowage.md`` and count its objectives.

    Parameters
    ----------
    problem
        The vessel, what is on board at arrival and the load list.
    plan
        Where the loaded boxes and the restows go, which boxes are refused, the ballast.

    Returns
    -------
    StowageReport
        The violations (empty for a valid plan), the soft objectives and the loaded
        condition of the final state. Boxes whose slot does not exist, or that clash with
        a box already counted, are reported and then left out of the final state; so is
        ballast that is not valid.
    """
    out: list[str] = []
    grid = _Grid(problem.profile)
    restows = problem.restows
    slot_of = _check_placed_once(problem, restows, plan, out)
    state = _State(problem, grid, restows, slot_of, out)
    for box in state.boxes:
        _check_slot(state, box, out)
        _check_stacking(state, box, out)
    _check_stack_weights(state, out)
    _check_heights(state, out)
    _check_segregation(state, out)
    masses = [box.mass(grid.profile) for box in state.boxes]
    ballast = _check_ballast(problem.profile, plan, out)
    loaded_condition = condition(problem.profile, masses, ballast)
    out.extend(
        f"stability: {p}" for p in loaded_condition.problems(problem.profile, problem.limits)
    )
    not_placed = [c for c in problem.load if c.number not in slot_of]
    moves = _section_moves(problem, grid, restows, slot_of)
    cover_restows, openings = _hatch_covers(state)
    return StowageReport(
        violations=tuple(out),
        placed=len(slot_of) - sum(1 for s in restows if s.container.number in slot_of),
        refused_no_vgm=sum(1 for c in not_placed if c.vgm_kg is None),
        refused_no_room=sum(1 for c in not_placed if c.vgm_kg is not None),
        overstows=_overstows(state.boxes),
        overstow_bound=_overstows(b for b in state.boxes if b.kind == _ON_BOARD),
        hatch_cover_restows=cover_restows,
        max_section_moves=max(moves),
        mean_section_moves=sum(moves) / len(moves),
        hatch_openings=openings,
        weight_inversions=_weight_inversions(state),
        condition=loaded_condition,
    )


# --- the vessel's grid ---------------------------------------------------------------------------


def arrival_violations(problem: StowageProblem) -> tuple[str, ...]:
    """Hard-rule breaks already in the arrival state, before anything is loaded.

    The boxes that stay on board are checked alone (every load refused, restows put
    back where they were is not possible, so a problem with restows reports them as
    unplaced too). A plan's own violations are those of :func:`validate_stowage` that
    are not in this list.
    """
    refused = tuple((c.number, NO_VGM if c.vgm_kg is None else NO_ROOM) for c in problem.load)
    return validate_stowage(problem, StowagePlan((), refused)).violations


class _Grid:
    """The x/y/z cell grid of the IMDG distances, section indexes and row neighbours."""

    def __init__(self, profile: VesselProfile) -> None:
        self.profile = profile
        self.sections = profile.sections
        self.section_index: dict[int, int] = {}
        bays20: list[int] = []
        rows: set[int] = set()
        tiers: set[int] = set()
        for i, section in enumerate(profile.sections):
            for bay in section.bays:
                self.section_index[bay] = i
            bays20.extend(section.bays20)
            for spec in (*section.hold.stacks, *section.deck.stacks):
                rows.add(spec.row)
                tiers.update(spec.tiers)
        # x from the bow; y from port (largest even row) through 00 to starboard (largest
        # odd row); z up through the hold tiers, then the deck tiers.
        self.x = {bay: i for i, bay in enumerate(sorted(bays20))}
        across = sorted(rows, key=lambda r: r if r % 2 else -r)
        self.y = {row: i for i, row in enumerate(across)}
        self.z = {tier: i for i, tier in enumerate(sorted(tiers))}
        self.neighbours: dict[int, tuple[int, ...]] = {
            row: tuple(across[j] for j in (i - 1, i + 1) if 0 <= j < len(across))
            for i, row in enumerate(across)
        }

    def section(self, index: int) -> BaySection:
        """The section at ``index`` from the bow."""
        return self.sections[index]


# --- the final state -----------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Box:
    """A box of the final state, with what the checks look up many times."""

    container: Container
    slot: BayRowTier
    cells: tuple[Cell, ...]
    kind: str
    """:data:`_ON_BOARD`, :data:`_LOAD` or :data:`_RESTOW`."""
    order: int
    weight_kg: int
    section: int
    spec: StackSpec
    on_deck: bool = field(init=False)

    def __post_init__(self) -> None:
        self.on_deck = self.slot.tier >= DECK_TIER_MIN

    @property
    def number(self) -> ContainerNumber:
        return self.container.number

    @property
    def placed(self) -> bool:
        """True for a box the plan places: a load or a restow."""
        return self.kind != _ON_BOARD

    @property
    def length_ft(self) -> int:
        return self.container.length_ft

    def mass(self, profile: VesselProfile) -> Mass:
        return Mass(
            self.weight_kg / 1000,
            slot_lcg_m(profile, self.slot.bay),
            profile.vcg_m(self.slot.tier),
            self.spec.tcg_m,
        )

    def __str__(self) -> str:
        return f"{self.number}{_LABEL[self.kind]} at {self.slot}"


_ON_BOARD, _LOAD, _RESTOW = "on board", "load", "restow"
_LABEL = {_ON_BOARD: " (on board)", _LOAD: "", _RESTOW: " (restow)"}


def _place(on_deck: bool) -> str:
    return "on deck" if on_deck else "in the hold"


class _State:
    """The remaining on-board boxes and the placed ones, and the cells they take."""

    def __init__(
        self,
        problem: StowageProblem,
        grid: _Grid,
        restows: tuple[Stowed, ...],
        slot_of: dict[ContainerNumber, BayRowTier],
        out: list[str],
    ) -> None:
        self.profile = problem.profile
        self.grid = grid
        self.boxes: list[_Box] = []
        self.occupant: dict[Cell, _Box] = {}
        self._order: dict[UnLocode | None, int] = {
            port: i for i, port in enumerate(problem.rotation)
        }
        moved = {s.container.number for s in restows}
        for stowed in problem.on_board:
            c = stowed.container
            if c.port_of_discharge != problem.port and c.number not in moved:
                self._add(c, _ON_BOARD, stowed.slot, out)
        by_number = {c.number: (c, _LOAD) for c in problem.load}
        by_number.update((s.container.number, (s.container, _RESTOW)) for s in restows)
        for number, slot in slot_of.items():
            container, kind = by_number[number]
            self._add(container, kind, slot, out)

    def _add(self, container: Container, kind: str, slot: BayRowTier, out: list[str]) -> None:
        n = container.number
        who = f"container {n}{_LABEL[kind]}"
        try:
            cells = self.profile.cells(slot.bay, slot.row, slot.tier, container.length_ft)
        except DomainError as exc:
            out.append(f"{who} at {slot}: {exc}")
            return
        for cell in cells:
            other = self.occupant.get(cell)
            if other is not None:
                out.append(
                    f"{who} at {slot} and {other} both take cell {BayRowTier(*cell)}; "
                    f"{n} is left out of the other checks"
                )
                return
        try:
            mass = weight_kg(container)
        except InvalidValue as exc:
            out.append(f"{who} at {slot}: {exc}; counted as 0 kg")
            mass = 0
        box = _Box(
            container=container,
            slot=slot,
            cells=cells,
            kind=kind,
            order=self._order.get(container.port_of_discharge, -1),
            weight_kg=mass,
            section=self.grid.section_index[slot.bay],
            spec=self.profile.stack(slot.bay, slot.row, slot.tier >= DECK_TIER_MIN),
        )
        self.boxes.append(box)
        for cell in cells:
            self.occupant[cell] = box

    def below(self, cell: Cell) -> _Box | None:
        """The box in the cell under ``cell``, if any."""
        under = self.profile.below(cell)
        return None if under is None else self.occupant.get(under)


# --- hard rules ----------------------------------------------------------------------------------


def _check_placed_once(
    problem: StowageProblem, restows: tuple[Stowed, ...], plan: StowagePlan, out: list[str]
) -> dict[ContainerNumber, BayRowTier]:
    """Rule 1: every load-list box placed once or refused for the right reason; every
    restow placed once.

    Returns the first slot of every box the plan places (loads and restows).
    """
    by_number = {c.number: c for c in problem.load}
    restowed = {s.container.number: s.slot for s in restows}
    slot_of: dict[ContainerNumber, BayRowTier] = {}
    for number, slot in plan.placements:
        box = by_number.get(number)
        if box is None and number not in restowed:
            out.append(
                f"the plan places {number} at {slot}, but it is neither on the load list nor "
                "a restow"
            )
            continue
        first = slot_of.get(number)
        if first is not None:
            out.append(f"container {number} is placed twice: at {first} and at {slot}")
            continue
        slot_of[number] = slot
        if box is not None and box.vgm_kg is None:
            out.append(
                f"container {number} has no VGM and must be refused ({NO_VGM!r}), but it is "
                f"placed at {slot}"
            )
    refused: dict[ContainerNumber, str] = {}
    for number, reason in plan.refused:
        box = by_number.get(number)
        if number in restowed:
            out.append(
                f"container {number} is a restow (on board at {restowed[number]}, above a box "
                f"discharged here) and cannot be refused ({reason!r})"
            )
            continue
        if box is None:
            out.append(f"the plan refuses {number} ({reason!r}), but it is not on the load list")
            continue
        if number in refused:
            out.append(f"container {number} is refused twice ({refused[number]!r}, {reason!r})")
            continue
        refused[number] = reason
        if number in slot_of:
            out.append(
                f"container {number} is both placed at {slot_of[number]} and refused ({reason!r})"
            )
        if reason == NO_VGM:
            if box.vgm_kg is not None:
                out.append(
                    f"container {number} is refused for {NO_VGM!r} but has a VGM of "
                    f"{box.vgm_kg:,} kg"
                )
        elif reason == NO_ROOM:
            if box.vgm_kg is None:
                out.append(
                    f"container {number} has no VGM: it must be refused for {NO_VGM!r}, "
                    f"not {NO_ROOM!r}"
                )
        else:
            out.append(
                f"container {number} is refused for {reason!r}, which is neither {NO_VGM!r} "
                f"nor {NO_ROOM!r}"
            )
    for c in problem.load:
        if c.number not in slot_of and c.number not in refused:
            out.append(f"container {c.number} of the load list is neither placed nor refused")
    for number, slot in restowed.items():
        if number not in slot_of:
            out.append(
                f"container {number}, a restow (on board at {slot}, above a box discharged "
                "here), is not placed again"
            )
    return slot_of


def _check_ballast(profile: VesselProfile, plan: StowagePlan, out: list[str]) -> dict[str, float]:
    """Rule 7's ballast: each tank group known, given once, within its capacity.

    Returns the valid part of the plan's ballast.
    """
    ballast: dict[str, float] = {}
    for tank, t in plan.ballast:
        if tank in ballast:
            out.append(f"ballast: tank group {tank!r} is given twice ({ballast[tank]} t, {t} t)")
            continue
        try:
            ballast_masses(profile, {tank: t})
        except InvalidValue as exc:
            out.append(f"ballast: {exc}")
            continue
        ballast[tank] = t
    return ballast


def _check_slot(state: _State, box: _Box, out: list[str]) -> None:
    """Rule 2: reefers in a plug tier; out-of-gauge on deck, free above and beside."""
    c, slot, spec = box.container, box.slot, box.spec
    if c.is_reefer and slot.tier not in spec.reefer_tiers:
        where = f"row {slot.row:02d} {_place(box.on_deck)} of bay {slot.bay:02d}"
        plugs = ", ".join(f"{t:02d}" for t in sorted(spec.reefer_tiers))
        has = f"has reefer plugs in tier(s) {plugs} only" if plugs else "has no reefer plugs"
        out.append(f"reefer {box} stands in a tier without a plug: {where} {has}")
    oog = c.oog
    if oog is None:
        return
    if not box.on_deck:
        out.append(f"out-of-gauge {box} is in the hold; it must stand on deck")
    above: list[_Box] = []
    for cell in box.cells:
        up = state.profile.above(cell)
        while up is not None:
            other = state.occupant.get(up)
            if other is not None and other not in above:
                above.append(other)
            up = state.profile.above(up)
    if above:
        names = ", ".join(str(b) for b in above)
        out.append(f"out-of-gauge {box} has {names} above it")
    if oog.over_left_mm > 0 or oog.over_right_mm > 0:
        beside: list[_Box] = []
        for bay, row, tier in box.cells:
            for side in state.grid.neighbours[row]:
                other = state.occupant.get((bay, side, tier))
                if other is not None and other not in beside:
                    beside.append(other)
        for other in beside:
            out.append(
                f"out-of-gauge {box} is over-width (left {oog.over_left_mm} mm, right "
                f"{oog.over_right_mm} mm) but {other} stands beside it at tier {slot.tier:02d}"
            )


def _check_stacking(state: _State, box: _Box, out: list[str]) -> None:
    """Rule 3: nothing floats; no shorter box over a longer one (20' on 40', 40' on 45')."""
    empty: list[str] = []
    longer: list[_Box] = []
    for cell in box.cells:
        under_cell = state.profile.below(cell)
        if under_cell is None:
            continue
        under = state.occupant.get(under_cell)
        if under is None:
            empty.append(str(BayRowTier(*under_cell)))
        elif under.length_ft > box.length_ft and under not in longer:
            longer.append(under)
            out.append(f"{box.length_ft}' box {box} stands on the {under.length_ft}' box {under}")
    if empty:
        cells = " and ".join(empty)
        out.append(f"{box} floats: cell{'s' if len(empty) > 1 else ''} {cells} under it empty")


def _bottom_up(box: _Box) -> tuple[int, int, int]:
    """Sort key: bottom up, then forward to aft, port to starboard as numbered."""
    return box.slot.tier, box.slot.bay, box.slot.row


def _kg(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _check_stack_weights(state: _State, out: list[str]) -> None:
    """Rule 4: per 20' bay, and per row and part holding 40'/45' boxes."""
    stacks: dict[tuple[int, bool, int], list[_Box]] = defaultdict(list)
    for box in state.boxes:
        stacks[(box.section, box.on_deck, box.slot.row)].append(box)
    for (index, on_deck, row), boxes in sorted(stacks.items()):
        boxes.sort(key=_bottom_up)
        section = state.grid.section(index)
        spec = boxes[0].spec
        where = f"row {row:02d} {_place(on_deck)}"
        long = [b for b in boxes if b.length_ft != 20]
        long_kg = sum(b.weight_kg for b in long)
        for bay in section.bays20:
            short = [b for b in boxes if b.length_ft == 20 and b.slot.bay == bay]
            short_kg = sum(b.weight_kg for b in short)
            if 2 * short_kg + long_kg > 2 * spec.max_weight_20_kg:
                names = ", ".join(str(b.number) for b in (*short, *long))
                out.append(
                    f"stack weight: {where} of bay {bay:02d} carries "
                    f"{_kg(short_kg + long_kg / 2)} kg (20' boxes {short_kg:,} kg, half of "
                    f"40'/45' boxes {_kg(long_kg / 2)} kg), over its 20' limit of "
                    f"{spec.max_weight_20_kg:,} kg: {names}"
                )
        if long:
            total = sum(b.weight_kg for b in boxes)
            if total > spec.max_weight_40_kg:
                names = ", ".join(str(b.number) for b in boxes)
                out.append(
                    f"stack weight: {where} of bay {section.bay:02d} carries {total:,} kg, over "
                    f"its 40' limit of {spec.max_weight_40_kg:,} kg: {names}"
                )


def _check_heights(state: _State, out: list[str]) -> None:
    """Rule 5: the heights in every 20' column add up to at most the stack's limit."""
    columns: dict[tuple[int, int, bool], list[_Box]] = defaultdict(list)
    for box in state.boxes:
        for bay, row, _ in box.cells:
            columns[(bay, row, box.on_deck)].append(box)
    for (bay, row, on_deck), boxes in sorted(columns.items()):
        boxes.sort(key=_bottom_up)
        limit = boxes[0].spec.max_height_mm
        height = sum(b.container.iso_type.height_mm for b in boxes)
        if height > limit:
            names = ", ".join(f"{b.number} ({b.container.iso_type})" for b in boxes)
            out.append(
                f"stack height: row {row:02d} {_place(on_deck)} of bay {bay:02d} is "
                f"{height:,} mm high, over its limit of {limit:,} mm: {names}"
            )


def _segregated(code: int, a: _Box, b: _Box, grid: _Grid) -> tuple[bool, str]:
    """Whether ``a`` and ``b`` keep segregation ``code``, and the figures that decide it."""
    apart = abs(a.section - b.section)
    dx = min(abs(grid.x[p[0]] - grid.x[q[0]]) for p in a.cells for q in b.cells)
    dy = abs(grid.y[a.slot.row] - grid.y[b.slot.row])
    dz = abs(grid.z[a.slot.tier] - grid.z[b.slot.tier])
    same_part = a.on_deck == b.on_deck
    if code == 1:
        ok = not same_part or max(dx, dy, dz) >= 2
    elif code == 2:
        ok = (
            apart > 0
            or (same_part and max(dx, dy) >= 2)
            or (not same_part and a.slot.row != b.slot.row)
        )
    elif code == 3:
        ok = apart > 0
    else:
        ok = apart >= 2
    sa, sb = grid.section(a.section).bay, grid.section(b.section).bay
    sections = f"bay section {sa:02d}" if sa == sb else f"bay sections {sa:02d} and {sb:02d}"
    part = "both " + _place(a.on_deck) if same_part else "one in the hold, one on deck"
    return ok, f"{sections}, {part}, dx {dx}, dy {dy}, dz {dz}"


def _classes(c: Container) -> str:
    return "/".join(dg.imdg_class for dg in c.dangerous_goods)


def _check_segregation(state: _State, out: list[str]) -> None:
    """Rule 6: IMDG segregation between every two dangerous-goods boxes.

    Every requirement of the table is kept by boxes two or more sections apart, so only
    boxes in the same or neighbouring sections are compared.
    """
    by_section: dict[int, list[_Box]] = defaultdict(list)
    for box in state.boxes:
        if box.container.dangerous_goods:
            by_section[box.section].append(box)
    for boxes in by_section.values():
        boxes.sort(key=_bottom_up)
    codes: dict[tuple[frozenset[str], frozenset[str]], int] = {}

    def code_of(a: _Box, b: _Box) -> int:
        key = (
            frozenset(dg.imdg_class for dg in a.container.dangerous_goods),
            frozenset(dg.imdg_class for dg in b.container.dangerous_goods),
        )
        code = codes.get(key)
        if code is None:
            code = codes[key] = segregation_code(a.container, b.container)
        return code

    def pairs() -> Iterable[tuple[_Box, _Box]]:
        for index in sorted(by_section):
            here = by_section[index]
            for i, a in enumerate(here):
                for b in here[i + 1 :]:
                    yield a, b
            for a in here:
                for b in by_section.get(index + 1, ()):
                    yield a, b

    for a, b in pairs():
        code = code_of(a, b)
        if code == 0:
            continue
        ok, figures = _segregated(code, a, b, state.grid)
        if not ok:
            out.append(
                f"IMDG segregation: {a} (class {_classes(a.container)}) and {b} (class "
                f'{_classes(b.container)}) must be {code} "{SEGREGATION_NAMES[code]}" each '
                f"other, but are in {figures}"
            )


# --- soft objectives -----------------------------------------------------------------------------


def _overstows(boxes: Iterable[_Box]) -> int:
    """Boxes with a box of an earlier discharge order anywhere under one of their cells."""
    columns: dict[tuple[int, int, bool], list[tuple[int, _Box]]] = defaultdict(list)
    for box in boxes:
        for bay, row, tier in box.cells:
            columns[(bay, row, box.on_deck)].append((tier, box))
    overstowing: set[int] = set()
    for column in columns.values():
        column.sort(key=lambda item: item[0])
        earliest: int | None = None
        for _, box in column:
            if earliest is not None and earliest < box.order:
                overstowing.add(id(box))
            earliest = box.order if earliest is None else min(earliest, box.order)
    return len(overstowing)


def _hatch_covers(state: _State) -> tuple[int, int]:
    """Hatch-cover restows and hatch openings of the final state."""
    cover_of: dict[tuple[int, int], int] = {}
    covers = 0
    for index, section in enumerate(state.grid.sections):
        for cover in section.hatch_covers:
            for row in cover.rows:
                cover_of[(index, row)] = covers
            covers += 1
    hold_orders: dict[int, set[int]] = defaultdict(set)
    deck_boxes: dict[int, list[_Box]] = defaultdict(list)
    for box in state.boxes:
        key = cover_of.get((box.section, box.slot.row))
        if key is None:
            continue  # an open-top section
        if box.on_deck:
            deck_boxes[key].append(box)
        else:
            hold_orders[key].add(box.order)
    restows = 0
    for key, orders in hold_orders.items():
        first = min(orders)
        restows += sum(1 for box in deck_boxes.get(key, []) if box.order > first)
    openings = sum(len(orders) for orders in hold_orders.values())
    return restows, openings


def _section_moves(
    problem: StowageProblem,
    grid: _Grid,
    restows: tuple[Stowed, ...],
    slot_of: dict[ContainerNumber, BayRowTier],
) -> list[int]:
    """Per bay section from the bow: boxes taken off (discharges, restows) and placed."""
    moves = [0] * len(grid.sections)
    for stowed in (*problem.discharge, *restows):
        moves[grid.section_index[stowed.slot.bay]] += 1
    for slot in slot_of.values():
        index = grid.section_index.get(slot.bay)
        if index is not None:
            moves[index] += 1
    return moves


def _weight_inversions(state: _State) -> int:
    """Placed boxes (loads and restows) more than 1,000 kg heavier than a box directly under
    one of their cells."""
    count = 0
    for box in state.boxes:
        if not box.placed:
            continue
        for cell in box.cells:
            under = state.below(cell)
            if under is not None and box.weight_kg - under.weight_kg > INVERSION_KG:
                count += 1
                break
    return count
