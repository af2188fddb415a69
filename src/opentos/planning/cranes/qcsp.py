"""The quay crane scheduling problem (QCSP) of Kim & Park (2004) / Meisel & Bierwirth (2011).

``n`` tasks (each a bay ``l_i`` and a processing time ``p_i``) are shared among ``q``
quay cranes ordered along the quay (crane 0 westmost). Crane ``k`` is ready at
``r_k`` at its start bay ``l0_k`` and travels ``t`` time units per bay. Precedence
pairs ``(i, j)`` say that task ``i`` ends before ``j`` starts; non-simultaneity
pairs that the two tasks' processing intervals do not overlap. The objective is
the makespan, when the last task ends.

Crane movement (the rule the validator simulates, and the CP-SAT model encodes
exactly): a crane stays at the bay of a task while it works on it and afterwards
waits there; it leaves just in time to reach its next task's bay at that task's
start, moving linearly at ``t`` per bay. Before its first task it waits at its
start bay, and after its last task (or forever, if it has none) it stays put.
Positions must keep the safety margin ``s`` at every moment: ``pos_k + s + 1 <=
pos_{k+1}`` (for whole bays this is ``pos_k + s < pos_{k+1}``; while moving, a
crane's position is fractional).

Text format: bracketed integer lists, separated by whitespace, newlines or commas::

    [n, b, |Phi|, |Psi|, q, t, s]
    [p_1 ... p_n]
    [l_1 ... l_n]            bays, 1-based
    [r_1 ... r_q]
    [l0_1 ... l0_q]
    [i, j]                   |Phi| precedence pairs, then |Psi| non-simultaneity pairs

Task numbers are 1-based in the file, in :class:`QcspTask` and in JSON; cranes are
0-based.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.paths import earliest_starts
from opentos.planning.result import Result, Status

_EPS = 1e-6

# --- instance -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QcspInstance:
    """A QCSP instance; tasks are 1-based in ``precedences`` and ``nonsimultaneous``.

    ``processing[i - 1]`` and ``bays[i - 1]`` belong to task ``i``; ``ready`` and
    ``start_bays`` are per crane, west to east.
    """

    n_bays: int
    travel_time: int
    """Time units to move one bay."""
    safety_margin: int
    """Free bays required between adjacent cranes."""
    processing: tuple[int, ...]
    bays: tuple[int, ...]
    ready: tuple[int, ...]
    start_bays: tuple[int, ...]
    precedences: tuple[tuple[int, int], ...] = ()
    nonsimultaneous: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        for name in ("processing", "bays", "ready", "start_bays", "precedences"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self, "precedences", tuple((int(i), int(j)) for i, j in self.precedences)
        )
        object.__setattr__(
            self, "nonsimultaneous", tuple((int(i), int(j)) for i, j in self.nonsimultaneous)
        )
        problems = _instance_problems(self)
        if problems:
            raise InvalidValue("QCSP instance: " + "; ".join(problems))

    @property
    def n_tasks(self) -> int:
        """Number of tasks."""
        return len(self.processing)

    @property
    def n_cranes(self) -> int:
        """Number of quay cranes."""
        return len(self.ready)

    def gap(self, west: int, east: int) -> int:
        """Minimum distance in bays between cranes ``west < east`` at any moment."""
        return (self.safety_margin + 1) * (east - west)


def _instance_problems(inst: QcspInstance) -> list[str]:
    """Every broken rule of ``inst``, in the wording the parser uses."""
    problems: list[str] = []
    n, q = len(inst.processing), len(inst.ready)
    if n < 1:
        problems.append(f"n must be >= 1, got {n}")
    if q < 1:
        problems.append(f"q must be >= 1, got {q}")
    if inst.n_bays < 1:
        problems.append(f"b must be >= 1, got {inst.n_bays}")
    if inst.travel_time < 1:
        problems.append(f"t must be >= 1, got {inst.travel_time}")
    if inst.safety_margin < 0:
        problems.append(f"s must be >= 0, got {inst.safety_margin}")
    if len(inst.bays) != n:
        problems.append(f"{len(inst.bays)} bays for {n} tasks")
    if len(inst.start_bays) != q:
        problems.append(f"{len(inst.start_bays)} start bays for {q} cranes")
    problems += [f"task {k + 1}: p = {p} < 1" for k, p in enumerate(inst.processing) if p < 1]
    problems += [
        f"task {k + 1}: bay {bay} outside 1..{inst.n_bays}"
        for k, bay in enumerate(inst.bays)
        if not 1 <= bay <= inst.n_bays
    ]
    problems += [f"crane {k}: ready time {r} < 0" for k, r in enumerate(inst.ready) if r < 0]
    problems += [
        f"crane {k}: start bay {bay} outside 1..{inst.n_bays}"
        for k, bay in enumerate(inst.start_bays)
        if not 1 <= bay <= inst.n_bays
    ]
    for kind, pairs in (
        ("precedence", inst.precedences),
        ("non-simultaneity", inst.nonsimultaneous),
    ):
        for i, j in pairs:
            if not (1 <= i <= n and 1 <= j <= n) or i == j:
                problems.append(f"{kind} pair [{i}, {j}]: need two different tasks in 1..{n}")
    return problems


# --- text format --------------------------------------------------------------------------------

_LIST = re.compile(r"\[([^\[\]]*)\]")
_SEPARATORS = re.compile(r"[\s,]*")
_NAMES: tuple[str, ...] = ("[n, b, |Phi|, |Psi|, q, t, s]", "[p_1 ... p_n]", "[l_1 ... l_n]")
_NAMES += ("[r_1 ... r_q]", "[l0_1 ... l0_q]")


def _list_name(index: int, n_phi: int) -> str:
    if index < len(_NAMES):
        return _NAMES[index]
    pair = index - len(_NAMES)
    if pair < n_phi:
        return f"precedence pair {pair + 1}"
    return f"non-simultaneity pair {pair - n_phi + 1}"


def parse_qcsp(text: str, source: str = "<string>") -> QcspInstance:
    """Read an instance in the bracketed-list format.

    Raises
    ------
    DataImportError
        With every problem found, each naming the list (1-based) and the item.
    """
    lists: list[str] = []
    problems: list[str] = []
    position = 0
    for match in _LIST.finditer(text):
        between = text[position : match.start()]
        if not _SEPARATORS.fullmatch(between):
            problems.append(f"unexpected text {between.strip()!r} before list {len(lists) + 1}")
        lists.append(match.group(1))
        position = match.end()
    if not _SEPARATORS.fullmatch(text[position:]):
        problems.append(f"unexpected text {text[position:].strip()!r} after list {len(lists)}")
    if problems:
        raise DataImportError(source, problems)

    values: list[list[int]] = []
    n_phi = 0
    for index, body in enumerate(lists):
        name = f"list {index + 1} ({_list_name(index, n_phi)})"
        row: list[int] = []
        for item, token in enumerate(t for t in re.split(r"[\s,]+", body) if t):
            try:
                row.append(int(token))
            except ValueError:
                problems.append(f"{name} item {item + 1}: expected an integer, got {token!r}")
        values.append(row)
        if index == 0 and len(row) == 7:
            n_phi = row[2]
    if problems:
        raise DataImportError(source, problems)
    if not values:
        raise DataImportError(source, ["no lists found; expected [n, b, |Phi|, |Psi|, q, t, s]"])
    header = values[0]
    if len(header) != 7:
        raise DataImportError(
            source, [f"list 1 ({_NAMES[0]}): expected 7 values, got {len(header)}"]
        )
    n, b, n_phi, n_psi, q, t, s = header
    if n < 1 or q < 1 or n_phi < 0 or n_psi < 0:
        raise DataImportError(
            source, [f"list 1 ({_NAMES[0]}): n, q must be >= 1 and |Phi|, |Psi| >= 0, got {header}"]
        )
    expected = [n, n, q, q] + [2] * (n_phi + n_psi)
    if len(values) != 1 + len(expected):
        problems.append(f"expected {1 + len(expected)} lists, got {len(values)}")
    for index, size in enumerate(expected, start=1):
        if index < len(values) and len(values[index]) != size:
            name = f"list {index + 1} ({_list_name(index, n_phi)})"
            problems.append(f"{name}: expected {size} values, got {len(values[index])}")
    if problems:
        raise DataImportError(source, problems)
    p, bays, ready, start_bays = values[1], values[2], values[3], values[4]
    for index, (row, low, high, what) in enumerate(
        ((p, 1, None, "processing time"), (bays, 1, b, "bay"), (ready, 0, None, "ready time")),
        start=2,
    ):
        for item, value in enumerate(row):
            if value < low or (high is not None and value > high):
                bound = f">= {low}" if high is None else f"in 1..{b}"
                problems.append(
                    f"list {index} ({_NAMES[index - 1]}) item {item + 1}: "
                    f"{what} {value} not {bound}"
                )
    for item, value in enumerate(start_bays):
        if not 1 <= value <= b:
            problems.append(
                f"list 5 ({_NAMES[4]}) item {item + 1}: start bay {value} not in 1..{b}"
            )
    pairs = [(row[0], row[1]) for row in values[5:]]
    for index, (i, j) in enumerate(pairs, start=6):
        if not (1 <= i <= n and 1 <= j <= n) or i == j:
            problems.append(
                f"list {index} ({_list_name(index - 1, n_phi)}): "
                f"need two different tasks in 1..{n}, got [{i}, {j}]"
            )
    if b < 1 or t < 1 or s < 0:
        problems.append(f"list 1 ({_NAMES[0]}): need b >= 1, t >= 1, s >= 0, got {header}")
    if problems:
        raise DataImportError(source, problems)
    return QcspInstance(
        n_bays=b,
        travel_time=t,
        safety_margin=s,
        processing=tuple(p),
        bays=tuple(bays),
        ready=tuple(ready),
        start_bays=tuple(start_bays),
        precedences=tuple(pairs[:n_phi]),
        nonsimultaneous=tuple(pairs[n_phi:]),
    )


def format_qcsp(instance: QcspInstance) -> str:
    """The instance in the bracketed-list format; :func:`parse_qcsp` reads it back equal."""

    def bracket(values: Sequence[int]) -> str:
        return "[" + ", ".join(str(v) for v in values) + "]"

    inst = instance
    header = (
        inst.n_tasks,
        inst.n_bays,
        len(inst.precedences),
        len(inst.nonsimultaneous),
        inst.n_cranes,
        inst.travel_time,
        inst.safety_margin,
    )
    rows = [header, inst.processing, inst.bays, inst.ready, inst.start_bays]
    rows += [*inst.precedences, *inst.nonsimultaneous]
    return "\n".join(bracket(row) for row in rows) + "\n"


def generate_qcsp(n: int, b: int, q: int, seed: int) -> QcspInstance:
    """A random instance in the spirit of Meisel & Bierwirth's sets (t = 1, s = 1).

    Cranes start evenly spread and ready at 0. Precedences join tasks of one bay
    (deck before hold); non-simultaneity pairs join tasks of adjacent bays.
    """
    if n < 1 or q < 1 or b < 2 * q:
        raise InvalidValue(f"Expected n >= 1, q >= 1 and b >= 2 * q, got n={n}, b={b}, q={q}.")
    rng = random.Random(seed)
    processing = tuple(rng.randint(3, 30) for _ in range(n))
    bays = tuple(rng.randint(1, b) for _ in range(n))
    start_bays = tuple(1 + (k * (b - 1)) // max(q - 1, 1) if q > 1 else 1 for k in range(q))
    precedences: list[tuple[int, int]] = []
    nonsimultaneous: list[tuple[int, int]] = []
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            if bays[i - 1] == bays[j - 1] and rng.random() < 0.5:
                precedences.append((i, j))
            elif abs(bays[i - 1] - bays[j - 1]) == 1 and rng.random() < 0.2:
                nonsimultaneous.append((i, j))
    return QcspInstance(
        n_bays=b,
        travel_time=1,
        safety_margin=1,
        processing=processing,
        bays=bays,
        ready=(0,) * q,
        start_bays=start_bays,
        precedences=tuple(precedences),
        nonsimultaneous=tuple(nonsimultaneous),
    )


# --- solution -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QcspTask:
    """Task ``task`` (1-based) worked from ``start`` to ``end``."""

    task: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class QcspSolution:
    """Each crane's tasks (west to east, crane 0 first) in the order it works them."""

    makespan: float
    cranes: tuple[tuple[QcspTask, ...], ...]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def to_json(solution: QcspSolution) -> dict[str, object]:
    """``{"makespan", "cranes": [{"crane", "tasks": [{"task", "start", "end"}]}]}``."""
    return {
        "makespan": _number(solution.makespan),
        "cranes": [
            {
                "crane": crane,
                "tasks": [
                    {"task": t.task, "start": _number(t.start), "end": _number(t.end)}
                    for t in tasks
                ],
            }
            for crane, tasks in enumerate(solution.cranes)
        ],
    }


# --- validator ----------------------------------------------------------------------------------


def _position(waypoints: Sequence[tuple[float, float]], when: float) -> float:
    """Position at ``when`` on a piecewise-linear path given by ``(time, bay)`` points."""
    if when <= waypoints[0][0]:
        return waypoints[0][1]
    for (t0, x0), (t1, x1) in itertools.pairwise(waypoints):
        if when <= t1:
            return x0 if t1 - t0 <= 0 else x0 + (x1 - x0) * (when - t0) / (t1 - t0)
    return waypoints[-1][1]


def validate_qcsp(instance: QcspInstance, solution: QcspSolution) -> list[str]:
    """Every rule the solution breaks; empty when it is feasible.

    Independent of the solver: it replays each crane's path (wait at a bay, leave
    just in time, move linearly) and checks the safety margin at every moment
    where some crane starts or stops moving.
    """
    inst = instance
    problems: list[str] = []
    t = inst.travel_time
    if len(solution.cranes) != inst.n_cranes:
        return [f"{len(solution.cranes)} cranes in the solution, the instance has {inst.n_cranes}"]
    seen: dict[int, QcspTask] = {}
    for crane, tasks in enumerate(solution.cranes):
        for task in tasks:
            if not 1 <= task.task <= inst.n_tasks:
                problems.append(f"crane {crane}: unknown task {task.task}")
            elif task.task in seen:
                problems.append(f"task {task.task} scheduled twice")
            else:
                seen[task.task] = task
    problems += [f"task {i} not scheduled" for i in range(1, inst.n_tasks + 1) if i not in seen]
    if problems:
        return problems

    paths: list[list[tuple[float, float]]] = []
    for crane, tasks in enumerate(solution.cranes):
        bay = inst.start_bays[crane]
        free = float(inst.ready[crane])
        path: list[tuple[float, float]] = [(0.0, float(bay))]
        for task in tasks:
            here = inst.bays[task.task - 1]
            duration = inst.processing[task.task - 1]
            if abs(task.end - task.start - duration) > _EPS:
                problems.append(
                    f"task {task.task}: runs {task.end - task.start}, processing time is {duration}"
                )
            arrive = free + t * abs(here - bay)
            if task.start < arrive - _EPS:
                problems.append(
                    f"crane {crane}: task {task.task} starts at {task.start}, "
                    f"the crane cannot be at bay {here} before {arrive}"
                )
            path.append((task.start - t * abs(here - bay), float(bay)))
            path.append((task.start, float(here)))
            bay, free = here, task.end
        paths.append(path)

    for i, j in inst.precedences:
        if seen[j].start < seen[i].end - _EPS:
            problems.append(f"precedence [{i}, {j}]: task {j} starts before task {i} ends")
    for i, j in inst.nonsimultaneous:
        a, b = seen[i], seen[j]
        if a.start < b.end - _EPS and b.start < a.end - _EPS:
            problems.append(f"non-simultaneity [{i}, {j}]: the tasks overlap in time")

    if not problems:  # paths are only meaningful for a schedule each crane can follow
        events = sorted({when for path in paths for when, _ in path})
        for crane in range(inst.n_cranes - 1):
            for when in events:
                west = _position(paths[crane], when)
                east = _position(paths[crane + 1], when)
                if east - west < inst.gap(crane, crane + 1) - _EPS:
                    problems.append(
                        f"cranes {crane} and {crane + 1} at time {when}: at bays {west:g} and "
                        f"{east:g}, closer than safety margin {inst.safety_margin} allows"
                    )
                    break

    makespan = max(task.end for task in seen.values())
    if abs(makespan - solution.makespan) > _EPS:
        problems.append(f"makespan is {makespan}, the solution says {solution.makespan}")
    return problems


# --- CP-SAT solver ------------------------------------------------------------------------------


def _horizon(inst: QcspInstance) -> int:
    """A time no schedule worth finding reaches; also stands for "stays forever"."""
    moves = inst.travel_time * (inst.n_bays + inst.gap(0, inst.n_cranes))
    return max(inst.ready) + sum(inst.processing) + 2 * moves * (inst.n_tasks + inst.n_cranes + 1)


def _earliest(
    inst: QcspInstance, routes: Sequence[Sequence[int]], rank: Sequence[int]
) -> list[int] | None:
    """Earliest task starts (0-based tasks) for fixed routes, or None if there are none.

    Stays that must be apart are ordered by ``rank``; the constraints then form a
    difference system, solved by longest paths (Bellman-Ford).
    """
    n, t, bay, p = inst.n_tasks, inst.travel_time, inst.bays, inst.processing
    lower = [0] * n
    edges: list[tuple[int, int, int]] = []  # start[b] >= start[a] + c
    crane_of = [0] * n
    after: list[int | None] = [None] * n
    first: list[int | None] = [None] * inst.n_cranes
    for k, route in enumerate(routes):
        for pos, i in enumerate(route):
            crane_of[i] = k
            if pos == 0:
                first[k] = i
                lower[i] = inst.ready[k] + t * abs(inst.start_bays[k] - bay[i])
            else:
                prev = route[pos - 1]
                after[prev] = i
                edges.append((prev, i, p[prev] + t * abs(bay[prev] - bay[i])))
    for i, j in inst.precedences:
        edges.append((i - 1, j - 1, p[i - 1]))
    for i, j in inst.nonsimultaneous:
        a, b = (i - 1, j - 1) if rank[i - 1] < rank[j - 1] else (j - 1, i - 1)
        edges.append((a, b, p[a]))
    for j in range(n):
        w = crane_of[j]
        for v in range(inst.n_cranes):
            if v == w:
                continue
            west, east = (inst.start_bays[v], bay[j]) if v < w else (bay[j], inst.start_bays[v])
            clear = west + inst.gap(min(v, w), max(v, w)) - east
            if clear > 0:
                f = first[v]
                if f is None:
                    return None
                edges.append((f, j, t * clear - t * abs(inst.start_bays[v] - bay[f])))
    for i in range(n):
        for j in range(n):
            v, w = crane_of[i], crane_of[j]
            if v == w or rank[i] > rank[j] or i == j:
                continue
            west, east = (bay[i], bay[j]) if v < w else (bay[j], bay[i])
            clear = west + inst.gap(min(v, w), max(v, w)) - east
            if clear > 0:
                nxt = after[i]
                if nxt is None:
                    return None
                edges.append((nxt, j, t * clear - t * abs(bay[i] - bay[nxt])))
    return earliest_starts(lower, edges)


def _zone_hint(inst: QcspInstance) -> tuple[list[list[int]], list[int]] | None:
    """Routes and starts of a simple plan: contiguous zones swept in one direction."""
    n, q = inst.n_tasks, inst.n_cranes
    total = sum(inst.processing)
    routes: list[list[int]] = [[] for _ in range(q)]
    done = 0
    for b in range(1, inst.n_bays + 1):
        here = [i for i in range(n) if inst.bays[i] == b]
        k = min(q - 1, (done * q) // max(total, 1))
        low = next((c for c in range(q) if b <= inst.n_bays - inst.gap(c, q - 1)), 0)
        high = max((c for c in range(q) if 1 + inst.gap(0, c) <= b), default=0)
        routes[min(max(k, low), high)].extend(here)
        done += sum(inst.processing[i] for i in here)
    west_east = [sorted(r, key=lambda i: (inst.bays[i], i)) for r in routes]
    east_west = [sorted(r, key=lambda i: (-inst.bays[i], i)) for r in routes]
    for sweep in (west_east, east_west):
        rank = [0] * n
        for route in sweep:
            work = 0
            for i in route:
                rank[i] = work * n + i
                work += inst.processing[i]
        starts = _earliest(inst, sweep, rank)
        if starts is not None:
            return sweep, starts
    return None


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


def solve_qcsp(
    instance: QcspInstance, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[QcspSolution]:
    """Minimise the makespan with CP-SAT (one worker, so the same seed gives the same plan).

    Each crane's route is a circuit over its tasks. Besides processing, every task
    has a *stay*: from its start until its crane leaves the bay for the next task
    (or forever, after the last). Two stays of cranes ``v < w`` at bays ``x`` and
    ``y`` with ``y < x + gap(v, w)`` must be apart in time by ``t * (x + gap - y)``,
    the time to clear the way; start bays count as stays from time 0. This is
    exactly the safety rule of the module docstring.
    """
    if time_limit_s < 0:
        raise InvalidValue(f"Expected time_limit_s >= 0, got {time_limit_s}.")
    began = time.perf_counter()
    inst = instance
    n, q, t = inst.n_tasks, inst.n_cranes, inst.travel_time
    for k in range(q - 1):
        if inst.start_bays[k + 1] - inst.start_bays[k] < inst.gap(k, k + 1):
            # The cranes already break the safety margin at time 0.
            return Result(Status.INFEASIBLE, None, None, time.perf_counter() - began)

    horizon = _horizon(inst)
    bay, p = inst.bays, inst.processing
    model = cp_model.CpModel()
    start = [model.new_int_var(0, horizon, f"S{i + 1}") for i in range(n)]
    leave = [model.new_int_var(0, horizon, f"D{i + 1}") for i in range(n)]
    leave0 = [model.new_int_var(0, horizon, f"D0_{k}") for k in range(q)]
    on = [[model.new_bool_var(f"x{i + 1}_{k}") for k in range(q)] for i in range(n)]
    makespan = model.new_int_var(0, horizon, "Cmax")
    arc_lits: dict[tuple[int, int, int], cp_model.IntVar] = {}

    for i in range(n):
        model.add_exactly_one(on[i])
        model.add(makespan >= start[i] + p[i])
        for k in range(q):
            # The cranes west and east of k need room between the quay's ends.
            if not 1 + inst.gap(0, k) <= bay[i] <= inst.n_bays - inst.gap(k, q - 1):
                model.add(on[i][k] == 0)

    for k in range(q):
        home = inst.start_bays[k]
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        idle = model.new_bool_var(f"idle{k}")
        arcs.append((0, 0, idle))
        model.add(leave0[k] == horizon).only_enforce_if(idle)
        intervals = []
        for i in range(n):
            arcs.append((i + 1, i + 1, ~on[i][k]))
            first = model.new_bool_var(f"first{k}_{i + 1}")
            last = model.new_bool_var(f"last{k}_{i + 1}")
            arcs += [(0, i + 1, first), (i + 1, 0, last)]
            arc_lits[k, -1, i] = first
            arc_lits[k, i, -1] = last
            move = t * abs(home - bay[i])
            model.add(start[i] >= inst.ready[k] + move).only_enforce_if(first)
            model.add(leave0[k] == start[i] - move).only_enforce_if(first)
            model.add(leave[i] == horizon).only_enforce_if(last)
            for j in range(n):
                if i != j:
                    lit = model.new_bool_var(f"arc{k}_{i + 1}_{j + 1}")
                    arcs.append((i + 1, j + 1, lit))
                    arc_lits[k, i, j] = lit
                    move = t * abs(bay[i] - bay[j])
                    model.add(start[j] >= start[i] + p[i] + move).only_enforce_if(lit)
                    model.add(leave[i] == start[j] - move).only_enforce_if(lit)
            intervals.append(
                model.new_optional_fixed_size_interval_var(start[i], p[i], on[i][k], f"I{i}_{k}")
            )
        model.add_circuit(arcs)
        model.add_no_overlap(intervals)

    for i, j in inst.precedences:
        model.add(start[j - 1] >= start[i - 1] + p[i - 1])
    for i, j in inst.nonsimultaneous:
        model.add_no_overlap(
            [
                model.new_fixed_size_interval_var(start[i - 1], p[i - 1], f"N{i}"),
                model.new_fixed_size_interval_var(start[j - 1], p[j - 1], f"N{j}"),
            ]
        )

    # Stays of a task against the start-bay stays of the other cranes.
    for j in range(n):
        for w in range(q):
            for v in range(q):
                if v == w:
                    continue
                west_bay, east_bay = (
                    (inst.start_bays[v], bay[j]) if v < w else (bay[j], inst.start_bays[v])
                )
                clear = west_bay + inst.gap(min(v, w), max(v, w)) - east_bay
                if clear > 0:
                    model.add(start[j] >= leave0[v] + t * clear).only_enforce_if(on[j][w])

    # Stays of two tasks on different cranes.
    for i in range(n):
        for j in range(i + 1, n):
            order: cp_model.IntVar | None = None
            for v in range(q):
                for w in range(q):
                    if v == w:
                        continue
                    west_bay, east_bay = (bay[i], bay[j]) if v < w else (bay[j], bay[i])
                    clear = west_bay + inst.gap(min(v, w), max(v, w)) - east_bay
                    if clear <= 0:
                        continue
                    if order is None:
                        order = model.new_bool_var(f"o{i + 1}_{j + 1}")
                    both = [on[i][v], on[j][w]]
                    model.add(start[j] >= leave[i] + t * clear).only_enforce_if([*both, order])
                    model.add(start[i] >= leave[j] + t * clear).only_enforce_if([*both, ~order])

    model.minimize(makespan)
    hint = _zone_hint(inst)
    if hint is not None:
        routes, starts = hint
        for k, route in enumerate(routes):
            stops = [-1, *route, -1]
            used = set(itertools.pairwise(stops))
            for (crane, a, b), lit in arc_lits.items():
                if crane == k:
                    model.add_hint(lit, (a, b) in used)
            for i in range(n):
                model.add_hint(on[i][k], i in route)
        for i in range(n):
            model.add_hint(start[i], starts[i])
        model.add_hint(makespan, max(s + d for s, d in zip(starts, p, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit_s
    code = solver.solve(model)
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the QCSP model: {solver.status_name(code)}")
    statistics = {
        "branches": float(solver.num_branches),
        "conflicts": float(solver.num_conflicts),
        "wall_time_s": float(solver.wall_time),
    }
    runtime = time.perf_counter() - began
    if status not in (Status.OPTIMAL, Status.FEASIBLE):
        return Result(status, None, None, runtime, statistics=statistics)
    cranes: list[tuple[QcspTask, ...]] = []
    for k in range(q):
        mine = [i for i in range(n) if solver.boolean_value(on[i][k])]
        mine.sort(key=lambda i: solver.value(start[i]))
        cranes.append(
            tuple(
                QcspTask(i + 1, float(solver.value(start[i])), float(solver.value(start[i]) + p[i]))
                for i in mine
            )
        )
    value = float(solver.objective_value)
    plan = QcspSolution(makespan=value, cranes=tuple(cranes))
    return Result(
        status,
        value,
        plan,
        runtime,
        bound=float(solver.best_objective_bound),
        statistics=statistics,
    )
