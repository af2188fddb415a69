"""References of the interchanges the terminal writes: one per message, version and content."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from opentos.edi.api import read_document
from opentos.edi.messages.baplie import baplie_interchange
from opentos.errors import EdiError
from opentos.model.ledger import MoveEvent
from opentos.model.onboard import OnBoardPlan
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import export_interchange, import_document
from opentos.presets import load_preset
from opentos.storage.store import Store

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
PROFILE = vessel_class(10_000)
PlanMaker = Callable[..., OnBoardPlan]


def _visit(visit_id: str, name: str, imo: str) -> VesselVisit:
    return VesselVisit(
        id=visit_id, vessel_name=name, profile=PROFILE, operator="MSC",
        voyage_in="012E", voyage_out="012W", imo=imo,
    )  # fmt: skip


@pytest.fixture
def store(database_url: str, make_plan: PlanMaker) -> Iterator[Store]:
    """The tiny terminal with vessel visits V1 and V2, each with a bay plan of 4 boxes on board."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as created:
        with created.transaction() as tx:
            tx.add_visit(_visit("V1", "OPENTOS TRADER", "9321483"))
            tx.add_visit(_visit("V2", "OPENTOS CARRIER", "9839131"))
        for visit, seed in (("V1", 1), ("V2", 2)):
            text = baplie_interchange(
                make_plan(4, seed=seed), sender="MSC", recipient="OPENTOS",
                reference=f"ARR{visit}", prepared=T0,
            )  # fmt: skip
            import_document(created, read_document(text), visit_id=visit, at=T0)
        yield created


def _export(store: Store, kind: str, visit: str | None, version: str | None = None) -> str:
    return export_interchange(
        store, kind, visit=visit, version=version, sender="OPENTOS", recipient=None,
        next_port="KRPUS",
    )  # fmt: skip


def _discharge_a_box(store: Store, visit: str, crane: str = "QC01") -> None:
    number, place = max(store.on_visit(visit), key=lambda item: str(item[1]))  # a top box
    assert isinstance(place, VesselPlace)
    with store.transaction() as tx:
        tx.record([MoveEvent(number, place, EquipmentPlace(crane), T0 + timedelta(hours=1))])


def test_bay_plans_of_two_versions_get_their_own_references_and_both_import(
    store: Store,
) -> None:
    """The 2.2 and 3.1.1 departure BAPLIEs of one state differ in reference; each imports."""
    documents = [read_document(_export(store, "baplie", "V1", v)) for v in ("2.2", "3.1.1")]
    references = [d.interchange.reference for d in documents]
    assert references[0] != references[1]
    assert all(r.startswith("BAP") and len(r) <= 14 for r in references)
    for document in documents:
        summary = import_document(store, document, visit_id="V1", at=T0)
        assert not summary.already_imported
        assert store.interchange(document.key) is not None


def test_coarris_of_two_visits_get_their_own_references(store: Store) -> None:
    """COARRIs for two visits differ in reference; importing one is refused as sent, not reused."""
    for visit, crane in (("V1", "QC01"), ("V2", "QC02")):
        _discharge_a_box(store, visit, crane)
    documents = [read_document(_export(store, "coarri", visit)) for visit in ("V1", "V2")]
    assert documents[0].interchange.reference != documents[1].interchange.reference
    for document in documents:
        with pytest.raises(EdiError, match="OpenTOS sends COARRI"):
            import_document(store, document)


def test_the_same_export_twice_is_the_same_interchange(store: Store) -> None:
    """The same message, version and content again: the same reference and the same bytes."""
    first = _export(store, "baplie", "V1", "2.2")
    again = _export(store, "baplie", "V1", "2.2")
    assert again == first
    assert import_document(store, read_document(first), visit_id="V1", at=T0)
    assert import_document(store, read_document(again), visit_id="V1", at=T0).already_imported
    assert [(e.message, e.version, e.visit) for e in store.exported_interchanges()] == [
        ("BAPLIE", "2.2", "V1")
    ]


def test_other_content_gets_a_new_reference(store: Store) -> None:
    """After a move, the same message and version is other content: a new number."""
    before = read_document(_export(store, "baplie", "V1", "3.1.1")).interchange.reference
    _discharge_a_box(store, "V1")
    after = read_document(_export(store, "baplie", "V1", "3.1.1")).interchange.reference
    assert after != before
    records = store.exported_interchanges()
    assert [r.reference for r in records] == [before, after]
    assert records[0].number < records[1].number
