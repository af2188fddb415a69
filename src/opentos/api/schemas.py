"""Response and request bodies (Pydantic v2), one family per resource; lists are pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

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
