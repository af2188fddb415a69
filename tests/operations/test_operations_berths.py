"""Berth assignment: a berth that exists, a place on the quay, no overlap with another call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operations_helpers import T0, snapshot

from opentos.errors import DomainError, InvalidValue, NotFound
from opentos.model.visits import VesselVisit
from opentos.operations import berths, visits
from opentos.storage.store import Store


def _feeder(store: Store, visit_id: str, hours: int = 0) -> None:
    visits.add_vessel_visit(
        store, visit_id, vessel_name=f"FEEDER {visit_id}", operator="MSC", teu=1_000,
        planned_arrival=T0 + timedelta(hours=hours),
        planned_departure=T0 + timedelta(hours=hours + 10),
    )  # fmt: skip


def test_a_berth_is_assigned_with_its_place_on_the_quay(terminal: Store) -> None:
    """The visit keeps its berth, position and planned berthing time."""
    _feeder(terminal, "V1")
    assigned = berths.assign_berth(terminal, "V1", "B01", position_m=10)
    stored = terminal.visit("V1")
    assert stored == assigned
    assert isinstance(stored, VesselVisit)
    assert (stored.berth, stored.berth_position_m, stored.planned_berthing) == ("B01", 10.0, T0)


def test_an_unknown_berth_is_not_found(terminal: Store) -> None:
    """A berth the layout lacks is refused by name, listing the berths."""
    _feeder(terminal, "V1")
    with pytest.raises(NotFound, match=r"no berth 'B09'.*B01"):
        berths.assign_berth(terminal, "V1", "B09")


def test_a_vessel_must_fit_the_quay(terminal: Store) -> None:
    """A 147 m feeder from quay metre 200 of a 300 m quay is refused."""
    _feeder(terminal, "V1")
    with pytest.raises(InvalidValue, match="past the end of the quay"):
        berths.assign_berth(terminal, "V1", "B01", position_m=200)


def test_overlapping_calls_are_refused(terminal: Store) -> None:
    """Two feeders on the same quay metres at the same time: the second is refused."""
    _feeder(terminal, "V1")
    _feeder(terminal, "V2", hours=5)
    berths.assign_berth(terminal, "V1", "B01", position_m=0)
    before = snapshot(terminal)
    with pytest.raises(DomainError, match="overlaps visit V1"):
        berths.assign_berth(terminal, "V2", "B01", position_m=100)
    assert snapshot(terminal) == before


def test_calls_apart_in_time_or_space_share_the_berth(terminal: Store) -> None:
    """After V1 leaves, or beside it, another vessel may take the berth."""
    _feeder(terminal, "V1")
    _feeder(terminal, "V2", hours=10)
    _feeder(terminal, "V3", hours=2)
    berths.assign_berth(terminal, "V1", "B01", position_m=0)
    berths.assign_berth(terminal, "V2", "B01", position_m=0)
    berths.assign_berth(terminal, "V3", "B01", position_m=150)
    assert [getattr(v, "berth_position_m", None) for v in terminal.visits()] == [0.0, 150.0, 0.0]


def test_new_planned_times_may_not_overlap_another_call(terminal: Store) -> None:
    """Moving a berthed call's departure into the next call's time at that berth is refused."""
    _feeder(terminal, "V1")
    _feeder(terminal, "V2", hours=10)
    berths.assign_berth(terminal, "V1", "B01", position_m=0)
    berths.assign_berth(terminal, "V2", "B01", position_m=0)
    before = snapshot(terminal)
    with pytest.raises(DomainError, match=r"visit V1 .* overlaps visit V2"):
        visits.update_planned_times(terminal, "V1", planned_departure=T0 + timedelta(hours=11))
    assert snapshot(terminal) == before
