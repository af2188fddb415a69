"""The live twin: a study at a multiple of real time, recorded and published as it runs."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import simpy

from opentos.errors import NotFound
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.operations.live import LiveEnvironment, LiveTwin, Subscription, live_scenario
from opentos.operations.scenarios import Scenario
from opentos.operations.twin_study import SimulationResult, SimulationSettings, TwinRun, simulate
from opentos.storage.store import Store
from opentos.twin.kpi import JsonDict
from opentos.twin.link import CountingEnvironment

SETTINGS = SimulationSettings(agvs=12, seed=3)
SPEED = 2000.0


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The small call (60 discharges, 60 loads, 2 quay cranes), seed 1."""
    return live_scenario("small-call", 1)


@pytest.fixture(scope="module")
def plain(scenario: Scenario) -> SimulationResult:
    """The same study run as fast as it goes, without a store."""
    return simulate(scenario, SETTINGS)


def store_with_yard(path: Path, scenario: Scenario) -> Store:
    """A new SQLite store at ``path`` holding the scenario's yard."""
    store = Store.create(f"sqlite:///{path}", scenario.layout, "qianwan-1")
    boxes = {c.number: c for c in scenario.containers}
    with store.transaction() as tx:
        tx.register_many([boxes[n] for n, _ in scenario.yard])
        tx.record([MoveEvent(n, None, YardPlace(s), scenario.start) for n, s in scenario.yard])
    return store


def key(events: list[MoveEvent] | tuple[MoveEvent, ...]) -> list[tuple[object, ...]]:
    """What two runs' events must share: everything but the ledger's numbering."""
    return [
        (e.container, e.from_place, e.to_place, e.at, e.equipment, e.work_instruction)
        for e in events
    ]


def inside(geometry: JsonDict, x: object, y: object) -> bool:
    """True if ``(x, y)`` lies within the layout's extent."""
    extent = geometry["extent"]
    assert isinstance(extent, dict)
    assert isinstance(x, float | int)
    assert isinstance(y, float | int)
    return bool(
        extent["min_x_m"] <= x <= extent["max_x_m"] and extent["min_y_m"] <= y <= extent["max_y_m"]
    )


@pytest.mark.slow
def test_a_live_run_records_as_it_goes_and_ends_as_a_plain_study(
    scenario: Scenario, plain: SimulationResult, tmp_path: Path
) -> None:
    """Snapshots arrive with machines moving within the layout, the store's ledger grows
    during the run, and at the end the store holds what a plain recorded study leaves."""
    with store_with_yard(tmp_path / "live.db", scenario) as store:
        start_head = store.head()
        live = LiveTwin(store, "small-call", 1, SPEED, settings=SETTINGS)
        geometry = live.layout_geometry()
        sub = live.subscribe()
        live.start()
        snapshots: list[JsonDict] = []
        heads: list[int] = []
        for message in sub:
            if message["type"] == "snapshot":
                snapshots.append(message)
                heads.append(store.head())
        end = message
        assert live.join(10)
        final_head = store.head()
        assert end["status"] == "finished", end
        assert end["moves"] == 120
        assert any(start_head < h < final_head for h in heads), (start_head, heads, final_head)
        assert len(snapshots) >= 5
        blocks = {b["id"]: b for b in geometry["blocks"]}
        quay_m = geometry["quay"]["length_m"]
        for snap in snapshots:
            for agv in snap["agvs"]:
                assert inside(geometry, agv["x_m"], agv["y_m"]), agv
            for qc in snap["quay_cranes"]:
                assert 0 <= qc["x_m"] <= quay_m, qc
            for yc in snap["yard_cranes"]:
                b = blocks[yc["block"]]
                assert b["y_m"] <= yc["y_m"] <= b["y_m"] + b["length_m"], yc
        agv_places = {tuple((a["x_m"], a["y_m"]) for a in s["agvs"]) for s in snapshots}
        assert len(agv_places) > 2
        moves = [s["moves"] for s in snapshots]
        assert moves == sorted(moves)
        assert moves[-1] == 120
        assert snapshots[-1]["kpis"]["moves_per_qc_hour"] == plain.kpis["moves_per_qc_hour"]
        live_events = store.events(since=start_head)
        live_work = sorted(store.instructions(), key=lambda w: w.id)
        live_visits = store.visits()
    assert key(live_events) == key(plain.events)
    with store_with_yard(tmp_path / "plain.db", scenario) as store:
        simulate(scenario, SETTINGS, store=store)
        assert key(store.events(since=start_head)) == key(live_events)
        assert sorted(store.instructions(), key=lambda w: w.id) == live_work
        assert store.visits() == live_visits


@pytest.mark.slow
def test_stop_halts_a_live_run_early_and_cleanly(
    scenario: Scenario, plain: SimulationResult, tmp_path: Path
) -> None:
    """stop() ends the thread within seconds; the store holds a checked prefix of the run."""
    with store_with_yard(tmp_path / "stop.db", scenario) as store:
        start_head = store.head()
        live = LiveTwin(store, "small-call", 1, 100.0, settings=SETTINGS)
        sub = live.subscribe()
        live.start()
        for message in sub:
            if message["type"] == "snapshot" and message["recorded_events"] > 0:
                break
        live.stop(timeout_s=10)
        assert not live.running
        rest = list(sub)
        assert rest[-1]["type"] == "end"
        assert rest[-1]["status"] == "stopped"
        assert rest[-1]["time_s"] < plain.end_s / 2
        assert live.result is None
        recorded = store.events(since=start_head)
        assert 0 < len(recorded) < len(plain.events)
        assert key(recorded) == key(plain.events[: len(recorded)])
        assert store.rebuild().consistent


def test_a_failing_run_tells_its_subscribers_and_the_log(
    scenario: Scenario, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store without the scenario's yard ends the run with an error message, logged."""
    with Store.create(f"sqlite:///{tmp_path / 'e.db'}", scenario.layout, "qianwan-1") as store:
        live = LiveTwin(store, "small-call", 1, SPEED, settings=SETTINGS)
        sub = live.subscribe()
        with caplog.at_level(logging.ERROR, logger="opentos.operations.live"):
            live.start()
            messages = list(sub)
            assert live.join(10)
        assert messages[-1]["type"] == "end"
        assert messages[-1]["status"] == "error"
        assert "in the store" in str(messages[-1]["message"])
        assert "live twin small-call failed" in caplog.text
        assert live.subscribe().get(1.0) == messages[-1]


def test_an_unknown_scenario_is_refused_at_once(tmp_path: Path) -> None:
    """LiveTwin names the scenarios it knows when given another."""
    with pytest.raises(NotFound, match="small-call"):
        LiveTwin(None, "no-such", 1, SPEED)


def test_the_live_clock_keeps_pace_and_reports_while_it_waits() -> None:
    """At 100x, 50 simulated seconds take at least half a second of wall clock, and the
    clock calls back several times meanwhile, with times between the two events."""
    seen: list[float] = []
    env = LiveEnvironment(1 / 100, seen.append, 0.05)
    plain = CountingEnvironment()
    for clock in (env, plain):

        def wait(clock: simpy.Environment = clock) -> Iterator[simpy.Event]:
            yield clock.timeout(50.0)

        clock.process(wait())
    plain.run()
    started = time.monotonic()
    env.run()
    assert time.monotonic() - started >= 0.5
    assert len(seen) >= 5
    assert seen == sorted(seen)
    assert all(0.0 <= t <= 50.0 for t in seen)
    assert 0.0 < seen[len(seen) // 2] < 50.0
    assert env.steps == plain.steps > 0


def test_a_slow_subscriber_loses_old_snapshots_not_the_end() -> None:
    """A full queue drops its oldest message; the end always arrives."""
    sub = Subscription(None, 2)
    for k in range(5):
        sub.put({"type": "snapshot", "k": k})
    sub.put({"type": "end", "status": "finished"})
    assert list(sub) == [{"type": "snapshot", "k": 4}, {"type": "end", "status": "finished"}]


def test_a_store_of_another_terminal_is_refused(scenario: Scenario, tmp_path: Path) -> None:
    """A store whose layout is not the scenario's ends the run with an error naming it."""
    from opentos.presets import load_preset

    with Store.create(f"sqlite:///{tmp_path / 't.db'}", load_preset("tiny"), "tiny") as store:
        live = LiveTwin(store, "small-call", 1, SPEED, settings=SETTINGS).start()
        messages = list(live.subscribe())
        assert live.join(10)
        assert messages[-1]["status"] == "error"
        assert "is not the layout of scenario small-call" in str(messages[-1]["message"])
        assert store.head() == 0


@pytest.mark.slow
def test_machine_positions_follow_the_machines_log(
    scenario: Scenario, plain: SimulationResult
) -> None:
    """Positions sampled during a run match the edges, nodes and gantry moves the machines
    log; sampling them changes nothing in the run."""
    samples: list[tuple[float, str, tuple[str, str, float]]] = []
    cranes: list[tuple[float, str, float]] = []

    def watch(run: TwinRun) -> None:
        env = run.env

        def sample() -> Iterator[simpy.Event]:
            while True:
                yield env.timeout(7.0)
                now = float(env.now)
                for agv_id in run.agvs:
                    samples.append((now, agv_id, run.link.agvs[agv_id].position_at(now)))
                for crane_id in run.cranes:
                    cranes.append((now, crane_id, run.link.quay_cranes[crane_id].x_at(now)))

        env.process(sample())

    result = simulate(scenario, SETTINGS, on_start=watch)
    assert result.kpis == plain.kpis
    log = result.log
    on_edges = sum(a != b for _, _, (a, b, _) in samples)
    assert on_edges > 10
    for t, agv, (a, b, share) in samples:
        if a != b:
            match = [
                (t - entered) / (left - entered)
                for who, x, y, entered, left in log.agv_edges
                if (who, x, y) == (agv, a, b) and entered <= t <= left
            ]
            assert any(abs(m - share) < 1e-9 for m in match), (t, agv, a, b, share)
        else:
            assert any(
                (who, node) == (agv, a) and entered - 1e-9 <= t <= left + 1e-9
                for who, node, entered, left in log.agv_nodes
            ), (t, agv, a)
    moving = 0
    for t, crane, x in cranes:
        track = [(at, p) for at, c, p in log.qc_positions if c == crane]
        before = [(at, p) for at, p in track if at <= t]
        after = [(at, p) for at, p in track if at > t]
        (ta, xa), (tb, xb) = before[-1], (after[0] if after else before[-1])
        expected = xa + (xb - xa) * (t - ta) / (tb - ta) if tb > ta else xa
        moving += xa != xb
        assert abs(x - expected) < 1e-6, (t, crane, x, expected)
    assert moving > 0
