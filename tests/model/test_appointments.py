"""Truck appointments: slot capacities per move, block quotas, priority shares, windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opentos.errors import BookingRefused, IllegalTransition, InvalidValue
from opentos.model.appointments import (
    Appointment,
    AppointmentState,
    GateMove,
    SlotRules,
    check_booking,
    check_in,
)
from opentos.model.ids import ContainerNumber

SLOT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
NOW = SLOT - timedelta(days=1)
RULES = SlotRules(
    slot_minutes=30,
    per_slot={GateMove.PICK_UP_IMPORT: 100, GateMove.PICK_UP_EMPTY: 20},
    block_quota={"A": 10},
)


def _box(serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts("MSC", "U", serial)


def _pick_up(i: int, block: str | None, *, move: GateMove = GateMove.PICK_UP_IMPORT,
             group: str | None = None, slot: datetime = SLOT) -> Appointment:  # fmt: skip
    return Appointment(
        id=f"AP{i:04d}", haulier="HAUL", truck=f"QD-{i:04d}", driver="D. Driver", move=move,
        slot=slot, containers=(_box(i),), blocks=(block,), group=group,
    )  # fmt: skip


def _book_all(rules: SlotRules, wanted: list[Appointment]) -> list[Appointment]:
    booked: list[Appointment] = []
    for appointment in wanted:
        check_booking(rules, booked, appointment, NOW)
        booked.append(appointment)
    return booked


def test_the_eleventh_box_of_block_a_in_a_slot_is_refused() -> None:
    """Slots take 100 import pick-ups and block A 10 boxes per slot: the 11th appointment
    for a box in A in that slot is refused, saying why; B and empty moves are unaffected."""
    booked = _book_all(RULES, [_pick_up(i, "A") for i in range(10)])
    with pytest.raises(BookingRefused, match=r"block A takes 10 boxes per slot and 10 are booked"):
        check_booking(RULES, booked, _pick_up(10, "A"), NOW)
    check_booking(RULES, booked, _pick_up(11, "B"), NOW)
    check_booking(RULES, booked, _pick_up(12, None, move=GateMove.PICK_UP_EMPTY), NOW)
    later = SLOT + RULES.slot_length
    check_booking(RULES, booked, _pick_up(13, "A", slot=later), NOW)  # the next slot is free


def test_a_move_full_in_its_slot() -> None:
    rules = SlotRules(per_slot={GateMove.PICK_UP_IMPORT: 3})
    booked = _book_all(rules, [_pick_up(i, "B") for i in range(3)])
    with pytest.raises(BookingRefused, match=r"pick-up-import is full \(3 of 3 places booked\)"):
        check_booking(rules, booked, _pick_up(3, "B"), NOW)
    with pytest.raises(BookingRefused, match="deliver-export is full"):
        check_booking(rules, [], _pick_up(4, "B", move=GateMove.DELIVER_EXPORT), NOW)


def test_cancelled_and_closed_appointments_free_their_place() -> None:
    rules = SlotRules(per_slot={GateMove.PICK_UP_IMPORT: 2}, block_quota={"A": 1})
    first = _pick_up(0, "A").advance(AppointmentState.CANCELLED)
    second = _pick_up(1, "A").advance(AppointmentState.CLOSED)
    check_booking(rules, [first, second], _pick_up(2, "A"), NOW)


def test_a_change_does_not_count_against_itself() -> None:
    rules = SlotRules(per_slot={GateMove.PICK_UP_IMPORT: 1}, block_quota={"A": 1})
    booked = _book_all(rules, [_pick_up(0, "A")])
    check_booking(rules, booked, _pick_up(0, "A"), NOW)  # the same appointment, changed


def test_priority_groups_keep_their_share() -> None:
    """A group guaranteed 30 % of 10 places keeps 3: others fill 7, the group still gets its 3,
    and the group may take open places beyond its share while any are left."""
    rules = SlotRules(per_slot={GateMove.PICK_UP_IMPORT: 10}, shares={"shuttle": 0.3})
    booked = _book_all(rules, [_pick_up(i, None) for i in range(7)])
    with pytest.raises(BookingRefused, match=r"the 3 places of pick-up-import left of 10 are kept"):
        check_booking(rules, booked, _pick_up(7, None), NOW)
    booked += _book_all(rules, [_pick_up(i, None, group="shuttle") for i in range(8, 11)])
    with pytest.raises(BookingRefused, match="is full"):
        check_booking(rules, booked, _pick_up(11, None, group="shuttle"), NOW)
    early = _book_all(rules, [_pick_up(i, None, group="shuttle") for i in range(5)])
    check_booking(rules, early, _pick_up(20, None), NOW)  # 5 used of the group's 3: 5 open left
    more = early + _book_all(rules, [_pick_up(i, None) for i in range(21, 26)])
    with pytest.raises(BookingRefused, match="is full"):
        check_booking(rules, more, _pick_up(26, None), NOW)


def test_the_booking_window() -> None:
    rules = SlotRules(
        per_slot={GateMove.PICK_UP_IMPORT: 5},
        opens_before=timedelta(hours=48),
        closes_before=timedelta(hours=2),
    )
    with pytest.raises(BookingRefused, match=r"bookings open 2026-12-06 09:30 UTC"):
        check_booking(rules, [], _pick_up(0, None), SLOT - timedelta(hours=49))
    with pytest.raises(BookingRefused, match=r"bookings closed 2026-12-08 07:30 UTC"):
        check_booking(rules, [], _pick_up(0, None), SLOT - timedelta(hours=1))
    check_booking(rules, [], _pick_up(0, None), SLOT - timedelta(hours=2))


def test_check_in_tolerance() -> None:
    rules = SlotRules(early=timedelta(minutes=15), late=timedelta(minutes=10))
    appointment = _pick_up(0, None)
    check_in(rules, appointment, SLOT - timedelta(minutes=15))
    check_in(rules, appointment, SLOT + timedelta(minutes=40))
    with pytest.raises(BookingRefused, match=r"0:01:00 too early"):
        check_in(rules, appointment, SLOT - timedelta(minutes=16))
    with pytest.raises(BookingRefused, match=r"0:05:00 too late"):
        check_in(rules, appointment, SLOT + timedelta(minutes=45))
    with pytest.raises(BookingRefused, match="is cancelled, not booked"):
        check_in(rules, appointment.advance(AppointmentState.CANCELLED), SLOT)


def test_states_go_one_way() -> None:
    cancelled = _pick_up(0, None).advance(AppointmentState.CANCELLED)
    with pytest.raises(IllegalTransition, match="is cancelled; it cannot be checked-in"):
        cancelled.advance(AppointmentState.CHECKED_IN)
    done = (
        _pick_up(1, None).advance(AppointmentState.CHECKED_IN).advance(AppointmentState.COMPLETED)
    )
    assert done.state is AppointmentState.COMPLETED


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (lambda: SlotRules(slot_minutes=25), "does not divide the day"),
        (lambda: SlotRules(per_slot={GateMove.PICK_UP_IMPORT: -1}), "is negative"),
        (lambda: SlotRules(block_quota={"A": -2}), "quota per slot -2 is negative"),
        (lambda: SlotRules(shares={"a": 0.7, "b": 0.6}), "add up to 1.3"),
        (lambda: SlotRules(opens_before=timedelta(hours=1), closes_before=timedelta(hours=2)),
         "close 2:00:00 before"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused(rules: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        rules()  # type: ignore[operator]


def test_bad_appointments_are_refused() -> None:
    with pytest.raises(InvalidValue, match="does not start a slot of 30 minutes"):
        check_booking(RULES, [], _pick_up(0, None, slot=SLOT + timedelta(minutes=5)), NOW)
    with pytest.raises(InvalidValue, match="names no container and no booking"):
        Appointment(id="AP1", haulier="H", truck="T", driver="D", move=GateMove.DELIVER_EMPTY,
                    slot=SLOT)  # fmt: skip
    with pytest.raises(InvalidValue, match="has no time zone"):
        _pick_up(0, None, slot=SLOT.replace(tzinfo=None))
    with pytest.raises(InvalidValue, match="a container is named twice"):
        Appointment(id="AP1", haulier="H", truck="T", driver="D", move=GateMove.PICK_UP_IMPORT,
                    slot=SLOT, containers=(_box(1), _box(1)), blocks=(None, None))  # fmt: skip
    assert RULES.slot_of(SLOT + timedelta(minutes=29)) == SLOT
