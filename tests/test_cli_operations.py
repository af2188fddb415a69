"""The business commands (visit, berth, move, hold) run as the real `opentos` command."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opentos.edi.api import read_document
from opentos.edi.messages.baplie import baplie_interchange
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.moves import MoveKind
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.orders import GateReport, HandlingReport
from opentos.model.vessel_classes import vessel_class
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory
from test_cli import run

DATA = Path(__file__).parent / "edi" / "data"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PROFILE = vessel_class(2_000)


def _at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A tiny terminal with feeder visit V1 planned."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    run(url, "init", "--preset", "tiny")
    run(url, "visit", "add-vessel", "V1", "--name", "OPENTOS FEEDER", "--operator", "MSC",
        "--teu", "2000", "--voyage-in", "001E", "--voyage-out", "001W",
        "--eta", _at(0), "--etd", _at(12))  # fmt: skip
    return url


def _bay_plan(path: Path, n: int) -> list[str]:
    """An arrival BAPLIE of ``n`` 20' boxes in one stack of V1's feeder; returns them bottom-up."""
    factory = ContainerFactory(random.Random(11))
    slots = list(PROFILE.slots(20))[:n]
    stowage = tuple(
        Stowed(slot, factory.make(iso_type="22G1", flow="transship", full=True)) for slot in slots
    )
    plan = OnBoardPlan(
        "BP1", vessel_name="OPENTOS FEEDER", imo_number=None, carrier="MSC", voyage="001E",
        departure_port=UnLocode.parse("KRPUS"), next_port=UnLocode.parse("ZZTNY"),
        departed_at=T0 - timedelta(days=1), prepared_at=T0 - timedelta(days=1), stowage=stowage,
    )  # fmt: skip
    text = baplie_interchange(plan, sender="MSC", recipient="OPENTOS", reference="ARR1",
                              prepared=T0 - timedelta(days=1))  # fmt: skip
    path.write_text(text, encoding="ascii")
    return [str(s.container.number) for s in stowage if s.container is not None]


def test_a_call_from_bay_plan_to_coarri_and_codeco(url: str, tmp_path: Path) -> None:
    """Two discharges, a load and a gate-out are exactly what COARRI and CODECO report."""
    bottom, middle, top = _bay_plan(tmp_path / "arrival.edi", 3)
    run(url, "edi", "import", str(tmp_path / "arrival.edi"), "--visit", "V1")
    run(url, "berth", "assign", "V1", "B01", "--position-m", "10")
    run(url, "visit", "arrive", "V1", "--at", _at(0.5))
    run(url, "move", "discharge", "V1", top, "--to", "yard:A01.001.01.1", "--crane", "QC01",
        "--at", _at(1))  # fmt: skip
    run(url, "move", "discharge", "V1", middle, "--to", "yard:A01.001.02.1", "--crane", "QC01",
        "--at", _at(1.1))  # fmt: skip
    loaded = run(url, "move", "load", "V1", top, "0010082", "--crane", "QC02", "--at", _at(2))
    assert f"load of {top} (V1): yard:A01.001.01.1 -> vessel:V1:0010082" in loaded.stdout
    run(url, "visit", "add-truck", "T1", "--plate", "LU-B12345", "--haulier", "HAUL")
    run(url, "visit", "arrive", "T1", "--at", _at(3))
    run(url, "move", "gate-out", "T1", middle, "--at", _at(3.2))

    coarri = read_document(run(url, "edi", "export", "coarri", "--visit", "V1").stdout)
    reports = [m.content for m in coarri.messages]
    assert all(isinstance(r, HandlingReport) for r in reports)
    moved = {
        (r.kind, str(i.container.number), str(i.slot))
        for r in reports
        if isinstance(r, HandlingReport)
        for i in r.items
    }
    assert moved == {
        (MoveKind.DISCHARGE, top, "0010010"),
        (MoveKind.DISCHARGE, middle, "0010008"),
        (MoveKind.LOAD, top, "0010082"),
    }
    codeco = read_document(run(url, "edi", "export", "codeco").stdout)
    gates = [
        (r.direction, str(i.container.number), i.truck)
        for m in codeco.messages
        if isinstance(r := m.content, GateReport)
        for i in r.items
    ]
    assert gates == [(MoveKind.GATE_OUT, middle, "LU-B12345")]
    assert "equals the inventory rebuilt" in run(url, "ledger", "rebuild").stdout
    with Store.open(url) as store:
        assert {str(n) for n, _ in store.on_visit("V1")} == {bottom, top}
        assert store.where(ContainerNumber.parse(middle)) is None


def test_visit_commands_print_json_and_list(url: str) -> None:
    """add-truck, add-rail, update, arrive and list give their results as JSON."""
    truck = json.loads(
        run(url, "visit", "add-truck", "T1", "--plate", "LU-B1", "--eta", _at(1), "--json").stdout
    )
    assert (truck["kind"], truck["licence_plate"], truck["phase"]) == ("truck", "LU-B1", "planned")
    rail = json.loads(run(url, "visit", "add-rail", "R1", "--train", "X8001", "--json").stdout)
    assert (rail["kind"], rail["train"]) == ("rail", "X8001")
    updated = json.loads(run(url, "visit", "update", "V1", "--etd", _at(14), "--json").stdout)
    assert updated["planned_departure"] == _at(14)
    arrived = run(url, "visit", "arrive", "V1", "--at", "2026-12-01T08:30").stdout
    assert "vessel visit V1 (OPENTOS FEEDER): arrived;" in arrived
    listed = json.loads(run(url, "visit", "list", "--kind", "vessel", "--json").stdout)
    assert listed["count"] == 1
    assert listed["data"][0]["actual_arrival"] == _at(0.5)
    assert listed["data"][0]["profile"]["teu_capacity"] == PROFILE.teu_capacity
    assert "T1" in run(url, "visit", "list").stdout


def test_refused_commands_exit_1_naming_the_value_and_change_nothing(url: str) -> None:
    """An unknown visit, an illegal transition, an overlap: one error line, exit 1, no change."""
    with Store.open(url) as store:
        before = (store.head(), [v.to_dict() for v in store.visits()])
    refusals = [
        (("visit", "arrive", "V404"), "no visit 'V404'"),
        (("visit", "depart", "V1"), "V1 cannot go from planned to departed"),
        (("berth", "assign", "V1", "B09"), "no berth 'B09'"),
        (("move", "discharge", "V1", "MSCU1234566", "--to", "yard:A01.001.01.1"),
         "container MSCU1234566 is not known"),
        (("move", "load", "V1", "MSCU1234565", "0010082"), "MSCU1234565"),
        (("hold", "release", "MSCU1234566"), "MSCU1234566 is not known"),
    ]  # fmt: skip
    for args, message in refusals:
        result = run(url, *args, ok=False)
        assert result.returncode == 1, args
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("error: ")
    with Store.open(url) as store:
        assert (store.head(), [v.to_dict() for v in store.visits()]) == before


def test_gate_in_registers_a_new_box_and_a_hold_stops_its_load(url: str) -> None:
    """A box brought by truck is registered; on hold it is refused a load until released."""
    run(url, "visit", "arrive", "V1", "--at", _at(0.5))
    run(url, "visit", "add-truck", "T1", "--plate", "LU-B1")
    run(url, "visit", "arrive", "T1", "--at", _at(1))
    gated = json.loads(
        run(url, "move", "gate-in", "T1", "MSCU1234566", "--to", "yard:A01.001.01.1",
            "--iso-type", "22G1", "--operator", "MSC", "--vgm-kg", "21000", "--at", _at(1.1),
            "--json").stdout
    )  # fmt: skip
    assert [e["to"] for e in gated["events"]] == ["equipment:T1", "yard:A01.001.01.1"]
    held = run(url, "hold", "add", "MSCU1234566", "--kind", "line", "--reason", "unpaid").stdout
    assert "MSCU1234566 now on line hold" in held
    refused = run(url, "move", "load", "V1", "MSCU1234566", "0010082", ok=False)
    assert refused.returncode == 1
    assert "on hold: line (unpaid)" in refused.stderr
    run(url, "hold", "release", "MSCU1234566", "--kind", "line")
    assert "ledger event #3" in run(url, "move", "load", "V1", "MSCU1234566", "0010082").stdout


def test_apply_cusres_holds_and_releases_the_boxes_customs_names(url: str) -> None:
    """The golden CUSRES: MSCU7654329 selected for scan is held; the released boxes are not."""
    scanned, released = "MSCU7654329", ["MEDU4829137", "TGHU7302150"]
    for n, number in enumerate([scanned, *released], start=1):
        run(url, "visit", "add-truck", f"T{n}", "--plate", f"P{n}")
        run(url, "visit", "arrive", f"T{n}")
        run(url, "move", "gate-in", f"T{n}", number, "--to", f"yard:A01.00{2 * n - 1}.01.1",
            "--iso-type", "22G1", "--operator", "MSC", "--vgm-kg", "20000")  # fmt: skip
    run(url, "hold", "add", released[0], "--reason", "awaiting release")
    run(url, "edi", "import", str(DATA / "cusres.edi"))
    applied = json.loads(run(url, "hold", "apply-cusres", "--json").stdout)
    assert {(d["container"], d["action"], d["changed"]) for d in applied["data"]} == {
        (scanned, "hold", True),
        (released[0], "release", True),
        (released[1], "release", False),
    }
    assert (
        "hold: customs scan (customs response CR2503100001)"
        in run(url, "inventory", scanned).stdout
    )
    assert "hold:" not in run(url, "inventory", released[0]).stdout
    again = run(url, "hold", "apply-cusres", "CR2503100001").stdout
    assert "0 of 1 decision(s) changed a hold" in again
