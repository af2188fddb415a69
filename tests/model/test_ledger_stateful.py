"""Random legal and illegal moves against the ledger, judged by an independent checker.

The state machine moves a pool of 20', 40' and 45' boxes between a few yard
slots of the tiny terminal, a few slots of a feeder alongside, and an AGV. After
every step the independent checker (tests/invariants.py) must find the
inventory sound, and the inventory rebuilt from the ledger must equal the live
one. Every move the ledger accepts must be sound by the checker, and every move
it rejects must be unsound by the checker and change nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from invariants import violations, yard_and_vessel_tiers
from opentos.errors import DomainError, IllegalMove
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.terminal import Terminal
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.presets import load_preset

LAYOUT = load_preset("tiny")
PROFILE = vessel_class(1000)
VISIT = "V1"
T0 = datetime(2026, 1, 1, tzinfo=UTC)

BOXES = [
    Container(
        number=ContainerNumber.from_parts("TST", "U", i),
        iso_type=SizeType.parse(iso),
        operator="TST",
        full_empty=FullEmpty.EMPTY,
    )
    for i, iso in enumerate(["22G1"] * 6 + ["42G1"] * 5 + ["L5G1"] * 2, start=1)
]
TYPES = [SizeType.parse(code) for code in ("22G1", "42G1", "45G1", "L5G1")]

_SECTIONS = [s for s in PROFILE.sections if s.bay40 is not None][:2]
PLACES: list[Place] = [
    YardPlace(YardSlot("A01", bay, row, tier))
    for bay in (1, 2, 3)
    for row in (1, 2)
    for tier in (1, 2, 3)
] + [YardPlace(YardSlot("A01", 13, 1, 1)), YardPlace(YardSlot("A01", 1, 5, 1))]
PLACES += [YardPlace(YardSlot("A01", 1, 1, 5)), YardPlace(YardSlot("A01", 1, 1, 4))]
for section in _SECTIONS[:1]:
    for part in (section.hold, section.deck):
        for stack in part.stacks[:1]:
            for bay in (section.bays20[0], section.bay40 or 0, section.bays20[1]):
                for tier in (*stack.tiers[:2], stack.tiers[-1] + 2):
                    if tier < 99:
                        PLACES.append(VesselPlace(VISIT, BayRowTier(bay, stack.row, tier)))
PLACES += [EquipmentPlace("AGV01"), EquipmentPlace("AGV01", 2), EquipmentPlace("QC01")]


def _vessel_tiers(place: VesselPlace, length: int) -> tuple[int, ...]:
    slot = place.slot
    if (slot.bay % 2 == 1) != (length < 40):
        return ()
    try:
        stack = PROFILE.stack(slot.bay, slot.row, slot.on_deck)
    except DomainError:
        return ()
    if length == 45 and not stack.accepts_45:
        return ()
    if slot.bay % 2 == 0 and slot.bay not in {s.bay40 for s in PROFILE.sections}:
        return ()
    return stack.tiers


TIERS = yard_and_vessel_tiers(
    {b.id: (b.bays, b.rows, b.tiers) for b in LAYOUT.blocks}, _vessel_tiers
)


class LedgerMachine(RuleBasedStateMachine):
    """Moves boxes at random; the ledger must agree with the independent checker."""

    def __init__(self) -> None:
        super().__init__()
        self.terminal = Terminal(LAYOUT)
        self.terminal.add_visit(
            VesselVisit(id=VISIT, vessel_name="TEST", profile=PROFILE, operator="TST")
        )
        for container in BOXES:
            self.terminal.register(container)
        self.length = {b.number: b.length_ft for b in BOXES}
        self.clock = T0
        self.accepted = 0
        self.rejected = 0

    def _try(self, box: Container, src: Place | None, dst: Place | None) -> None:
        if src == dst:
            return
        self.clock += timedelta(seconds=1)
        event = MoveEvent(box.number, src, dst, self.clock)
        before = dict(self.terminal.inventory.positions())
        head = self.terminal.ledger.head
        expected = dict(before)
        if dst is None:
            expected.pop(box.number, None)
        else:
            expected[box.number] = dst
        sound = before.get(box.number) == src and not violations(expected, self.length, TIERS)
        try:
            self.terminal.record([event])
        except IllegalMove as exc:
            self.rejected += 1
            assert not sound, f"ledger rejected a sound move {event}: {exc}"
            assert dict(self.terminal.inventory.positions()) == before
            assert self.terminal.ledger.head == head
            return
        self.accepted += 1
        assert sound, (
            f"ledger accepted an unsound move {event}: {violations(expected, self.length, TIERS)}"
        )

    @rule(box=st.sampled_from(BOXES), dst=st.sampled_from(PLACES))
    def arrive(self, box: Container, dst: Place) -> None:
        """A box arrives from outside (illegal when it is already in)."""
        self._try(box, None, dst)

    @rule(box=st.sampled_from(BOXES), dst=st.sampled_from(PLACES))
    def move(self, box: Container, dst: Place) -> None:
        """A box moves from where the ledger says it is."""
        src = self.terminal.inventory.where(box.number)
        if src is not None:
            self._try(box, src, dst)

    @rule(box=st.sampled_from(BOXES), src=st.sampled_from(PLACES), dst=st.sampled_from(PLACES))
    def move_from_anywhere(self, box: Container, src: Place, dst: Place) -> None:
        """A move that names a from-place at random (usually wrong)."""
        self._try(box, src, dst)

    @rule(box=st.sampled_from(BOXES), step=st.sampled_from((-2, -1, 1, 2)))
    def shift_in_own_stack(self, box: Container, step: int) -> None:
        """A box moves up or down its own stack (it cannot stand on itself)."""
        src = self.terminal.inventory.where(box.number)
        if isinstance(src, YardPlace) and src.slot.tier + step >= 1:
            s = src.slot
            self._try(box, src, YardPlace(YardSlot(s.block, s.bay, s.row, s.tier + step)))
        elif isinstance(src, VesselPlace) and src.slot.tier + 2 * step >= 1:
            s = src.slot
            self._try(box, src, VesselPlace(src.visit, BayRowTier(s.bay, s.row, s.tier + 2 * step)))

    @rule(box=st.sampled_from(BOXES), dst=st.sampled_from(PLACES))
    def dig_out(self, box: Container, dst: Place) -> None:
        """Try to move (or send away) the box right under ``box`` (illegal: it is buried)."""
        top = self.terminal.inventory.where(box.number)
        below: Place | None = None
        if isinstance(top, YardPlace) and top.slot.tier > 1:
            s = top.slot
            bay20 = s.bay if s.bay % 2 else s.bay - 1  # a 20' cell of the box
            below = YardPlace(YardSlot(s.block, bay20, s.row, s.tier - 1))
        elif isinstance(top, VesselPlace) and top.slot.tier > 2:
            s = top.slot
            below = VesselPlace(top.visit, BayRowTier(s.bay, s.row, s.tier - 2))
        if below is None:
            return
        for candidate in (below, *self._same_stack_40s(below)):
            under = self.terminal.inventory.at(candidate)
            if under is not None:
                buried = next(b for b in BOXES if b.number == under)
                self._try(buried, candidate, dst)
                self._try(buried, candidate, None)
                return

    @staticmethod
    def _same_stack_40s(place: Place) -> list[Place]:
        """The 40' positions that cover a 20' cell (a 40' below is at an even bay)."""
        if isinstance(place, YardPlace) and place.slot.bay % 2:
            s = place.slot
            return [
                YardPlace(YardSlot(s.block, b, s.row, s.tier))
                for b in (s.bay - 1, s.bay + 1)
                if b >= 2
            ]
        if isinstance(place, VesselPlace) and place.slot.bay % 2:
            s = place.slot
            return [
                VesselPlace(place.visit, BayRowTier(b, s.row, s.tier))
                for b in (s.bay - 1, s.bay + 1)
                if b >= 2
            ]
        return []

    @rule(box=st.sampled_from(BOXES))
    def depart(self, box: Container) -> None:
        """A box leaves the terminal from where it is (illegal when buried)."""
        src = self.terminal.inventory.where(box.number)
        if src is not None:
            self._try(box, src, None)

    @rule(box=st.sampled_from(BOXES), iso_type=st.sampled_from(TYPES))
    def register_again(self, box: Container, iso_type: SizeType) -> None:
        """A box is registered again with another type (refused when in and its length changes)."""
        new = replace(box, iso_type=iso_type)
        inside = self.terminal.inventory.where(box.number) is not None
        before = dict(self.terminal.inventory.positions())
        try:
            self.terminal.register(new)
        except IllegalMove:
            assert inside
            assert self.length[box.number] != new.length_ft
            assert dict(self.terminal.inventory.positions()) == before
            return
        assert not inside or self.length[box.number] == new.length_ft
        self.length[box.number] = new.length_ft

    @rule(box=st.sampled_from(BOXES), iso_type=st.sampled_from(TYPES))
    def amend(self, box: Container, iso_type: SizeType) -> None:
        """A box's size-type is amended where it stands; the checker judges the new length."""
        positions = dict(self.terminal.inventory.positions())
        lengths = {**self.length, box.number: iso_type.length_ft}
        sound = box.number not in positions or not violations(positions, lengths, TIERS)
        try:
            self.terminal.amend_size_type(box.number, iso_type)
        except IllegalMove as exc:
            assert not sound, f"amendment of a sound {box.number} to {iso_type} refused: {exc}"
            assert dict(self.terminal.inventory.positions()) == positions
            return
        assert sound, f"unsound amendment accepted: {violations(positions, lengths, TIERS)}"
        self.length = lengths

    @invariant()
    def sound(self) -> None:
        """The independent checker finds nothing wrong."""
        positions = dict(self.terminal.inventory.positions())
        assert violations(positions, self.length, TIERS) == []

    @invariant()
    def rebuild_equals_live(self) -> None:
        """Replaying the ledger gives the live inventory."""
        assert self.terminal.ledger.rebuild() == self.terminal.inventory


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
