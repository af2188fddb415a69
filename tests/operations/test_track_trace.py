"""DCSA Track & Trace 2.2 events and OVS 3.0 schedules read from the ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from dcsa_helpers import (
    BOX_DISC,
    BOX_GATE,
    BOX_LOAD,
    BOX_PLAN,
    IMO,
    T0,
    Terminal,
    build_terminal,
    schedule_errors,
    schema_errors,
)
from opentos.errors import InvalidValue, NotFound
from opentos.operations.track_trace import (
    CreatedFilter,
    EquipmentEventTypeCode,
    EventQuery,
    EventType,
    Facility,
    Operator,
    ScheduleQuery,
    TransportEventTypeCode,
    all_events,
    decode_cursor,
    find_event,
    find_events,
    ledger_events,
    parse_created_filter,
    service_schedules,
)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The scenario of :func:`dcsa_helpers.build_terminal` in a fresh SQLite file."""
    built = build_terminal(f"sqlite:///{tmp_path / 'dcsa.db'}")
    yield built
    built.store.close()


def codes(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (
            e.get("equipmentEventTypeCode") or e.get("transportEventTypeCode"),
            e["eventClassifierCode"],
            e.get("equipmentReference") or e["transportCall"]["transportCallID"],
        )
        for e in events
    ]


def everything(terminal: Terminal, scope: str | None = None) -> list[dict[str, object]]:
    return find_events(terminal.store, EventQuery(limit=1000), scope).events


def test_ledger_moves_map_to_the_dcsa_event_types(terminal: Terminal) -> None:
    """Discharge, gate-in, drop, load, pick and gate-out are published; the rest are not."""
    found = codes(everything(terminal))
    assert found == [
        ("ARRI", "EST", "V1"),
        ("ARRI", "ACT", "V1"),
        ("DISC", "ACT", str(BOX_DISC)),
        ("GTIN", "ACT", str(BOX_LOAD)),
        ("DROP", "ACT", str(BOX_LOAD)),
        ("LOAD", "ACT", str(BOX_LOAD)),
        ("PICK", "ACT", str(BOX_GATE)),
        ("GTOT", "ACT", str(BOX_GATE)),
        ("DEPA", "EST", "V1"),
        ("ARRI", "EST", "V2"),
        ("DISC", "PLN", str(BOX_PLAN)),
        ("DEPA", "EST", "V2"),
    ]


def test_every_event_validates_against_the_vendored_schema(terminal: Terminal) -> None:
    """Each event passes the 2.2 schema of its type and uses only fields it declares."""
    events = everything(terminal)
    assert {e["eventType"] for e in events} == {"EQUIPMENT", "TRANSPORT"}
    for event in events:
        assert schema_errors(event) == [], event


def test_schema_check_catches_a_wrong_event() -> None:
    """The schema check rejects an unknown code and an invented field."""
    bad = {
        "eventID": "not-a-uuid",
        "eventCreatedDateTime": "2026-01-01T00:00:00Z",
        "eventType": "EQUIPMENT",
        "eventClassifierCode": "ACT",
        "eventDateTime": "2026-01-01T00:00:00Z",
        "equipmentEventTypeCode": "MOVE",
        "emptyIndicatorCode": "LADEN",
        "containerNumber": "X",
    }
    errors = schema_errors(bad)
    assert any("MOVE" in e for e in errors)
    assert any("not-a-uuid" in e for e in errors)
    assert "undeclared field containerNumber" in errors


def test_a_discharge_carries_box_vessel_and_place(terminal: Terminal) -> None:
    """The DISC event names the box, its type, laden, the call's vessel and the terminal."""
    query = EventQuery(equipment_event_type_codes=frozenset({EquipmentEventTypeCode.DISC}))
    [disc, _planned] = find_events(terminal.store, query, None).events
    assert disc["equipmentReference"] == str(BOX_DISC)
    assert disc["ISOEquipmentCode"] == "22G1"
    assert disc["emptyIndicatorCode"] == "LADEN"
    assert disc["eventDateTime"] == disc["eventCreatedDateTime"] == "2026-03-02T08:00:00.000Z"
    assert disc["eventLocation"] == {
        "locationName": "Tiny test terminal",
        "UNLocationCode": "ZZTNY",
    }
    call = disc["transportCall"]
    assert call["transportCallID"] == "V1"
    assert call["modeOfTransport"] == "VESSEL"
    assert call["carrierVoyageNumber"] == "001E"
    assert call["importVoyageNumber"] == "001W"
    assert call["vessel"] == {
        "vesselIMONumber": IMO,
        "vesselName": "KING OF THE SEAS",
        "vesselCallSignNumber": "ABCD",
        "vesselOperatorCarrierCode": "AAA",
        "vesselOperatorCarrierCodeListProvider": "SMDG",
    }


def test_gate_events_name_the_truck_call_and_emptiness(terminal: Terminal) -> None:
    """GTIN of an empty box names the truck visit by its equipment id, mode TRUCK."""
    query = EventQuery(equipment_event_type_codes=frozenset({EquipmentEventTypeCode.GTIN}))
    [gtin] = find_events(terminal.store, query, None).events
    assert gtin["emptyIndicatorCode"] == "EMPTY"
    assert gtin["transportCall"]["transportCallID"] == "T1"
    assert gtin["transportCall"]["modeOfTransport"] == "TRUCK"
    assert "vessel" not in gtin["transportCall"]


def test_facility_code_is_published_when_given(terminal: Terminal) -> None:
    """An SMDG terminal code appears in the location and the call, and still validates."""
    facility = Facility("ZZTNY", "TNY1", "Tiny")
    events = [e.body for e in all_events(terminal.store, None, facility)]
    assert events[0]["transportCall"]["facilityCode"] == "TNY1"
    assert events[2]["eventLocation"] == {
        "locationName": "Tiny",
        "UNLocationCode": "ZZTNY",
        "facilityCode": "TNY1",
        "facilityCodeListProvider": "SMDG",
    }
    for event in events:
        assert schema_errors(event) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (EventQuery(event_types=frozenset({EventType.TRANSPORT})), 5),
        (EventQuery(event_types=frozenset({EventType.SHIPMENT})), 0),
        (EventQuery(equipment_reference=str(BOX_LOAD)), 3),
        (EventQuery(transport_call_id="V1"), 5),
        (EventQuery(transport_call_id="T2"), 2),
        (EventQuery(vessel_imo_number=IMO), 5),
        (EventQuery(carrier_voyage_number="7N"), 3),
        (EventQuery(export_voyage_number="001E"), 5),
        (EventQuery(un_location_code="ZZTNY"), 12),
        (EventQuery(un_location_code="CNTAO"), 0),
        (
            EventQuery(
                transport_event_type_codes=frozenset({TransportEventTypeCode.DEPA}),
                transport_call_id="V2",
            ),
            1,
        ),
        (EventQuery(equipment_event_type_codes=frozenset(EquipmentEventTypeCode)), 7),
    ],
)
def test_filters(terminal: Terminal, query: EventQuery, expected: int) -> None:
    """Each filter keeps the events it names; several must all hold."""
    assert len(find_events(terminal.store, query, None).events) == expected


def test_created_filters_use_the_spec_operators(terminal: Terminal) -> None:
    """``:gte``, ``:gt``, ``:lt``, ``:lte`` and ``:eq`` bound eventCreatedDateTime."""
    disc_at = T0 + timedelta(hours=2)

    def count(*bounds: CreatedFilter) -> int:
        return len(find_events(terminal.store, EventQuery(created=bounds), None).events)

    assert count(CreatedFilter(Operator.EQ, disc_at)) == 1
    assert count(CreatedFilter(Operator.GTE, disc_at)) == 10
    assert count(CreatedFilter(Operator.GT, disc_at)) == 9
    assert count(CreatedFilter(Operator.LT, disc_at)) == 2
    assert count(CreatedFilter(Operator.LTE, disc_at)) == 3
    assert count(parse_created_filter("gt", "2026-03-02T07:00:00Z"),
                 parse_created_filter("lte", "2026-03-02T11:30:00+02:00")) == 3  # fmt: skip
    assert parse_created_filter("", "2026-03-02T08:00:00Z") == CreatedFilter(Operator.EQ, disc_at)
    with pytest.raises(InvalidValue, match="'ge'"):
        parse_created_filter("ge", "2026-03-02T08:00:00Z")
    with pytest.raises(InvalidValue, match="time zone"):
        parse_created_filter("gte", "2026-03-02T08:00:00")


@pytest.mark.parametrize("limit", [1, 2, 5, 11, 12, 13])
def test_pages_lose_and_repeat_nothing(terminal: Terminal, limit: int) -> None:
    """Following Next-Page cursors gives every event once, in order."""
    seen: list[dict[str, object]] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = find_events(terminal.store, EventQuery(limit=limit, cursor=cursor), None)
        assert 0 < len(page.events) <= limit
        seen += page.events
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything(terminal)
    assert pages == -(-12 // limit)


def test_filtered_pages_lose_nothing(terminal: Terminal) -> None:
    """Paging a filtered result gives exactly the filtered events."""
    query = EventQuery(event_types=frozenset({EventType.EQUIPMENT}), limit=2)
    first = find_events(terminal.store, query, None)
    rest = find_events(
        terminal.store,
        EventQuery(event_types=query.event_types, limit=100, cursor=first.next_cursor),
        None,
    )
    assert rest.next_cursor is None
    assert len(first.events) + len(rest.events) == 7


def test_a_cursor_not_from_the_server_is_rejected() -> None:
    """Garbage and forged cursors are an InvalidValue naming the cursor."""
    for cursor in ("!!!", "bm90IGEgY3Vyc29y", ""):
        with pytest.raises(InvalidValue, match="cursor"):
            decode_cursor(cursor)


def test_a_line_sees_only_its_boxes_and_calls(terminal: Terminal) -> None:
    """AAA sees its two boxes and its call V1; BBB sees its boxes and V2, not V1."""
    aaa = codes(everything(terminal, "AAA"))
    assert {ref for _, _, ref in aaa} == {str(BOX_DISC), str(BOX_LOAD), "V1"}
    assert len(aaa) == 7
    bbb = codes(everything(terminal, "BBB"))
    assert {ref for _, _, ref in bbb} == {str(BOX_GATE), str(BOX_PLAN), "V2"}
    assert codes(everything(terminal, "ZZZ")) == []


def test_a_line_also_sees_calls_where_it_moved_a_box(terminal: Terminal) -> None:
    """BBB's box loaded onto AAA's V1 makes V1's arrival and departure visible to BBB."""
    from opentos.model.ledger import MoveEvent
    from opentos.model.places import parse_place
    from opentos.model.slots import BayRowTier

    taken = BayRowTier.parse(terminal.slot)
    profile = terminal.store.visit("V1").profile
    free = next(s for s in profile.slots(20) if s.tier == taken.tier and s != taken)
    with terminal.store.transaction() as tx:
        tx.record(
            [MoveEvent(BOX_PLAN, parse_place(f"vessel:V2:{terminal.slot}"),
                       parse_place("equipment:QC01"), T0 + timedelta(hours=32), "QC01")]
        )  # fmt: skip
    calls = {ref for _, _, ref in codes(everything(terminal, "BBB")) if ref in ("V1", "V2")}
    assert calls == {"V2"}
    with terminal.store.transaction() as tx:
        tx.record(
            [
                MoveEvent(BOX_PLAN, parse_place("equipment:QC01"),
                          parse_place(f"vessel:V1:{free}"), T0 + timedelta(hours=33),
                          "QC01"),
            ]
        )  # fmt: skip
    calls = {ref for _, _, ref in codes(everything(terminal, "BBB")) if ref in ("V1", "V2")}
    assert calls == {"V1", "V2"}


@pytest.mark.parametrize("scope", [None, "AAA", "BBB"])
@pytest.mark.parametrize("batch", [1, 3, 10_000])
def test_ledger_events_are_the_actual_events_in_ledger_order(
    terminal: Terminal, scope: str | None, batch: int
) -> None:
    """Reading the ledger in batches gives the actual events all_events publishes, by seq."""
    store = terminal.store
    actual = sorted((e for e in all_events(store, scope) if e.seq is not None),
                    key=lambda e: e.seq or 0)  # fmt: skip
    assert actual, "the scenario has actual events"
    read = list(ledger_events(store, scope, 0, store.head(), batch=batch))
    assert [(e.seq, e.body) for e in read] == [(e.seq, e.body) for e in actual]
    middle = actual[len(actual) // 2].seq or 0
    later = list(ledger_events(store, scope, middle, store.head(), batch=batch))
    assert [e.seq for e in later] == [e.seq for e in actual if (e.seq or 0) > middle]
    assert list(ledger_events(store, scope, 0, middle, batch=batch))[-1].seq == middle


def test_same_ledger_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two stores built from the same events publish identical JSON with identical ids."""
    texts = []
    for name in ("a", "b"):
        built = build_terminal(f"sqlite:///{tmp_path / name}.db")
        texts.append(json.dumps(everything(built), sort_keys=False))
        built.store.close()
    assert texts[0] == texts[1]
    ids = [e["eventID"] for e in json.loads(texts[0])]
    assert len(set(ids)) == len(ids)


def test_find_event_by_id_respects_scope(terminal: Terminal) -> None:
    """An event is found by its id, but not by a line it does not concern."""
    event = everything(terminal)[2]
    assert find_event(terminal.store, str(event["eventID"]), None) == event
    assert find_event(terminal.store, str(event["eventID"]), "AAA") == event
    with pytest.raises(NotFound):
        find_event(terminal.store, str(event["eventID"]), "BBB")
    with pytest.raises(NotFound):
        find_event(terminal.store, "00000000-0000-0000-0000-000000000000", None)


def test_service_schedules_validate_and_list_the_calls(terminal: Terminal) -> None:
    """Each vessel's calls, with estimated and actual times, pass the OVS 3.0 schema."""
    [schedule] = service_schedules(terminal.store, ScheduleQuery(), None)
    assert schedule_errors(schedule) == []
    vessels = schedule["vesselSchedules"]
    assert [v["vesselName"] for v in vessels] == ["KING OF THE SEAS", "FEEDER TWO"]
    v1, v2 = vessels
    assert v1["isDummyVessel"] is False
    assert v2["isDummyVessel"] is True
    [call] = v1["transportCalls"]
    assert call["transportCallReference"] == "V1"
    assert call["carrierImportVoyageNumber"] == "001W"
    assert call["location"] == {
        "locationType": "UNLO", "UNLocationCode": "ZZTNY", "locationName": "Tiny test terminal",
    }  # fmt: skip
    assert [(t["eventTypeCode"], t["eventClassifierCode"]) for t in call["timestamps"]] == [
        ("ARRI", "EST"),
        ("ARRI", "ACT"),
        ("DEPA", "EST"),
    ]
    facs = service_schedules(terminal.store, ScheduleQuery(), None, Facility("ZZTNY", "TNY1"))
    assert schedule_errors(facs[0]) == []


def test_schedule_check_catches_a_wrong_schedule() -> None:
    """The OVS check rejects a call without its required voyage and a bad location type."""
    bad = {
        "carrierServiceCode": "X",
        "carrierServiceName": "X",
        "vesselSchedules": [
            {
                "vesselOperatorSMDGLinerCode": "AAA",
                "isDummyVessel": True,
                "transportCalls": [
                    {"transportCallReference": "V1", "location": {"locationType": "XXXX"}}
                ],
            }
        ],
    }
    errors = schedule_errors(bad)
    assert any("carrierImportVoyageNumber" in e for e in errors)
    assert any("not in the mapping" in e for e in errors)


def test_schedule_filters_and_scope(terminal: Terminal) -> None:
    """Vessel, voyage and date filters and a line's scope pick the calls."""

    def names(query: ScheduleQuery, scope: str | None = None) -> list[str]:
        found = service_schedules(terminal.store, query, scope)
        return [v["vesselName"] for s in found for v in s["vesselSchedules"]]

    assert names(ScheduleQuery(vessel_imo_number=IMO)) == ["KING OF THE SEAS"]
    assert names(ScheduleQuery(carrier_voyage_number="7N")) == ["FEEDER TWO"]
    assert names(ScheduleQuery(start_date=(T0 + timedelta(days=1)).date())) == [
        "KING OF THE SEAS",  # departs the next day
        "FEEDER TWO",
    ]
    assert names(ScheduleQuery(start_date=(T0 + timedelta(days=2)).date())) == []
    assert names(ScheduleQuery(end_date=T0.date())) == ["KING OF THE SEAS"]
    assert names(ScheduleQuery(un_location_code="CNTAO")) == []
    assert names(ScheduleQuery(), "AAA") == ["KING OF THE SEAS"]
    assert names(ScheduleQuery(limit=1)) == ["KING OF THE SEAS"]
