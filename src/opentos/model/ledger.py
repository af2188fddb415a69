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

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import IllegalMove, InvalidValue, OpenTosError
from opentos.model.ids import ContainerNumber
from opentos.model.places import EquipmentPlace, Place, StackPlace, VesselPlace, YardPlace
from opentos.model.stacking import Cell, StackArea

AreaResolver = Callable[[StackPlace], StackArea]
"""Finds the stack area (yard block, vessel profile) of a place; raises if there is none."""

LengthOf = Callable[[ContainerNumber], int]
"""Gives a container's length in feet; raises NotFound for an unknown container."""

CellKey = tuple[str, int, int, int]
"""``(area key, bay20, row, tier)``: a cell made unique across the terminal."""


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
        self._where: dict[ContainerNumber, Place] = {}
        self._cells: dict[CellKey, ContainerNumber] = {}
        self._held: dict[EquipmentPlace, ContainerNumber] = {}
        self._occupies: dict[ContainerNumber, tuple[CellKey, ...]] = {}
        self._lengths: dict[ContainerNumber, int] = {}
        # (place, length) -> (area, cell keys); slots and lengths repeat endlessly.
        self._geometry: dict[tuple[StackPlace, int], tuple[StackArea, tuple[CellKey, ...]]] = {}

    # -- queries ---------------------------------------------------------------

    def where(self, container: ContainerNumber) -> Place | None:
        """The container's place, or ``None`` when it is not in the terminal."""
        return self._where.get(container)

    def at(self, place: Place) -> ContainerNumber | None:
        """The container exactly at ``place`` (a 40' is at its even bay only)."""
        if isinstance(place, EquipmentPlace):
            return self._held.get(place)
        occupant = self._cells.get(self._cell_keys_any(place)[0])
        return occupant if occupant is not None and self._where.get(occupant) == place else None

    def positions(self) -> Mapping[ContainerNumber, Place]:
        """Every container in the terminal and its place (a read-only view)."""
        return self._where

    def __len__(self) -> int:
        return len(self._where)

    def __iter__(self) -> Iterator[tuple[ContainerNumber, Place]]:
        return iter(sorted(self._where.items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Inventory):
            return NotImplemented
        return self._where == other._where

    __hash__ = None  # type: ignore[assignment]

    def in_block(self, block: str) -> list[tuple[ContainerNumber, YardPlace]]:
        """Containers in a yard block, in slot order."""
        found = [
            (c, p)
            for c, p in self._where.items()
            if isinstance(p, YardPlace) and p.slot.block == block
        ]
        return sorted(found, key=lambda cp: cp[1])

    def on_visit(self, visit: str) -> list[tuple[ContainerNumber, VesselPlace]]:
        """Containers on board the vessel of a vessel visit, in slot order."""
        found = [
            (c, p) for c, p in self._where.items() if isinstance(p, VesselPlace) and p.visit == visit
        ]
        return sorted(found, key=lambda cp: cp[1])

    def length(self, container: ContainerNumber) -> int:
        """Length in feet of a container in the terminal."""
        return self._lengths[container]

    # -- changes ---------------------------------------------------------------

    def apply(self, event: MoveEvent) -> None:
        """Check ``event`` against every invariant, then apply it.

        Raises
        ------
        IllegalMove
            The event would break an invariant; the inventory is unchanged.
        """
        box = event.container
        src = event.from_place
        dst = event.to_place
        here = self._where.get(box)
        if src is None:
            if here is not None:
                raise IllegalMove(f"{box} cannot arrive: it is already at {here}")
            length = self._checked_length(box)
        else:
            if here != src:
                where = f"at {here}" if here is not None else "not in the terminal"
                raise IllegalMove(f"{box} cannot move from {src}: it is {where}")
            length = self._lengths[box]
            if not isinstance(src, EquipmentPlace):
                self._check_clear_above(box, src)
        if dst is None:
            new_keys: tuple[CellKey, ...] = ()
        elif isinstance(dst, EquipmentPlace):
            holder = self._held.get(dst)
            if holder is not None:
                raise IllegalMove(f"{box} cannot go to {dst}: {holder} is already there")
            new_keys = ()
        else:
            new_keys = self._check_stack_target(box, length, dst)
        self._commit(box, src, dst, new_keys, length)

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
                self.apply(event)
                done += 1
        except OpenTosError as exc:
            for event in reversed(events[:done]):
                self.revert(event)
            if isinstance(exc, IllegalMove) and len(events) > 1:
                raise IllegalMove(f"event {done + 1} of {len(events)}: {exc}") from None
            raise

    def revert(self, event: MoveEvent) -> None:
        """Undo an event that was the last one applied to this container (no checks)."""
        box = event.container
        length = self._lengths.get(box) or self._length_of(box)
        src = event.from_place
        if src is None:
            keys: tuple[CellKey, ...] = ()
        elif isinstance(src, EquipmentPlace):
            keys = ()
        else:
            keys = self._geometry_of(src, length)[1]
        self._commit(box, event.to_place, src, keys, length)

    # -- internals -------------------------------------------------------------

    def _checked_length(self, box: ContainerNumber) -> int:
        try:
            return self._length_of(box)
        except OpenTosError as exc:
            raise IllegalMove(f"{box} cannot arrive: {exc}") from None

    def _geometry_of(
        self, place: StackPlace, length: int
    ) -> tuple[StackArea, tuple[CellKey, ...]]:
        key = (place, length)
        found = self._geometry.get(key)
        if found is None:
            area = self._areas(place)
            if isinstance(place, YardPlace):
                bay, row, tier = place.slot.bay, place.slot.row, place.slot.tier
            else:
                bay, row, tier = place.slot.bay, place.slot.row, place.slot.tier
            cells = area.cells(bay, row, tier, length)
            prefix = _area_key(place)
            found = (area, tuple((prefix, *c) for c in cells))
            self._geometry[key] = found
        return found

    def _cell_keys_any(self, place: StackPlace) -> tuple[CellKey, ...]:
        bay = place.slot.bay
        prefix = _area_key(place)
        cells: tuple[Cell, ...] = (
            ((bay, place.slot.row, place.slot.tier),)
            if bay % 2
            else ((bay - 1, place.slot.row, place.slot.tier),)
        )
        return tuple((prefix, *c) for c in cells)

    def _check_clear_above(self, box: ContainerNumber, src: StackPlace) -> None:
        area, keys = self._geometry_of(src, self._lengths[box])
        for key in keys:
            up = area.above(key[1:])
            if up is None:
                continue
            on_top = self._cells.get((key[0], *up))
            if on_top is not None:
                raise IllegalMove(
                    f"{box} cannot be taken from {src}: {on_top} stands on it at "
                    f"{self._where[on_top]}"
                )

    def _check_stack_target(
        self, box: ContainerNumber, length: int, dst: StackPlace
    ) -> tuple[CellKey, ...]:
        try:
            area, keys = self._geometry_of(dst, length)
        except OpenTosError as exc:
            raise IllegalMove(f"{box} ({length}') cannot go to {dst}: {exc}") from None
        cells = self._cells
        for key in keys:
            occupant = cells.get(key)
            if occupant is not None and occupant != box:
                raise IllegalMove(
                    f"{box} cannot go to {dst}: {occupant} is already at {self._where[occupant]}"
                )
            down = area.below(key[1:])
            if down is None:
                continue
            under = cells.get((key[0], *down))
            if under is None or under == box:
                raise IllegalMove(
                    f"{box} cannot go to {dst}: nothing under it in bay {down[0]:03d} "
                    f"row {down[1]:02d} tier {down[2]:02d} (no floating boxes)"
                )
            under_length = self._lengths[under]
            if under_length > length:
                raise IllegalMove(
                    f"{box} ({length}') cannot go to {dst}: it would stand on {under} "
                    f"({under_length}') at {self._where[under]} (no shorter box over a longer one)"
                )
        return keys

    def _commit(
        self,
        box: ContainerNumber,
        src: Place | None,
        dst: Place | None,
        new_keys: tuple[CellKey, ...],
        length: int,
    ) -> None:
        if src is not None:
            if isinstance(src, EquipmentPlace):
                del self._held[src]
            else:
                for key in self._occupies.pop(box):
                    del self._cells[key]
        if dst is None:
            del self._where[box]
            del self._lengths[box]
            return
        self._where[box] = dst
        self._lengths[box] = length
        if isinstance(dst, EquipmentPlace):
            self._held[dst] = box
        else:
            for key in new_keys:
                self._cells[key] = box
            self._occupies[box] = new_keys


class Ledger:
    """Append-only move events and the inventory they imply, in memory.

    The database store (:mod:`opentos.storage`) keeps the same two things in
    tables; this class serves the twin, planners' tests and property tests.
    """

    def __init__(self, areas: AreaResolver, length_of: LengthOf) -> None:
        self._areas = areas
        self._length_of = length_of
        self._events: list[MoveEvent] = []
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

    def rebuild(self) -> Inventory:
        """A fresh inventory from the events alone (checking every invariant again)."""
        return replay(self._events, self._areas, self._length_of)


def replay(events: Iterable[MoveEvent], areas: AreaResolver, length_of: LengthOf) -> Inventory:
    """Build an inventory by applying ``events`` in order from an empty terminal."""
    inventory = Inventory(areas, length_of)
    for event in events:
        inventory.apply(event)
    return inventory
