"""Truck appointments over HTTP: the rules set by a planner, a haulier booking its own, the
block quota refusing one more, the gate checking a truck in (on a server of its own)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
from api_helpers import HAULIER, Server

from opentos.model.container import Container
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory

# yard slots no other test on the scratch server uses
SLOTS = (YardSlot("A01", 3, 1, 1), YardSlot("A01", 3, 3, 1))
RULES = {
    "slot_minutes": 30,
    "per_slot": {"pick-up-import": 100, "pick-up-empty": 10},
    "block_quota": {"A01": 1},
}


def _as(server: Server, user: str, method: str, path: str, body: object = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.tokens[user]}"}
    return server.http.request(method, path, headers=headers, json=body)


def _two_boxes_in_a01(server: Server) -> list[Container]:
    factory = ContainerFactory(random.Random(4242))
    boxes = []
    while len(boxes) < 2:
        box = factory.make(iso_type="22G1", full=True)
        boxes.append(Container.from_dict({**box.to_dict(), "holds": []}))
    with Store.open(server.database_url) as store:
        assert not set(SLOTS) & {p.slot for _n, p in store.in_block("A01")}
        with store.transaction() as tx:
            tx.register_many(boxes)
            at = datetime.now(UTC) - timedelta(days=1)
            for box, slot in zip(boxes, SLOTS, strict=True):
                tx.record([MoveEvent(box.number, None, YardPlace(slot), at)])
    return boxes


def test_a_haulier_books_and_the_block_quota_refuses_one_more(scratch_server: Server) -> None:
    server = scratch_server
    assert _as(server, "haulier", "PUT", "/slot-rules", RULES).status_code == 403
    rules = _as(server, "planner", "PUT", "/slot-rules", RULES)
    assert rules.status_code == 200, rules.text
    assert _as(server, "haulier", "GET", "/slot-rules").json()["block_quota"] == {"A01": 1}
    first, second = _two_boxes_in_a01(server)
    tomorrow = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    slot = (tomorrow + timedelta(days=1)).isoformat()
    wanted = {"move": "pick-up-import", "slot": slot, "truck": "QD-7", "driver": "Li Wei"}

    booked = _as(server, "haulier", "POST", "/appointments",
                 {**wanted, "containers": [str(first.number)]})  # fmt: skip
    assert booked.status_code == 201, booked.text
    made = booked.json()
    assert booked.headers["location"] == f"/appointments/{made['id']}"
    assert (made["haulier"], made["blocks"], made["state"]) == (HAULIER, ["A01"], "booked")

    refused = _as(server, "haulier", "POST", "/appointments",
                  {**wanted, "containers": [str(second.number)]})  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert "block A01 takes 1 boxes per slot and 1 are booked" in refused.json()["detail"]
    empty = _as(server, "haulier", "POST", "/appointments",
                {**wanted, "move": "pick-up-empty", "reference": "REL-1"})  # fmt: skip
    assert empty.status_code == 201, empty.text  # an empty by its release: no block quota

    for_another = _as(server, "haulier", "POST", "/appointments",
                      {**wanted, "reference": "X", "haulier": "SOMEONE-ELSE"})  # fmt: skip
    assert for_another.status_code == 403
    assert _as(server, "line", "POST", "/appointments", wanted).status_code == 403
    mine = _as(server, "haulier", "GET", "/appointments", None)
    assert {a["id"] for a in mine.json()} >= {made["id"], empty.json()["id"]}

    checked = _as(server, "gate", "POST", f"/appointments/{made['id']}/check-in",
                  {"at": slot})  # fmt: skip
    assert checked.status_code == 200, checked.text
    assert checked.json()["state"] == "checked-in"
    cancelled = _as(server, "haulier", "DELETE", f"/appointments/{empty.json()['id']}")
    assert cancelled.json()["state"] == "cancelled"
    again = _as(server, "haulier", "DELETE", f"/appointments/{empty.json()['id']}")
    assert again.status_code == 409
    assert _as(server, "haulier", "GET", "/appointments/AP-NONE").status_code == 404
