"""Container inquiries: where a box is, its status and history; a line sees only its boxes."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest
from api_helpers import (
    IN_YARD,
    LINE,
    ON_BOARD,
    ON_TRUCK,
    OTHER_IN_YARD,
    OTHER_ON_BOARD,
    REEFER,
    TRUCK,
    UNKNOWN,
    Server,
)

from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory


def test_box_in_the_yard(server: Server) -> None:
    """A box in the yard answers its block, bay, row and tier, and its status."""
    response = server.get("planner", f"/containers/{IN_YARD}")
    assert response.status_code == 200
    box = response.json()
    assert box["location"] == {
        "kind": "yard", "place": "yard:A01.001.02.1", "block": "A01", "visit": None,
        "slot": "A01.001.02.1", "bay": 1, "row": 2, "tier": 1, "equipment": None,
        "equipment_kind": None,
    }  # fmt: skip
    assert box["holds"] == [{"kind": "customs", "reason": "inspection"}]
    assert (box["vgm_kg"], box["operator"], box["full_empty"]) == (20_100, LINE, "F")
    assert (box["iso_type"], box["length_ft"], box["port_of_discharge"]) == ("22G1", 20, "NLRTM")


def test_box_on_board(server: Server) -> None:
    """A box on board answers its visit and its BBBRRTT slot, and its dangerous goods."""
    box = server.get("customs", f"/containers/{ON_BOARD}").json()
    slot = server.slots[str(ON_BOARD)]
    assert box["location"]["kind"] == "vessel"
    assert (box["location"]["visit"], box["location"]["slot"]) == ("V1", slot)
    assert len(box["location"]["slot"]) == 7
    assert box["dangerous_goods"] == ["UN1203 class 3 PG II"]


def test_box_on_a_truck_and_a_reefer(server: Server) -> None:
    """A box on a truck is on a vehicle; a reefer answers its set point."""
    on_truck = server.get("gate", f"/containers/{ON_TRUCK}").json()
    assert on_truck["location"]["kind"] == "equipment"
    assert (on_truck["location"]["equipment"], on_truck["location"]["equipment_kind"]) == (
        TRUCK,
        "vehicle",
    )
    assert on_truck["full_empty"] == "E"
    assert server.get("gate", f"/containers/{REEFER}").json()["reefer_set_point_c"] == -18.0


def test_history_in_ledger_order_and_paged(server: Server) -> None:
    """The history lists the box's ledger events oldest first, a page at a time."""
    first = server.get("admin", f"/containers/{IN_YARD}/history", limit=2).json()
    assert [(e["from_place"], e["to_place"]) for e in first["data"]] == [
        (None, f"equipment:{TRUCK}"),
        (f"equipment:{TRUCK}", "yard:A01.001.01.1"),
    ]
    assert first["next_cursor"] is not None
    rest = server.get(
        "admin", f"/containers/{IN_YARD}/history", limit=2, cursor=first["next_cursor"]
    ).json()
    assert [e["to_place"] for e in rest["data"]] == ["yard:A01.001.02.1"]
    assert rest["next_cursor"] is None
    seqs = [e["seq"] for e in first["data"] + rest["data"]]
    assert seqs == sorted(seqs)


def test_unknown_box_is_404_problem(server: Server) -> None:
    """An unknown box answers 404 as RFC 9457 problem details."""
    response = server.get("admin", f"/containers/{UNKNOWN}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"]) == (404, "Not Found")
    assert str(UNKNOWN) in body["detail"]
    assert body["type"] == "urn:opentos:problem:not-found"


def test_malformed_number_is_400(server: Server) -> None:
    """A number that is not ISO 6346 answers 400 naming the number."""
    response = server.get("admin", "/containers/MSCU1234567")
    assert response.status_code == 400
    assert "MSCU1234567" in response.json()["detail"]


@pytest.mark.parametrize("suffix", ["", "/history"])
def test_another_lines_box_is_exactly_unknown(server: Server, suffix: str) -> None:
    """A line asking for another line's box gets the very answer of an unknown box."""
    other = server.get("line", f"/containers/{OTHER_IN_YARD}{suffix}")
    unknown = server.get("line", f"/containers/{UNKNOWN}{suffix}")
    assert other.status_code == unknown.status_code == 404
    assert other.headers["content-type"] == unknown.headers["content-type"]
    assert other.text.replace(str(OTHER_IN_YARD), "BOX") == unknown.text.replace(
        str(UNKNOWN), "BOX"
    )
    assert server.get("other-line", f"/containers/{OTHER_IN_YARD}{suffix}").status_code == 200


def test_line_lists_only_its_boxes(server: Server) -> None:
    """A line's lists hold only its boxes, whatever the filter; another operator is empty."""
    mine = {c["number"] for c in server.get("line", "/containers").json()["data"]}
    assert mine == {str(IN_YARD), str(REEFER), str(ON_BOARD), str(ON_TRUCK)}
    assert server.get("line", "/containers", operator="CMA").json()["data"] == []
    on_board = server.get("line", "/containers", visit="V1").json()["data"]
    assert [c["number"] for c in on_board] == [str(ON_BOARD)]
    everyone = server.get("planner", "/containers", visit="V1").json()["data"]
    assert {c["number"] for c in everyone} == {str(ON_BOARD), str(OTHER_ON_BOARD)}


def test_haulier_sees_only_pre_notified_boxes(server: Server) -> None:
    """A haulier sees the boxes it pre-notified and no other."""
    listed = server.get("haulier", "/containers").json()["data"]
    assert [c["number"] for c in listed] == [str(OTHER_IN_YARD)]
    assert server.get("haulier", f"/containers/{IN_YARD}").status_code == 404


def test_list_filters_and_pages(server: Server) -> None:
    """The list filters by block and operator and pages by number with a cursor."""
    in_block = server.get("planner", "/containers", block="A01").json()["data"]
    assert {c["number"] for c in in_block} == {str(IN_YARD), str(REEFER), str(OTHER_IN_YARD)}
    cma = server.get("planner", "/containers", operator="CMA").json()["data"]
    assert {c["number"] for c in cma} == {str(OTHER_ON_BOARD), str(OTHER_IN_YARD)}
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = server.get("planner", "/containers", **params).json()
        assert len(page["data"]) <= 2
        seen += [c["number"] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 6


@pytest.mark.parametrize(
    ("params", "status"),
    [({"limit": 101}, 422), ({"limit": 0}, 422), ({"cursor": "!!!"}, 400),
     ({"visit": "V1", "block": "A01"}, 400)],
)  # fmt: skip
def test_bad_paging_is_refused(server: Server, params: dict[str, str | int], status: int) -> None:
    """Pages larger than 100, bad cursors and contradictory filters are refused."""
    response = server.get("planner", "/containers", **params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_change_made_by_another_process_reaches_the_answers(
    scratch_server: Server,
) -> None:
    """The server keeps answers in memory; a box moved by another process (the CLI, another
    worker) answers its new place once the server has read the change log."""
    factory = ContainerFactory(random.Random(77))
    box = next(b for b in iter(factory.make, None) if b.length_ft == 20)
    path = f"/containers/{box.number}"
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with Store.open(scratch_server.database_url) as store:
        # slots no other test on the scratch server uses
        first, second = YardSlot("A01", 7, 1, 1), YardSlot("A01", 7, 2, 1)
        assert not {first, second} & {p.slot for _n, p in store.in_block("A01")}
        with store.transaction() as tx:
            tx.register(box)
            tx.record([MoveEvent(box.number, None, YardPlace(first), at)])
        assert scratch_server.get("planner", path).json()["location"]["slot"] == str(first)  # kept
        with store.transaction() as tx:
            tx.record([MoveEvent(box.number, YardPlace(first), YardPlace(second), at)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if scratch_server.get("planner", path).json()["location"]["slot"] == str(second):
            break
        time.sleep(0.05)
    assert scratch_server.get("planner", path).json()["location"]["slot"] == str(second)
