"""Moves an operator confirms: each checked first, recorded whole or not at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from operations_helpers import PROFILE, T0, boxes, snapshot

from opentos.errors import DomainError, IllegalMove, IllegalTransition, InvalidSlot, NotFound
from opentos.model.container import Hold, HoldKind
from opentos.model.ids import ContainerNumber
from opentos.model.places import EquipmentPlace, VesselPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.visits import VisitPhase
from opentos.operations import moves, visits
from opentos.storage.store import Store

YARD_1 = YardPlace(YardSlot.parse("A01.001.01.1"))
YARD_2 = YardPlace(YardSlot.parse("A01.001.02.1"))
LATER = T0 + timedelta(hours=1)


def _top(store: Store) -> tuple[ContainerNumber, VesselPlace]:
    number, place = max(store.on_visit("V1"), key=lambda item: str(item[1]))
    assert isinstance(place, VesselPlace)
    return number, place


def test_a_discharge_moves_the_top_box_to_the_yard(call: Store) -> None:
    """A discharge is one ledger event from the vessel slot to the yard, by the crane."""
    number, slot = _top(call)
    done = moves.discharge(call, "V1", number, YARD_1, at=LATER, crane="QC01")
    assert call.where(number) == YARD_1
    assert [(e.from_place, e.to_place, e.equipment) for e in done.events] == [
        (slot, YARD_1, "QC01")
    ]
    assert call.visit("V1").phase is VisitPhase.WORKING


def test_a_discharge_of_a_box_not_on_board_changes_nothing(call: Store) -> None:
    """A box that is not on board the visit cannot be discharged from it."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    before = snapshot(call)
    with pytest.raises(IllegalMove, match=f"it is at {YARD_1}, not on board visit V1"):
        moves.discharge(call, "V1", number, YARD_2, at=LATER)
    assert snapshot(call) == before


def test_an_unknown_container_is_not_found(call: Store) -> None:
    """A move of a box the terminal never registered names the box."""
    stranger = boxes(1, seed=99)[0].number
    before = snapshot(call)
    for attempt in (
        lambda: moves.discharge(call, "V1", stranger, YARD_1, at=LATER),
        lambda: moves.load(call, "V1", stranger, BayRowTier(1, 0, 82), at=LATER),
        lambda: moves.gate_out(call, "T1", stranger, at=LATER),
    ):
        with pytest.raises(NotFound, match=str(stranger)):
            attempt()
    assert snapshot(call) == before


def test_the_ledger_refuses_a_box_under_another(call: Store) -> None:
    """Discharging a box with a box on top of it is refused by the ledger; nothing changes."""
    bottom = min(call.on_visit("V1"), key=lambda item: str(item[1]))[0]
    before = snapshot(call)
    with pytest.raises(IllegalMove):
        moves.discharge(call, "V1", bottom, YARD_1, at=LATER)
    assert snapshot(call) == before


def test_moves_need_the_visit_in_the_terminal(call: Store) -> None:
    """A planned vessel takes no load; its arrival must come first."""
    visits.add_vessel_visit(call, "V2", vessel_name="OTHER", operator="MSC", teu=2_000)
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    before = snapshot(call)
    with pytest.raises(IllegalTransition, match="V2 is planned; record its arrival first"):
        moves.load(call, "V2", number, BayRowTier(1, 0, 82), at=LATER)
    assert snapshot(call) == before


def test_a_load_goes_into_a_slot_the_vessel_has(call: Store) -> None:
    """A load records yard -> vessel slot; a slot the vessel lacks is refused by name."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    before = snapshot(call)
    with pytest.raises(InvalidSlot, match="slot 0019982 does not exist"):
        moves.load(call, "V1", number, BayRowTier(1, 99, 82), at=LATER)
    assert snapshot(call) == before
    deck = next(s for s in PROFILE.slots(20) if s.on_deck)
    done = moves.load(call, "V1", number, deck, at=LATER, crane="QC02")
    assert call.where(number) == VesselPlace("V1", deck)
    assert done.events[0].from_place == YARD_1


def test_a_box_on_hold_is_not_loaded_nor_gated_out(call: Store) -> None:
    """A hold stops a load and a gate-out, naming the hold; nothing changes."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    with call.transaction() as tx:
        box = tx.container(number)
        tx.register(replace(box, holds=(Hold(HoldKind.CUSTOMS, "scan"),)))
    before = snapshot(call)
    deck = next(s for s in PROFILE.slots(20) if s.on_deck)
    with pytest.raises(DomainError, match="on hold: customs \\(scan\\)"):
        moves.load(call, "V1", number, deck, at=LATER)
    with pytest.raises(DomainError, match="on hold: customs"):
        moves.gate_out(call, "T1", number, at=LATER)
    assert snapshot(call) == before


def test_a_full_box_without_vgm_is_not_loaded(call: Store) -> None:
    """SOLAS VI/2: no VGM, no load."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    with call.transaction() as tx:
        tx.register(replace(tx.container(number), vgm_kg=None))
    before = snapshot(call)
    deck = next(s for s in PROFILE.slots(20) if s.on_deck)
    with pytest.raises(DomainError, match="no VGM, no load"):
        moves.load(call, "V1", number, deck, at=LATER)
    assert snapshot(call) == before


def test_a_relocation_stays_in_the_yard(call: Store) -> None:
    """A yard shift moves a grounded box to another slot; it cannot take a box off a vessel."""
    number, _ = _top(call)
    other, _ = min(call.on_visit("V1"), key=lambda item: str(item[1]))
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    moves.relocate(call, number, YARD_2, at=LATER, equipment="A01-W")
    assert call.where(number) == YARD_2
    before = snapshot(call)
    with pytest.raises(IllegalMove, match="a relocation is within the yard"):
        moves.relocate(call, other, YARD_1, at=LATER)
    assert snapshot(call) == before


def test_a_gate_in_brings_a_box_by_truck_to_the_yard(call: Store) -> None:
    """A gate-in is outside -> the truck -> the yard; an unknown box needs its master data."""
    box = boxes(1, seed=5)[0]
    before = snapshot(call)
    with pytest.raises(NotFound, match="give its size-type and operator"):
        moves.gate_in(call, "T1", box.number, YARD_1, at=LATER)
    assert snapshot(call) == before
    done = moves.gate_in(call, "T1", box.number, YARD_1, at=LATER, register=box)
    truck = EquipmentPlace("T1")
    assert [(e.from_place, e.to_place, e.equipment) for e in done.events] == [
        (None, truck, "T1"),
        (truck, YARD_1, None),
    ]
    assert call.container(box.number) == box
    with pytest.raises(IllegalMove, match="in the terminal already"):
        moves.gate_in(call, "T1", box.number, YARD_2, at=LATER)


def test_a_gate_out_takes_a_box_from_the_yard_by_truck(call: Store) -> None:
    """A gate-out is the yard -> the truck -> outside; the box leaves the terminal."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    done = moves.gate_out(call, "T1", number, at=LATER, yard_crane="A01-L")
    assert call.where(number) is None
    assert [(e.to_place, e.equipment) for e in done.events] == [
        (EquipmentPlace("T1"), "A01-L"),
        (None, "T1"),
    ]


def test_a_truck_that_has_not_arrived_moves_nothing(call: Store) -> None:
    """A gate move needs its truck through the gate first."""
    visits.add_truck_visit(call, "T2", licence_plate="LU-B2")
    number, _ = _top(call)
    moves.discharge(call, "V1", number, YARD_1, at=LATER)
    before = snapshot(call)
    with pytest.raises(IllegalTransition, match="T2 is planned"):
        moves.gate_out(call, "T2", number, at=LATER)
    assert snapshot(call) == before


def test_an_unknown_crane_is_not_found(call: Store) -> None:
    """A quay crane the terminal lacks is refused by name before anything is recorded."""
    number, _ = _top(call)
    before = snapshot(call)
    with pytest.raises(NotFound, match="no quay crane 'QC09'"):
        moves.discharge(call, "V1", number, YARD_1, at=LATER, crane="QC09")
    assert snapshot(call) == before


def test_a_refused_gate_in_registers_nothing(call: Store) -> None:
    """The master data given with a refused gate-in are not kept either."""
    visits.add_truck_visit(call, "T2", licence_plate="LU-B2")
    box = boxes(1, seed=6)[0]
    before = snapshot(call)
    with pytest.raises(IllegalTransition, match="T2 is planned"):
        moves.gate_in(call, "T2", box.number, YARD_1, at=LATER, register=box)
    assert snapshot(call) == before
    with pytest.raises(NotFound):
        call.container(box.number)


def test_a_departing_truck_takes_its_box_out_through_the_gate(call: Store) -> None:
    """A box left on a truck leaves with it, as a gate-out made by the truck."""
    number, _ = _top(call)
    moves.discharge(call, "V1", number, EquipmentPlace("T1"), at=LATER)
    visits.depart(call, "T1", LATER + timedelta(minutes=5))
    assert call.where(number) is None
    last = call.events(container=number)[-1]
    assert (last.from_place, last.to_place, last.equipment) == (EquipmentPlace("T1"), None, "T1")


def test_a_retried_confirmation_changes_nothing(call: Store) -> None:
    """The same move at the same time again returns its events and records nothing new."""
    number, _ = _top(call)
    first = moves.discharge(call, "V1", number, YARD_1, at=LATER, crane="QC01")
    before = snapshot(call)
    assert moves.discharge(call, "V1", number, YARD_1, at=LATER, crane="QC01") == first
    assert snapshot(call) == before
    with pytest.raises(IllegalMove, match="not on board visit V1"):
        moves.discharge(call, "V1", number, YARD_1, at=LATER + timedelta(seconds=1))
    box = boxes(1, seed=7)[0]
    gated = moves.gate_in(call, "T1", box.number, YARD_2, at=LATER, register=box)
    before = snapshot(call)
    assert moves.gate_in(call, "T1", box.number, YARD_2, at=LATER, register=box) == gated
    assert snapshot(call) == before
