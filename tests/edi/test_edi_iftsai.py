"""IFTSAI vessel schedules: golden file, writing, round trips, broken input, planned visits."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from edi_helpers import edited, golden_text, run_edi, where
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import MessageHeader, read_interchange, write_interchange
from opentos.edi.messages.iftsai import iftsai_interchange, read_iftsai, write_iftsai
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.ids import UnLocode
from opentos.model.orders import VesselCall
from opentos.model.schedule import PortCall, Schedule, planned_visits
from opentos.model.vessel_classes import standard_class
from opentos.model.visits import VesselVisit, VisitPhase
from opentos.presets import load_preset
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TESSA = VesselCall("MSC TESSA", "FA512W", "MSC", imo="9839131")


def golden() -> str:
    return golden_text("iftsai.edi")


def read(text: str, strict: bool = False) -> tuple[Schedule | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_iftsai(interchange.messages[0], interchange.problems), interchange.problems


def utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def test_golden_reads_strictly() -> None:
    """The golden schedule reads strictly: the vessel and four calls with ETA and ETD."""
    schedule, problems = read(golden(), strict=True)
    assert problems.items == []
    assert schedule == Schedule(
        "SCH-FA512W",
        TESSA,
        (
            PortCall(UnLocode("KRPUS"), utc(3, 3, 6), utc(3, 4, 2)),
            PortCall(UnLocode("CNTAO"), utc(3, 6, 18), utc(3, 8, 12), "QQCT"),
            PortCall(UnLocode("CNSHA"), utc(3, 10, 14), utc(3, 11, 16)),
            PortCall(UnLocode("NLRTM"), utc(4, 5, 22)),
        ),
        WHEN,
    )


def test_golden_writes_back_to_its_segments() -> None:
    """Golden -> schedule -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(), strict=True)
    schedule = read_iftsai(interchange.messages[0], interchange.problems)
    assert schedule is not None
    assert write_iftsai(schedule) == list(interchange.messages[0].body)


def test_the_call_at_the_terminals_port_is_a_planned_visit() -> None:
    """planned_visits gives the call at the port as a planned visit with ETA and ETD."""
    schedule, _ = read(golden())
    assert schedule is not None
    profile = standard_class("post-panamax-8500")
    (visit,) = planned_visits(schedule, UnLocode("CNTAO"), profile)
    assert visit == VesselVisit(
        id="FA512W-MSC-TESSA",
        vessel_name="MSC TESSA",
        profile=profile,
        operator="MSC",
        voyage_in="FA512W",
        voyage_out="FA512W",
        imo="9839131",
        planned_arrival=utc(3, 6, 18),
        planned_departure=utc(3, 8, 12),
    )
    assert planned_visits(schedule, UnLocode("DEHAM"), profile) == ()


def test_etd_before_eta_is_refused() -> None:
    """A port call that departs before it arrives raises InvalidValue."""
    with pytest.raises(InvalidValue, match="ETD"):
        PortCall(UnLocode("CNTAO"), utc(3, 6, 18), utc(3, 6, 6))


_PORTS = ["KRPUS", "CNTAO", "CNSHA", "SGSIN", "NLRTM", "DEHAM"]


@st.composite
def calls(draw: st.DrawFn) -> PortCall:
    eta = WHEN + timedelta(hours=draw(st.integers(0, 2000)))
    etd = eta + timedelta(hours=draw(st.integers(0, 72)))
    return PortCall(
        UnLocode(draw(st.sampled_from(_PORTS))),
        draw(st.sampled_from([None, eta])),
        draw(st.sampled_from([None, etd])),
        draw(st.sampled_from([None, "QQCT", "ECTDELTA"])),
    )


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    vessel = draw(
        st.sampled_from([TESSA, VesselCall("ONE APUS", "024E", "ONE", call_sign="3EVT7")])
    )
    return Schedule(
        draw(st.text("ABC0123456789/-", min_size=1, max_size=20)),
        vessel,
        tuple(draw(st.lists(calls(), min_size=1, max_size=6))),
        draw(st.sampled_from([None, WHEN])),
    )


@settings(max_examples=50, deadline=None)
@given(schedules(), st.sampled_from(["D95B", "D00B"]))
def test_generated_schedules_round_trip(schedule: Schedule, version: str) -> None:
    """Any schedule written as IFTSAI (D.95B or D.00B) reads back strictly to an equal one."""
    text = iftsai_interchange(
        schedule, sender="MSC", recipient="T", reference="1", prepared=WHEN, version=version
    )
    assert read(text, strict=True)[0] == schedule


def broken(old: str, new: str) -> str:
    return edited("iftsai.edi", old, new)


def ports(schedule: Schedule | None) -> list[str]:
    assert schedule is not None
    return [str(c.port) for c in schedule.calls]


def test_bad_port_drops_that_call() -> None:
    """A malformed UN/LOCODE is an error at LOC 2.1; the other calls are read."""
    schedule, problems = read(broken("CNTAO:139", "CN1AO:139"))
    assert ports(schedule) == ["KRPUS", "CNSHA", "NLRTM"]
    assert [where(p) for p in problems.errors] == [(9, "LOC", "2.1", "CN1AO")]


def test_bad_port_under_another_qualifier_is_reported_once() -> None:
    """A call under LOC+5 (a qualifier the vessel group also reads) is read as a call only."""
    schedule, problems = read(broken("LOC+153+KRPUS", "LOC+5+KR1US"))
    assert ports(schedule) == ["CNTAO", "CNSHA", "NLRTM"]
    assert [where(p) for p in problems.errors] == [(6, "LOC", "2.1", "KR1US")]


def test_departure_before_arrival_drops_that_call() -> None:
    """A DTM+133 before the call's DTM+132 is an error at the DTM+133 segment."""
    schedule, problems = read(broken("DTM+133:202503081200", "DTM+133:202503051200"))
    assert ports(schedule) == ["KRPUS", "CNSHA", "NLRTM"]
    assert [where(p) for p in problems.errors] == [(11, "DTM", "1.2", "202503051200")]


def test_bad_date_drops_that_call() -> None:
    """An ETA that does not match its format is an error at DTM 1.2; the call is left out."""
    schedule, problems = read(broken("DTM+132:202503061800", "DTM+132:20250306"))
    assert ports(schedule) == ["KRPUS", "CNSHA", "NLRTM"]
    assert [where(p) for p in problems.errors] == [(10, "DTM", "1.2", "20250306")]


def test_missing_vessel_name_gives_no_schedule() -> None:
    """A TDT without vessel name is an error at TDT 8.4."""
    schedule, problems = read(broken("9839131:146:11:MSC TESSA", "9839131:146:11"))
    assert schedule is None
    assert [where(p) for p in problems.errors] == [(5, "TDT", "8.4", "")]


def test_missing_vessel_is_a_missing_mandatory_group() -> None:
    """An IFTSAI without its TDT group names the missing group and gives no schedule."""
    text = golden()
    head, _, _ = text.partition("TDT+")
    schedule, problems = read(head + "UNT+4+1'\nUNZ+1+IFS0001'\n")
    assert schedule is None
    assert any("SG4 (TDT)" in p.message for p in problems.errors)


def test_a_second_vessel_is_an_error() -> None:
    """Two TDT+20 groups in one message: the second is an error and not read."""
    schedule, problems = read(
        broken("LOC+153+NLRTM", "TDT+20+X1+1++ONE+++:::OTHER'\nLOC+153+NLRTM")
    )
    assert ports(schedule) == ["KRPUS", "CNTAO", "CNSHA"]
    assert [(p.segment, p.tag) for p in problems.errors] == [(15, "TDT")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("CNTAO:139", "CN1AO:139"),
        ("DTM+133:202503081200", "DTM+133:202503051200"),
        ("9839131:146:11:MSC TESSA", "9839131:146:11"),
        ("LOC+153+KRPUS", "LOX+153+KRPUS"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)


def edi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_edi(*args, url=url)


def _visits(url: str) -> list[VesselVisit]:
    with Store.open(url) as store:
        return [v for v in store.visits() if isinstance(v, VesselVisit)]


def test_import_creates_then_updates_the_planned_visit(tmp_path: Path) -> None:
    """`edi import` of a schedule creates the visit at --port once; a later ETA updates it."""
    url = f"sqlite:///{tmp_path / 'iftsai.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    golden_file = str(DATA / "iftsai.edi")
    refused = edi(url, "import", golden_file, "--port", "CNTAO")
    assert refused.returncode == 1
    assert "--vessel-class" in refused.stdout + refused.stderr
    assert _visits(url) == []
    args = ("--port", "CNTAO", "--vessel-class", "post-panamax-8500")
    first = edi(url, "import", golden_file, *args)
    assert first.returncode == 0, first.stderr
    assert "FA512W-MSC-TESSA created" in first.stdout
    (visit,) = _visits(url)
    assert (visit.planned_arrival, visit.phase) == (utc(3, 6, 18), VisitPhase.PLANNED)
    again = edi(url, "import", golden_file, *args)
    assert "imported before; nothing changed" in again.stdout
    assert _visits(url) == [visit]
    later = tmp_path / "later.edi"
    later.write_text(golden().replace("IFS0001", "IFS0002").replace("202503061800", "202503070600"))
    updated = edi(url, "import", str(later), "--port", "CNTAO")
    assert updated.returncode == 0, updated.stderr
    assert "FA512W-MSC-TESSA updated" in updated.stdout
    assert _visits(url) == [replace(visit, planned_arrival=utc(3, 7, 6))]
    same = tmp_path / "same.edi"
    same.write_text(later.read_text().replace("IFS0002", "IFS0003"))
    unchanged = edi(url, "import", str(same), "--port", "CNTAO")
    assert unchanged.returncode == 0, unchanged.stderr
    assert "visits" not in unchanged.stdout


def test_import_is_whole_or_nothing(tmp_path: Path) -> None:
    """A schedule that calls twice at the port refuses the interchange; no visit is made."""
    url = f"sqlite:///{tmp_path / 'whole.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    here = UnLocode("ZZTNY")
    good = Schedule("S1", TESSA, (PortCall(here, utc(3, 6, 18), utc(3, 7, 2)),))
    other = VesselCall("ONE APUS", "024E", "ONE", call_sign="3EVT7")
    twice = Schedule("S2", other, (PortCall(here, utc(3, 6, 1)), PortCall(here, utc(3, 9, 1))))
    header = MessageHeader("1", "IFTSAI", "D", "95B", "UN")
    text = write_interchange(
        [(replace(header, reference=str(n)), write_iftsai(s)) for n, s in ((1, good), (2, twice))],
        sender="MSC", recipient="T", reference="W1", prepared=WHEN,
    )  # fmt: skip
    source = tmp_path / "two.edi"
    source.write_text(text)
    args = ("--vessel-class", "feeder-2500")
    result = edi(url, "import", str(source), *args)
    assert result.returncode == 1
    assert "calls at ZZTNY 2 times" in result.stdout + result.stderr
    assert _visits(url) == []
    source.write_text(
        text.replace("ZZTNY:139:6'\nDTM+132:202503090100", "SGSIN:139:6'\nDTM+132:202503090100")
    )
    result = edi(url, "import", str(source), *args)
    assert result.returncode == 0, result.stderr
    assert sorted(v.id for v in _visits(url)) == ["024E-ONE-APUS", "FA512W-MSC-TESSA"]
