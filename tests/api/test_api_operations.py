"""The write side over HTTP: visits, berths, plans, moves, holds and interchange imports.

Each test makes visits and boxes of its own on the scratch server, so that no test
depends on another's changes and the shared server's data stay as populated.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from api_helpers import IN_YARD, LINE, UNKNOWN, Server

from opentos.model.ids import ContainerNumber
from opentos.model.vessel_classes import vessel_class

EDI = Path(__file__).parents[1] / "edi" / "data"
SLOTS = [str(s) for s in itertools.islice(vessel_class(1000).slots(20), 12)]
T1 = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
_serials = itertools.count(1000)
_days = itertools.count(0, 3)


def _box() -> str:
    """A container number no other test uses."""
    return str(ContainerNumber.from_parts("TST", "U", next(_serials)))


def _id(prefix: str) -> str:
    return f"{prefix}{next(_serials)}"


def _call(
    server: Server,
    user: str | None,
    method: str,
    path: str,
    body: object = None,
    timeout_s: float = 10.0,
) -> httpx.Response:
    headers = {} if user is None else {"Authorization": f"Bearer {server.tokens[user]}"}
    return server.http.request(method, path, headers=headers, json=body, timeout=timeout_s)


def _ok(response: httpx.Response, status: int = 200) -> dict[str, object]:
    assert response.status_code == status, response.text
    found = response.json()
    assert isinstance(found, dict)
    return found


def _where(server: Server, number: str) -> dict[str, object]:
    location = _ok(server.get("planner", f"/containers/{number}"))["location"]
    assert isinstance(location, dict)
    return location


def _vessel_alongside(server: Server) -> str:
    """A new vessel visit with its berth, arrived; its times apart from every other's."""
    visit = _id("VO")
    start = T1 + timedelta(days=next(_days))
    body = {
        "kind": "vessel", "id": visit, "vessel_name": f"OPS STAR {visit}", "operator": LINE,
        "teu": 1000, "voyage_in": "101W", "planned_arrival": start.isoformat(),
        "planned_departure": (start + timedelta(days=1)).isoformat(),
    }  # fmt: skip
    _ok(_call(server, "planner", "POST", "/visits", body), 201)
    _ok(_call(server, "planner", "PUT", f"/visits/{visit}/berth", {"berth": "B01"}))
    _ok(_call(server, "planner", "POST", f"/visits/{visit}/arrival", {"at": start.isoformat()}))
    return visit


def _truck_in(server: Server) -> str:
    """A new truck visit, through the gate."""
    truck = _id("TO")
    body = {"id": truck, "licence_plate": f"OPS {truck}", "haulier": "ACME HAULAGE"}
    _ok(_call(server, "gate", "POST", "/truck-visits", body), 201)
    _ok(_call(server, "gate", "POST", f"/truck-visits/{truck}/arrival", {}))
    return truck


def _gate_in(server: Server, slot: str, *, empty: bool = True) -> tuple[str, str]:
    """A new box brought in by a new truck and grounded at ``slot``: (box, truck)."""
    number, truck = _box(), _truck_in(server)
    body = {
        "visit": truck, "container": number, "to": f"yard:{slot}",
        "master_data": {"iso_type": "22G1", "operator": LINE, "empty": empty},
    }  # fmt: skip
    _ok(_call(server, "gate", "POST", "/moves/gate-in", body), 201)
    return number, truck


def test_a_vessel_visit_is_created_with_its_location(scratch_server: Server) -> None:
    """POST /visits answers 201, the visit and its Location; the same again changes nothing."""
    server, visit = scratch_server, _id("VC")
    body = {"kind": "vessel", "id": visit, "vessel_name": "NEW STAR", "operator": LINE,
            "vessel_class": "feeder-1000"}  # fmt: skip
    created = _call(server, "planner", "POST", "/visits", body)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/visits/{visit}"
    assert created.json()["kind"] == "vessel"
    assert created.json()["phase"] == "planned"
    assert _ok(server.get("line", f"/visits/{visit}"))["vessel_name"] == "NEW STAR"
    assert _call(server, "planner", "POST", "/visits", body).status_code == 201
    other = _call(server, "planner", "POST", "/visits", {**body, "vessel_name": "OTHER"})
    assert other.status_code == 400
    assert visit in other.json()["detail"]


def test_rail_and_truck_visits_and_planned_times(scratch_server: Server) -> None:
    """Rail and truck visits are created; PATCH changes planned times, a wrong order is 400."""
    server, train, truck = scratch_server, _id("RC"), _id("TC")
    rail = {"kind": "rail", "id": train, "train": "TR-9", "planned_arrival": T1.isoformat()}
    assert _ok(_call(server, "planner", "POST", "/visits", rail), 201)["train"] == "TR-9"
    lorry = {"kind": "truck", "id": truck, "licence_plate": "LU 1", "haulier": "ACME"}
    assert _ok(_call(server, "planner", "POST", "/visits", lorry), 201)["kind"] == "truck"
    later = (T1 + timedelta(hours=5)).isoformat()
    changed = _ok(
        _call(server, "planner", "PATCH", f"/visits/{train}", {"planned_departure": later})
    )
    assert (changed["planned_arrival"], changed["planned_departure"]) == (
        "2027-01-04T06:00:00Z", "2027-01-04T11:00:00Z",
    )  # fmt: skip
    earlier = (T1 - timedelta(hours=1)).isoformat()
    refused = _call(server, "planner", "PATCH", f"/visits/{train}", {"planned_departure": earlier})
    assert refused.status_code == 400
    assert train in refused.json()["detail"]
    naive = _call(
        server, "planner", "PATCH", f"/visits/{train}", {"planned_arrival": "2027-01-04T06:00:00"}
    )
    assert naive.status_code == 422


def test_the_gate_works_trucks_only(scratch_server: Server) -> None:
    """The gate creates and moves truck visits; a vessel visit is no truck visit (404), and
    the gate may not create one (403)."""
    server = scratch_server
    vessel = {"kind": "vessel", "id": _id("VG"), "vessel_name": "X", "operator": LINE, "teu": 1000}
    assert _call(server, "gate", "POST", "/visits", vessel).status_code == 403
    refused = _call(server, "gate", "POST", "/truck-visits/V1/departure", {})
    assert refused.status_code == 404
    assert "vessel visit" in refused.json()["detail"]
    assert _ok(server.get("planner", "/visits/V1"))["phase"] == "arrived"
    truck = _truck_in(server)
    assert _ok(server.get("gate", f"/visits/{truck}"))["phase"] == "arrived"
    gone = _ok(_call(server, "gate", "POST", f"/truck-visits/{truck}/departure", {}))
    assert gone["phase"] == "departed"
    assert gone["actual_departure"] is not None
    again = _call(server, "gate", "POST", f"/truck-visits/{truck}/arrival", {})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:opentos:problem:illegal-transition"


def test_arrival_again_at_the_same_time_changes_nothing(scratch_server: Server) -> None:
    """A retried arrival (same time) answers the visit as it is; another time is 409."""
    server, visit = scratch_server, _vessel_alongside(scratch_server)
    first = _ok(server.get("planner", f"/visits/{visit}"))
    at = {"at": first["actual_arrival"]}
    assert _ok(_call(server, "planner", "POST", f"/visits/{visit}/arrival", at)) == first
    other = {"at": "2027-06-01T00:00:00Z"}
    assert _call(server, "planner", "POST", f"/visits/{visit}/arrival", other).status_code == 409


def test_berth_overlap_is_refused(scratch_server: Server) -> None:
    """A berth whose quay metres another visit holds then is refused (422), naming both."""
    server, visit = scratch_server, _vessel_alongside(scratch_server)
    taken = _ok(server.get("planner", f"/visits/{visit}"))
    assert taken["berth"] == "B01"
    other = _id("VB")
    body = {"kind": "vessel", "id": other, "vessel_name": "CLASH", "operator": LINE,
            "teu": 1000, "planned_arrival": taken["planned_arrival"],
            "planned_departure": taken["planned_departure"]}  # fmt: skip
    _ok(_call(server, "planner", "POST", "/visits", body), 201)
    clash = _call(server, "planner", "PUT", f"/visits/{other}/berth", {"berth": "B01"})
    assert clash.status_code == 422
    assert other in clash.json()["detail"]
    assert visit in clash.json()["detail"]
    unknown = _call(server, "planner", "PUT", f"/visits/{other}/berth", {"berth": "B99"})
    assert unknown.status_code == 404
    assert "B99" in unknown.json()["detail"]
    assert _ok(server.get("planner", f"/visits/{other}"))["berth"] is None


def test_load_then_discharge_shows_at_once(scratch_server: Server) -> None:
    """A load and a discharge show in the box's status at once (the read cache follows)."""
    server = scratch_server
    visit = _vessel_alongside(server)
    number, _truck = _gate_in(server, "A01.005.01.1")
    assert _where(server, number)["place"] == "yard:A01.005.01.1"
    load = {"visit": visit, "container": number, "slot": SLOTS[4], "crane": "QC01"}
    loaded = _ok(_call(server, "planner", "POST", "/moves/load", load), 201)
    assert (loaded["kind"], loaded["from_place"]) == ("load", "yard:A01.005.01.1")
    assert _where(server, number)["place"] == f"vessel:{visit}:{SLOTS[4]}"
    assert _ok(server.get("planner", f"/visits/{visit}"))["phase"] == "working"
    discharge = {"visit": visit, "container": number, "to": "yard:A01.007.03.1"}
    done = _ok(_call(server, "planner", "POST", "/moves/discharge", discharge), 201)
    assert done["to_place"] == "yard:A01.007.03.1"
    assert len(done["events"]) == 1
    assert _where(server, number) == {
        "kind": "yard", "place": "yard:A01.007.03.1", "block": "A01", "visit": None,
        "slot": "A01.007.03.1", "bay": 7, "row": 3, "tier": 1, "equipment": None,
        "equipment_kind": None,
    }  # fmt: skip
    history = _ok(server.get("planner", f"/containers/{number}/history"))["data"]
    assert [e["to_place"] for e in history][-1] == "yard:A01.007.03.1"  # type: ignore[index]


def test_a_refused_move_leaves_the_box_where_it_was(scratch_server: Server) -> None:
    """An illegal move is 409 naming the box; an unknown box 404; nothing is recorded."""
    server = scratch_server
    visit = _vessel_alongside(server)
    number, _truck = _gate_in(server, "A01.009.01.1")
    before = _ok(server.get("planner", f"/containers/{number}/history"))["data"]
    not_aboard = {"visit": visit, "container": number, "to": "yard:A01.009.02.1"}
    refused = _call(server, "planner", "POST", "/moves/discharge", not_aboard)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "urn:opentos:problem:illegal-move"
    assert number in refused.json()["detail"]
    onto_a_box = {"container": number, "to": "yard:A01.001.02.1"}  # IN_YARD is there
    assert _call(server, "planner", "POST", "/moves/relocation", onto_a_box).status_code == 409
    assert _where(server, number)["place"] == "yard:A01.009.01.1"
    assert _ok(server.get("planner", f"/containers/{number}/history"))["data"] == before
    unknown = {"container": str(UNKNOWN), "to": "yard:A01.009.02.1"}
    missing = _call(server, "planner", "POST", "/moves/relocation", unknown)
    assert missing.status_code == 404
    assert str(UNKNOWN) in missing.json()["detail"]
    bad = _call(server, "planner", "POST", "/moves/relocation", {**unknown, "container": "ABCU1"})
    assert bad.status_code == 400
    assert "ABCU1" in bad.json()["detail"]
    nowhere = _call(server, "planner", "POST", "/moves/relocation", {**onto_a_box, "to": "dock"})
    assert nowhere.status_code == 400
    assert "dock" in nowhere.json()["detail"]


def test_moves_by_role(scratch_server: Server) -> None:
    """Lines, hauliers and the gate may not move boxes on the quay (403); no token is 401."""
    server = scratch_server
    body = {"container": str(IN_YARD), "to": "yard:A01.011.04.1"}
    for user in ("line", "haulier", "gate", "customs"):
        assert _call(server, user, "POST", "/moves/relocation", body).status_code == 403, user
    assert _call(server, None, "POST", "/moves/relocation", body).status_code == 401
    gate_out = {"visit": "T1", "container": str(IN_YARD)}
    assert _call(server, "line", "POST", "/moves/gate-out", gate_out).status_code == 403
    assert _where(server, str(IN_YARD))["place"] == "yard:A01.001.02.1"


def test_gate_in_and_out_by_truck(scratch_server: Server) -> None:
    """A truck brings a box in and another takes it out; the second truck leaves with it."""
    server = scratch_server
    number, first = _gate_in(server, "A01.005.03.1")
    assert _ok(server.get("gate", f"/containers/{number}"))["full_empty"] == "E"
    _ok(_call(server, "gate", "POST", f"/truck-visits/{first}/departure", {}))
    second = _truck_in(server)
    out = _ok(
        _call(server, "gate", "POST", "/moves/gate-out", {"visit": second, "container": number}),
        201,
    )
    assert [e["to_place"] for e in out["events"]] == [f"equipment:{second}", None]  # type: ignore[union-attr]
    assert _where(server, number)["kind"] == "outside"
    again = {"visit": second, "container": number}
    assert _call(server, "gate", "POST", "/moves/gate-out", again).status_code == 409
    twice_in = {"visit": second, "container": str(IN_YARD), "to": "yard:A01.005.04.1"}
    assert _call(server, "gate", "POST", "/moves/gate-in", twice_in).status_code == 409


def test_a_hold_stops_the_gate_until_released(scratch_server: Server) -> None:
    """Customs puts a hold on a box: the gate-out is refused; released, the box goes."""
    server = scratch_server
    number, _truck = _gate_in(server, "A01.003.04.1")
    assert _ok(server.get("gate", f"/containers/{number}"))["holds"] == []  # kept by the cache
    held = _ok(_call(server, "customs", "POST", f"/containers/{number}/holds",
                     {"kind": "customs", "reason": "x-ray"}))  # fmt: skip
    assert (held["changed"], held["holds"]) == (True, [{"kind": "customs", "reason": "x-ray"}])
    assert _ok(server.get("gate", f"/containers/{number}"))["holds"] == held["holds"]
    truck = _truck_in(server)
    refused = _call(
        server, "gate", "POST", "/moves/gate-out", {"visit": truck, "container": number}
    )
    assert refused.status_code == 422
    assert "x-ray" in refused.json()["detail"]
    assert _where(server, number)["place"] == "yard:A01.003.04.1"
    assert _call(server, "line", "DELETE", f"/containers/{number}/holds/customs").status_code == 403
    released = _ok(_call(server, "customs", "DELETE", f"/containers/{number}/holds/customs"))
    assert (released["action"], released["changed"], released["holds"]) == ("release", True, [])
    missing = _call(server, "customs", "DELETE", f"/containers/{number}/holds/customs")
    assert missing.status_code == 404
    assert number in missing.json()["detail"]
    _ok(
        _call(server, "gate", "POST", "/moves/gate-out", {"visit": truck, "container": number}), 201
    )
    assert _call(server, "customs", "POST", f"/containers/{UNKNOWN}/holds",
                 {"kind": "line"}).status_code == 404  # fmt: skip


def test_customs_responses_apply(scratch_server: Server) -> None:
    """Applying customs' decisions with no response of that reference is 404, naming it."""
    server = scratch_server
    missing = _call(server, "customs", "POST", "/customs-responses/apply", {"reference": "NOPE"})
    assert missing.status_code == 404
    assert "NOPE" in missing.json()["detail"]


def test_plans_of_a_visit(scratch_server: Server) -> None:
    """A load plan with nothing ordered saves no instructions; cranes with nothing to move
    are 400; a truck visit has no load plan; time limits are bounded."""
    server = scratch_server
    visit = _vessel_alongside(server)
    planned = _ok(_call(server, "planner", "POST", f"/visits/{visit}/stowage-plan",
                        {"rotation": ["SGSIN"], "time_limit_s": 2}))  # fmt: skip
    assert planned["visit"] == visit
    assert planned["status"] in ("optimal", "feasible")
    assert (planned["rotation"], planned["instructions"], planned["load_list"]) == (
        ["SGSIN"],
        [],
        0,
    )
    cranes = _call(server, "planner", "POST", f"/visits/{visit}/crane-plan", {"cranes": 1})
    assert cranes.status_code == 400
    assert "nothing to discharge or load" in cranes.json()["detail"]
    truck = _truck_in(server)
    assert _call(server, "planner", "POST", f"/visits/{truck}/stowage-plan", {}).status_code == 400
    for limit in (0, 61):
        too = {"time_limit_s": limit}
        assert (
            _call(server, "planner", "POST", f"/visits/{visit}/stowage-plan", too).status_code
            == 422
        )
    assert _call(server, "line", "POST", f"/visits/{visit}/stowage-plan", {}).status_code == 403


def _edi(
    server: Server, user: str, data: bytes, query: str = "", media: str = "application/edifact"
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.tokens[user]}", "Content-Type": media}
    return server.http.post(f"/interchanges{query}", content=data, headers=headers)


def test_an_interchange_is_imported_once(scratch_server: Server) -> None:
    """A COPARN imports its booking; the same interchange again changes nothing."""
    server = scratch_server
    data = (EDI / "coparn.edi").read_bytes()
    first = _ok(_edi(server, "planner", data, media="text/plain"))
    assert first["key"] == "MSC/CPN0001"
    assert first["already_imported"] is False
    assert first["documents"]
    assert first["warnings"] == []
    again = _ok(_edi(server, "planner", data))
    assert again["already_imported"] is True


def test_a_bad_interchange_is_refused_whole(scratch_server: Server) -> None:
    """A broken interchange is 422 with its problems; wrong media 415; too large 413; a line
    may not import (403)."""
    server = scratch_server
    data = (EDI / "coparn.edi").read_bytes().replace(b"UNT+29+1'", b"UNT+7+1'")
    refused = _edi(server, "planner", data)
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:opentos:problem:rejected-data"
    assert any("UNT" in p for p in refused.json()["problems"])
    assert _edi(server, "planner", b"{}", media="application/json").status_code == 415
    huge = _edi(server, "planner", b"x" * (8 * 1024 * 1024 + 1))
    assert huge.status_code == 413
    assert _edi(server, "line", (EDI / "coparn.edi").read_bytes()).status_code == 403


def test_a_twin_study_answers_its_kpis(scratch_server: Server) -> None:
    """A small scenario runs in the twin and answers its KPIs; a large one is refused (422)."""
    server = scratch_server
    body = {"scenario": "small-call", "seed": 3, "agvs": 4}
    study = _ok(_call(server, "planner", "POST", "/twin-studies", body, timeout_s=120))
    assert study["finished"] is True
    kpis = study["kpis"]
    assert isinstance(kpis, dict)
    assert (kpis["scenario"], kpis["seed"], kpis["policy"]) == ("small-call", 3, "fcfs")
    assert kpis["moves"] > 0
    assert kpis["agvs"] == 4
    large = {**body, "scenario": "small-day"}
    assert _call(server, "planner", "POST", "/twin-studies", large).status_code == 422
    assert _call(server, "gate", "POST", "/twin-studies", body).status_code == 403


def test_a_load_order_is_planned_and_its_cranes(scratch_server: Server) -> None:
    """An imported COPRAR's boxes, gated in, make the load plan; the crane plan sequences
    its loads; a box loaded as its instruction says is on board."""
    server = scratch_server
    visit = _vessel_alongside(server)
    coprar = (EDI / "coprar-load.edi").read_bytes()
    imported = _ok(_edi(server, "planner", coprar, f"?visit={visit}"))
    assert imported["documents"] == ["load_order:LO2503100001"]
    truck = _truck_in(server)
    boxes = {"MSCU1234566": "A01.010.02.1", "MEDU5551230": "A01.010.03.1",
             "CMAU4102303": "A01.001.03.1", "TGHU3001008": "A01.001.04.1"}  # fmt: skip
    for number, slot in boxes.items():
        second = _truck_in(server) if number in ("CMAU4102303", "TGHU3001008") else truck
        body = {"visit": second, "container": number, "to": f"yard:{slot}"}
        _ok(_call(server, "gate", "POST", "/moves/gate-in", body), 201)
    stowage = _ok(_call(server, "planner", "POST", f"/visits/{visit}/stowage-plan", {}))
    assert stowage["status"] in ("optimal", "feasible")
    assert stowage["load_list"] == 4
    assert stowage["refused"] == ["TGHU3001008: no VGM"]
    loads = stowage["instructions"]
    assert isinstance(loads, list)
    assert sorted(wi["container"] for wi in loads) == ["CMAU4102303", "MEDU5551230", "MSCU1234566"]
    assert {wi["kind"] for wi in loads} == {"load"}
    cranes = _ok(_call(server, "planner", "POST", f"/visits/{visit}/crane-plan", {"cranes": 2}))
    assert cranes["status"] in ("optimal", "feasible")
    assert sum(c["loads"] for c in cranes["cranes"]) == 3  # type: ignore[union-attr]
    planned = cranes["instructions"]
    assert isinstance(planned, list)
    assert {wi["equipment"] for wi in planned} <= {"QC01", "QC02"}
    first = planned[0]
    slot = first["to_place"].rsplit(":", 1)[1]
    load = {
        "visit": visit,
        "container": first["container"],
        "slot": slot,
        "crane": first["equipment"],
    }
    _ok(_call(server, "planner", "POST", "/moves/load", load), 201)
    assert _where(server, first["container"])["place"] == first["to_place"]
