"""The train's load plan: a constructive plan, then a pattern-based CP-SAT model.

**Model** (after Bruns & Knust 2012). Booleans ``z[p, k]``: platform ``p`` set to
pattern ``k`` (exactly one per platform); ``y[b, p]``: box ``b`` on platform ``p``
(at most one platform per box; only where its length has a slot in some pattern,
its weight fits and the DG rules of the wagon's place in the train allow it).
Per platform and box length ``L``: the boxes of length ``L`` on it are at most the
``L`` slots of the chosen pattern; their weight is at most the chosen pattern's
payload; per wagon, the weight is at most the wagon's payload. DG pairs: for two
boxes whose segregation code reaches the threshold, the sums of their ``y`` over
one wagon (or over two neighbouring wagons) are at most one. The objective is the
cost of :class:`~opentos.planning.rail.problem.ObjectiveWeights`: boxes left
(must-go, then priority × length), set-ups ``1 - z[p, current]``, crane travel
from the box's yard bay to the platform's centre. Slots inside a platform are
given afterwards: boxes of one length in order of their yard position, front to
back, which keeps the crane travel the model counted.

**Constructive plan.** Boxes one by one (must-go first, then by priority ×
length, heavy first), each on the platform where it adds the least set-up and
travel cost without breaking a rule. It is CP-SAT's hint, and the plan returned
if CP-SAT finds none within its limit.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from opentos.errors import InvalidValue
from opentos.planning.rail.problem import (
    BOX_LENGTHS_FT,
    LoadPlan,
    Placement,
    RailLoadProblem,
)
from opentos.planning.rail.validate import dg_code
from opentos.planning.result import Result, Status


@dataclass(slots=True)
class _Platform:
    """One platform of the train as the planner sees it."""

    wagon: int
    platform: int
    x_m: float
    current: int
    counts: list[tuple[int, int, int]]
    """Per pattern: its 20', 40' and 45' slots."""
    payloads: list[int]
    """Per pattern: the payload allowed."""


@dataclass(slots=True)
class _Data:
    problem: RailLoadProblem
    platforms: list[_Platform]
    of_wagon: list[list[int]]
    travel: list[list[int]]
    """``travel[b][q]``: crane travel (m) of box ``b`` to platform ``q``."""
    allowed: list[list[int]]
    """``allowed[b]``: the platforms box ``b`` may go to."""
    same: list[tuple[int, int]]
    """DG box pairs that may not share a wagon."""
    near: list[tuple[int, int]]
    """DG box pairs that may not be on neighbouring wagons."""


_LEN_INDEX = {length: i for i, length in enumerate(BOX_LENGTHS_FT)}


def _data(problem: RailLoadProblem) -> _Data:
    platforms: list[_Platform] = []
    of_wagon: list[list[int]] = []
    for w, wagon in enumerate(problem.wagons):
        mine = []
        for p, platform in enumerate(wagon.wagon_type.platforms):
            mine.append(len(platforms))
            platforms.append(
                _Platform(
                    w,
                    p,
                    problem.platform_x_m(w, p),
                    wagon.current_patterns[p],
                    [(pat.count(20), pat.count(40), pat.count(45)) for pat in platform.patterns],
                    [platform.payload_kg(k) for k in range(len(platform.patterns))],
                )
            )
        of_wagon.append(mine)
    n = len(problem.wagons)
    rules = problem.dg_rules
    travel: list[list[int]] = []
    allowed: list[list[int]] = []
    for b in problem.boxes:
        x = problem.box_x_m(b)
        travel.append([round(abs(x - q.x_m)) for q in platforms])
        li = _LEN_INDEX[b.length_ft]
        ok = []
        for qi, q in enumerate(platforms):
            if b.is_dg and (q.wagon < rules.free_first or q.wagon >= n - rules.free_last):
                continue
            wagon_payload = problem.wagons[q.wagon].wagon_type.max_payload_kg
            if b.gross_kg > wagon_payload:
                continue
            if any(c[li] > 0 and b.gross_kg <= kg for c, kg in zip(q.counts, q.payloads,
                                                                    strict=True)):  # fmt: skip
                ok.append(qi)
        allowed.append(ok)
    dg = [i for i, b in enumerate(problem.boxes) if b.is_dg]
    same: list[tuple[int, int]] = []
    near: list[tuple[int, int]] = []
    for i, a in enumerate(dg):
        for c in dg[i + 1 :]:
            code = dg_code(problem.boxes[a], problem.boxes[c])
            if code >= rules.same_wagon_code:
                same.append((a, c))
            if code >= rules.adjacent_code:
                near.append((a, c))
    return _Data(problem, platforms, of_wagon, travel, allowed, same, near)


# --- the constructive plan ----------------------------------------------------------------


@dataclass(slots=True)
class _State:
    pattern: list[int]
    counts: list[list[int]]
    kg: list[int]
    wagon_kg: list[int]
    on: dict[int, int]
    """Box index -> platform index."""
    dg_on_wagon: list[list[int]]


def _order(problem: RailLoadProblem) -> list[int]:
    boxes = problem.boxes
    return sorted(
        range(len(boxes)),
        key=lambda i: (
            not boxes[i].must_go,
            -boxes[i].priority * boxes[i].length_ft,
            -boxes[i].length_ft,
            -boxes[i].gross_kg,
            i,
        ),
    )


def _greedy(d: _Data) -> _State:
    problem = d.problem
    boxes = problem.boxes
    setup = problem.weights.setup
    per_m = problem.weights.per_metre
    s = _State(
        [q.current for q in d.platforms],
        [[0, 0, 0] for _ in d.platforms],
        [0] * len(d.platforms),
        [0] * len(problem.wagons),
        {},
        [[] for _ in problem.wagons],
    )
    same = defaultdict(set)
    near = defaultdict(set)
    for a, c in d.same:
        same[a].add(c)
        same[c].add(a)
    for a, c in d.near:
        near[a].add(c)
        near[c].add(a)
    n = len(problem.wagons)
    for b in _order(problem):
        box = boxes[b]
        li = _LEN_INDEX[box.length_ft]
        best: tuple[int, int, int] | None = None  # (cost, platform, pattern)
        for qi in d.allowed[b]:
            q = d.platforms[qi]
            w = q.wagon
            if s.wagon_kg[w] + box.gross_kg > problem.wagons[w].wagon_type.max_payload_kg:
                continue
            if box.is_dg and (
                any(o in same[b] for o in s.dg_on_wagon[w])
                or any(o in near[b] for v in (w - 1, w + 1) if 0 <= v < n
                       for o in s.dg_on_wagon[v])
            ):  # fmt: skip
                continue
            need = list(s.counts[qi])
            need[li] += 1
            kg = s.kg[qi] + box.gross_kg
            now = setup * (s.pattern[qi] != q.current)
            for k, (slots, cap) in enumerate(zip(q.counts, q.payloads, strict=True)):
                if all(have >= want for have, want in zip(slots, need, strict=True)) and kg <= cap:
                    cost = setup * (k != q.current) - now + per_m * d.travel[b][qi]
                    if best is None or cost < best[0]:
                        best = (cost, qi, k)
        if best is None:
            continue
        _, qi, k = best
        w = d.platforms[qi].wagon
        s.pattern[qi] = k
        s.counts[qi][li] += 1
        s.kg[qi] += box.gross_kg
        s.wagon_kg[w] += box.gross_kg
        s.on[b] = qi
        if box.is_dg:
            s.dg_on_wagon[w].append(b)
    return s


def _cost(d: _Data, pattern: list[int], on: dict[int, int]) -> int:
    """The plan's cost by :class:`ObjectiveWeights`, from the planner's own data."""
    weights = d.problem.weights
    cost = 0
    for b, box in enumerate(d.problem.boxes):
        if b in on:
            cost += weights.per_metre * d.travel[b][on[b]]
        else:
            cost += weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft
    cost += weights.setup * sum(k != q.current for k, q in zip(pattern, d.platforms, strict=True))
    return cost


def _plan(d: _Data, pattern: list[int], on: dict[int, int], objective: int) -> LoadPlan:
    """The plan: boxes of one length on a platform go to its slots in yard order."""
    problem = d.problem
    by_platform: dict[int, list[int]] = defaultdict(list)
    for b, qi in on.items():
        by_platform[qi].append(b)
    placements: list[Placement] = []
    for qi in sorted(by_platform):
        q = d.platforms[qi]
        slots = problem.wagons[q.wagon].wagon_type.platforms[q.platform].patterns[pattern[qi]].slots
        for length in BOX_LENGTHS_FT:
            mine = sorted(
                (b for b in by_platform[qi] if problem.boxes[b].length_ft == length),
                key=lambda b: (problem.box_x_m(problem.boxes[b]), b),
            )
            free = [i for i, s in enumerate(slots) if s == length]
            for b, slot in zip(mine, free, strict=False):
                placements.append(Placement(problem.boxes[b].box_id, q.wagon, q.platform, slot))
    patterns = tuple(tuple(pattern[qi] for qi in mine) for mine in d.of_wagon)
    left = tuple(box.box_id for b, box in enumerate(problem.boxes) if b not in on)
    return LoadPlan(patterns, tuple(placements), left, objective)


def greedy_load_plan(problem: RailLoadProblem) -> LoadPlan:
    """The constructive plan alone (see the module docstring); it keeps every rule."""
    d = _data(problem)
    s = _greedy(d)
    return _plan(d, s.pattern, s.on, _cost(d, s.pattern, s.on))


# --- CP-SAT ------------------------------------------------------------------------------


def solve_load_plan(
    problem: RailLoadProblem,
    *,
    time_limit_s: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    deterministic_time_s: float | None = None,
    use_hint: bool = True,
) -> Result[LoadPlan]:
    """The train's load plan of least cost, by CP-SAT from the constructive plan.

    Parameters
    ----------
    problem
        The train, the candidate boxes and the rules.
    time_limit_s
        Limit of the whole solve, wall clock (model building included).
    num_workers
        CP-SAT workers (1 to 8); more than one are interleaved deterministically.
    seed
        CP-SAT's random seed.
    deterministic_time_s
        If given, CP-SAT also stops at this deterministic time (about a second of
        work on one core each). A search that ends by proof or by this limit,
        before the wall-clock one, gives the same plan for the same seed, byte for
        byte; a search cut by the wall clock may not.
    use_hint
        Give the constructive plan to CP-SAT as its hint.

    Returns
    -------
    Result[LoadPlan]
        OPTIMAL when CP-SAT proves the plan optimal; else FEASIBLE, with CP-SAT's
        best plan, or the constructive plan when CP-SAT found none better. The
        bound is CP-SAT's lower bound on the cost. A plan always comes back (the
        empty train keeps every rule).

    Raises
    ------
    InvalidValue
        A time limit that is not positive, ``num_workers`` outside 1..8, a seed
        outside 0..2**31-1.
    """
    if not time_limit_s > 0:
        raise InvalidValue(f"Expected time_limit_s > 0, got {time_limit_s!r}.")
    if isinstance(num_workers, bool) or not 1 <= num_workers <= 8:
        raise InvalidValue(f"Expected 1 <= num_workers <= 8, got {num_workers!r}.")
    if not 0 <= seed < 2**31:
        raise InvalidValue(f"Expected 0 <= seed < 2**31, got {seed!r}.")
    if deterministic_time_s is not None and not deterministic_time_s > 0:
        raise InvalidValue(f"Expected deterministic_time_s > 0, got {deterministic_time_s!r}.")
    started = time.perf_counter()
    d = _data(problem)
    g = _greedy(d)
    greedy_cost = _cost(d, g.pattern, g.on)
    boxes = problem.boxes
    weights = problem.weights

    model = cp_model.CpModel()
    z = [
        [model.new_bool_var(f"z{qi}_{k}") for k in range(len(q.counts))]
        for qi, q in enumerate(d.platforms)
    ]
    for row in z:
        model.add_exactly_one(row)
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for b, allowed in enumerate(d.allowed):
        for qi in allowed:
            y[b, qi] = model.new_bool_var(f"y{b}_{qi}")
        if allowed:
            model.add_at_most_one(y[b, qi] for qi in allowed)
    on_platform: list[list[int]] = [[] for _ in d.platforms]
    for b, qi in y:
        on_platform[qi].append(b)
    for qi, q in enumerate(d.platforms):
        mine = on_platform[qi]
        if not mine:
            continue
        for li, length in enumerate(BOX_LENGTHS_FT):
            of_length = [y[b, qi] for b in mine if boxes[b].length_ft == length]
            if of_length:
                model.add(sum(of_length) <= sum(c[li] * z[qi][k] for k, c in enumerate(q.counts)))
        model.add(
            sum(boxes[b].gross_kg * y[b, qi] for b in mine)
            <= sum(kg * z[qi][k] for k, kg in enumerate(q.payloads))
        )
    for w, mine in enumerate(d.of_wagon):
        terms = [boxes[b].gross_kg * y[b, qi] for qi in mine for b in on_platform[qi]]
        if terms:
            model.add(sum(terms) <= problem.wagons[w].wagon_type.max_payload_kg)

    def on_wagon(b: int, w: int) -> list[cp_model.IntVar]:
        return [y[b, qi] for qi in d.of_wagon[w] if (b, qi) in y]

    n = len(problem.wagons)
    for a, c in d.same:
        for w in range(n):
            first, second = on_wagon(a, w), on_wagon(c, w)
            if first and second:
                model.add(sum(first + second) <= 1)
    for a, c in d.near:
        for w in range(n - 1):
            for u, v in ((a, c), (c, a)):
                left, right = on_wagon(u, w), on_wagon(v, w + 1)
                if left and right:
                    model.add(sum(left + right) <= 1)

    left_cost = sum(
        weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft
        for box in boxes
    )
    objective = (
        left_cost
        - sum(
            (weights.must_go * boxes[b].must_go
             + weights.per_foot * boxes[b].priority * boxes[b].length_ft
             - weights.per_metre * d.travel[b][qi]) * var
            for (b, qi), var in y.items()
        )
        + weights.setup * sum(1 - z[qi][q.current] for qi, q in enumerate(d.platforms))
    )  # fmt: skip
    model.minimize(objective)
    if use_hint:
        for qi, row in enumerate(z):
            for k, var in enumerate(row):
                model.add_hint(var, g.pattern[qi] == k)
        for (b, qi), var in y.items():
            model.add_hint(var, g.on.get(b) == qi)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = num_workers
    solver.parameters.interleave_search = num_workers > 1
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0
    remaining = max(0.1, time_limit_s - (time.perf_counter() - started))
    if deterministic_time_s is not None:
        solver.parameters.max_deterministic_time = deterministic_time_s
    solver.parameters.max_time_in_seconds = remaining
    code = solver.solve(model)
    statistics = {
        "boxes": float(len(boxes)),
        "platforms": float(len(d.platforms)),
        "assignment_variables": float(len(y)),
        "constructive_objective": float(greedy_cost),
        "constructive_loaded": float(len(g.on)),
        "cp_sat_wall_time_s": float(solver.wall_time),
        "cp_sat_deterministic_time": float(solver.deterministic_time),
        "branches": float(solver.num_branches),
        "conflicts": float(solver.num_conflicts),
    }
    bound: float | None = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = float(solver.best_objective_bound)
        cost = round(solver.objective_value)
        if cost <= greedy_cost:
            pattern = [
                next(k for k, var in enumerate(row) if solver.boolean_value(var)) for row in z
            ]
            on = {b: qi for (b, qi), var in y.items() if solver.boolean_value(var)}
            plan = _plan(d, pattern, on, cost)
            status = Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE
            return Result(
                status, float(cost), plan, time.perf_counter() - started, bound, statistics
            )
    elif code == cp_model.UNKNOWN and math.isfinite(solver.best_objective_bound):
        bound = float(solver.best_objective_bound)
    plan = _plan(d, g.pattern, g.on, greedy_cost)
    return Result(
        Status.FEASIBLE, float(greedy_cost), plan, time.perf_counter() - started, bound, statistics
    )
