# ruff: noqa: N815 - the fields carry the standard's own (camelCase) names
"""The DCSA Track & Trace 2.2 subscription endpoints, ``/v2/event-subscriptions``.

:func:`router` builds them over the app's store and scope dependencies, as
:func:`opentos.api.dcsa.routes.router` does; the routes read the body and call
:mod:`opentos.operations.subscriptions`. The request and response models name
the fields as the 2.2 ``subscriptionBody``, ``subscriptionBodyWithSecret``,
``subscription`` and ``subscriptionID_secret_body`` schemas do. The secret is
accepted on ``POST`` and ``PUT .../secret`` only and never answered.

A bad value (callback URL, secret, cursor) is a 400 and an unknown subscription
(or another line's) a 404, both with the 2.2 ``error`` body; a body that breaks
the models is FastAPI's 422. Of the deprecated filters, ``bookingReference`` is
read as ``carrierBookingReference``; ``transportDocumentID``,
``transportDocumentTypeCode`` and ``scheduleID`` are refused.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run
# time, and those naming the dependencies refer to router()'s arguments.

from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from opentos.api.dcsa import models
from opentos.api.dcsa.routes import PAGE_HEADERS, TNT_VERSION, VERSION_HEADER, error
from opentos.errors import InvalidValue, NotFound
from opentos.operations import subscriptions as ops
from opentos.operations.track_trace import (
    DEFAULT_LIMIT,
    EquipmentEventTypeCode,
    EventType,
    TransportEventTypeCode,
)
from opentos.storage.store import Store

EventTypeCode = Literal["SHIPMENT", "TRANSPORT", "EQUIPMENT"]
ShipmentEventTypeCode = Literal[
    "RECE", "DRFT", "PENA", "PENU", "REJE", "APPR", "ISSU", "SURR", "SUBM", "VOID", "CONF",
    "REQS", "CMPL", "HOLD", "RELS",
]  # fmt: skip
DocumentTypeCode = Literal[
    "CBR", "BKG", "SHI", "SRM", "TRD", "ARN", "VGM", "CAS", "CUS", "DGD", "OOG"
]  # fmt: skip
TransportDocumentType = Literal["BOL", "SWB"]
_DEPRECATED: dict[str, Any] = {"deprecated": True}
"""Marked in the schema only: pydantic's ``deprecated`` warns on every read of the field."""
_PATH_ID = Path(alias="subscriptionID", description="The universal unique ID of the subscription.")
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Error, "description": "A value is not valid"},
    404: {"model": models.Error, "description": "No such subscription"},
}


class SubscriptionBody(BaseModel):
    """``subscriptionBody``: the callback URL and the filters (AND; each list OR)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    callbackUrl: str = Field(
        max_length=ops.MAX_URL_LENGTH,
        description="The endPoint where the terminal sends the events; an https URL on a host "
        "the terminal allows",
        json_schema_extra={"format": "uri"},
    )
    eventType: list[EventTypeCode] | None = None
    shipmentEventTypeCode: list[ShipmentEventTypeCode] | None = None
    documentTypeCode: list[DocumentTypeCode] | None = None
    carrierBookingReference: str | None = Field(None, max_length=35)
    bookingReference: str | None = Field(
        None,
        max_length=35,
        json_schema_extra=_DEPRECATED,
        description="Use carrierBookingReference",
    )
    transportDocumentID: UUID | None = Field(None, json_schema_extra=_DEPRECATED)
    transportDocumentReference: str | None = Field(None, max_length=20)
    transportDocumentTypeCode: list[TransportDocumentType] | None = Field(
        None, json_schema_extra=_DEPRECATED
    )
    transportEventTypeCode: list[models.TransportEventTypeCode] | None = None
    scheduleID: UUID | None = Field(None, json_schema_extra=_DEPRECATED)
    transportCallID: str | None = Field(None, max_length=100)
    vesselIMONumber: str | None = Field(None, max_length=7)
    carrierVoyageNumber: str | None = Field(None, max_length=50, json_schema_extra=_DEPRECATED)
    exportVoyageNumber: str | None = Field(None, max_length=50)
    carrierServiceCode: str | None = Field(None, max_length=5)
    UNLocationCode: str | None = Field(None, max_length=5)
    equipmentEventTypeCode: list[models.EquipmentEventTypeCode] | None = None
    equipmentReference: str | None = Field(None, max_length=15)

    def filters(self) -> ops.SubscriptionFilters:
        """The operations' filters (:class:`InvalidValue` for the refused deprecated ones)."""
        for name in ("transportDocumentID", "transportDocumentTypeCode", "scheduleID"):
            if getattr(self, name) is not None:
                raise InvalidValue(f"the deprecated filter {name} is not supported")
        booking = self.carrierBookingReference
        if self.bookingReference is not None:
            if booking is not None and booking != self.bookingReference:
                raise InvalidValue(
                    f"bookingReference {self.bookingReference!r} and carrierBookingReference "
                    f"{booking!r} differ"
                )
            booking = self.bookingReference
        return ops.SubscriptionFilters(
            event_types=frozenset(EventType(c) for c in self.eventType or ()),
            equipment_event_type_codes=frozenset(
                EquipmentEventTypeCode(c) for c in self.equipmentEventTypeCode or ()
            ),
            transport_event_type_codes=frozenset(
                TransportEventTypeCode(c) for c in self.transportEventTypeCode or ()
            ),
            shipment_event_type_codes=frozenset(self.shipmentEventTypeCode or ()),
            document_type_codes=frozenset(self.documentTypeCode or ()),
            carrier_booking_reference=booking,
            transport_document_reference=self.transportDocumentReference,
            transport_call_id=self.transportCallID,
            vessel_imo_number=self.vesselIMONumber,
            carrier_voyage_number=self.carrierVoyageNumber,
            export_voyage_number=self.exportVoyageNumber,
            carrier_service_code=self.carrierServiceCode,
            un_location_code=self.UNLocationCode,
            equipment_reference=self.equipmentReference,
        )


class SubscriptionBodyWithSecret(SubscriptionBody):
    """``subscriptionBodyWithSecret``: a new subscription, with its shared secret."""

    secret: str = Field(
        description="A Base64 encoded secret shared between the Publisher and the Subscriber, "
        "used to compute the Notification-Signature header. Only valid in POST calls.",
        json_schema_extra={"format": "byte"},
    )


class Subscription(SubscriptionBody):
    """``subscription``: a subscription as answered, and the body of its ``PUT``."""

    subscriptionID: UUID | None = None

    @classmethod
    def of(cls, sub: ops.Subscription) -> "Subscription":
        f = sub.filters

        def codes(values: frozenset[Any]) -> list[Any] | None:
            return sorted(str(v) for v in values) or None

        return cls(
            subscriptionID=sub.id,
            callbackUrl=sub.callback_url,
            eventType=codes(f.event_types),
            shipmentEventTypeCode=codes(f.shipment_event_type_codes),
            documentTypeCode=codes(f.document_type_codes),
            carrierBookingReference=f.carrier_booking_reference,
            transportDocumentReference=f.transport_document_reference,
            transportEventTypeCode=codes(f.transport_event_type_codes),
            transportCallID=f.transport_call_id,
            vesselIMONumber=f.vessel_imo_number,
            carrierVoyageNumber=f.carrier_voyage_number,
            exportVoyageNumber=f.export_voyage_number,
            carrierServiceCode=f.carrier_service_code,
            UNLocationCode=f.un_location_code,
            equipmentEventTypeCode=codes(f.equipment_event_type_codes),
            equipmentReference=f.equipment_reference,
        )

    def body(self) -> Any:
        """The JSON body: the fields that are set."""
        return self.model_dump(mode="json", exclude_none=True)


class SecretBody(BaseModel):
    """``subscriptionID_secret_body``: a new secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    secret: str | None = Field(None, json_schema_extra={"format": "byte"})


def router(get_store: Callable[..., Any], get_scope: Callable[..., Any]) -> APIRouter:
    """The 2.2 subscription routes over the app's store and scope dependencies.

    Parameters
    ----------
    get_store
        A FastAPI dependency giving the :class:`~opentos.storage.store.Store` (it may yield).
    get_scope
        A FastAPI dependency giving the caller's line code, or ``None`` for terminal staff;
        it raises 401/403 itself.
    """
    api = APIRouter(tags=["DCSA"])
    version = {"API-Version": TNT_VERSION}

    def failed(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, NotFound):
            return error(request, 404, "Not Found", "notFound", str(exc))
        return error(request, 400, "Bad Request", "invalidInput", str(exc))

    @api.get(
        "/v2/event-subscriptions",
        response_model=list[Subscription],
        responses={200: {"headers": PAGE_HEADERS}, 400: _ERRORS[400]},
        summary="Your subscriptions (DCSA Track & Trace 2.2)",
    )
    def list_subscriptions(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        limit: Annotated[int, Query(ge=1)] = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> JSONResponse:
        try:
            page = ops.find(store, scope, limit, cursor)
        except InvalidValue as exc:
            return failed(request, exc)
        headers = {**version, "Current-Page": str(request.url)}
        if page.next_cursor is not None:
            headers["Next-Page"] = str(request.url.include_query_params(cursor=page.next_cursor))
        if cursor is not None:
            headers["First-Page"] = str(request.url.remove_query_params("cursor"))
        body = [Subscription.of(s).body() for s in page.subscriptions]
        return JSONResponse(body, headers=headers)

    @api.post(
        "/v2/event-subscriptions",
        status_code=201,
        response_model=Subscription,
        responses={201: {"headers": {"API-Version": VERSION_HEADER}}, 400: _ERRORS[400]},
        summary="Create a subscription (DCSA Track & Trace 2.2)",
    )
    def create_subscription(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        body: SubscriptionBodyWithSecret,
    ) -> JSONResponse:
        try:
            made = ops.create(store, scope, body.callbackUrl, body.secret, body.filters())
        except InvalidValue as exc:
            return failed(request, exc)
        return JSONResponse(Subscription.of(made).body(), 201, headers=version)

    @api.get(
        "/v2/event-subscriptions/{subscriptionID}",
        response_model=Subscription,
        responses={200: {"headers": {"API-Version": VERSION_HEADER}}, **_ERRORS},
        summary="Find a subscription by its id (DCSA Track & Trace 2.2)",
    )
    def get_subscription(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        subscription_id: Annotated[UUID, _PATH_ID],
    ) -> JSONResponse:
        try:
            found = ops.get(store, scope, subscription_id)
        except NotFound as exc:
            return failed(request, exc)
        return JSONResponse(Subscription.of(found).body(), headers=version)

    @api.put(
        "/v2/event-subscriptions/{subscriptionID}",
        response_model=Subscription,
        responses={200: {"headers": {"API-Version": VERSION_HEADER}}, **_ERRORS},
        summary="Alter a subscription (DCSA Track & Trace 2.2)",
    )
    def put_subscription(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        subscription_id: Annotated[UUID, _PATH_ID],
        body: Subscription,
    ) -> JSONResponse:
        try:
            if body.subscriptionID is not None and body.subscriptionID != subscription_id:
                raise InvalidValue(
                    f"subscriptionID {body.subscriptionID} of the body is not "
                    f"{subscription_id} of the path"
                )
            changed = ops.update(store, scope, subscription_id, body.callbackUrl, body.filters())
        except (InvalidValue, NotFound) as exc:
            return failed(request, exc)
        return JSONResponse(Subscription.of(changed).body(), headers=version)

    @api.delete(
        "/v2/event-subscriptions/{subscriptionID}",
        status_code=204,
        response_class=Response,
        responses={204: {"headers": {"API-Version": VERSION_HEADER}}, 404: _ERRORS[404]},
        summary="Stop a subscription (DCSA Track & Trace 2.2)",
    )
    def delete_subscription(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        subscription_id: Annotated[UUID, _PATH_ID],
    ) -> Response:
        try:
            ops.delete(store, scope, subscription_id)
        except NotFound as exc:
            return failed(request, exc)
        return Response(status_code=204, headers=version)

    @api.put(
        "/v2/event-subscriptions/{subscriptionID}/secret",
        status_code=204,
        response_class=Response,
        responses={204: {"headers": {"API-Version": VERSION_HEADER}}, **_ERRORS},
        summary="Reset the secret of a subscription (DCSA Track & Trace 2.2)",
    )
    def put_secret(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        subscription_id: Annotated[UUID, _PATH_ID],
        body: SecretBody,
    ) -> Response:
        try:
            if body.secret is None:
                raise InvalidValue("the body names no secret")
            ops.reset_secret(store, scope, subscription_id, body.secret)
        except (InvalidValue, NotFound) as exc:
            return failed(request, exc)
        return Response(status_code=204, headers=version)

    return api
