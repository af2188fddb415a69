"""The ledger's invariants on the tiny terminal's block A01 (6 bays x 4 rows x 4 tiers)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opentos.errors import IllegalMove, InvalidValue
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.ledger import EventKind, MoveEvent
from opentos.model.places import EquipmentPlace, YardPlace, parse_place
from opentos.model.terminal import Terminal
from opentos.presets import load_preset

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def box(serial: int, iso: str = "22G1") -> Container:
    """A container with a valid number made from ``serial``."""
    return Container(
        number=ContainerNumber.from_parts("TST", "U", serial),
        iso_type=SizeType.parse(iso),
        operator="TST",
        full_empty=FullEmpty.EMPTY,
    )


def yard(text: str) -> YardPlace:
    place = parse_place(f"yard:{text}")
    assert isinstance(place, YardPlace)
    return place


@pytest.fixture
def tiny() -> Terminal:
    """The tiny terminal with ten 20' (1-10) and ten 40' (11-20) boxes registered."""
    terminal = Terminal(load_preset("tiny"))
    for n in range(1, 11):
        terminal.register(box(n, "22G1"))
    for n in range(11, 21):
        terminal.register(box(n, "42G1"))
    terminal.register(box(21, "L5G1"))
    return terminal


def arrive(terminal: Terminal, serial: int, place: str) -> None:
    number = ContainerNumber.from_parts("TST", "U", serial)
    terminal.record([MoveEvent(number, None, parse_place(place), T0)])


def move(terminal: Terminal, serial: int, src: str | None, dst: str | None) -> None:
    number = ContainerNumber.from_parts("TST", "U", serial)
    terminal.record(
        [
            MoveEvent(
                number,
                None if src is None else parse_place(src),
                None if dst is None else parse_place(dst),
                T0,
            )
        ]
    )


def n(serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts("TST", "U", serial)


def test_arrive_move_depart() -> None:
    """A box arrives, moves and departs; the inventory follows."""
    terminal = Terminal(load_preset("tiny"))
    terminal.register(box(1))
    arrive(terminal, 1, "yard:A01.001.01.1")
    assert terminal.inventory.where(n(1)) == yard("A01.001.01.1")
    move(terminal, 1, "yard:A01.001.01.1", "equipment:AGV01")
    assert terminal.inventory.at(EquipmentPlace("AGV01")) == n(1)
    move(terminal, 1, "equipment:AGV01", None)
    assert terminal.inventory.where(n(1)) is None
    kinds = [e.kind for e in terminal.ledger.events]
    assert kinds == [EventKind.ARRIVE, EventKind.MOVE, EventKind.DEPART]
    assert [e.seq for e in terminal.ledger.events] == [1, 2, 3]


def test_container_is_in_one_place(tiny: Terminal) -> None:
    """A box cannot arrive twice nor move from where it is not."""
    arrive(tiny, 1, "yard:A01.001.01.1")
    with pytest.raises(IllegalMove, match=r"already at yard:A01.001.01.1"):
        arrive(tiny, 1, "yard:A01.003.01.1")
    with pytest.raises(IllegalMove, match=r"cannot move from yard:A01.003.01.1: it is at"):
        move(tiny, 1, "yard:A01.003.01.1", "yard:A01.005.01.1")
    with pytest.raises(IllegalMove, match="not in the terminal"):
        move(tiny, 2, "yard:A01.005.01.1", None)


def test_place_holds_one_container(tiny: Terminal) -> None:
    """A slot, a cell under a 40' or an equipment spot holds one box."""
    arrive(tiny, 11, "yard:A01.002.01.1")  # a 40' over 20' bays 1 and 3
    with pytest.raises(IllegalMove, match=f"{n(11)} is already at yard:A01.002.01.1"):
        arrive(tiny, 1, "yard:A01.003.01.1")
    arrive(tiny, 2, "equipment:AGV01")
    with pytest.raises(IllegalMove, match="already there"):
        arrive(tiny, 3, "equipment:AGV01")
    arrive(tiny, 3, "equipment:AGV01:2")


def test_no_floating_boxes(tiny: Terminal) -> None:
    """A box above tier 1 needs a box under every cell it covers."""
    with pytest.raises(IllegalMove, match="no floating boxes"):
        arrive(tiny, 1, "yard:A01.001.01.2")
    arrive(tiny, 1, "yard:A01.001.01.1")
    with pytest.raises(IllegalMove, match="no floating boxes"):
        arrive(tiny, 11, "yard:A01.002.01.2")  # bay 3 under it is empty
    arrive(tiny, 2, "yard:A01.003.01.1")
    arrive(tiny, 11, "yard:A01.002.01.2")  # 40' on two 20's is fine


def test_no_shorter_box_over_longer(tiny: Terminal) -> None:
    """No 20' over a 40', no 40' over a 45'."""
    arrive(tiny, 11, "yard:A01.002.01.1")
    with pytest.raises(IllegalMove, match="no shorter box over a longer one"):
        arrive(tiny, 1, "yard:A01.001.01.2")
    arrive(tiny, 21, "yard:A01.004.02.1")  # a 45' at a 40' position
    with pytest.raises(IllegalMove, match="no shorter box over a longer one"):
        arrive(tiny, 12, "yard:A01.004.02.2")


def test_box_taken_only_from_the_top(tiny: Terminal) -> None:
    """A box with another on top cannot be moved; the top one can."""
    arrive(tiny, 1, "yard:A01.001.01.1")
    arrive(tiny, 2, "yard:A01.001.01.2")
    with pytest.raises(IllegalMove, match=f"{n(2)} stands on it"):
        move(tiny, 1, "yard:A01.001.01.1", "yard:A01.005.01.1")
    move(tiny, 2, "yard:A01.001.01.2", "yard:A01.005.01.1")
    move(tiny, 1, "yard:A01.001.01.1", "yard:A01.005.01.2")


def test_box_cannot_stand_on_itself(tiny: Terminal) -> None:
    """Moving a box one tier up its own stack leaves it floating."""
    arrive(tiny, 1, "yard:A01.001.01.1")
    with pytest.raises(IllegalMove, match="no floating boxes"):
        move(tiny, 1, "yard:A01.001.01.1", "yard:A01.001.01.2")


def test_tier_and_slot_limits(tiny: Terminal) -> None:
    """Slots outside the block, tiers above its limit and wrong bay parity are rejected."""
    for place in (
        "yard:A01.001.01.5",
        "yard:A01.013.01.1",
        "yard:A01.001.05.1",
        "yard:ZZ9.001.01.1",
    ):
        with pytest.raises(IllegalMove, match=place.removeprefix("yard:")):
            arrive(tiny, 1, place)
    with pytest.raises(IllegalMove, match=f"{n(1)}.*needs an odd bay"):
        arrive(tiny, 1, "yard:A01.002.01.1")  # a 20' at a 40' position
    with pytest.raises(IllegalMove):
        arrive(tiny, 11, "yard:A01.003.01.1")  # a 40' at a 20' position
    assert len(tiny.inventory) == 0


def test_unregistered_container_cannot_arrive(tiny: Terminal) -> None:
    """A box needs master data (its type gives its length) before it arrives."""
    with pytest.raises(IllegalMove, match="not registered"):
        arrive(tiny, 99, "yard:A01.001.01.1")


def test_batch_is_all_or_nothing(tiny: Terminal) -> None:
    """When one event of a batch is illegal, none is applied and the error names it."""
    events = [
        MoveEvent(n(1), None, parse_place("yard:A01.001.01.1"), T0),
        MoveEvent(n(2), None, parse_place("yard:A01.001.01.2"), T0),
        MoveEvent(n(3), None, parse_place("yard:A01.001.01.4"), T0),
    ]
    with pytest.raises(IllegalMove, match="event 3 of 3"):
        tiny.record(events)
    assert len(tiny.inventory) == 0
    assert tiny.ledger.head == 0
    tiny.record(events[:2])
    assert tiny.ledger.head == 2


def test_bad_events_are_rejected_when_made() -> None:
    """An event from outside to outside, to where it is, or without a time zone is invalid."""
    place = parse_place("yard:A01.001.01.1")
    with pytest.raises(InvalidValue):
        MoveEvent(n(1), None, None, T0)
    with pytest.raises(InvalidValue):
        MoveEvent(n(1), place, place, T0)
    with pytest.raises(InvalidValue, match="time zone"):
        MoveEvent(n(1), None, place, datetime(2026, 1, 1))


def test_rebuild_equals_live_inventory(tiny: Terminal) -> None:
    """The inventory rebuilt from the events equals the live one."""
    arrive(tiny, 1, "yard:A01.001.01.1")
    arrive(tiny, 2, "yard:A01.003.01.1")
    arrive(tiny, 11, "yard:A01.002.01.2")
    move(tiny, 11, "yard:A01.002.01.2", "equipment:AGV01")
    move(tiny, 2, "yard:A01.003.01.1", None)
    assert tiny.ledger.rebuild() == tiny.inventory
    assert dict(tiny.ledger.rebuild().positions()) == {
        n(1): parse_place("yard:A01.001.01.1"),
        n(11): parse_place("equipment:AGV01"),
    }
