"""Response and request bodies (Pydantic v2), one family per resource; lists are pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from opentos.model.container import HoldKind
from opentos.operations.users import Role

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(_Out, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    data: list[T]
    next_cursor: str | None = Field(description="Cursor of the next page; null on the last.")


class LocationPublic(_Out):
    """Where a box is now."""

    kind: str = Field(description="yard, vessel, equipment or outside")
    place: str | None
    block: str | None
    visit: str | None
    slot: str | None = Field(description="BBBRRTT on board (ISO 9711), BLOCK.BBB.RR.T in the yard")
    bay: int | None
    row: int | None
    tier: int | None
    equipment: str | None
    equipment_kind: str | None = Field(description="quay_crane, agv, yard_crane or vehicle")


class HoldPublic(_Out):
    """A hold on a box."""

    kind: str
    reason: str


class ContainerPublic(_Out):
    """A box's status and where it is now."""

    number: str
    iso_type: str
    iso_description: str
    length_ft: int
    operator: str = Field(description="SMDG line code of the container operator")
    full_empty: str = Field(description="F or E")
    gross_weight_kg: int | None
    vgm_kg: int | None
    port_of_loading: str | None
    port_of_discharge: str | None
    reefer_set_point_c: float | None
    dangerous_goods: list[str]
    holds: list[HoldPublic]
    location: LocationPublic


class HistoryEventPublic(_Out):
    """A ledger event of a box; null places are outside the terminal."""

    seq: int
    at: datetime
    from_place: str | None
    to_place: str | None
    equipment: str | None
    work_instruction: str | None


class VisitPublic(_Out):
    """A visit, planned and actual times side by side."""

    id: str
    kind: str
    phase: str
    planned_arrival: datetime | None
    actual_arrival: datetime | None
    planned_departure: datetime | None
    actual_departure: datetime | None
    vessel_name: str | None
    voyage_in: str | None
    voyage_out: str | None
    operator: str | None
    berth: str | None
    planned_berthing: datetime | None
    actual_berthing: datetime | None
    train: str | None
    track: str | None
    licence_plate: str | None
    haulier: str | None


class ScheduleEntry(_Out):
    """A vessel visit in the public schedule."""

    id: str
    phase: str
    vessel_name: str | None
    voyage_in: str | None
    voyage_out: str | None
    operator: str | None
    berth: str | None
    planned_arrival: datetime | None
    actual_arrival: datetime | None
    planned_berthing: datetime | None
    actual_berthing: datetime | None
    planned_departure: datetime | None
    actual_departure: datetime | None


class BerthPlan(_Out):
    """The vessel visits alongside in a time range."""

    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    visits: list[VisitPublic]


class SlotBoxPublic(_Out):
    """A box in a slot."""

    slot: str
    bay: int
    row: int
    tier: int
    container: str
    iso_type: str
    length_ft: int
    operator: str
    full_empty: str
    weight_kg: int | None
    port_of_discharge: str | None
    reefer: bool
    dangerous: bool


class BayPlanPublic(_Out):
    """The boxes on board a vessel visit, by slot."""

    visit: str
    vessel_name: str
    boxes: list[SlotBoxPublic]


class BlockPublic(_Out):
    """A yard block and its occupancy."""

    block: str
    bays: int = Field(description="20-foot ground positions along the block")
    rows: int
    tiers: int
    capacity_teu: int
    boxes: int
    teu: int
    occupancy: float = Field(description="teu / capacity_teu")


class Token(BaseModel):
    """An access token (OAuth2 password flow)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class Me(_Out):
    """Who the credentials belong to."""

    name: str
    role: Role
    party: str | None


class UserCreate(BaseModel):
    """A user to add."""

    name: str
    role: Role
    party: str | None = None
    api_key: bool = Field(False, description="A machine client with an API key, not a password.")


class UserCreated(_Out):
    """A user just added, and its password or API key: shown only in this response."""

    name: str
    role: Role
    party: str | None
    kind: str
    secret: str


class Health(BaseModel):
    """The server is up and its database answers."""

    status: str
    terminal: str


class RectanglePublic(_Out):
    """A berth or a block to scale: ``x_m`` along the quay, ``y_m`` inland of its edge."""

    id: str
    x_m: float
    y_m: float
    width_m: float = Field(description="Extent along the quay")
    length_m: float = Field(description="Extent inland (0 for a berth)")


class YardLayoutPublic(_Out):
    """The terminal's plan view in metres: the quay, its berths and the yard blocks."""

    terminal: str
    quay_length_m: float
    berths: list[RectanglePublic]
    blocks: list[RectanglePublic]


class PeriodMovesPublic(_Out):
    """The moves of one UTC day or hour starting at ``start``."""

    start: datetime
    moves: int


class VisitMovesPublic(_Out):
    """A vessel visit's moves: discharged, loaded and restowed boxes."""

    visit: str
    moves: int
    discharged: int
    loaded: int
    restowed: int


class TerminalKpis(_Out):
    """Moves counted from the ledger in ``[from, to)``, per UTC day and per vessel visit."""

    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    moves: int
    per_day: list[PeriodMovesPublic]
    per_visit: list[VisitMovesPublic]
    figures: dict[str, Any] = Field(default_factory=dict)
    """The KPIs under the twin's names (crane rate, berth productivity, rehandle ratio,
    truck turn time, yard occupancy), from the ledger: :mod:`opentos.operations.kpis`."""


class VisitKpis(_Out):
    """A vessel visit's moves counted from the ledger, in all and per UTC hour."""

    visit: str
    moves: VisitMovesPublic
    per_hour: list[PeriodMovesPublic]
    figures: dict[str, Any] = Field(default_factory=dict)
    """The visit's KPIs under the twin's names, from the ledger: :mod:`opentos.operations.kpis`."""


# -- the write side: request bodies (with field limits) and what the operations answer ------

IdText = Annotated[
    str, Field(min_length=1, max_length=40, description="Letters, digits, '_', '.', '-'.")
]
NumberText = Annotated[
    str, Field(min_length=1, max_length=20, description="ISO 6346 container number.")
]
PlaceText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=60,
        description="A place: yard:BLOCK.BBB.RR.T, vessel:VISIT:BBBRRTT or equipment:ID[/N].",
    ),
]
MachineText = Annotated[str | None, Field(min_length=1, max_length=40)]
At = Annotated[
    AwareDatetime | None,
    Field(
        description="When it happened, with a time zone (default: now). Send it: the same "
        "request again with the same time changes nothing."
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VesselVisitCreate(_In):
    """A planned vessel visit; its profile from one of ``vessel_class`` and ``teu``, else
    from the vessel's last visit (same IMO number, else name)."""

    id: IdText
    vessel_name: str = Field(min_length=1, max_length=60)
    operator: str = Field(min_length=1, max_length=10, description="SMDG liner code.")
    vessel_class: str | None = Field(None, max_length=40, examples=["post-panamax-8500"])
    teu: int | None = Field(None, ge=100, le=30_000, description="A vessel class of this TEU.")
    voyage_in: str = Field("", max_length=20)
    voyage_out: str = Field("", max_length=20)
    imo: str | None = Field(None, max_length=7, description="IMO number, 7 digits.")
    call_sign: str | None = Field(None, max_length=20)
    planned_arrival: AwareDatetime | None = None
    planned_departure: AwareDatetime | None = None


class TruckVisitCreate(_In):
    """A planned truck visit: its appointment."""

    id: IdText
    licence_plate: str = Field(min_length=1, max_length=20)
    haulier: str | None = Field(None, max_length=60)
    planned_arrival: AwareDatetime | None = Field(None, description="Start of the appointment.")
    planned_departure: AwareDatetime | None = Field(None, description="End of the appointment.")


class RailVisitCreate(_In):
    """A planned train visit, on a rail track of the terminal when given."""

    id: IdText
    train: str = Field(min_length=1, max_length=40)
    track: str | None = Field(None, max_length=40)
    wagons: int = Field(0, ge=0, le=200)
    planned_arrival: AwareDatetime | None = None
    planned_departure: AwareDatetime | None = None


class VesselVisitNew(VesselVisitCreate):
    """A vessel visit to create at ``POST /visits``."""

    kind: Literal["vessel"]


class TruckVisitNew(TruckVisitCreate):
    """A truck visit to create at ``POST /visits``."""

    kind: Literal["truck"]


class RailVisitNew(RailVisitCreate):
    """A train visit to create at ``POST /visits``."""

    kind: Literal["rail"]


VisitCreate = Annotated[VesselVisitNew | TruckVisitNew | RailVisitNew, Field(discriminator="kind")]
"""A visit to create, of the ``kind`` its body names."""


class PlannedTimesUpdate(_In):
    """New planned times of a visit; a time left out stays as it is."""

    planned_arrival: AwareDatetime | None = None
    planned_departure: AwareDatetime | None = None


class PhaseChange(_In):
    """A visit's actual arrival or departure."""

    at: At = None


class BerthAssignment(_In):
    """The berth a vessel visit takes, and where along the quay it lies."""

    berth: str = Field(min_length=1, max_length=40)
    position_m: float | None = Field(
        None, ge=0, le=100_000, description="Quay metre of the vessel's end nearer 0 "
        "(default: the start of the berth)."
    )  # fmt: skip
    planned_berthing: AwareDatetime | None = Field(
        None, description="Default: the visit's planned berthing, else its planned arrival."
    )


MAX_PLAN_TIME_LIMIT_S = 60.0
"""The longest a planner may run for one request."""


class StowagePlanRequest(_In):
    """How to plan a stored vessel visit's load plan."""

    rotation: list[Annotated[str, Field(min_length=5, max_length=5)]] | None = Field(
        None,
        max_length=30,
        description="Next ports of call in order (UN/LOCODEs); default: read from the "
        "stowage on board.",
    )
    time_limit_s: float = Field(5.0, gt=0, le=MAX_PLAN_TIME_LIMIT_S)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class CranePlanRequest(_In):
    """How to plan a stored vessel visit's crane split and sequences."""

    cranes: (
        Annotated[int, Field(ge=1, le=20)]
        | Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=20)]
        | None
    ) = Field(
        None,
        description="The quay cranes by name, or how many (those nearest the vessel's "
        "middle); default: those over the vessel.",
    )
    berth_x_m: float | None = Field(
        None, ge=0, le=100_000, description="Quay metre of the stern (default: the berth's start)."
    )
    dual_cycling: bool = False
    time_limit_s: float = Field(5.0, gt=0, le=MAX_PLAN_TIME_LIMIT_S)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class WorkInstructionPublic(BaseModel):
    """A planned move saved as a work instruction."""

    id: str
    kind: str
    container: str
    from_place: str | None
    to_place: str | None
    sequence: int | None
    equipment: str | None
    planned_start: datetime | None


class StowagePlanPublic(BaseModel):
    """A visit's load plan: the planner's result and the work instructions saved for it."""

    visit: str
    status: str = Field(description="optimal, feasible, infeasible or unknown")
    objective: float | None
    runtime_s: float
    rotation: list[str]
    load_list: int = Field(description="Boxes ordered for the visit that are in the yard.")
    not_in_yard: list[str] = Field(description="Boxes ordered that are not in the yard yet.")
    refused: list[str] = Field(description="Boxes the plan leaves ashore, and why.")
    instructions: list[WorkInstructionPublic]


class CraneSequencePublic(BaseModel):
    """One crane's share of a visit's moves."""

    crane: str
    discharges: int
    loads: int
    finish_s: int = Field(description="Seconds from the start of work to the crane's last move.")


class CranePlanPublic(BaseModel):
    """A visit's crane split and sequences and the work instructions saved for it."""

    visit: str
    status: str = Field(description="optimal, feasible, infeasible or unknown")
    makespan_s: int | None
    runtime_s: float
    cranes: list[CraneSequencePublic]
    instructions: list[WorkInstructionPublic]


class _Move(_In):
    container: NumberText
    at: At = None


class DischargeCreate(_Move):
    """A box discharged from a vessel visit to a yard slot or a machine."""

    visit: IdText
    to: PlaceText
    crane: MachineText = None


class LoadCreate(_Move):
    """A box loaded from the terminal into a slot of a vessel visit."""

    visit: IdText
    slot: str = Field(min_length=6, max_length=7, description="Bay-row-tier BBBRRTT.")
    crane: MachineText = None


class RelocationCreate(_Move):
    """A box moved within the terminal (housekeeping, a rehandle, off a machine)."""

    to: PlaceText
    equipment: MachineText = None


class NewContainer(_In):
    """The master data of a box the terminal does not know yet."""

    iso_type: str = Field(min_length=4, max_length=4, examples=["22G1"])
    operator: str = Field(min_length=1, max_length=10, description="SMDG liner code.")
    empty: bool = False
    vgm_kg: int | None = Field(None, ge=1, le=100_000)


class GateInCreate(_Move):
    """A box brought in by a truck visit and grounded in the yard."""

    visit: IdText
    to: str = Field(min_length=1, max_length=60, description="A yard place: yard:BLOCK.BBB.RR.T.")
    master_data: NewContainer | None = Field(
        None, description="The box's master data, when the terminal does not know it."
    )
    yard_crane: MachineText = None


class GateOutCreate(_Move):
    """A box put on a truck visit in the yard and taken out through the gate."""

    visit: IdText
    yard_crane: MachineText = None


class MoveEventPublic(BaseModel):
    """A ledger event a move recorded; null places are outside the terminal."""

    seq: int
    at: datetime
    from_place: str | None
    to_place: str | None
    equipment: str | None


class MovePublic(BaseModel):
    """A confirmed move and the ledger events it left."""

    kind: str = Field(description="discharge, load, yard_shift, gate_in or gate_out")
    container: str
    visit: str | None
    from_place: str | None
    to_place: str | None
    events: list[MoveEventPublic]


class HoldCreate(_In):
    """A hold to put on a box."""

    kind: HoldKind = Field(description="Who holds the box.")
    reason: str = Field("", max_length=200)


class HoldChangePublic(BaseModel):
    """What a hold operation did: ``changed`` is false when the box was so already."""

    container: str
    kind: str
    action: str = Field(description="hold or release")
    changed: bool
    holds: list[HoldPublic] = Field(description="The box's holds afterwards.")


class CustomsResponsesApply(_In):
    """Which customs responses to apply: one by its reference, or all received."""

    reference: str | None = Field(None, min_length=1, max_length=70)


class HoldChanges(BaseModel):
    """What applying customs' decisions did, box by box."""

    data: list[HoldChangePublic]
    count: int


class ImportSummaryPublic(BaseModel):
    """What importing an interchange did."""

    key: str = Field(description="The interchange's sender and reference.")
    already_imported: bool = Field(description="The same interchange came before: no change.")
    containers: int
    placed: int
    bundled: int
    vgm: int
    documents: list[str]
    visits: list[str]
    warnings: list[str] = Field(description="Problems a lenient reading let pass.")


StudyScenario = Literal["small-call"]
STUDY_SCENARIOS: tuple[str, ...] = get_args(StudyScenario)
"""The scenarios a request may run: a few seconds each (the others take from half a
minute to many minutes, and are for ``opentos simulate``)."""


class TwinStudyRequest(_In):
    """A scenario to run in the twin, and how."""

    scenario: StudyScenario = Field(description="small-call: one vessel call of about 120 moves.")
    seed: int = Field(2017, ge=0, le=2**31 - 1, description="Seed of the scenario and the run.")
    policy: Literal["fcfs", "nearest", "optimal"] = Field("fcfs", description="AGV dispatching.")
    agvs: int = Field(38, ge=1, le=38, description="AGVs in service (qianwan-1 has 38).")
    dual_cycling: bool = False
    crane_plan: Literal["qcsp", "sweep"] = "qcsp"


class TwinStudyPublic(BaseModel):
    """What a twin run gave: its KPIs under the twin's names."""

    scenario: str
    seed: int
    finished: bool = Field(description="Every quay move was done within the time limit.")
    kpis: dict[str, Any]


# -- truck appointments ------------------------------------------------------------------------

GateMoveName = Literal["deliver-export", "pick-up-import", "deliver-empty", "pick-up-empty"]


class SlotRulesPublic(BaseModel):
    """The terminal's slot rules for truck appointments."""

    model_config = ConfigDict(extra="forbid")

    slot_minutes: int = Field(30, ge=5, le=1440, description="A slot's length; divides 24 h.")
    per_slot: dict[GateMoveName, Annotated[int, Field(ge=0, le=10_000)]] = Field(
        default_factory=dict, description="The most appointments of each move in one slot."
    )
    block_quota: dict[Annotated[str, Field(max_length=16)], Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="The most boxes from or to each yard block per slot."
    )
    shares: dict[Annotated[str, Field(max_length=40)], Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="Priority groups' kept share of each move."
    )
    opens_before_s: float = Field(7 * 86_400, ge=0, le=90 * 86_400)
    closes_before_s: float = Field(3_600, ge=0, le=90 * 86_400)
    early_s: float = Field(1_800, ge=0, le=86_400, description="How early a truck checks in.")
    late_s: float = Field(1_800, ge=0, le=86_400, description="How late a truck checks in.")
    export_cutoff_s: float = Field(
        43_200, ge=0, le=30 * 86_400, description="Exports before their vessel's arrival."
    )
    refused_imdg_classes: list[Annotated[str, Field(max_length=4)]] = Field(
        default_factory=lambda: ["1", "7"], max_length=20
    )


class AppointmentCreate(_In):
    """A truck's booking of a slot: its boxes, or a booking or release reference."""

    move: GateMoveName
    slot: AwareDatetime = Field(description="Start of the slot.")
    truck: str = Field(min_length=1, max_length=20, description="Licence plate.")
    driver: str = Field(min_length=1, max_length=60)
    containers: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list,
                                                                    max_length=4)  # fmt: skip
    reference: str | None = Field(None, max_length=35)
    group: str | None = Field(None, max_length=40, description="Priority group, if any.")
    visit: str | None = Field(None, max_length=40, description="An export's vessel visit.")
    haulier: str | None = Field(
        None, max_length=35, description="Terminal staff booking for a haulier; a haulier books "
        "for itself and leaves it out."
    )  # fmt: skip


class AppointmentChange(_In):
    """Another slot, truck or driver for a booked appointment."""

    slot: AwareDatetime | None = None
    truck: str | None = Field(None, min_length=1, max_length=20)
    driver: str | None = Field(None, min_length=1, max_length=60)


class AppointmentCheckIn(_In):
    """When the truck reached the gate (now when left out)."""

    at: AwareDatetime | None = None


class AppointmentPublic(_Out):
    """A truck appointment."""

    id: str
    haulier: str
    truck: str
    driver: str
    move: str
    slot: datetime
    containers: list[str]
    blocks: list[str | None] = Field(description="The yard block each box counts against.")
    reference: str | None
    group: str | None
    visit: str | None
    state: str
