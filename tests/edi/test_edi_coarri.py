"""COARRI load and discharge reports: golden files, writing, round trips, broken input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.coarri import coarri_interchange, read_coarri, write_coarri
from opentos.edi.problems import Problems
from opentos.errors import EdiError
from opentos.model.container import Container, FullEmpty, SealIssuer
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.moves import MoveKind
from opentos.model.orders import HandlingItem, HandlingReport, VesselCall
from opentos.model.slots import BayRowTier

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)


def golden(name: str) -> str:
    return (DATA / name).read_text()


def read(text: str, strict: bool = False) -> tuple[HandlingReport | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_coarri(interchange.messages[0], interchange.problems), interchange.problems


def test_discharge_report_golden_reads_strictly() -> None:
    """The discharge-report golden reads strictly: slots, move times, weights, seals."""
    report, problems = read(golden("coarri-discharge.edi"), strict=True)
    assert problems.items == []
    assert report is not None
    assert report.kind is MoveKind.DISCHARGE
    assert report.reference == "DR2503100001"
    assert report.vessel.imo == "9839131"
    assert report.vessel.voyage == "FA511E"
    first, second = report.items
    assert first.container.number == ContainerNumber.parse("MSCU7654329")
    assert first.slot == BayRowTier(12, 3, 82)
    assert first.at == datetime(2025, 3, 10, 6, 12, tzinfo=UTC)
    assert first.container.port_of_loading == UnLocode("KRPUS")
    assert first.container.vgm_kg == 21480
    assert first.container.seals[0].issuer is SealIssuer.CARRIER
    assert second.container.full_empty is FullEmpty.EMPTY
    assert second.slot == BayRowTier(3, 0, 84)


def test_load_report_golden_reads_strictly() -> None:
    """The load-report golden reads strictly; the reefer keeps its set point."""
    report, problems = read(golden("coarri-load.edi"), strict=True)
    assert problems.items == []
    assert report is not None
    assert report.kind is MoveKind.LOAD
    assert [str(i.slot) for i in report.items] == ["0340486", "0360112"]
    reefer = report.items[1].container.reefer
    assert reefer is not None
    assert reefer.set_point_c == -18.0


@pytest.mark.parametrize("name", ["coarri-discharge.edi", "coarri-load.edi"])
def test_golden_writes_back_to_its_segments(name: str) -> None:
    """Golden -> report -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(name), strict=True)
    report = read_coarri(interchange.messages[0], interchange.problems)
    assert report is not None
    assert write_coarri(report) == list(interchange.messages[0].body)


def test_report_round_trips_through_an_interchange() -> None:
    """Report -> EDIFACT -> report is the identity, and the file reads strictly."""
    report, _ = read(golden("coarri-load.edi"))
    assert report is not None
    text = coarri_interchange(report, sender="T", recipient="MSC", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


def test_report_built_from_ledger_values() -> None:
    """A report built from master data, slot and time (as the ledger has them) reads back."""
    box = Container(
        ContainerNumber.parse("MSCU1234566"), SizeType.parse("45G1"), "MSC", FullEmpty.FULL
    )
    item = HandlingItem(box, MoveKind.LOAD, BayRowTier.parse("0340486"), WHEN)
    report = HandlingReport("R1", MoveKind.LOAD, VesselCall("MSC TESSA", "FA512W", "MSC"), (item,))
    text = coarri_interchange(report, sender="T", recipient="MSC", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


_TYPES = ["22G1", "45G1", "45R1"]


@st.composite
def reports(draw: st.DrawFn) -> HandlingReport:
    kind = draw(st.sampled_from([MoveKind.LOAD, MoveKind.DISCHARGE]))
    serials = draw(st.lists(st.integers(0, 999_999), max_size=5, unique=True))
    items = []
    for serial in serials:
        full = draw(st.booleans())
        box = Container(
            ContainerNumber.from_parts("TGH", "U", serial),
            SizeType.parse(draw(st.sampled_from(_TYPES))),
            draw(st.sampled_from(["MSC", "ONE"])),
            FullEmpty.FULL if full else FullEmpty.EMPTY,
            gross_weight_kg=draw(st.integers(5000, 30000)) if full else None,
            port_of_discharge=draw(st.sampled_from([None, UnLocode("NLRTM")])),
        )
        slot = BayRowTier(
            draw(st.integers(1, 99)), draw(st.integers(0, 20)), draw(st.sampled_from([2, 82]))
        )
        at = WHEN + timedelta(minutes=draw(st.integers(0, 10_000)))
        items.append(HandlingItem(box, kind, slot, at))
    vessel = VesselCall("MSC TESSA", "FA512W", "MSC", call_sign="3FZX9")
    return HandlingReport("REP-1", kind, vessel, tuple(items), draw(st.sampled_from([None, WHEN])))


@settings(max_examples=50, deadline=None)
@given(reports())
def test_generated_reports_round_trip(report: HandlingReport) -> None:
    """Any report written as COARRI reads back strictly to an equal report."""
    text = coarri_interchange(report, sender="T", recipient="R", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


def broken(old: str, new: str) -> str:
    text = golden("coarri-discharge.edi")
    assert old in text
    return text.replace(old, new, 1)


def test_container_number_with_a_blank_is_a_warning() -> None:
    """A container number with blanks is read, with a warning naming EQD 2.1."""
    report, problems = read(broken("MSCU7654329", "MSCU 765432-9"))
    assert report is not None
    assert len(report.items) == 2
    (warning,) = problems.warnings
    assert (warning.segment, warning.tag, warning.element) == (8, "EQD", "2.1")


def test_missing_move_time_drops_the_box() -> None:
    """A box without DTM+203 is an error at its EQD; the other box is still reported."""
    text = broken("DTM+203:202503100612:203'\n", "").replace("UNT+24", "UNT+23")
    report, problems = read(text)
    assert report is not None
    assert [str(i.container.number) for i in report.items] == ["MSMU1357909"]
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element) == (8, "EQD", "2.1")


def test_bad_date_is_an_error_naming_the_dtm() -> None:
    """A move time that is not a date is an error at DTM element 1.2."""
    report, problems = read(broken("DTM+203:202503100612", "DTM+203:2025031006XX"))
    assert report is not None
    assert len(report.items) == 1
    assert any(p.tag == "DTM" and p.element == "1.2" for p in problems.errors)


def test_wrong_document_code_is_refused() -> None:
    """A BGM code that is neither load nor discharge report gives no report and an error."""
    report, problems = read(broken("BGM+98+", "BGM+99+"))
    assert report is None
    assert any(p.tag == "BGM" and p.element == "1" for p in problems.errors)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("MSCU7654329", "MSCU 765432-9"),
        ("DTM+203:202503100612", "DTM+203:2025031006XX"),
        ("BGM+98+", "BGM+99+"),
        ("LOC+147+0120382", "LOC+147+01203X2"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
