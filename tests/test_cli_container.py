"""`opentos container` and the one door to the ledger, through the real CLI."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from opentos.model.ids import ContainerNumber
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.storage import schema
from opentos.storage.store import Store
from test_cli import run

DATA = Path(__file__).parent / "edi" / "data"


def test_a_coprar_cannot_block_the_database(tmp_path: Path) -> None:
    """The COPRAR that re-typed a yard box is refused; rebuild and later writes still work."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    run(url, "init", "--preset", "tiny")
    with Store.open(url) as store, store.transaction() as tx:
        tx.add_visit(
            VesselVisit(id="QDX-2611E", vessel_name="MSC TESSA", profile=vessel_class(1000),
                        operator="MSC", voyage_out="FA512W", imo="9839131")
        )  # fmt: skip
    take = tmp_path / "take.csv"
    take.write_text(
        "number,iso_type,operator,full_empty,place\n"
        "MSCU1234566,22G1,MSC,F,yard:A01.001.01.1\n"
        "TGHU3001008,22G1,MSC,E,equipment:AGV01\n"
    )
    run(url, "import", "inventory", str(take))
    refused = run(url, "edi", "import", str(DATA / "coprar-load.edi"), "--visit", "QDX-2611E",
                  ok=False)  # fmt: skip
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())  # as wrapped for the terminal
    assert "segment 8 (EQD), container MSCU1234566" in said
    assert "opentos container amend MSCU1234566 45G1" in said
    assert "equals the inventory rebuilt" in run(url, "ledger", "rebuild").stdout
    amend = run(url, "container", "amend", "MSCU1234566", "45G1", ok=False)
    assert amend.returncode == 1
    assert "cannot change from 20' to 40'" in " ".join(amend.stderr.split())
    assert "no amendments" in run(url, "container", "amendments").stdout
    done = run(url, "container", "amend", "TGHU3001008", "42G1", "--reason", "[bold]seal[/]")
    assert "TGHU3001008 is now a 42G1 (40'), at equipment:AGV01" in done.stdout
    listed = run(url, "container", "amendments", "TGHU3001008").stdout
    assert "TGHU3001008 22G1 -> 42G1 after event #2" in listed
    assert "([bold]seal[/])" in listed
    assert "equals the inventory rebuilt" in run(url, "ledger", "rebuild").stdout
    run(url, "import", "inventory", str(_one_row(tmp_path)))  # the database takes writes


def _one_row(tmp_path: Path) -> Path:
    path = tmp_path / "more.csv"
    path.write_text(
        "number,iso_type,operator,full_empty,place\nCMAU4102303,22G1,CMA,E,yard:A01.003.01.1\n"
    )
    return path


def test_ledger_rebuild_names_a_bounded_list_of_differences_and_repairs_them(
    tmp_path: Path,
) -> None:
    """25 inventory rows lost: 20 named, "and 5 more", exit 1; --repair puts them back."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    run(url, "init", "--preset", "tiny")
    take = tmp_path / "take.csv"
    rows = [
        f"{ContainerNumber.from_parts('TST', 'U', i)},22G1,TST,E,yard:A01.{2 * (i % 6) + 1:03d}."
        f"{i // 6 % 4 + 1:02d}.{i // 24 + 1}"
        for i in range(30)
    ]
    take.write_text("number,iso_type,operator,full_empty,place\n" + "\n".join(rows) + "\n")
    run(url, "import", "inventory", str(take))
    with Store.open(url) as store, store.engine.begin() as connection:
        connection.execute(
            delete(schema.inventory).where(
                schema.inventory.c.container.in_(
                    [str(ContainerNumber.from_parts("TST", "U", i)) for i in range(25)]
                )
            )
        )
    damaged = run(url, "ledger", "rebuild", ok=False)
    assert damaged.returncode == 1
    assert damaged.stderr.count("inventory says outside, ledger says yard:") == 20
    assert "... and 5 more differences" in damaged.stderr
    assert "Repaired 25 differences." in run(url, "ledger", "rebuild", "--repair").stdout
    assert "equals the inventory rebuilt" in run(url, "ledger", "rebuild").stdout
