"""The change log every writing transaction leaves, and the read cache that follows it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from operations_helpers import T0, boxes
from sqlalchemy import delete

from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.slots import YardSlot
from opentos.model.visits import TruckVisit
from opentos.operations import inquiry
from opentos.operations.readcache import Read, ReadCache
from opentos.storage import schema
from opentos.storage import store as store_module
from opentos.storage.store import Store


def _yard(bay: int, row: int, tier: int = 1) -> YardPlace:
    return YardPlace(YardSlot("A01", bay, row, tier))


def _newest_keys(store: Store) -> tuple[str, ...]:
    version, rows = store.changes(store.version() - 1)
    assert rows
    assert rows[-1][0] == version
    return rows[-1][1]


def test_each_writing_transaction_logs_what_it_changed(terminal: Store) -> None:
    """Registration names the boxes (and the block of one in the yard), a move its box and
    both blocks, a visit its id, an instruction its box, a document its kind."""
    a, b = boxes(2)
    start = terminal.version()
    with terminal.transaction() as tx:
        tx.register_many([a, b])
    assert _newest_keys(terminal) == (f"container:{a.number}", f"container:{b.number}")
    with terminal.transaction() as tx:
        tx.record([MoveEvent(a.number, None, _yard(1, 1), T0)])
    assert _newest_keys(terminal) == ("block:A01", f"place:{a.number}")
    with terminal.transaction() as tx:
        tx.register(a)
    assert _newest_keys(terminal) == ("block:A01", f"container:{a.number}")
    with terminal.transaction() as tx:
        tx.add_visit(TruckVisit(id="T9", licence_plate="QD-1"))
        tx.save_document("pre_notification", "P1", None, {"haulier": "HAUL"})
    assert _newest_keys(terminal) == ("document:pre_notification", "visit:T9")
    version, rows = terminal.changes(start)
    assert version == start + 4
    assert [v for v, _ in rows] == [start + 1, start + 2, start + 3, start + 4]
    assert terminal.changes(version) == (version, [])


def test_a_transaction_with_many_ids_of_a_kind_logs_the_kind(
    terminal: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "CHANGE_KEYS", 2)
    with terminal.transaction() as tx:
        tx.register_many(boxes(3))
    assert _newest_keys(terminal) == ("container:*",)


def test_a_rolled_back_transaction_logs_nothing(terminal: Store) -> None:
    before = terminal.version()
    with pytest.raises(RuntimeError), terminal.transaction() as tx:
        tx.register_many(boxes(1))
        raise RuntimeError("refused")
    assert terminal.changes(before) == (before, [])


def test_an_answer_is_dropped_when_its_box_moves(terminal: Store) -> None:
    """This store's own commits drop what they change at once; other answers stay."""
    a, b = boxes(2)
    with terminal.transaction() as tx:
        tx.register_many([a, b])
        tx.record([MoveEvent(a.number, None, _yard(1, 1), T0)])
        tx.record([MoveEvent(b.number, None, _yard(1, 2), T0)])
    cache = ReadCache(terminal, entries=10, poll_s=60)
    read = lambda n: lambda: inquiry.status_read(terminal, str(n))  # noqa: E731
    assert cache.answer(("status", a.number), read(a.number)).location.slot == "A01.001.01.1"
    cache.answer(("status", b.number), read(b.number))
    assert cache.get(("status", a.number)) is not None
    with terminal.transaction() as tx:
        tx.record([MoveEvent(a.number, _yard(1, 1), _yard(1, 3), T0 + timedelta(minutes=1))])
    assert cache.get(("status", a.number)) is None
    assert cache.get(("status", b.number)) is not None
    assert cache.answer(("status", a.number), read(a.number)).location.slot == "A01.001.03.1"


def test_changes_by_another_process_are_dropped_when_the_log_is_read(
    terminal: Store, database_url: str
) -> None:
    (a,) = boxes(1)
    with terminal.transaction() as tx:
        tx.register(a)
    cache = ReadCache(terminal, entries=10, poll_s=0.05)
    cache.answer(("status", a.number), lambda: inquiry.status_read(terminal, str(a.number)))
    with Store.open(database_url) as other:  # another worker, or the CLI
        with other.transaction() as tx:
            tx.record([MoveEvent(a.number, None, _yard(3, 1), T0)])
        assert cache.get(("status", a.number)) is not None  # not seen yet
        assert cache.poll() == 1
        assert cache.get(("status", a.number)) is None
        with other.transaction() as tx:
            tx.record([MoveEvent(a.number, _yard(3, 1), _yard(3, 2), T0 + timedelta(minutes=1))])
    cache.answer(("status", a.number), lambda: inquiry.status_read(terminal, str(a.number)))
    cache.start()
    try:
        with Store.open(database_url) as other, other.transaction() as tx:
            tx.record([MoveEvent(a.number, _yard(3, 2), _yard(3, 3), T0 + timedelta(minutes=2))])
        deadline = time.monotonic() + 10
        while cache.get(("status", a.number)) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cache.get(("status", a.number)) is None  # the watcher dropped it
    finally:
        cache.stop()


def test_an_answer_read_before_a_change_it_raced_is_not_kept(terminal: Store) -> None:
    (a,) = boxes(1)
    with terminal.transaction() as tx:
        tx.register(a)
    cache = ReadCache(terminal, entries=10, poll_s=60)
    stamp = cache.stamp()
    stale = inquiry.status_read(terminal, str(a.number))  # read, then a writer commits
    with terminal.transaction() as tx:
        tx.record([MoveEvent(a.number, None, _yard(3, 1), T0)])
    cache.put(("status", a.number), stale, stamp)
    assert cache.get(("status", a.number)) is None
    fresh_stamp = cache.stamp()
    cache.put(("status", a.number), inquiry.status_read(terminal, str(a.number)), fresh_stamp)
    assert cache.get(("status", a.number)) is not None


def test_a_version_missing_from_the_log_drops_everything(
    terminal: Store, database_url: str
) -> None:
    (a,) = boxes(1)
    cache = ReadCache(terminal, entries=10, poll_s=60)
    cache.put("unrelated", Read("kept", ("visit:V7",)), cache.stamp())
    with Store.open(database_url) as other:
        with other.transaction() as tx:
            tx.register(a)
        with other.engine.begin() as connection:  # pruned, or written by a tool that logs nothing
            connection.execute(delete(schema.changes))
    cache.poll()
    assert len(cache) == 0


def test_kind_wide_keys(terminal: Store) -> None:
    """An answer read from every visit goes with any visit's change; an answer about one
    visit goes with a change of every visit."""
    cache = ReadCache(terminal, entries=10, poll_s=60)
    cache.put("schedule", Read("s", ("visit:*",)), cache.stamp())
    cache.put("one", Read("v", ("visit:V1",)), cache.stamp())
    cache.put("box", Read("b", ("place:X",)), cache.stamp())
    cache.changed(cache.stamp() + 1, ("visit:T1",))
    assert cache.get("schedule") is None
    assert cache.get("one") is not None
    cache.changed(cache.stamp() + 1, ("visit:*",))
    assert cache.get("one") is None
    assert cache.get("box") is not None
    cache.changed(cache.stamp() + 1, ("*",))
    assert len(cache) == 0


def test_the_least_recently_used_answers_go_first(terminal: Store) -> None:
    cache = ReadCache(terminal, entries=2, poll_s=60)
    for key in ("a", "b"):
        cache.put(key, Read(key, (f"place:{key}",)), cache.stamp())
    assert cache.get("a") == "a"
    cache.put("c", Read("c", ("place:c",)), cache.stamp())
    assert cache.get("b") is None
    assert cache.get("a") == "a"
    assert cache.get("c") == "c"
    cache.changed(cache.stamp() + 1, ("place:a",))
    assert len(cache) == 1


def test_a_repaired_inventory_drops_everything(terminal: Store) -> None:
    (a,) = boxes(1)
    with terminal.transaction() as tx:
        tx.register(a)
        tx.record([MoveEvent(a.number, None, _yard(5, 1), T0)])
    cache = ReadCache(terminal, entries=10, poll_s=60)
    cache.put("x", Read("x", ("visit:V1",)), cache.stamp())
    with terminal.engine.begin() as connection:  # the projection damaged behind the ledger
        connection.execute(delete(schema.inventory))
    assert terminal.rebuild(repair=True).repaired
    assert _newest_keys(terminal) == ("*",)
    assert len(cache) == 0
