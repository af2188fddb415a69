"""`opentos edi`: the real command, run as a subprocess."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from edi_helpers import run_edi

from opentos.edi.api import read_document
from opentos.edi.messages.baplie import baplie_interchange
from opentos.model.onboard import OnBoardPlan
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.presets import load_preset
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"


edi = run_edi


def test_parse_json_lists_every_slot_with_its_container() -> None:
    """`edi parse --json` gives type, version, counts and each slot's container details."""
    result = edi("parse", str(DATA / "baplie-3.1.1.edi"), "--json")
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    (message,) = decoded["messages"]
    assert (message["type"], message["directory"], message["association"]) == (
        "BAPLIE",
        "D13B",
        "SMDG31",
    )
    assert message["version"] == "3.1.1"
    assert message["counts"]["segments"] > 20
    content = message["content"]
    boxes = [s["container"] for s in content["stowage"] if s["container"]]
    assert all(b["number"] and b["iso_type"] and b["full_empty"] in "FE" for b in boxes)
    assert any(b["reefer"] and b["reefer"]["set_point_c"] == -18.0 for b in boxes)
    assert any(b["dangerous_goods"] for b in boxes)
    assert any(b["port_of_discharge"] for b in boxes)
    assert content["lost_slots"] or content["blocked_slots"]
    assert decoded["problems"] == []


def test_validate_exit_codes(tmp_path: Path) -> None:
    """`edi validate` exits 0 on a clean file, 1 on errors, and 1 on warnings with --strict."""
    golden = DATA / "baplie-2.2.edi"
    assert edi("validate", str(golden)).returncode == 0
    text = golden.read_text()
    spaced = tmp_path / "spaced.edi"
    spaced.write_text(text.replace("EQD+CN+MSCU1234566", "EQD+CN+MSCU 1234566"))
    lenient = edi("validate", str(spaced))
    assert lenient.returncode == 0, lenient.stdout
    assert "warning" in lenient.stdout
    strict = edi("validate", "--strict", str(spaced))
    assert strict.returncode == 1
    assert "MSCU 1234566" in strict.stderr
    broken = tmp_path / "broken.edi"
    broken.write_text(text.replace("EQD+CN+MSCU1234566", "EQD+CN+MSCU1234567"))
    result = edi("validate", str(broken))
    assert result.returncode == 1
    assert "(EQD), element 2" in result.stdout
    garbage = tmp_path / "garbage.edi"
    garbage.write_bytes(b"\x00\xffnot edifact")
    result = edi("parse", str(garbage))
    assert result.returncode == 1
    assert "no message" in result.stderr


def test_import_once_then_export(tmp_path: Path, make_plan: Callable[..., OnBoardPlan]) -> None:
    """`edi import` applies a bay plan once; `edi export baplie` writes what is on board."""
    url = f"sqlite:///{tmp_path / 'edi.db'}"
    profile = vessel_class(10_000)
    with Store.create(url, load_preset("tiny"), "tiny") as store, store.transaction() as tx:
        tx.add_visit(VesselVisit(id="V9", vessel_name="X", profile=profile, operator="MSC"))
    source = tmp_path / "arrival.edi"
    source.write_text(
        baplie_interchange(
            make_plan(8, profile=profile, vessel="X"),
            sender="MSC", recipient="OPENTOS", reference="A1", prepared=datetime.now(UTC),
        )
    )  # fmt: skip
    first = edi("import", str(source), "--visit", "V9", url=url)
    assert first.returncode == 0, first.stderr
    assert "8 placed on board" in first.stdout
    again = edi("import", str(source), "--visit", "V9", url=url)
    assert again.returncode == 0, again.stderr
    assert "imported before; nothing changed" in again.stdout
    out = tmp_path / "departure.edi"
    result = edi(
        "export", "baplie", "--visit", "V9", "--version", "2.1.1", "--out", str(out), url=url
    )
    assert result.returncode == 0, result.stderr
    plan = read_document(out.read_bytes(), strict=True).messages[0].content
    assert isinstance(plan, OnBoardPlan)
    assert len(plan.stowage) == 8
