"""The live view's routes in a minimal app: over a stand-in run (httpx), and the page
over a real run in Chromium."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_helpers import create_app, serve

from needs import missing
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.operations.live import LiveTwin, Subscription, live_scenario
from opentos.operations.twin_study import SimulationSettings
from opentos.storage.store import Store
from opentos.twin.kpi import JsonDict

CHROMIUM = Path("/usr/bin/chromium")
GEOMETRY: JsonDict = {"extent": {"min_x_m": 0.0, "max_x_m": 10.0}, "blocks": []}


class StandIn:
    """What the routes read of a :class:`LiveTwin`, with messages queued by the test."""

    scenario_name = "small-call"
    seed = 1
    speed = 100.0

    def __init__(self, messages: list[JsonDict]) -> None:
        self.messages = messages
        self.closed: list[Subscription] = []

    def subscribe(self) -> Subscription:
        sub = Subscription(self, 64)
        for message in self.messages:
            sub.put(message)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.closed.append(sub)

    def latest(self) -> JsonDict | None:
        snapshots = [m for m in self.messages if m["type"] == "snapshot"]
        return snapshots[-1] if snapshots else None

    def layout_geometry(self) -> JsonDict:
        return GEOMETRY


def get(live: Any, url: str) -> httpx.Response:
    """GET ``url`` from the minimal app over ``live``, in process."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(live))
        async with httpx.AsyncClient(transport=transport, base_url="http://tos.test") as client:
            return await client.get(url)

    return asyncio.run(call())


def sse_events(text: str) -> list[tuple[str, JsonDict]]:
    """The ``(event, data)`` pairs of a server-sent event stream."""
    found = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((fields["event"], json.loads(fields["data"])))
    return found


def test_without_a_run_every_route_is_a_404() -> None:
    """No live twin: the page, the layout, the state and the events are not found."""
    for url in ("/live", "/live/layout", "/live/state", "/live/events"):
        response = get(None, url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "no live twin runs"}


def test_state_is_the_latest_snapshot_and_204_before_one() -> None:
    """GET /live/state gives the latest snapshot, or no content before the first."""
    assert get(StandIn([]), "/live/state").status_code == 204
    run = StandIn([{"type": "snapshot", "moves": 1}, {"type": "snapshot", "moves": 2}])
    response = get(run, "/live/state")
    assert response.status_code == 200
    assert response.json() == {"type": "snapshot", "moves": 2}


def test_events_send_the_latest_snapshot_then_the_end() -> None:
    """Snapshots queued at once come as the newest one only; the end follows and closes."""
    messages: list[JsonDict] = [{"type": "snapshot", "moves": k} for k in range(5)]
    messages.append({"type": "end", "status": "finished"})
    run = StandIn(messages)
    response = get(run, "/live/events")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert sse_events(response.text) == [
        ("snapshot", {"type": "snapshot", "moves": 4}),
        ("end", {"type": "end", "status": "finished"}),
    ]
    assert len(run.closed) == 1


def test_the_page_and_its_files_are_served() -> None:
    """GET /live renders the page on the base template; its script and style are served."""
    page = get(StandIn([]), "/live")
    assert page.status_code == 200
    assert '<nav class="site-nav"' in page.text
    assert 'data-layout-url="http://tos.test/live/layout"' in page.text
    assert get(StandIn([]), "/live/layout").json() == GEOMETRY
    script = get(StandIn([]), "/static/live.js")
    assert script.status_code == 200
    assert "EventSource" in script.text
    assert get(StandIn([]), "/static/opentos.css").status_code == 200


def chromium() -> Path:
    """Debian's Chromium; missing, it skips the test, or fails it on CI."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is needed for the browser test (apt-get install chromium)")
    return CHROMIUM


POSITIONS = """() => Array.from(document.querySelectorAll('.agv, .qc, .yc')).map(
    e => [e.id, e.getAttribute('cx'), e.getAttribute('cy'), e.getAttribute('transform'),
          e.getAttribute('y1')])"""

OUTSIDE = """() => {
    const box = document.getElementById('live-map').viewBox.baseVal;
    return Array.from(document.querySelectorAll('.agv')).filter(e => {
        const x = Number(e.getAttribute('cx')), y = Number(e.getAttribute('cy'));
        return x < box.x || x > box.x + box.width || y < box.y || y > box.y + box.height;
    }).map(e => e.id);
}"""


@pytest.mark.slow
def test_the_page_moves_the_machines_of_a_live_run(tmp_path: Path) -> None:
    """In Chromium the page draws the terminal, moves machines over two snapshots, shows
    moves in the KPI table and logs no error."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    scenario = live_scenario("small-call", 1)
    store = Store.create(f"sqlite:///{tmp_path / 'live.db'}", scenario.layout, "qianwan-1")
    boxes = {c.number: c for c in scenario.containers}
    with store.transaction() as tx:
        tx.register_many([boxes[n] for n, _ in scenario.yard])
        tx.record([MoveEvent(n, None, YardPlace(s), scenario.start) for n, s in scenario.yard])
    live = LiveTwin(store, "small-call", 1, 300.0, settings=SimulationSettings(agvs=12, seed=3))
    errors: list[str] = []
    try:
        live.start()
        with serve(create_app(live)) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/live")
            count = "n => Number(document.getElementById('live').dataset.snapshots || 0) >= n"
            page.wait_for_function(count, arg=1, timeout=25_000)
            assert page.locator(".block").count() == len(scenario.layout.blocks)
            assert page.locator(".qc").count() == len(scenario.layout.quay_cranes)
            before = page.evaluate(POSITIONS)
            seen = int(page.evaluate("() => document.getElementById('live').dataset.snapshots"))
            page.wait_for_function(count, arg=seen + 2, timeout=10_000)
            after = page.evaluate(POSITIONS)
            assert {e[0] for e in after} >= {e[0] for e in before}
            assert any(e not in after for e in before), "no machine moved"
            page.wait_for_function(
                "() => Number(document.getElementById('kpi-moves').textContent) > 0",
                timeout=15_000,
            )
            assert page.evaluate(OUTSIDE) == []
            assert page.locator("#live-status").get_attribute("data-status") == "running"
            browser.close()
    finally:
        live.stop()
        store.close()
    assert errors == []
