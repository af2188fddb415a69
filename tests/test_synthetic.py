"""Generated populations: seeded, valid by the ledger's rules and by the independent checker."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from invariants import violations, yard_and_vessel_tiers
from opentos.model.places import VesselPlace
from opentos.model.terminal import Terminal
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory, fill_vessel, fill_yard

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PORTS = ("CNTAO", "KRPUS", "SGSIN")


def test_same_seed_same_population() -> None:
    """Two fills with one seed are identical; another seed differs."""
    layout = load_preset("tiny")
    first = fill_yard(layout, ContainerFactory(random.Random(5)), 0.6, T0)
    again = fill_yard(layout, ContainerFactory(random.Random(5)), 0.6, T0)
    other = fill_yard(layout, ContainerFactory(random.Random(6)), 0.6, T0)
    assert first == again
    assert first != other


def test_fills_obey_the_stacking_rules() -> None:
    """Yard and vessel fills pass the ledger and the independent checker; no overstows."""
    layout = load_preset("tiny")
    profile = vessel_class(2500)
    terminal = Terminal(layout)
    terminal.add_visit(VesselVisit(id="V1", vessel_name="T", profile=profile, operator="TST"))
    factory = ContainerFactory(random.Random(9))
    boxes, events = fill_yard(layout, factory, 0.7, T0)
    ship_boxes, ship_events = fill_vessel("V1", profile, factory, PORTS, 0.8, T0)
    for box in boxes + ship_boxes:
        terminal.register(box)
    terminal.record(events + ship_events)
    assert len(terminal.inventory) == len(boxes) + len(ship_boxes)
    assert len(ship_boxes) > 0.5 * profile.teu_capacity / 2

    def vessel_tiers(place: VesselPlace, _length: int) -> tuple[int, ...]:
        return profile.stack(place.slot.bay, place.slot.row, place.slot.on_deck).tiers

    tiers = yard_and_vessel_tiers(
        {b.id: (b.bays, b.rows, b.tiers) for b in layout.blocks}, vessel_tiers
    )
    lengths = {c.number: c.length_ft for c in boxes + ship_boxes}
    assert violations(terminal.inventory.positions(), lengths, tiers) == []
    rank = {p: i for i, p in enumerate(PORTS)}
    pod = {c.number: rank[str(c.port_of_discharge)] for c in ship_boxes}
    stacks: dict[tuple[int, int, bool], list[tuple[int, int]]] = {}
    for event in ship_events:
        place = event.to_place
        assert isinstance(place, VesselPlace)
        key = (place.slot.bay, place.slot.row, place.slot.on_deck)
        stacks.setdefault(key, []).append((place.slot.tier, pod[event.container]))
    for stack in stacks.values():
        ports = [p for _, p in sorted(stack)]
        assert ports == sorted(ports, reverse=True), (
            "a box for a later port stands on an earlier one"
        )
