"""The live view: a twin study run at a multiple of real time against the served terminal.

:class:`LiveTwin` runs :func:`~opentos.operations.twin_study.simulate` in a
background thread on a real-time SimPy clock (``speed`` simulated seconds per
wall-clock second). While it runs it

- writes the twin's moves into the store's ledger as they happen, every
  ``flush_s`` simulated seconds, one transaction a batch (the calls' visits as
  they change with them); at the end the crane jobs' work instructions as the
  run left them, so the store ends up as a non-live ``simulate(..., store=...)``
  of the same scenario and seed leaves it;
- publishes a snapshot at most every ``tick_s`` wall-clock seconds: every
  machine's state and position read from the twin's machines (see
  :func:`snapshot`), the moves done and the KPIs so far (:func:`~opentos.twin.kpi.kpis`,
  recomputed at most every ``kpi_s`` wall-clock seconds: they cost the most).

Subscribers (:meth:`LiveTwin.subscribe`) get JSON-ready messages: ``snapshot``
ones, then one ``end`` whose ``status`` is ``finished``, ``stopped`` or ``error``
(with the error's ``message``; the error is also logged).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from time import monotonic, sleep
from typing import Literal

from simpy.core import Infinity

from opentos.errors import IllegalMove, InvalidValue, NotFound
from opentos.model.guidepath import GuidePath, build_guidepath
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, YardPlace
from opentos.model.visits import Visit
from opentos.operations.scenarios import SCENARIOS, Scenario
from opentos.operations.scenarios import scenario as make_scenario
from opentos.operations.twin_study import (
    SimulationResult,
    SimulationSettings,
    TwinRun,
    check_yard,
    instructions,
    record_events,
    record_setup,
    simulate,
)
from opentos.storage.store import Store
from opentos.twin.kpi import JsonDict, kpis
from opentos.twin.link import CountingEnvironment, RealtimeCountingEnvironment

log = logging.getLogger(__name__)

EndStatus = Literal["finished", "stopped", "error"]


@functools.lru_cache(maxsize=4)
def live_scenario(name: str, seed: int) -> Scenario:
    """:func:`~opentos.operations.scenarios.scenario`, built once per process (a scenario
    takes seconds to build; a scenario is a frozen value, safe to share)."""
    return make_scenario(name, seed)


def load_yard(store: Store, scenario: Scenario) -> bool:
    """Put the scenario's yard into a terminal that holds none of its boxes yet (one
    transaction); ``False`` when the store holds them already (the run checks how).

    Raises
    ------
    InvalidValue
        The store is a terminal of another layout.
    """
    if store.layout != scenario.layout:
        raise InvalidValue(
            f"the terminal is {store.layout.name}; scenario {scenario.name} runs on "
            f"{scenario.layout.name}"
        )
    boxes = {c.number: c for c in scenario.containers}
    if store.containers([n for n, _ in scenario.yard]):
        return False
    with store.transaction() as tx:
        tx.register_many([boxes[n] for n, _ in scenario.yard])
        tx.record([MoveEvent(n, None, YardPlace(s), scenario.start) for n, s in scenario.yard])
    return True


class _Stopped(Exception):
    """Raised inside the clock to end a run on :meth:`LiveTwin.stop`."""


class LiveEnvironment(RealtimeCountingEnvironment):
    """A real-time clock that calls ``between(now_s)`` before each event and, while it
    waits for the next one, every ``tick_s`` wall-clock seconds.

    ``now_s`` is the simulated time the wall clock has reached, never past the next
    event: the machines stand or move as they did at the last event until then.
    """

    def __init__(self, factor: float, between: Callable[[float], None], tick_s: float) -> None:
        super().__init__(factor, strict=False)
        self.between = between
        self.tick_s = tick_s

    def wall_s(self, upto: float) -> float:
        """The simulated time of the wall clock now, between ``now`` and ``upto``."""
        reached = self.env_start + (monotonic() - self.real_start) / self.factor
        return min(max(reached, float(self.now)), upto)

    def step(self) -> None:
        """Wait for the next event in slices of ``tick_s``, calling ``between``; process it."""
        next_s = self.peek()
        if next_s is not Infinity:
            due = self.real_start + (next_s - self.env_start) * self.factor
            while True:
                self.between(self.wall_s(next_s))
                delta = due - monotonic()
                if delta <= 0:
                    break
                sleep(min(delta, self.tick_s))
        super().step()


class Subscription:
    """A subscriber's messages, newest last; a slow reader loses old snapshots, never
    the ``end``."""

    def __init__(self, owner: LiveTwin, size: int) -> None:
        self._owner = owner
        self._queue: queue.Queue[JsonDict] = queue.Queue(maxsize=size)
        self._lock = threading.Lock()

    def put(self, message: JsonDict) -> None:
        """Queue ``message``, dropping the oldest one if the queue is full."""
        with self._lock:
            while True:
                try:
                    self._queue.put_nowait(message)
                    return
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        self._queue.get_nowait()

    def get(self, timeout_s: float | None = None) -> JsonDict | None:
        """The next message, waiting up to ``timeout_s`` (``None``: no message came)."""
        try:
            return self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def get_nowait(self) -> JsonDict | None:
        """The next message if one is queued."""
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def __iter__(self) -> Iterator[JsonDict]:
        """Every message up to and including the ``end``."""
        while True:
            message = self._queue.get()
            yield message
            if message["type"] == "end":
                return

    def close(self) -> None:
        """Stop receiving messages."""
        self._owner.unsubscribe(self)


class LiveTwin:
    """A twin study of ``scenario_name`` (seed ``seed``) at ``speed`` times real time,
    recorded into ``store`` as it runs (see the module docstring).

    ``store`` must be a terminal of the scenario's layout holding its yard, box for box
    (the run fails otherwise, and says so to the subscribers). ``settings`` default to
    the twin's with ``seed``. A stopped or failed run leaves in the store the batches
    written so far, each one checked.
    """

    def __init__(
        self,
        store: Store,
        scenario_name: str,
        seed: int,
        speed: float,
        *,
        settings: SimulationSettings | None = None,
        flush_s: float = 60.0,
        tick_s: float = 0.2,
        kpi_s: float = 1.0,
    ) -> None:
        if scenario_name not in SCENARIOS:
            raise NotFound(f"no scenario {scenario_name!r}; scenarios: {', '.join(SCENARIOS)}")
        if not speed > 0:
            raise InvalidValue(f"Expected speed > 0, got {speed}.")
        if not flush_s > 0:
            raise InvalidValue(f"Expected flush_s > 0, got {flush_s}.")
        if not tick_s > 0:
            raise InvalidValue(f"Expected tick_s > 0, got {tick_s}.")
        if not kpi_s >= 0:
            raise InvalidValue(f"Expected kpi_s >= 0, got {kpi_s}.")
        self.store = store
        self.scenario_name = scenario_name
        self.seed = seed
        self.speed = speed
        self.settings = settings if settings is not None else SimulationSettings(seed=seed)
        self.flush_s = flush_s
        self.tick_s = tick_s
        self.kpi_s = kpi_s
        """Wall-clock seconds between two computations of the KPIs (they take the longest)."""
        self.result: SimulationResult | None = None
        """The run's result once it finished (not when stopped or failed)."""
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []
        self._latest: JsonDict | None = None
        self._end: JsonDict | None = None
        self._run: TwinRun | None = None
        self._flushed = 0
        """Events of the run written to the store."""
        self._flushed_s = 0.0
        self._visits: dict[str, Visit] = {}
        """The visits as last written to the store."""
        self._seconds_of: dict[int, float] = {}
        self._kpis: JsonDict | None = None
        self._kpis_at = 0.0
        self._published = float("-inf")
        self._thread = threading.Thread(target=self._main, name="opentos-live", daemon=True)
        self._geometry: JsonDict | None = None

    # -- control -----------------------------------------------------------------------------

    def start(self) -> LiveTwin:
        """Start the run in its thread."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float | None = 10.0) -> None:
        """Ask the run to stop (within ``tick_s`` wall-clock seconds, or at its next event
        if it lags behind) and wait up to ``timeout_s`` for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the run to end; True if it did."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    # -- subscribers -------------------------------------------------------------------------

    def subscribe(self, size: int = 16) -> Subscription:
        """A new subscriber's messages, starting with the latest snapshot (and the ``end``
        if the run is over)."""
        sub = Subscription(self, size)
        with self._lock:
            if self._latest is not None:
                sub.put(self._latest)
            if self._end is not None:
                sub.put(self._end)
            else:
                self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop sending to ``sub``."""
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def latest(self) -> JsonDict | None:
        """The latest snapshot, ``None`` before the first."""
        with self._lock:
            return self._latest

    def ended(self) -> JsonDict | None:
        """The ``end`` message once the run is over."""
        with self._lock:
            return self._end

    def _publish(self, message: JsonDict) -> None:
        with self._lock:
            if message["type"] == "snapshot":
                self._latest = message
            else:
                self._end = message
            subscribers = list(self._subscribers)
            if message["type"] == "end":
                self._subscribers.clear()
        for sub in subscribers:
            sub.put(message)

    # -- geometry ----------------------------------------------------------------------------

    def layout_geometry(self) -> JsonDict:
        """The served terminal's layout as the page draws it (:func:`layout_geometry`)."""
        if self._geometry is None:
            layout = self.store.layout
            self._geometry = layout_geometry(layout, build_guidepath(layout))
        return self._geometry

    # -- the run's thread --------------------------------------------------------------------

    def _environment(self) -> CountingEnvironment:
        return LiveEnvironment(1 / self.speed, self._between, self.tick_s)

    def _started(self, run: TwinRun) -> None:
        """Before the clock starts: the visits and planned crane jobs go into the store."""
        self._run = run
        record_setup(self.store, run.scenario, instructions(run.plans, run.yard_places, ()))
        self._visits = {call.visit.id: call.visit for call in run.scenario.calls}
        env = run.env
        assert isinstance(env, LiveEnvironment)
        env.sync()  # the wall clock starts now, not when the environment was made
        self._snapshot(0.0)

    def _between(self, now_s: float) -> None:
        """Between two events (the twin's state is whole): stop, write, publish as due."""
        if self._stop.is_set():
            raise _Stopped
        run = self._run
        if run is None:
            return
        if run.env.now - self._flushed_s >= self.flush_s:
            self._flush()
        if monotonic() - self._published >= self.tick_s:
            self._snapshot(now_s)

    def _flush(self, *, final: bool = False) -> None:
        """Write the run's new events (and changed visits) in one transaction; at the end
        also the crane jobs' work instructions."""
        run = self._run
        assert run is not None
        self._flushed_s = float(run.env.now)
        events = run.terminal.ledger.events[run.initial_events :]
        fresh = events[self._flushed :]
        visits = [
            run.terminal.visits[v]
            for v in self._visits
            if run.terminal.visits[v] != self._visits[v]
        ]
        if not fresh and not visits and not final:
            return
        work = instructions(run.plans, run.yard_places, events) if final else ()
        record_events(self.store, fresh, visits, work)
        self._flushed = len(events)
        self._visits.update({v.id: v for v in visits})

    def _snapshot(self, now_s: float, *, final: bool = False) -> None:
        run = self._run
        assert run is not None
        self._published = monotonic()
        if final or self._kpis is None or self._published - self._kpis_at >= self.kpi_s:
            self._kpis = run_kpis(run, now_s, self._seconds_of)
            self._kpis_at = self._published
        self._publish(snapshot(run, now_s, self._kpis, self._flushed, self.speed))

    def _main(self) -> None:
        status: EndStatus = "finished"
        message: str | None = None
        try:
            scenario = live_scenario(self.scenario_name, self.seed)
            if scenario.layout != self.store.layout:
                raise IllegalMove(
                    f"the store's terminal {self.store.layout.name!r} is not the layout of "
                    f"scenario {scenario.name}: run the live twin on a terminal made from it"
                )
            check_yard(self.store, scenario)
            result = simulate(
                scenario, self.settings, environment=self._environment, on_start=self._started
            )
            self._flush(final=True)
            self.result = result
        except _Stopped:
            status = "stopped"
            try:
                self._flush(final=True)
            except Exception as exc:
                log.exception("live twin %s: writing the stopped run failed", self.scenario_name)
                status, message, self.error = "error", f"{type(exc).__name__}: {exc}", exc
        except Exception as exc:
            log.exception("live twin %s failed", self.scenario_name)
            status, message, self.error = "error", f"{type(exc).__name__}: {exc}", exc
        end: JsonDict = {"type": "end", "status": status, "scenario": self.scenario_name}
        try:
            if self._run is not None:
                self._snapshot(float(self._run.env.now), final=True)
                latest = self.latest()
                if latest is not None:
                    end["moves"] = latest["moves"]
                    end["time_s"] = latest["time_s"]
        except Exception as exc:
            log.exception("live twin %s: the last snapshot failed", self.scenario_name)
            if message is None:
                status, message, self.error = "error", f"{type(exc).__name__}: {exc}", exc
                end["status"] = status
        if message is not None:
            end["message"] = message
        self._publish(end)


def run_kpis(run: TwinRun, now_s: float, seconds_of: dict[int, float]) -> JsonDict:
    """The KPIs of ``run`` from its start to ``now_s`` (:func:`~opentos.twin.kpi.kpis`).

    ``seconds_of`` caches the events' times; the caller keeps it between calls.
    """
    events = run.terminal.ledger.events[run.initial_events :]
    for event in events[len(seconds_of) :]:
        seconds_of[event.seq] = (event.at - run.start).total_seconds()
    return kpis(
        events,
        run.log,
        cranes=run.cranes,
        agvs=run.agvs,
        start_s=0.0,
        end_s=max(now_s, 1e-9),
        seconds_of=seconds_of,
    )


def snapshot(
    run: TwinRun, now_s: float, figures: JsonDict, recorded: int, speed: float
) -> JsonDict:
    """Every machine's state and position at ``now_s``, the moves and the KPIs (``figures``,
    from :func:`run_kpis`).

    Positions come from the machines: a quay crane's ``x`` (on the way while it
    gantries), an AGV's place on its timed route (between the two nodes of the
    edge it drives along, or at its node), a yard crane's rail position in bays
    (on the way while it moves; its ``y_m`` is kept within the block).
    ``recorded`` counts the run's events already in the store.
    """
    inventory = run.terminal.inventory
    path = run.path
    layout = run.terminal.layout
    quay_cranes: list[JsonDict] = []
    for crane_id in sorted(run.link.quay_cranes):
        qc = run.link.quay_cranes[crane_id]
        platform = sum(inventory.at(EquipmentPlace(crane_id, k)) is not None for k in (2, 3))
        quay_cranes.append(
            {
                "id": crane_id,
                "x_m": round(qc.x_at(now_s), 2),
                "gantry": qc.gantry_motion is not None,
                "working": crane_id in run.cranes,
                "main_trolley": {
                    "loaded": inventory.at(qc.main_place) is not None,
                    "doing": qc.main_doing,
                },
                "portal_trolley": {
                    "loaded": inventory.at(qc.portal_place) is not None,
                    "doing": qc.portal_doing,
                },
                "platform_boxes": platform,
            }
        )
    agvs: list[JsonDict] = []
    for agv_id in run.agvs:
        agv = run.link.agvs[agv_id]
        a, b, share = agv.position_at(now_s)
        na, nb = path.node(a), path.node(b)
        agvs.append(
            {
                "id": agv_id,
                "x_m": round(na.x_m + (nb.x_m - na.x_m) * share, 2),
                "y_m": round(na.y_m + (nb.y_m - na.y_m) * share, 2),
                "node": agv.node,
                "edge": [a, b] if a != b else None,
                "state": agv.activity(),
                "loaded": agv.loaded,
                "battery_pct": round(agv.battery_pct, 1),
            }
        )
    yard_cranes: list[JsonDict] = []
    for crane_id in sorted(run.link.yard_cranes):
        yc = run.link.yard_cranes[crane_id]
        block = layout.block(yc.block)
        rail_bay = yc.pos_at(now_s)
        y = block.y_m + rail_bay * block.slot_length_m / 2
        yard_cranes.append(
            {
                "id": crane_id,
                "block": yc.block,
                "side": yc.side,
                "bay": round(rail_bay, 2),
                "x_m": round(block.x_m + block.width_m / 2, 2),
                "y_m": round(min(max(y, block.y_m), block.y_m + block.length_m), 2),
                "loaded": inventory.at(yc.place) is not None,
                "busy": yc.busy,
            }
        )
    return {
        "type": "snapshot",
        "scenario": run.scenario.name,
        "seed": run.scenario.seed,
        "speed": speed,
        "time_s": round(now_s, 1),
        "time": (run.start + timedelta(seconds=now_s)).isoformat(),
        "moves": figures["moves"],
        "ledger_events": run.terminal.ledger.head - run.initial_events,
        "recorded_events": recorded,
        "kpis": figures,
        "quay_cranes": quay_cranes,
        "agvs": agvs,
        "yard_cranes": yard_cranes,
    }


def layout_geometry(layout: TerminalLayout, path: GuidePath) -> JsonDict:
    """The layout as the live page draws it, in terminal metres (``x`` along the quay,
    ``y`` inland): quay and berths, quay cranes and their rails, the guide path's nodes
    and two-way segments, the yard blocks and the extent of it all."""
    nodes = path.nodes
    handovers = [n for n in nodes if n.kind == "qc_handover"]
    landside_rail = max((path.node(path.spur_parent(n.id)).y_m for n in handovers), default=0.0)
    segments: dict[str, tuple[str, str]] = {}
    for edge in path.edges:
        segments.setdefault(edge.segment, (edge.from_node, edge.to_node))
    blocks: list[JsonDict] = [
        {
            "id": b.id,
            "x_m": b.x_m,
            "y_m": b.y_m,
            "width_m": b.width_m,
            "length_m": b.length_m,
            "bays": b.bays,
            "rows": b.rows,
        }
        for b in layout.blocks
    ]
    xs = [n.x_m for n in nodes] + [0.0, layout.quay.length_m]
    xs += [b.x_m for b in layout.blocks] + [b.x_m + b.width_m for b in layout.blocks]
    ys = [n.y_m for n in nodes] + [0.0] + [b.y_m + b.length_m for b in layout.blocks]
    return {
        "name": layout.name,
        "quay": {
            "length_m": layout.quay.length_m,
            "berths": [
                {"id": b.id, "start_m": b.start_m, "length_m": b.length_m}
                for b in layout.quay.berths
            ],
        },
        "crane_rails_y_m": [0.0, landside_rail],
        "quay_cranes": [
            {"id": qc.id, "rail_position_m": qc.rail_position_m} for qc in layout.quay_cranes
        ],
        "apron": {"width_m": layout.apron.width_m},
        "guide_path": {
            "nodes": [{"id": n.id, "x_m": n.x_m, "y_m": n.y_m, "kind": n.kind} for n in nodes],
            "segments": [list(pair) for pair in segments.values()],
        },
        "blocks": blocks,
        "yard_cranes": [{"id": y.id, "block": y.block, "side": y.side} for y in layout.yard_cranes],
        "extent": {"min_x_m": min(xs), "max_x_m": max(xs), "min_y_m": min(ys), "max_y_m": max(ys)},
    }
