"""Changing visits: create them, change their planned times, record arrivals and
departures, assign berths, plan a vessel's load and its cranes.

Planners work every kind of visit at ``/visits``; gate clerks work truck visits
at ``/truck-visits`` (the same operations, refused for a visit of another kind).
Each route calls one function of :mod:`opentos.operations` (one transaction)
and answers the visit, or the plan, as it is afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from opentos.api.deps import GateClerk, Planner, StoreDep
from opentos.api.problems import WRITE_RESPONSES
from opentos.api.schemas import (
    BerthAssignment,
    CranePlanPublic,
    CranePlanRequest,
    CraneSequencePublic,
    PhaseChange,
    PlannedTimesUpdate,
    RailVisitNew,
    StowagePlanPublic,
    StowagePlanRequest,
    TruckVisitCreate,
    VesselVisitNew,
    VisitCreate,
    VisitPublic,
    WorkInstructionPublic,
)
from opentos.model.moves import WorkInstruction
from opentos.model.visits import Visit, VisitKind
from opentos.operations import inquiry, visits
from opentos.operations.berths import assign_berth
from opentos.operations.planning import plan_cranes, plan_stowage
from opentos.storage.store import Store

router = APIRouter(tags=["visits"], responses=WRITE_RESPONSES)

VisitId = Annotated[str, Path(max_length=40)]
CREATED: dict[int | str, dict[str, object]] = {
    201: {
        "description": "Created (or the same visit was created before)",
        "headers": {"Location": {"description": "The visit's path", "schema": {"type": "string"}}},
    }
}


def _public(visit: Visit) -> VisitPublic:
    return VisitPublic.model_validate(inquiry.summarize_visit(visit))


def _created(visit: Visit, response: Response) -> VisitPublic:
    response.headers["Location"] = f"/visits/{visit.id}"
    return _public(visit)


def _now(at: datetime | None) -> datetime:
    return datetime.now(UTC) if at is None else at


@router.post(
    "/visits",
    status_code=status.HTTP_201_CREATED,
    responses=CREATED,
    summary="Create a vessel, truck or rail visit (kind in the body)",
)
def create_visit(
    _user: Planner, store: StoreDep, body: VisitCreate, response: Response
) -> VisitPublic:
    if isinstance(body, VesselVisitNew):
        created: Visit = visits.add_vessel_visit(
            store,
            body.id,
            vessel_name=body.vessel_name,
            operator=body.operator,
            vessel_class_name=body.vessel_class,
            teu=body.teu,
            voyage_in=body.voyage_in,
            voyage_out=body.voyage_out,
            imo=body.imo,
            call_sign=body.call_sign,
            planned_arrival=body.planned_arrival,
            planned_departure=body.planned_departure,
        )
    elif isinstance(body, RailVisitNew):
        created = visits.add_rail_visit(
            store,
            body.id,
            train=body.train,
            track=body.track,
            wagons=body.wagons,
            planned_arrival=body.planned_arrival,
            planned_departure=body.planned_departure,
        )
    else:
        created = _add_truck(store, body)
    return _created(created, response)


@router.patch("/visits/{visit_id}", summary="Change a visit's planned arrival or departure")
def update_visit(
    _user: Planner, store: StoreDep, visit_id: VisitId, body: PlannedTimesUpdate
) -> VisitPublic:
    return _retimed(store, visit_id, body)


@router.post("/visits/{visit_id}/arrival", summary="Record a visit's actual arrival")
def arrival(_user: Planner, store: StoreDep, visit_id: VisitId, body: PhaseChange) -> VisitPublic:
    return _public(visits.arrive(store, visit_id, _now(body.at)))


@router.post(
    "/visits/{visit_id}/departure",
    summary="Record a visit's actual departure; the boxes still on board leave with it",
)
def departure(_user: Planner, store: StoreDep, visit_id: VisitId, body: PhaseChange) -> VisitPublic:
    return _public(visits.depart(store, visit_id, _now(body.at)))


@router.put(
    "/visits/{visit_id}/berth",
    summary="Assign a vessel visit's berth; refused if another visit holds those quay metres",
)
def berth(_user: Planner, store: StoreDep, visit_id: VisitId, body: BerthAssignment) -> VisitPublic:
    return _public(
        assign_berth(
            store,
            visit_id,
            body.berth,
            position_m=body.position_m,
            planned_berthing=body.planned_berthing,
        )
    )


@router.post(
    "/visits/{visit_id}/stowage-plan",
    summary="Plan a vessel visit's load plan from the boxes ordered for it; save its "
    "work instructions",
)
def stowage_plan(
    _user: Planner, store: StoreDep, visit_id: VisitId, body: StowagePlanRequest
) -> StowagePlanPublic:
    planned = plan_stowage(
        store, visit_id, rotation=body.rotation, time_limit_s=body.time_limit_s, seed=body.seed
    )
    result = planned.result
    refused = [] if result.plan is None else result.plan.refused
    return StowagePlanPublic(
        visit=visit_id,
        status=str(result.status),
        objective=result.objective,
        runtime_s=result.runtime_s,
        rotation=[str(p) for p in planned.problem.rotation],
        load_list=len(planned.problem.load),
        not_in_yard=[str(n) for n in planned.not_in_yard],
        refused=[f"{n}: {why}" for n, why in refused],
        instructions=[_instruction(wi) for wi in planned.instructions],
    )


@router.post(
    "/visits/{visit_id}/crane-plan",
    summary="Split a vessel visit's discharges and planned loads among quay cranes and "
    "sequence them; save the work instructions",
)
def crane_plan(
    _user: Planner, store: StoreDep, visit_id: VisitId, body: CranePlanRequest
) -> CranePlanPublic:
    planned = plan_cranes(
        store,
        visit_id,
        cranes=body.cranes,
        berth_x_m=body.berth_x_m,
        dual_cycling=body.dual_cycling,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
    )
    result, plan = planned.result, planned.result.plan
    sequences = [] if plan is None else plan.cranes
    return CranePlanPublic(
        visit=visit_id,
        status=str(result.status),
        makespan_s=None if plan is None else plan.makespan_s,
        runtime_s=result.runtime_s,
        cranes=[
            CraneSequencePublic(
                crane=seq.crane,
                discharges=sum(1 for m in seq.moves if m.kind == "discharge"),
                loads=sum(1 for m in seq.moves if m.kind == "load"),
                finish_s=max((m.end_s for m in seq.moves), default=0),
            )
            for seq in sequences
        ],
        instructions=[_instruction(wi) for wi in planned.instructions],
    )


# -- the gate's truck visits ----------------------------------------------------------


@router.post(
    "/truck-visits",
    status_code=status.HTTP_201_CREATED,
    responses=CREATED,
    summary="Create a truck visit (its appointment)",
)
def create_truck_visit(
    _user: GateClerk, store: StoreDep, body: TruckVisitCreate, response: Response
) -> VisitPublic:
    return _created(_add_truck(store, body), response)


@router.patch("/truck-visits/{visit_id}", summary="Change a truck visit's appointment times")
def update_truck_visit(
    _user: GateClerk, store: StoreDep, visit_id: VisitId, body: PlannedTimesUpdate
) -> VisitPublic:
    return _retimed(store, visit_id, body, VisitKind.TRUCK)


@router.post("/truck-visits/{visit_id}/arrival", summary="Record a truck's arrival at the gate")
def truck_arrival(
    _user: GateClerk, store: StoreDep, visit_id: VisitId, body: PhaseChange
) -> VisitPublic:
    return _public(visits.arrive(store, visit_id, _now(body.at), kind=VisitKind.TRUCK))


@router.post(
    "/truck-visits/{visit_id}/departure",
    summary="Record a truck's departure; the boxes still on it leave with it",
)
def truck_departure(
    _user: GateClerk, store: StoreDep, visit_id: VisitId, body: PhaseChange
) -> VisitPublic:
    return _public(visits.depart(store, visit_id, _now(body.at), kind=VisitKind.TRUCK))


def _retimed(
    store: Store, visit_id: str, body: PlannedTimesUpdate, kind: VisitKind | None = None
) -> VisitPublic:
    """The visit with the planned times of ``body`` (only a visit of ``kind``, if given)."""
    return _public(
        visits.update_planned_times(
            store,
            visit_id,
            planned_arrival=body.planned_arrival,
            planned_departure=body.planned_departure,
            kind=kind,
        )
    )


def _add_truck(store: Store, body: TruckVisitCreate) -> Visit:
    return visits.add_truck_visit(
        store,
        body.id,
        licence_plate=body.licence_plate,
        haulier=body.haulier,
        planned_arrival=body.planned_arrival,
        planned_departure=body.planned_departure,
    )


def _instruction(wi: WorkInstruction) -> WorkInstructionPublic:
    return WorkInstructionPublic(
        id=wi.id,
        kind=str(wi.kind),
        container=str(wi.container),
        from_place=None if wi.from_place is None else str(wi.from_place),
        to_place=None if wi.to_place is None else str(wi.to_place),
        sequence=wi.sequence,
        equipment=wi.equipment,
        planned_start=wi.planned_start,
    )
