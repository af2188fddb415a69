"""Stack geometry shared by yard blocks and vessel bays.

Both a yard block and a vessel's bays hold boxes in stacks addressed by bay,
row and tier, with the ISO 9711 bay convention: odd bays are 20-foot
positions, an even bay ``B`` is the 40-foot (and 45-foot) position over the
two 20-foot bays ``B - 1`` and ``B + 1``. Underneath, every box occupies one
or two *cells*: ``(bay20, row, tier)`` with an odd ``bay20``.

The ledger checks its invariants on cells only, through the
:class:`StackArea` protocol, so the rules are written once for the yard and
for vessels:

- a cell holds at most one box;
- a box above the bottom of its stack stands on boxes in every cell it
  occupies (no floating boxes);
- a box never stands on a longer box (no 20' over a 40', no 40' over a 45');
- a box is taken off a stack only when nothing stands on it;
- tiers stay within the limits of the stack (the area rejects the slot).
"""

from __future__ import annotations

from typing import Protocol

Cell = tuple[int, int, int]
"""``(bay20, row, tier)``: one 20-foot position in a stack area; ``bay20`` is odd."""


def cells_of(bay: int, row: int, tier: int) -> tuple[Cell, ...]:
    """Cells a box at ``bay`` occupies: one for an odd (20') bay, two for an even bay."""
    if bay % 2:
        return ((bay, row, tier),)
    return ((bay - 1, row, tier), (bay + 1, row, tier))


class StackArea(Protocol):
    """A place where boxes stand in stacks: a yard block, or one vessel's bays."""

    @property
    def area_id(self) -> str:
        """Name of the area (block id, or vessel visit id), used in messages."""
        ...

    def cells(self, bay: int, row: int, tier: int, length_ft: int) -> tuple[Cell, ...]:
        """Cells a box of ``length_ft`` feet occupies at ``bay``/``row``/``tier``.

        Raises
        ------
        InvalidSlot
            The slot does not exist in this area (bay, row or tier out of its limits).
        IllegalMove
            The slot exists but cannot take a box of this length (a 20' in an even
            bay, a 45' where 45' is not allowed, ...).
        """
        ...

    def below(self, cell: Cell) -> Cell | None:
        """The cell that supports ``cell``; ``None`` at the bottom of its stack."""
        ...

    def above(self, cell: Cell) -> Cell | None:
        """The cell standing on ``cell``; ``None`` at the top tier of its stack."""
        ...
