"""Visit inquiries: lists by kind, phase and dates, the berth plan, bay plans and the schedule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from api_helpers import HAULIER, ON_BOARD, OTHER_IN_YARD, OTHER_ON_BOARD, Server

SVG_NS = "{http://www.w3.org/2000/svg}"


def test_visits_by_arrival_and_filters(server: Server) -> None:
    """Visits come by arrival; kind, phase and a date range filter them."""
    everything = server.get("planner", "/visits").json()["data"]
    assert [v["id"] for v in everything] == ["V1", "T1", "R1", "T2", "V2"]
    vessels = server.get("planner", "/visits", kind="vessel").json()["data"]
    assert [v["id"] for v in vessels] == ["V1", "V2"]
    arrived = server.get("planner", "/visits", phase="arrived").json()["data"]
    assert [(v["id"], v["actual_arrival"]) for v in arrived] == [("V1", "2026-03-01T07:00:00Z")]
    window = server.get(
        "planner", "/visits", **{"from": "2026-03-01T07:30:00Z", "to": "2026-03-01T09:00:00Z"}
    ).json()["data"]
    assert [v["id"] for v in window] == ["T1"]


def test_visits_page_with_a_cursor(server: Server) -> None:
    """Paging through visits gives each once, in order."""
    first = server.get("planner", "/visits", limit=3).json()
    second = server.get("planner", "/visits", limit=3, cursor=first["next_cursor"]).json()
    assert [v["id"] for v in first["data"] + second["data"]] == ["V1", "T1", "R1", "T2", "V2"]
    assert second["next_cursor"] is None


def test_bad_ranges_and_values_are_400(server: Server) -> None:
    """A range over 92 days, an inverted one, a naive time or an unknown kind is 400."""
    for params in (
        {"from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
        {"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        {"from": "2026-03-01T00:00:00"},
        {"kind": "barge"},
    ):
        response = server.get("planner", "/visits", **params)
        assert response.status_code == 400, params
        assert response.headers["content-type"] == "application/problem+json"


def test_scoped_visits(server: Server) -> None:
    """A haulier sees only its trucks; a line only vessel visits; others are 404."""
    trucks = server.get("haulier", "/visits").json()["data"]
    assert [(v["id"], v["haulier"]) for v in trucks] == [("T1", HAULIER)]
    assert server.get("haulier", "/visits/T2").status_code == 404
    assert server.get("haulier", "/visits/T1").json()["licence_plate"] == "TRUCK 1"
    assert [v["id"] for v in server.get("line", "/visits").json()["data"]] == ["V1", "V2"]
    assert server.get("line", "/visits/T1").status_code == 404


def test_berth_plan(server: Server) -> None:
    """The berth plan holds the vessel visits alongside in the range, and needs one."""
    plan = server.get(
        "gate", "/berth-plan", **{"from": "2026-03-01T00:00:00Z", "to": "2026-03-05T00:00:00Z"}
    ).json()
    assert [(v["id"], v["berth"]) for v in plan["visits"]] == [("V1", "B01")]
    assert plan["from"] == "2026-03-01T00:00:00Z"
    assert server.get("gate", "/berth-plan").status_code == 422


def test_schedule_is_public(server: Server) -> None:
    """The vessel schedule answers without credentials, planned and actual times side by side."""
    response = server.get(None, "/schedule")
    assert response.status_code == 200
    entries = response.json()["data"]
    assert [e["id"] for e in entries] == ["V1", "V2"]
    assert entries[0]["planned_arrival"] == "2026-03-01T06:00:00Z"
    assert entries[0]["actual_arrival"] == "2026-03-01T07:00:00Z"
    assert "licence_plate" not in entries[0]


def test_bay_plan_by_slot_and_scoped(server: Server) -> None:
    """The bay plan lists the boxes on board by slot; a line sees only its own."""
    boxes = server.get("planner", "/visits/V1/bay-plan").json()["boxes"]
    assert {(b["container"], b["slot"]) for b in boxes} == {
        (str(ON_BOARD), server.slots[str(ON_BOARD)]),
        (str(OTHER_ON_BOARD), server.slots[str(OTHER_ON_BOARD)]),
    }
    mine = server.get("line", "/visits/V1/bay-plan").json()["boxes"]
    assert [b["container"] for b in mine] == [str(ON_BOARD)]
    assert server.get("planner", "/visits/T1/bay-plan").status_code == 400
    assert server.get("planner", "/visits/NOPE/bay-plan").status_code == 404


def test_bay_plan_svg(server: Server) -> None:
    """The bay plan drawing is SVG with one box per container, coloured by discharge port."""
    response = server.get("planner", "/visits/V1/bay-plan.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    titled = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    titles = {r.find(f"{SVG_NS}title").text.split()[0]: r.get("fill") for r in titled}  # type: ignore[union-attr]
    assert set(titles) == {str(ON_BOARD), str(OTHER_ON_BOARD)}
    assert titles[str(ON_BOARD)] != titles[str(OTHER_ON_BOARD)]  # SGSIN and NLRTM


def test_yard_blocks_and_svg(server: Server) -> None:
    """Block occupancy counts boxes and TEU; the block drawing shows each box."""
    blocks = server.get("gate", "/yard/blocks").json()
    assert [(b["block"], b["boxes"], b["teu"], b["capacity_teu"]) for b in blocks] == [
        ("A01", 3, 3, 96)
    ]
    assert blocks[0]["occupancy"] == 3 / 96
    drawing = server.get("gate", "/yard/blocks/A01.svg")
    assert drawing.status_code == 200
    root = ET.fromstring(drawing.text)
    titles = [t.text or "" for t in root.iter(f"{SVG_NS}title")]
    assert any(str(OTHER_IN_YARD) in t for t in titles)
    assert server.get("gate", "/yard/blocks/ZZ9.svg").status_code == 404


def test_block_drawing_is_tagged_with_its_content(server: Server) -> None:
    """The block drawing's ETag is a digest of the drawing (the same in every worker);
    asking with it again answers 304."""
    first = server.get("gate", "/yard/blocks/A01.svg")
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', tag), tag
    again = server.http.get(
        "/yard/blocks/A01.svg",
        headers={"Authorization": f"Bearer {server.tokens['gate']}", "If-None-Match": tag},
    )
    assert again.status_code == 304
    assert again.content == b""
    assert server.get("gate", "/yard/blocks/A01.svg").text == first.text


def test_kpis_carry_the_twins_figures_from_the_ledger(server: Server) -> None:
    """/kpis and /visits/{id}/kpis give the KPIs under the twin's names beside the counts."""
    window = {"from": "2026-01-01T00:00:00Z", "to": "2026-03-31T00:00:00Z"}
    terminal = server.get("planner", "/kpis", **window)
    assert terminal.status_code == 200, terminal.text
    figures = terminal.json()["figures"]
    assert {"moves", "moves_per_qc_hour", "rehandle_ratio", "yard_occupancy"} <= set(figures)
    visit = server.get("planner", "/visits/V1/kpis")
    assert visit.status_code == 200, visit.text
    counted = visit.json()["moves"]  # every ledger event of the visit, its arrival on board too
    assert 0 <= visit.json()["figures"]["moves"] <= counted["discharged"] + counted["loaded"]
    assert server.get("gate", "/kpis", **window).status_code == 403
