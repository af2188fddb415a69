"""CUSCAR cargo reports: golden file, writing, round trips, broken input, import and export."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from edi_helpers import edited, golden_text, run_edi
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.api import read_document
from opentos.edi.envelope import read_interchange
from opentos.edi.messages.baplie import baplie_interchange
from opentos.edi.messages.cuscar import cuscar_interchange, read_cuscar, write_cuscar
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import FullEmpty, Seal, SealIssuer
from opentos.model.customs import CargoEquipment, CargoFlow, CargoReport, Consignment, GoodsItem
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.onboard import OnBoardPlan
from opentos.model.orders import VesselCall
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import import_document
from opentos.presets import load_preset
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 9, 6, 0, tzinfo=UTC)
N = ContainerNumber.parse
TESSA = VesselCall("MSC TESSA", "FA511E", "MSC", imo="9839131", port=UnLocode("CNTAO"))


def golden() -> str:
    return golden_text("cuscar.edi")


def read(text: str, strict: bool = False) -> tuple[CargoReport | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    return read_cuscar(interchange.messages[0], interchange.problems), interchange.problems


def expected() -> CargoReport:
    size20, size45 = SizeType.parse("22G1"), SizeType.parse("45G1")
    carrier, customs = SealIssuer.CARRIER, SealIssuer.CUSTOMS
    return CargoReport(
        "MAN2503090001",
        TESSA,
        (
            CargoEquipment(N("MSCU7654329"), size45, seals=(Seal("MSC55012", carrier),)),
            CargoEquipment(
                N("MEDU4829137"),
                size20,
                seals=(Seal("MSC55013", carrier), Seal("CN118220", customs)),
            ),
            CargoEquipment(N("TGHU7302150"), size20, seals=(Seal("MSC55014", carrier),)),
            CargoEquipment(N("MSMU1357909"), size20, FullEmpty.EMPTY),
        ),
        (
            Consignment(
                "MEDUKR1234567",
                (GoodsItem((N("MSCU7654329"),), "PUMPS+VALVES, NOT ASSEMBLED", 18250, 24, "PK"),),
                "BUSAN MACHINERY CO LTD",
                "QINGDAO HEAVY INDUSTRY TRADING COMPANY LIMITED",
            ),
            Consignment(
                "MEDUKR1234568",
                (
                    GoodsItem((N("MEDU4829137"),), "FROZEN SQUID", 19800, 1100, "CT"),
                    GoodsItem((N("TGHU7302150"),), "RICE", 10000, 400, "BG"),
                ),
                consignee="QINGDAO FOODS LTD",
            ),
        ),
        arrival=datetime(2025, 3, 10, 5, 0, tzinfo=UTC),
        issued=WHEN,
    )


def test_golden_reads_strictly() -> None:
    """The golden cargo report reads strictly into exactly its vessel, equipment and B/Ls."""
    report, problems = read(golden(), strict=True)
    assert problems.items == []
    assert report == expected()
    assert report.consignments[1].containers == (N("MEDU4829137"), N("TGHU7302150"))
    assert report.consignments[1].gross_weight_kg == 29800


def test_golden_writes_back_to_its_segments() -> None:
    """Golden -> cargo report -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(), strict=True)
    report = read_cuscar(interchange.messages[0], interchange.problems)
    assert report is not None
    assert write_cuscar(report) == list(interchange.messages[0].body)


def test_goods_in_a_container_the_report_lacks_are_refused() -> None:
    """A B/L naming a container outside the report's equipment raises InvalidValue."""
    box = CargoEquipment(N("MSCU7654329"), SizeType.parse("45G1"))
    goods = GoodsItem((N("MEDU4829137"),), "RICE", 1000)
    with pytest.raises(InvalidValue, match="not in the report's equipment"):
        CargoReport("R", TESSA, (box,), (Consignment("BL1", (goods,)),))


_NUMBERS = [ContainerNumber.from_parts("TCL", "U", s) for s in range(100_000, 100_012)]
_printable = st.text(
    st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=60
).map(str.strip)


@st.composite
def reports(draw: st.DrawFn) -> CargoReport:
    numbers = draw(st.lists(st.sampled_from(_NUMBERS), min_size=1, max_size=6, unique=True))
    equipment = tuple(
        CargoEquipment(
            n,
            SizeType.parse(draw(st.sampled_from(["22G1", "45G1", "45R1"]))),
            draw(st.sampled_from(list(FullEmpty))),
            draw(st.sampled_from(list(CargoFlow))),
            tuple(
                Seal(s, SealIssuer.CARRIER)
                for s in draw(st.lists(st.sampled_from(["S1", "S2", "S3"]), unique=True))
            ),
        )
        for n in numbers
    )
    consignments = []
    for k in range(draw(st.integers(0, 3))):
        goods = []
        for _ in range(draw(st.integers(1, 3))):
            inside = draw(st.lists(st.sampled_from(numbers), min_size=1, max_size=3, unique=True))
            packages = draw(st.none() | st.integers(0, 5000))
            goods.append(
                GoodsItem(
                    tuple(inside),
                    draw(st.none() | _printable.filter(bool)),
                    draw(st.none() | st.integers(0, 40_000)),
                    packages,
                    None if packages is None else draw(st.sampled_from([None, "CT", "PK"])),
                )
            )
        consignments.append(
            Consignment(
                f"BL{k}",
                tuple(goods),
                draw(st.none() | _printable.filter(bool)),
                draw(st.none() | _printable.filter(bool)),
            )
        )
    return CargoReport(
        draw(st.text("ABC0123456789/-", min_size=1, max_size=20)),
        draw(st.sampled_from([TESSA, VesselCall("X", "1", "ONE", call_sign="9VAB2")])),
        equipment,
        tuple(consignments),
        draw(st.sampled_from([None, datetime(2025, 3, 10, 5, 0, tzinfo=UTC)])),
        draw(st.sampled_from([None, WHEN])),
    )


@settings(max_examples=50, deadline=None)
@given(reports())
def test_generated_reports_round_trip(report: CargoReport) -> None:
    """Any cargo report written as CUSCAR reads back strictly to an equal report."""
    text = cuscar_interchange(report, sender="S", recipient="R", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == report


def broken(old: str, new: str) -> str:
    return edited("cuscar.edi", old, new)


def test_bad_check_digit_drops_that_container() -> None:
    """A container number with a wrong check digit is an error at EQD 2.1; the rest is read."""
    report, problems = read(broken("MSMU1357909", "MSMU1357908"))
    assert report is not None
    assert len(report.equipment) == 3
    assert len(report.consignments) == 2
    (error,) = problems.errors
    where = (error.segment, error.tag, error.element, error.value)
    assert where == (15, "EQD", "2.1", "MSMU1357908")


def test_goods_in_an_unreported_container_drop_their_bill_of_lading() -> None:
    """An SGP naming a container without EQD is an error at SGP 1.1; its B/L is left out."""
    report, problems = read(broken("SGP+MSCU7654329", "SGP+MSMU1357909'\nSGP+TCLU1000003"))
    assert report is not None
    assert [c.bill_of_lading for c in report.consignments] == ["MEDUKR1234568"]
    assert [(p.tag, p.element) for p in problems.errors] == [("SGP", "1.1")]


def test_bad_weight_is_an_error_at_the_measure() -> None:
    """A goods weight that is not a number is an error at MEA 3.2; its B/L is left out."""
    report, problems = read(broken("KGM:19800", "KGM:heavy"))
    assert report is not None
    assert [c.bill_of_lading for c in report.consignments] == ["MEDUKR1234567"]
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element, error.value) == (29, "MEA", "3.2", "heavy")


def test_missing_bill_of_lading_is_an_error() -> None:
    """A consignment without RFF+BM nor a CNI document number is an error at CNI."""
    report, problems = read(broken("RFF+BM:MEDUKR1234567'\n", ""))
    assert report is not None
    assert len(report.consignments) == 1
    assert [(p.tag, p.element) for p in problems.errors] == [("CNI", "2")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("MSCU7654329+45G1", "MSCU 7654329+45G1"),
        ("EQD+CN+MSMU1357909+22G1:102:5++3", "EQD+CN+MSMU1357909+22G1:102:5++9"),
        ("BGM+785+", "BGM+999+"),
        ("DTM+132:202503100500", "DTM+132:2025031005"),
        ("TDT+20+FA511E+1++MSC:172:20+++9839131:146:11:MSC TESSA", "TDT+20+FA511E"),
        ("GID+1+24:PK", "GID+1+many:PK"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant; lenient reading never crashes."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
    read(broken(old, new))


# --- import and export through the real command ---------------------------------------------

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def edi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_edi(*args, url=url)


def _terminal(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'customs.db'}"
    with Store.create(url, load_preset("tiny"), "tiny") as store, store.transaction() as tx:
        tx.add_visit(
            VesselVisit(
                id="V1", vessel_name="MSC TESSA", profile=vessel_class(10_000), operator="MSC",
                voyage_in="FA511E", voyage_out="FA511W", imo="9839131",
                planned_arrival=T0,
            )
        )  # fmt: skip
    return url


def test_import_is_whole_or_nothing_and_once(tmp_path: Path) -> None:
    """A line's CUSCAR is kept as a cargo report of its visit, once; a broken one is refused."""
    url = _terminal(tmp_path)
    bad = tmp_path / "bad.edi"
    bad.write_text(broken("MSMU1357909", "MSMU1357908"))
    refused = edi(url, "import", str(bad))
    assert refused.returncode == 1
    assert "(EQD), element 2.1" in refused.stderr
    with Store.open(url) as store:
        assert store.documents("cargo_report") == []
    first = edi(url, "import", str(DATA / "cuscar.edi"))
    assert first.returncode == 0, first.stderr
    assert "cargo_report:MAN2503090001" in first.stdout
    again = edi(url, "import", str(DATA / "cuscar.edi"))
    assert again.returncode == 0, again.stderr
    assert "imported before; nothing changed" in again.stdout
    with Store.open(url) as store:
        (kept,) = store.documents("cargo_report", "V1")
    assert kept == expected().to_dict()


PlanMaker = Callable[..., OnBoardPlan]


def _arrive_and_discharge(url: str, make_plan: PlanMaker) -> list[ContainerNumber]:
    """Three import boxes of MSC TESSA on board, of which a top one is discharged."""
    plan = make_plan(3, vessel="MSC TESSA")
    text = baplie_interchange(plan, sender="MSC", recipient="T", reference="A1", prepared=T0)
    with Store.open(url) as store:
        import_document(store, read_document(text), visit_id="V1", at=T0)
        number, place = max(store.on_visit("V1"), key=lambda item: str(item[1]))  # a top box
        assert isinstance(place, VesselPlace)
        with store.transaction() as tx:
            tx.record([MoveEvent(number, place, EquipmentPlace("QC01"), T0 + timedelta(hours=1))])
    return [number]


def test_export_reports_the_discharged_boxes_with_known_bills(
    tmp_path: Path, make_plan: PlanMaker
) -> None:
    """`edi export cuscar` writes the visit's import boxes; the same state gets the same file."""
    url = _terminal(tmp_path)
    (discharged,) = _arrive_and_discharge(url, make_plan)
    out = tmp_path / "cuscar.edi"
    result = edi(url, "export", "cuscar", "--visit", "V1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    document = read_document(out.read_bytes(), strict=True)
    report = document.messages[0].content
    assert isinstance(report, CargoReport)
    assert [e.number for e in report.equipment] == [discharged]
    assert report.consignments == ()
    assert report.reference == document.interchange.reference
    assert document.interchange.reference.startswith("CUS")
    again = edi(url, "export", "cuscar", "--visit", "V1")
    assert again.returncode == 0, again.stderr
    assert again.stdout == out.read_text()
    missing = edi(url, "export", "cuscar", "--visit", "NOPE")
    assert missing.returncode == 1
