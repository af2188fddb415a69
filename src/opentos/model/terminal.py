"""The terminal in memory: layout, container master data, visits and the ledger.

:class:`Terminal` is the aggregate the twin and the tests work on without a
database; :mod:`opentos.storage` keeps the same state in tables and uses the
same :class:`~opentos.model.ledger.Inventory` to check every event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from opentos.errors import InvalidSlot, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import Inventory, Ledger, MoveEvent, check_registration
from opentos.model.places import StackPlace, YardPlace
from opentos.model.stacking import StackArea
from opentos.model.visits import VesselVisit, Visit


def stack_area(layout: TerminalLayout, visits: Mapping[str, Visit], place: StackPlace) -> StackArea:
    """The yard block or vessel profile of a stack place.

    Raises
    ------
    InvalidSlot
        The block or visit does not exist, or the visit is not a vessel visit.
    """
    if isinstance(place, YardPlace):
        try:
            return layout.block(place.slot.block)
        except NotFound as exc:
            raise InvalidSlot(str(exc)) from None
    visit = visits.get(place.visit)
    if visit is None:
        raise InvalidSlot(f"{place}: no visit {place.visit!r}")
    if not isinstance(visit, VesselVisit):
        raise InvalidSlot(f"{place}: visit {place.visit} is a {visit.kind} visit, not a vessel")
    return visit.profile


class Terminal:
    """A terminal's state in memory, every change checked by the ledger."""

    def __init__(self, layout: TerminalLayout) -> None:
        self.layout = layout
        self.containers: dict[ContainerNumber, Container] = {}
        self.visits: dict[str, Visit] = {}
        self.ledger = Ledger(self._area, self._length_of)

    @property
    def inventory(self) -> Inventory:
        """Where every container is now."""
        return self.ledger.inventory

    def _area(self, place: StackPlace) -> StackArea:
        return stack_area(self.layout, self.visits, place)

    def _length_of(self, number: ContainerNumber) -> int:
        container = self.containers.get(number)
        if container is None:
            raise NotFound(f"container {number} is not registered")
        return container.length_ft

    def register(self, container: Container) -> None:
        """Add or update a container's master data (see :func:`check_registration`)."""
        old = self.containers.get(container.number)
        before = None if old is None else (old.iso_type.code, old.length_ft)
        if (
            check_registration(self.inventory, container, before)
            and old is not None
            and old.length_ft != container.length_ft
        ):
            self.ledger.amend_length(container.number, old.length_ft, container.length_ft)
        self.containers[container.number] = container

    def amend_size_type(self, number: ContainerNumber, iso_type: SizeType) -> Container:
        """Change a known box's size-type where it stands, checked and noted for replays.

        Raises
        ------
        NotFound
            The box was never registered.
        IllegalMove
            Its place cannot hold the new length; nothing was changed.
        """
        old = self.containers.get(number)
        if old is None:
            raise NotFound(f"container {number} is not registered")
        new = replace(old, iso_type=iso_type)
        if new.length_ft != old.length_ft:
            self.inventory.change_length(number, new.length_ft)
            self.ledger.amend_length(number, old.length_ft, new.length_ft)
        self.containers[number] = new
        return new

    def add_visit(self, visit: Visit) -> None:
        """Add or replace a visit."""
        self.visits[visit.id] = visit

    def record(self, events: Iterable[MoveEvent]) -> list[MoveEvent]:
        """Append events to the ledger, all or nothing (see :meth:`Ledger.append`)."""
        return self.ledger.append(events)
