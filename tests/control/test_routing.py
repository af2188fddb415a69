"""Tests for conflict-free AGV routing (SIPP over the guide path with a reservation table).

Overlaps are checked by :func:`overlaps`, written here from the committed routes' steps,
independent of the router's own tables.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import defaultdict
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.control.routing import Route, Router
from opentos.errors import InvalidValue, NotFound
from opentos.model.guidepath import Edge, GuidePath, Node, build_guidepath
from opentos.presets import load_preset

CLEARANCE_S = 1.0
START_PENALTY_S = 2.0
STOP_PENALTY_S = 1.5


def edge_time(edge: Edge, starts: bool, stops: bool) -> float:
    """6 m/s straight, 3 m/s in bends, plus a fixed time to start and to stop."""
    speed = 3.0 if edge.bend else 6.0
    return edge.length_m / speed + START_PENALTY_S * starts + STOP_PENALTY_S * stops


@pytest.fixture(scope="module")
def qianwan() -> GuidePath:
    """The qianwan-1 guide path."""
    return build_guidepath(load_preset("qianwan-1"))


@pytest.fixture(scope="module")
def tiny() -> GuidePath:
    """The tiny preset's guide path."""
    return build_guidepath(load_preset("tiny"))


# --- an independent checker ------------------------------------------------------------------


class Log:
    """Each AGV's initial hold and committed routes, in order: what the twin would follow."""

    def __init__(self) -> None:
        self.holds: dict[str, tuple[str, float]] = {}
        self.routes: dict[str, list[Route]] = defaultdict(list)

    def hold(self, router: Router, agv: str, node: str, t: float) -> None:
        router.hold(agv, node, t)
        self.holds[agv] = (node, t)

    def add(self, route: Route | None) -> Route:
        assert route is not None
        self.routes[route.agv].append(route)
        return route


def occupancy(log: Log, clearance_s: float) -> dict[str, list[tuple[float, float, str]]]:
    """Per node or segment, the intervals each AGV takes, from the steps of its routes."""
    taken: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for agv in set(log.holds) | set(log.routes):
        # (node, enter, leave, edge it came over), joining consecutive routes.
        timeline: list[tuple[str, float, float, Edge | None]] = []
        if agv in log.holds:
            hold_node, hold_s = log.holds[agv]
            timeline.append((hold_node, hold_s, math.inf, None))
        for route in log.routes[agv]:
            first = route.steps[0]
            if timeline:
                last = timeline[-1]
                assert last[0] == first.node, f"{agv} starts away from where it was"
                timeline[-1] = (last[0], last[1], first.leave_s, last[3])
            else:
                timeline.append((first.node, first.enter_s, first.leave_s, None))
            timeline += [(s.node, s.enter_s, s.leave_s, s.via_edge) for s in route.steps[1:]]
        for i, (node, enter, leave, edge) in enumerate(timeline):
            assert leave >= enter
            taken[node].append((enter, leave + clearance_s, agv))
            if edge is not None:
                previous_node, _, depart, _ = timeline[i - 1]
                assert edge.from_node == previous_node
                assert edge.to_node == node
                assert enter >= depart
                taken[edge.segment].append((depart, enter + clearance_s, agv))
    return taken


def overlaps(log: Log, clearance_s: float = CLEARANCE_S) -> list[str]:
    """Every case of two AGVs on one node or segment (either way) at overlapping times."""
    problems: list[str] = []
    for resource, intervals in occupancy(log, clearance_s).items():
        # Merge each AGV's own intervals first (it may pass twice), then sweep.
        merged: list[tuple[float, float, str]] = []
        by_agv: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for a, b, agv in intervals:
            by_agv[agv].append((a, b))
        for agv, spans in by_agv.items():
            spans.sort()
            start, end = spans[0]
            for a, b in spans[1:]:
                if a <= end:
                    end = max(end, b)
                else:
                    merged.append((start, end, agv))
                    start, end = a, b
            merged.append((start, end, agv))
        merged.sort()
        latest, owner = -math.inf, ""
        for a, b, agv in merged:
            if a < latest - 1e-9:
                problems.append(f"{resource}: {agv} from {a:.3f} s, {owner} until {latest:.3f} s")
            if b > latest:
                latest, owner = b, agv
    return problems


def shortest_time(path: GuidePath, start: str, goal: str) -> float:
    """Least driving time from standstill to standstill, by Dijkstra over edge times."""
    best = {start: 0.0}
    heap = [(0.0, start)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == goal:
            return d + START_PENALTY_S + STOP_PENALTY_S
        if d > best[u]:
            continue
        for e in path.out_edges(u):
            t = d + edge_time(e, False, False)
            if t < best.get(e.to_node, math.inf):
                best[e.to_node] = t
                heapq.heappush(heap, (t, e.to_node))
    return math.inf


def assert_route_is_consistent(path: GuidePath, route: Route) -> None:
    """Steps follow edges, and each edge takes its driving time."""
    steps = route.steps
    assert steps[0].via_edge is None
    assert route.depart_s == steps[0].leave_s or len(steps) == 1
    assert route.arrive_s == steps[-1].enter_s
    assert steps[-1].stops
    for prev, step in pairwise(steps):
        edge = step.via_edge
        assert edge is not None
        assert path.edge(prev.node, step.node) == edge
        if not step.stops:
            assert step.leave_s == step.enter_s
        expected = edge_time(edge, prev.stops, step.stops)
        assert step.enter_s - prev.leave_s == pytest.approx(expected)
    distance = sum(s.via_edge.length_m for s in steps if s.via_edge is not None)
    assert route.distance_m == pytest.approx(distance)


# --- single routes ---------------------------------------------------------------------------


def test_single_route_takes_the_shortest_time(qianwan: GuidePath) -> None:
    """Alone on the apron, a route takes the least driving time, without waiting."""
    rng = random.Random(3)
    spurs = qianwan.spurs()
    for i in range(30):
        router = Router(qianwan, edge_time, CLEARANCE_S)
        start, goal = rng.sample(spurs, 2)
        route = router.plan(f"AGV{i}", start, 100.0, goal)
        assert route is not None
        assert route.depart_s == 100.0
        assert route.arrive_s - route.depart_s == pytest.approx(shortest_time(qianwan, start, goal))
        assert route.steps[-1].leave_s == math.inf
        assert route.start == start
        assert route.goal == goal
        assert_route_is_consistent(qianwan, route)


def test_route_to_where_the_agv_stands(tiny: GuidePath) -> None:
    """A route to the start is one step that holds it."""
    router = Router(tiny, edge_time)
    route = router.plan("AGV01", "P01", 5.0, "P01")
    assert route is not None
    assert route.nodes == ("P01",)
    assert (route.depart_s, route.arrive_s, route.distance_m) == (5.0, 5.0, 0.0)


def test_plan_rejects_unknown_nodes_and_bad_times(tiny: GuidePath) -> None:
    """Unknown nodes raise NotFound; a time that is not finite raises InvalidValue."""
    router = Router(tiny, edge_time)
    with pytest.raises(NotFound, match="nowhere"):
        router.plan("AGV01", "nowhere", 0.0, "P01")
    with pytest.raises(NotFound, match="nowhere"):
        router.plan("AGV01", "P01", 0.0, "nowhere")
    with pytest.raises(InvalidValue, match="finite"):
        router.plan("AGV01", "P01", math.nan, "P02")


def test_router_checks_its_parameters(tiny: GuidePath) -> None:
    """A clearance that is not positive, or an edge time that is not, is rejected."""
    with pytest.raises(InvalidValue, match="clearance_s"):
        Router(tiny, edge_time, 0.0)
    with pytest.raises(InvalidValue, match="edge_time"):
        Router(tiny, lambda e, s, p: 0.0)


# --- two AGVs --------------------------------------------------------------------------------


def test_crossing_agvs_never_overlap(tiny: GuidePath) -> None:
    """Two AGVs whose paths cross at the same time never share a node or segment."""
    router = Router(tiny, edge_time)
    log = Log()
    log.hold(router, "AGV01", "QH1:102.0", 0.0)
    log.hold(router, "AGV02", "A01/W1", 0.0)
    # One drives from the quay to the block, the other from the block to the quay.
    first = log.add(router.plan("AGV01", "QH1:102.0", 0.0, "CH01"))
    second = log.add(router.plan("AGV02", "A01/W1", 0.0, "QH2:102.0"))
    shared = set(first.nodes) & set(second.nodes)
    assert shared, "the test needs routes that cross"
    assert overlaps(log) == []
    assert_route_is_consistent(tiny, first)
    assert_route_is_consistent(tiny, second)


def corridor() -> GuidePath:
    """A two-way corridor a-b-c, 30 m, with two parking spurs at each end."""
    nodes = [Node("a", 0, 0, "lane"), Node("b", 15, 0, "lane"), Node("c", 30, 0, "lane")]
    nodes += [Node(p, x, y, "parking") for p, x, y in [("P01", -5, 0), ("P03", 0, 5)]]
    nodes += [Node(p, x, y, "parking") for p, x, y in [("P02", 35, 0), ("P04", 30, 5)]]
    pairs = [("a", "b", 15.0), ("b", "c", 15.0)]
    pairs += [("a", "P01", 5.0), ("a", "P03", 5.0), ("c", "P02", 5.0), ("c", "P04", 5.0)]
    edges = [Edge(u, v, d, False) for u, v, d in pairs] + [
        Edge(v, u, d, False) for u, v, d in pairs
    ]
    return GuidePath(nodes, edges)


def test_head_on_agvs_do_not_meet_on_a_segment() -> None:
    """AGVs driving a two-way corridor in opposite directions never share a segment."""
    path = corridor()
    router = Router(path, edge_time)
    log = Log()
    log.hold(router, "AGV01", "P01", 0.0)
    log.hold(router, "AGV02", "P02", 0.0)
    east = log.add(router.plan("AGV01", "P01", 0.0, "P04"))
    west = log.add(router.plan("AGV02", "P02", 0.0, "P03"))
    assert east.nodes == ("P01", "a", "b", "c", "P04")
    assert west.nodes == ("P02", "c", "b", "a", "P03")
    # The second waits in its spur and enters the corridor only after the first has left it.
    assert west.depart_s > 0.0
    assert west.steps[1].enter_s >= east.steps[3].leave_s + CLEARANCE_S - 1e-9
    assert overlaps(log) == []


def test_second_agv_waits_or_detours(tiny: GuidePath) -> None:
    """An AGV given the same route right behind another arrives later than alone."""
    router = Router(tiny, edge_time)
    log = Log()
    log.hold(router, "AGV01", "P01", 0.0)
    log.hold(router, "AGV02", "P02", 0.0)
    alone = Router(tiny, edge_time).plan("X", "P02", 0.0, "QH1:198.0")
    assert alone is not None
    log.add(router.plan("AGV01", "P01", 0.0, "QH2:198.0"))
    second = log.add(router.plan("AGV02", "P02", 0.0, "QH1:198.0"))
    assert second.arrive_s >= alone.arrive_s
    assert overlaps(log) == []


def test_goal_held_by_another_agv_gives_none(tiny: GuidePath) -> None:
    """A goal held indefinitely by another AGV cannot be planned to, and nothing changes."""
    router = Router(tiny, edge_time)
    router.hold("AGV01", "QH1:102.0", 0.0)
    router.hold("AGV02", "P01", 0.0)
    before = list(router.reservations())
    assert router.plan("AGV02", "P01", 0.0, "QH1:102.0") is None
    assert list(router.reservations()) == before
    # Once AGV01 leaves, the hand-over can be planned to; arrival comes after it left.
    leaving = router.plan("AGV01", "QH1:102.0", 10.0, "P03")
    assert leaving is not None
    route = router.plan("AGV02", "P01", 0.0, "QH1:102.0")
    assert route is not None
    assert route.arrive_s >= leaving.depart_s + CLEARANCE_S


def test_plan_releases_the_start_hold(tiny: GuidePath) -> None:
    """The hold on the start ends as the AGV departs (plus clearance)."""
    router = Router(tiny, edge_time)
    router.hold("AGV01", "P01", 0.0)
    route = router.plan("AGV01", "P01", 3.0, "QH1:102.0")
    assert route is not None
    p01 = [r for r in router.reservations() if r.resource == "P01"]
    assert [(r.agv, r.start_s, r.end_s) for r in p01] == [
        ("AGV01", 0.0, route.depart_s + CLEARANCE_S)
    ]
    goal = [r for r in router.reservations() if r.resource == "QH1:102.0"]
    assert [(r.agv, r.start_s, r.end_s) for r in goal] == [("AGV01", route.arrive_s, math.inf)]


def test_plan_from_elsewhere_is_rejected(tiny: GuidePath) -> None:
    """Planning an AGV from a node where its route does not have it raises InvalidValue."""
    router = Router(tiny, edge_time)
    router.hold("AGV01", "P01", 0.0)
    route = router.plan("AGV01", "P01", 0.0, "QH1:102.0")
    assert route is not None
    with pytest.raises(InvalidValue, match="AGV01"):
        router.plan("AGV01", "QH1:102.0", route.depart_s + 1.0, "P02")
    with pytest.raises(InvalidValue, match="AGV01"):
        router.plan("AGV01", "P01", route.arrive_s + 1.0, "P02")
    with pytest.raises(InvalidValue, match="AGV02 cannot start"):
        router.plan("AGV02", "QH1:102.0", route.arrive_s + 1.0, "P02")
    with pytest.raises(InvalidValue, match="holds"):
        router.hold("AGV02", "QH1:102.0", 0.0)


def test_chained_legs_without_holding_the_waypoint(tiny: GuidePath) -> None:
    """With hold_goal=False the goal is taken until arrival plus clearance; the next leg goes on."""
    router = Router(tiny, edge_time)
    log = Log()
    log.hold(router, "AGV01", "P01", 0.0)
    leg = log.add(router.plan("AGV01", "P01", 0.0, "T1:200.0", hold_goal=False))
    assert leg.steps[-1].leave_s == leg.arrive_s
    mine = [r for r in router.reservations() if r.resource == "T1:200.0"]
    assert [(r.start_s, r.end_s) for r in mine] == [(leg.arrive_s, leg.arrive_s + CLEARANCE_S)]
    log.add(router.plan("AGV01", "T1:200.0", leg.arrive_s, "QH2:198.0"))
    assert overlaps(log) == []


def test_agv_holding_a_lane_node_is_driven_around(tiny: GuidePath) -> None:
    """An AGV parked on a lane crossing is avoided by others (at worst, they go round)."""
    router = Router(tiny, edge_time)
    log = Log()
    log.hold(router, "AGV01", "T1:100.0", 0.0)
    log.hold(router, "AGV02", "P01", 0.0)
    route = log.add(router.plan("AGV02", "P01", 0.0, "A01/W1"))
    assert "T1:100.0" not in route.nodes
    assert overlaps(log) == []


# --- many AGVs -------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(
    n_agvs=st.integers(10, 38),
    seed=st.integers(0, 2**32 - 1),
    plans=st.integers(60, 160),
)
def test_many_agvs_never_overlap_and_always_get_a_route(
    qianwan: GuidePath, n_agvs: int, seed: int, plans: int
) -> None:
    """Random spur-to-spur plans of 10-38 AGVs all succeed and never overlap (no deadlock)."""
    rng = random.Random(seed)
    router = Router(qianwan, edge_time, CLEARANCE_S)
    log = Log()
    spurs = qianwan.spurs()
    agvs = [f"AGV{i:02d}" for i in range(1, n_agvs + 1)]
    where: dict[str, str] = {}
    free_at: list[tuple[float, str]] = []
    for agv, node in zip(agvs, rng.sample(spurs, n_agvs), strict=True):
        log.hold(router, agv, node, 0.0)
        where[agv] = node
        free_at.append((rng.uniform(0.0, 20.0), agv))
    heapq.heapify(free_at)
    for n in range(plans):
        at, agv = heapq.heappop(free_at)
        taken = set(where.values())
        goal = rng.choice([s for s in spurs if s not in taken])
        route = router.plan(agv, where[agv], at, goal)
        assert route is not None, f"plan {n}: {agv} from {where[agv]} at {at:.1f} s to {goal}"
        assert route.depart_s >= at
        log.add(route)
        where[agv] = goal
        dwell = rng.choice([0.0, rng.uniform(0.0, 60.0)])
        heapq.heappush(free_at, (route.arrive_s + dwell, agv))
        if n % 50 == 49:
            router.prune(at - 100.0)
    assert overlaps(log) == []


def truncated(route: Route, node: str, when: float) -> Route:
    """``route`` up to the step where a cancel at some time stops it (``node`` at ``when``)."""
    for i, step in enumerate(route.steps):
        if step.node == node and step.enter_s <= when <= max(step.leave_s, step.enter_s):
            return replace(route, steps=route.steps[: i + 1])
    raise AssertionError(f"{route.agv} does not stop at {node} at {when}")


@settings(max_examples=8, deadline=None)
@given(n_agvs=st.integers(10, 38), seed=st.integers(0, 2**32 - 1))
def test_cancelled_routes_are_replanned_without_overlap(
    qianwan: GuidePath, n_agvs: int, seed: int
) -> None:
    """AGVs cancelled mid-route and re-planned at once always get a route and never overlap."""
    rng = random.Random(seed)
    router = Router(qianwan, edge_time, CLEARANCE_S)
    log = Log()
    spurs = qianwan.spurs()
    agvs = [f"AGV{i:02d}" for i in range(1, n_agvs + 1)]
    where = dict(zip(agvs, rng.sample(spurs, n_agvs), strict=True))
    free_at = [(rng.uniform(0.0, 20.0), agv) for agv in agvs]
    for agv, node in where.items():
        log.hold(router, agv, node, 0.0)
    heapq.heapify(free_at)
    for _ in range(100):
        at, agv = heapq.heappop(free_at)
        goal = rng.choice([s for s in spurs if s not in set(where.values())])
        route = log.add(router.plan(agv, where[agv], at, goal))
        where[agv] = goal
        if rng.random() < 0.3 and len(route.steps) > 2:
            node, when = router.cancel(agv, rng.uniform(route.depart_s, route.arrive_s))
            log.routes[agv][-1] = truncated(route, node, when)
            where[agv] = node
            other = rng.choice([s for s in spurs if s not in set(where.values())])
            # Another goal may be out of reach from a moving start; the old one never is.
            again = router.plan(agv, node, when, other) or router.plan(agv, node, when, goal)
            assert again is not None, f"{agv} stuck at {node} at {when:.1f} s"
            route = log.add(again)
            where[agv] = route.goal
        heapq.heappush(free_at, (route.arrive_s + rng.uniform(0.0, 30.0), agv))
    assert overlaps(log) == []


def test_many_agvs_replanned_out_of_order_never_overlap(qianwan: GuidePath) -> None:
    """Plans made in any time order (not only the earliest AGV first) still never overlap."""
    rng = random.Random(11)
    router = Router(qianwan, edge_time)
    log = Log()
    spurs = qianwan.spurs()
    agvs = [f"AGV{i:02d}" for i in range(1, 39)]
    where = dict(zip(agvs, qianwan.parkings(), strict=False))
    ready = dict.fromkeys(agvs, 0.0)
    for agv, node in where.items():
        log.hold(router, agv, node, 0.0)
    for _ in range(300):
        agv = rng.choice(agvs)
        goal = rng.choice([s for s in spurs if s not in set(where.values())])
        route = log.add(router.plan(agv, where[agv], ready[agv], goal))
        where[agv], ready[agv] = goal, route.arrive_s + rng.uniform(0.0, 30.0)
    assert overlaps(log) == []


# --- cancel, faults, bookkeeping -------------------------------------------------------------


def planned(router: Router, agv: str, start: str, at: float, goal: str) -> Route:
    """A route that must exist."""
    route = router.plan(agv, start, at, goal)
    assert route is not None
    return route


def test_cancel_on_a_node_stops_there(tiny: GuidePath) -> None:
    """Cancelled while on a node, the AGV stops there; its later reservations are dropped."""
    router = Router(tiny, edge_time)
    router.hold("AGV01", "P01", 0.0)
    route = planned(router, "AGV01", "P01", 0.0, "QH1:198.0")
    step = route.steps[3]
    t = step.enter_s
    assert router.position("AGV01", t) is not None
    node, when = router.cancel("AGV01", t)
    assert (node, when) == (step.node, t)
    mine = [r for r in router.reservations() if r.agv == "AGV01"]
    assert all(r.start_s <= t for r in mine)
    assert not any(r.resource == "QH1:198.0" for r in mine)
    # Nobody comes later, so it holds its node; and it can be planned on from there.
    held = [r for r in mine if r.resource == node]
    assert held[-1].end_s == math.inf
    again = planned(router, "AGV01", node, when, "P03")
    assert again.start == node
    # The dropped goal is free for another AGV now.
    router.hold("AGV02", "P02", 0.0)
    planned(router, "AGV02", "P02", 0.0, "QH1:198.0")


def test_cancel_on_an_edge_stops_at_its_end(tiny: GuidePath) -> None:
    """Cancelled while driving an edge, the AGV stops at the edge's end node."""
    router = Router(tiny, edge_time)
    log = Log()
    log.hold(router, "AGV01", "P01", 0.0)
    route = planned(router, "AGV01", "P01", 0.0, "QH1:198.0")
    before, after = route.steps[2], route.steps[3]
    t = (before.leave_s + after.enter_s) / 2
    position = router.position("AGV01", t)
    assert position is not None
    assert position.edge == after.via_edge
    assert 0 < position.fraction < 1
    node, when = router.cancel("AGV01", t)
    assert (node, when) == (after.node, after.enter_s)
    segment = after.via_edge.segment if after.via_edge else ""
    assert any(r.resource == segment and r.agv == "AGV01" for r in router.reservations())
    # The twin follows the route up to the stop, then the new one.
    log.add(truncated(route, node, when))
    log.add(router.plan("AGV01", node, when, "A01/W1"))
    log.hold(router, "AGV02", "P03", 0.0)
    log.add(router.plan("AGV02", "P03", 0.0, "QH1:198.0"))
    assert overlaps(log) == []


def test_cancel_needs_a_known_agv(tiny: GuidePath) -> None:
    """Cancelling an AGV the router does not know raises NotFound."""
    router = Router(tiny, edge_time)
    with pytest.raises(NotFound, match="AGV09"):
        router.cancel("AGV09", 0.0)
    router.hold("AGV01", "P01", 10.0)
    with pytest.raises(InvalidValue, match="before"):
        router.cancel("AGV01", 5.0)


def test_block_names_the_routes_to_replan_and_is_avoided(qianwan: GuidePath) -> None:
    """A fault block names the AGVs crossing it; re-planned, they keep clear of it."""
    router = Router(qianwan, edge_time)
    router.hold("AGV01", "P01", 0.0)
    route = planned(router, "AGV01", "P01", 0.0, "A10/W3")
    blocked = route.steps[len(route.steps) // 2]
    t0 = route.steps[1].enter_s
    assert router.routes_conflicting_with_block(blocked.node, t0, None) == ["AGV01"]
    router.block(blocked.node, t0, t0 + 600.0)
    node, when = router.cancel("AGV01", t0)
    again = planned(router, "AGV01", node, when, "A10/W3")
    for step in again.steps:
        if step.node == blocked.node:
            assert step.enter_s >= t0 + 600.0
    assert router.routes_conflicting_with_block(blocked.node, t0, t0 + 600.0) == []
    # New plans keep clear too; an indefinite block of the goal makes it unreachable.
    router.hold("AGV02", "P02", 0.0)
    other = planned(router, "AGV02", "P02", 0.0, "A10/W2")
    for step in other.steps:
        assert step.node != blocked.node or step.enter_s >= t0 + 600.0
    router.block("A11/W1", 0.0)
    router.hold("AGV03", "P03", 0.0)
    assert router.plan("AGV03", "P03", 0.0, "A11/W1") is None
    router.unblock("A11/W1", 50.0)
    late = planned(router, "AGV03", "P03", 0.0, "A11/W1")
    assert late.arrive_s >= 50.0


def test_blocked_segment_is_closed_both_ways(tiny: GuidePath) -> None:
    """Blocking an edge closes its segment in both directions."""
    router = Router(tiny, edge_time)
    router.block("B:100.0->B:105.8", 0.0)
    segment = tiny.edge("B:100.0", "B:105.8").segment
    assert [r.agv for r in router.reservations() if r.resource == segment] == [None]
    router.hold("AGV01", "CH01", 0.0)
    route = planned(router, "AGV01", "CH01", 0.0, "A01/W1")
    used = {s.via_edge.segment for s in route.steps if s.via_edge is not None}
    assert segment not in used
    with pytest.raises(NotFound):
        router.block("B:105.8->B:100.0", 0.0)
    with pytest.raises(InvalidValue):
        router.block("B:90.0", 10.0, 5.0)


def test_prune_drops_what_ended(tiny: GuidePath) -> None:
    """prune forgets reservations that ended, keeps holds and later ones."""
    router = Router(tiny, edge_time)
    router.hold("AGV01", "P01", 0.0)
    first = planned(router, "AGV01", "P01", 0.0, "QH1:102.0")
    second = planned(router, "AGV01", "QH1:102.0", first.arrive_s + 10.0, "P01")
    router.prune(first.arrive_s)
    left = list(router.reservations())
    assert all(r.end_s > first.arrive_s for r in left)
    assert any(r.resource == "P01" and r.end_s == math.inf for r in left)
    assert any(r.resource == "QH1:102.0" for r in left)
    router.prune(math.inf)
    assert [r.resource for r in router.reservations()] == ["P01"]
    assert second.goal == "P01"


def test_position_follows_the_route(tiny: GuidePath) -> None:
    """position is on the step's node while it stands there, between nodes while driving."""
    router = Router(tiny, edge_time)
    assert router.position("AGV01", 0.0) is None
    router.hold("AGV01", "P01", 0.0)
    route = planned(router, "AGV01", "P01", 5.0, "QH1:102.0")
    p = router.position("AGV01", 1.0)
    assert p is not None
    assert p.node == "P01"
    end = router.position("AGV01", route.arrive_s + 1000.0)
    assert end is not None
    assert end.node == "QH1:102.0"
    step = route.steps[1]
    mid = router.position("AGV01", (route.depart_s + step.enter_s) / 2)
    assert mid is not None
    assert mid.edge == step.via_edge
    assert mid.fraction == pytest.approx(0.5)
    a, b = tiny.node("P01"), tiny.node(step.node)
    assert (mid.x_m, mid.y_m) == pytest.approx(((a.x_m + b.x_m) / 2, (a.y_m + b.y_m) / 2))
