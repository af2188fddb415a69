"""Importing interchanges into the terminal, and writing the terminal's messages from the ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opentos.edi.api import Document, read_document
from opentos.edi.messages.baplie import baplie_interchange
from opentos.edi.messages.vermas import vermas_interchange
from opentos.errors import EdiError, NotFound
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.ledger import MoveEvent
from opentos.model.onboard import OnBoardPlan
from opentos.model.orders import GateReport, HandlingReport
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.slots import BayRowTier
from opentos.model.vessel_classes import vessel_class
from opentos.model.vgm import VgmDeclaration, VgmMethod
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import export_interchange, import_document
from opentos.presets import load_preset
from opentos.storage.stocktake import import_stocktake, parse_stocktake
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
PROFILE = vessel_class(10_000)
PlanMaker = Callable[..., OnBoardPlan]


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The tiny terminal with vessel visit V1 (OPENTOS TRADER, voyage 012E in, 012W out)."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as created:
        with created.transaction() as tx:
            tx.add_visit(
                VesselVisit(
                    id="V1",
                    vessel_name="OPENTOS TRADER",
                    profile=PROFILE,
                    operator="MSC",
                    voyage_in="012E",
                    voyage_out="012W",
                    imo="9321483",
                )
            )
        yield created


def _document(plan: OnBoardPlan, reference: str = "R1") -> Document:
    text = baplie_interchange(
        plan, sender="MSC", recipient="OPENTOS", reference=reference, prepared=T0
    )
    return read_document(text, source="bay plan")


def _state(store: Store) -> tuple[dict[str, int], int]:
    return store.counts(), store.head()


def test_bay_plan_import_places_every_box_on_the_visit(store: Store, make_plan: PlanMaker) -> None:
    """A BAPLIE registers its boxes and places each in its slot, matched to the visit."""
    plan = make_plan(12)
    summary = import_document(store, _document(plan), at=T0)
    assert summary.placed == 12
    assert summary.containers == 12
    on_board = dict(store.on_visit("V1"))
    assert on_board == {
        s.container.number: VesselPlace("V1", s.slot) for s in plan.stowage if s.container
    }
    first = plan.stowage[0].container
    assert first is not None
    # a bay plan carries no tare and no seals
    assert store.container(first.number) == replace(first, tare_kg=None, seals=())
    assert all(e.from_place is None for e in store.events())


def test_the_same_interchange_twice_changes_nothing(store: Store, make_plan: PlanMaker) -> None:
    """Importing an interchange again is recognised: no event, no change."""
    document = _document(make_plan(5))
    import_document(store, document, at=T0)
    before = _state(store)
    text = baplie_interchange(
        make_plan(5), sender="MSC", recipient="OPENTOS", reference="R1", prepared=T0
    )
    again = import_document(store, read_document(text.encode()), at=T0)
    assert again.already_imported
    assert _state(store) == before


def test_same_reference_with_other_content_is_refused(store: Store, make_plan: PlanMaker) -> None:
    """A sender's reference used again for other content is an error; nothing changes."""
    import_document(store, _document(make_plan(5)), at=T0)
    before = _state(store)
    with pytest.raises(EdiError, match=r"MSC/R1 was imported .* with other content"):
        import_document(store, _document(make_plan(6)), at=T0)
    assert _state(store) == before


def test_a_file_with_an_error_is_refused_whole(store: Store, make_plan: PlanMaker) -> None:
    """One bad check digit refuses the whole interchange, naming segment and value."""
    plan = make_plan(4)
    text = baplie_interchange(plan, sender="MSC", recipient="OPENTOS", reference="R2", prepared=T0)
    box = plan.stowage[2].container
    assert box is not None
    bad = str(box.number)[:-1] + str((int(str(box.number)[-1]) + 1) % 10)
    document = read_document(text.replace(str(box.number), bad), source="bad.edi")
    assert document.errors
    before = _state(store)
    with pytest.raises(EdiError, match=rf"segment \d+ \(EQD\), element 2.*{bad}"):
        import_document(store, document, at=T0)
    assert _state(store) == before
    assert store.interchange(document.key) is None


def test_a_slot_the_vessel_lacks_refuses_the_wholemake_plan(
    store: Store, make_plan: PlanMaker
) -> None:
    """A box for a slot the vessel does not have: error naming the EQD segment; nothing changes."""
    plan = make_plan(3)
    wrong = replace(plan.stowage[2], slot=BayRowTier(1, 0, 82))  # the stack's top box
    plan = replace(plan, stowage=(plan.stowage[0], wrong, plan.stowage[1]))
    before = _state(store)
    assert wrong.container is not None
    with pytest.raises(EdiError, match=rf"segment \d+ \(EQD\), container {wrong.container.number}"):
        import_document(store, _document(plan), at=T0)
    assert _state(store) == before


def test_vermas_sets_the_vgm_of_known_boxes_only(store: Store, make_plan: PlanMaker) -> None:
    """VERMAS sets VGM on known boxes; a VGM for an unknown box refuses the interchange."""
    plan = make_plan(3)
    import_document(store, _document(plan), at=T0)
    numbers = [s.container.number for s in plan.stowage if s.container]
    declarations = [
        VgmDeclaration(container=numbers[0], vgm_kg=23_450, method=VgmMethod.SM1,
                       responsible_party="OPENTOS SHIPPER", authorised_person="J SMITH",
                       weighed_at=T0, document_number="VG1", declared_at=T0)
    ]  # fmt: skip
    text = vermas_interchange(
        declarations, sender="FWD", recipient="OPENTOS", reference="V1", prepared=T0
    )
    summary = import_document(store, read_document(text), at=T0)
    assert summary.vgm == 1
    assert store.container(numbers[0]).vgm_kg == 23_450
    unknown = replace(declarations[0], container=ContainerNumber.parse("MSCU1234566"))
    text = vermas_interchange(
        [unknown], sender="FWD", recipient="OPENTOS", reference="V2", prepared=T0
    )
    before = _state(store)
    with pytest.raises(EdiError, match="MSCU1234566, a container this terminal does not know"):
        import_document(store, read_document(text), at=T0)
    assert _state(store) == before


def test_orders_bookings_and_instructions_are_kept_as_documents(
    store: Store, make_plan: PlanMaker
) -> None:
    """COPARN, COPRAR and MOVINS are stored by reference, matched to their vessel visit."""
    with store.transaction() as tx:
        tx.add_visit(
            VesselVisit(
                id="V2",
                vessel_name="MSC TESSA",
                profile=PROFILE,
                operator="MSC",
                voyage_out="FA512W",
                imo="9839131",
            )
        )
        tx.add_visit(
            VesselVisit(
                id="V3",
                vessel_name="MSC ANNA",
                profile=PROFILE,
                operator="MSC",
                voyage_in="FL510E",
                call_sign="9HA5122",
            )
        )
    for name in ("coparn.edi", "coprar-load.edi", "movins.edi"):
        summary = import_document(store, read_document((DATA / name).read_bytes(), source=name))
        assert summary.documents, name
    assert [d["reference"] for d in store.documents("booking")] == ["177BKG0012345"]
    assert len(store.documents("load_order", visit="V2")) == 1
    assert len(store.documents("stowage_instructions", visit="V3")) == 1


def test_coarri_is_sent_not_imported(store: Store) -> None:
    """The terminal writes COARRI; importing one is refused and changes nothing."""
    before = _state(store)
    document = read_document((DATA / "coarri-load.edi").read_bytes(), source="coarri")
    with pytest.raises(EdiError, match="OpenTOS sends COARRI"):
        import_document(store, document)
    assert _state(store) == before


def test_exports_follow_the_ledger(store: Store, make_plan: PlanMaker) -> None:
    """Departure BAPLIE, COARRI and CODECO from the store read back as the ledger's facts."""
    plan = make_plan(6)
    import_document(store, _document(plan), at=T0)
    boxes = [s.container for s in plan.stowage if s.container]
    top = boxes[-1]
    with store.transaction() as tx:
        tx.record(
            [
                MoveEvent(
                    top.number,
                    VesselPlace("V1", plan.stowage[-1].slot),
                    EquipmentPlace("QC01"),
                    T0 + timedelta(hours=1),
                )
            ]
        )
        tx.record(
            [
                MoveEvent(
                    top.number,
                    EquipmentPlace("QC01"),
                    EquipmentPlace("TRK7"),
                    T0 + timedelta(hours=2),
                ),
                MoveEvent(
                    top.number, EquipmentPlace("TRK7"), None, T0 + timedelta(hours=3), "TRK7"
                ),
            ]
        )
    kwargs = {"sender": "OPENTOS", "recipient": None, "next_port": "KRPUS", "prepared": T0}
    bay_plan = (
        read_document(
            export_interchange(store, "baplie", visit="V1", version="3.1.1", **kwargs), strict=True
        )
        .messages[0]
        .content
    )
    assert isinstance(bay_plan, OnBoardPlan)
    assert {s.container.number: s.slot for s in bay_plan.stowage if s.container} == {
        s.container.number: s.slot for s in plan.stowage[:-1] if s.container
    }
    assert bay_plan.departure_port == UnLocode.parse(store.layout.un_locode)
    coarri = read_document(
        export_interchange(store, "coarri", visit="V1", version=None, **kwargs), strict=True
    )
    (report,) = [m.content for m in coarri.messages]
    assert isinstance(report, HandlingReport)
    assert [(i.container.number, i.slot, i.at) for i in report.items] == [
        (top.number, plan.stowage[-1].slot, T0 + timedelta(hours=1))
    ]
    codeco = read_document(
        export_interchange(store, "codeco", visit=None, version=None, **kwargs), strict=True
    )
    (gate,) = [m.content for m in codeco.messages]
    assert isinstance(gate, GateReport)
    assert [(i.container.number, str(i.direction), i.truck) for i in gate.items] == [
        (top.number, "gate_out", "TRK7")
    ]


def test_a_box_found_on_a_truck_by_a_stock_take_is_no_gate_move(store: Store) -> None:
    """A stock-take row on a truck is present on equipment: CODECO reports only the gate-out."""
    take = parse_stocktake(
        "number,iso_type,operator,full_empty,place\nMSCU1234566,22G1,MSC,F,equipment:TRK7\n"
    )
    import_stocktake(store, take, T0)
    number = ContainerNumber.parse("MSCU1234566")
    (found,) = store.events(number)
    assert (found.equipment, found.work_instruction) == (None, None)
    kwargs = {"sender": "OPENTOS", "recipient": None, "next_port": None, "prepared": T0}
    with pytest.raises(NotFound, match="no gate moves"):
        export_interchange(store, "codeco", visit=None, version=None, **kwargs)
    with store.transaction() as tx:
        tx.record([MoveEvent(number, EquipmentPlace("TRK7"), None, T0, "TRK7")])
    codeco = read_document(
        export_interchange(store, "codeco", visit=None, version=None, **kwargs), strict=True
    )
    (gate,) = [m.content for m in codeco.messages]
    assert isinstance(gate, GateReport)
    assert [(i.container.number, str(i.direction)) for i in gate.items] == [(number, "gate_out")]
