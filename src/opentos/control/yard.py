"""Yard allocation and retrieval with relocations, over a view of the inventory.

A :class:`YardView` mirrors the yard part of the inventory as stacks: per
block, per 20' ground position (a *column*: odd bay and row), the boxes
bottom-up (a 40' or 45' box stands in the two columns of its even bay). It is
built once from an :class:`~opentos.model.ledger.Inventory` and kept in step
with the ledger move by move (:meth:`YardView.apply`), so the ECS can keep one
view for a whole simulation. Two pure functions read it:

:func:`allocate`
    a slot for a box arriving in the yard (discharge, gate-in, rail).
:func:`plan_retrieval`
    the relocations that uncover a box before it is lifted.

Both obey the ledger's stacking rules exactly (see
:mod:`opentos.model.stacking`): a box stands on a full set of supports at the
tier just above them (no floating box), never on a longer box (no 20' over a
40', no 40' over a 45'), in a bay of its parity, within the block's tiers.

Allocation policy. Every legal slot in the blocks given is ranked by, in order:

0. *room*: a block the box would leave with less free room than it keeps for
   relocations (``keep_free_teu``) comes after every block with room;
1. *mixing*: 0 on the ground or on a stack whose boxes all belong to ``group``;
   1 a 40'/45' bridging two such stacks (not on one 40'); 2 burying boxes of
   other groups (or of unknown group) -- likely relocations later;
2. *plug waste*: a box that needs no power on a position with reefer plugs;
3. the *block's rank* in ``blocks`` (the caller passes the least busy first);
4. the *cluster*: on a stack topped by the group; else on the ground or on a
   box of unknown group, in a bay that holds the group, then in a bay that
   holds no other group, then anywhere; last on a box of another group, in
   that order of bays;
5. the number of other groups' boxes buried;
6. for a 45', a slot that leaves no room for a 40' over it (top of the stack,
   or on another 45');
7. the distance from the handover end the box will leave from (waterside:
   bay 1; landside: the highest bay), then row and tier.

Boxes that need power (:func:`needs_plug`) go only where :meth:`YardBlock.has_reefer_plug`.

Reserved slots (promised to boxes on their way, which may arrive in any
order) close their whole stacks to allocation and relocation.

Relocation policy: the boxes above the target (and, where 40' boxes bridge
stacks, the boxes above those) move top first, each to a legal slot of the
same block outside the stacks being dug out, chosen by: a plug for a box that
needs one (a reefer goes unplugged only when no plugged slot is left), not over
a box due sooner than itself (else over the latest such box), no length mixing,
no plug waste, fewest bays from where it stood, a stack of its own group,
lowest tier.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypeVar

from opentos.errors import DomainError, IllegalMove, InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout, YardBlock
from opentos.model.ledger import Inventory
from opentos.model.places import Place, YardPlace
from opentos.model.slots import YardSlot

HandoverEnd = Literal["waterside", "landside"]
"""The end of a block where a box leaves: AGVs at the waterside, trucks at the landside."""

Relocation = tuple[ContainerNumber, YardPlace, YardPlace]
"""One planned relocation: the box, where it stands, where it goes."""

YARD_LENGTHS_FT = (20, 40, 45)
"""Box lengths the yard blocks take."""


class YardFull(DomainError):
    """No legal slot is left for a box in the blocks given; ``container`` names it."""

    def __init__(self, message: str, container: ContainerNumber | None = None) -> None:
        # The message comes first so the error survives being re-raised from its args
        # (SimPy re-creates a process's exception that way).
        super().__init__(message, container)
        self.container = container

    def __str__(self) -> str:
        return str(self.args[0])


def needs_plug(container: Container) -> bool:
    """True if the box must stand on a reefer plug: a laden reefer, or one with a set point."""
    return container.reefer is not None or (container.is_reefer and not container.is_empty)


@dataclass(frozen=True, slots=True)
class Stack:
    """One stack position (block, bay, row) as the view sees it now.

    ``boxes`` are the boxes standing over any of the position's ground cells, bottom-up,
    each once (at an even bay, a tier may hold two 20' boxes). ``length_class`` is that of
    the top box (20, or 40 for 40' and 45'), ``None`` for an empty stack.
    """

    block: str
    bay: int
    row: int
    boxes: tuple[ContainerNumber, ...]
    height: int
    tiers: int
    length_class: Literal[20, 40] | None
    top_length_ft: int | None
    reefer_plug: bool

    @property
    def free_height(self) -> int:
        """Tiers still free over the highest of the position's ground cells."""
        return self.tiers - self.height


class _Box(NamedTuple):
    number: ContainerNumber
    length: int
    group: str | None


_K = TypeVar("_K")


def _bump(counts: dict[_K, int], key: _K, step: int) -> None:
    """Add ``step`` to a count, dropping it at zero."""
    left = counts.get(key, 0) + step
    if left:
        counts[key] = left
    else:
        del counts[key]


def _teu(length: int) -> float:
    return 1.0 if length < 40 else (2.25 if length >= 45 else 2.0)


_INF = math.inf

# An open position found by _BlockStacks.open_positions: index of its first 20' bay, bay,
# row index (0-based), height, its column(s) (second -1 for a 20'), and for a 40'/45' whether
# the two columns' tops are one box standing at this very bay.
_Open = tuple[int, int, int, int, int, int, bool]


class _BlockStacks:
    """The columns of one block; column ``c = i * rows + (row - 1)`` for 20' bay ``2 i + 1``."""

    def __init__(self, block: YardBlock) -> None:
        n = block.bays * block.rows
        self.block = block
        self.rows = block.rows
        self.tiers = block.tiers
        self.cols: list[list[_Box]] = [[] for _ in range(n)]
        # How many boxes at the top of a column belong to the top box's group (0 if empty).
        self.col_run: list[int] = [0] * n
        # Per 20' bay: boxes standing in it by group (a 40' counts in both its bays).
        self.bay_groups: list[dict[str | None, int]] = [{} for _ in range(block.bays)]
        self.plugs = tuple(2 * i + 1 in block.reefer_bays for i in range(block.bays))
        # For skipping blocks that cannot take a box without mixing: empty columns, and
        # columns with room whose boxes all belong to one group, by group.
        self.empty = n
        self.open_groups: dict[str, int] = {}
        # For keeping room for relocations: columns a 20' box may go on, and 40' positions
        # (pair ``p`` = columns ``p`` and ``p + rows``) a 40' box may go on.
        self.open20 = n
        self.pair_open = [True] * (n - block.rows)
        self.open40 = n - block.rows
        self.boxes = 0
        self.teu = 0.0

    def copy(self) -> _BlockStacks:
        other = copy.copy(self)
        other.cols = [list(col) for col in self.cols]
        other.col_run = list(self.col_run)
        other.bay_groups = [dict(g) for g in self.bay_groups]
        other.open_groups = dict(self.open_groups)
        other.pair_open = list(self.pair_open)
        return other

    # -- addressing ------------------------------------------------------------

    def columns(self, bay: int, row: int) -> tuple[int, ...]:
        """Column indices under a position (one for an odd bay, two for an even one)."""
        block = self.block
        if not (1 <= bay < 2 * block.bays and 1 <= row <= block.rows):
            raise InvalidValue(
                f"yard slot {block.id}.{bay:03d}.{row:02d} is outside block {block.id} "
                f"(bays 1-{2 * block.bays - 1}, rows 1-{block.rows})"
            )
        c = (bay - 1) // 2 * self.rows + row - 1
        return (c,) if bay & 1 else (c, c + self.rows)

    # -- changes ---------------------------------------------------------------

    def check_push(self, slot: YardSlot, box: _Box) -> tuple[int, ...]:
        """The columns ``box`` goes into at ``slot``; raises if the rules forbid it."""
        cols = self.columns(slot.bay, slot.row)
        problem = self._push_problem(slot, box, cols)
        if problem is not None:
            raise IllegalMove(f"yard view: {box.number} cannot go to {slot}: {problem}")
        return cols

    def _push_problem(self, slot: YardSlot, box: _Box, cols: tuple[int, ...]) -> str | None:
        if (slot.bay & 1) != (box.length < 40):
            return f"a {box.length}' box cannot stand in bay {slot.bay}"
        if slot.tier > self.tiers:
            return f"block {self.block.id} has {self.tiers} tiers"
        for c in cols:
            col = self.cols[c]
            if len(col) != slot.tier - 1:
                return f"the stack there is {len(col)} high"
            if col and col[-1].length > box.length:
                return f"it would stand on {col[-1].number} ({col[-1].length}')"
        return None

    def push(self, slot: YardSlot, box: _Box) -> None:
        cols = self.check_push(slot, box)
        for c in cols:
            col = self.cols[c]
            self._count(c, -1)
            same_group = bool(col) and box.group is not None and col[-1].group == box.group
            col.append(box)
            self.col_run[c] = self.col_run[c] + 1 if same_group else 1
            self._count(c, 1)
        self._recount_pairs(cols)
        for c in cols:
            _bump(self.bay_groups[c // self.rows], box.group, 1)
        self.boxes += 1
        self.teu += _teu(box.length)

    def top_box(self, slot: YardSlot, number: ContainerNumber) -> _Box:
        """The box ``number`` at ``slot``; raises unless it is there with nothing on it."""
        cols = self.columns(slot.bay, slot.row)
        for c in cols:
            col = self.cols[c]
            if len(col) != slot.tier or col[-1].number != number:
                above = f"{col[slot.tier].number} stands on it" if len(col) > slot.tier else ""
                raise IllegalMove(
                    f"yard view: {number} cannot be taken from {slot}: "
                    f"{above or 'the view has another box there'}"
                )
        return self.cols[cols[0]][-1]

    def pop(self, slot: YardSlot, number: ContainerNumber) -> _Box:
        box = self.top_box(slot, number)
        cols = self.columns(slot.bay, slot.row)
        for c in cols:
            col = self.cols[c]
            self._count(c, -1)
            col.pop()
            run = 0
            if col:
                top = col[-1].group
                run = 1
                if top is not None:
                    while run < len(col) and col[-1 - run].group == top:
                        run += 1
            self.col_run[c] = run
            self._count(c, 1)
        self._recount_pairs(cols)
        for c in cols:
            _bump(self.bay_groups[c // self.rows], box.group, -1)
        self.boxes -= 1
        self.teu -= _teu(box.length)
        return box

    def _count(self, c: int, step: int) -> None:
        """Add (``step`` 1) or remove (-1) column ``c`` in the counts of open columns."""
        col = self.cols[c]
        height = len(col)
        if height < self.tiers and (not height or col[-1].length < 40):
            self.open20 += step
        if not height:
            self.empty += step
        elif height < self.tiers and self.col_run[c] == height:
            group = col[-1].group
            if group is not None:
                _bump(self.open_groups, group, step)

    def _recount_pairs(self, cols: tuple[int, ...]) -> None:
        """Update the open 40' positions over columns ``cols`` after they changed."""
        rows, tiers = self.rows, self.tiers
        last = len(self.pair_open)
        for p in {p for c in cols for p in (c - rows, c) if 0 <= p < last}:
            a, b = self.cols[p], self.cols[p + rows]
            h = len(a)
            is_open = (
                h < tiers and len(b) == h and (not h or (a[-1].length <= 40 and b[-1].length <= 40))
            )
            if is_open != self.pair_open[p]:
                self.pair_open[p] = is_open
                self.open40 += 1 if is_open else -1

    # -- search ----------------------------------------------------------------

    def tight_after(self, teu: float, keep_free_teu: float | None) -> bool:
        """True if ``teu`` more would leave the block without room for one retrieval's
        relocations: less than ``keep_free_teu`` free (default ``2 * rows * (tiers - 1)``,
        one 40' bay below the top tier), or fewer open 20' or 40' positions than tiers."""
        keep = 2 * self.rows * (self.tiers - 1) if keep_free_teu is None else keep_free_teu
        return (
            self.block.capacity_teu - self.teu - teu < keep
            or self.open20 < self.tiers
            or self.open40 < self.tiers
        )

    def least_mixing(self, group: str) -> int:
        """A lower bound of the mixing rank of any slot here for a box of ``group``."""
        return 0 if self.empty or group in self.open_groups else 2

    def open_positions(
        self, length: int, plug_only: bool, blocked: Collection[int]
    ) -> Iterator[_Open]:
        """Every position where a ``length``-foot box may stand now, by the ledger's rules."""
        rows, tiers, cols, plugs = self.rows, self.tiers, self.cols, self.plugs
        if length < 40:
            for i in range(self.block.bays):
                if plug_only and not plugs[i]:
                    continue
                base = i * rows
                for r in range(rows):
                    c = base + r
                    col = cols[c]
                    h = len(col)
                    if h >= tiers or (h and col[-1].length > length) or c in blocked:
                        continue
                    yield (i, 2 * i + 1, r, h, c, -1, False)
            return
        for i in range(self.block.bays - 1):
            if plug_only and not (plugs[i] and plugs[i + 1]):
                continue
            base = i * rows
            for r in range(rows):
                a = base + r
                b = a + rows
                col_a, col_b = cols[a], cols[b]
                h = len(col_a)
                if h >= tiers or len(col_b) != h or a in blocked or b in blocked:
                    continue
                same = False
                if h:
                    top_a, top_b = col_a[-1], col_b[-1]
                    if top_a.length > length or top_b.length > length:
                        continue
                    same = top_a is top_b  # one box object stands in both columns
                yield (i, 2 * i + 2, r, h, a, b, same)

    def best_arrival(
        self,
        length: int,
        group: str,
        plug_only: bool,
        landside: bool,
        blocked: Collection[int],
    ) -> tuple[tuple[int, ...], YardSlot] | None:
        """The best slot here for an arriving box, and its key (see the module docstring).

        The key: mixing, plug waste, cluster, other groups' boxes buried, 45' closing a
        stack, distance from the handover end, row, tier.
        """
        best: tuple[int, ...] | None = None
        found: _Open | None = None
        far = 2 * self.block.bays
        cols, run, plugs, tiers = self.cols, self.col_run, self.plugs, self.tiers
        dry = not plug_only
        # Per 20' bay: 1 it holds the group, 2 it holds no other known group, 3 it does.
        bay_class = [
            1 if group in held else (2 if not held or (len(held) == 1 and None in held) else 3)
            for held in self.bay_groups
        ]
        for pos in self.open_positions(length, plug_only, blocked):
            i, bay, r, h, a, b, same = pos
            on_own = claimed = False
            foreign = 0
            if b < 0:
                waste = dry and plugs[i]
                near = bay_class[i]
                if h:
                    top = cols[a][-1].group
                    on_own = top == group
                    claimed = not on_own and top is not None
                    foreign = h - run[a] if on_own else h
                mixing = 2 if foreign else 0
                sub = 0
            else:
                waste = dry and (plugs[i] or plugs[i + 1])
                first, second = bay_class[i], bay_class[i + 1]
                near = 1 if first == 1 or second == 1 else max(first, second)
                mixing = 0
                if h:
                    top_a, top_b = cols[a][-1].group, cols[b][-1].group
                    own_a, own_b = top_a == group, top_b == group
                    on_own = own_a and own_b
                    claimed = (not own_a and top_a is not None) or (not own_b and top_b is not None)
                    foreign_a = h - run[a] if own_a else h
                    foreign_b = h - run[b] if own_b else h
                    foreign = max(foreign_a, foreign_b) if same else foreign_a + foreign_b
                    mixing = 2 if foreign else (0 if same else 1)
                # A 45' closes its stack to 40' boxes: best on top, or on another 45'.
                closes = length >= 45 and h + 1 < tiers
                sub = 1 if closes and not (same and cols[a][-1].length >= 45) else 0
            cluster = 0 if on_own else near + (3 if claimed else 0)
            key = (mixing, waste, cluster, foreign, sub, far - bay if landside else bay, r, h)
            if best is None or key < best:
                best, found = key, pos
        if best is None or found is None:
            return None
        return best, YardSlot(self.block.id, found[1], found[2] + 1, found[3] + 1)

    def best_relocation(
        self,
        box: _Box,
        from_bay: int,
        wants_plug: bool,
        blocked: Collection[int],
        min_due: Sequence[float] | None,
        due: float,
    ) -> YardSlot | None:
        """The best slot here for a blocker (see the module docstring)."""
        best: tuple[float, ...] | None = None
        found: _Open | None = None
        cols, run, plugs = self.cols, self.col_run, self.plugs
        dry = not wants_plug
        group = box.group
        for pos in self.open_positions(box.length, False, blocked):
            i, bay, r, h, a, b, same = pos
            if b < 0:
                soonest = min_due[a] if min_due is not None and h else _INF
                unplugged = wants_plug and not plugs[i]
                waste = dry and plugs[i]
                mixing = 0
                own = h == 0 or (group is not None and cols[a][-1].group == group and run[a] == h)
            else:
                soonest = min(min_due[a], min_due[b]) if min_due is not None and h else _INF
                unplugged = wants_plug and not (plugs[i] and plugs[i + 1])
                waste = dry and (plugs[i] or plugs[i + 1])
                mixing = 0 if h == 0 or same else 1
                own = h == 0 or (
                    group is not None
                    and cols[a][-1].group == group
                    and cols[b][-1].group == group
                    and run[a] == h
                    and run[b] == h
                )
            late = soonest < due
            far = abs(bay - from_bay)
            key = (unplugged, late, -soonest if late else 0.0, mixing, waste, far, not own, h, r)
            if best is None or key < best:
                best, found = key, pos
        if found is None:
            return None
        return YardSlot(self.block.id, found[1], found[2] + 1, found[3] + 1)

    # -- queries ---------------------------------------------------------------

    def stack(self, bay: int, row: int) -> Stack:
        cols = [self.cols[c] for c in self.columns(bay, row)]
        height = max(len(col) for col in cols)
        boxes: list[ContainerNumber] = []
        top: _Box | None = None
        for tier in range(height):
            for col in cols:
                if tier < len(col) and (not boxes or boxes[-1] != col[tier].number):
                    boxes.append(col[tier].number)
                    top = col[tier]
        return Stack(
            block=self.block.id,
            bay=bay,
            row=row,
            boxes=tuple(boxes),
            height=height,
            tiers=self.tiers,
            length_class=None if top is None else (20 if top.length < 40 else 40),
            top_length_ft=None if top is None else top.length,
            reefer_plug=self.block.has_reefer_plug(bay),
        )


class YardView:
    """The yard's stacks, built from an inventory and kept in step with it move by move.

    Parameters
    ----------
    layout
        The terminal whose blocks the view covers.
    inventory
        Where every box is now; the view reads its yard part once.
    containers
        Container records by number (a live mapping such as ``Terminal.containers`` is
        fine): lengths of boxes arriving by number, and which boxes need a reefer plug.
    groups
        The allocation group of boxes already in the yard (for example
        ``"V2026-001/NLRTM"``); a box without one belongs to no group, so any box
        put on it counts as burying another group's box.
    """

    def __init__(
        self,
        layout: TerminalLayout,
        inventory: Inventory,
        containers: Mapping[ContainerNumber, Container],
        *,
        groups: Mapping[ContainerNumber, str] | None = None,
    ) -> None:
        self.layout = layout
        self._containers = containers
        self._blocks = {block.id: _BlockStacks(block) for block in layout.blocks}
        self._where: dict[ContainerNumber, YardSlot] = {}
        self._groups: dict[ContainerNumber, str] = dict(groups or {})
        in_yard = [
            (number, place.slot)
            for number, place in inventory.positions().items()
            if isinstance(place, YardPlace)
        ]
        in_yard.sort(key=lambda item: item[1].tier)
        for number, slot in in_yard:
            box = _Box(number, inventory.length(number), self._groups.get(number))
            self._stacks(slot.block).push(slot, box)
            self._where[number] = slot

    # -- changes ---------------------------------------------------------------

    def apply(
        self,
        container: Container | ContainerNumber,
        from_place: Place | None,
        to_place: Place | None,
        *,
        group: str | None = None,
    ) -> None:
        """Follow one move the ledger accepted; places outside the yard are ignored.

        ``group`` sets the box's allocation group (keep it ``None`` to keep the box's
        group, as for relocations). A box arriving by number takes its length from the
        records given at construction.

        Raises
        ------
        IllegalMove
            The move does not fit the view (it is out of step with the ledger); the
            view is unchanged.
        NotFound
            A box arriving by number has no record.
        """
        number = container.number if isinstance(container, Container) else container
        if group is not None:
            _check_group(group)
        moved: tuple[_BlockStacks, YardSlot, _Box] | None = None
        if isinstance(from_place, YardPlace):
            slot = self._where.get(number)
            if slot != from_place.slot:
                seen = f"at {slot}" if slot is not None else "not in the yard"
                raise IllegalMove(
                    f"yard view: {number} cannot move from {from_place}: the view has it "
                    f"{seen} (keep the view in step with the ledger)"
                )
            stacks = self._stacks(slot.block)
            moved = (stacks, slot, stacks.pop(slot, number))
            del self._where[number]
        if isinstance(to_place, YardPlace):
            dst = to_place.slot
            try:
                length = moved[2].length if moved is not None else self._length(container)
                known = group if group is not None else self._groups.get(number)
                self._stacks(dst.block).push(dst, _Box(number, length, known))
            except (IllegalMove, InvalidValue, NotFound):
                if moved is not None:  # put it back: the view is unchanged
                    moved[0].push(moved[1], moved[2])
                    self._where[number] = moved[1]
                raise
            self._where[number] = dst
        if group is not None:
            self._groups[number] = group
        if to_place is None:
            self._groups.pop(number, None)

    # -- queries ---------------------------------------------------------------

    def where(self, container: ContainerNumber) -> YardSlot | None:
        """The box's yard slot, or ``None`` when it is not in the yard."""
        return self._where.get(container)

    def group_of(self, container: ContainerNumber) -> str | None:
        """The box's allocation group, if known."""
        return self._groups.get(container)

    def stack(self, block: str, bay: int, row: int) -> Stack:
        """The stack at a position of ``block`` (odd bay: a 20' position, even: a 40' one).

        Raises
        ------
        NotFound
            No block has that id.
        InvalidValue
            The bay or row is outside the block.
        """
        return self._stacks(block).stack(bay, row)

    def stacks(self, block: str, length_ft: int = 20) -> Iterator[Stack]:
        """Every position of ``block`` for ``length_ft`` boxes (20: odd bays, 40/45: even)."""
        stacks = self._stacks(block)
        first = 1 if length_ft < 40 else 2
        for bay in range(first, 2 * stacks.block.bays, 2):
            for row in range(1, stacks.rows + 1):
                yield stacks.stack(bay, row)

    def count(self, block: str) -> int:
        """Boxes in ``block``."""
        return self._stacks(block).boxes

    def teu(self, block: str) -> float:
        """TEU in ``block`` (a 40' counts 2, a 45' 2.25)."""
        return self._stacks(block).teu

    def fill(self, block: str) -> float:
        """Share of ``block``'s TEU capacity in use (0-1), a measure of how busy it is."""
        stacks = self._stacks(block)
        return stacks.teu / stacks.block.capacity_teu

    def positions(self) -> dict[ContainerNumber, YardPlace]:
        """Every box in the yard and its place (a snapshot, comparable with the inventory's)."""
        return {number: YardPlace(slot) for number, slot in self._where.items()}

    def __len__(self) -> int:
        return len(self._where)

    # -- internals -------------------------------------------------------------

    def _stacks(self, block: str) -> _BlockStacks:
        stacks = self._blocks.get(block)
        if stacks is None:
            raise NotFound(
                f"no block {block!r} in layout {self.layout.name} "
                f"(blocks: {', '.join(self._blocks) or 'none'})"
            )
        return stacks

    def _length(self, container: Container | ContainerNumber) -> int:
        if isinstance(container, Container):
            return container.length_ft
        record = self._containers.get(container)
        if record is None:
            raise NotFound(f"yard view: no record of {container}; pass its Container to apply")
        return record.length_ft

    def _blocked(self, reserved: Collection[YardSlot]) -> dict[str, set[int]]:
        """Columns touched by reserved slots, by block (slots outside the yard are ignored)."""
        blocked: dict[str, set[int]] = {}
        for slot in reserved:
            stacks = self._blocks.get(slot.block)
            if stacks is None:
                continue
            try:
                columns = stacks.columns(slot.bay, slot.row)
            except InvalidValue:
                continue
            blocked.setdefault(slot.block, set()).update(columns)
        return blocked


def _check_group(group: object) -> None:
    if not isinstance(group, str) or not group:
        raise InvalidValue(f"allocation group {group!r} must be a non-empty text")


def _yard_length(container: Container) -> int:
    length = container.length_ft
    if length not in YARD_LENGTHS_FT:
        raise IllegalMove(
            f"{container.number} is a {length}' box ({container.iso_type.code}); yard blocks "
            "take 20', 40' and 45' boxes"
        )
    return length


def allocate(
    view: YardView,
    container: Container,
    *,
    group: str,
    blocks: Sequence[str] | None = None,
    prefer_bay_near: HandoverEnd = "waterside",
    reserved: Collection[YardSlot] = (),
    keep_free_teu: float | None = None,
) -> YardSlot:
    """A legal yard slot for a box arriving in the yard.

    Parameters
    ----------
    view
        The yard as it is now (the view is not changed: apply the move once it happens).
    container
        The arriving box; if it is in the yard already (housekeeping), its own stack is
        never chosen.
    group
        Boxes that leave together (an export vessel and port of discharge, or
        ``"import:<visit>"``); they are stacked together, apart from other groups.
    blocks
        Block ids in order of preference (least busy first); every block by default.
    prefer_bay_near
        The end of the block the box will leave from.
    reserved
        Slots promised to boxes on their way; no slot on their stacks is returned.
    keep_free_teu
        Room each block keeps for relocations; a block is used beyond it only when no
        block given has room. Default: one 40' bay below the top tier, ``2 * rows *
        (tiers - 1)`` TEU (80 TEU in a 10-row, 5-tier block).

    Returns
    -------
    YardSlot
        The best slot by the policy in the module docstring.

    Raises
    ------
    YardFull
        No legal slot is free in ``blocks`` (or none with a reefer plug, for a box that
        needs one).
    IllegalMove
        The box is not 20', 40' or 45' long.
    NotFound
        A block id is unknown.
    """
    _check_group(group)
    if prefer_bay_near not in ("waterside", "landside"):
        raise InvalidValue(
            f"prefer_bay_near must be 'waterside' or 'landside', got {prefer_bay_near!r}"
        )
    length = _yard_length(container)
    plug_only = needs_plug(container)
    landside = prefer_bay_near == "landside"
    ids = [b.id for b in view.layout.blocks] if blocks is None else list(blocks)
    chosen = [view._stacks(block) for block in ids]
    blocked = view._blocked(reserved)
    own = view.where(container.number)
    if own is not None:
        blocked.setdefault(own.block, set()).update(
            view._stacks(own.block).columns(own.bay, own.row)
        )
    best: tuple[int, ...] | None = None
    best_slot: YardSlot | None = None
    teu = _teu(length)
    for rank, stacks in enumerate(chosen):
        tight = int(stacks.tight_after(teu, keep_free_teu))
        if best is not None and (tight, stacks.least_mixing(group), 0) >= best[:3]:
            continue  # it ranks lower and cannot do better on what ranks before the block
        found = stacks.best_arrival(
            length, group, plug_only, landside, blocked.get(stacks.block.id, ())
        )
        if found is None:
            continue
        local, slot = found
        key = (tight, local[0], local[1], rank, *local[2:])
        if best is None or key < best:
            best, best_slot = key, slot
    if best_slot is None:
        what = f"{length}' box needing a reefer plug" if plug_only else f"{length}' box"
        raise YardFull(
            f"no free slot for {container.number} ({what}) in blocks "
            f"{', '.join(ids) or '(none given)'}: every legal stack is full or reserved",
            container.number,
        )
    return best_slot


def plan_retrieval(
    view: YardView,
    container: Container | ContainerNumber,
    *,
    due: Mapping[ContainerNumber, float] | None = None,
    reserved: Collection[YardSlot] = (),
) -> list[Relocation]:
    """The relocations that uncover ``container``, in the order to perform them.

    Each box standing over the target (and over those, where 40' boxes bridge two
    stacks) moves, top first, to a legal slot of the same block away from the stacks
    being dug out; applied in order, every relocation is valid by the ledger's rules
    and afterwards the target can be lifted. The caller performs the lift.

    Parameters
    ----------
    view
        The yard as it is now (not changed).
    container
        The box to retrieve.
    due
        When boxes are needed (any unit; earlier is sooner); a blocker is not put on a
        box due sooner than itself when there is a choice. Boxes not in it are never due.
    reserved
        Slots promised to boxes on their way; their stacks are not used.

    Returns
    -------
    list of (container, from, to)
        Empty when nothing stands on the target.

    Raises
    ------
    NotFound
        The box is not in the yard.
    YardFull
        A blocker has no legal slot left in the block.
    """
    number = container.number if isinstance(container, Container) else container
    slot = view.where(number)
    if slot is None:
        raise NotFound(f"{number} is not in the yard, so there is nothing to retrieve")
    stacks = view._stacks(slot.block)
    # The boxes to move: everything standing over the target's cells, and over those.
    blockers: dict[ContainerNumber, YardSlot] = {}
    dug: set[int] = set()
    todo = [slot]
    while todo:
        here = todo.pop()
        for c in stacks.columns(here.bay, here.row):
            dug.add(c)
            for box in stacks.cols[c][here.tier :]:
                if box.number not in blockers:
                    blockers[box.number] = view._where[box.number]
                    todo.append(blockers[box.number])
    if not blockers:
        return []
    stacks = stacks.copy()  # the plan moves boxes in a copy of the block
    blocked = view._blocked(reserved).get(slot.block, set()) | dug
    when = due or {}
    min_due: list[float] | None = None
    if when:
        min_due = [
            min((when.get(b.number, _INF) for b in col), default=_INF) for col in stacks.cols
        ]
    plan: list[Relocation] = []
    for blocker, src in sorted(blockers.items(), key=lambda item: (-item[1].tier, item[1])):
        box = stacks.pop(src, blocker)
        record = view._containers.get(blocker)
        wants_plug = record is not None and needs_plug(record)
        mine = when.get(blocker, _INF)
        dst = stacks.best_relocation(box, src.bay, wants_plug, blocked, min_due, mine)
        if dst is None:
            raise YardFull(
                f"no free slot in block {slot.block} to relocate {blocker} from {src} "
                f"(it stands over {number})",
                blocker,
            )
        stacks.push(dst, box)
        if min_due is not None:
            for c in stacks.columns(dst.bay, dst.row):
                min_due[c] = min(min_due[c], mine)
        plan.append((blocker, YardPlace(src), YardPlace(dst)))
    return plan
