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

**Search.** A train of up to :data:`WINDOW_WAGONS` wagons is one model. A longer
one is improved by large neighbourhoods: a window of that many wagons is
re-planned (by one CP-SAT worker) with its boxes and every box still left, the
rest of the train fixed (its DG boxes bar incompatible ones from the window's
border wagons); the window moves by half its length and goes round again until
a whole round finds nothing better or time is up. The bound is
the best of CP-SAT's (for a single model), :func:`lp_bound` and
:func:`relaxation_bound`.

**Constructive plan.** Boxes one by one (must-go first, then by priority ×
length, heavy first), each on the platform where it adds the least set-up and
travel cost without breaking a rule. It is CP-SAT's first hint, and the plan
returned if CP-SAT finds none better within its limit.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver.python import model_builder as mb
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
            if any(
                c[li] > 0 and b.gross_kg <= kg for c, kg in zip(q.counts, q.payloads, strict=True)
            ):
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
                or any(o in near[b] for v in (w - 1, w + 1) if 0 <= v < n for o in s.dg_on_wagon[v])
            ):
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

WINDOW_WAGONS = 12
"""Wagons re-planned together when the train is longer (the window moves by half of it)."""
WINDOW_DTIME = 0.4
"""CP-SAT's deterministic time per window."""


@dataclass(slots=True)
class _Sub:
    """What one CP-SAT run over a window of wagons gave."""

    optimal: bool
    bound: float | None
    pattern: dict[int, int]
    on: dict[int, int]
    """Free box -> platform, for the free boxes loaded."""
    dtime: float


def _solve_window(
    d: _Data,
    pattern: list[int],
    on: dict[int, int],
    wagons: range,
    *,
    workers: int,
    seed: int,
    dtime: float | None,
    wall_s: float,
) -> _Sub:
    """CP-SAT over ``wagons``' platforms, with their boxes and every box left as free boxes.

    Everything else stays as it is; DG boxes outside the window bar incompatible
    boxes from the window's border wagons.
    """
    problem = d.problem
    boxes = problem.boxes
    weights = problem.weights
    inside = set(wagons)
    qs = [qi for w in wagons for qi in d.of_wagon[w]]
    in_window = set(qs)
    free = [b for b in range(len(boxes)) if b not in on or on[b] in in_window]
    near = defaultdict(set)
    for a, c in d.near:
        near[a].add(c)
        near[c].add(a)
    fixed_dg: dict[int, list[int]] = defaultdict(list)
    for b, qi in on.items():
        if boxes[b].is_dg and qi not in in_window:
            fixed_dg[d.platforms[qi].wagon].append(b)

    model = cp_model.CpModel()
    z = {
        qi: [model.new_bool_var(f"z{qi}_{k}") for k in range(len(d.platforms[qi].counts))]
        for qi in qs
    }
    for row in z.values():
        model.add_exactly_one(row)
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for b in free:
        for qi in d.allowed[b]:
            if qi not in in_window:
                continue
            w = d.platforms[qi].wagon
            if boxes[b].is_dg and any(
                o in near[b] for v in (w - 1, w + 1) if v not in inside for o in fixed_dg[v]
            ):
                continue
            y[b, qi] = model.new_bool_var(f"y{b}_{qi}")
    per_box: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    on_platform: dict[int, list[int]] = defaultdict(list)
    for (b, qi), var in y.items():
        per_box[b].append(var)
        on_platform[qi].append(b)
    for row in per_box.values():
        model.add_at_most_one(row)
    for qi in qs:
        q = d.platforms[qi]
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
    for w in wagons:
        terms = [boxes[b].gross_kg * y[b, qi] for qi in d.of_wagon[w] for b in on_platform[qi]]
        if terms:
            model.add(sum(terms) <= problem.wagons[w].wagon_type.max_payload_kg)

    def on_wagon(b: int, w: int) -> list[cp_model.IntVar]:
        return [y[b, qi] for qi in d.of_wagon[w] if (b, qi) in y]

    for a, c in d.same:
        for w in wagons:
            first, second = on_wagon(a, w), on_wagon(c, w)
            if first and second:
                model.add(sum(first + second) <= 1)
    for a, c in d.near:
        for w in wagons:
            if w + 1 not in inside:
                continue
            for u, v in ((a, c), (c, a)):
                left, right = on_wagon(u, w), on_wagon(v, w + 1)
                if left and right:
                    model.add(sum(left + right) <= 1)

    def penalty(b: int) -> int:
        box = boxes[b]
        return weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft

    model.minimize(
        sum(penalty(b) for b in free)
        - sum(
            (penalty(b) - weights.per_metre * d.travel[b][qi]) * var for (b, qi), var in y.items()
        )
        + weights.setup * sum(1 - z[qi][d.platforms[qi].current] for qi in qs)
    )
    for qi, row in z.items():
        for k, var in enumerate(row):
            model.add_hint(var, pattern[qi] == k)
    for (b, qi), var in y.items():
        model.add_hint(var, on.get(b) == qi)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0
    if dtime is not None:
        solver.parameters.max_deterministic_time = dtime
    solver.parameters.max_time_in_seconds = max(0.05, wall_s)
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Sub(False, None, {}, {}, solver.deterministic_time)
    return _Sub(
        code == cp_model.OPTIMAL,
        float(solver.best_objective_bound),
        {
            qi: next(k for k, var in enumerate(row) if solver.boolean_value(var))
            for qi, row in z.items()
        },
        {b: qi for (b, qi), var in y.items() if solver.boolean_value(var)},
        solver.deterministic_time,
    )


def relaxation_bound(problem: RailLoadProblem, *, time_limit_s: float = 1.0) -> float:
    """A lower bound on the cost: patterns kept whole, weights and DG rules dropped.

    Platforms of one type and current pattern are counted together; boxes of one
    length, priority and must-go flag too, each loaded one costing at least the
    least crane travel of its class (boxes no platform can carry are left). The
    small integer model is solved by CP-SAT; its optimum (or bound) is the bound.
    """
    d = _data(problem)
    weights = problem.weights
    groups: dict[tuple[int, int], int] = defaultdict(int)
    kinds: list[_Platform] = []
    key_of: dict[tuple[object, int], int] = {}
    for q in d.platforms:
        t = problem.wagons[q.wagon].wagon_type.platforms[q.platform]
        kind = key_of.setdefault((t, q.current), len(kinds))
        if kind == len(kinds):
            kinds.append(q)
        groups[kind, q.current] += 1
    classes: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    left_anyway = 0
    for b, box in enumerate(problem.boxes):
        pen = weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft
        if not d.allowed[b]:
            left_anyway += pen
            continue
        classes[box.length_ft, box.priority, box.must_go].append(
            min(d.travel[b][qi] for qi in d.allowed[b])
        )
    model = cp_model.CpModel()
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    setups = []
    for (kind, current), count in groups.items():
        row = []
        for k in range(len(kinds[kind].counts)):
            var = model.new_int_var(0, count, f"n{kind}_{k}")
            n[kind, k] = var
            row.append(var)
            if k != current:
                setups.append(var)
        model.add(sum(row) == count)
    x: dict[tuple[int, int, bool], cp_model.IntVar] = {}
    for c, travels in classes.items():
        x[c] = model.new_int_var(0, len(travels), f"x{c}")
    for li, length in enumerate(BOX_LENGTHS_FT):
        loaded = [var for c, var in x.items() if c[0] == length]
        if loaded:
            model.add(
                sum(loaded) <= sum(kinds[kind].counts[k][li] * var for (kind, k), var in n.items())
            )
    cost = left_anyway + weights.setup * sum(setups)
    for c, var in x.items():
        length, priority, must_go = c
        pen = weights.must_go * must_go + weights.per_foot * priority * length
        cost += pen * len(classes[c]) - (pen - weights.per_metre * min(classes[c])) * var
    model.minimize(cost)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    code = solver.solve(model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        bound = solver.best_objective_bound
        if math.isfinite(bound):
            return float(bound)
    return 0.0


def lp_bound(problem: RailLoadProblem, *, time_limit_s: float = 2.0) -> float | None:
    """A lower bound on the cost: the linear relaxation of the model (DG pairs dropped), by GLOP.

    None when GLOP does not reach the LP optimum within ``time_limit_s``.
    """
    return _lp_bound(_data(problem), time_limit_s)


def _lp_bound(d: _Data, time_limit_s: float) -> float | None:
    problem = d.problem
    boxes = problem.boxes
    weights = problem.weights
    m = mb.Model()  # type: ignore[no-untyped-call]
    z = [
        [m.new_num_var(0.0, 1.0, f"z{qi}_{k}") for k in range(len(q.counts))]
        for qi, q in enumerate(d.platforms)
    ]
    for row in z:
        m.add(mb.LinearExpr.sum(row) == 1)
    y: dict[tuple[int, int], mb.Variable] = {}
    on_platform: dict[int, list[int]] = defaultdict(list)
    for b, allowed in enumerate(d.allowed):
        for qi in allowed:
            y[b, qi] = m.new_num_var(0.0, 1.0, f"y{b}_{qi}")
            on_platform[qi].append(b)
        if allowed:
            m.add(mb.LinearExpr.sum([y[b, qi] for qi in allowed]) <= 1)
    for qi, q in enumerate(d.platforms):
        mine = on_platform[qi]
        if not mine:
            continue
        for li, length in enumerate(BOX_LENGTHS_FT):
            of_length = [y[b, qi] for b in mine if boxes[b].length_ft == length]
            if of_length:
                slots = mb.LinearExpr.weighted_sum(z[qi], [float(c[li]) for c in q.counts])
                m.add(mb.LinearExpr.sum(of_length) - slots <= 0)
        load = mb.LinearExpr.weighted_sum(
            [y[b, qi] for b in mine], [float(boxes[b].gross_kg) for b in mine]
        )
        m.add(load - mb.LinearExpr.weighted_sum(z[qi], [float(kg) for kg in q.payloads]) <= 0)
    for w, mine in enumerate(d.of_wagon):
        pairs = [(y[b, qi], boxes[b].gross_kg) for qi in mine for b in on_platform[qi]]
        if pairs:
            load = mb.LinearExpr.weighted_sum([v for v, _ in pairs], [float(kg) for _, kg in pairs])
            m.add(load <= problem.wagons[w].wagon_type.max_payload_kg)

    def penalty(b: int) -> int:
        box = boxes[b]
        return weights.must_go * box.must_go + weights.per_foot * box.priority * box.length_ft

    constant = sum(penalty(b) for b in range(len(boxes))) + weights.setup * len(d.platforms)
    variables = [*y.values(), *(z[qi][q.current] for qi, q in enumerate(d.platforms))]
    coefficients = [
        *(float(weights.per_metre * d.travel[b][qi] - penalty(b)) for b, qi in y),
        *([float(-weights.setup)] * len(d.platforms)),
    ]
    m.minimize(mb.LinearExpr.weighted_sum(variables, coefficients) + constant)
    solver = mb.Solver("glop")
    solver.set_time_limit_in_seconds(max(0.05, time_limit_s))
    if solver.solve(m) != mb.SolveStatus.OPTIMAL:
        return None
    value = float(solver.objective_value)
    # The cost is whole: round up, less a margin for the LP's tolerances.
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))


def solve_load_plan(
    problem: RailLoadProblem,
    *,
    time_limit_s: float = 10.0,
    num_workers: int = 2,
    seed: int = 0,
    deterministic_time_s: float | None = None,
) -> Result[LoadPlan]:
    """The train's load plan of least cost, by CP-SAT from the constructive plan.

    A train of up to :data:`WINDOW_WAGONS` wagons is one CP-SAT model. A longer
    one is improved window by window (that many wagons, with their boxes and the
    boxes still left, by one worker), moving by half a window and round again,
    until a whole round finds nothing better or time is up.

    Parameters
    ----------
    problem
        The train, the candidate boxes and the rules.
    time_limit_s
        Limit of the whole solve, wall clock (model building included).
    num_workers
        CP-SAT workers (1 to 8) of a single model; more than one are interleaved
        deterministically. Windows of a long train use one.
    seed
        CP-SAT's random seed.
    deterministic_time_s
        If given, CP-SAT's work is also limited to this deterministic time (about
        a second of work on one core each), in all. A solve that ends by proof or
        by this limit, before the wall-clock one, gives the same plan for the same
        seed, byte for byte; so does a long train's search that stops because a
        round of windows found nothing better. A solve cut by the wall clock may not.

    Returns
    -------
    Result[LoadPlan]
        OPTIMAL when the plan is proven optimal; else FEASIBLE, with the best plan
        found (at worst the constructive plan). The bound is the best of CP-SAT's
        (for a single model), :func:`lp_bound` and :func:`relaxation_bound`. A
        plan always comes back (the empty train keeps every rule).

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
    deadline = started + 0.95 * time_limit_s  # a margin for reading the plan back
    d = _data(problem)
    g = _greedy(d)
    greedy_cost = _cost(d, g.pattern, g.on)
    pattern, on = list(g.pattern), dict(g.on)
    n = len(problem.wagons)
    relaxed = relaxation_bound(problem, time_limit_s=max(0.05, 0.05 * time_limit_s))
    lp = _lp_bound(d, max(0.05, 0.2 * time_limit_s))
    bound = relaxed if lp is None else max(relaxed, lp)
    proven = False
    windows = 0
    dtime_used = 0.0
    if n <= WINDOW_WAGONS:
        sub = _solve_window(
            d,
            pattern,
            on,
            range(n),
            workers=num_workers,
            seed=seed,
            dtime=deterministic_time_s,
            wall_s=deadline - time.perf_counter(),
        )
        windows, dtime_used = 1, sub.dtime
        if sub.bound is not None:
            bound = max(bound, sub.bound)
            proven = sub.optimal
            new_pattern, new_on = _merge(pattern, on, range(n), d, sub)
            if _cost(d, new_pattern, new_on) <= greedy_cost:
                pattern, on = new_pattern, new_on
    else:
        step = WINDOW_WAGONS // 2
        starts = list(range(0, n - step, step))
        cost = greedy_cost
        i = 0
        unchanged = 0  # windows in a row that found nothing better
        while time.perf_counter() < deadline - 0.1 and cost > bound and unchanged < len(starts):
            budget = WINDOW_DTIME
            if deterministic_time_s is not None:
                budget = min(budget, deterministic_time_s - dtime_used)
                if budget <= 0:
                    break
            first = starts[i % len(starts)]
            window = range(first, min(n, first + WINDOW_WAGONS))
            # One worker: on a window this small it finds more per second than two
            # interleaved ones, and it keeps the search deterministic.
            sub = _solve_window(
                d,
                pattern,
                on,
                window,
                workers=1,
                seed=(seed + i) % 2**31,
                dtime=budget,
                wall_s=deadline - time.perf_counter(),
            )
            windows += 1
            dtime_used += sub.dtime
            i += 1
            if sub.bound is not None:
                new_pattern, new_on = _merge(pattern, on, window, d, sub)
                new_cost = _cost(d, new_pattern, new_on)
                if new_cost < cost:
                    pattern, on, cost = new_pattern, new_on, new_cost
                    unchanged = 0
                    continue
            unchanged += 1
    cost = _cost(d, pattern, on)
    proven = proven or cost <= bound
    statistics = {
        "boxes": float(len(problem.boxes)),
        "platforms": float(len(d.platforms)),
        "constructive_objective": float(greedy_cost),
        "constructive_loaded": float(len(g.on)),
        "windows": float(windows),
        "lp_bound": float("nan") if lp is None else lp,
        "relaxation_bound": relaxed,
        "cp_sat_deterministic_time": dtime_used,
    }
    return Result(
        Status.OPTIMAL if proven else Status.FEASIBLE,
        float(cost),
        _plan(d, pattern, on, cost),
        time.perf_counter() - started,
        min(bound, float(cost)) if proven else bound,
        statistics,
    )


def _merge(
    pattern: list[int], on: dict[int, int], wagons: range, d: _Data, sub: _Sub
) -> tuple[list[int], dict[int, int]]:
    """The plan with the window's patterns and free boxes as ``sub`` set them."""
    in_window = {qi for w in wagons for qi in d.of_wagon[w]}
    new_pattern = list(pattern)
    for qi, k in sub.pattern.items():
        new_pattern[qi] = k
    new_on = {b: qi for b, qi in on.items() if qi not in in_window}
    new_on.update(sub.on)
    return new_pattern, new_on
