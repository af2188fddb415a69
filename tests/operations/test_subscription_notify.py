"""Notifications over real HTTP to a receiver on 127.0.0.1: matching events, once, signed."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dcsa_helpers import BOX_DISC, BOX_GATE, BOX_LOAD, T0, Terminal, build_terminal, schema_errors
from opentos.model.ledger import MoveEvent
from opentos.model.places import parse_place
from opentos.operations import subscriptions as subs
from opentos.operations.subscriptions import SubscriptionFilters
from opentos.operations.track_trace import EquipmentEventTypeCode, EventType
from opentos.storage.store import Store

HOSTS = frozenset({"127.0.0.1"})
KEY_A = b"A" * 32
KEY_STAFF = b"S" * 48
KEY_B = b"B" * 32


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = json.loads(self.body)
        return events


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers ``status``."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    status: int = 204

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A callback receiver in a thread, shut down after the test."""
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            got = box[0]
            got.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(got.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()
    thread.join()


@dataclass
class Subscribed:
    terminal: Terminal
    a: subs.Subscription
    staff: subs.Subscription
    b: subs.Subscription

    @property
    def store(self) -> Store:
        return self.terminal.store


def secret(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def subscribed(tmp_path: Path, receiver: Receiver) -> Iterator[Subscribed]:
    """The DCSA scenario, with three subscriptions made before its moves were recorded.

    AAA's wants its GTIN and LOAD events, staff's wants every event, BBB's only transport
    events (which are not pushed).
    """
    made: list[subs.Subscription] = []

    def subscribe(store: Store) -> None:
        equipment = frozenset({EquipmentEventTypeCode.GTIN, EquipmentEventTypeCode.LOAD})
        made.append(
            subs.create(
                store, "AAA", receiver.url("/aaa?ref=1"), secret(KEY_A),
                SubscriptionFilters(equipment_event_type_codes=equipment), hosts=HOSTS,
            )
        )  # fmt: skip
        made.append(
            subs.create(store, None, receiver.url("/staff"), secret(KEY_STAFF), hosts=HOSTS)
        )
        made.append(
            subs.create(
                store, "BBB", receiver.url("/bbb"), secret(KEY_B),
                SubscriptionFilters(event_types=frozenset({EventType.TRANSPORT})), hosts=HOSTS,
            )
        )  # fmt: skip

    terminal = build_terminal(f"sqlite:///{tmp_path / 'dcsa.db'}", subscribe)
    yield Subscribed(terminal, *made)
    terminal.store.close()


def codes(received: Received) -> list[tuple[str, str]]:
    return [(e["equipmentEventTypeCode"], e["equipmentReference"]) for e in received.events]


def test_each_subscriber_gets_its_matching_events_once(
    subscribed: Subscribed, receiver: Receiver
) -> None:
    """notify POSTs each subscription's matching, visible ledger events once, in order."""
    deliveries = subs.notify(subscribed.store, hosts=HOSTS)
    [to_a] = receiver.at("/aaa?ref=1")
    assert codes(to_a) == [("GTIN", str(BOX_LOAD)), ("LOAD", str(BOX_LOAD))]
    [to_staff] = receiver.at("/staff")
    assert codes(to_staff) == [
        ("DISC", str(BOX_DISC)), ("GTIN", str(BOX_LOAD)), ("DROP", str(BOX_LOAD)),
        ("LOAD", str(BOX_LOAD)), ("PICK", str(BOX_GATE)), ("GTOT", str(BOX_GATE)),
    ]  # fmt: skip
    assert receiver.at("/bbb") == []
    for event in to_staff.events:
        assert schema_errors(event) == []
    assert to_a.headers["Subscription-ID"] == str(subscribed.a.id)
    assert to_a.headers["API-Version"] == "2.2.0"
    assert to_a.headers["Content-Type"] == "application/json"
    assert sorted((d.subscription_id, d.events) for d in deliveries) == sorted(
        [(subscribed.a.id, 2), (subscribed.staff.id, 6)]
    )
    head = subscribed.store.head()
    for s in (subscribed.a, subscribed.staff, subscribed.b):
        assert subs.get(subscribed.store, None, s.id).position == head
    assert subs.notify(subscribed.store, hosts=HOSTS) == []
    assert len(receiver.received) == 2


def test_the_signature_verifies_with_the_secret_only(
    subscribed: Subscribed, receiver: Receiver
) -> None:
    """Notification-Signature is sha256=<HMAC of the exact body> with the subscription's key."""
    subs.notify(subscribed.store, hosts=HOSTS)
    [to_a] = receiver.at("/aaa?ref=1")
    header = to_a.headers["Notification-Signature"]
    assert header.startswith("sha256=")
    assert len(header) == len("sha256=") + 64
    assert subs.verify(KEY_A, to_a.body, header)
    assert not subs.verify(KEY_STAFF, to_a.body, header)
    assert not subs.verify(KEY_A, to_a.body + b" ", header)
    [to_staff] = receiver.at("/staff")
    assert subs.verify(KEY_STAFF, to_staff.body, to_staff.headers["Notification-Signature"])


def record_more(store: Store) -> None:
    """BOX_DISC leaves on truck T2: a PICK and a GTOT after the scenario's moves."""
    with store.transaction() as tx:
        tx.record(
            [
                MoveEvent(BOX_DISC, parse_place("yard:A01.001.01.1"),
                          parse_place("equipment:T2"), T0 + timedelta(hours=6), "A01-L"),
                MoveEvent(BOX_DISC, parse_place("equipment:T2"), None,
                          T0 + timedelta(hours=6.5), "T2"),
            ]
        )  # fmt: skip


def test_a_failing_receiver_gets_the_same_events_again(
    subscribed: Subscribed, receiver: Receiver
) -> None:
    """A non-2xx answer leaves the position, so the next notify sends the same body again."""
    before = subs.get(subscribed.store, None, subscribed.a.id).position
    receiver.status = 500
    failed = subs.notify(subscribed.store, hosts=HOSTS)
    assert {d.status for d in failed} == {500}
    assert not any(d.delivered for d in failed)
    assert subs.get(subscribed.store, None, subscribed.a.id).position == before
    receiver.status = 200
    subs.notify(subscribed.store, hosts=HOSTS)
    first, second = receiver.at("/aaa?ref=1")
    assert first.body == second.body
    assert subs.get(subscribed.store, None, subscribed.a.id).position == subscribed.store.head()


def test_later_moves_are_sent_in_a_later_notification(
    subscribed: Subscribed, receiver: Receiver
) -> None:
    """Events recorded after a notification go out in the next one, and only those."""
    subs.notify(subscribed.store, hosts=HOSTS)
    record_more(subscribed.store)
    subs.notify(subscribed.store, hosts=HOSTS)
    assert len(receiver.at("/aaa?ref=1")) == 1
    _, later = receiver.at("/staff")
    assert codes(later) == [("PICK", str(BOX_DISC)), ("GTOT", str(BOX_DISC))]


def test_a_host_no_longer_allowed_gets_nothing(subscribed: Subscribed, receiver: Receiver) -> None:
    """notify checks the allow-list again: a host taken off it is sent nothing, kept pending."""
    before = subs.get(subscribed.store, None, subscribed.staff.id).position
    deliveries = subs.notify(subscribed.store, hosts=frozenset())
    assert receiver.received == []
    assert {d.status for d in deliveries} == {None}
    assert all("not in OPENTOS_CALLBACK_HOSTS" in (d.error or "") for d in deliveries)
    assert subs.get(subscribed.store, None, subscribed.staff.id).position == before


def test_batches_advance_one_by_one(subscribed: Subscribed, receiver: Receiver) -> None:
    """With batch=4 the staff's 6 events go in two POSTs of 4 and 2, each signed."""
    subs.notify(subscribed.store, hosts=HOSTS, batch=4)
    posts = receiver.at("/staff")
    assert [len(p.events) for p in posts] == [4, 2]
    for post in posts:
        assert subs.verify(KEY_STAFF, post.body, post.headers["Notification-Signature"])


def test_a_new_secret_signs_the_next_notification(
    subscribed: Subscribed, receiver: Receiver
) -> None:
    """After PUT .../secret the notifications are signed with the new key, not the old."""
    new_key = b"N" * 32
    subs.reset_secret(subscribed.store, "AAA", subscribed.a.id, secret(new_key))
    subs.notify(subscribed.store, hosts=HOSTS)
    [to_a] = receiver.at("/aaa?ref=1")
    header = to_a.headers["Notification-Signature"]
    assert subs.verify(new_key, to_a.body, header)
    assert not subs.verify(KEY_A, to_a.body, header)


def test_an_unreachable_receiver_is_a_failed_delivery(subscribed: Subscribed) -> None:
    """A connection refused is reported, not raised, and the position stays."""
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subs.update(
        subscribed.store, None, subscribed.staff.id, f"http://127.0.0.1:{port}/x",
        SubscriptionFilters(), hosts=HOSTS,
    )  # fmt: skip
    before = subs.get(subscribed.store, None, subscribed.staff.id).position
    deliveries = [
        d
        for d in subs.notify(subscribed.store, hosts=HOSTS)
        if d.subscription_id == subscribed.staff.id
    ]
    assert [d.status for d in deliveries] == [None]
    assert "ConnectError" in (deliveries[0].error or "")
    assert subs.get(subscribed.store, None, subscribed.staff.id).position == before
