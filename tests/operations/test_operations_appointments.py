"""Truck appointments booked, changed, cancelled and checked in against the stored terminal."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from operations_helpers import PROFILE, boxes, snapshot

from opentos.errors import BookingRefused, IllegalTransition, NotFound
from opentos.model.appointments import Appointment, AppointmentState, GateMove, SlotRules
from opentos.model.container import Container
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.model.visits import VesselVisit
from opentos.operations import appointments as vbs
from opentos.storage.store import Store

SLOT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
NOW = SLOT - timedelta(days=1)
RULES = SlotRules(
    per_slot={GateMove.PICK_UP_IMPORT: 100, GateMove.DELIVER_EXPORT: 5, GateMove.PICK_UP_EMPTY: 1},
    block_quota={"A01": 2},
)


@pytest.fixture
def yard(terminal: Store) -> tuple[Store, list[Container]]:
    """The tiny terminal with slot rules, four full boxes and an empty one in block A01, one on
    customs hold, and two boxes booked for export, not yet in."""
    made = boxes(8)
    empty = Container.from_dict({**made[4].to_dict(), "full_empty": "E", "vgm_kg": None})
    held = Container.from_dict(
        {**made[3].to_dict(), "holds": [{"kind": "customs", "reason": "scan"}]}
    )
    dangerous = Container.from_dict(
        {**made[6].to_dict(), "dangerous_goods": [{"imdg_class": "1.4", "un_number": 81}]}
    )
    no_vgm = Container.from_dict({**made[7].to_dict(), "vgm_kg": None})
    in_yard = [*made[:3], held, empty]
    with terminal.transaction() as tx:
        tx.register_many([*in_yard, made[5], dangerous, no_vgm])
        for row, box in enumerate(in_yard, start=1):
            slot = YardSlot("A01", 1 + 2 * (row // 5), 1 + row % 4, 1 + row // 8)
            tx.record([MoveEvent(box.number, None, YardPlace(slot), NOW - timedelta(days=2))])
        tx.add_visit(
            VesselVisit(id="V9", vessel_name="FEEDER", operator="MSC", profile=PROFILE,
                        planned_arrival=SLOT + timedelta(hours=6))
        )  # fmt: skip
    vbs.set_slot_rules(terminal, RULES)
    return terminal, [*in_yard, made[5], dangerous, no_vgm]


def _pick_up(store: Store, box: Container) -> Appointment:
    return vbs.book(
        store, haulier="HAUL", move=GateMove.PICK_UP_IMPORT,
        slot=SLOT, truck="QD-1", driver="D. Driver", containers=[box.number], now=NOW,
    )  # fmt: skip


def test_a_block_quota_is_kept_and_a_refusal_changes_nothing(
    yard: tuple[Store, list[Container]],
) -> None:
    store, box = yard
    first = vbs.book(store, haulier="HAUL", move=GateMove.PICK_UP_IMPORT, slot=SLOT,
                     truck="QD-1", driver="A", containers=[box[0].number], now=NOW)  # fmt: skip
    assert first.blocks == ("A01",)
    assert first.state is AppointmentState.BOOKED
    _pick_up(store, box[1])
    before = snapshot(store), store.appointments()
    with pytest.raises(BookingRefused, match="block A01 takes 2 boxes per slot and 2 are booked"):
        _pick_up(store, box[2])
    assert (snapshot(store), store.appointments()) == before
    vbs.cancel(store, first.id, haulier="HAUL")  # its place is free again
    assert _pick_up(store, box[2])


def test_what_each_box_must_be(yard: tuple[Store, list[Container]]) -> None:
    store, box = yard
    held, empty, booked, dangerous, no_vgm = box[3], box[4], box[5], box[6], box[7]
    with pytest.raises(BookingRefused, match=r"is on hold \(customs\); it cannot be picked up"):
        _pick_up(store, held)
    with pytest.raises(BookingRefused, match="is not in the terminal"):
        _pick_up(store, booked)
    with pytest.raises(BookingRefused, match="not known to this terminal"):
        _pick_up(store, Container.from_dict({**booked.to_dict(), "number": "MSCU1234566"}))
    full = box[0]
    with pytest.raises(BookingRefused, match="is full; an empty pick-up takes an empty box"):
        vbs.book(store, haulier="H", move=GateMove.PICK_UP_EMPTY, slot=SLOT, truck="T",
                 driver="D", containers=[full.number], now=NOW)  # fmt: skip
    vbs.book(store, haulier="H", move=GateMove.PICK_UP_EMPTY, slot=SLOT, truck="T",
             driver="D", containers=[empty.number], now=NOW)  # fmt: skip

    def export(container: Container, visit: str | None = None) -> Appointment:
        return vbs.book(
            store, haulier="H", move=GateMove.DELIVER_EXPORT, slot=SLOT, truck="T", driver="D",
            containers=[container.number], now=NOW, visit=visit,
        )  # fmt: skip

    with pytest.raises(BookingRefused, match="is already in the terminal"):
        export(full)
    with pytest.raises(BookingRefused, match=r"has no verified gross mass \(VGM\)"):
        export(no_vgm)
    with pytest.raises(BookingRefused, match=r"IMDG class 1\.4, which this terminal does not take"):
        export(dangerous)
    with pytest.raises(BookingRefused, match="the cut-off of V9 is 2026-12-08 03:00 UTC"):
        export(booked, visit="V9")
    assert export(booked)


def test_a_haulier_sees_and_changes_only_its_own(yard: tuple[Store, list[Container]]) -> None:
    store, box = yard
    mine = _pick_up(store, box[0])
    with pytest.raises(NotFound, match="is not known"):
        vbs.cancel(store, mine.id, haulier="OTHER")
    moved = vbs.change(store, mine.id, haulier="HAUL", slot=SLOT + timedelta(hours=1), now=NOW)
    assert moved.slot == SLOT + timedelta(hours=1)
    assert [a.haulier for a in store.appointments(haulier="HAUL")] == ["HAUL"]
    assert store.appointments(haulier="OTHER") == []
    with pytest.raises(BookingRefused, match=r"bookings closed"):
        vbs.change(store, mine.id, haulier="HAUL", slot=SLOT, now=SLOT + timedelta(hours=1))
    assert store.appointments()[0].slot == SLOT + timedelta(hours=1)  # unchanged
    vbs.cancel(store, mine.id, haulier="HAUL")
    with pytest.raises(IllegalTransition, match="is cancelled; only a booked one changes"):
        vbs.change(store, mine.id, haulier="HAUL", truck="QD-2", now=NOW)


def test_check_in_and_no_shows(yard: tuple[Store, list[Container]]) -> None:
    store, box = yard
    on_time = _pick_up(store, box[0])
    absent = _pick_up(store, box[1])
    with pytest.raises(BookingRefused, match="too early"):
        vbs.arrive(store, on_time.id, SLOT - timedelta(hours=1))
    assert vbs.arrive(store, on_time.id, SLOT + timedelta(minutes=5)).state is (
        AppointmentState.CHECKED_IN
    )
    marked = vbs.mark_no_shows(store, SLOT + timedelta(hours=2))
    assert [a.id for a in marked] == [absent.id]
    states = {a.id: a.state for a in store.appointments()}
    assert states == {on_time.id: AppointmentState.CHECKED_IN, absent.id: AppointmentState.NO_SHOW}


def test_without_slot_rules_no_appointment_is_taken(terminal: Store) -> None:
    (box,) = boxes(1)
    with pytest.raises(NotFound, match="has set no slot rules"):
        _pick_up(terminal, box)


def test_two_hauliers_asking_for_the_last_place_one_wins(
    yard: tuple[Store, list[Container]], database_url: str
) -> None:
    """Two workers book the last empty pick-up of a slot at once: exactly one has it, the
    other is refused (not an error)."""
    store, _box = yard
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def book(haulier: str) -> None:
        with Store.open(database_url) as mine:
            start.wait()
            try:
                vbs.book(mine, haulier=haulier, move=GateMove.PICK_UP_EMPTY, slot=SLOT,
                         truck="T", driver="D", reference=f"REL-{haulier}", now=NOW)  # fmt: skip
                outcomes.append("booked")
            except BookingRefused as exc:
                outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=book, args=(h,)) for h in ("ONE", "TWO")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "booked"
    assert sorted(outcomes)[1].startswith("refused: slot 2026-12-08T09:00:00+00:00: pick-up-empty")
    assert len(store.appointments()) == 1
