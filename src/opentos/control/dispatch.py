"""AGV dispatching: which AGV takes which transport job next.

A dispatch policy is a pure function of a :class:`DispatchSnapshot` (the
unassigned transport jobs and the AGVs that can take one now or soon) and a
:data:`TravelTime` estimate given by the caller (the router's); it returns
:class:`Assignment` objects and does no I/O. Each AGV and each job appears at
most once; AGVs that are not available or below the snapshot's minimum battery
are never assigned; leaving jobs unassigned or AGVs idle is a normal outcome.

Times are seconds from the caller's origin. For an AGV and a job:

- ``start_s = max(now_s, free_at_s)``: when the AGV sets off (empty) for the pickup;
- arrival at the pickup ``= start_s + travel(agv.node, pickup_node)``;
- ``pickup_s = max(arrival, ready_s)``: when it has the box;
- the **quay crane's wait**: a discharge crane needs its platform cleared by
  ``needed_s`` (``= ready_s`` when it has no buffer), so it waits
  ``max(0, arrival - needed_s)``; a load crane wants the box under it by
  ``needed_s``, so it waits ``max(0, pickup_s + travel(pickup, dropoff) - needed_s)``.

Policies (see :data:`POLICIES`):

``"nearest"`` :class:`NearestIdle`
    jobs by ``ready_s`` (ties: crane, sequence), each to the AGV nearest its pickup.
``"fcfs"`` :class:`FirstComeFirstServed`
    jobs by ``ready_s``, each to the AGV that became free earliest.
``"optimal"`` :class:`MinCostAssignment`
    a min-cost assignment over every crane's next few jobs (OR-Tools), then a
    sequence rule and a commit rule; its cost function is documented there.

``travel`` may return ``math.inf`` for a node that cannot be reached: no policy sends an
AGV to a pickup it cannot reach, or to a job whose dropoff cannot be reached from its pickup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Literal, Protocol

# ortools ships stubs for this module but no py.typed marker, so mypy sees it as untyped:
# the solver is used through the typed _LinearSumAssignment protocol below.
from ortools.graph.python import linear_sum_assignment  # type: ignore[import-untyped]

from opentos.errors import InvalidValue, NotFound
from opentos.model.places import check_id

JobKind = Literal["discharge", "load"]

TravelTime = Callable[[str, str], float]
"""Seconds an AGV needs from one node to another (``math.inf``: unreachable)."""


def _check_finite(what: str, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidValue(f"{what} must be a finite number of seconds, got {value!r}")


def _check_node(what: str, node: str) -> None:
    if not node or not node.strip():
        raise InvalidValue(f"{what} must be a non-empty node name, got {node!r}")


def _check_pct(what: str, value: float) -> None:
    if not 0.0 <= value <= 100.0:
        raise InvalidValue(f"{what} must be between 0 and 100 %, got {value!r}")


@dataclass(frozen=True, slots=True)
class AgvState:
    """Where an AGV will be free (``node``) and when (``free_at_s``)."""

    id: str
    node: str
    free_at_s: float
    battery_pct: float
    available: bool = True
    """False while broken down, charging or withdrawn: such an AGV is never assigned."""

    def __post_init__(self) -> None:
        check_id("AGV", self.id)
        _check_node(f"AGV {self.id}: node", self.node)
        _check_finite(f"AGV {self.id}: free_at_s", self.free_at_s)
        _check_pct(f"AGV {self.id}: battery_pct", self.battery_pct)


@dataclass(frozen=True, slots=True)
class TransportJob:
    """One AGV trip of a quay crane's work sequence.

    A discharge job picks the box up under the quay crane (``ready_s``: when the
    crane will have it on its platform; ``needed_s``: when the crane needs the
    platform cleared) and drops it at a block handover. A load job picks the box
    up at a block handover (``ready_s``: when the yard crane will have it there)
    and drops it under the quay crane (``needed_s``: when the crane wants it, by
    its work sequence). ``sequence`` is the job's position in its crane's sequence.
    """

    id: str
    kind: JobKind
    pickup_node: str
    dropoff_node: str
    ready_s: float
    needed_s: float
    crane: str
    sequence: int

    def __post_init__(self) -> None:
        check_id("transport job", self.id)
        check_id(f"job {self.id}: crane", self.crane)
        if self.kind not in ("discharge", "load"):
            raise InvalidValue(
                f"job {self.id}: kind must be 'discharge' or 'load', got {self.kind!r}"
            )
        _check_node(f"job {self.id}: pickup_node", self.pickup_node)
        _check_node(f"job {self.id}: dropoff_node", self.dropoff_node)
        _check_finite(f"job {self.id}: ready_s", self.ready_s)
        _check_finite(f"job {self.id}: needed_s", self.needed_s)
        if self.kind == "discharge" and self.needed_s < self.ready_s:
            raise InvalidValue(
                f"discharge job {self.id}: needed_s {self.needed_s} is before ready_s "
                f"{self.ready_s}; the platform cannot be cleared before the box is on it"
            )
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise InvalidValue(f"job {self.id}: sequence must be an int, got {self.sequence!r}")
        if self.sequence < 0:
            raise InvalidValue(f"job {self.id}: sequence must be >= 0, got {self.sequence}")


@dataclass(frozen=True, slots=True)
class DispatchSnapshot:
    """The unassigned jobs and the AGVs that can take one now or soon, at ``now_s``."""

    now_s: float
    agvs: tuple[AgvState, ...]
    jobs: tuple[TransportJob, ...]
    min_battery_pct: float = 20.0
    """AGVs below this charge are never assigned (they should go and charge)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "agvs", tuple(self.agvs))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        _check_finite("snapshot now_s", self.now_s)
        _check_pct("snapshot min_battery_pct", self.min_battery_pct)
        _check_unique("AGV", (agv.id for agv in self.agvs))
        _check_unique("transport job", (job.id for job in self.jobs))
        _check_unique("crane sequence", (f"{job.crane}#{job.sequence}" for job in self.jobs))

    def eligible_agvs(self) -> tuple[AgvState, ...]:
        """The AGVs a policy may assign (available, battery at least the minimum), by id."""
        return tuple(
            sorted(
                (a for a in self.agvs if a.available and a.battery_pct >= self.min_battery_pct),
                key=lambda a: a.id,
            )
        )

    def jobs_in_ready_order(self) -> tuple[TransportJob, ...]:
        """The jobs by ``ready_s``, ties by crane and then sequence."""
        return tuple(sorted(self.jobs, key=lambda j: (j.ready_s, j.crane, j.sequence)))


def _check_unique(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise InvalidValue(f"{kind} {value} appears twice in the dispatch snapshot")
        seen.add(value)


@dataclass(frozen=True, slots=True)
class Assignment:
    """AGV ``agv`` takes job ``job``: it sets off at ``start_s`` and has the box at ``pickup_s``.

    Both times are estimates from the snapshot and the travel times.
    """

    agv: str
    job: str
    start_s: float
    pickup_s: float


class DispatchPolicy(Protocol):
    """Chooses AGVs for transport jobs; pure: the same snapshot gives the same assignments."""

    @property
    def name(self) -> str:
        """The key of the policy in :data:`POLICIES`."""
        ...

    def assign(self, snapshot: DispatchSnapshot, travel: TravelTime) -> tuple[Assignment, ...]:
        """Assignments for some of the snapshot's jobs, each AGV and job at most once.

        Never assigns an unavailable AGV or one below ``snapshot.min_battery_pct``;
        assignments come in the order of their jobs' ``ready_s`` (ties: crane, sequence).
        """
        ...


class _Legs:
    """The caller's travel times, asked once per pair of nodes and checked."""

    __slots__ = ("_seconds", "_travel")

    def __init__(self, travel: TravelTime) -> None:
        self._travel = travel
        self._seconds: dict[tuple[str, str], float] = {}

    def __call__(self, origin: str, destination: str) -> float:
        key = (origin, destination)
        seconds = self._seconds.get(key)
        if seconds is None:
            seconds = float(self._travel(origin, destination))
            if not seconds >= 0.0:  # also catches NaN
                raise InvalidValue(
                    f"travel time from {origin} to {destination} is {seconds!r}; "
                    "expected seconds >= 0 or math.inf"
                )
            self._seconds[key] = seconds
        return seconds


def _start_s(snapshot: DispatchSnapshot, agv: AgvState) -> float:
    return max(snapshot.now_s, agv.free_at_s)


def _assignment(
    snapshot: DispatchSnapshot, agv: AgvState, job: TransportJob, legs: _Legs
) -> Assignment:
    start_s = _start_s(snapshot, agv)
    arrival_s = start_s + legs(agv.node, job.pickup_node)
    return Assignment(agv.id, job.id, float(start_s), float(max(arrival_s, job.ready_s)))


def _can_take(agv: AgvState, job: TransportJob, legs: _Legs) -> bool:
    """The AGV can reach the pickup, and the dropoff can be reached from there."""
    return math.isfinite(legs(agv.node, job.pickup_node)) and math.isfinite(
        legs(job.pickup_node, job.dropoff_node)
    )


def _crane_wait_s(job: TransportJob, arrival_s: float, legs: _Legs) -> float:
    """Seconds the quay crane waits when the AGV for ``job`` reaches the pickup at ``arrival_s``."""
    if job.kind == "discharge":
        return max(0.0, arrival_s - job.needed_s)
    delivery_s = max(arrival_s, job.ready_s) + legs(job.pickup_node, job.dropoff_node)
    return max(0.0, delivery_s - job.needed_s)


def _by_job_order(
    assignments: Iterable[Assignment], jobs: Mapping[str, TransportJob]
) -> tuple[Assignment, ...]:
    def key(a: Assignment) -> tuple[float, str, int]:
        job = jobs[a.job]
        return (job.ready_s, job.crane, job.sequence)

    return tuple(sorted(assignments, key=key))


@dataclass(frozen=True, slots=True)
class NearestIdle:
    """Jobs by ``ready_s`` (ties: crane, sequence), each to the free AGV nearest its pickup.

    Nearest is by travel time only (ties by AGV id), whenever the AGV becomes
    free: the classic nearest-vehicle rule, blind to time.
    """

    name: ClassVar[str] = "nearest"

    def assign(self, snapshot: DispatchSnapshot, travel: TravelTime) -> tuple[Assignment, ...]:
        """See :meth:`DispatchPolicy.assign`."""
        legs = _Legs(travel)
        free = list(snapshot.eligible_agvs())
        out: list[Assignment] = []
        for job in snapshot.jobs_in_ready_order():
            reachable = [a for a in free if _can_take(a, job, legs)]
            if not reachable:
                continue
            agv = min(reachable, key=lambda a: (legs(a.node, job.pickup_node), a.id))
            free.remove(agv)
            out.append(_assignment(snapshot, agv, job, legs))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class FirstComeFirstServed:
    """Jobs strictly by ``ready_s`` (ties: crane, sequence), each to the AGV free earliest.

    Earliest is by ``free_at_s`` (ties by AGV id), skipping AGVs that cannot take
    the job: the plainest policy, a baseline for the others.
    """

    name: ClassVar[str] = "fcfs"

    def assign(self, snapshot: DispatchSnapshot, travel: TravelTime) -> tuple[Assignment, ...]:
        """See :meth:`DispatchPolicy.assign`."""
        legs = _Legs(travel)
        free = sorted(snapshot.eligible_agvs(), key=lambda a: (a.free_at_s, a.id))
        out: list[Assignment] = []
        for job in snapshot.jobs_in_ready_order():
            for agv in free:
                if _can_take(agv, job, legs):
                    free.remove(agv)
                    out.append(_assignment(snapshot, agv, job, legs))
                    break
        return tuple(out)


_MAX_COST_DS = 10**12
"""Cap on one arc's cost in deciseconds, far from OR-Tools' overflow check."""


class _LinearSumAssignment(Protocol):
    """The part of OR-Tools' ``SimpleLinearSumAssignment`` used here."""

    def add_arc_with_cost(self, left_node: int, right_node: int, cost: int) -> int: ...
    def solve(self) -> object: ...
    def right_mate(self, left_node: int) -> int: ...


def _solve_assignment(n: int, arcs: Iterable[tuple[int, int, int]]) -> list[int]:
    """The right node matched to each of ``n`` left nodes in a min-cost perfect matching.

    ``arcs`` are ``(left, right, cost)`` over ``n`` x ``n`` nodes and must admit a
    perfect matching.
    """
    solver: _LinearSumAssignment = linear_sum_assignment.SimpleLinearSumAssignment()
    for left, right, cost in arcs:
        solver.add_arc_with_cost(left, right, cost)
    status = solver.solve()
    if status != linear_sum_assignment.SimpleLinearSumAssignment.OPTIMAL:
        raise InvalidValue(f"the {n} x {n} AGV assignment problem was not solved: {status}")
    return [solver.right_mate(left) for left in range(n)]


@dataclass(frozen=True, slots=True)
class MinCostAssignment:
    """A min-cost assignment of AGVs to every crane's next ``lookahead`` jobs.

    Jobs considered: for each crane, its first ``lookahead`` jobs by sequence
    (rank 0, 1, ...), less those ready after ``now_s + horizon_s``. AGVs
    considered: the eligible ones free by ``now_s + horizon_s``.

    Cost of AGV *a* taking job *j* of rank *r*, in seconds::

        wait_weight * (lookahead - r) * crane wait  +  empty travel to the pickup

    so a second of quay-crane waiting weighs ``wait_weight`` times a second of
    driving, and more for earlier jobs of a sequence (their delay delays the rest).
    A job left out costs as if its AGV reached the pickup at ``now_s + horizon_s``
    (crane wait only), and an idle AGV costs nothing: every job and AGV is
    optional, and a job due beyond the horizon is not worth an AGV yet. Costs are
    rounded to deciseconds and the assignment is solved exactly with OR-Tools'
    ``SimpleLinearSumAssignment`` on a square matrix (a dummy "left out" row per
    job and a dummy "idle" column per AGV). :meth:`match` returns this one-shot
    optimum; :meth:`assign` then applies two rules:

    1. **Sequence rule**: the AGVs matched to discharge jobs of one crane with the
       same pickup node reach it in the crane's sequence: they are re-sorted by
       arrival (ties by id) over those jobs in sequence order. This never adds
       cost when the jobs' ``needed_s`` follow their sequence.
    2. **Commit rule**: an assignment is returned only if its job is its crane's
       next (rank 0) or its ``pickup_s`` is within ``commit_s`` of ``now_s``; the
       others are decided again in a later call, so a far-future job does not tie
       up an AGV that a job not yet in view may need earlier.
    """

    name: ClassVar[str] = "optimal"
    lookahead: int = 3
    horizon_s: float = 600.0
    commit_s: float = 120.0
    wait_weight: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.lookahead, bool) or not isinstance(self.lookahead, int):
            raise InvalidValue(f"Expected an int lookahead, got {self.lookahead!r}.")
        if self.lookahead < 1:
            raise InvalidValue(f"Expected lookahead >= 1, got {self.lookahead}.")
        if not (math.isfinite(self.horizon_s) and self.horizon_s >= 0):
            raise InvalidValue(f"Expected finite horizon_s >= 0, got {self.horizon_s!r}.")
        if not (math.isfinite(self.wait_weight) and self.wait_weight > 0):
            raise InvalidValue(f"Expected finite wait_weight > 0, got {self.wait_weight!r}.")
        if not self.commit_s >= 0:  # math.inf commits every match
            raise InvalidValue(f"Expected commit_s >= 0, got {self.commit_s!r}.")

    def considered_jobs(self, snapshot: DispatchSnapshot) -> tuple[tuple[TransportJob, int], ...]:
        """The jobs this policy looks at, with their rank in their crane's sequence."""
        by_crane: dict[str, list[TransportJob]] = {}
        for job in sorted(snapshot.jobs, key=lambda j: (j.crane, j.sequence)):
            by_crane.setdefault(job.crane, []).append(job)
        latest_s = snapshot.now_s + self.horizon_s
        return tuple(
            (job, rank)
            for jobs in by_crane.values()
            for rank, job in enumerate(jobs[: self.lookahead])
            if job.ready_s <= latest_s
        )

    def match(self, snapshot: DispatchSnapshot, travel: TravelTime) -> tuple[Assignment, ...]:
        """The one-shot min-cost assignment, before the sequence and commit rules."""
        return self._match(snapshot, _Legs(travel))

    def assign(self, snapshot: DispatchSnapshot, travel: TravelTime) -> tuple[Assignment, ...]:
        """See :meth:`DispatchPolicy.assign` and the class docstring for the rules."""
        legs = _Legs(travel)
        matched = self._sequence_rule(snapshot, self._match(snapshot, legs), legs)
        ranks = {job.id: rank for job, rank in self.considered_jobs(snapshot)}
        latest_pickup_s = snapshot.now_s + self.commit_s
        return tuple(a for a in matched if ranks[a.job] == 0 or a.pickup_s <= latest_pickup_s)

    def _match(self, snapshot: DispatchSnapshot, legs: _Legs) -> tuple[Assignment, ...]:
        jobs = self.considered_jobs(snapshot)
        latest_s = snapshot.now_s + self.horizon_s
        agvs = [a for a in snapshot.eligible_agvs() if a.free_at_s <= latest_s]
        if not jobs or not agvs:
            return ()
        n_agv, n_job = len(agvs), len(jobs)

        def deciseconds(cost_s: float) -> int:
            return round(cost_s * 10.0) if cost_s * 10.0 < _MAX_COST_DS else _MAX_COST_DS

        # Left nodes: AGVs 0..n_agv-1, then one "left out" node per job.
        # Right nodes: jobs 0..n_job-1, then one "idle" node per AGV.
        arcs: list[tuple[int, int, int]] = []
        for j, (job, rank) in enumerate(jobs):
            weight = self.wait_weight * (self.lookahead - rank)
            left_out_s = weight * _crane_wait_s(job, latest_s, legs)
            arcs.append((n_agv + j, j, deciseconds(left_out_s)))
            arcs.extend((n_agv + j, n_job + i, 0) for i in range(n_agv))
            for i, agv in enumerate(agvs):
                if _can_take(agv, job, legs):
                    empty_s = legs(agv.node, job.pickup_node)
                    arrival_s = _start_s(snapshot, agv) + empty_s
                    cost_s = weight * _crane_wait_s(job, arrival_s, legs) + empty_s
                    arcs.append((i, j, deciseconds(cost_s)))
        arcs.extend((i, n_job + i, 0) for i in range(n_agv))

        mates = _solve_assignment(n_agv + n_job, arcs)
        chosen = (
            _assignment(snapshot, agv, jobs[mates[i]][0], legs)
            for i, agv in enumerate(agvs)
            if mates[i] < n_job
        )
        return _by_job_order(chosen, {job.id: job for job, _ in jobs})

    @staticmethod
    def _sequence_rule(
        snapshot: DispatchSnapshot, matched: tuple[Assignment, ...], legs: _Legs
    ) -> tuple[Assignment, ...]:
        jobs = {job.id: job for job in snapshot.jobs}
        agvs = {agv.id: agv for agv in snapshot.agvs}
        platforms: dict[tuple[str, str], list[Assignment]] = {}
        kept: list[Assignment] = []
        for a in matched:
            job = jobs[a.job]
            if job.kind == "discharge":
                platforms.setdefault((job.crane, job.pickup_node), []).append(a)
            else:
                kept.append(a)
        for (_, pickup_node), group in platforms.items():
            in_sequence = sorted((jobs[a.job] for a in group), key=lambda j: j.sequence)
            by_arrival = sorted(
                (agvs[a.agv] for a in group),
                key=lambda agv: (_start_s(snapshot, agv) + legs(agv.node, pickup_node), agv.id),
            )
            kept.extend(
                _assignment(snapshot, agv, job, legs)
                for agv, job in zip(by_arrival, in_sequence, strict=True)
            )
        return _by_job_order(kept, jobs)


POLICIES: Mapping[str, Callable[[], DispatchPolicy]] = MappingProxyType(
    {
        NearestIdle.name: NearestIdle,
        FirstComeFirstServed.name: FirstComeFirstServed,
        MinCostAssignment.name: MinCostAssignment,
    }
)
"""The dispatch policies by name, each with its default parameters."""


def policy(name: str) -> DispatchPolicy:
    """The dispatch policy called ``name`` with its default parameters.

    Raises
    ------
    NotFound
        No policy has that name; the message lists the valid names.
    """
    try:
        make = POLICIES[name]
    except KeyError:
        valid = ", ".join(sorted(POLICIES))
        raise NotFound(f"unknown dispatch policy {name!r}; valid names: {valid}") from None
    return make()
