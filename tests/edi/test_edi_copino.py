"""COPINO truck pre-notifications: golden file, writing, round trips, broken input, import."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from edi_helpers import edited, golden_text, run_edi, where
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.copino import copino_interchange, read_copino, write_copino
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import Container, FullEmpty, Seal, SealIssuer
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.prenotification import PreNotification, PreNotificationKind, PreNotifiedItem
from opentos.presets import load_preset
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)


def golden() -> str:
    return golden_text("copino.edi")


def read(text: str, strict: bool = False) -> tuple[PreNotification | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_copino(interchange.messages[0], interchange.problems), interchange.problems


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 10, hour, minute, tzinfo=UTC)


def test_golden_reads_strictly() -> None:
    """The pick-up golden reads strictly: truck, driver, time window, a named box and an empty."""
    notice, problems = read(golden(), strict=True)
    assert problems.items == []
    box = Container(
        number=ContainerNumber.parse("MSCU1234566"),
        iso_type=SizeType.parse("45G1"),
        operator="MSC",
        full_empty=FullEmpty.FULL,
        gross_weight_kg=24_350,
        port_of_loading=UnLocode("NLRTM"),
        port_of_discharge=UnLocode("CNTAO"),
        seals=(Seal("FJ1234567", SealIssuer.CARRIER),),
    )
    assert notice == PreNotification(
        "PN2503100042",
        PreNotificationKind.PICK_UP,
        "MSC",
        "QDHAUL",
        "LU B12345",
        (
            PreNotifiedItem(box, release="MSCREL88120"),
            PreNotifiedItem(iso_type=SizeType.parse("22G1"), release="MSCREL88121"),
        ),
        driver="WANG LEI",
        planned_arrival=at(10, 30),
        earliest=at(10),
        latest=at(12),
        issued=WHEN,
    )


def test_golden_writes_back_to_its_segments() -> None:
    """Golden -> pre-notification -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(), strict=True)
    notice = read_copino(interchange.messages[0], interchange.problems)
    assert notice is not None
    assert write_copino(notice) == list(interchange.messages[0].body)


def test_a_delivery_must_name_its_boxes() -> None:
    """An unnamed box is only for an empty pick-up; a delivery of one raises InvalidValue."""
    empty = PreNotifiedItem(iso_type=SizeType.parse("22G1"), release="R1")
    with pytest.raises(InvalidValue, match="delivery must name"):
        PreNotification("P", PreNotificationKind.DELIVERY, "MSC", "H", "LU 1", (empty,))


def test_an_inverted_time_window_is_refused() -> None:
    """A window that ends before it starts raises InvalidValue naming both ends."""
    box = PreNotifiedItem(iso_type=SizeType.parse("22G1"), release="R1")
    with pytest.raises(InvalidValue, match=r"ends .* before it starts"):
        PreNotification(
            "P", PreNotificationKind.PICK_UP, "MSC", "H", "LU 1", (box,),
            earliest=at(12), latest=at(10),
        )  # fmt: skip


_TYPES = ["22G1", "42G1", "45G1", "22T6"]


@st.composite
def items(draw: st.DrawFn, serial: int, named: bool) -> PreNotifiedItem:
    size = SizeType.parse(draw(st.sampled_from(_TYPES)))
    release = draw(st.sampled_from([None, "REL-1", "MSCREL88120"]))
    if not named:
        return PreNotifiedItem(iso_type=size, release=release or "REL-9")
    full = draw(st.sampled_from(list(FullEmpty)))
    box = Container(
        number=ContainerNumber.from_parts("TCL", "U", serial),
        iso_type=size,
        operator=draw(st.sampled_from(["MSC", "ONE"])),
        full_empty=full,
        gross_weight_kg=draw(st.sampled_from([None, 4_000, 21_500])),
        seals=tuple(Seal(s, SealIssuer.SHIPPER) for s in draw(st.sampled_from([(), ("S1",)]))),
    )
    return PreNotifiedItem(box, booking=draw(st.sampled_from([None, "BKG-1"])), release=release)


@st.composite
def notices(draw: st.DrawFn) -> PreNotification:
    kind = draw(st.sampled_from(list(PreNotificationKind)))
    serials = draw(st.lists(st.integers(0, 999_999), min_size=1, max_size=4, unique=True))
    found = [
        draw(items(s, kind is PreNotificationKind.DELIVERY or draw(st.booleans()))) for s in serials
    ]
    start = at(8) + timedelta(minutes=draw(st.integers(0, 600)))
    window = draw(st.sampled_from(["none", "eta", "window", "both"]))
    eta = start + timedelta(minutes=30) if window in ("eta", "both") else None
    earliest, latest = (
        (start, start + timedelta(hours=2))
        if window in ("window", "both")
        else (
            None,
            None,
        )
    )
    return PreNotification(
        draw(st.text("ABC0123456789/-", min_size=1, max_size=20)),
        kind,
        draw(st.sampled_from(["MSC", "ONE"])),
        draw(st.sampled_from(["QDHAUL", "H1"])),
        draw(st.sampled_from(["LU B12345", "SD-9"])),
        tuple(found),
        draw(st.sampled_from([None, "WANG LEI"])),
        eta,
        earliest,
        latest,
        draw(st.sampled_from([None, WHEN])),
    )


@settings(max_examples=50, deadline=None)
@given(notices())
def test_generated_pre_notifications_round_trip(notice: PreNotification) -> None:
    """Any pre-notification written as COPINO reads back strictly to an equal one."""
    text = copino_interchange(notice, sender="H", recipient="T", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == notice


def broken(old: str, new: str) -> str:
    return edited("copino.edi", old, new)


def test_missing_licence_plate_gives_no_notification() -> None:
    """A truck without licence plate is an error at TDT element 8.1."""
    notice, problems = read(broken("+++LU B12345'", "'"))
    assert notice is None
    assert [where(p) for p in problems.errors] == [(5, "TDT", "8.1", "")]


def test_missing_truck_is_a_missing_mandatory_group() -> None:
    """A COPINO without its TDT group names the missing group and gives no notification."""
    notice, problems = read(broken("TDT+1++3+31+QDHAUL+++LU B12345'\n", ""))
    assert notice is None
    assert any("SG1 (TDT)" in p.message for p in problems.errors)


def test_time_window_ending_before_it_starts_is_an_error() -> None:
    """DTM+63 before DTM+64 is an error at the DTM+63 segment, element 1.2."""
    notice, problems = read(broken("DTM+63:202503101200", "DTM+63:202503100900"))
    assert notice is None
    assert [where(p) for p in problems.errors] == [(8, "DTM", "1.2", "202503100900")]


def test_planned_arrival_outside_the_window_is_an_error() -> None:
    """A DTM+132 after the latest time is an error at the DTM+132 segment."""
    notice, problems = read(broken("DTM+132:202503101030", "DTM+132:202503101300"))
    assert notice is None
    assert [where(p) for p in problems.errors] == [(6, "DTM", "1.2", "202503101300")]


@pytest.mark.parametrize("number", ["MSCU1234567", "MSC-U12", "12345678901"])
def test_bad_container_number_drops_that_box(number: str) -> None:
    """A wrong check digit or number format is an error at EQD 2.1; the empty is still read."""
    notice, problems = read(broken("EQD+CN+MSCU1234566", f"EQD+CN+{number}"))
    assert notice is not None
    assert [i.label for i in notice.items] == ["empty 22G1"]
    assert [(p.segment, p.tag, p.element) for p in problems.errors] == [(12, "EQD", "2.1")]


def test_an_unnamed_full_box_is_an_error() -> None:
    """A box without number must be an empty: full/empty 5 is an error at EQD element 6."""
    notice, problems = read(broken("EQD+CN++22G1:102:5+++4", "EQD+CN++22G1:102:5+++5"))
    assert notice is not None
    assert len(notice.items) == 1
    assert [where(p) for p in problems.errors] == [(19, "EQD", "6", "5")]


def test_an_unnamed_empty_without_release_is_an_error() -> None:
    """An empty picked up by size type needs its release: an error at EQD 3.1."""
    notice, problems = read(broken("RFF+RE:MSCREL88121'\n", ""))
    assert notice is not None
    assert [where(p) for p in problems.errors] == [(19, "EQD", "3.1", "22G1")]
    assert "release" in problems.errors[0].message


def test_missing_line_is_taken_from_a_box() -> None:
    """Without the header NAD+CA the line is the first box's NAD+CF, with a warning there."""
    notice, problems = read(broken("NAD+CA+MSC:160:ZZZ'\n", ""))
    assert notice is not None
    assert notice.operator == "MSC"
    assert not problems.errors
    assert ("NAD", "2.1", "MSC") in [(p.tag, p.element, p.value) for p in problems.warnings]


def test_no_line_anywhere_gives_no_notification() -> None:
    """Without NAD+CA and without a box naming its operator: an error at BGM element 2."""
    text = broken("NAD+CA+MSC:160:ZZZ'\n", "").replace("NAD+CF+MSC:160:ZZZ'\n", "")
    notice, problems = read(text)
    assert notice is None
    assert [(p.tag, p.element) for p in problems.errors] == [("BGM", "2")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("BGM+661+", "BGM+999+"),
        ("+++LU B12345'", "'"),
        ("DTM+63:202503101200", "DTM+63:202503100900"),
        ("EQD+CN+MSCU1234566", "EQD+CN+MSCU1234567"),
        ("RFF+RE:MSCREL88121'\n", ""),
        ("DTM+64:202503101000:203", "DTM+64:2025031010:203"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)


def edi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_edi(*args, url=url)


def test_import_keeps_the_latest_pre_notification_and_registers_nothing(tmp_path: Path) -> None:
    """`edi import` keeps a COPINO by reference, once; a broken one changes nothing."""
    url = f"sqlite:///{tmp_path / 'copino.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    first = edi(url, "import", str(DATA / "copino.edi"))
    assert first.returncode == 0, first.stderr
    assert "pre_notification:PN2503100042" in first.stdout
    again = edi(url, "import", str(DATA / "copino.edi"))
    assert "imported before; nothing changed" in again.stdout
    bad = tmp_path / "bad.edi"
    bad.write_text(broken("MSCU1234566", "MSCU1234567").replace("CPI0001", "CPI0002"))
    refused = edi(url, "import", str(bad))
    assert refused.returncode == 1
    assert "segment 12 (EQD), element 2.1" in refused.stdout + refused.stderr
    later = tmp_path / "later.edi"
    later.write_text(golden().replace("CPI0001", "CPI0003").replace("LU B12345", "LU C777"))
    assert edi(url, "import", str(later)).returncode == 0
    with Store.open(url) as store:
        (kept,) = store.documents("pre_notification")
        assert kept["truck"] == "LU C777"
        assert store.counts()["containers_known"] == 0
        assert store.interchange("QDHAUL/CPI0002") is None
