"""The move ledger and the inventory derived from it.

Every container movement is a :class:`MoveEvent` appended to the ledger; it is
never changed or deleted. The :class:`Inventory` -- where every container is --
is derived by applying the events in order, and can be rebuilt from them at
any time. Applying an event first checks every invariant; an event that would
break one raises :class:`~opentos.errors.IllegalMove` and changes nothing:

- a container is in exactly one place (it arrives once, moves from where it
  is, departs from where it is);
- a place holds at most one container (for stacks: a cell holds at most one);
- the stacking rules of :mod:`opentos.model.stacking` hold in the yard and on
  board (no floating boxes, no shorter box over a longer one, a box is taken
  only from the top of its stack, tiers within the limits of the stack).

The inventory knows nothing about storage: the areas (yard blocks, vessel
profiles) and container lengths are looked up through two callables, so the
same code serves the in-memory twin and the database store.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import IllegalMove, InvalidSlot, InvalidValue, OpenTosError
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.places import EquipmentPlace, Place, StackPlace, VesselPlace, YardPlace
from opentos.model.stacking import Cell, StackArea

AreaResolver = Callable[[StackPlace], StackArea]
"""Finds the stack area (yard block, vessel profile) of a place; raises if there is none."""

LengthOf = Callable[[ContainerNumber], int]
"""Gives a container's length in feet; raises NotFound for an unknown container."""

CellKey = int
"""A cell made unique across the terminal: ``(area number, bay20, row, tier)`` packed into
one int (an int hashes for free; the ledger looks cells up several times per event)."""


class EventKind(StrEnum):
    """What an event does to the inventory."""

    ARRIVE = "arrive"
    """From outside into the terminal (gate-in, on board an arriving vessel, on a train)."""
    MOVE = "move"
    """From one place in the terminal to another."""
    DEPART = "depart"
    """Out of the terminal (gate-out, with a departing vessel or train)."""


@dataclass(frozen=True, slots=True)
class MoveEvent:
    """One container movement: ``from_place`` -> ``to_place`` at ``at``.

    ``None`` stands for outside the terminal. ``seq`` is the event's position
    in the ledger, assigned when it is appended (0 before).
    """

    container: ContainerNumber
    from_place: Place | None
    to_place: Place | None
    at: datetime
    equipment: str | None = None
    work_instruction: str | None = None
    seq: int = 0

    def __post_init__(self) -> None:
        if self.from_place is None and self.to_place is None:
            raise InvalidValue(f"event for {self.container}: from and to cannot both be outside")
        if self.from_place == self.to_place:
            raise InvalidValue(f"event for {self.container}: from and to are both {self.to_place}")
        if self.at.tzinfo is None:
            raise InvalidValue(f"event for {self.container}: time {self.at} has no time zone")

    @property
    def kind(self) -> EventKind:
        """Arrive, move or depart."""
        if self.from_place is None:
            return EventKind.ARRIVE
        if self.to_place is None:
            return EventKind.DEPART
        return EventKind.MOVE

    def __str__(self) -> str:
        src = self.from_place or "outside"
        dst = self.to_place or "outside"
        return f"#{self.seq} {self.at.isoformat()} {self.container} {src} -> {dst}"


def _area_key(place: StackPlace) -> str:
    return f"yard:{place.slot.block}" if isinstance(place, YardPlace) else f"vessel:{place.visit}"


_Entry = tuple[ContainerNumber, Place, int, "_Geometry | None"]


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Where a box of one length at one stack place sits: its cells and their neighbours."""

    keys: tuple[CellKey, ...]
    below: tuple[CellKey | None, ...]
    above: tuple[CellKey | None, ...]


class Inventory:
    """Where every container is, kept consistent with the ledger's invariants.

    Parameters
    ----------
    areas
        Finds the stack area of a yard or vessel place.
    length_of
        Gives a container's length in feet (20, 40, 45 ...).
    """

    def __init__(self, areas: AreaResolver, length_of: LengthOf) -> None:
        self._areas = areas
        self._length_of = length_of
        # number text -> (number, place, length, geometry of the place or None on
        # equipment). Keyed by text: a str caches its hash, and this is the hot path.
        self._boxes: dict[str, _Entry] = {}
        self._cells: dict[CellKey, ContainerNumber] = {}
        self._area_numbers: dict[str, int] = {}
        self._held: dict[EquipmentPlace, ContainerNumber] = {}
        # (place text, length) -> geometry; slots and lengths repeat endlessly.
        self._geometry: dict[int, dict[str, _Geometry]] = {20: {}, 40: {}, 45: {}}

    # -- queries ---------------------------------------------------------------

    def where(self, container: ContainerNumber) -> Place | None:
        """The container's place, or ``None`` when it is not in the terminal."""
        entry = self._boxes.get(container._text)
        return None if entry is None else entry[1]

    def at(self, place: Place) -> ContainerNumber | None:
        """The container exactly at ``place`` (a 40' is at its even bay only)."""
        if isinstance(place, EquipmentPlace):
            return self._held.get(place)
        bay = place.slot.bay
        first = bay if bay % 2 else bay - 1
        occupant = self._cells.get(
            self._cell_key(_area_key(place), (first, place.slot.row, place.slot.tier))
        )
        return occupant if occupant is not None and self.where(occupant) == place else None

    def positions(self) -> dict[ContainerNumber, Place]:
        """Every container in the terminal and its place (a snapshot)."""
        return {entry[0]: entry[1] for entry in self._boxes.values()}

    def __len__(self) -> int:
        return len(self._boxes)

    def __iter__(self) -> Iterator[tuple[ContainerNumber, Place]]:
        return iter(sorted(self.positions().items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Inventory):
            return NotImplemented
        mine = {k: e[1] for k, e in self._boxes.items()}
        return mine == {k: e[1] for k, e in other._boxes.items()}

    __hash__ = None  # type: ignore[assignment]

    def in_block(self, block: str) -> list[tuple[ContainerNumber, YardPlace]]:
        """Containers in a yard block, in slot order."""
        found = [
            (c, p)
            for c, p, _, _ in self._boxes.values()
            if isinstance(p, YardPlace) and p.slot.block == block
        ]
        return sorted(found, key=lambda cp: cp[1])

    def on_visit(self, visit: str) -> list[tuple[ContainerNumber, VesselPlace]]:
        """Containers on board the vessel of a vessel visit, in slot order."""
        found = [
            (c, p)
            for c, p, _, _ in self._boxes.values()
            if isinstance(p, VesselPlace) and p.visit == visit
        ]
        return sorted(found, key=lambda cp: cp[1])

    def length(self, container: ContainerNumber) -> int:
        """Length in feet of a container in the terminal."""
        return self._boxes[container._text][2]

    # -- changes ---------------------------------------------------------------

    def apply(self, event: MoveEvent) -> None:
        """Check ``event`` against every invariant, then apply it.

        Raises
        ------
        IllegalMove
            The event would break an invariant; the inventory is unchanged.
        """
        self.move(event.container, event.from_place, event.to_place)

    def move(self, box: ContainerNumber, src: Place | None, dst: Place | None) -> None:
        """:meth:`apply` without an event object (the replay loop's hot path)."""
        name = box._text
        boxes = self._boxes
        entry = boxes.get(name)
        here = None if entry is None else entry[1]
        cells = self._cells
        old: _Geometry | None = None
        if src is None:
            if here is not None:
                raise IllegalMove(f"{box} cannot arrive: it is already at {here}")
            length = self._checked_length(box)
        else:
            if here is not src and here != src:
                where = f"at {here}" if here is not None else "not in the terminal"
                raise IllegalMove(f"{box} cannot move from {src}: it is {where}")
            assert entry is not None
            length = entry[2]
            old = entry[3]
            if old is not None:
                for up in old.above:
                    if up is not None and up in cells:
                        on_top = cells[up]
                        raise IllegalMove(
                            f"{box} cannot be taken from {src}: {on_top} stands on it at "
                            f"{self.where(on_top)}"
                        )
        new: _Geometry | None = None
        if dst is not None:
            if isinstance(dst, EquipmentPlace):
                holder = self._held.get(dst)
                if holder is not None:
                    raise IllegalMove(f"{box} cannot go to {dst}: {holder} is already there")
            else:
                by_place = self._geometry.get(length)
                new = None if by_place is None else by_place.get(dst._text)
                if new is None:
                    new = self._target_geometry(box, length, dst)
                for key, down in zip(new.keys, new.below, strict=False):
                    occupant = cells.get(key)
                    if occupant is not None and occupant._text != name:
                        self._reject_target(box, length, dst, key, down)
                    if down is not None:
                        under = cells.get(down)
                        if under is None or under._text == name or boxes[under._text][2] > length:
                            self._reject_target(box, length, dst, key, down)
        self._commit(box, src, dst, old, new, length)

    def apply_all(self, events: Sequence[MoveEvent]) -> None:
        """Apply ``events`` in order, all or nothing.

        Raises
        ------
        IllegalMove
            Names the event (by its index in ``events``) that failed; the
            inventory is as it was before the call.
        """
        done = 0
        try:
            for event in events:
                self.move(event.container, event.from_place, event.to_place)
                done += 1
        except OpenTosError as exc:
            for event in reversed(events[:done]):
                self.revert(event)
            if isinstance(exc, IllegalMove) and len(events) > 1:
                raise IllegalMove(f"event {done + 1} of {len(events)}: {exc}", done) from None
            if isinstance(exc, IllegalMove):
                exc.index = done
            raise

    def change_length(self, box: ContainerNumber, length: int) -> None:
        """Give a box in the terminal a new length where it stands, checked like a move.

        A box on a machine can take any length. In a stack, the place must hold
        the new length (a 20' at an odd bay cannot become a 40'), the cells it
        then takes must be free and supported, and every box standing on it must
        stay supported by boxes no shorter than itself. A box not in the terminal
        is left alone (its length only matters when it arrives).

        Raises
        ------
        IllegalMove
            The box's place cannot hold the new length; nothing changed.
        """
        entry = self._boxes.get(box._text)
        if entry is None or entry[2] == length:
            return
        _, place, old_length, old = entry
        if old is None:
            self._boxes[box._text] = (entry[0], place, length, None)
            return
        assert isinstance(place, YardPlace | VesselPlace)
        what = f"{box} at {place} cannot change from {old_length}' to {length}'"
        try:
            new = self._geometry_of(place, length)
        except OpenTosError as exc:
            raise IllegalMove(f"{what}: {exc}") from None
        cells = self._cells
        name = box._text
        for key, down in zip(new.keys, new.below, strict=True):
            occupant = cells.get(key)
            if occupant is not None and occupant._text != name:
                raise IllegalMove(f"{what}: {occupant} is at {self.where(occupant)}")
            if down is None:
                continue
            under = cells.get(down)
            if under is None or under._text == name:
                raise IllegalMove(f"{what}: it would not stand on anything (no floating boxes)")
            if self._boxes[under._text][2] > length:
                raise IllegalMove(
                    f"{what}: it would stand on the longer {under} (no shorter box over a "
                    "longer one)"
                )
        taken = set(new.keys)
        on_top = {
            cells[up]._text
            for up in (*old.above, *new.above)
            if up is not None and up in cells and cells[up]._text != name
        }
        for top in sorted(on_top):
            top_box, top_place, top_length, top_geometry = self._boxes[top]
            if length > top_length:
                raise IllegalMove(
                    f"{what}: the shorter {top_box} ({top_length}') at {top_place} stands on "
                    "it (no shorter box over a longer one)"
                )
            assert top_geometry is not None
            for down in top_geometry.below:
                under = None if down is None else cells.get(down)
                if down is not None and down not in taken and (under is None or under == box):
                    raise IllegalMove(f"{what}: {top_box} at {top_place} would float")
        self._relength(box, length)

    def _relength(self, box: ContainerNumber, length: int) -> None:
        """Set a box's length where it stands (no checks; the inverse of itself)."""
        number, place, _, old = self._boxes[box._text]
        new = None
        if old is not None:
            assert isinstance(place, YardPlace | VesselPlace)
            new = self._geometry_of(place, length)
            for key in old.keys:
                del self._cells[key]
            for key in new.keys:
                self._cells[key] = number
        self._boxes[box._text] = (number, place, length, new)

    def revert_length(self, box: ContainerNumber, length: int) -> None:
        """Undo :meth:`change_length`: give the box back its former ``length`` (no checks)."""
        if box._text in self._boxes:
            self._relength(box, length)

    def revert(self, event: MoveEvent) -> None:
        """Undo an event that was the last one applied to this container (no checks)."""
        box = event.container
        entry = self._boxes.get(box._text)
        length = entry[2] if entry is not None else self._length_of(box)
        src = event.from_place
        back = (
            self._geometry_of(src, length)
            if src is not None and not isinstance(src, EquipmentPlace)
            else None
        )
        self._commit(box, event.to_place, src, entry[3] if entry else None, back, length)

    # -- internals -------------------------------------------------------------

    def _checked_length(self, box: ContainerNumber) -> int:
        try:
            return self._length_of(box)
        except OpenTosError as exc:
            raise IllegalMove(f"{box} cannot arrive: {exc}") from None

    def _cell_key(self, area: str, cell: Cell) -> CellKey:
        number = self._area_numbers.setdefault(area, len(self._area_numbers))
        bay, row, tier = cell
        return ((number * 1000 + bay) * 100 + row) * 100 + tier

    def _geometry_of(self, place: StackPlace, length: int) -> _Geometry:
        by_place = self._geometry.setdefault(length, {})
        found = by_place.get(place._text)
        if found is None:
            area = self._areas(place)
            slot = place.slot
            cells = area.cells(slot.bay, slot.row, slot.tier, length)
            if not (slot.bay < 1000 and slot.row < 100 and slot.tier < 100):
                raise InvalidSlot(f"{place}: bays go up to 999, rows and tiers up to 99")
            prefix = _area_key(place)

            def keyed(cell: Cell | None) -> CellKey | None:
                return None if cell is None else self._cell_key(prefix, cell)

            found = _Geometry(
                tuple(self._cell_key(prefix, c) for c in cells),
                tuple(keyed(area.below(c)) for c in cells),
                tuple(keyed(area.above(c)) for c in cells),
            )
            by_place[place._text] = found
        return found

    def _target_geometry(self, box: ContainerNumber, length: int, dst: StackPlace) -> _Geometry:
        try:
            return self._geometry_of(dst, length)
        except OpenTosError as exc:
            raise IllegalMove(f"{box} ({length}') cannot go to {dst}: {exc}") from None

    def _reject_target(
        self,
        box: ContainerNumber,
        length: int,
        dst: StackPlace,
        key: CellKey,
        down: CellKey | None,
    ) -> None:
        """Raise the error that explains why ``box`` cannot stand in cell ``key`` at ``dst``."""
        cells = self._cells
        occupant = cells.get(key)
        if occupant is not None and occupant != box:
            raise IllegalMove(
                f"{box} cannot go to {dst}: {occupant} is already at {self.where(occupant)}"
            )
        assert down is not None
        under = cells.get(down)
        if under is None or under == box:
            raise IllegalMove(
                f"{box} cannot go to {dst}: nothing under it in bay {down // 10_000 % 1000:03d} "
                f"row {down // 100 % 100:02d} tier {down % 100:02d} (no floating boxes)"
            )
        under_length = self.length(under)
        raise IllegalMove(
            f"{box} ({length}') cannot go to {dst}: it would stand on {under} "
            f"({under_length}') at {self.where(under)} (no shorter box over a longer one)"
        )

    def _commit(
        self,
        box: ContainerNumber,
        src: Place | None,
        dst: Place | None,
        old: _Geometry | None,
        new: _Geometry | None,
        length: int,
    ) -> None:
        cells = self._cells
        if src is not None:
            if old is None:
                del self._held[src]  # type: ignore[arg-type]
            else:
                for key in old.keys:
                    del cells[key]
        if dst is None:
            del self._boxes[box._text]
            return
        self._boxes[box._text] = (box, dst, length, new)
        if new is None:
            self._held[dst] = box  # type: ignore[index]
        else:
            for key in new.keys:
                cells[key] = box


class Ledger:
    """Append-only move events and the inventory they imply, in memory.

    The database store (:mod:`opentos.storage`) keeps the same two things in
    tables; this class serves the twin, planners' tests and property tests.
    """

    def __init__(self, areas: AreaResolver, length_of: LengthOf) -> None:
        self._areas = areas
        self._length_of = length_of
        self._events: list[MoveEvent] = []
        self._changes: list[LengthChange] = []
        self.inventory = Inventory(areas, length_of)

    @property
    def events(self) -> Sequence[MoveEvent]:
        """Every event appended, in order."""
        return self._events

    @property
    def head(self) -> int:
        """Sequence number of the last event (0 for an empty ledger)."""
        return len(self._events)

    def append(self, events: Iterable[MoveEvent]) -> list[MoveEvent]:
        """Append ``events`` all or nothing; returns them with their sequence numbers.

        Raises
        ------
        IllegalMove
            An event breaks an invariant; neither the ledger nor the inventory changed.
        """
        batch = [
            MoveEvent(
                e.container,
                e.from_place,
                e.to_place,
                e.at,
                e.equipment,
                e.work_instruction,
                self.head + i,
            )
            for i, e in enumerate(events, start=1)
        ]
        self.inventory.apply_all(batch)
        self._events.extend(batch)
        return batch

    def amend_length(
        self, container: ContainerNumber, old_length_ft: int, new_length_ft: int
    ) -> None:
        """Note that a known box's length changed after the last event (for :meth:`rebuild`).

        The caller has checked the change (:func:`check_registration`, or
        :meth:`Inventory.change_length` for a box in the terminal).
        """
        self._changes.append(LengthChange(container, self.head, old_length_ft, new_length_ft))

    @property
    def length_changes(self) -> Sequence[LengthChange]:
        """Every length change noted, in order."""
        return self._changes

    def rebuild(self) -> Inventory:
        """A fresh inventory from the events alone (checking every invariant again)."""
        return replay(self._events, self._areas, self._length_of, self._changes)


@dataclass(frozen=True, slots=True)
class LengthChange:
    """A known box's length changed by an amendment of its size-type after event ``after_seq``."""

    container: ContainerNumber
    after_seq: int
    old_length_ft: int
    new_length_ft: int


class LengthReplay:
    """Replays length changes between the events of a replay, each box's length as it was.

    Before the first event every box has the length it had before its first
    change (written into ``lengths``, which the replay's inventory consults).
    """

    def __init__(
        self,
        inventory: Inventory,
        lengths: dict[ContainerNumber, int],
        changes: Sequence[LengthChange],
    ) -> None:
        self._inventory = inventory
        self._lengths = lengths
        for change in reversed(changes):
            lengths[change.container] = change.old_length_ft
        self._pending = iter(changes)
        self._next = next(self._pending, None)

    @property
    def next_after(self) -> int:
        """``after_seq`` of the next change (larger than any event's when there is none)."""
        return sys.maxsize if self._next is None else self._next.after_seq

    def until(self, seq: int) -> int:
        """Apply the changes made before event ``seq``; returns :attr:`next_after`.

        Raises
        ------
        IllegalMove
            A change breaks an invariant where the box stood then.
        """
        while self._next is not None and self._next.after_seq < seq:
            change = self._next
            try:
                self._inventory.change_length(change.container, change.new_length_ft)
            except IllegalMove as exc:
                raise IllegalMove(
                    f"the size-type amendment of {change.container} after event "
                    f"{change.after_seq}: {exc}"
                ) from None
            self._lengths[change.container] = change.new_length_ft
            self._next = next(self._pending, None)
        return self.next_after


def check_registration(
    inventory: Inventory, container: Container, before: tuple[str, int] | None
) -> bool:
    """Whether registering ``container`` over its known ``(size-type, length)`` amends it.

    Registration may change the size-type of a known box, but not the length
    of a box in the terminal: that is an amendment checked where it stands
    (:meth:`Inventory.change_length`).

    Raises
    ------
    IllegalMove
        ``container`` is in the terminal and would change length, or a fact of it is
        unknown (a stand-in from a lenient EDI reading, ``Container.unknown``).
    """
    if container.unknown or not container.number.verified:
        facts = ", ".join(
            sorted(container.unknown | ({"number"} if not container.number.verified else set()))
        )
        raise IllegalMove(
            f"container {container.number} cannot be registered: its {facts} "
            "is not known (the file that named it did not say, or said it wrongly)"
        )
    if before is None or before[0] == container.iso_type.code:
        return False
    code, length = before
    place = inventory.where(container.number)
    if length != container.length_ft and place is not None:
        raise IllegalMove(
            f"{container.number} is at {place} as a {code} ({length}'); registering it as a "
            f"{container.iso_type.code} ({container.length_ft}') would change its length: amend "
            f"its size-type instead (opentos container amend {container.number} "
            f"{container.iso_type.code})"
        )
    return True


def replay(
    events: Iterable[MoveEvent],
    areas: AreaResolver,
    length_of: LengthOf,
    changes: Sequence[LengthChange] = (),
) -> Inventory:
    """Build an inventory by applying ``events`` in order from an empty terminal.

    ``changes`` are the boxes' length changes, applied between the events where
    they were made.
    """
    lengths: dict[ContainerNumber, int] = {}

    def length_then(number: ContainerNumber) -> int:
        found = lengths.get(number)
        return length_of(number) if found is None else found

    inventory = Inventory(areas, length_then)
    amendments = LengthReplay(inventory, lengths, changes)
    upcoming = amendments.next_after
    for event in events:
        if event.seq > upcoming:
            upcoming = amendments.until(event.seq)
        inventory.apply(event)
    amendments.until(sys.maxsize)
    return inventory
