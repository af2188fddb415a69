# ruff: noqa: N815 - the fields carry the standards' own (camelCase) names
"""Response models of the DCSA endpoints, as the vendored 2.2.0 and OVS 3.0.0 schemas say.

They name every field exactly as the standards do (``ISOEquipmentCode``,
``UNLocationCode`` ...) and only the fields OpenTOS publishes or the schema
requires; :mod:`opentos.operations.track_trace` builds the bodies, these
models describe them in the app's OpenAPI document and check them in tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Classifier = Literal["PLN", "EST", "ACT"]
EquipmentEventTypeCode = Literal[
    "LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD"
]
TransportEventTypeCode = Literal["ARRI", "DEPA"]
CodeListProvider = Literal["BIC", "SMDG"]


class _Dcsa(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- Track & Trace 2.2.0 ---------------------------------------------------------------------


class Location(_Dcsa):
    """``location``: where an event happened."""

    locationName: str | None = Field(None, max_length=100)
    latitude: str | None = Field(None, max_length=10)
    longitude: str | None = Field(None, max_length=11)
    UNLocationCode: str | None = Field(None, max_length=5)
    facilityCode: str | None = Field(None, max_length=6)
    facilityCodeListProvider: CodeListProvider | None = None


class Vessel(_Dcsa):
    """``vessel`` of a transport call."""

    vesselIMONumber: str = Field(max_length=7)
    vesselName: str | None = Field(None, max_length=35)
    vesselFlag: str | None = Field(None, max_length=2)
    vesselCallSignNumber: str | None = Field(None, max_length=10)
    vesselOperatorCarrierCode: str | None = Field(None, max_length=10)
    vesselOperatorCarrierCodeListProvider: Literal["SMDG", "NMFTA"] | None = None


class TransportCall(_Dcsa):
    """``transportCall``: a vessel, truck or train call at the terminal."""

    transportCallID: str = Field(max_length=100)
    carrierServiceCode: str | None = Field(None, max_length=5)
    carrierVoyageNumber: str | None = Field(None, max_length=50)
    exportVoyageNumber: str | None = Field(None, max_length=50)
    importVoyageNumber: str | None = Field(None, max_length=50)
    transportCallSequenceNumber: int | None = None
    UNLocationCode: str | None = Field(None, max_length=5)
    facilityCode: str | None = Field(None, max_length=6)
    facilityCodeListProvider: CodeListProvider | None = None
    facilityTypeCode: (
        Literal["BOCR", "CLOC", "COFS", "COYA", "OFFD", "DEPO", "INTE", "POTE", "RAMP"] | None
    ) = None
    otherFacility: str | None = Field(None, max_length=50)
    modeOfTransport: Literal["VESSEL", "RAIL", "TRUCK", "BARGE"]
    location: Location | None = None
    vessel: Vessel | None = None


class EquipmentEvent(_Dcsa):
    """``equipmentEvent``: a container loaded, discharged, gated in or out, picked up, dropped."""

    eventID: UUID
    eventCreatedDateTime: datetime
    eventType: Literal["EQUIPMENT"]
    eventClassifierCode: Classifier
    eventDateTime: datetime
    equipmentEventTypeCode: EquipmentEventTypeCode
    equipmentReference: str | None = Field(None, max_length=15)
    ISOEquipmentCode: str | None = Field(None, max_length=4)
    emptyIndicatorCode: Literal["EMPTY", "LADEN"]
    eventLocation: Location | None = None
    transportCall: TransportCall | None = None


class TransportEvent(_Dcsa):
    """``transportEvent``: a vessel arrived or departed."""

    eventID: UUID
    eventCreatedDateTime: datetime
    eventType: Literal["TRANSPORT"]
    eventClassifierCode: Classifier
    eventDateTime: datetime
    transportEventTypeCode: TransportEventTypeCode
    delayReasonCode: str | None = Field(None, max_length=3)
    changeRemark: str | None = Field(None, max_length=250)
    transportCall: TransportCall


Event = Annotated[EquipmentEvent | TransportEvent, Field(discriminator="eventType")]
"""One event of ``GET /v2/events``, told apart by ``eventType``."""


class SubError(_Dcsa):
    """One cause of an error (``subErrors_inner``)."""

    reason: str
    message: str


class Error(_Dcsa):
    """The 2.2 ``error`` body of a failed request."""

    httpMethod: str
    requestUri: str
    errors: list[SubError]
    statusCode: int
    statusCodeText: str
    errorDateTime: datetime


# -- Operational Vessel Schedules 3.0.0 ------------------------------------------------------


class Timestamp(_Dcsa):
    """``Timestamp``: a call's planned, estimated or actual arrival or departure."""

    eventTypeCode: TransportEventTypeCode
    eventClassifierCode: Classifier
    eventDateTime: datetime
    delayReasonCode: str | None = Field(None, max_length=3)
    changeRemark: str | None = Field(None, max_length=250)


class UNLocationLocation(_Dcsa):
    """``UNLocationLocation``: a place by UN/LOCODE."""

    locationName: str | None = Field(None, max_length=100)
    locationType: Literal["UNLO"]
    UNLocationCode: str = Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")


class FacilitySMDGLocation(_Dcsa):
    """``FacilitySMDGLocation``: a terminal by UN/LOCODE and SMDG code."""

    locationName: str | None = Field(None, max_length=100)
    locationType: Literal["FACS"]
    UNLocationCode: str = Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
    facilitySMDGCode: str = Field(max_length=6)


class ScheduleTransportCall(_Dcsa):
    """OVS ``TransportCall``: a vessel's call at the terminal."""

    portVisitReference: str | None = Field(None, max_length=50)
    transportCallReference: str = Field(max_length=100)
    carrierImportVoyageNumber: str = Field(max_length=50)
    carrierExportVoyageNumber: str | None = Field(None, max_length=50)
    location: Annotated[
        UNLocationLocation | FacilitySMDGLocation, Field(discriminator="locationType")
    ]
    statusCode: Literal["OMIT", "BLNK", "ADHO", "PHOT", "PHIN", "SLID", "ROTC", "CUTR"] | None = (
        None
    )
    timestamps: list[Timestamp] = []


class VesselSchedule(_Dcsa):
    """OVS ``VesselSchedule``: one vessel's calls."""

    vesselOperatorSMDGLinerCode: str = Field(max_length=10)
    vesselIMONumber: str | None = Field(None, pattern=r"^\d{7}$")
    vesselName: str | None = Field(None, max_length=35)
    vesselCallSign: str | None = Field(None, max_length=10)
    isDummyVessel: bool
    transportCalls: list[ScheduleTransportCall] = []


class ServiceSchedule(_Dcsa):
    """OVS ``ServiceSchedule``: a service and its vessels."""

    carrierServiceName: str = Field(max_length=50)
    carrierServiceCode: str = Field(max_length=11)
    universalServiceReference: str | None = Field(None, pattern=r"^SR\d{5}[A-Z]$")
    vesselSchedules: list[VesselSchedule] = []
