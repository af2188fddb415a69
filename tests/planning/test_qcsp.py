"""Tests of the QCSP parser, CP-SAT solver and validator."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.errors import DataImportError
from opentos.planning.cranes.qcsp import (
    QcspInstance,
    QcspSolution,
    QcspTask,
    format_qcsp,
    generate_qcsp,
    parse_qcsp,
    solve_qcsp,
    to_json,
    validate_qcsp,
)
from opentos.planning.result import Status

TWO_CRANES_FOUR_TASKS = """
[4, 6, 1, 1, 2, 1, 1]
[5 3 4 6]
[1 3 4 6]
[0 2]
[1 6]
[2, 3]
[1, 4]
"""
"""An instance with 4 tasks and 2 cranes that is easy to understand."""


@st.composite
def instances(draw: st.DrawFn) -> QcspInstance:
    n = draw(st.integers(1, 8))
    q = draw(st.integers(1, 3))
    b = draw(st.integers(1, 12))
    task = st.integers(1, n)
    pairs = st.lists(st.tuples(task, task).filter(lambda ij: ij[0] != ij[1]), max_size=4)
    return QcspInstance(
        n_bays=b,
        travel_time=draw(st.integers(1, 3)),
        safety_margin=draw(st.integers(0, 2)),
        processing=tuple(draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))),
        bays=tuple(draw(st.lists(st.integers(1, b), min_size=n, max_size=n))),
        ready=tuple(draw(st.lists(st.integers(0, 20), min_size=q, max_size=q))),
        start_bays=tuple(draw(st.lists(st.integers(1, b), min_size=q, max_size=q))),
        precedences=tuple(draw(pairs)) if n > 1 else (),
        nonsimultaneous=tuple(draw(pairs)) if n > 1 else (),
    )


@given(instances())
def test_format_parse_round_trip(instance: QcspInstance) -> None:
    """Formatting then parsing gives the same instance."""
    assert parse_qcsp(format_qcsp(instance)) == instance


def test_parse_tolerates_commas_and_newlines() -> None:
    """Lists may be separated by commas and newlines, items by commas or spaces."""
    text = TWO_CRANES_FOUR_TASKS.replace("\n", ",\n")
    inst = parse_qcsp(text)
    assert inst.bays == (1, 3, 4, 6)
    assert inst.precedences == ((2, 3),)
    assert inst.nonsimultaneous == ((1, 4),)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (TWO_CRANES_FOUR_TASKS.replace("[1 3 4 6]", "[1 3 4]"), "list 3 ([l_1 ... l_n])"),
        (TWO_CRANES_FOUR_TASKS.replace("[5 3 4 6]", "[5 x 4 6]"), "list 2 ([p_1 ... p_n]) item 2"),
        (TWO_CRANES_FOUR_TASKS.replace("[1 3 4 6]", "[1 3 9 6]"), "list 3 ([l_1 ... l_n]) item 3"),
        (TWO_CRANES_FOUR_TASKS.replace("[2, 3]", "[2, 2]"), "list 6 (precedence pair 1)"),
        (TWO_CRANES_FOUR_TASKS.replace("[1, 4]", "[1]"), "list 7 (non-simultaneity pair 1)"),
        (TWO_CRANES_FOUR_TASKS.replace("[0 2]", "[0 2 3]"), "list 4 ([r_1 ... r_q])"),
        ("[4, 6, 1, 1, 2, 1]", "list 1"),
        (TWO_CRANES_FOUR_TASKS + "junk", "junk"),
    ],
)
def test_malformed_input_names_the_list(text: str, named: str) -> None:
    """Malformed input raises DataImportError naming the list and item."""
    with pytest.raises(DataImportError) as caught:
        parse_qcsp(text, source="bad.txt")
    assert named in str(caught.value)
    assert str(caught.value).startswith("bad.txt:")


@pytest.mark.parametrize(("n", "b", "q", "seed"), [(6, 8, 2, 0), (10, 10, 2, 1), (15, 12, 3, 2)])
def test_solver_output_passes_validator(n: int, b: int, q: int, seed: int) -> None:
    """Every plan the solver returns on generated instances is feasible."""
    inst = generate_qcsp(n, b, q, seed)
    result = solve_qcsp(inst, time_limit_s=3.0)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.plan is not None
    assert validate_qcsp(inst, result.plan) == []
    assert result.objective == result.plan.makespan


def test_validator_catches_crossing() -> None:
    """Two cranes working neighbouring bays at the same time break the safety margin."""
    inst = parse_qcsp("[2, 6, 0, 0, 2, 1, 1] [4 4] [3 4] [0 0] [1 6]")
    crossing = QcspSolution(6.0, ((QcspTask(1, 2.0, 6.0),), (QcspTask(2, 2.0, 6.0),)))
    problems = validate_qcsp(inst, crossing)
    assert any("safety margin" in p for p in problems)


# --- brute force --------------------------------------------------------------------------------


def _brute_force_earliest(
    inst: QcspInstance, crane_of: tuple[int, ...], order: tuple[int, ...]
) -> list[int] | None:
    """Earliest starts when tasks start in ``order`` on cranes ``crane_of``, or None.

    A crane occupies a task's bay from the task's start until it leaves for its
    next task (or forever); two such stays of cranes v < w at bays x, y with
    y < x + (s + 1)(w - v) must leave time for the cranes to pass: the later one
    starts t * (x + (s + 1)(w - v) - y) after the earlier one ends.
    """
    n, t, s = inst.n_tasks, inst.travel_time, inst.safety_margin
    q = inst.n_cranes
    routes = [[i for i in order if crane_of[i] == k] for k in range(q)]
    position = {i: pos for pos, i in enumerate(order)}
    start = [0] * n
    # Stays as (crane, bay, start-of-stay task or None for the start bay, next task or None).
    stays = []
    for k, route in enumerate(routes):
        stops = [None, *route]
        for a, nxt in itertools.zip_longest(stops, route):
            stays.append((k, inst.start_bays[k] if a is None else inst.bays[a], a, nxt))

    def bay_of(i: int | None, k: int) -> int:
        return inst.start_bays[k] if i is None else inst.bays[i]

    for _ in range(4 * n + 4):
        new = list(start)
        for k, route in enumerate(routes):
            where, free = inst.start_bays[k], inst.ready[k]
            for i in route:
                new[i] = max(new[i], free + t * abs(where - inst.bays[i]))
                where, free = inst.bays[i], new[i] + inst.processing[i]
        for i, j in inst.precedences:
            new[j - 1] = max(new[j - 1], new[i - 1] + inst.processing[i - 1])
        for i, j in inst.nonsimultaneous:
            early, late = sorted((i - 1, j - 1), key=position.__getitem__)
            new[late] = max(new[late], new[early] + inst.processing[early])
        for (v, x, a, a_next), (w, y, b, _) in itertools.permutations(stays, 2):
            if v == w or b is None:
                continue
            if a is not None and position[a] > position[b]:
                continue  # stay a comes first only if its task starts first
            west, east = (x, y) if v < w else (y, x)
            clear = west + (s + 1) * abs(w - v) - east
            if clear <= 0:
                continue
            if a_next is None:
                return None  # crane v never leaves bay x
            leaves = new[a_next] - t * abs(bay_of(a, v) - inst.bays[a_next])
            new[b] = max(new[b], leaves + t * clear)
        if new == start:
            return start
        start = new
    return None


def _brute_force(inst: QcspInstance) -> float | None:
    """Best makespan over all assignments and start orders, each checked by the validator."""
    n, q = inst.n_tasks, inst.n_cranes
    best: float | None = None
    for crane_of in itertools.product(range(q), repeat=n):
        for order in itertools.permutations(range(n)):
            start = _brute_force_earliest(inst, crane_of, order)
            if start is None:
                continue
            cranes = tuple(
                tuple(
                    QcspTask(i + 1, float(start[i]), float(start[i] + inst.processing[i]))
                    for i in sorted(
                        (i for i in range(n) if crane_of[i] == k), key=lambda i: (start[i], i)
                    )
                )
                for k in range(q)
            )
            makespan = max(start[i] + inst.processing[i] for i in range(n))
            if best is not None and makespan >= best:
                continue
            if not validate_qcsp(inst, QcspSolution(float(makespan), cranes)):
                best = float(makespan)
    return best


TINY = {
    "two cranes, four tasks": TWO_CRANES_FOUR_TASKS,
    "crowded middle": "[4, 5, 0, 0, 2, 1, 0] [4 6 3 5] [2 3 3 4] [0 0] [1 5]",
    "one bay, two cranes": "[3, 4, 1, 0, 2, 2, 1] [3 4 2] [2 2 2] [0 1] [1 4] [1, 2]",
    "wide margin": "[5, 8, 1, 1, 2, 1, 2] [3 5 2 4 6] [1 3 5 6 8] [0 0] [1 8] [1, 2] [3, 4]",
    "late crane": "[5, 7, 2, 0, 2, 1, 1] [2 3 4 2 3] [2 2 4 6 7] [0 9] [2 7] [1, 2] [3, 4]",
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_objective_matches_brute_force(name: str) -> None:
    """On tiny instances the solver's makespan equals exhaustive enumeration's."""
    inst = parse_qcsp(TINY[name], source=name)
    result = solve_qcsp(inst, time_limit_s=5.0)
    expected = _brute_force(inst)
    if expected is None:
        assert result.status is Status.INFEASIBLE
    else:
        assert result.status is Status.OPTIMAL
        assert result.plan is not None
        assert validate_qcsp(inst, result.plan) == []
        assert result.objective == expected


@settings(max_examples=15, deadline=None)
@given(
    instances().filter(
        lambda i: (
            i.n_tasks <= 4
            and i.n_cranes <= 2
            and all(b - a > i.safety_margin for a, b in itertools.pairwise(i.start_bays))
        )
    )
)
def test_objective_matches_brute_force_on_random_instances(inst: QcspInstance) -> None:
    """On random tiny instances the solver and exhaustive enumeration agree."""
    result = solve_qcsp(inst, time_limit_s=5.0)
    expected = _brute_force(inst)
    if expected is None:
        assert result.status is Status.INFEASIBLE
    else:
        assert result.objective == expected


def test_precedence_cycle_is_infeasible() -> None:
    """A cycle of precedences gives the INFEASIBLE status, not an exception."""
    inst = parse_qcsp("[3, 6, 3, 0, 2, 1, 1] [2 2 2] [1 3 6] [0 0] [1 6] [1, 2] [2, 3] [3, 1]")
    result = solve_qcsp(inst, time_limit_s=5.0)
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
    assert not result.found


def test_same_seed_same_json() -> None:
    """Two solves with the same seed give the same JSON."""
    inst = generate_qcsp(8, 8, 2, seed=7)
    first = solve_qcsp(inst, time_limit_s=2.0, seed=3)
    second = solve_qcsp(inst, time_limit_s=2.0, seed=3)
    assert first.plan is not None
    assert second.plan is not None
    assert to_json(first.plan) == to_json(second.plan)


def test_to_json_shape() -> None:
    """JSON has makespan and 0-based cranes with 1-based tasks."""
    plan = QcspSolution(9.0, ((QcspTask(2, 0.0, 4.0),), (QcspTask(1, 3.0, 9.0),)))
    assert to_json(plan) == {
        "makespan": 9,
        "cranes": [
            {"crane": 0, "tasks": [{"task": 2, "start": 0, "end": 4}]},
            {"crane": 1, "tasks": [{"task": 1, "start": 3, "end": 9}]},
        ],
    }
