"""The DCSA endpoints: ``GET /v2/events[/{eventID}]`` and ``GET /v3/service-schedules``.

:func:`router` builds them over two dependencies the app provides: the store
and the caller's scope (a shipping line's SMDG code, or ``None`` for terminal
staff; that dependency answers 401/403 itself). The routes only read the
query and call :mod:`opentos.operations.track_trace`.

Paging follows Track & Trace 2.2: ``limit`` and an opaque ``cursor`` in the
query; the response carries ``Current-Page`` and, when there is more,
``Next-Page`` (a link to the next page, whose ``cursor`` continues after the
last event), and ``First-Page`` on pages after the first. Each response has
the ``API-Version`` header of its standard. A bad value (cursor, date, code)
is a 400 and an unknown event a 404, both with the 2.2 ``error`` body.
Filters on shipment events (``shipmentEventTypeCode``, ``documentTypeCode``,
booking and transport document references, ``carrierServiceCode``) match
nothing: OpenTOS publishes no shipment events and knows no services.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run
# time, and those naming the dependencies refer to router()'s arguments.

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from opentos.api.dcsa import models
from opentos.api.deps import kept
from opentos.errors import InvalidValue, NotFound
from opentos.model.container import JsonValue
from opentos.operations.readcache import Read, ReadCache
from opentos.operations.track_trace import (
    DEFAULT_LIMIT,
    CreatedFilter,
    EquipmentEventTypeCode,
    EventPage,
    EventQuery,
    EventType,
    Facility,
    ScheduleQuery,
    TransportEventTypeCode,
    box_events,
    equipment_of,
    find_event,
    find_events,
    page_of,
    parse_created_filter,
    service_schedules,
)
from opentos.storage.store import Store

TNT_VERSION = "2.2.0"
OVS_VERSION = "3.0.0"
_CREATED = "eventCreatedDateTime"
VERSION_HEADER = {"description": "SemVer of the contract returned", "schema": {"type": "string"}}
PAGE_HEADERS = {
    "API-Version": VERSION_HEADER,
    "Current-Page": {"description": "A link to the current page", "schema": {"type": "string"}},
    "Next-Page": {"description": "A link to the next page", "schema": {"type": "string"}},
    "First-Page": {"description": "A link to the first page", "schema": {"type": "string"}},
}
"""The 2.2 paging headers, as the OpenAPI document describes them (shared by both routers)."""
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Error, "description": "A filter or the cursor is not valid"},
    404: {"model": models.Error, "description": "No such event"},
}


_Code = TypeVar("_Code", EventType, EquipmentEventTypeCode, TransportEventTypeCode)


def _codes(kind: type[_Code], name: str, text: str | None) -> frozenset[_Code]:
    """A comma-separated list of codes (OR), as the 2.2 list parameters are written."""
    if not text:
        return frozenset()
    found: set[_Code] = set()
    for part in text.split(","):
        try:
            found.add(kind(part.strip()))
        except ValueError:
            allowed = ", ".join(c.value for c in kind)
            raise InvalidValue(f"{name} {part.strip()!r} is not one of {allowed}") from None
    return frozenset(found)


def error(request: Request, status: int, text: str, reason: str, message: str) -> JSONResponse:
    """A DCSA 2.2 ``error`` response (``reason`` one code, ``message`` in plain words)."""
    body = models.Error(
        httpMethod=request.method,
        requestUri=str(request.url),
        errors=[models.SubError(reason=reason, message=message)],
        statusCode=status,
        statusCodeText=text,
        errorDateTime=datetime.now(UTC),
    )
    return JSONResponse(body.model_dump(mode="json"), status, headers={"API-Version": TNT_VERSION})


def _created_filters(request: Request) -> tuple[CreatedFilter, ...]:
    """``eventCreatedDateTime`` and ``eventCreatedDateTime:<op>`` query parameters."""
    bounds: list[CreatedFilter] = []
    for name, value in request.query_params.multi_items():
        if name == _CREATED or name.startswith(_CREATED + ":"):
            bounds.append(parse_created_filter(name[len(_CREATED) + 1 :], value))
    return tuple(bounds)


def _rendered(page: EventPage) -> tuple[bytes, str | None]:
    """A page's events as the response body carries them, and its next cursor."""
    return bytes(JSONResponse(list[JsonValue](page.events)).body), page.next_cursor


async def no_cache() -> ReadCache | None:
    """No read cache: every answer is read from the store."""
    return None


def router(
    get_store: Callable[..., Any],
    get_scope: Callable[..., Any],
    get_cache: Callable[..., Any] = no_cache,
    facility: Callable[[Store], Facility] = Facility.of,
) -> APIRouter:
    """The DCSA routes over the app's store and scope dependencies.

    Parameters
    ----------
    get_store
        A FastAPI dependency giving the :class:`~opentos.storage.store.Store` (it may yield).
    get_scope
        A FastAPI dependency giving the caller's line code, or ``None`` for terminal staff;
        it raises 401/403 itself.
    get_cache
        A FastAPI dependency giving the process's
        :class:`~opentos.operations.readcache.ReadCache`, or ``None`` (one box's events
        are then read on every request).
    facility
        The terminal's location from its store (by default the layout's UN/LOCODE, no SMDG
        terminal code).
    """
    api = APIRouter(tags=["DCSA"])

    @api.get(
        "/v2/events",
        response_model=list[models.Event],
        responses={200: {"headers": PAGE_HEADERS}, **_ERRORS},
        summary="Find events (DCSA Track & Trace 2.2)",
    )
    async def get_events(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        cache: Annotated[ReadCache | None, Depends(get_cache)],
        event_type: Annotated[str | None, Query(alias="eventType")] = None,
        equipment_event_type_code: Annotated[
            str | None, Query(alias="equipmentEventTypeCode")
        ] = None,
        transport_event_type_code: Annotated[
            str | None, Query(alias="transportEventTypeCode")
        ] = None,
        shipment_event_type_code: Annotated[
            str | None, Query(alias="shipmentEventTypeCode")
        ] = None,
        document_type_code: Annotated[str | None, Query(alias="documentTypeCode")] = None,
        carrier_booking_reference: Annotated[
            str | None, Query(alias="carrierBookingReference", max_length=35)
        ] = None,
        transport_document_reference: Annotated[
            str | None, Query(alias="transportDocumentReference", max_length=20)
        ] = None,
        carrier_service_code: Annotated[
            str | None, Query(alias="carrierServiceCode", max_length=5)
        ] = None,
        equipment_reference: Annotated[
            str | None, Query(alias="equipmentReference", max_length=15)
        ] = None,
        transport_call_id: Annotated[
            str | None, Query(alias="transportCallID", max_length=100)
        ] = None,
        vessel_imo_number: Annotated[
            str | None, Query(alias="vesselIMONumber", max_length=7)
        ] = None,
        carrier_voyage_number: Annotated[
            str | None, Query(alias="carrierVoyageNumber", max_length=50)
        ] = None,
        export_voyage_number: Annotated[
            str | None, Query(alias="exportVoyageNumber", max_length=50)
        ] = None,
        un_location_code: Annotated[str | None, Query(alias="UNLocationCode", max_length=5)] = None,
        event_created: Annotated[
            str | None,
            Query(
                alias=_CREATED,
                description="Also eventCreatedDateTime:gte, :gt, :lte, :lt and :eq",
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1)] = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Response:
        try:
            query = EventQuery(
                event_types=_codes(EventType, "eventType", event_type),
                equipment_event_type_codes=_codes(
                    EquipmentEventTypeCode, "equipmentEventTypeCode", equipment_event_type_code
                ),
                transport_event_type_codes=_codes(
                    TransportEventTypeCode, "transportEventTypeCode", transport_event_type_code
                ),
                equipment_reference=equipment_reference,
                transport_call_id=transport_call_id,
                vessel_imo_number=vessel_imo_number,
                carrier_voyage_number=carrier_voyage_number,
                export_voyage_number=export_voyage_number,
                un_location_code=un_location_code,
                created=_created_filters(request),
                limit=limit,
                cursor=cursor,
            )
            shipment_only = (
                shipment_event_type_code,
                document_type_code,
                carrier_booking_reference,
                transport_document_reference,
                carrier_service_code,
            )
            box = equipment_of(query)
            here = facility(store)
            if any(shipment_only):
                body, next_cursor = _rendered(EventPage([], None))
            elif box is not None:
                # one box's page, kept as sent until one of the box's events changes
                def read() -> Read[tuple[bytes, str | None]]:
                    found = box_events(store, scope, here, box)
                    return Read(_rendered(page_of(found.value, query)), found.keys)

                body, next_cursor = await kept(cache, ("events", box, scope, query), read)
            else:
                page = await run_in_threadpool(find_events, store, query, scope, here)
                body, next_cursor = _rendered(page)
        except InvalidValue as exc:
            return error(request, 400, "Bad Request", "invalidQuery", str(exc))
        headers = {"API-Version": TNT_VERSION, "Current-Page": str(request.url)}
        if next_cursor is not None:
            headers["Next-Page"] = str(request.url.include_query_params(cursor=next_cursor))
        if cursor is not None:
            headers["First-Page"] = str(request.url.remove_query_params("cursor"))
        return Response(body, media_type="application/json", headers=headers)

    @api.get(
        "/v2/events/{eventID}",
        response_model=models.Event,
        responses={200: {"headers": {"API-Version": VERSION_HEADER}}, **_ERRORS},
        summary="Find an event by its id (DCSA Track & Trace 2.2)",
    )
    def get_event(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        event_id: Annotated[str, Path(alias="eventID", max_length=100)],
    ) -> JSONResponse:
        try:
            body = find_event(store, event_id, scope, facility(store))
        except NotFound as exc:
            return error(request, 404, "Not Found", "notFound", str(exc))
        return JSONResponse(body, headers={"API-Version": TNT_VERSION})

    @api.get(
        "/v3/service-schedules",
        response_model=list[models.ServiceSchedule],
        responses={
            200: {"headers": {"API-Version": VERSION_HEADER}},
            400: _ERRORS[400],
        },
        summary="The terminal's vessel calls (DCSA Operational Vessel Schedules 3.0)",
    )
    def get_service_schedules(
        store: Annotated[Store, Depends(get_store)],
        scope: Annotated[str | None, Depends(get_scope)],
        vessel_imo_number: Annotated[
            str | None, Query(alias="vesselIMONumber", pattern=r"^\d{7}$")
        ] = None,
        vessel_name: Annotated[str | None, Query(alias="vesselName", max_length=35)] = None,
        carrier_voyage_number: Annotated[
            str | None, Query(alias="carrierVoyageNumber", max_length=50)
        ] = None,
        un_location_code: Annotated[
            str | None, Query(alias="UNLocationCode", pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")
        ] = None,
        facility_smdg_code: Annotated[
            str | None, Query(alias="facilitySMDGCode", max_length=6)
        ] = None,
        start_date: Annotated[date | None, Query(alias="startDate")] = None,
        end_date: Annotated[date | None, Query(alias="endDate")] = None,
        limit: Annotated[int, Query(ge=0)] = DEFAULT_LIMIT,
    ) -> JSONResponse:
        query = ScheduleQuery(
            vessel_imo_number=vessel_imo_number,
            vessel_name=vessel_name,
            carrier_voyage_number=carrier_voyage_number,
            un_location_code=un_location_code,
            facility_smdg_code=facility_smdg_code,
            start_date=start_date,
            end_date=end_date,
            limit=limit,
        )
        found = service_schedules(store, query, scope, facility(store))
        return JSONResponse(found, headers={"API-Version": OVS_VERSION})

    return api
