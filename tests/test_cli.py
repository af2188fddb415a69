"""The real `opentos` command, run as a subprocess."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opentos.edi.api import read_document
from opentos.model.ids import UnLocode
from opentos.model.onboard import OnBoardPlan
from opentos.model.orders import HandlingReport
from opentos.model.places import YardPlace
from opentos.operations.interchange import import_document
from opentos.operations.scenarios import scenario as make_scenario
from opentos.presets import load_preset
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory, fill_yard

OPENTOS = [sys.executable, "-m", "opentos"]


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``opentos -d URL ARGS`` and return its result; ``ok`` asserts the exit code 0."""
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [*OPENTOS, "-d", url, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def write_stocktake(path: Path, preset: str, occupancy: float, seed: int = 3) -> int:
    """A stock-take CSV of a yard filled to ``occupancy``; returns the number of rows."""
    layout = load_preset(preset)
    containers, events = fill_yard(
        layout, ContainerFactory(random.Random(seed)), occupancy, datetime(2026, 1, 1, tzinfo=UTC)
    )
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["number", "iso_type", "operator", "full_empty", "place", "gross_weight_kg"])
        for c, e in zip(containers, events, strict=True):
            out.writerow(
                [c.number, c.iso_type.code, c.operator, c.full_empty, e.to_place, c.gross_weight_kg]
            )
    return len(containers)


def test_terminal_lifecycle(tmp_path: Path) -> None:
    """init, import, terminal, inventory and ledger rebuild work together."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert "Created terminal" in run(url, "init", "--preset", "tiny").stdout
    rows = write_stocktake(tmp_path / "take.csv", "tiny", 0.5)
    assert (
        f"Imported {rows} containers"
        in run(url, "import", "inventory", str(tmp_path / "take.csv")).stdout
    )
    shown = run(url, "terminal").stdout
    assert "Tiny test terminal" in shown
    assert f"containers in terminal │ {rows}" in shown
    with Store.open(url) as store:
        number, place = next(iter(store.inventory_places().items()))
    assert isinstance(place, YardPlace)
    shown = run(url, "inventory", number.spaced()).stdout
    assert f"where: {place}" in shown
    assert str(place) in run(url, "inventory", "--block", "A01").stdout
    assert "equals the inventory rebuilt" in run(url, "ledger", "rebuild").stdout
    assert str(number) in run(url, "ledger", "events", "--container", str(number)).stdout


def test_errors_are_one_clear_line(tmp_path: Path) -> None:
    """Bad input gets `error: ...` naming the value, exit code 1, and changes nothing."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    run(url, "init", "--preset", "tiny")
    bad = run(url, "inventory", "MSKU1234560", ok=False)
    assert bad.returncode == 1
    assert "error: container number 'MSKU1234560': check digit is 0, expected" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = run(url, "inventory", "--block", "Z99", ok=False)
    assert unknown.returncode == 1
    assert "Z99" in unknown.stderr
    again = run(url, "init", "--preset", "tiny", ok=False)
    assert again.returncode == 1
    assert "already holds terminal" in again.stderr
    missing = run(f"sqlite:///{tmp_path / 'none.db'}", "terminal", ok=False)
    assert missing.returncode == 1
    assert "opentos init" in missing.stderr
    preset = run(f"sqlite:///{tmp_path / 'x.db'}", "init", "--preset", "atlantis", ok=False)
    assert preset.returncode == 1
    assert "atlantis" in preset.stderr
    assert "qianwan-1" in preset.stderr
    (tmp_path / "bad.csv").write_text(
        "number,iso_type,operator,full_empty,place\nXYZ,22G1,A,F,yard:A01.001.01.1\n"
    )
    imported = run(url, "import", "inventory", str(tmp_path / "bad.csv"), ok=False)
    assert imported.returncode == 1
    assert "line 2, column number" in imported.stderr


def test_killed_import_leaves_nothing(database_url: str, tmp_path: Path) -> None:
    """A bulk import killed half-way leaves no trace; the next import then runs whole."""
    run(database_url, "init", "--preset", "qianwan-1")
    rows = write_stocktake(tmp_path / "take.csv", "qianwan-1", 0.5)
    process = subprocess.Popen(
        [*OPENTOS, "-d", database_url, "import", "inventory", str(tmp_path / "take.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    done = int(line.split(":")[1].split("/")[0])
    assert 0 < done < rows, line
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    with Store.open(database_url) as store:
        assert store.counts() == {"containers_known": 0, "in_terminal": 0, "events": 0, "visits": 0}
    assert (
        f"Imported {rows} containers"
        in run(database_url, "import", "inventory", str(tmp_path / "take.csv")).stdout
    )
    assert "equals the inventory rebuilt" in run(database_url, "ledger", "rebuild").stdout


@pytest.mark.slow
def test_demo_runs_from_nothing(tmp_path: Path) -> None:
    """`opentos demo` builds qianwan-1, fills it, runs the ZIM Chicago call in the twin."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    out = run(url, "demo", "--out", str(tmp_path / "twin")).stdout
    assert "Qianwan" in out
    assert "QINGDAO EXPRESS" in out
    assert "equals the live inventory" in out
    assert "zim-chicago: fcfs, 38 AGVs" in out
    # The call's load plan is planned, checked and drawn before the twin works it.
    assert re.search(r"hard-rule violations of the plan \(independent check\)\s*│\s*0\s", out)
    assert (tmp_path / "twin" / "bay_plan.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (tmp_path / "twin" / "bay_plan.svg").read_text()
    call = make_scenario("zim-chicago", 2017)
    assert json.loads((tmp_path / "twin" / "kpis.json").read_text())["moves"] == call.moves
    # The line gets the call's COARRI and the departure BAPLIE, which read back strictly.
    reports = read_document((tmp_path / "twin" / "coarri.edi").read_bytes(), strict=True)
    moved: dict[str, int] = {}
    for report in reports.messages:
        assert isinstance(report.content, HandlingReport)
        moved[str(report.content.kind)] = len(report.content.items)
    assert moved == {
        "discharge": len(call.calls[0].discharge),
        "load": call.moves - moved["discharge"],
    }
    for version in ("2.2", "3.1.1"):
        bay_plan = read_document(
            (tmp_path / "twin" / f"baplie-{version}.edi").read_bytes(), strict=True
        )
        (message,) = bay_plan.messages
        assert isinstance(message.content, OnBoardPlan)
        assert message.content.departure_port == UnLocode.parse("CNTAO")
        arrived = len(call.calls[0].on_board)
        assert len(message.content.stowage) == arrived - moved["discharge"] + moved["load"]
        # ... and imports back into a visit of the same vessel, every stack bottom-up
        back = f"sqlite:///{tmp_path / f'back-{version}.db'}"
        with Store.create(back, load_preset("tiny"), "tiny") as store:
            with store.transaction() as tx:
                tx.add_visit(call.calls[0].visit)
            summary = import_document(store, bay_plan, visit_id=call.calls[0].visit.id)
            assert summary.placed == len(message.content.stowage)
            assert store.rebuild().consistent
    # The twin's moves went into the demo's ledger: the call's COARRI comes from it too.
    visit = call.calls[0].visit.id
    stored = read_document(run(url, "edi", "export", "coarri", "--visit", visit).stdout)
    from_store: dict[str, int] = {}
    for report in stored.messages:
        assert isinstance(report.content, HandlingReport)
        from_store[str(report.content.kind)] = len(report.content.items)
    assert from_store == moved
    with Store.open(url) as store:
        counts = store.counts()
        assert counts["in_terminal"] > 15_000
        assert counts["events"] > counts["in_terminal"]  # boxes came and went
        assert store.rebuild().consistent
        work = store.instructions(visit)
        assert len(work) == call.moves
        assert {str(w.state) for w in work} == {"done"}
        assert len(store.on_visit("QDX-2611E")) > 0


def test_simulate_writes_kpis_and_plots(tmp_path: Path) -> None:
    """`opentos simulate` runs a call in the twin and writes kpis.json and three PNGs."""
    out = tmp_path / "out"
    result = subprocess.run(
        [
            *OPENTOS,
            "simulate",
            "--scenario",
            "small-call",
            "--policy",
            "optimal",
            "--agvs",
            "8",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["finished"] is True
    assert kpis["moves"] == make_scenario("small-call", 3).moves
    assert kpis["policy"] == "optimal"
    for name in ("qc_productivity.png", "agv_states.png", "qc_gantt.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG")
    bad = subprocess.run(
        [*OPENTOS, "simulate", "--scenario", "small-call", "--policy", "telepathy"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 1
    assert "telepathy" in bad.stderr
    assert "fcfs" in bad.stderr
