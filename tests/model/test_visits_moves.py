"""Visits and work instructions: phases, planned and actual times, and their round-trips."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from opentos.errors import IllegalTransition, InvalidValue
from opentos.model.ids import ContainerNumber
from opentos.model.moves import MoveKind, MoveState, WorkInstruction
from opentos.model.places import parse_place
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import (
    RailVisit,
    TruckVisit,
    VesselVisit,
    VisitKind,
    VisitPhase,
    visit_from_dict,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def vessel_visit() -> VesselVisit:
    """A feeder call planned for T0 + 2 h."""
    return VesselVisit(
        id="V1",
        vessel_name="FEEDER ONE",
        profile=vessel_class(1000),
        operator="COS",
        voyage_in="001W",
        voyage_out="001E",
        imo="9876543",
        berth="B01",
        planned_arrival=T0 + timedelta(hours=2),
        planned_berthing=T0 + timedelta(hours=3),
        planned_departure=T0 + timedelta(hours=20),
    )


def test_actual_times_sit_beside_planned() -> None:
    """Arriving and departing record actual times and keep the planned ones."""
    visit = vessel_visit().advance(VisitPhase.ARRIVED, T0 + timedelta(hours=2, minutes=40))
    assert visit.planned_arrival == T0 + timedelta(hours=2)
    assert visit.actual_arrival == T0 + timedelta(hours=2, minutes=40)
    assert visit.actual_berthing == visit.actual_arrival
    assert visit.in_terminal
    visit = visit.advance(VisitPhase.WORKING, T0 + timedelta(hours=3))
    visit = visit.advance(VisitPhase.COMPLETE, T0 + timedelta(hours=15))
    visit = visit.advance(VisitPhase.DEPARTED, T0 + timedelta(hours=16))
    assert visit.actual_departure == T0 + timedelta(hours=16)
    assert visit.planned_departure == T0 + timedelta(hours=20)
    assert not visit.in_terminal


def test_visit_phases_only_move_forward() -> None:
    """A planned visit cannot depart, and a departed one cannot come back."""
    visit = vessel_visit()
    with pytest.raises(IllegalTransition, match="cannot go from planned to departed"):
        visit.advance(VisitPhase.DEPARTED, T0)
    gone = visit.advance(VisitPhase.ARRIVED, T0).advance(VisitPhase.DEPARTED, T0)
    with pytest.raises(IllegalTransition, match="none"):
        gone.advance(VisitPhase.ARRIVED, T0)


def test_visit_values_are_checked() -> None:
    """Naive times, departures before arrivals, bad IMO numbers and blank plates are rejected."""
    with pytest.raises(InvalidValue, match="time zone"):
        RailVisit(id="R1", train="T1", planned_arrival=datetime(2026, 1, 1))
    with pytest.raises(InvalidValue, match="before planned arrival"):
        TruckVisit(
            id="T1",
            licence_plate="LU-1234",
            planned_arrival=T0,
            planned_departure=T0 - timedelta(minutes=1),
        )
    with pytest.raises(InvalidValue, match="IMO"):
        VesselVisit(id="V2", vessel_name="X", profile=vessel_class(1000), operator="X", imo="12")
    with pytest.raises(InvalidValue, match="licence plate"):
        TruckVisit(id="T2", licence_plate=" ")
    with pytest.raises(InvalidValue, match="visit id"):
        TruckVisit(id="has space", licence_plate="LU-1")


def test_visits_round_trip_through_dicts() -> None:
    """Every kind of visit survives to_dict / visit_from_dict unchanged."""
    visits = [
        vessel_visit().advance(VisitPhase.ARRIVED, T0),
        RailVisit(id="R1", train="X8012", track="R01", wagons=36, planned_arrival=T0),
        TruckVisit(id="T1", licence_plate="LU-1234", haulier="HAUL", planned_arrival=T0),
    ]
    for visit in visits:
        assert visit_from_dict(visit.to_dict()) == visit
    assert [v.kind for v in visits] == [VisitKind.VESSEL, VisitKind.RAIL, VisitKind.TRUCK]


def test_work_instruction_life() -> None:
    """Planned -> released -> in progress -> done, with actual start and end times."""
    wi = WorkInstruction(
        id="WI-1",
        kind=MoveKind.DISCHARGE,
        container=ContainerNumber.parse("MSKU1234565"),
        from_place=parse_place("vessel:V1:0040282"),
        to_place=parse_place("yard:A01.001.01.1"),
        visit="V1",
    )
    wi = wi.advance(MoveState.RELEASED)
    wi = wi.advance(MoveState.IN_PROGRESS, T0)
    assert wi.actual_start == T0
    wi = wi.advance(MoveState.RELEASED)  # a breakdown hands it back to dispatch
    wi = wi.advance(MoveState.IN_PROGRESS, T0 + timedelta(minutes=5))
    assert wi.actual_start == T0
    wi = wi.advance(MoveState.DONE, T0 + timedelta(minutes=9))
    assert wi.actual_end == T0 + timedelta(minutes=9)
    assert wi.is_final
    with pytest.raises(IllegalTransition, match=r"WI-1 .*cannot go from done to cancelled"):
        wi.advance(MoveState.CANCELLED)


def test_work_instruction_needs_a_place() -> None:
    """A move from outside to outside is no move."""
    with pytest.raises(InvalidValue, match="both be outside"):
        WorkInstruction(
            id="WI-2",
            kind=MoveKind.GATE_IN,
            container=ContainerNumber.parse("MSKU1234565"),
            from_place=None,
            to_place=None,
        )


def test_a_berth_position_needs_a_berth_and_round_trips() -> None:
    """The berthing position is a quay metre >= 0 of an assigned berth, kept through dicts."""
    placed = replace(vessel_visit(), berth_position_m=42.5)
    assert visit_from_dict(placed.to_dict()) == placed
    with pytest.raises(InvalidValue, match="berth position -1 m must be >= 0"):
        replace(vessel_visit(), berth_position_m=-1)
    with pytest.raises(InvalidValue, match="given without a berth"):
        replace(vessel_visit(), berth=None, berth_position_m=10.0)
