"""COPARN bookings and releases: golden file, writing, round trips, broken input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.coparn import coparn_interchange, read_coparn, write_coparn
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import DangerousGoods, FullEmpty, PackingGroup, ReeferSetting
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.orders import Booking, BookingKind, EquipmentLine, VesselCall

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)


def golden() -> str:
    return (DATA / "coparn.edi").read_text()


def read(text: str, strict: bool = False) -> tuple[Booking | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_coparn(interchange.messages[0], interchange.problems), interchange.problems


def test_golden_reads_strictly() -> None:
    """The booking golden reads strictly into lines by size type, with named boxes and validity."""
    booking, problems = read(golden(), strict=True)
    assert problems.items == []
    assert booking is not None
    assert booking.kind is BookingKind.BOOKING
    assert booking.reference == "177BKG0012345"
    assert booking.operator == "MSC"
    assert booking.vessel is not None
    assert booking.vessel.voyage == "FA512W"
    assert booking.port_of_loading == UnLocode("CNTAO")
    assert booking.port_of_discharge == UnLocode("NLRTM")
    assert booking.valid_from == datetime(2025, 3, 6, tzinfo=UTC)
    assert booking.valid_until == datetime(2025, 3, 11, 23, 59, tzinfo=UTC)
    assert booking.lines == (
        EquipmentLine(
            SizeType.parse("45G1"), 3, FullEmpty.FULL, (ContainerNumber.parse("MSCU1234566"),)
        ),
        EquipmentLine(SizeType.parse("45R1"), 1, FullEmpty.FULL, reefer=ReeferSetting(-18.0)),
        EquipmentLine(
            SizeType.parse("22G1"),
            1,
            FullEmpty.FULL,
            dangerous_goods=(DangerousGoods("3", 1263, PackingGroup.II, 23.0),),
        ),
    )
    assert booking.quantity == 5


def test_golden_writes_back_to_its_segments() -> None:
    """Golden -> booking -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(), strict=True)
    booking = read_coparn(interchange.messages[0], interchange.problems)
    assert booking is not None
    assert write_coparn(booking) == list(interchange.messages[0].body)


def test_release_round_trips_with_a_release_reference() -> None:
    """An empty release is written with RFF+RE and reads back equal, strictly."""
    release = Booking(
        "REL-77",
        BookingKind.RELEASE,
        "MSC",
        (EquipmentLine(SizeType.parse("22G1"), 4),),
        valid_until=datetime(2025, 3, 20, tzinfo=UTC),
    )
    body = write_coparn(release)
    assert any(s.tag == "RFF" and s.el(1) == "RE" for s in body)
    text = coparn_interchange(release, sender="MSC", recipient="T", reference="9", prepared=WHEN)
    assert read(text, strict=True)[0] == release


def test_two_lines_of_the_same_equipment_are_refused() -> None:
    """A booking lists each kind of equipment once; two equal lines raise InvalidValue."""
    line = EquipmentLine(SizeType.parse("22G1"), 1)
    with pytest.raises(InvalidValue, match="merge"):
        Booking("B", BookingKind.BOOKING, "MSC", (line, line))


_TYPES = ["22G1", "42G1", "45G1", "45R1", "22T6"]


@st.composite
def lines(draw: st.DrawFn) -> EquipmentLine:
    size = SizeType.parse(draw(st.sampled_from(_TYPES)))
    quantity = draw(st.integers(1, 6))
    serials = draw(st.lists(st.integers(0, 999_999), max_size=quantity, unique=True))
    reefer = ReeferSetting(draw(st.integers(-250, 150)) / 10) if size.code == "45R1" else None
    return EquipmentLine(
        size,
        quantity,
        draw(st.sampled_from(list(FullEmpty))),
        tuple(ContainerNumber.from_parts("TCL", "U", s) for s in serials),
        reefer,
    )


@st.composite
def bookings(draw: st.DrawFn) -> Booking:
    found = draw(st.lists(lines(), min_size=1, max_size=4, unique_by=lambda line: line.key))
    numbers = [n for line in found for n in line.containers]
    if len(set(numbers)) != len(numbers):
        found = [
            EquipmentLine(line.iso_type, line.quantity, line.full_empty, (), line.reefer)
            for line in found
        ]
    vessel = draw(st.sampled_from([None, VesselCall("MSC TESSA", "FA512W", "MSC", imo="9839131")]))
    return Booking(
        draw(st.text("ABC0123456789/-", min_size=1, max_size=20)),
        draw(st.sampled_from(list(BookingKind))),
        draw(st.sampled_from(["MSC", "ONE"])),
        tuple(found),
        vessel,
        draw(st.sampled_from([None, UnLocode("CNTAO")])),
        draw(st.sampled_from([None, UnLocode("NLRTM")])),
        draw(st.sampled_from([None, datetime(2025, 3, 6, tzinfo=UTC)])),
        draw(st.sampled_from([None, datetime(2025, 3, 9, 12, 30, tzinfo=UTC)])),
        draw(st.sampled_from([None, WHEN])),
    )


@settings(max_examples=50, deadline=None)
@given(bookings())
def test_generated_bookings_round_trip(booking: Booking) -> None:
    """Any booking written as COPARN reads back strictly to an equal booking."""
    text = coparn_interchange(booking, sender="S", recipient="R", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == booking


def broken(old: str, new: str) -> str:
    text = golden()
    assert old in text
    return text.replace(old, new, 1)


def test_container_number_with_a_blank_is_a_warning() -> None:
    """A container number with a blank is read, with a warning naming EQD 2.1."""
    booking, problems = read(broken("MSCU1234566", "MSCU 1234566"))
    assert booking is not None
    assert booking.lines[0].containers == (ContainerNumber.parse("MSCU1234566"),)
    (warning,) = problems.warnings
    assert (warning.segment, warning.tag, warning.element) == (11, "EQD", "2.1")


def test_bad_quantity_drops_that_group() -> None:
    """A number of units that is not a number is an error at EQN 1.1; other groups are read."""
    booking, problems = read(broken("EQN+2", "EQN+two"))
    assert booking is not None
    assert booking.quantity == 3
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element, error.value) == (16, "EQN", "1.1", "two")


def test_unknown_size_type_is_an_error() -> None:
    """A size-type code outside ISO 6346 is an error at EQD 3.1; other groups are read."""
    booking, problems = read(broken("EQD+CN++22G1", "EQD+CN++2QQ1"))
    assert booking is not None
    assert booking.quantity == 4
    assert [(p.tag, p.element, p.value) for p in problems.errors] == [("EQD", "3.1", "2QQ1")]


def test_missing_equipment_is_an_error() -> None:
    """A COPARN without any EQD group names the missing mandatory group and gives no booking."""
    head, _, tail = golden().partition("EQD+")
    text = head + "CNT+" + tail.split("\nCNT+", 1)[1]
    booking, problems = read(text)
    assert booking is None
    assert any("SG6" in p.message for p in problems.errors)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("MSCU1234566", "MSCU 1234566"),
        ("EQN+2", "EQN+two"),
        ("EQD+CN++22G1", "EQD+CN++2QQ1"),
        ("BGM+126+", "BGM+999+"),
        ("DTM+36:202503112359", "DTM+36:20250311"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
