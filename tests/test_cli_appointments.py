"""``opentos appointment``: slot rules from a file, bookings refused by a block quota, the
list, check-in and no-shows, as a user runs them (the real CLI in a subprocess)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory
from test_cli import run

SLOT = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_book_list_check_in_and_no_shows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    run(url, "init", "--preset", "tiny")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({
        "slot_minutes": 30, "per_slot": {"pick-up-import": 100}, "block_quota": {"A01": 1},
        "shares": {}, "opens_before_s": 604800, "closes_before_s": 3600, "early_s": 1800,
        "late_s": 1800, "export_cutoff_s": 43200, "refused_imdg_classes": ["1", "7"],
    }))  # fmt: skip
    shown = run(url, "appointment", "rules", "--file", str(rules))
    assert "places: pick-up-import 100; block quotas: A01 1" in shown.stdout
    factory = ContainerFactory(random.Random(8))
    boxes = [factory.make(iso_type="22G1", full=True) for _ in range(2)]
    boxes = [type(b).from_dict({**b.to_dict(), "holds": []}) for b in boxes]
    with Store.open(url) as store, store.transaction() as tx:
        tx.register_many(boxes)
        for row, box in enumerate(boxes, start=1):
            place = YardPlace(YardSlot("A01", 1, row, 1))
            tx.record([MoveEvent(box.number, None, place, SLOT - timedelta(days=2))])
    common = ("--haulier", "ACME", "--move", "pick-up-import", "--slot", SLOT.isoformat(),
              "--truck", "QD-1", "--driver", "Wang")  # fmt: skip
    made = json.loads(
        run(
            url, "appointment", "book", *common, "--container", str(boxes[0].number), "--json"
        ).stdout
    )
    assert (made["state"], made["blocks"]) == ("booked", ["A01"])
    with Store.open(url) as store:
        before = store.appointments()
    refused = run(url, "appointment", "book", *common, "--container", str(boxes[1].number),
                  ok=False)  # fmt: skip
    assert refused.returncode == 1
    assert "block A01 takes 1 boxes per slot and 1 are booked" in refused.stderr
    with Store.open(url) as store:
        assert store.appointments() == before
    listed = json.loads(run(url, "appointment", "list", "--haulier", "ACME", "--json").stdout)
    assert [a["id"] for a in listed["data"]] == [made["id"]]
    late = run(url, "appointment", "check-in", made["id"], "--at",
               (SLOT + timedelta(hours=2)).isoformat(), ok=False)  # fmt: skip
    assert "too late" in late.stderr
    marked = run(url, "appointment", "no-shows", "--now", (SLOT + timedelta(hours=2)).isoformat())
    assert f"{made['id']} no-show" in marked.stdout
    assert "1 no-show(s)" in marked.stdout
