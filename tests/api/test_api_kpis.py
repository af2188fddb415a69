"""The yard layout and the move counts of the ledger, over real HTTP."""

from __future__ import annotations

import pytest
from api_helpers import Server

# populate() records 8 events on 2026-03-01: 3 of one box, 3 arrivals in the yard, 2 boxes
# that came on board V1 at 07:00 UTC (no crane moved them), 1 box onto a truck
MOVES_ON_MARCH_1 = 8


def test_yard_layout_draws_the_tiny_terminal_to_scale(server: Server) -> None:
    """The layout gives the quay, its berth and the one block in metres."""
    layout = server.get("planner", "/yard/layout").json()
    assert layout["quay_length_m"] == 300.0
    assert layout["berths"] == [
        {"id": "B01", "x_m": 0.0, "y_m": 0.0, "width_m": 300.0, "length_m": 0.0}
    ]
    [block] = layout["blocks"]
    assert block["id"] == "A01"
    assert (block["x_m"], block["y_m"]) == (100.0, 65.0)
    assert block["width_m"] == pytest.approx(4 * 2.9)
    assert block["length_m"] == pytest.approx(6 * 6.5)


def test_kpis_count_the_ledger_per_day_and_per_visit(server: Server) -> None:
    """Without a range the counts cover the ledger's days; each day and each visit counted."""
    kpis = server.get("planner", "/kpis").json()
    assert (kpis["from"], kpis["to"]) == ("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z")
    assert kpis["moves"] == MOVES_ON_MARCH_1
    assert kpis["per_day"] == [{"start": "2026-03-01T00:00:00Z", "moves": MOVES_ON_MARCH_1}]
    assert kpis["per_visit"] == [  # cargo that came on board is not a crane move
        {"visit": "V1", "moves": 0, "discharged": 0, "loaded": 0, "restowed": 0}
    ]


def test_kpis_of_a_range_count_only_its_days(server: Server) -> None:
    """A range gives one entry per day in it, with zero for days without moves."""
    kpis = server.get(
        "admin", "/kpis", **{"from": "2026-02-28T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    ).json()
    assert [d["moves"] for d in kpis["per_day"]] == [0, MOVES_ON_MARCH_1, 0]
    later = server.get(
        "admin", "/kpis", **{"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    ).json()
    assert (later["moves"], later["per_visit"]) == (0, [])


def test_kpis_from_a_start_alone_cover_at_least_its_day(server: Server) -> None:
    """A start without an end runs to the ledger's last day, or covers the start's own day."""
    kpis = server.get("planner", "/kpis", **{"from": "2026-03-01T00:00:00Z"}).json()
    assert (kpis["to"], kpis["moves"]) == ("2026-03-02T00:00:00Z", MOVES_ON_MARCH_1)
    later = server.get("planner", "/kpis", **{"from": "2026-04-01T00:00:00Z"}).json()
    assert (later["to"], later["moves"]) == ("2026-04-02T00:00:00Z", 0)


def test_kpis_refuse_a_range_too_long(server: Server) -> None:
    """A range over 92 days is a 400 problem naming it."""
    response = server.get(
        "planner", "/kpis", **{"from": "2026-01-01T00:00:00Z", "to": "2026-06-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert "longer than 92 days" in response.json()["detail"]


def test_visit_kpis_count_its_moves_per_hour(server: Server) -> None:
    """A vessel visit's crane moves are split into loads, discharges and restows, per UTC
    hour (V1's boxes came on board: no crane has moved any yet; test_kpis.py counts moves)."""
    kpis = server.get("planner", "/visits/V1/kpis").json()
    assert kpis["moves"] == {"visit": "V1", "moves": 0, "discharged": 0, "loaded": 0, "restowed": 0}
    assert kpis["per_hour"] == []


@pytest.mark.parametrize(("visit", "status"), [("T1", 400), ("NOPE", 404)])
def test_visit_kpis_of_no_vessel_visit_are_problems(
    server: Server, visit: str, status: int
) -> None:
    """A truck visit has no vessel moves (400); an unknown visit is a 404."""
    response = server.get("planner", f"/visits/{visit}/kpis")
    assert response.status_code == status
    assert visit in response.json()["detail"]
