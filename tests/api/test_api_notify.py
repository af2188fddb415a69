"""`opentos serve` sends DCSA subscriptions their new events, signed, over real HTTP."""

from __future__ import annotations

import base64
import json
import queue
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from api_helpers import (
    LINE,
    OTHER_LINE,
    T0,
    USERS,
    Server,
    login,
    number,
    populate,
    start_server,
    stop_server,
)

from opentos.model.container import Container, FullEmpty
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace
from opentos.operations.subscriptions import SIGNATURE_HEADER, verify
from opentos.operations.users import add_user
from opentos.presets import load_preset
from opentos.storage.store import Store

KEY = b"k" * 32
OURS, THEIRS = number(LINE, 501), number(OTHER_LINE, 502)

Received = tuple[dict[str, str], bytes]


@pytest.fixture
def callbacks() -> Iterator[tuple[str, queue.Queue[Received]]]:
    """A subscriber's callback endpoint on 127.0.0.1: its URL and what it received."""
    got: queue.Queue[Received] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/events", got
    finally:
        http.shutdown()
        http.server_close()


@pytest.fixture
def notifying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The tiny terminal served with notifications every 0.2 s, callbacks to 127.0.0.1."""
    url = f"sqlite:///{tmp_path / 'notify.db'}"
    passwords = {}
    with Store.create(url, load_preset("tiny"), "tiny") as store:
        populate(store)
        for name, (role, party) in USERS.items():
            passwords[name] = add_user(store, name, role, party).secret
    monkeypatch.setenv("OPENTOS_CALLBACK_HOSTS", "127.0.0.1")
    server = start_server(url, tmp_path / "server.log", "--notify-every", "0.2")
    try:
        server.tokens = {"line": login(server, "line", passwords["line"])}
        yield server
    finally:
        stop_server(server)


def _gate_in(url: str) -> None:
    """Two boxes, one of each line, brought in through the gate on their trucks."""
    with Store.open(url) as store, store.transaction() as tx:
        for n, truck in ((OURS, "TRK-0501"), (THEIRS, "TRK-0502")):
            tx.register(Container(n, SizeType.parse("22G1"), n.owner, FullEmpty.FULL))
            tx.record([MoveEvent(n, None, EquipmentPlace(truck), T0 + timedelta(hours=9), truck)])


def test_the_server_posts_a_lines_new_events_signed(
    notifying: Server, callbacks: tuple[str, queue.Queue[Received]]
) -> None:
    """A line's subscription receives its own box's gate-in, once, signed with its secret;
    the other line's box is not sent."""
    callback_url, got = callbacks
    body = {"callbackUrl": callback_url, "secret": base64.b64encode(KEY).decode()}
    with notifying.client("line") as client:
        created = client.post("/v2/event-subscriptions", json=body)
    assert created.status_code == 201, created.text
    _gate_in(notifying.database_url)
    headers, sent = got.get(timeout=20)
    assert verify(KEY, sent, headers[SIGNATURE_HEADER.lower()])
    assert headers["subscription-id"] == created.json()["subscriptionID"]
    events = json.loads(sent)
    assert [(e["equipmentReference"], e["equipmentEventTypeCode"]) for e in events] == [
        (str(OURS), "GTIN")
    ]
    with pytest.raises(queue.Empty):  # delivered once: the position moved on
        got.get(timeout=1.0)
    assert httpx.get(f"{notifying.url}/health", timeout=5).status_code == 200
