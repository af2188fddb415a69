"""Berth planning on a continuous quay: where along the quay, when, and with how many QCs.

Each vessel visit gets a position along the quay (metres from its west end, as in
:class:`~opentos.model.layout.Quay`), a handling interval and a number of quay cranes.
Rules: a vessel lies wholly on the quay, in water at least as deep as its draft along its
whole length; it starts no earlier than its ETA and ends within the horizon; two vessels
at the quay at the same time keep ``clearance_m`` apart; the cranes working at any moment
are at most the cranes on the quay; handling takes ``moves / (cranes * crane_rate)`` hours.
The objective is the weighted sum over vessels of waiting plus handling time (end - ETA).

:func:`solve_berth` solves it with OR-Tools CP-SAT on a grid of ``slot_m`` metres by
``slot_s`` seconds: positions are multiples of ``slot_m``, starts and ends multiples of
``slot_s``, handling times rounded up to whole slots, each vessel's space ``length_m +
clearance_m`` rounded up to whole slots (so two vessels on the grid always keep the
clearance; the clearance of a vessel may reach past the quay's east end).
:func:`validate_berth` checks a plan against the continuous rules, independently of the grid.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from opentos.errors import InvalidValue
from opentos.planning.result import Result, Status

MAX_SLOTS = 100_000
"""The most grid slots accepted along the quay and along the horizon, to keep models sane."""

WEIGHT_SCALE = 1000
"""Weights enter the CP-SAT objective rounded to 1/WEIGHT_SCALE; the reported objective
uses the exact weights."""

_EPS = 1e-9
_TOLERANCE = 1e-6


def _number(owner: str, name: str, value: object, minimum: float, *, strict: bool) -> float:
    """``value`` as a float, checked finite and above (or at) ``minimum``."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value > minimum if strict else value >= minimum)
    )
    if not ok:
        relation = ">" if strict else ">="
        raise InvalidValue(f"{owner}: expected {name} {relation} {minimum:g}, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _integer(owner: str, name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidValue(f"{owner}: expected {name} an integer >= {minimum}, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class BerthVessel:
    """A vessel visit to berth: its size, ETA, work and how many QCs it can take."""

    id: str
    length_m: float
    """Length overall."""
    draft_m: float
    """Draft on arrival; the water along its berth must be at least this deep."""
    eta_s: float
    """Estimated time of arrival, seconds from the plan's origin."""
    moves: int
    """Container moves (discharge plus load) to work."""
    weight: float = 1.0
    """Priority: the objective counts this vessel's waiting plus handling time this often."""
    max_cranes: int = 4
    min_cranes: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidValue(f"vessel id must be a non-empty string, got {self.id!r}")
        owner = f"vessel {self.id}"
        set_ = object.__setattr__
        set_(self, "length_m", _number(owner, "length_m", self.length_m, 0, strict=True))
        set_(self, "draft_m", _number(owner, "draft_m", self.draft_m, 0, strict=True))
        set_(self, "eta_s", _number(owner, "eta_s", self.eta_s, 0, strict=False))
        set_(self, "weight", _number(owner, "weight", self.weight, 0, strict=False))
        _integer(owner, "moves", self.moves, 1)
        _integer(owner, "min_cranes", self.min_cranes, 1)
        _integer(owner, "max_cranes", self.max_cranes, self.min_cranes)


@dataclass(frozen=True, slots=True)
class BerthProblem:
    """A continuous quay, its cranes and the vessels to berth within ``horizon_s``."""

    quay_length_m: float
    depth_m: tuple[tuple[float, float, float], ...]
    """Segments ``(start_m, end_m, depth_m)`` in order along the quay, covering it exactly."""
    clearance_m: float
    """Least distance between two vessels at the quay at the same time."""
    cranes: int
    """Quay cranes on the quay."""
    crane_rate: float
    """Moves per crane-hour."""
    vessels: tuple[BerthVessel, ...]
    horizon_s: float
    """Every vessel must be finished by then (seconds from the origin)."""
    slot_m: float = 5.0
    """Grid step along the quay for the solver."""
    slot_s: float = 900.0
    """Grid step in time for the solver."""

    def __post_init__(self) -> None:
        owner = "berth problem"
        set_ = object.__setattr__
        quay = _number(owner, "quay_length_m", self.quay_length_m, 0, strict=True)
        set_(self, "quay_length_m", quay)
        set_(self, "clearance_m", _number(owner, "clearance_m", self.clearance_m, 0, strict=False))
        _integer(owner, "cranes", self.cranes, 1)
        set_(self, "crane_rate", _number(owner, "crane_rate", self.crane_rate, 0, strict=True))
        set_(self, "horizon_s", _number(owner, "horizon_s", self.horizon_s, 0, strict=True))
        set_(self, "slot_m", _number(owner, "slot_m", self.slot_m, 0, strict=True))
        set_(self, "slot_s", _number(owner, "slot_s", self.slot_s, 0, strict=True))
        if quay / self.slot_m > MAX_SLOTS or self.horizon_s / self.slot_s > MAX_SLOTS:
            raise InvalidValue(
                f"{owner}: the grid has more than {MAX_SLOTS} slots along the quay "
                f"({quay:g} m / {self.slot_m:g} m) or the horizon "
                f"({self.horizon_s:g} s / {self.slot_s:g} s); use coarser slots"
            )

        segments: list[tuple[float, float, float]] = []
        for index, segment in enumerate(tuple(self.depth_m)):
            where = f"{owner}: depth segment {index}"
            if not isinstance(segment, tuple) or len(segment) != 3:
                raise InvalidValue(f"{where} must be (start_m, end_m, depth_m), got {segment!r}")
            start = _number(where, "start_m", segment[0], 0, strict=False)
            end = _number(where, "end_m", segment[1], start, strict=True)
            depth = _number(where, "depth_m", segment[2], 0, strict=True)
            expected = segments[-1][1] if segments else 0.0
            if abs(start - expected) > _EPS:
                raise InvalidValue(
                    f"{where} starts at {start:g} m, expected {expected:g} m "
                    "(segments must cover the quay in order, without gaps or overlaps)"
                )
            segments.append((start, end, depth))
        if not segments:
            raise InvalidValue(f"{owner}: depth_m needs at least one segment")
        if abs(segments[-1][1] - quay) > _EPS:
            raise InvalidValue(
                f"{owner}: depth segments end at {segments[-1][1]:g} m, "
                f"not at the quay's end {quay:g} m"
            )
        set_(self, "depth_m", tuple(segments))

        vessels = tuple(self.vessels)
        if not vessels:
            raise InvalidValue(f"{owner}: needs at least one vessel")
        seen: set[str] = set()
        for vessel in vessels:
            if not isinstance(vessel, BerthVessel):
                raise InvalidValue(f"{owner}: vessels holds {vessel!r}, not a BerthVessel")
            if vessel.id in seen:
                raise InvalidValue(f"{owner}: vessel id {vessel.id!r} appears twice")
            seen.add(vessel.id)
        set_(self, "vessels", vessels)

    def min_depth_m(self, start_m: float, end_m: float) -> float:
        """The shallowest water along ``start_m..end_m`` (segments it touches inside)."""
        return min(
            depth
            for start, end, depth in self.depth_m
            if start < end_m - _EPS and end > start_m + _EPS
        )

    def handling_s(self, vessel: BerthVessel, cranes: int) -> float:
        """Time to work ``vessel`` with ``cranes`` QCs, in seconds (not rounded to the grid)."""
        return vessel.moves * 3600.0 / (cranes * self.crane_rate)


@dataclass(frozen=True, slots=True)
class BerthPlacement:
    """Vessel ``vessel`` lies from ``position_m`` east along the quay, worked by ``cranes``
    QCs from ``start_s`` to ``end_s``."""

    vessel: str
    position_m: float
    start_s: float
    end_s: float
    cranes: int


@dataclass(frozen=True, slots=True)
class BerthPlan:
    """One placement per vessel and the weighted waiting plus handling time, in seconds."""

    placements: tuple[BerthPlacement, ...]
    objective: float


def plan_objective(problem: BerthProblem, placements: tuple[BerthPlacement, ...]) -> float:
    """Sum over placements of the vessel's weight times ``end_s - eta_s``."""
    vessels = {v.id: v for v in problem.vessels}
    return sum(vessels[p.vessel].weight * (p.end_s - vessels[p.vessel].eta_s) for p in placements)


# --- Grid -----------------------------------------------------------------------------------------


def _ceil(value: float) -> int:
    return math.ceil(value - _EPS)


def _floor(value: float) -> int:
    return math.floor(value + _EPS)


@dataclass(frozen=True, slots=True)
class _Grid:
    """One vessel on the grid: release, allowed positions, space and (cranes, duration)s."""

    eta: int
    positions: tuple[int, ...]
    space: int
    options: tuple[tuple[int, int], ...]
    """``(cranes, duration)`` pairs that fit before the horizon, no two of equal duration."""


def _grid(problem: BerthProblem, vessel: BerthVessel, horizon: int) -> _Grid:
    eta = _ceil(vessel.eta_s / problem.slot_s)
    last = _floor((problem.quay_length_m - vessel.length_m) / problem.slot_m)
    positions = tuple(
        p
        for p in range(last + 1)
        if problem.min_depth_m(p * problem.slot_m, p * problem.slot_m + vessel.length_m)
        >= vessel.draft_m - _EPS
    )
    space = _ceil((vessel.length_m + problem.clearance_m) / problem.slot_m)
    options: list[tuple[int, int]] = []
    for cranes in range(vessel.min_cranes, min(vessel.max_cranes, problem.cranes) + 1):
        duration = max(1, _ceil(problem.handling_s(vessel, cranes) / problem.slot_s))
        # More cranes for the same duration only takes cranes from others.
        if eta + duration <= horizon and (not options or duration < options[-1][1]):
            options.append((cranes, duration))
    return _Grid(eta, positions, space, tuple(options))


# --- Solver ---------------------------------------------------------------------------------------


def solve_berth(
    problem: BerthProblem, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[BerthPlan]:
    """Minimise the weighted waiting plus handling time of ``problem`` with OR-Tools CP-SAT.

    Parameters
    ----------
    problem
        The quay, its cranes and the vessels.
    time_limit_s
        Wall-clock limit of the search, in seconds.
    seed
        CP-SAT's random seed; the search runs on one worker, so the same seed and a
        search that ends before the limit give the same plan.

    Returns
    -------
    Result[BerthPlan]
        OPTIMAL or FEASIBLE with a plan (objective in weighted seconds); INFEASIBLE when
        some vessel fits nowhere on the quay (too long, too deep, not enough cranes, ETA
        too late) or the solver proves there is no plan; UNKNOWN when the limit came first.
    """
    if not time_limit_s > 0:
        raise InvalidValue(f"Expected time_limit_s > 0, got {time_limit_s!r}.")
    if not 0 <= seed < 2**31:
        raise InvalidValue(f"Expected 0 <= seed < 2**31, got {seed!r}.")
    started = time.perf_counter()
    horizon = _floor(problem.horizon_s / problem.slot_s)
    grids = [_grid(problem, v, horizon) for v in problem.vessels]
    if any(not g.positions or not g.options for g in grids):
        return Result(Status.INFEASIBLE, None, None, time.perf_counter() - started)

    model = cp_model.CpModel()
    starts: list[cp_model.IntVar] = []
    ends: list[cp_model.IntVar] = []
    positions: list[cp_model.IntVar] = []
    choices: list[list[tuple[int, int, cp_model.IntVar]]] = []
    cranes_used: list[cp_model.IntVar] = []
    time_intervals: list[cp_model.IntervalVar] = []
    space_intervals: list[cp_model.IntervalVar] = []
    for i, g in enumerate(grids):
        shortest = min(d for _, d in g.options)
        longest = max(d for _, d in g.options)
        start = model.new_int_var(g.eta, horizon - shortest, f"start{i}")
        end = model.new_int_var(g.eta + shortest, horizon, f"end{i}")
        duration = model.new_int_var(shortest, longest, f"duration{i}")
        cranes = model.new_int_var(g.options[0][0], g.options[-1][0], f"cranes{i}")
        position = model.new_int_var_from_domain(
            cp_model.Domain.from_values(list(g.positions)), f"position{i}"
        )
        row = [(c, d, model.new_bool_var(f"use{i}_{c}")) for c, d in g.options]
        model.add_exactly_one(x for _, _, x in row)
        model.add(cranes == sum(c * x for c, _, x in row))
        model.add(duration == sum(d * x for _, d, x in row))
        time_intervals.append(model.new_interval_var(start, duration, end, f"time{i}"))
        space_intervals.append(model.new_fixed_size_interval_var(position, g.space, f"space{i}"))
        starts.append(start)
        ends.append(end)
        positions.append(position)
        choices.append(row)
        cranes_used.append(cranes)
    if len(grids) > 1:
        model.add_no_overlap_2d(time_intervals, space_intervals)
    model.add_cumulative(time_intervals, cranes_used, problem.cranes)
    weights = [round(v.weight * WEIGHT_SCALE) for v in problem.vessels]
    model.minimize(sum(w * end for w, end in zip(weights, ends, strict=True)))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit_s
    code = solver.solve(model)
    runtime_s = time.perf_counter() - started
    statistics = {
        "options": float(sum(len(g.options) for g in grids)),
        "positions": float(sum(len(g.positions) for g in grids)),
        "conflicts": float(solver.num_conflicts),
        "branches": float(solver.num_branches),
        "solver_wall_time_s": solver.wall_time,
    }
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = Status.INFEASIBLE if code == cp_model.INFEASIBLE else Status.UNKNOWN
        return Result(status, None, None, runtime_s, statistics=statistics)

    placements = []
    for vessel, start, end, position, row in zip(
        problem.vessels, starts, ends, positions, choices, strict=True
    ):
        chosen = next(c for c, _, x in row if solver.boolean_value(x))
        placements.append(
            BerthPlacement(
                vessel=vessel.id,
                position_m=solver.value(position) * problem.slot_m,
                start_s=solver.value(start) * problem.slot_s,
                end_s=solver.value(end) * problem.slot_s,
                cranes=chosen,
            )
        )
    objective = plan_objective(problem, tuple(placements))
    offset = sum(v.weight * v.eta_s for v in problem.vessels)
    bound = solver.best_objective_bound * problem.slot_s / WEIGHT_SCALE - offset
    return Result(
        Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE,
        objective,
        BerthPlan(tuple(placements), objective),
        runtime_s,
        bound=bound,
        statistics=statistics,
    )


# --- Checking -------------------------------------------------------------------------------------


def validate_berth(problem: BerthProblem, plan: BerthPlan) -> list[str]:
    """Every rule ``plan`` breaks, in continuous terms and apart from the solver; empty if valid.

    Checks: each vessel placed exactly once; on the quay, in water deep enough along its
    length; start at or after its ETA, end within the horizon and at least its handling time
    after the start; a crane count within the vessel's limits; no two vessels at the quay at
    once closer than the clearance; at most ``cranes`` QCs at work at any moment; the
    objective equal to the one recomputed.
    """
    problems: list[str] = []
    vessels = {v.id: v for v in problem.vessels}
    placed: dict[str, BerthPlacement] = {}
    for p in plan.placements:
        if p.vessel not in vessels:
            problems.append(f"placement of unknown vessel {p.vessel!r}")
        elif p.vessel in placed:
            problems.append(f"vessel {p.vessel} placed twice")
        else:
            placed[p.vessel] = p
    problems.extend(f"vessel {v} not placed" for v in vessels if v not in placed)

    for p in placed.values():
        v = vessels[p.vessel]
        what = f"vessel {v.id}"
        stern = p.position_m + v.length_m
        if p.position_m < -_TOLERANCE or stern > problem.quay_length_m + _TOLERANCE:
            problems.append(
                f"{what} at {p.position_m:g}-{stern:g} m is off the "
                f"{problem.quay_length_m:g} m quay"
            )
        else:
            depth = min(
                d
                for a, b, d in problem.depth_m
                if a < stern - _TOLERANCE and b > p.position_m + _TOLERANCE
            )
            if depth < v.draft_m - _TOLERANCE:
                problems.append(
                    f"{what} with draft {v.draft_m:g} m lies in {depth:g} m of water "
                    f"at {p.position_m:g}-{stern:g} m"
                )
        if p.start_s < v.eta_s - _TOLERANCE:
            problems.append(f"{what} starts at {p.start_s:g} s, before its ETA {v.eta_s:g} s")
        if p.end_s > problem.horizon_s + _TOLERANCE:
            problems.append(
                f"{what} ends at {p.end_s:g} s, after the horizon {problem.horizon_s:g} s"
            )
        if not v.min_cranes <= p.cranes <= v.max_cranes:
            problems.append(
                f"{what} gets {p.cranes} cranes, outside {v.min_cranes}..{v.max_cranes}"
            )
        elif p.end_s - p.start_s < problem.handling_s(v, p.cranes) - _TOLERANCE:
            problems.append(
                f"{what} is worked {p.end_s - p.start_s:g} s with {p.cranes} cranes, "
                f"needs {problem.handling_s(v, p.cranes):g} s"
            )

    ordered = sorted(placed.values(), key=lambda p: (p.start_s, p.vessel))
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b.start_s >= a.end_s - _TOLERANCE or a.start_s >= b.end_s - _TOLERANCE:
                continue
            west, east = (a, b) if a.position_m <= b.position_m else (b, a)
            gap = east.position_m - (west.position_m + vessels[west.vessel].length_m)
            if gap < problem.clearance_m - _TOLERANCE:
                problems.append(
                    f"vessels {west.vessel} and {east.vessel} are at the quay at the same "
                    f"time {gap:g} m apart, less than the clearance {problem.clearance_m:g} m"
                )
    # The crane load only rises at a start: checking every start checks every moment.
    for p in ordered:
        at_work = [q for q in ordered if q.start_s <= p.start_s + _TOLERANCE < q.end_s]
        total = sum(q.cranes for q in at_work)
        if total > problem.cranes:
            problems.append(
                f"{total} cranes at work at {p.start_s:g} s "
                f"({', '.join(q.vessel for q in at_work)}), only {problem.cranes} on the quay"
            )

    if len(placed) == len(vessels) == len(plan.placements):
        objective = plan_objective(problem, plan.placements)
        if abs(objective - plan.objective) > _TOLERANCE * max(1.0, abs(objective)):
            problems.append(f"objective {plan.objective:g} reported, {objective:g} recomputed")
    return problems


# --- Instances and output -------------------------------------------------------------------------


def generate_berth(n: int, seed: int, quay_length_m: float = 660.0) -> BerthProblem:
    """A random, always feasible Qianwan-like instance of ``n`` vessels.

    Two 20 m deep segments halve the quay; 7 QCs at 30 moves per crane-hour; vessels of
    150-366 m (capped at the quay), drafts 9-16 m, ETAs over 48 h, 500-3000 moves, weights
    1-3, up to 2-6 cranes by length. The horizon leaves room to work the vessels one after
    another after the last ETA, each with its most cranes.
    """
    if n < 1:
        raise InvalidValue(f"Expected n >= 1, got n={n}.")
    if not quay_length_m >= 150:
        raise InvalidValue(f"Expected quay_length_m >= 150, got {quay_length_m!r}.")
    rng = random.Random(seed)
    clearance_m, cranes, crane_rate, slot_s = 15.0, 7, 30.0, 900.0
    longest = min(366.0, quay_length_m)
    vessels = []
    for index in range(n):
        length = float(rng.randint(150, int(longest)))
        vessels.append(
            BerthVessel(
                id=f"V{index + 1:02d}",
                length_m=length,
                draft_m=round(rng.uniform(9.0, 16.0), 1),
                eta_s=float(rng.randint(0, 48 * 4) * 900),
                moves=rng.randint(500, 3000),
                weight=float(rng.randint(1, 3)),
                max_cranes=max(2, min(6, int(length // 60))),
            )
        )
    work_s = sum(
        math.ceil(v.moves * 3600 / (v.max_cranes * crane_rate) / slot_s) * slot_s for v in vessels
    )
    half = quay_length_m / 2
    return BerthProblem(
        quay_length_m=quay_length_m,
        depth_m=((0.0, half, 20.0), (half, quay_length_m, 20.0)),
        clearance_m=clearance_m,
        cranes=cranes,
        crane_rate=crane_rate,
        vessels=tuple(vessels),
        horizon_s=48 * 3600 + work_s + 4 * slot_s,
        slot_s=slot_s,
    )


def plot_berth(problem: BerthProblem, plan: BerthPlan, path: Path | str) -> None:
    """A space-time picture of ``plan`` as PNG: time in hours across, quay metres up.

    Each vessel is a rectangle labelled with its id and crane count; a dotted line runs
    from its ETA (a triangle) to its start; dashed lines mark depth segment boundaries.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    vessels = {v.id: v for v in problem.vessels}
    last_h = 1.05 * max(
        [*(p.end_s / 3600 for p in plan.placements), *(v.eta_s / 3600 for v in problem.vessels)]
    )
    fig, ax = plt.subplots(figsize=(12, 5.5))
    colours = plt.get_cmap("tab20")
    for index, p in enumerate(plan.placements):
        v = vessels[p.vessel]
        x, width = p.start_s / 3600, (p.end_s - p.start_s) / 3600
        ax.add_patch(
            Rectangle(
                (x, p.position_m),
                width,
                v.length_m,
                facecolor=colours(index % 20),
                edgecolor="black",
                alpha=0.8,
            )
        )
        middle = p.position_m + v.length_m / 2
        ax.text(
            x + width / 2, middle, f"{v.id}\n{p.cranes} QC", ha="center", va="center", fontsize=7
        )
        eta_h = v.eta_s / 3600
        ax.plot([eta_h], [middle], marker=">", color="black", markersize=5)
        if x > eta_h:
            ax.plot([eta_h, x], [middle, middle], linestyle=":", color="black", linewidth=1)
    for start, _, depth in problem.depth_m:
        ax.axhline(start, color="grey", linestyle="--", linewidth=0.8)
        ax.text(0, start, f" {depth:g} m deep", va="bottom", fontsize=7, color="grey")
    ax.set_xlim(0, last_h)
    ax.set_ylim(0, problem.quay_length_m)
    ax.set_xlabel("time (hours)")
    ax.set_ylabel("quay position (metres from the west end)")
    ax.set_title(
        f"Berth plan: {len(plan.placements)} vessels, {problem.cranes} QCs, "
        f"weighted waiting + handling {plan.objective / 3600:.1f} h"
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
