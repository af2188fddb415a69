"""Every departure bay plan OpenTOS writes imports back into a visit of the same vessel.

A departure BAPLIE lists slots in bay-row-tier order, so a 40' in an even bay
comes before the 20's of the next odd bay it stands on. The import records
each stack bottom-up whatever the order; these tests write mixed stacks (40'
over two 20's, 45' on top) from the stowage planner and from vessels filled up
to 24,000 TEU, in BAPLIE 2.1.1, 2.2 and 3.1.1, and import them back.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opentos.edi.api import read_document
from opentos.edi.messages.baplie import Version, baplie_interchange
from opentos.edi.outbound import departure_plan
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.places import VesselPlace
from opentos.model.slots import BayRowTier
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import import_document
from opentos.planning.stowage.generate import generate_stowage
from opentos.planning.stowage.problem import final_state
from opentos.planning.stowage.solver import solve_stowage
from opentos.presets import load_preset
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CNTAO = UnLocode.parse("CNTAO")

VERSIONS: tuple[Version, ...] = ("2.1.1", "2.2", "3.1.1")
"""One version per table family (1.x and 2.1 write as 2.1.1); the full vessels are costly."""


def _visit(profile: VesselProfile, visit_id: str = "DEP") -> VesselVisit:
    return VesselVisit(
        id=visit_id,
        vessel_name="OPENTOS PIONEER",
        profile=profile,
        operator="MSC",
        voyage_in="101E",
        voyage_out="101W",
        imo="9321483",
    )


Stowage = dict[ContainerNumber, tuple[BayRowTier, Container]]


def mixed_stacks(profile: VesselProfile, seed: int = 1) -> Stowage:
    """Every stack filled: 20's in both odd bays at the bottom, then 40's (45's where allowed)."""
    factory = ContainerFactory(random.Random(seed))
    slots: Stowage = {}
    for section in profile.sections:
        for part in (section.hold, section.deck):
            for stack in part.stacks:
                split = len(stack.tiers) // 2 if section.bay40 is not None else len(stack.tiers)
                for i, tier in enumerate(stack.tiers):
                    if i < split:
                        for bay in section.bays20:
                            box = factory.make(iso_type="22G1", flow="export", full=False)
                            slots[box.number] = (BayRowTier(bay, stack.row, tier), box)
                    elif section.bay40 is not None:
                        top = i == len(stack.tiers) - 1 and stack.accepts_45
                        box = factory.make(iso_type="L5G1" if top else "42G1", flow="export",
                                           full=False)  # fmt: skip
                        slots[box.number] = (BayRowTier(section.bay40, stack.row, tier), box)
    return slots


def _departure_text(
    profile: VesselProfile,
    stowed: Stowage,
    version: Version,
) -> str:
    slots = {n: slot for n, (slot, _) in stowed.items()}
    boxes = {n: box for n, (_, box) in stowed.items()}
    plan = departure_plan(
        _visit(profile), slots, boxes, port=CNTAO, document_number="DEP1", prepared=T0,
        departed=T0, next_port=UnLocode.parse("KRPUS"),
    )  # fmt: skip
    return baplie_interchange(
        plan, sender="OPENTOS", recipient="MSC", reference=f"DEP{version}", prepared=T0,
        version=version,
    )  # fmt: skip


def _import_back(
    url: str, profile: VesselProfile, text: str, expected: dict[ContainerNumber, BayRowTier]
) -> None:
    """Import ``text`` into a new visit of ``profile``: every box in its slot, a clean rebuild."""
    with Store.create(url, load_preset("tiny"), "tiny") as store:
        with store.transaction() as tx:
            tx.add_visit(_visit(profile, "BACK"))
        document = read_document(text, strict=True, source="departure")
        summary = import_document(store, document, visit_id="BACK", at=T0)
        assert summary.placed == len(expected)
        on_board = {n: p.slot for n, p in store.on_visit("BACK") if isinstance(p, VesselPlace)}
        assert on_board == expected
        assert store.rebuild().consistent


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An SQLite file of its own."""
    return f"sqlite:///{tmp_path / 'back.db'}"


@pytest.fixture(scope="module")
def planned() -> tuple[VesselProfile, Stowage]:
    """The stowage planner's load plan for a feeder call, as the vessel sails with it."""
    problem = generate_stowage(1000, 300, seed=3)
    result = solve_stowage(problem, time_limit_s=20, master_limit_s=2)
    assert result.plan is not None
    final = final_state(problem, result.plan)
    return problem.profile, {s.container.number: (s.slot, s.container) for s in final}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_planned_departure_imports_back(
    database_url: str, version: Version, planned: tuple[VesselProfile, Stowage]
) -> None:
    """The stowage planner's load plan for a feeder, as sailed, imports back in every version."""
    profile, stowed = planned
    at = {(s.bay, s.row, s.tier): box.length_ft for s, box in stowed.values()}
    assert any(
        length >= 40 and at.get((bay - 1, row, tier - 2)) == 20
        for (bay, row, tier), length in at.items()
    ), "the plan has no 40' over a 20': the test would not test the order"
    text = _departure_text(profile, stowed, version)
    _import_back(database_url, profile, text, {n: s for n, (s, _) in stowed.items()})


@pytest.mark.parametrize("teu", [1_000, 10_000, 24_000])
@pytest.mark.parametrize("version", VERSIONS)
def test_full_mixed_stacks_import_back(sqlite_url: str, teu: int, version: Version) -> None:
    """A vessel of up to 24,000 TEU full of 40's and 45's over 20's imports back whole."""
    profile = vessel_class(teu)
    stowed = mixed_stacks(profile)
    text = _departure_text(profile, stowed, version)
    _import_back(sqlite_url, profile, text, {n: s for n, (s, _) in stowed.items()})
