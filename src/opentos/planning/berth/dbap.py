"""The discrete dynamic berth allocation problem (DBAP) of Lalla-Ruiz et al. (2012).

``N`` vessels arrive over time at a quay split into ``M`` discrete berths. Vessel *i*
handled at berth *k* takes ``handling[i][k]`` time units (``None``: not allowed there);
it starts no earlier than its arrival and the berth's opening, ends no later than the
berth's closing and its own latest departure, and a berth serves one vessel at a time.
The objective is the total service time, the sum over vessels of ``end - arrival``.

The benchmark file format is a stream of whitespace-separated integers::

    N M
    arrival[0..N-1]
    opening[0..M-1]
    handling[0][0..M-1] ... handling[N-1][0..M-1]     (99999: berth not allowed)
    closing[0..M-1]
    latest[0..N-1]

Values after the last expected one are ignored. Indices are 0-based throughout.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.result import Result, Status

NOT_ALLOWED = 99999
"""The handling time that marks a berth a vessel may not use, in the file format."""

MAX_VALUE = 1_000_000_000
"""The largest time accepted, so that sums over vessels stay far inside 64-bit integers."""

_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class DbapInstance:
    """A DBAP instance; times are integer units from a common origin."""

    n: int
    """Number of vessels."""
    m: int
    """Number of berths."""
    arrival: tuple[int, ...]
    """Arrival time of each vessel (length ``n``)."""
    opening: tuple[int, ...]
    """Time each berth opens (length ``m``)."""
    handling: tuple[tuple[int | None, ...], ...]
    """``handling[i][k]``: time to handle vessel *i* at berth *k*; None if not allowed."""
    closing: tuple[int, ...]
    """Time each berth closes (length ``m``)."""
    latest: tuple[int, ...]
    """Latest departure of each vessel (length ``n``)."""

    def __post_init__(self) -> None:
        if self.n < 1 or self.m < 1:
            raise InvalidValue(f"Expected n >= 1 and m >= 1, got n={self.n}, m={self.m}.")
        for name, values, size in (
            ("arrival", self.arrival, self.n),
            ("opening", self.opening, self.m),
            ("closing", self.closing, self.m),
            ("latest", self.latest, self.n),
        ):
            if len(values) != size:
                raise InvalidValue(f"Expected {size} values in {name}, got {len(values)}.")
            for index, value in enumerate(values):
                if not 0 <= value <= MAX_VALUE:
                    raise InvalidValue(f"{name}[{index}] = {value} is not in 0..{MAX_VALUE}.")
        if len(self.handling) != self.n:
            raise InvalidValue(f"Expected {self.n} rows in handling, got {len(self.handling)}.")
        for i, row in enumerate(self.handling):
            if len(row) != self.m:
                raise InvalidValue(f"Expected {self.m} values in handling[{i}], got {len(row)}.")
            for k, h in enumerate(row):
                if h is not None and (not 1 <= h <= MAX_VALUE or h == NOT_ALLOWED):
                    raise InvalidValue(
                        f"handling[{i}][{k}] = {h} is not in 1..{MAX_VALUE} "
                        f"(use None, not {NOT_ALLOWED}, for a berth that is not allowed)."
                    )


@dataclass(frozen=True, slots=True)
class DbapAssignment:
    """Vessel ``vessel`` is handled at berth ``berth`` from ``start`` on."""

    vessel: int
    berth: int
    start: int


@dataclass(frozen=True, slots=True)
class DbapSolution:
    """One assignment per vessel and the total service time they give."""

    assignments: tuple[DbapAssignment, ...]
    objective: int


# --- File format ----------------------------------------------------------------------------------


def parse_dbap(text: str, source: str = "<string>") -> DbapInstance:
    """Read an instance in the benchmark format of Lalla-Ruiz et al. (2012).

    Parameters
    ----------
    text
        Whitespace-separated integers; values after the last expected one are ignored.
    source
        Where the text came from, for error messages.

    Raises
    ------
    DataImportError
        Listing every problem, each naming its 1-based value index, e.g.
        ``"value 7: expected 3 arrival times, file ended"``.
    """
    tokens = text.split()
    problems: list[str] = []

    def read(index: int, what: str, minimum: int) -> int | None:
        token = tokens[index]
        if not _INTEGER.fullmatch(token):
            problems.append(f"value {index + 1}: {token!r} is not an integer")
            return None
        value = int(token)
        if value < 0:
            problems.append(f"value {index + 1}: {what} {value} is negative")
            return None
        if value < minimum:
            problems.append(f"value {index + 1}: {what} {value} is less than {minimum}")
            return None
        if value > MAX_VALUE:
            problems.append(f"value {index + 1}: {what} {value} is above {MAX_VALUE}")
            return None
        return value

    header: list[int | None] = []
    for index, what in enumerate(("number of vessels", "number of berths")):
        if index >= len(tokens):
            problems.append(f"value {index + 1}: expected the {what}, file ended")
            raise DataImportError(source, problems)
        header.append(read(index, what, 1))
    n, m = header
    if n is None or m is None:
        raise DataImportError(source, problems)

    sections = (
        (n, "arrival times", "arrival time", 0),
        (m, "berth opening times", "opening time", 0),
        (n * m, f"{n} x {m} handling times", "handling time", 1),
        (m, "berth closing times", "closing time", 0),
        (n, "latest departures", "latest departure", 0),
    )
    values: list[list[int | None]] = []
    position = 2
    for count, plural, singular, minimum in sections:
        if position + count > len(tokens):
            for index in range(position, len(tokens)):
                read(index, singular, minimum)  # still report what is wrong before the end
            expected = plural if plural[0].isdigit() else f"{count} {plural}"
            problems.append(f"value {len(tokens) + 1}: expected {expected}, file ended")
            break
        values.append([read(position + j, singular, minimum) for j in range(count)])
        position += count
    if problems:
        raise DataImportError(source, problems)

    arrival, opening, flat, closing, latest = ([v or 0 for v in section] for section in values)
    handling = tuple(
        tuple(None if h == NOT_ALLOWED else h for h in flat[i * m : (i + 1) * m]) for i in range(n)
    )
    return DbapInstance(
        n=n,
        m=m,
        arrival=tuple(arrival),
        opening=tuple(opening),
        handling=handling,
        closing=tuple(closing),
        latest=tuple(latest),
    )


def format_dbap(instance: DbapInstance) -> str:
    """Write ``instance`` in the benchmark format; :func:`parse_dbap` reads it back equal."""

    def line(values: Sequence[int | None]) -> str:
        return " ".join(str(NOT_ALLOWED if v is None else v) for v in values)

    rows = [
        f"{instance.n} {instance.m}",
        line(instance.arrival),
        line(instance.opening),
        *(line(row) for row in instance.handling),
        line(instance.closing),
        line(instance.latest),
    ]
    return "\n".join(rows) + "\n"


def generate_dbap(n: int, m: int, seed: int) -> DbapInstance:
    """A random, always feasible instance of ``n`` vessels and ``m`` berths.

    Arrivals are spread over a horizon in which the berths would be about busy,
    handling times are 5-30 (each berth not allowed with probability 0.1, but every
    vessel keeps at least one), berths open early and every window is wide enough
    for a first-come-first-served plan.
    """
    if n < 1 or m < 1:
        raise InvalidValue(f"Expected n >= 1 and m >= 1, got n={n}, m={m}.")
    rng = random.Random(seed)
    horizon = max(1, (n * 17) // m)
    arrival = tuple(rng.randint(0, horizon) for _ in range(n))
    opening = tuple(rng.randint(0, horizon // 10) for _ in range(m))
    handling: list[tuple[int | None, ...]] = []
    for _ in range(n):
        row: list[int | None] = [
            None if rng.random() < 0.1 else rng.randint(5, 30) for _ in range(m)
        ]
        if all(h is None for h in row):
            row[rng.randrange(m)] = rng.randint(5, 30)
        handling.append(tuple(row))
    # Serving vessels one after another in arrival order, each at any allowed berth,
    # ends every vessel by max(opening, arrival) + 30 n: windows at least that wide.
    slack = max(opening) + horizon + 30 * n
    closing = tuple(slack + rng.randint(0, horizon) for _ in range(m))
    latest = tuple(a + slack + rng.randint(0, horizon) for a in arrival)
    return DbapInstance(n, m, arrival, opening, tuple(handling), closing, latest)


# --- Solver ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Option:
    """Vessel ``vessel`` at berth ``berth``: starts in ``lo..hi``, takes ``duration``."""

    vessel: int
    berth: int
    lo: int
    hi: int
    duration: int


def _options(instance: DbapInstance) -> list[list[_Option]]:
    """The (berth, start window) choices of each vessel; empty windows are left out."""
    options: list[list[_Option]] = []
    for i in range(instance.n):
        mine = []
        for k, h in enumerate(instance.handling[i]):
            if h is None:
                continue
            lo = max(instance.arrival[i], instance.opening[k])
            hi = min(instance.closing[k], instance.latest[i]) - h
            if lo <= hi:
                mine.append(_Option(i, k, lo, hi, h))
        options.append(mine)
    return options


def _greedy(instance: DbapInstance, options: list[list[_Option]]) -> dict[int, tuple[_Option, int]]:
    """Earliest-finish plan: vessels by arrival, each appended to the berth it leaves first.

    Vessels that fit nowhere are left out; the result is only a hint for the solver.
    """
    free = list(instance.opening)
    plan: dict[int, tuple[_Option, int]] = {}
    for i in sorted(range(instance.n), key=lambda i: (instance.arrival[i], i)):
        best: tuple[int, _Option, int] | None = None
        for option in options[i]:
            start = max(option.lo, free[option.berth])
            if start <= option.hi and (best is None or start + option.duration < best[0]):
                best = (start + option.duration, option, start)
        if best is not None:
            finish, option, start = best
            free[option.berth] = finish
            plan[i] = (option, start)
    return plan


def solve_dbap(
    instance: DbapInstance, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[DbapSolution]:
    """Minimise the total service time of ``instance`` with OR-Tools CP-SAT.

    Parameters
    ----------
    instance
        The problem.
    time_limit_s
        Wall-clock limit of the search, in seconds.
    seed
        CP-SAT's random seed; the search runs on one worker, so the same seed and a
        search that ends before the limit give the same plan.

    Returns
    -------
    Result[DbapSolution]
        OPTIMAL or FEASIBLE with a plan; INFEASIBLE when some vessel has no allowed
        berth with a non-empty window, or the solver proves there is no plan; UNKNOWN
        when the limit came first.
    """
    if not time_limit_s > 0:
        raise InvalidValue(f"Expected time_limit_s > 0, got {time_limit_s!r}.")
    if not 0 <= seed < 2**31:
        raise InvalidValue(f"Expected 0 <= seed < 2**31, got {seed!r}.")
    started = time.perf_counter()
    options = _options(instance)
    if any(not mine for mine in options):
        return Result(Status.INFEASIBLE, None, None, time.perf_counter() - started)

    model = cp_model.CpModel()
    chosen: list[list[tuple[_Option, cp_model.IntVar, cp_model.IntVar]]] = []
    ends: list[cp_model.IntVar] = []
    per_berth: list[list[cp_model.IntervalVar]] = [[] for _ in range(instance.m)]
    for i, mine in enumerate(options):
        end = model.new_int_var(
            min(o.lo + o.duration for o in mine), max(o.hi + o.duration for o in mine), f"end{i}"
        )
        ends.append(end)
        row = []
        for o in mine:
            present = model.new_bool_var(f"x{i}_{o.berth}")
            start = model.new_int_var(o.lo, o.hi, f"s{i}_{o.berth}")
            per_berth[o.berth].append(
                model.new_optional_fixed_size_interval_var(
                    start, o.duration, present, f"iv{i}_{o.berth}"
                )
            )
            model.add(end == start + o.duration).only_enforce_if(present)
            row.append((o, present, start))
        model.add_exactly_one(present for _, present, _ in row)
        chosen.append(row)
    for intervals in per_berth:
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    model.minimize(sum(ends) - sum(instance.arrival))

    for i, (option, start_time) in _greedy(instance, options).items():
        model.add_hint(ends[i], start_time + option.duration)
        for o, present, start in chosen[i]:
            model.add_hint(present, o is option)
            if o is option:
                model.add_hint(start, start_time)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit_s
    code = solver.solve(model)
    runtime_s = time.perf_counter() - started
    statistics = {
        "options": float(sum(len(mine) for mine in options)),
        "conflicts": float(solver.num_conflicts),
        "branches": float(solver.num_branches),
        "solver_wall_time_s": solver.wall_time,
    }
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = Status.INFEASIBLE if code == cp_model.INFEASIBLE else Status.UNKNOWN
        return Result(status, None, None, runtime_s, statistics=statistics)

    assignments = []
    for row in chosen:
        o, _, start = next(entry for entry in row if solver.boolean_value(entry[1]))
        assignments.append(DbapAssignment(o.vessel, o.berth, solver.value(start)))
    objective = round(solver.objective_value)
    return Result(
        Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE,
        objective,
        DbapSolution(tuple(assignments), objective),
        runtime_s,
        bound=solver.best_objective_bound,
        statistics=statistics,
    )


# --- Checking and output --------------------------------------------------------------------------


def validate_dbap(instance: DbapInstance, solution: DbapSolution) -> list[str]:
    """Every rule ``solution`` breaks, independently of any solver; empty when valid.

    Checks: each vessel assigned exactly once to a berth it may use; its start and end
    inside its own and the berth's window; no two vessels at once on a berth; the
    objective equal to the total service time recomputed from the starts.
    """
    problems: list[str] = []
    seen: dict[int, DbapAssignment] = {}
    for a in solution.assignments:
        if not 0 <= a.vessel < instance.n:
            problems.append(f"assignment {a}: no vessel {a.vessel}")
        elif a.vessel in seen:
            problems.append(f"vessel {a.vessel} assigned twice")
        else:
            seen[a.vessel] = a
    problems.extend(f"vessel {i} not assigned" for i in range(instance.n) if i not in seen)

    total = 0
    complete = len(seen) == instance.n
    busy: list[list[tuple[int, int, int]]] = [[] for _ in range(instance.m)]
    for i, a in sorted(seen.items()):
        if not 0 <= a.berth < instance.m:
            problems.append(f"vessel {i}: no berth {a.berth}")
            complete = False
            continue
        h = instance.handling[i][a.berth]
        if h is None:
            problems.append(f"vessel {i}: berth {a.berth} is not allowed")
            complete = False
            continue
        end = a.start + h
        total += end - instance.arrival[i]
        busy[a.berth].append((a.start, end, i))
        if a.start < instance.arrival[i]:
            problems.append(f"vessel {i}: starts at {a.start}, before its arrival")
        if a.start < instance.opening[a.berth]:
            problems.append(f"vessel {i}: starts at {a.start}, before berth {a.berth} opens")
        if end > instance.closing[a.berth]:
            problems.append(f"vessel {i}: ends at {end}, after berth {a.berth} closes")
        if end > instance.latest[i]:
            problems.append(f"vessel {i}: ends at {end}, after its latest departure")
    for k, spans in enumerate(busy):
        spans.sort()
        last_end, last = -1, -1  # the vessel that ends last among those started so far
        for start, end, j in spans:
            if start < last_end:
                problems.append(f"berth {k}: vessel {j} starts at {start}, before {last} ends")
            if end > last_end:
                last_end, last = end, j
    if complete and total != solution.objective:
        problems.append(f"objective {solution.objective} reported, {total} recomputed")
    return problems


def to_json(solution: DbapSolution) -> dict[str, object]:
    """``{"objective": int, "assignments": [{"vessel", "berth", "start"}, ...]}`` by vessel."""
    return {
        "objective": solution.objective,
        "assignments": [
            {"vessel": a.vessel, "berth": a.berth, "start": a.start}
            for a in sorted(solution.assignments, key=lambda a: (a.vessel, a.berth, a.start))
        ],
    }
