"""Conflict-free AGV routing: Safe Interval Path Planning over the guide path.

A :class:`Router` keeps a reservation table over the guide path's nodes and segments (an
edge and its reverse are one segment) in continuous time, and plans each AGV's route as
the earliest-arrival route that fits into the gaps the other AGVs left -- SIPP, Safe
Interval Path Planning (Phillips & Likhachev, ICRA 2011), with A* guided by a lower bound
of the driving time to the goal. The AGV waits only at nodes, and only inside a *safe
interval* of that node (a gap between other reservations).

Reservations, with ``c`` the clearance (``clearance_s``):

- a node is taken from the moment an AGV enters it until it leaves it, plus ``c``;
- a segment is taken from the moment an AGV enters it until it has left it, plus ``c``,
  in both directions (so two AGVs never meet head-on, and never follow each other on a
  segment closer than the segment itself);
- no two AGVs ever hold one node or one segment at overlapping times; fault blocks
  (:meth:`Router.block`) take a node or segment from everybody.

A plan is committed as it is returned: its reservations go into the table, and every later
plan respects them. The route is what the AGV (or the twin) must follow: be at each step's
node from ``enter_s`` until ``leave_s``. The last step of a plan with ``hold_goal`` holds
the goal indefinitely (``leave_s`` is infinite); the next plan of that AGV starts there,
releasing the hold as it departs.

Why AGVs never deadlock
-----------------------
1. Each plan is a whole timed route, conflict-free against every reservation committed
   before it, and every later plan keeps clear of it. AGVs that follow their routes on
   time therefore never meet, and never wait for each other at run time: all waiting is
   planned, so there is no circular wait.
2. Every route ends with an indefinite hold on its goal; all other reservations are
   finite. When goals are spurs (hand-overs, transfer points, chargers, parking places),
   which no route passes through, the holds block nobody's way.
3. So a plan from a spur to a spur that nobody holds always exists: nobody else can enter
   the AGV's own spur while it holds it, so it can wait there until every finite
   reservation has ended, and then drive to the goal over the through nodes, which stay
   strongly connected when the spurs are taken out. SIPP is complete and optimal for the
   earliest arrival, so it finds a route (usually much earlier than that).

The argument fails, and :meth:`Router.plan` may return ``None``, when a goal is held by
another AGV, when AGVs hold through nodes indefinitely (``hold`` or ``hold_goal`` on a
lane node) or when a fault blocks them. The caller then chooses another goal or retries
later. An AGV that falls behind its timed route breaks point 1: the ECS must then
:meth:`~Router.cancel` and re-plan it (and the ones it delays).

Performance: the table keeps each node's and segment's reservations sorted by time (they
never overlap, so ends are sorted too) and searches them by bisection; :meth:`Router.prune`
drops what ended before a time. Edge times are computed once per edge and start/stop case.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from opentos.errors import InvalidValue, NotFound
from opentos.model.guidepath import SPUR_KINDS, Edge, GuidePath

EdgeTime = Callable[[Edge, bool, bool], float]
"""``edge_time(edge, starts, stops)``: seconds to drive ``edge``; ``starts`` if the AGV
starts from standstill at its beginning, ``stops`` if it comes to a stop at its end. Must be
positive, finite and deterministic."""

_INF = math.inf
_EPS_S = 1e-6
"""Times this close count as equal when checking where an AGV is (float noise of a caller)."""


@dataclass(frozen=True, slots=True)
class Step:
    """Be at ``node`` from ``enter_s`` until ``leave_s``, reached over ``via_edge``.

    ``via_edge`` is ``None`` for a route's first step; ``leave_s`` is infinite for a last
    step that holds its goal. ``stops`` if the AGV comes to a standstill at the node (the
    route's ends, and wherever it waits; it may also stop and go at once): the arrival was
    timed with ``edge_time(via_edge, ..., stops=True)`` and the departure with
    ``starts=True``. Where ``stops`` is false, ``leave_s == enter_s``.
    """

    node: str
    enter_s: float
    leave_s: float
    via_edge: Edge | None
    stops: bool = True


@dataclass(frozen=True, slots=True)
class Route:
    """An AGV's committed timed route from ``steps[0].node`` to ``steps[-1].node``.

    ``depart_s`` is when the AGV leaves its start, ``arrive_s`` when it reaches its goal;
    ``distance_m`` is the length driven.
    """

    agv: str
    steps: tuple[Step, ...]
    depart_s: float
    arrive_s: float
    distance_m: float

    @property
    def start(self) -> str:
        """The node the route starts at."""
        return self.steps[0].node

    @property
    def goal(self) -> str:
        """The node the route ends at."""
        return self.steps[-1].node

    @property
    def nodes(self) -> tuple[str, ...]:
        """The nodes visited, in order."""
        return tuple(s.node for s in self.steps)


@dataclass(frozen=True, slots=True)
class Reservation:
    """``resource`` (a node id or a segment id ``"a<->b"``) taken from ``start_s`` to ``end_s``.

    ``agv`` is ``None`` for a fault block. ``end_s`` includes the clearance and may be
    infinite.
    """

    resource: str
    agv: str | None
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Position:
    """Where an AGV is: on ``node``, or on ``edge`` a ``fraction`` of the way (by time)."""

    node: str | None
    edge: Edge | None
    fraction: float
    x_m: float
    y_m: float


class Router:
    """Plans conflict-free timed AGV routes over a guide path and keeps their reservations.

    Parameters
    ----------
    path
        The guide path.
    edge_time
        Driving time of an edge (see :data:`EdgeTime`), built by the caller from the AGVs'
        kinematics.
    clearance_s
        Time a node or segment stays taken after an AGV has left it.

    Raises
    ------
    InvalidValue
        ``clearance_s`` is not positive, or ``edge_time`` gives a time that is not positive
        and finite.
    """

    def __init__(self, path: GuidePath, edge_time: EdgeTime, clearance_s: float = 1.0) -> None:
        if not (isinstance(clearance_s, int | float) and 0 < clearance_s < _INF):
            raise InvalidValue(f"router: clearance_s must be > 0, got {clearance_s!r}")
        self.path = path
        self.clearance_s = float(clearance_s)
        nodes = path.nodes
        self._ids: list[str] = [n.id for n in nodes]
        self._index: dict[str, int] = {n.id: i for i, n in enumerate(nodes)}
        self._spur: list[bool] = [n.kind in SPUR_KINDS for n in nodes]
        self._edges: tuple[Edge, ...] = path.edges
        self._resource_names: list[str] = list(self._ids)
        self._resource_index: dict[str, int] = dict(self._index)
        self._out: list[list[tuple[int, int, int]]] = [[] for _ in nodes]
        self._rev: list[list[tuple[int, float]]] = [[] for _ in nodes]
        self._times: list[tuple[float, float, float, float]] = []
        for e_index, edge in enumerate(self._edges):
            seg = self._resource_index.get(edge.segment)
            if seg is None:
                seg = len(self._resource_names)
                self._resource_names.append(edge.segment)
                self._resource_index[edge.segment] = seg
            u, v = self._index[edge.from_node], self._index[edge.to_node]
            self._out[u].append((v, e_index, seg))
            times = (
                edge_time(edge, False, False),
                edge_time(edge, False, True),
                edge_time(edge, True, False),
                edge_time(edge, True, True),
            )
            for t in times:
                if not (isinstance(t, int | float) and 0 < t < _INF):
                    raise InvalidValue(
                        f"router: edge_time gave {t!r} s for edge {edge.id}; "
                        "it must be positive and finite"
                    )
            self._times.append(times)
            self._rev[v].append((u, min(times)))
        n_resources = len(self._resource_names)
        # The table: per resource, reservations sorted by start (and so by end: they never
        # overlap), as parallel lists.
        self._starts: list[list[float]] = [[] for _ in range(n_resources)]
        self._ends: list[list[float]] = [[] for _ in range(n_resources)]
        self._owners: list[list[str]] = [[] for _ in range(n_resources)]
        self._blocks: dict[int, list[tuple[float, float]]] = {}
        self._own: dict[str, list[tuple[int, float, float]]] = {}
        self._timeline: dict[str, list[Step]] = {}
        self._heuristics: dict[int, list[float]] = {}

    # --- public API ---------------------------------------------------------------------------

    def plan(
        self, agv: str, start: str, at: float, goal: str, *, hold_goal: bool = True
    ) -> Route | None:
        """Plan and commit ``agv``'s earliest-arrival conflict-free route to ``goal``.

        The AGV stands at ``start`` at time ``at``; it may wait there, and at nodes on the
        way, inside their safe intervals. Its hold on ``start`` is released as it departs.

        Parameters
        ----------
        agv
            The AGV's id.
        start
            Where the AGV stands at ``at`` (where its last route ended, or its hold). If
            :meth:`cancel` left it passing ``start`` without stopping, the route leaves at
            once and not back the way it came, if such a route exists; otherwise the AGV
            is taken to stop there (braking a little later than its last edge was timed).
        at
            Time (s) from which the AGV may move.
        goal
            The node to reach; ideally a spur (see the module docstring).
        hold_goal
            Hold the goal indefinitely after arriving (until the AGV's next plan). Without
            it the goal is taken only until arrival plus clearance, and the caller must
            plan the AGV's next leg from there at once.

        Returns
        -------
        Route | None
            The committed route, or ``None`` (nothing changed) if no conflict-free route
            exists: the goal is held by another AGV or blocked, or the way is cut by holds
            or blocks on through nodes. Choose another goal or retry later.

        Raises
        ------
        NotFound
            ``start`` or ``goal`` is not a node.
        InvalidValue
            ``at`` is not finite, the AGV is committed to be elsewhere at or after ``at``
            (:meth:`cancel` it first), or another AGV holds ``start`` at ``at``.
        """
        s, g = self._node(start), self._node(goal)
        if not math.isfinite(at):
            raise InvalidValue(f"AGV {agv}: plan time must be finite, got {at!r}")
        at = float(at)
        timeline = self._timeline.get(agv)
        current = -1
        came_from = -1
        if timeline:
            current, on_node = self._where(timeline, at)
            step = timeline[current] if current >= 0 else None
            if step is None and timeline[0].enter_s - at <= _EPS_S:
                current, step, on_node, at = 0, timeline[0], True, timeline[0].enter_s
            if step is not None and not on_node and timeline[current + 1].enter_s - at <= _EPS_S:
                current += 1
                step, on_node, at = timeline[current], True, timeline[current].enter_s
            if step is None or not on_node or step.node != start:
                where = "before its route" if step is None else self._describe(timeline, at)
                raise InvalidValue(
                    f"AGV {agv} is {where} at {at:g} s, not at {start}; cancel(agv, at) "
                    "and plan from where it stops"
                )
            if not step.stops and step.via_edge is not None and at - step.enter_s <= _EPS_S:
                # It drives through (cancel() left it here): it goes on without stopping.
                came_from = self._index[step.via_edge.from_node]
        own = self._own.get(agv, [])
        for r, a, _ in own:
            if a > at + _EPS_S:
                raise InvalidValue(
                    f"AGV {agv} is committed to {self._resource_names[r]} from {a:g} s, after "
                    f"{at:g} s; cancel(agv, at) before planning again"
                )
        active = [x for x in own if x[2] > at]
        for r, a, _ in active:
            self._remove(r, a, agv)
        try:
            starts, ends, owners = self._starts[s], self._ends[s], self._owners[s]
            i = bisect_right(ends, at)
            if i < len(starts) and starts[i] <= at:
                raise InvalidValue(
                    f"AGV {agv} cannot start at {start} at {at:g} s: AGV {owners[i]} holds it "
                    f"from {starts[i]:g} to {ends[i]:g} s"
                )
            found = None
            if came_from >= 0:
                found = self._search(s, at, g, hold_goal, came_from)
            if found is None:
                found = self._search(s, at, g, hold_goal, -1)
        except BaseException:
            for r, a, b in active:
                self._insert(r, a, b, agv)
            raise
        if found is None:
            for r, a, b in active:
                self._insert(r, a, b, agv)
            return None
        return self._commit(agv, at, found, hold_goal, active, current)

    def hold(self, agv: str, node: str, from_s: float) -> None:
        """Hold ``node`` for ``agv`` from ``from_s`` on, indefinitely (an initial position).

        Raises
        ------
        NotFound
            ``node`` is not a node.
        InvalidValue
            The AGV has reservations after ``from_s`` (cancel them first), or another AGV
            holds ``node`` after ``from_s``.
        """
        r = self._node(node)
        if not math.isfinite(from_s):
            raise InvalidValue(f"AGV {agv}: hold time must be finite, got {from_s!r}")
        own = self._own.get(agv, [])
        for rr, a, b in own:
            if b > from_s:
                raise InvalidValue(
                    f"AGV {agv} holds {self._resource_names[rr]} from {a:g} to {b:g} s; "
                    f"cancel(agv, {from_s:g}) before holding {node}"
                )
        starts, ends, owners = self._starts[r], self._ends[r], self._owners[r]
        i = bisect_right(ends, from_s)
        if i < len(starts):
            raise InvalidValue(
                f"cannot hold {node} for AGV {agv} from {from_s:g} s: AGV {owners[i]} holds it "
                f"from {starts[i]:g} to {ends[i]:g} s"
            )
        self._insert(r, from_s, _INF, agv)
        self._own[agv] = [*own, (r, from_s, _INF)]
        self._timeline[agv] = [Step(node, from_s, _INF, None)]

    def cancel(self, agv: str, after_s: float) -> tuple[str, float]:
        """Drop ``agv``'s route after ``after_s``; return where and when it stops.

        An AGV on a node at ``after_s`` stops there; one on an edge drives on to the edge's
        end and stops there. The reservations it still needs (the node or edge it is on, the
        node where it stops) are kept, the rest dropped. Where it stops it keeps its
        reservation as planned, or holds the node indefinitely if nobody else comes later.

        Returns
        -------
        tuple[str, float]
            The node and the time from which to :meth:`plan` the AGV again (do so at once).

        Raises
        ------
        NotFound
            The AGV has no route or hold.
        InvalidValue
            ``after_s`` is before the start of the AGV's latest route.
        """
        timeline = self._timeline.get(agv)
        if not timeline:
            raise NotFound(f"AGV {agv} has no route or hold in the router")
        k, on_node = self._where(timeline, after_s)
        if k < 0:
            raise InvalidValue(
                f"AGV {agv}: {after_s:g} s is before its latest route "
                f"(from {timeline[0].enter_s:g} s)"
            )
        if on_node:
            stop_k, t_stop = k, after_s
        else:
            stop_k, t_stop = k + 1, timeline[k + 1].enter_s
        stop = timeline[stop_k]
        r_stop = self._index[stop.node]
        kept: list[tuple[int, float, float]] = []
        stop_reservation: tuple[int, float, float] | None = None
        for res in self._own.get(agv, []):
            r, a, b = res
            if r == r_stop and a <= t_stop < b:
                stop_reservation = res
            elif a > after_s or (on_node and a == after_s):
                self._remove(r, a, agv)
            else:
                kept.append(res)
        if stop_reservation is not None:
            r, a, b = stop_reservation
            i = self._find(r, a, agv)
            later_block = any(e > b for _, e in self._blocks.get(r, ()))
            if i == len(self._starts[r]) - 1 and not later_block:
                self._ends[r][i] = _INF
                b = _INF
            kept.append((r, a, b))
        self._own[agv] = kept
        self._timeline[agv] = [
            *timeline[:stop_k],
            Step(stop.node, stop.enter_s, _INF, stop.via_edge, stop.stops),
        ]
        return stop.node, t_stop

    def block(self, node_or_edge_id: str, from_s: float, until_s: float | None = None) -> None:
        """Take a node or segment from everybody from ``from_s`` to ``until_s`` (a fault).

        ``node_or_edge_id`` is a node id, an edge id ``"a->b"`` or a segment id ``"a<->b"``;
        an edge blocks its segment (both directions). ``until_s`` ``None`` blocks until
        :meth:`unblock`. Routes committed before are not changed: re-plan the AGVs that
        :meth:`routes_conflicting_with_block` names.

        Raises
        ------
        NotFound
            No such node, edge or segment.
        InvalidValue
            ``from_s`` is not finite, or ``until_s`` is not after it.
        """
        r = self._resource(node_or_edge_id)
        end = _INF if until_s is None else until_s
        if not math.isfinite(from_s) or not end > from_s:
            raise InvalidValue(
                f"block of {node_or_edge_id}: needs a finite from_s before until_s, got "
                f"{from_s!r} to {until_s!r}"
            )
        blocks = self._blocks.setdefault(r, [])
        blocks.append((float(from_s), float(end)))
        blocks.sort()

    def unblock(self, node_or_edge_id: str, at_s: float) -> None:
        """Lift every block of a node or segment from ``at_s`` on.

        Raises
        ------
        NotFound
            No such node, edge or segment.
        """
        r = self._resource(node_or_edge_id)
        kept = [(a, min(b, at_s)) for a, b in self._blocks.get(r, ()) if a < at_s]
        if kept:
            self._blocks[r] = kept
        else:
            self._blocks.pop(r, None)

    def routes_conflicting_with_block(
        self, node_or_edge_id: str, from_s: float, until_s: float | None = None
    ) -> list[str]:
        """AGVs whose reservations of a node or segment overlap ``from_s`` to ``until_s``.

        These must be re-planned (:meth:`cancel`, then :meth:`plan`) around a block of it;
        the list includes an AGV that broke down there. Sorted ids.

        Raises
        ------
        NotFound
            No such node, edge or segment.
        """
        r = self._resource(node_or_edge_id)
        end = _INF if until_s is None else until_s
        starts, ends, owners = self._starts[r], self._ends[r], self._owners[r]
        found: set[str] = set()
        for i in range(bisect_right(ends, from_s), len(starts)):
            if starts[i] >= end:
                break
            found.add(owners[i])
        return sorted(found)

    def reservations(self) -> Iterator[Reservation]:
        """Every reservation and block in the table, by resource then time."""
        for r, name in enumerate(self._resource_names):
            starts, ends, owners = self._starts[r], self._ends[r], self._owners[r]
            for a, b, o in zip(starts, ends, owners, strict=True):
                yield Reservation(name, o, a, b)
            for a, b in self._blocks.get(r, ()):
                yield Reservation(name, None, a, b)

    def position(self, agv: str, t: float) -> Position | None:
        """Where ``agv`` is at ``t`` by its latest route or hold; ``None`` if not known."""
        timeline = self._timeline.get(agv)
        if not timeline:
            return None
        k, on_node = self._where(timeline, t)
        if k < 0:
            return None
        step = timeline[k]
        if on_node:
            node = self.path.node(step.node)
            return Position(step.node, None, 0.0, node.x_m, node.y_m)
        nxt = timeline[k + 1]
        edge = nxt.via_edge
        assert edge is not None  # every step after the first came over an edge
        fraction = (t - step.leave_s) / (nxt.enter_s - step.leave_s)
        a, b = self.path.node(edge.from_node), self.path.node(edge.to_node)
        return Position(
            None,
            edge,
            fraction,
            a.x_m + (b.x_m - a.x_m) * fraction,
            a.y_m + (b.y_m - a.y_m) * fraction,
        )

    def prune(self, before_s: float) -> None:
        """Forget reservations and blocks that ended at or before ``before_s``."""
        for r in range(len(self._resource_names)):
            ends = self._ends[r]
            i = bisect_right(ends, before_s)
            while i and ends[i - 1] == _INF:
                i -= 1  # holds never end
            if i:
                del self._starts[r][:i]
                del ends[:i]
                del self._owners[r][:i]
        for r in list(self._blocks):
            kept = [(a, b) for a, b in self._blocks[r] if b > before_s or b == _INF]
            if kept:
                self._blocks[r] = kept
            else:
                del self._blocks[r]
        for agv, own in self._own.items():
            self._own[agv] = [x for x in own if x[2] > before_s or x[2] == _INF]

    # --- search -------------------------------------------------------------------------------

    def _search(
        self, s: int, at: float, g: int, hold_goal: bool, came_from: int
    ) -> list[tuple[int, float, float, int, bool]] | None:
        """SIPP with A*: ``[(node, arrive, depart_from_previous, edge, stops), ...]``.

        The AGV stands at ``s`` at ``at``; or, if ``came_from`` is a node (not -1), it
        passes ``s`` at ``at`` coming from there, so it leaves at once and not back.
        """
        c = self.clearance_s
        gap = self._gap_at(s, at)
        if gap is None:
            return None
        if hold_goal:
            _, goal_ends = self._busy(g)
            if goal_ends and goal_ends[-1] == _INF:
                return None  # held by another AGV or blocked for good
        h = self._heuristic(g)
        if h[s] == _INF:
            return None
        out, times, spur, busy = self._out, self._times, self._spur, self._busy
        # States, as parallel lists: node, its gap's end, stopped?, arrival, parent, edge,
        # departure from the parent.
        st_node = [s]
        st_gap_end = [gap[1]]
        root_stopped = came_from < 0
        st_stopped = [root_stopped]
        st_arrive = [at]
        st_parent = [-1]
        st_edge = [-1]
        st_depart = [at]
        best: dict[tuple[int, float, bool], float] = {(s, gap[0], root_stopped): at}
        st_key = [(s, gap[0], root_stopped)]
        heap: list[tuple[float, int]] = [(at + h[s], 0)]
        while heap:
            _, k = heapq.heappop(heap)
            t = st_arrive[k]
            if t > best[st_key[k]]:
                continue
            u = st_node[k]
            stopped = st_stopped[k]
            if u == g and stopped and (not hold_goal or st_gap_end[k] == _INF):
                path: list[tuple[int, float, float, int, bool]] = []
                while k >= 0:
                    path.append((st_node[k], st_arrive[k], st_depart[k], st_edge[k], st_stopped[k]))
                    k = st_parent[k]
                path.reverse()
                return path
            u_end = st_gap_end[k]
            if stopped:
                dmin, dmax, base, back = t, u_end - c, 2, -1
                if dmax < dmin:
                    continue
            else:
                # A moving AGV leaves at once and does not turn back without stopping.
                dmin, dmax, base = t, t, 0
                back = st_node[st_parent[k]] if k else came_from
            for v, e, seg in out[u]:
                if v == back:
                    continue
                hv = h[v]
                if hv == _INF:
                    continue
                v_starts, v_ends = busy(v)
                n_v = len(v_starts)
                s_starts, s_ends = busy(seg)
                n_s = len(s_starts)
                e_times = times[e]
                for stop in (False, True) if not spur[v] else (True,):
                    d = e_times[base + stop]
                    lo = dmin + d
                    hi = dmax + d
                    # Gaps of v from the one containing lo (or after it) up to hi.
                    i = bisect_right(v_ends, lo)
                    gap_start = v_ends[i - 1] if i else -_INF
                    while gap_start <= hi:
                        gap_end = v_starts[i] if i < n_v else _INF
                        if gap_end - c >= (lo if lo > gap_start else gap_start):
                            # Depart at x, arrive at a; the segment must be free over
                            # [x, a + c). Times are compared exactly as they are committed
                            # (a is at least gap_start even where x + d rounds below it).
                            x = dmin if dmin > gap_start - d else gap_start - d
                            a = x + d if x + d >= gap_start else gap_start
                            j = bisect_right(s_ends, x)
                            while j < n_s and s_starts[j] < a + c:
                                x = s_ends[j]
                                j += 1
                                a = x + d if x + d >= gap_start else gap_start
                            if x > dmax or x + c > u_end:
                                break
                            if a + c <= gap_end:
                                key = (v, gap_start, stop)
                                if a < best.get(key, _INF):
                                    best[key] = a
                                    st_key.append(key)
                                    st_node.append(v)
                                    st_gap_end.append(gap_end)
                                    st_stopped.append(stop)
                                    st_arrive.append(a)
                                    st_parent.append(k)
                                    st_edge.append(e)
                                    st_depart.append(x)
                                    heapq.heappush(heap, (a + hv, len(st_node) - 1))
                        if i >= n_v:
                            break
                        gap_start = v_ends[i]
                        i += 1
        return None

    def _heuristic(self, g: int) -> list[float]:
        """Least driving time from every node to ``g`` (reverse Dijkstra), cached per goal."""
        h = self._heuristics.get(g)
        if h is not None:
            return h
        h = [_INF] * len(self._ids)
        h[g] = 0.0
        heap = [(0.0, g)]
        while heap:
            d, v = heapq.heappop(heap)
            if d > h[v]:
                continue
            for u, t in self._rev[v]:
                if d + t < h[u]:
                    h[u] = d + t
                    heapq.heappush(heap, (d + t, u))
        self._heuristics[g] = h
        return h

    def _busy(self, r: int) -> tuple[list[float], list[float]]:
        """Starts and ends of the taken intervals of resource ``r``, blocks merged in."""
        blocks = self._blocks.get(r)
        if not blocks:
            return self._starts[r], self._ends[r]
        intervals = sorted([*zip(self._starts[r], self._ends[r], strict=True), *blocks])
        starts: list[float] = []
        ends: list[float] = []
        for a, b in intervals:
            if ends and a <= ends[-1]:
                ends[-1] = max(ends[-1], b)
            else:
                starts.append(a)
                ends.append(b)
        return starts, ends

    def _gap_at(self, r: int, t: float) -> tuple[float, float] | None:
        """The free interval of resource ``r`` containing ``t``; ``None`` if ``t`` is taken."""
        starts, ends = self._busy(r)
        i = bisect_right(ends, t)
        if i < len(starts) and starts[i] <= t:
            return None
        return (ends[i - 1] if i else -_INF, starts[i] if i < len(starts) else _INF)

    # --- committing ---------------------------------------------------------------------------

    def _commit(
        self,
        agv: str,
        at: float,
        found: list[tuple[int, float, float, int, bool]],
        hold_goal: bool,
        active: list[tuple[int, float, float]],
        current: int,
    ) -> Route:
        c = self.clearance_s
        s = found[0][0]
        steps: list[Step] = []
        for index, (v, arrive, _, e, stops) in enumerate(found):
            if index + 1 < len(found):
                leave = found[index + 1][2]
            elif hold_goal:
                leave = _INF
            else:
                leave = arrive
            edge = None if e < 0 else self._edges[e]
            steps.append(Step(self._ids[v], arrive, leave, edge, stops))
        # The start keeps its reservation from when the AGV got there.
        first_start = min([at] + [a for r, a, _ in active if r == s])
        new: list[tuple[int, float, float]] = [(s, first_start, steps[0].leave_s + c)]
        new += [x for x in active if x[0] != s]
        for index in range(1, len(found)):
            v, arrive, depart, e, _ = found[index]
            new.append((self._resource_index[self._edges[e].segment], depart, arrive + c))
            new.append((v, arrive, steps[index].leave_s + c))
        # One AGV's own intervals on a resource may overlap (it passed twice): merge them.
        new.sort()
        merged: list[tuple[int, float, float]] = []
        for r, a, b in new:
            if merged and merged[-1][0] == r and a <= merged[-1][2]:
                if b > merged[-1][2]:
                    merged[-1] = (r, merged[-1][1], b)
            else:
                merged.append((r, a, b))
        for r, a, b in merged:
            self._insert(r, a, b, agv)
        self._own[agv] = [x for x in self._own.get(agv, []) if x[2] <= at] + merged
        timeline = self._timeline.get(agv, [])
        if current >= 0:
            here = timeline[current]
            steps_for_timeline = [
                *timeline[:current],
                Step(here.node, here.enter_s, steps[0].leave_s, here.via_edge, steps[0].stops),
                *steps[1:],
            ]
        else:
            steps_for_timeline = list(steps)
        # Keep only the latest route, from the step the AGV started it on.
        start_index = max(current, 0)
        self._timeline[agv] = steps_for_timeline[start_index:]
        distance = sum(st.via_edge.length_m for st in steps if st.via_edge is not None)
        return Route(
            agv,
            tuple(steps),
            steps[0].leave_s if len(steps) > 1 else at,
            steps[-1].enter_s,
            distance,
        )

    # --- table --------------------------------------------------------------------------------

    def _insert(self, r: int, a: float, b: float, agv: str) -> None:
        starts = self._starts[r]
        i = bisect_right(starts, a)
        starts.insert(i, a)
        self._ends[r].insert(i, b)
        self._owners[r].insert(i, agv)

    def _find(self, r: int, a: float, agv: str) -> int:
        starts, owners = self._starts[r], self._owners[r]
        i = bisect_left(starts, a)
        while i < len(starts) and starts[i] == a:
            if owners[i] == agv:
                return i
            i += 1
        raise LookupError(f"router table: no reservation of {self._resource_names[r]} at {a}")

    def _remove(self, r: int, a: float, agv: str) -> None:
        i = self._find(r, a, agv)
        del self._starts[r][i]
        del self._ends[r][i]
        del self._owners[r][i]

    # --- helpers ------------------------------------------------------------------------------

    def _node(self, node_id: str) -> int:
        try:
            return self._index[node_id]
        except KeyError:
            raise NotFound(f"no node {node_id!r} in the guide path") from None

    def _resource(self, node_or_edge_id: str) -> int:
        if node_or_edge_id in self._resource_index:
            return self._resource_index[node_or_edge_id]
        a, arrow, b = node_or_edge_id.partition("->")
        if arrow and a in self._index and b in self._index:
            segment = self.path.edge(a, b).segment
            return self._resource_index[segment]
        raise NotFound(f"no node, edge or segment {node_or_edge_id!r} in the guide path")

    @staticmethod
    def _where(timeline: list[Step], t: float) -> tuple[int, bool]:
        """``(k, True)``: on step ``k``'s node at ``t``; ``(k, False)``: on the edge after it.

        ``k`` is -1 before the first step; after the last step, the AGV is on its node.
        """
        lo, hi = 0, len(timeline)
        while lo < hi:
            mid = (lo + hi) // 2
            if timeline[mid].enter_s <= t:
                lo = mid + 1
            else:
                hi = mid
        k = lo - 1
        if k < 0:
            return -1, False
        if t <= timeline[k].leave_s or k == len(timeline) - 1:
            return k, True
        return k, False

    def _describe(self, timeline: list[Step], t: float) -> str:
        k, on_node = self._where(timeline, t)
        if on_node:
            return f"at {timeline[k].node}"
        return f"between {timeline[k].node} and {timeline[k + 1].node}"
