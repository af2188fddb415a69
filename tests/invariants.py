"""An inventory checker written apart from the ledger, for the tests to trust.

It knows only the bay convention (odd bays 20', even bays 40' over two odd
ones) and each stack's tiers, and checks a snapshot ``{container: place}``:
no place or cell holds two boxes, no floating box, nothing shorter stands on
something longer, every slot within its stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from opentos.model.ids import ContainerNumber
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace

Stack = Callable[[Place, int], tuple[int, ...]]
"""Tiers (ascending) of the stack a place is in, for a box of the given length; empty when
the place does not exist or cannot take that length."""


def violations(
    positions: Mapping[ContainerNumber, Place],
    length: Mapping[ContainerNumber, int],
    tiers_of: Stack,
) -> list[str]:
    """Every broken rule in the snapshot (empty when it is sound)."""
    found: list[str] = []
    cells: dict[tuple[str, int, int, int], ContainerNumber] = {}
    held: dict[EquipmentPlace, ContainerNumber] = {}
    for box, place in positions.items():
        if isinstance(place, EquipmentPlace):
            if place in held:
                found.append(f"{place} holds {held[place]} and {box}")
            held[place] = box
            continue
        area = f"Y{place.slot.block}" if isinstance(place, YardPlace) else f"V{place.visit}"
        bay, row, tier = place.slot.bay, place.slot.row, place.slot.tier
        size = length[box]
        if (bay % 2 == 1) != (size < 40):
            found.append(f"{box} ({size}') at {place}: wrong bay parity")
        if tier not in tiers_of(place, size):
            found.append(f"{box} at {place}: no such slot for a {size}' box")
        for b in (bay,) if bay % 2 else (bay - 1, bay + 1):
            key = (area, b, row, tier)
            if key in cells:
                found.append(f"{box} and {cells[key]} share cell {key}")
            cells[key] = box
    for (area, bay, row, tier), box in cells.items():
        place = positions[box]
        tiers = tiers_of(place, length[box])
        if tier not in tiers or tiers.index(tier) == 0:
            continue
        below = tiers[tiers.index(tier) - 1]
        under = cells.get((area, bay, row, below))
        if under is None:
            found.append(f"{box} at {place} floats: nothing at tier {below} of bay {bay}")
        elif length[under] > length[box]:
            found.append(f"{box} ({length[box]}') stands on {under} ({length[under]}')")
    return found


def yard_and_vessel_tiers(
    blocks: Mapping[str, tuple[int, int, int]],
    vessel_tiers: Callable[[VesselPlace, int], tuple[int, ...]],
) -> Stack:
    """A :data:`Stack` for blocks of ``(bays, rows, tiers)`` and vessels via ``vessel_tiers``."""

    def tiers_of(place: Place, length: int) -> tuple[int, ...]:
        if isinstance(place, YardPlace):
            bays, rows, tiers = blocks.get(place.slot.block, (0, 0, 0))
            bay, row = place.slot.bay, place.slot.row
            last = 2 * bays - 1 if bay % 2 else 2 * bays - 2
            if not (1 <= bay <= last and 1 <= row <= rows and length in (20, 40, 45)):
                return ()
            return tuple(range(1, tiers + 1))
        if isinstance(place, VesselPlace):
            return vessel_tiers(place, length)
        return ()

    return tiers_of
