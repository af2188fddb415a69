"""AGV dispatch policies: the rules every policy keeps, each policy's choices, optimality."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.control.dispatch import (
    POLICIES,
    AgvState,
    Assignment,
    DispatchSnapshot,
    FirstComeFirstServed,
    JobKind,
    MinCostAssignment,
    NearestIdle,
    TransportJob,
    TravelTime,
    policy,
)
from opentos.errors import InvalidValue, NotFound

# --- tiny instances -----------------------------------------------------------------------------


def on_a_line(seconds_per_step: float = 10.0) -> TravelTime:
    """Nodes N0, N1, ... on a line, ``seconds_per_step`` apart."""

    def travel(origin: str, destination: str) -> float:
        return seconds_per_step * abs(int(origin[1:]) - int(destination[1:]))

    return travel


def discharge(
    job: str, pickup: str, ready_s: float, crane: str, sequence: int, needed_s: float | None = None
) -> TransportJob:
    """A discharge job from the crane at ``pickup`` to a handover at N9."""
    needed = ready_s if needed_s is None else needed_s
    return TransportJob(job, "discharge", pickup, "N9", ready_s, needed, crane, sequence)


def two_agvs_three_jobs() -> DispatchSnapshot:
    """Two AGVs, three jobs on a line: A1 at N0 free now, A2 at N8 free at 5 s.

    J1 (QC1, ready 10 s) is under N7, J2 (QC2, ready 20 s) under N1, J3 (QC1, ready 30 s) under N4.
    """
    return DispatchSnapshot(
        now_s=0.0,
        agvs=(AgvState("A1", "N0", 0.0, 80.0), AgvState("A2", "N8", 5.0, 80.0)),
        jobs=(
            discharge("J1", "N7", 10.0, "QC1", 0),
            discharge("J2", "N1", 20.0, "QC2", 0),
            discharge("J3", "N4", 30.0, "QC1", 1),
        ),
    )


def pairs(assignments: Sequence[Assignment]) -> list[tuple[str, str]]:
    return [(a.agv, a.job) for a in assignments]


# --- every policy -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_low_battery_and_unavailable_agvs_are_never_assigned(name: str) -> None:
    """An AGV below the minimum battery or not available gets no job, even if it is nearest."""
    snapshot = DispatchSnapshot(
        now_s=0.0,
        agvs=(
            AgvState("A1", "N1", 0.0, 19.9),
            AgvState("A2", "N1", 0.0, 90.0, available=False),
            AgvState("A3", "N9", 0.0, 20.0),
        ),
        jobs=(discharge("J1", "N1", 0.0, "QC1", 0), discharge("J2", "N2", 0.0, "QC2", 0)),
        min_battery_pct=20.0,
    )
    assert [a.agv for a in policy(name).assign(snapshot, on_a_line())] == ["A3"]


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_empty_snapshots_give_no_assignments(name: str) -> None:
    """No AGVs or no jobs: nothing to assign."""
    agv = AgvState("A1", "N1", 0.0, 90.0)
    job = discharge("J1", "N1", 0.0, "QC1", 0)
    assert policy(name).assign(DispatchSnapshot(0.0, (agv,), ()), on_a_line()) == ()
    assert policy(name).assign(DispatchSnapshot(0.0, (), (job,)), on_a_line()) == ()


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_unreachable_pickups_are_never_assigned(name: str) -> None:
    """A pair whose travel time is math.inf is never chosen."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A1", "N1", 0.0, 90.0), AgvState("A2", "N5", 0.0, 90.0)),
        (discharge("J1", "N2", 0.0, "QC1", 0),),
    )

    def travel(origin: str, destination: str) -> float:
        return math.inf if origin == "N1" else on_a_line()(origin, destination)

    assert pairs(policy(name).assign(snapshot, travel)) == [("A2", "J1")]


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_negative_travel_times_are_rejected(name: str) -> None:
    """A travel estimate below zero is an error naming the two nodes."""
    snapshot = DispatchSnapshot(
        0.0, (AgvState("A1", "N1", 0.0, 90.0),), (discharge("J1", "N2", 0.0, "QC1", 0),)
    )
    with pytest.raises(InvalidValue, match="from N1 to N2"):
        policy(name).assign(snapshot, lambda origin, destination: -1.0)


def test_policies_by_name() -> None:
    """The three policies are known by name and report that name."""
    assert sorted(POLICIES) == ["fcfs", "nearest", "optimal"]
    assert isinstance(policy("nearest"), NearestIdle)
    assert isinstance(policy("fcfs"), FirstComeFirstServed)
    assert isinstance(policy("optimal"), MinCostAssignment)
    assert all(policy(name).name == name for name in POLICIES)


def test_unknown_policy_name_is_not_found() -> None:
    """An unknown policy name raises NotFound listing the valid names."""
    with pytest.raises(NotFound, match=r"'random'.*fcfs, nearest, optimal"):
        policy("random")
    with pytest.raises(LookupError):
        policy("")


# --- validation ---------------------------------------------------------------------------------


def test_snapshot_rejects_duplicate_ids_and_sequence_numbers() -> None:
    """An AGV, a job or a crane's sequence number given twice is an error naming it."""
    agv = AgvState("A1", "N1", 0.0, 90.0)
    with pytest.raises(InvalidValue, match="AGV A1 appears twice"):
        DispatchSnapshot(0.0, (agv, agv), ())
    job = discharge("J1", "N1", 0.0, "QC1", 0)
    with pytest.raises(InvalidValue, match="job J1 appears twice"):
        DispatchSnapshot(0.0, (), (job, job))
    with pytest.raises(InvalidValue, match="QC1#0 appears twice"):
        DispatchSnapshot(0.0, (), (job, discharge("J2", "N1", 5.0, "QC1", 0)))


def test_values_are_checked() -> None:
    """Bad battery, times, kinds, sequences and parameters are rejected with their value."""
    with pytest.raises(InvalidValue, match="battery_pct"):
        AgvState("A1", "N1", 0.0, 101.0)
    with pytest.raises(InvalidValue, match="free_at_s"):
        AgvState("A1", "N1", math.nan, 50.0)
    with pytest.raises(InvalidValue, match="before ready_s"):
        discharge("J1", "N1", 10.0, "QC1", 0, needed_s=5.0)
    with pytest.raises(InvalidValue, match="kind"):
        TransportJob("J1", "restow", "N1", "N2", 0.0, 0.0, "QC1", 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="sequence"):
        discharge("J1", "N1", 0.0, "QC1", -1)
    with pytest.raises(InvalidValue, match="lookahead >= 1"):
        MinCostAssignment(lookahead=0)
    with pytest.raises(InvalidValue, match="horizon_s"):
        MinCostAssignment(horizon_s=math.inf)
    with pytest.raises(InvalidValue, match="wait_weight > 0"):
        MinCostAssignment(wait_weight=0.0)


# --- the greedy policies ------------------------------------------------------------------------


def test_nearest_gives_each_job_in_ready_order_the_nearest_agv() -> None:
    """Nearest: J1 (ready first) to A2 next to it, J2 to A1, J3 left for later."""
    assignments = NearestIdle().assign(two_agvs_three_jobs(), on_a_line())
    assert assignments == (Assignment("A2", "J1", 5.0, 15.0), Assignment("A1", "J2", 0.0, 20.0))


def test_fcfs_gives_each_job_in_ready_order_the_agv_free_longest() -> None:
    """FCFS: J1 (ready first) to A1 (free at 0 s) although A2 is nearer, J2 to A2."""
    assignments = FirstComeFirstServed().assign(two_agvs_three_jobs(), on_a_line())
    assert assignments == (Assignment("A1", "J1", 0.0, 70.0), Assignment("A2", "J2", 5.0, 75.0))


def test_greedy_ties_go_to_crane_then_sequence_and_to_the_lower_agv_id() -> None:
    """Equal ready times: QC1 before QC2; equal distance or free time: A1 before A2."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A2", "N3", 0.0, 90.0), AgvState("A1", "N3", 0.0, 90.0)),
        (discharge("J2", "N3", 0.0, "QC2", 0), discharge("J1", "N3", 0.0, "QC1", 4)),
    )
    for chooser in (NearestIdle(), FirstComeFirstServed()):
        assert pairs(chooser.assign(snapshot, on_a_line())) == [("A1", "J1"), ("A2", "J2")]


# --- the optimal policy -------------------------------------------------------------------------


def test_optimal_serves_the_waiting_crane_first() -> None:
    """One AGV between two cranes: it goes to QC1, already waiting, not to QC2's buffered box."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A1", "N5", 0.0, 90.0),),
        (
            discharge("J1", "N8", 5.0, "QC1", 0),
            discharge("J2", "N4", 0.0, "QC2", 0, needed_s=300.0),
        ),
    )
    assert pairs(NearestIdle().assign(snapshot, on_a_line())) == [("A1", "J2")]
    assert pairs(FirstComeFirstServed().assign(snapshot, on_a_line())) == [("A1", "J2")]
    assert pairs(MinCostAssignment().assign(snapshot, on_a_line())) == [("A1", "J1")]


def test_optimal_leaves_jobs_due_beyond_the_horizon() -> None:
    """A job the crane needs only after the horizon is not worth an AGV yet."""
    snapshot = DispatchSnapshot(
        0.0, (AgvState("A1", "N5", 0.0, 90.0),), (discharge("J1", "N6", 100.0, "QC1", 0, 900.0),)
    )
    assert MinCostAssignment(horizon_s=600.0).assign(snapshot, on_a_line()) == ()
    assert pairs(MinCostAssignment(horizon_s=1200.0).assign(snapshot, on_a_line())) == [
        ("A1", "J1")
    ]


def test_optimal_considers_only_the_lookahead() -> None:
    """With lookahead 1 only each crane's next job is considered."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A1", "N5", 0.0, 90.0), AgvState("A2", "N5", 0.0, 90.0)),
        (discharge("J1", "N5", 0.0, "QC1", 0), discharge("J2", "N5", 0.0, "QC1", 1)),
    )
    chooser = MinCostAssignment(lookahead=1)
    assert [job.id for job, _ in chooser.considered_jobs(snapshot)] == ["J1"]
    assert [a.job for a in chooser.assign(snapshot, on_a_line())] == ["J1"]


def test_commit_rule_keeps_far_future_later_jobs_open() -> None:
    """A crane's next job is committed; its later job is only if picked up within commit_s."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A1", "N5", 0.0, 90.0), AgvState("A2", "N5", 0.0, 90.0)),
        (discharge("J1", "N5", 0.0, "QC1", 0), discharge("J2", "N5", 300.0, "QC1", 1)),
    )
    chooser = MinCostAssignment(horizon_s=600.0, commit_s=120.0)
    assert {a.job for a in chooser.match(snapshot, on_a_line())} == {"J1", "J2"}
    assert [a.job for a in chooser.assign(snapshot, on_a_line())] == ["J1"]
    wider = MinCostAssignment(horizon_s=600.0, commit_s=300.0)
    assert [a.job for a in wider.assign(snapshot, on_a_line())] == ["J1", "J2"]


def test_sequence_rule_sends_agvs_to_a_platform_in_crane_order() -> None:
    """A crane whose second box is due first still gets its AGVs in sequence order."""
    snapshot = DispatchSnapshot(
        0.0,
        (AgvState("A1", "N1", 0.0, 90.0), AgvState("A2", "N8", 0.0, 90.0)),
        (
            discharge("J1", "N9", 100.0, "QC1", 0),
            discharge("J2", "N9", 50.0, "QC1", 1),
        ),
    )
    chooser = MinCostAssignment(commit_s=math.inf)
    assert sorted(pairs(chooser.match(snapshot, on_a_line()))) == [("A1", "J1"), ("A2", "J2")]
    assert sorted(pairs(chooser.assign(snapshot, on_a_line()))) == [("A1", "J2"), ("A2", "J1")]


# --- properties on random instances -------------------------------------------------------------

NODES = tuple(f"N{i}" for i in range(6))
KINDS: tuple[JobKind, ...] = ("discharge", "load")


@st.composite
def instances(
    draw: st.DrawFn, max_agvs: int = 4, max_jobs: int = 4, monotone: bool = False
) -> tuple[DispatchSnapshot, TravelTime]:
    """A snapshot and a random (asymmetric, sometimes unreachable) travel-time table."""
    table = {
        (a, b): (0.0 if a == b else float(draw(st.integers(1, 130)))) for a in NODES for b in NODES
    }
    travel_s = {key: (math.inf if value > 120 else value) for key, value in table.items()}
    agvs = tuple(
        AgvState(
            f"A{i}",
            draw(st.sampled_from(NODES)),
            float(draw(st.integers(0, 300))),
            float(draw(st.sampled_from([10, 20, 50, 100]))),
            draw(st.sampled_from([True, True, True, False])),
        )
        for i in range(draw(st.integers(0, max_agvs)))
    )
    drafts = []
    for i in range(draw(st.integers(0, max_jobs))):
        kind = draw(st.sampled_from(KINDS))
        ready_s = float(draw(st.integers(0, 300)))
        slack_s = draw(st.integers(0, 200) if kind == "discharge" else st.integers(-50, 300))
        needed_s = ready_s + slack_s
        crane = draw(st.sampled_from(["QC1", "QC2"]))
        drafts.append((f"J{i}", kind, draw(st.sampled_from(NODES)), ready_s, needed_s, crane))
    if monotone:  # deadlines follow each crane's sequence
        drafts.sort(key=lambda d: d[4])
    next_sequence: dict[str, int] = {}
    jobs = []
    for job_id, kind, pickup, ready_s, needed_s, crane in drafts:
        sequence = next_sequence.get(crane, 0)
        next_sequence[crane] = sequence + 1
        dropoff = draw(st.sampled_from(NODES))
        jobs.append(TransportJob(job_id, kind, pickup, dropoff, ready_s, needed_s, crane, sequence))
    if not monotone:
        jobs = draw(st.permutations(jobs))
    return DispatchSnapshot(0.0, agvs, tuple(jobs)), lambda a, b: travel_s[(a, b)]


def crane_wait_s(job: TransportJob, arrival_s: float, travel: TravelTime) -> float:
    """Seconds the quay crane waits, written out again independently of the module."""
    if job.kind == "discharge":
        return max(0.0, arrival_s - job.needed_s)
    delivered_s = max(arrival_s, job.ready_s) + travel(job.pickup_node, job.dropoff_node)
    return max(0.0, delivered_s - job.needed_s)


def considered(
    snapshot: DispatchSnapshot, lookahead: int, horizon_s: float
) -> list[tuple[TransportJob, int]]:
    out = []
    for crane in sorted({job.crane for job in snapshot.jobs}):
        mine = sorted((j for j in snapshot.jobs if j.crane == crane), key=lambda j: j.sequence)
        out += [(j, r) for r, j in enumerate(mine[:lookahead]) if j.ready_s <= horizon_s]
    return out


def plan_cost(
    snapshot: DispatchSnapshot,
    travel: TravelTime,
    chosen: Mapping[str, str],
    lookahead: int = 3,
    horizon_s: float = 600.0,
) -> float:
    """The optimal policy's objective for job -> AGV ``chosen`` (other jobs count as left out)."""
    agvs = {agv.id: agv for agv in snapshot.agvs}
    total = 0.0
    for job, rank in considered(snapshot, lookahead, snapshot.now_s + horizon_s):
        weight = 10.0 * (lookahead - rank)
        if job.id in chosen:
            agv = agvs[chosen[job.id]]
            empty_s = travel(agv.node, job.pickup_node)
            arrival_s = max(snapshot.now_s, agv.free_at_s) + empty_s
            total += weight * crane_wait_s(job, arrival_s, travel) + empty_s
        else:
            total += weight * crane_wait_s(job, snapshot.now_s + horizon_s, travel)
    return total


def every_plan(
    jobs: Sequence[TransportJob], agvs: Sequence[AgvState], travel: TravelTime
) -> Iterator[dict[str, str]]:
    """Every way to give some of ``jobs`` distinct AGVs that can take them (job -> AGV)."""
    if not jobs:
        yield {}
        return
    first, rest = jobs[0], jobs[1:]
    yield from every_plan(rest, agvs, travel)
    for agv in agvs:
        if math.isfinite(
            travel(agv.node, first.pickup_node) + travel(first.pickup_node, first.dropoff_node)
        ):
            others = [a for a in agvs if a != agv]
            for plan in every_plan(rest, others, travel):
                yield {first.id: agv.id, **plan}


def as_plan(assignments: Sequence[Assignment]) -> dict[str, str]:
    return {a.job: a.agv for a in assignments}


def check_common_rules(snapshot: DispatchSnapshot, assignments: Sequence[Assignment]) -> None:
    agvs = {agv.id: agv for agv in snapshot.agvs}
    jobs = {job.id: job for job in snapshot.jobs}
    assert len({a.agv for a in assignments}) == len(assignments)
    assert len({a.job for a in assignments}) == len(assignments)
    for a in assignments:
        agv, job = agvs[a.agv], jobs[a.job]
        assert agv.available
        assert agv.battery_pct >= snapshot.min_battery_pct
        assert a.start_s == max(snapshot.now_s, agv.free_at_s)
        assert a.pickup_s >= max(a.start_s, job.ready_s)
    order = [(jobs[a.job].ready_s, jobs[a.job].crane, jobs[a.job].sequence) for a in assignments]
    assert order == sorted(order)


@given(instances(max_agvs=8, max_jobs=10), st.randoms(use_true_random=False))
def test_every_policy_assigns_each_agv_and_job_at_most_once(
    instance: tuple[DispatchSnapshot, TravelTime], rng: random.Random
) -> None:
    """Each AGV and job at most once, only eligible AGVs, and input order does not matter."""
    snapshot, travel = instance
    shuffled_agvs, shuffled_jobs = list(snapshot.agvs), list(snapshot.jobs)
    rng.shuffle(shuffled_agvs)
    rng.shuffle(shuffled_jobs)
    shuffled = DispatchSnapshot(snapshot.now_s, tuple(shuffled_agvs), tuple(shuffled_jobs))
    for name in POLICIES:
        assignments = policy(name).assign(snapshot, travel)
        check_common_rules(snapshot, assignments)
        assert policy(name).assign(snapshot, travel) == assignments
        assert policy(name).assign(shuffled, travel) == assignments


@given(instances(max_agvs=4, max_jobs=4))
def test_optimal_one_shot_assignment_is_optimal(
    instance: tuple[DispatchSnapshot, TravelTime],
) -> None:
    """The one-shot assignment costs what brute force finds, and no more than nearest or FCFS."""
    snapshot, travel = instance
    eligible = [a for a in snapshot.agvs if a.available and a.battery_pct >= 20.0]
    jobs = [job for job, _ in considered(snapshot, 3, snapshot.now_s + 600.0)]
    best = min(plan_cost(snapshot, travel, plan) for plan in every_plan(jobs, eligible, travel))
    matched = MinCostAssignment().match(snapshot, travel)
    check_common_rules(snapshot, matched)
    assert plan_cost(snapshot, travel, as_plan(matched)) == best
    for other in (NearestIdle(), FirstComeFirstServed()):
        assert best <= plan_cost(snapshot, travel, as_plan(other.assign(snapshot, travel)))


@given(instances(max_agvs=5, max_jobs=6, monotone=True))
def test_sequence_rule_costs_nothing_when_deadlines_follow_the_sequence(
    instance: tuple[DispatchSnapshot, TravelTime],
) -> None:
    """With every match committed, the sequence rule keeps the optimum and platform order."""
    snapshot, travel = instance
    chooser = MinCostAssignment(commit_s=math.inf)
    assigned = chooser.assign(snapshot, travel)
    check_common_rules(snapshot, assigned)
    assert plan_cost(snapshot, travel, as_plan(assigned)) == plan_cost(
        snapshot, travel, as_plan(chooser.match(snapshot, travel))
    )
    agvs = {agv.id: agv for agv in snapshot.agvs}
    jobs = {job.id: job for job in snapshot.jobs}
    arrivals: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for a in assigned:
        job = jobs[a.job]
        if job.kind == "discharge":
            arrival_s = a.start_s + travel(agvs[a.agv].node, job.pickup_node)
            arrivals.setdefault((job.crane, job.pickup_node), []).append((job.sequence, arrival_s))
    for platform in arrivals.values():
        in_sequence = [arrival_s for _, arrival_s in sorted(platform)]
        assert in_sequence == sorted(in_sequence)
