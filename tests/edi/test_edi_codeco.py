"""CODECO gate-in and gate-out reports: golden files, writing, round trips, broken input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.codeco import codeco_interchange, read_codeco, write_codeco
from opentos.edi.problems import Problems
from opentos.errors import EdiError
from opentos.model.container import Container, FullEmpty, Seal, SealIssuer
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.moves import MoveKind
from opentos.model.orders import GateItem, GateReport

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 8, 13, 0, tzinfo=UTC)


def golden(name: str) -> str:
    return (DATA / name).read_text()


def read(text: str, strict: bool = False) -> tuple[GateReport | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_codeco(interchange.messages[0], interchange.problems), interchange.problems


def test_gate_in_golden_reads_strictly() -> None:
    """The gate-in golden reads strictly: trucks, hauliers, booking and release references."""
    report, problems = read(golden("codeco-gate-in.edi"), strict=True)
    assert problems.items == []
    assert report is not None
    assert report.direction is MoveKind.GATE_IN
    assert report.operator == "MSC"
    assert report.reference == "GI2503080001"
    full, empty = report.items
    assert full.truck == "LU B12345"
    assert full.haulier == "QDHAUL"
    assert full.booking == "177BKG0012345"
    assert full.release is None
    assert full.at == datetime(2025, 3, 8, 13, 42, tzinfo=UTC)
    assert full.container.gross_weight_kg == 24350
    assert empty.truck == "LU C67890"
    assert empty.haulier is None
    assert empty.release == "MSCREL88120"
    assert empty.container.full_empty is FullEmpty.EMPTY


def test_gate_out_golden_reads_strictly() -> None:
    """The gate-out golden reads strictly, with the carrier's and customs' seals."""
    report, problems = read(golden("codeco-gate-out.edi"), strict=True)
    assert problems.items == []
    assert report is not None
    assert report.direction is MoveKind.GATE_OUT
    (item,) = report.items
    assert item.container.seals == (
        Seal("MSC55012", SealIssuer.CARRIER),
        Seal("CN2025031", SealIssuer.CUSTOMS),
    )


@pytest.mark.parametrize("name", ["codeco-gate-in.edi", "codeco-gate-out.edi"])
def test_golden_writes_back_to_its_segments(name: str) -> None:
    """Golden -> report -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(name), strict=True)
    report = read_codeco(interchange.messages[0], interchange.problems)
    assert report is not None
    assert write_codeco(report) == list(interchange.messages[0].body)


def test_report_round_trips_through_an_interchange() -> None:
    """Report -> EDIFACT -> report is the identity, and the file reads strictly."""
    report, _ = read(golden("codeco-gate-in.edi"))
    assert report is not None
    text = codeco_interchange(report, sender="T", recipient="MSC", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


def test_service_characters_in_a_plate_are_released() -> None:
    """A licence plate holding ``+`` and ``'`` is written released and reads back unchanged."""
    box = Container(
        ContainerNumber.parse("MSCU1234566"), SizeType.parse("22G1"), "MSC", FullEmpty.EMPTY
    )
    item = GateItem(box, MoveKind.GATE_OUT, WHEN, "A+B'1", "H:1")
    report = GateReport("G1", MoveKind.GATE_OUT, "MSC", (item,))
    text = codeco_interchange(report, sender="T", recipient="MSC", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


@st.composite
def reports(draw: st.DrawFn) -> GateReport:
    direction = draw(st.sampled_from([MoveKind.GATE_IN, MoveKind.GATE_OUT]))
    items = []
    for serial in draw(st.lists(st.integers(0, 999_999), max_size=5, unique=True)):
        full = draw(st.booleans())
        box = Container(
            ContainerNumber.from_parts("MED", "U", serial),
            SizeType.parse(draw(st.sampled_from(["22G1", "45G1", "22T6"]))),
            "MSC",
            FullEmpty.FULL if full else FullEmpty.EMPTY,
            tare_kg=draw(st.integers(1800, 4000)),
            seals=(Seal("S1", SealIssuer.SHIPPER),) if full else (),
        )
        items.append(
            GateItem(
                box,
                direction,
                WHEN + timedelta(minutes=draw(st.integers(0, 5000))),
                draw(st.text("ABC123 ", min_size=1, max_size=10).map(lambda s: s.strip() or "T")),
                draw(st.sampled_from([None, "QDHAUL"])),
                draw(st.sampled_from([None, "BKG1"])),
                draw(st.sampled_from([None, "REL9"])),
            )
        )
    return GateReport("GATE-1", direction, "MSC", tuple(items), draw(st.sampled_from([None, WHEN])))


@settings(max_examples=50, deadline=None)
@given(reports())
def test_generated_reports_round_trip(report: GateReport) -> None:
    """Any gate report written as CODECO reads back strictly to an equal report."""
    text = codeco_interchange(report, sender="T", recipient="R", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


def broken(old: str, new: str) -> str:
    text = golden("codeco-gate-in.edi")
    assert old in text
    return text.replace(old, new, 1)


def test_container_number_with_a_blank_is_a_warning() -> None:
    """A container number with a blank is read, with a warning naming EQD 2.1."""
    report, problems = read(broken("TGHU3001008", "TGHU 3001008"))
    assert report is not None
    assert len(report.items) == 2
    (warning,) = problems.warnings
    assert (warning.segment, warning.tag, warning.element) == (18, "EQD", "2.1")


def test_missing_truck_drops_the_box() -> None:
    """A box without its truck TDT is an error at its EQD; the other box is still reported."""
    text = broken("TDT+1++3+31++++LU C67890'\n", "").replace("UNT+24", "UNT+23")
    report, problems = read(text)
    assert report is not None
    assert len(report.items) == 1
    (error,) = problems.errors
    assert (error.segment, error.tag, error.value) == (18, "EQD", "TGHU3001008")


def test_bad_full_empty_code_is_an_error() -> None:
    """A full/empty code other than 4 or 5 is an error at EQD element 6."""
    report, problems = read(broken("22G1:102:5+++4", "22G1:102:5+++7"))
    assert report is not None
    assert len(report.items) == 1
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element, error.value) == (18, "EQD", "6", "7")


def test_missing_line_is_taken_from_a_box() -> None:
    """Without the mandatory NAD group (a warning) the line is the first box's NAD+CF."""
    text = broken("NAD+CA+MSC:160:ZZZ'\n", "").replace("UNT+24", "UNT+23")
    report, problems = read(text)
    assert report is not None
    assert report.operator == "MSC"
    assert not problems.errors
    assert any("SG4" in p.message for p in problems.warnings)
    assert ("NAD", "2.1", "MSC") in [(p.tag, p.element, p.value) for p in problems.warnings]


def test_no_line_anywhere_is_an_error() -> None:
    """Without NAD+CA, a vessel or a box naming its operator, the report has no line."""
    text = broken("NAD+CA+MSC:160:ZZZ'\n", "").replace("NAD+CF+MSC:160:ZZZ'\n", "")
    report, problems = read(text)
    assert report is None
    assert [p.message for p in problems.errors] == [
        "the line (NAD+CA) is missing, and neither the vessel (TDT) nor a box (NAD+CF) names one"
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("TGHU3001008", "TGHU 3001008"),
        ("22G1:102:5+++4", "22G1:102:5+++7"),
        ("NAD+CA+MSC:160:ZZZ'\n", ""),
        ("EQD+CN+TGHU", "EQD+XX+TGHU"),
        ("DTM+7:202503081407", "DTM+7:20250308"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
