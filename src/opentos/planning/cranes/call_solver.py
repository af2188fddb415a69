"""The solver behind :func:`opentos.planning.cranes.call.plan_call_cranes`.

Tasks (one per section and stage), their exact timing for fixed routes, the
constructive sweep plans and the CP-SAT model; see the module docstring of
:mod:`opentos.planning.cranes.call` for the rules they keep.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from opentos.model.moves import dual_cycle_order
from opentos.planning.paths import earliest_starts
from opentos.planning.result import Status

if TYPE_CHECKING:
    from opentos.planning.cranes.call import CallCraneProblem, CallMove


@dataclass(frozen=True, slots=True)
class Task:
    """The moves of one section and stage, in working order, with their dual flags."""

    section: int
    stage: int
    x_m: float
    moves: tuple[tuple[CallMove, bool], ...]
    duration_s: int


def tasks_of(p: CallCraneProblem) -> tuple[list[Task], list[tuple[int, int]]]:
    """Tasks sorted by section and stage, and the precedence pairs between them."""
    groups: dict[tuple[int, int], list[CallMove]] = defaultdict(list)
    for move in p.moves:
        stage = move.stage
        if p.dual_cycling and stage == 2:
            stage = 1  # the hold's discharges and loads form one stage
        groups[(p.section_of(move.slot.bay), stage)].append(move)
    tasks: list[Task] = []
    for (section, stage), group in sorted(groups.items()):
        ordered = _work_order(group, p.dual_cycling and stage == 1)
        duration = sum(p.planned_s(m, dual) for m, dual in ordered)
        tasks.append(Task(section, stage, p.sections[section], tuple(ordered), duration))
    precedences = [
        (i, i + 1) for i in range(len(tasks) - 1) if tasks[i].section == tasks[i + 1].section
    ]
    return tasks, precedences


def _tier_key(move: CallMove) -> tuple[int, int, int]:
    """Discharges from the top down, loads from the bottom up; then row and bay."""
    tier = -move.slot.tier if move.kind == "discharge" else move.slot.tier
    return (tier, move.slot.row, move.slot.bay)


def _work_order(moves: list[CallMove], dual: bool) -> list[tuple[CallMove, bool]]:
    """A stage's moves in working order; with ``dual``, hold discharges and loads interleaved.

    (:func:`~opentos.model.moves.dual_cycle_order`); a load followed by a discharge
    shares its cycle.
    """
    if not dual:
        return [(m, False) for m in sorted(moves, key=_tier_key)]
    out = dual_cycle_order(
        sorted((m for m in moves if m.kind == "discharge"), key=_tier_key),
        sorted((m for m in moves if m.kind == "load"), key=_tier_key),
    )
    return [
        (m, m.kind == "load" and i + 1 < len(out) and out[i + 1].kind == "discharge")
        for i, m in enumerate(out)
    ]


def _clash(p: CallCraneProblem, crane_a: int, x_a: float, crane_b: int, x_b: float) -> bool:
    """True if neighbouring cranes ``a`` and ``b`` cannot stand at these positions together."""
    return not (p.safe(x_a, x_b) if crane_a < crane_b else p.safe(x_b, x_a))


def earliest(
    p: CallCraneProblem,
    tasks: Sequence[Task],
    precedences: Sequence[tuple[int, int]],
    routes: Sequence[Sequence[int]],
    rank: Sequence[float],
) -> list[int] | None:
    """Earliest task starts for fixed routes, or None if there are none.

    Where neighbours' occupations clash, the task of lower ``rank`` occupies its place
    first (a crane's start position always first). Each occupation of a task runs from
    when its crane leaves for it until it reaches its next task, so the constraints
    form a difference system, solved by longest paths (Bellman-Ford).
    """
    n, q = len(tasks), len(p.cranes)
    crane_of = [-1] * n
    after: list[int | None] = [None] * n
    arrive = [0] * n  # travel into each task
    lower = [0] * n
    first: list[int | None] = [None] * q
    edges: list[tuple[int, int, int]] = []  # start[b] >= start[a] + c
    for k, route in enumerate(routes):
        here = p.start_x_m[k]
        for pos, i in enumerate(route):
            crane_of[i] = k
            arrive[i] = p.travel_s(here, tasks[i].x_m)
            if pos == 0:
                first[k] = i
                lower[i] = p.ready_s[k] + arrive[i]
            else:
                a = route[pos - 1]
                after[a] = i
                edges.append((a, i, tasks[a].duration_s + arrive[i]))
            here = tasks[i].x_m
    if min(crane_of, default=0) < 0:
        return None
    edges += [(i, j, tasks[i].duration_s) for i, j in precedences]
    for j in range(n):
        w = crane_of[j]
        for v in (w - 1, w + 1):
            if 0 <= v < q and _clash(p, v, p.start_x_m[v], w, tasks[j].x_m):
                f = first[v]
                if f is None:
                    return None
                edges.append((f, j, arrive[j]))
    for i in range(n):
        for j in range(i + 1, n):
            if abs(crane_of[i] - crane_of[j]) != 1:
                continue
            if not _clash(p, crane_of[i], tasks[i].x_m, crane_of[j], tasks[j].x_m):
                continue
            a, b = (i, j) if (rank[i], i) < (rank[j], j) else (j, i)
            nxt = after[a]
            if nxt is None:
                return None
            edges.append((nxt, b, arrive[b]))
    return earliest_starts(lower, edges)


def makespan_of(tasks: Sequence[Task], starts: Sequence[int]) -> int:
    return max((s + t.duration_s for s, t in zip(starts, tasks, strict=True)), default=0)


# --- constructive plan --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sweep:
    """A timed constructive plan: its tasks (some cut in pieces), routes and starts."""

    tasks: list[Task]
    precedences: list[tuple[int, int]]
    routes: list[list[int]]
    starts: list[int]

    @property
    def makespan_s(self) -> int:
        """When the last task ends."""
        return makespan_of(self.tasks, self.starts)


def sweeps(p: CallCraneProblem, tasks: Sequence[Task]) -> list[Sweep]:
    """Timed plans of contiguous zones swept west to east or east to west, best first.

    The moves are lined up along the sweep, a section's later stages first and each
    stage's moves last first: where a zone boundary cuts a section (``split_sections``,
    even inside a stage) the crane that reaches the section first (the one ahead in
    the sweep) does the earlier part. Several cuts are tried: the one that minimises
    the largest ready time + travel + work of a crane (a bisection on that bound,
    each zone taken greedily), a few a little looser, and an even share of the work
    left; each with and without two rules, zones that leave room for the cranes after
    them to end apart, and zones long enough for neighbours to start and end clear of
    each other. Clashing work of neighbours goes with the crane ahead in the sweep
    first, or with the one that has done less work before it.
    """
    found: dict[tuple[int, ...], Sweep] = {}
    for direction in (1, -1):
        line = _Line(p, tasks, direction)
        candidates: list[list[int]] = []
        for rules in ((True, True), (False, True), (True, False), (False, False)):
            least = line.least_limit(rules)
            for step in range(4 if least is not None else 0):
                assert least is not None
                ends = line.cut(least + step * least // 100, rules)
                if ends is not None:
                    candidates.append(ends)
            ends = line.even(rules)
            if ends is not None:
                candidates.append(ends)
        for ends in candidates:
            for ahead_first in (True, False):
                made = _timed(p, tasks, line, ends, ahead_first)
                if made is not None:
                    key = (direction, ahead_first, *ends)
                    found.setdefault(key, made)
    return sorted(found.values(), key=lambda sweep: sweep.makespan_s)


_Rules = tuple[bool, bool]
"""How zones are cut: (capped: leave room for the cranes after; spaced: zones span apart)."""


class _Line:
    """The moves lined up along a sweep, with prefix sums of work and travel."""

    def __init__(self, p: CallCraneProblem, tasks: Sequence[Task], direction: int) -> None:
        self.p, self.tasks, self.direction = p, tasks, direction
        order = sorted(
            range(len(tasks)), key=lambda i: (direction * tasks[i].section, -tasks[i].stage)
        )
        self.units = [(i, m) for i in order for m in reversed(range(len(tasks[i].moves)))]
        units = self.units
        self.cuts = [
            c
            for c in range(len(units) + 1)
            if c in (0, len(units))
            or p.split_sections
            or tasks[units[c - 1][0]].section != tasks[units[c][0]].section
        ]
        self.work, self.moving = [0], [0]
        for c, (i, m) in enumerate(units):
            move, dual = tasks[i].moves[m]
            self.work.append(self.work[-1] + p.planned_s(move, dual))
            before = tasks[units[c - 1][0]].x_m if c else tasks[i].x_m
            self.moving.append(self.moving[-1] + p.travel_s(before, tasks[i].x_m))
        q = len(p.cranes)
        self.cranes = list(range(q)) if direction == 1 else list(range(q - 1, -1, -1))
        self.caps = self._caps()

    def _caps(self) -> list[int]:
        """How far along the line each crane's zone may reach, for cranes to end apart.

        The last crane ends at the line's end; each crane before it ends on a section
        that does not clash with where the next one may end at the latest.
        """
        p, tasks, units = self.p, self.tasks, self.units
        xs = p.sections
        along = sorted(range(len(xs)), key=lambda s: self.direction * xs[s])
        limits = [along.index(tasks[units[-1][0]].section)] * len(self.cranes)
        for j in range(len(self.cranes) - 2, -1, -1):
            behind, ahead = self.cranes[j], self.cranes[j + 1]
            s = limits[j + 1]
            while s >= 0 and _clash(p, behind, xs[along[s]], ahead, xs[along[limits[j + 1]]]):
                s -= 1
            limits[j] = s
        rank = {section: pos for pos, section in enumerate(along)}
        return [sum(1 for i, _ in units if rank[tasks[i].section] <= top) for top in limits]

    def cost(self, k: int, a: int, b: int) -> int:
        """Crane ``k``'s ready time, travel and work for the zone ``units[a:b]``."""
        if a == b:
            return 0
        p = self.p
        reach = p.ready_s[k] + p.travel_s(p.start_x_m[k], self.tasks[self.units[a][0]].x_m)
        return reach + self.work[b] - self.work[a] + self.moving[b] - self.moving[a + 1]

    def _apart(self, a: int, b: int) -> bool:
        """True if a crane behind at unit ``a``'s section and one ahead (in the sweep) at
        unit ``b``'s can stand together."""
        xa = self.tasks[self.units[a][0]].x_m
        xb = self.tasks[self.units[b][0]].x_m
        behind, ahead = (0, 1) if self.direction == 1 else (1, 0)
        return not _clash(self.p, behind, xa, ahead, xb)

    def _room(self, j: int, pos: int, rules: _Rules) -> tuple[int, int] | None:
        """Indexes into ``cuts`` of the first and last zone end open to the ``j``-th crane
        from ``pos``; None if there is none."""
        capped, spaced = rules
        last = len(self.cuts) - 1
        low = bisect_left(self.cuts, pos)
        high = last if j == len(self.cranes) - 1 else low
        if j < len(self.cranes) - 1:
            high = bisect_right(self.cuts, self.caps[j]) - 1 if capped else last
        if j == len(self.cranes) - 1:
            low = last
        if spaced and pos < len(self.units):
            # A zone spans from section to section far enough apart for neighbours, so
            # the cranes start and end their zones clear of each other.
            while low <= high and self.cuts[low] > pos and not self._apart(pos, self.cuts[low] - 1):
                low += 1
        return (low, high) if low <= high else None

    def cut(self, limit: int, rules: _Rules) -> list[int] | None:
        """Each crane's zone end, taking as much as fits in ``limit``; None if some is left."""
        ends: list[int] = []
        pos = 0
        for j, k in enumerate(self.cranes):
            room = self._room(j, pos, rules)
            if room is None:
                return None
            low, high = room
            if self.cost(k, pos, self.cuts[low]) > limit:
                return None
            while low < high:  # the last end that fits: a zone's cost grows with its end
                mid = (low + high + 1) // 2
                if self.cost(k, pos, self.cuts[mid]) <= limit:
                    low = mid
                else:
                    high = mid - 1
            pos = self.cuts[low]
            ends.append(pos)
        return ends

    def least_limit(self, rules: _Rules) -> int | None:
        """The least bound on a crane's time for which :meth:`cut` cuts the whole line."""
        low = 0
        high = max(self.cost(k, 0, len(self.units)) for k in self.cranes)
        high += self.work[-1] + self.moving[-1]
        if self.cut(high, rules) is None:
            return None
        while low < high:
            mid = (low + high) // 2
            if self.cut(mid, rules) is None:
                low = mid + 1
            else:
                high = mid
        return high

    def even(self, rules: _Rules) -> list[int] | None:
        """Each crane takes an even share of the work left (to the nearest end open to it)."""
        ends: list[int] = []
        pos = 0
        cranes_left = len(self.cranes)
        for j in range(len(self.cranes)):
            room = self._room(j, pos, rules)
            if room is None:
                return None
            target = self.work[pos] + (self.work[-1] - self.work[pos]) / cranes_left
            options = self.cuts[room[0] : room[1] + 1]
            pos = min(options, key=lambda c: (abs(self.work[c] - target), c))
            ends.append(pos)
            cranes_left -= 1
        return ends


def _timed(
    p: CallCraneProblem, tasks: Sequence[Task], line: _Line, ends: Sequence[int], ahead_first: bool
) -> Sweep | None:
    """Cut the tasks where the zones cut them, route each crane along the sweep, time it."""
    crane_of_unit: dict[tuple[int, int], int] = {}
    begin = 0
    for k, end in zip(line.cranes, ends, strict=True):
        for unit in line.units[begin:end]:
            crane_of_unit[unit] = k
        begin = end
    direction = line.direction
    pieces: list[Task] = []
    owner: list[int] = []
    for i, task in enumerate(tasks):
        runs = itertools.groupby(range(len(task.moves)), key=lambda m: crane_of_unit[i, m])
        for k, positions in runs:
            chosen = list(positions)
            moves = tuple((task.moves[m][0], task.moves[m][1] and m != chosen[-1]) for m in chosen)
            duration = sum(p.planned_s(move, dual) for move, dual in moves)
            pieces.append(Task(task.section, task.stage, task.x_m, moves, duration))
            owner.append(k)
    precedences = [
        (i, i + 1) for i in range(len(pieces) - 1) if pieces[i].section == pieces[i + 1].section
    ]
    routes: list[list[int]] = [[] for _ in p.cranes]
    for i, k in enumerate(owner):
        routes[k].append(i)
    for route in routes:
        route.sort(key=lambda i: (direction * pieces[i].section, i))
    rank = [-direction * float(k) for k in owner]  # the crane ahead in the sweep first
    if not ahead_first:
        for k, route in enumerate(routes):
            done = 0
            for i in route:
                rank[i] = done - direction * k * 1e-3  # ties: the crane ahead first
                done += pieces[i].duration_s
    starts = earliest(p, pieces, precedences, routes, rank)
    return None if starts is None else Sweep(pieces, precedences, routes, starts)


def lower_bound_s(p: CallCraneProblem) -> int:
    """A lower bound on the makespan of any plan.

    A section's moves are worked one after another (two cranes never share one), each
    at least its duration less, with dual cycling, the saving of as many pairs as the
    hold has loads and discharges to pair. The bound is the larger of: the cranes'
    time after each can first reach a section, water-filled until it covers all the
    work; and for each section, its work after the earliest any crane can reach it.
    """
    work: dict[int, int] = defaultdict(int)
    hold: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for move in p.moves:
        section = p.section_of(move.slot.bay)
        work[section] += move.duration_s
        if not move.slot.on_deck:
            hold[section][move.kind == "load"] += 1
    if p.dual_cycling:
        for section, (discharges, loads) in hold.items():
            work[section] -= p.dual_saving_s * min(discharges, loads)
    if not work:
        return 0

    reach = {
        (k, section): r + p.travel_s(x0, p.sections[section])
        for k, (x0, r) in enumerate(zip(p.start_x_m, p.ready_s, strict=True))
        for section in work
    }
    cranes = range(len(p.cranes))
    chain = max(min(reach[k, section] for k in cranes) + w for section, w in work.items())
    ready = sorted(min(reach[k, section] for section in work) for k in cranes)
    total = sum(work.values())
    water = ready[0] + total
    for used in range(1, len(ready) + 1):
        level = math.ceil((total + sum(ready[:used])) / used)
        if used == len(ready) or level <= ready[used]:
            water = level
            break
    return max(water, chain)


# --- CP-SAT -------------------------------------------------------------------------------------

FULL_MODEL_SIZE = 60
"""Up to this many tasks times cranes every crane is eligible for every task."""


def eligible_cranes(
    p: CallCraneProblem,
    tasks: Sequence[Task],
    routes: Sequence[Sequence[int]] | None,
    reach_sections: int,
) -> list[list[int]]:
    """The cranes each task may go to: all, or the crane whose zone (in ``routes``),
    widened by ``reach_sections`` on each side, holds the task's section."""
    q = len(p.cranes)
    if routes is None or len(tasks) * q <= FULL_MODEL_SIZE:
        return [list(range(q)) for _ in tasks]
    zones = [
        (min(tasks[i].section for i in r), max(tasks[i].section for i in r)) if r else None
        for r in routes
    ]
    out = []
    for t in tasks:
        out.append(
            [
                k
                for k, zone in enumerate(zones)
                if zone is not None
                and zone[0] - reach_sections <= t.section <= zone[1] + reach_sections
            ]
        )
    return out


def _horizon(p: CallCraneProblem, tasks: Sequence[Task]) -> int:
    """A time every plan worth finding ends by: one crane after another, crossing the quay."""
    xs = [*p.start_x_m, *(t.x_m for t in tasks)]
    leg = p.travel_s(min(xs), max(xs))
    return max(p.ready_s) + sum(t.duration_s for t in tasks) + leg * (len(tasks) + len(p.cranes))


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


def cp_sat(
    p: CallCraneProblem,
    tasks: Sequence[Task],
    precedences: Sequence[tuple[int, int]],
    eligible: Sequence[Sequence[int]],
    hint: tuple[list[list[int]], list[int]] | None,
    time_limit_s: float,
    seed: int,
    workers: int,
) -> tuple[Status, list[list[int]] | None, list[int] | None, dict[str, float]]:
    """Minimise the makespan over the eligible cranes; (status, routes, starts, statistics).

    Each crane's route is a circuit over its tasks. A task *occupies* its section from
    when its crane leaves for it until the crane reaches its next task (forever after
    the last); occupations of neighbouring cranes that clash are ordered in time, and
    a crane's start position is occupied until it reaches its first task.
    """
    n, q = len(tasks), len(p.cranes)
    horizon = _horizon(p, tasks)
    if hint is not None:
        horizon = min(horizon, makespan_of(tasks, hint[1]))
    model = cp_model.CpModel()
    dur = [t.duration_s for t in tasks]
    start = [model.new_int_var(0, max(horizon - dur[i], 0), f"S{i}") for i in range(n)]
    occ_from = [model.new_int_var(0, horizon, f"F{i}") for i in range(n)]
    occ_to = [model.new_int_var(0, horizon, f"T{i}") for i in range(n)]
    first_start = [model.new_int_var(0, horizon, f"FS{k}") for k in range(q)]
    makespan = model.new_int_var(0, horizon, "Cmax")
    on = {(i, k): model.new_bool_var(f"x{i}_{k}") for i in range(n) for k in eligible[i]}
    before = {(i, j) for i, j in precedences}
    for i, j in precedences:  # transitively: a section's earlier stages
        for h in range(i - 1, -1, -1):
            if tasks[h].section != tasks[i].section:
                break
            before.add((h, j))
    arcs_of: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for i in range(n):
        model.add_exactly_one(on[i, k] for k in eligible[i])
        model.add(makespan >= start[i] + dur[i])
    for k in range(q):
        mine = [i for i in range(n) if k in eligible[i]]
        if not mine:
            model.add(first_start[k] == horizon)
            continue
        home = p.start_x_m[k]
        idle = model.new_bool_var(f"idle{k}")
        arcs_of[k, -1, -1] = idle
        model.add(first_start[k] == horizon).only_enforce_if(idle)
        arcs: list[tuple[int, int, cp_model.LiteralT]] = [(0, 0, idle)]
        for i in mine:
            arcs.append((i + 1, i + 1, ~on[i, k]))
            first = model.new_bool_var(f"first{k}_{i}")
            last = model.new_bool_var(f"last{k}_{i}")
            arcs += [(0, i + 1, first), (i + 1, 0, last)]
            arcs_of[k, -1, i] = first
            arcs_of[k, i, -1] = last
            move = p.travel_s(home, tasks[i].x_m)
            model.add(start[i] >= p.ready_s[k] + move).only_enforce_if(first)
            model.add(occ_from[i] == start[i] - move).only_enforce_if(first)
            model.add(first_start[k] == start[i]).only_enforce_if(first)
            model.add(occ_to[i] == horizon).only_enforce_if(last)
            for j in mine:
                if i == j or (j, i) in before:
                    continue
                lit = model.new_bool_var(f"arc{k}_{i}_{j}")
                arcs.append((i + 1, j + 1, lit))
                arcs_of[k, i, j] = lit
                move = p.travel_s(tasks[i].x_m, tasks[j].x_m)
                model.add(start[j] >= start[i] + dur[i] + move).only_enforce_if(lit)
                model.add(occ_to[i] == start[j]).only_enforce_if(lit)
                model.add(occ_from[j] == start[j] - move).only_enforce_if(lit)
        model.add_circuit(arcs)
        # A crane works and travels one thing at a time: a bound on the makespan that
        # lets CP-SAT see the balance of the cranes' work.
        model.add(
            makespan
            >= p.ready_s[k]
            + sum(dur[i] * on[i, k] for i in mine)
            + sum(
                lit * p.travel_s(home if a < 0 else tasks[a].x_m, tasks[b].x_m)
                for (crane, a, b), lit in arcs_of.items()
                if crane == k and b >= 0
            )
        )
        model.add_no_overlap(
            [
                model.new_optional_fixed_size_interval_var(start[i], dur[i], on[i, k], f"I{i}_{k}")
                for i in mine
            ]
        )
    for i, j in precedences:
        model.add(start[j] >= start[i] + dur[i])
        if not p.split_sections:
            for k in eligible[i]:
                model.add(on[i, k] == on[j, k])
    # A crane's start position against its neighbours' tasks.
    for j in range(n):
        for w in eligible[j]:
            for v in (w - 1, w + 1):
                if 0 <= v < q and _clash(p, v, p.start_x_m[v], w, tasks[j].x_m):
                    model.add(occ_from[j] >= first_start[v]).only_enforce_if(on[j, w])
    # Occupations of neighbouring cranes that clash.
    order: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in range(n):
        for j in range(i + 1, n):
            for v in eligible[i]:
                for w in eligible[j]:
                    if abs(v - w) != 1 or not _clash(p, v, tasks[i].x_m, w, tasks[j].x_m):
                        continue
                    o = order.get((i, j))
                    if o is None:
                        o = order[i, j] = model.new_bool_var(f"o{i}_{j}")
                    both = [on[i, v], on[j, w]]
                    model.add(occ_to[i] <= occ_from[j]).only_enforce_if([*both, o])
                    model.add(occ_to[j] <= occ_from[i]).only_enforce_if([*both, ~o])
    model.minimize(makespan)

    if hint is not None:
        routes, starts = hint
        crane_of = {i: k for k, r in enumerate(routes) for i in r}
        occ = _occupations(p, tasks, routes, starts, horizon)
        for (i, k), var in on.items():
            model.add_hint(var, crane_of[i] == k)
        for i in range(n):
            model.add_hint(start[i], starts[i])
            model.add_hint(occ_from[i], occ[i][0])
            model.add_hint(occ_to[i], occ[i][1])
        used = set()
        for k, r in enumerate(routes):
            model.add_hint(first_start[k], starts[r[0]] if r else horizon)
            stops = [-1, *r, -1] if r else [-1, -1]
            used |= {(k, a, b) for a, b in itertools.pairwise(stops)}
        for key, lit in arcs_of.items():
            model.add_hint(lit, key in used)
        for (i, j), o in order.items():
            model.add_hint(o, occ[i][1] <= occ[j][0])
        model.add_hint(makespan, makespan_of(tasks, starts))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = time_limit_s
    solver.parameters.max_time_in_seconds = 5 * time_limit_s + 5
    code = solver.solve(model)
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the crane model: {solver.status_name(code)}")
    statistics = {
        "cp_sat_bound_s": float(solver.best_objective_bound),
        "branches": float(solver.num_branches),
        "conflicts": float(solver.num_conflicts),
        "cp_sat_wall_s": float(solver.wall_time),
        "cp_sat_deterministic_time": float(solver.deterministic_time),
    }
    if status not in (Status.OPTIMAL, Status.FEASIBLE):
        return status, None, None, statistics
    routes = [
        sorted(
            (i for i in range(n) if k in eligible[i] and solver.boolean_value(on[i, k])),
            key=lambda i: solver.value(start[i]),
        )
        for k in range(q)
    ]
    return status, routes, [solver.value(s) for s in start], statistics


def _occupations(
    p: CallCraneProblem,
    tasks: Sequence[Task],
    routes: Sequence[Sequence[int]],
    starts: Sequence[int],
    horizon: int,
) -> list[tuple[int, int]]:
    """(from, to) of each task's occupation of its section (see :func:`cp_sat`)."""
    occ = [(0, 0)] * len(tasks)
    for k, route in enumerate(routes):
        here = p.start_x_m[k]
        for pos, i in enumerate(route):
            leave = starts[i] - p.travel_s(here, tasks[i].x_m)
            until = starts[route[pos + 1]] if pos + 1 < len(route) else horizon
            occ[i] = (leave, until)
            here = tasks[i].x_m
    return occ
