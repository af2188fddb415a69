"""Creating visits, changing their planned times and moving their phases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operations_helpers import T0, snapshot

from opentos.errors import IllegalTransition, InvalidValue, NotFound
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import RailVisit, TruckVisit, VesselVisit, VisitPhase
from opentos.operations import visits
from opentos.storage.store import Store


def _feeder(store: Store, visit_id: str = "V9", **changes: object) -> VesselVisit:
    args: dict[str, object] = {
        "vessel_name": "OPENTOS FEEDER", "operator": "MSC", "teu": 2_000, "voyage_in": "002E",
        "imo": "9321483", "planned_arrival": T0, "planned_departure": T0 + timedelta(hours=10),
    }  # fmt: skip
    args.update(changes)
    return visits.add_vessel_visit(store, visit_id, **args)  # type: ignore[arg-type]


def test_a_vessel_visit_is_stored_planned(terminal: Store) -> None:
    """A new vessel visit is planned, with its class, voyage and planned times kept."""
    made = _feeder(terminal, vessel_class_name=None)
    stored = terminal.visit("V9")
    assert stored == made
    assert isinstance(stored, VesselVisit)
    assert stored.phase is VisitPhase.PLANNED
    assert stored.profile == vessel_class(2_000)
    assert stored.planned_departure == T0 + timedelta(hours=10)


def test_creating_the_same_visit_again_changes_nothing(terminal: Store) -> None:
    """Creating a visit that exists with the same data is harmless; other data is refused."""
    _feeder(terminal)
    before = snapshot(terminal)
    _feeder(terminal)
    assert snapshot(terminal) == before
    with pytest.raises(InvalidValue, match="V9 already exists"):
        _feeder(terminal, voyage_in="003E")
    assert snapshot(terminal) == before


def test_a_later_visit_of_a_vessel_takes_its_profile(terminal: Store) -> None:
    """Without a class, a vessel visit takes the profile of the vessel's earlier visit."""
    first = _feeder(terminal, "V8")
    again = _feeder(terminal, "V9", teu=None)
    assert again.profile == first.profile


def test_a_vessel_without_a_class_or_an_earlier_visit_is_refused(terminal: Store) -> None:
    """No class, no TEU and no earlier visit: the visit is refused, naming the vessel."""
    with pytest.raises(InvalidValue, match="no earlier visit of vessel 'OPENTOS FEEDER'"):
        _feeder(terminal, teu=None)
    assert terminal.visits() == []


def test_an_unknown_vessel_class_is_not_found(terminal: Store) -> None:
    """A vessel class that is no standard class is refused by name."""
    with pytest.raises(NotFound, match="panamax-1"):
        _feeder(terminal, teu=None, vessel_class_name="panamax-1")


def test_truck_and_rail_visits_are_stored(terminal: Store) -> None:
    """A truck visit keeps its plate, haulier and appointment; a train its wagons."""
    visits.add_truck_visit(
        terminal, "T9", licence_plate="LU-B1", haulier="HAUL", planned_arrival=T0
    )
    visits.add_rail_visit(terminal, "R9", train="X8001", wagons=20)
    truck, train = terminal.visit("T9"), terminal.visit("R9")
    assert isinstance(truck, TruckVisit)
    assert (truck.licence_plate, truck.haulier, truck.planned_arrival) == ("LU-B1", "HAUL", T0)
    assert isinstance(train, RailVisit)
    assert (train.train, train.wagons) == ("X8001", 20)


def test_a_train_on_a_track_the_terminal_lacks_is_not_found(terminal: Store) -> None:
    """The tiny terminal has no rail: a train on track RT1 is refused, naming it."""
    with pytest.raises(NotFound, match="no rail track 'RT1'"):
        visits.add_rail_visit(terminal, "R9", train="X8001", track="RT1")


def test_planned_times_change_until_departure(call: Store) -> None:
    """Planned times change while the visit is in the terminal, not after it departed."""
    later = T0 + timedelta(hours=20)
    assert visits.update_planned_times(call, "V1", planned_departure=later).planned_departure == (
        later
    )
    assert call.visit("V1").planned_departure == later
    with pytest.raises(InvalidValue, match="before planned arrival"):
        visits.update_planned_times(call, "V1", planned_departure=T0 - timedelta(hours=1))
    visits.depart(call, "V1", T0 + timedelta(hours=21))
    before = snapshot(call)
    with pytest.raises(IllegalTransition, match="V1 is departed"):
        visits.update_planned_times(call, "V1", planned_arrival=T0)
    assert snapshot(call) == before


def test_an_unknown_visit_is_not_found(terminal: Store) -> None:
    """Every visit operation names the visit it cannot find."""
    with pytest.raises(NotFound, match="'V404'"):
        visits.arrive(terminal, "V404", T0)
    with pytest.raises(NotFound, match="'V404'"):
        visits.update_planned_times(terminal, "V404", planned_arrival=T0)


def test_arrival_records_the_actual_time_once(terminal: Store) -> None:
    """Arriving records the actual arrival; the same arrival again changes nothing."""
    _feeder(terminal)
    at = T0 + timedelta(minutes=30)
    arrived = visits.arrive(terminal, "V9", at)
    assert (arrived.phase, arrived.actual_arrival) == (VisitPhase.ARRIVED, at)
    before = snapshot(terminal)
    visits.arrive(terminal, "V9", at)
    assert snapshot(terminal) == before
    with pytest.raises(IllegalTransition, match="cannot go from arrived to arrived"):
        visits.arrive(terminal, "V9", at + timedelta(hours=1))
    assert snapshot(terminal) == before


def test_a_planned_visit_cannot_depart(terminal: Store) -> None:
    """Departing before arriving is an illegal transition and changes nothing."""
    _feeder(terminal)
    before = snapshot(terminal)
    with pytest.raises(IllegalTransition, match="V9 cannot go from planned to departed"):
        visits.depart(terminal, "V9", T0)
    assert snapshot(terminal) == before


def test_a_departing_vessel_takes_its_boxes_out_of_the_terminal(call: Store) -> None:
    """The boxes still on board leave the terminal with the vessel, in the same transaction."""
    aboard = [n for n, _ in call.on_visit("V1")]
    at = T0 + timedelta(hours=11)
    departed = visits.depart(call, "V1", at)
    assert (departed.phase, departed.actual_departure) == (VisitPhase.DEPARTED, at)
    assert call.on_visit("V1") == []
    assert all(call.where(n) is None for n in aboard)
    assert [e.to_place for e in call.events(since=3)] == [None] * len(aboard)
