"""The DCSA routes mounted in a minimal app, driven in-process over httpx's ASGI transport."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter

from dcsa_helpers import (
    BOX_DISC,
    BOX_LOAD,
    IMO,
    Terminal,
    build_terminal,
    dcsa_app,
    schedule_errors,
    schema_errors,
)
from opentos.api.dcsa import models
from opentos.api.dcsa.routes import router
from opentos.storage.store import Store

EVENTS = TypeAdapter(list[models.Event])


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The DCSA scenario in a fresh SQLite file."""
    built = build_terminal(f"sqlite:///{tmp_path / 'dcsa.db'}")
    yield built
    built.store.close()


def app_for(store: Store) -> FastAPI:
    return dcsa_app(store, router)


def get(store: Store, url: str, line: str | None = None) -> httpx.Response:
    headers = {} if line is None else {"X-Line": line}

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app_for(store))
        async with httpx.AsyncClient(transport=transport, base_url="http://tos.test") as client:
            return await client.get(url, headers=headers)

    return asyncio.run(call())


def test_events_have_the_api_version_and_validate(terminal: Terminal) -> None:
    """GET /v2/events answers 2.2.0 events that pass the schema and the response models."""
    response = get(terminal.store, "/v2/events")
    assert response.status_code == 200
    assert response.headers["API-Version"] == "2.2.0"
    assert response.headers["Current-Page"] == "http://tos.test/v2/events"
    assert "Next-Page" not in response.headers
    events = response.json()
    assert len(events) == 12
    for event in events:
        assert schema_errors(event) == []
    parsed = EVENTS.validate_python(events)
    assert [e.model_dump(mode="json", exclude_none=True)["eventID"] for e in parsed] == [
        e["eventID"] for e in events
    ]


def test_paging_follows_next_page_links(terminal: Terminal) -> None:
    """Next-Page links walk every event once; pages after the first link the first."""
    url: str | None = "/v2/events?limit=5&eventType=EQUIPMENT,TRANSPORT"
    seen: list[dict[str, Any]] = []
    while url is not None:
        response = get(terminal.store, url)
        assert response.status_code == 200
        seen += response.json()
        if "cursor=" in url:
            assert response.headers["First-Page"].endswith(
                "/v2/events?limit=5&eventType=EQUIPMENT%2CTRANSPORT"
            )
        url = response.headers.get("Next-Page")
    assert seen == get(terminal.store, "/v2/events").json()


def test_filters_reach_the_events(terminal: Terminal) -> None:
    """Query filters, including eventCreatedDateTime operators, select the events."""

    def count(query: str) -> int:
        response = get(terminal.store, "/v2/events?" + query)
        assert response.status_code == 200, response.text
        return len(response.json())

    assert count("equipmentEventTypeCode=GTIN,GTOT") == 2
    assert count("transportEventTypeCode=ARRI&transportCallID=V1") == 2
    assert count(f"vesselIMONumber={IMO}&eventType=EQUIPMENT") == 2
    assert count(f"equipmentReference={BOX_LOAD}") == 3
    assert count("eventCreatedDateTime:gte=2026-03-02T08:00:00Z"
                 "&eventCreatedDateTime:lt=2026-03-02T10:00:00Z") == 3  # fmt: skip
    assert count("eventCreatedDateTime=2026-03-02T08:00:00Z") == 1
    assert count("shipmentEventTypeCode=DRFT") == 0


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("cursor=nonsense", "cursor"),
        ("eventType=PARCEL", "PARCEL"),
        ("equipmentEventTypeCode=MOVE", "MOVE"),
        ("eventCreatedDateTime:ge=2026-03-02T08:00:00Z", "'ge'"),
        ("eventCreatedDateTime=yesterday", "yesterday"),
    ],
)
def test_bad_queries_are_400_with_the_error_body(
    terminal: Terminal, query: str, needle: str
) -> None:
    """A bad filter or cursor is a 400 in the 2.2 error shape naming the value."""
    response = get(terminal.store, "/v2/events?" + query)
    assert response.status_code == 400
    body = models.Error.model_validate(response.json())
    assert body.statusCode == 400
    assert needle in body.errors[0].message


def test_one_event_by_id_and_scope(terminal: Terminal) -> None:
    """GET /v2/events/{eventID} finds an event, but not for a line it does not concern."""
    disc = get(terminal.store, f"/v2/events?equipmentReference={BOX_DISC}").json()[0]
    found = get(terminal.store, f"/v2/events/{disc['eventID']}")
    assert found.status_code == 200
    assert found.headers["API-Version"] == "2.2.0"
    assert found.json() == disc
    assert get(terminal.store, f"/v2/events/{disc['eventID']}", "AAA").status_code == 200
    other = get(terminal.store, f"/v2/events/{disc['eventID']}", "BBB")
    assert other.status_code == 404
    assert models.Error.model_validate(other.json()).statusCode == 404


def test_a_line_sees_its_own_events(terminal: Terminal) -> None:
    """The scope dependency limits the list to the line's boxes and calls."""
    refs = {
        e.get("equipmentReference") or e["transportCall"]["transportCallID"]
        for e in get(terminal.store, "/v2/events", "AAA").json()
    }
    assert refs == {str(BOX_DISC), str(BOX_LOAD), "V1"}
    assert get(terminal.store, "/v2/events", "").status_code == 401


def test_service_schedules(terminal: Terminal) -> None:
    """GET /v3/service-schedules answers 3.0.0 schedules that pass the OVS schema."""
    response = get(terminal.store, "/v3/service-schedules")
    assert response.status_code == 200
    assert response.headers["API-Version"] == "3.0.0"
    [schedule] = response.json()
    assert schedule_errors(schedule) == []
    models.ServiceSchedule.model_validate(schedule)
    filtered = get(terminal.store, f"/v3/service-schedules?vesselIMONumber={IMO}").json()
    assert [v["vesselIMONumber"] for v in filtered[0]["vesselSchedules"]] == [IMO]
    assert get(terminal.store, "/v3/service-schedules?vesselIMONumber=12").status_code == 422


def test_openapi_names_the_dcsa_models(terminal: Terminal) -> None:
    """The app's OpenAPI document shows the DCSA response models and paths."""
    spec = app_for(terminal.store).openapi()
    assert {"/v2/events", "/v2/events/{eventID}", "/v3/service-schedules"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"EquipmentEvent", "TransportEvent", "ServiceSchedule", "Error"} <= set(schemas)
    assert "ISOEquipmentCode" in schemas["EquipmentEvent"]["properties"]
