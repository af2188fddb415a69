"""Multi-port stowage planning: the text format, the validator, the solver against brute force."""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from opentos.errors import DataImportError
from opentos.planning.result import Status
from opentos.planning.stowage.mpsp import (
    MpspInstance,
    MpspSolution,
    format_mpsp,
    generate_mpsp,
    parse_mpsp,
    solve_mpsp,
    to_json,
    validate_mpsp,
)

# --- tiny instances -----------------------------------------------------------------------------

NO_SHIFT_TEXT = """
N: 3
R:  2
C: 1
seed: 7

0 1 1
0 0 1
0 0 0
"""
"""Three ports, one stack of two: stow the port-2 box first and nothing is ever shifted."""

FORCED_SHIFT = MpspInstance(
    ports=4,
    tiers=2,
    stacks=1,
    transport=((0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0)),
)
"""One stack: the port-3 box loaded at port 1 must sit on the port-2 box: one shift."""


# --- brute force --------------------------------------------------------------------------------


def brute_force_shifts(instance: MpspInstance) -> int:
    """Fewest shifts by trying every bay after every port, one container at a time."""
    frontier: dict[tuple[tuple[int, ...], ...], int] = {
        tuple(() for _ in range(instance.stacks)): 0
    }
    for port in range(instance.ports - 1):
        following: dict[tuple[tuple[int, ...], ...], int] = {}
        for bay, cost in frontier.items():
            kept = []
            to_place = []
            for stack in bay:
                cut = next((k for k, dest in enumerate(stack) if dest == port), len(stack))
                kept.append(stack[:cut])
                to_place += [dest for dest in stack[cut:] if dest != port]
            cost_here = cost + len(to_place)
            to_place += [
                dest
                for dest in range(instance.ports)
                for _ in range(instance.transport[port][dest])
            ]
            partial = {(tuple(kept), tuple(sorted(to_place)))}
            for _ in range(len(to_place)):
                grown = set()
                for stacks, left in partial:
                    for dest in set(left):
                        rest = list(left)
                        rest.remove(dest)
                        for s, stack in enumerate(stacks):
                            if len(stack) < instance.tiers:
                                new = (*stacks[:s], (*stack, dest), *stacks[s + 1 :])
                                grown.add((new, tuple(rest)))
                partial = grown
            for stacks, _ in partial:
                key = tuple(sorted(stacks))
                following[key] = min(following.get(key, cost_here), cost_here)
        frontier = following
    return min(frontier.values())


# --- format -------------------------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn) -> MpspInstance:
    """Small feasible instances with arbitrary upper-triangular matrices."""
    n = draw(st.integers(1, 6))
    tiers, stacks = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    matrix = tuple(
        tuple(draw(st.integers(0, 2)) if j > i else 0 for j in range(n)) for i in range(n)
    )
    instance = MpspInstance(n, tiers, stacks, matrix, draw(st.integers(0, 10**6)))
    assume(not instance.overloaded_ports())
    return instance


@given(instances())
def test_format_round_trips(instance: MpspInstance) -> None:
    """format_mpsp then parse_mpsp gives back the same instance."""
    assert parse_mpsp(format_mpsp(instance)) == instance


def test_parse_tolerates_blank_lines_and_spaces() -> None:
    """Blank lines and extra spaces around headers and entries are ignored."""
    instance = parse_mpsp(NO_SHIFT_TEXT)
    assert (instance.ports, instance.tiers, instance.stacks, instance.seed) == (3, 2, 1, 7)
    assert instance.transport == ((0, 1, 1), (0, 0, 1), (0, 0, 0))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("R: 2\nC: 1\nseed: 0\n0\n", "line 1"),  # missing N
        ("N: 2\nR: 2\nC: 1\n0 1\n0 0\n", "line 4"),  # missing seed
        ("N: 2\nR: 2\nC: 1\nseed: 0\n0 1\n", "line 6"),  # one row short
        ("N: 2\nR: 2\nC: 1\nseed: 0\n0 1 0\n0 0\n", "line 5"),  # row too long
        ("N: 2\nR: 2\nC: 1\nseed: 0\n0 1\n1 0\n", "line 6"),  # below the diagonal
        ("N: 2\nR: 2\nC: 1\nseed: 0\n1 0\n0 0\n", "line 5"),  # on the diagonal
        ("N: 2\nR: 2\nC: 1\nseed: 0\n0 x\n0 0\n", "line 5"),  # not a number
        ("N: 3\nR: 1\nC: 1\nseed: 0\n0 1 1\n0 0 0\n0 0 0\n", "line 5"),  # over capacity
    ],
)
def test_malformed_input_names_the_line(text: str, line: str) -> None:
    """Malformed files raise DataImportError naming the offending line."""
    with pytest.raises(DataImportError) as caught:
        parse_mpsp(text, source="bay.txt")
    assert caught.value.source == "bay.txt"
    assert any(problem.startswith(line + ":") for problem in caught.value.problems)


# --- validator ----------------------------------------------------------------------------------


def test_validator_recounts_shifts() -> None:
    """The validator recounts blocked containers and rejects a wrong total."""
    plan = MpspSolution(1, (((2,),), ((2, 3),), ((3,),)))
    assert validate_mpsp(FORCED_SHIFT, plan) == []
    wrong = validate_mpsp(FORCED_SHIFT, MpspSolution(0, plan.states))
    assert wrong == ["reported 0 shifts, the replay counts 1"]


def test_validator_rejects_moved_and_missing_containers() -> None:
    """A container that blocked nothing may not move, and every box must be on board."""
    instance = parse_mpsp(NO_SHIFT_TEXT)
    assert validate_mpsp(instance, MpspSolution(0, (((2, 1),), ((2, 2),)))) == []
    moved = MpspSolution(0, (((2, 1),), ((2,),)))
    assert any("containers for port 2" in problem for problem in validate_mpsp(instance, moved))
    swapped = MpspSolution(1, (((1, 2),), ((2, 2),)))
    assert validate_mpsp(instance, swapped) == []  # the port-2 box blocked and was shifted
    kept_wrongly = MpspSolution(0, (((2, 1),), ((2,), ())))
    assert validate_mpsp(instance, kept_wrongly)


# --- solver -------------------------------------------------------------------------------------


def test_no_shift_instance_is_solved_optimally() -> None:
    """When every stack can be kept in destination order the plan has no shift."""
    result = solve_mpsp(parse_mpsp(NO_SHIFT_TEXT))
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    assert to_json(result.plan) == {"shifts": 0, "states": [[[2, 1]], [[2, 2]]]}


def test_forced_shift_is_proven_by_the_bound() -> None:
    """A shift forced by the loads is reported optimal with a matching bound."""
    result = solve_mpsp(FORCED_SHIFT)
    assert result.status is Status.OPTIMAL
    assert result.objective == 1.0
    assert result.bound == 1.0


def test_overloaded_instance_is_infeasible() -> None:
    """An instance built in code with too many boxes is infeasible, not an exception."""
    instance = MpspInstance(2, 1, 1, ((0, 2), (0, 0)))
    result = solve_mpsp(instance)
    assert result.status is Status.INFEASIBLE
    assert result.plan is None


@pytest.mark.parametrize(("n", "r", "c", "seed"), [(5, 3, 3, 1), (6, 4, 3, 2), (8, 6, 4, 3)])
def test_plans_pass_the_validator(n: int, r: int, c: int, seed: int) -> None:
    """Plans for generated instances pass the independent validator."""
    instance = generate_mpsp(n, r, c, seed)
    result = solve_mpsp(instance, time_limit_s=2.0)
    assert result.plan is not None
    assert validate_mpsp(instance, result.plan) == []
    assert result.objective == result.plan.shifts
    assert result.bound is not None
    assert result.bound <= result.plan.shifts


@pytest.mark.parametrize(
    ("n", "r", "c"), [(3, 2, 2), (4, 1, 3), (4, 2, 2), (4, 3, 2), (4, 2, 3), (4, 1, 4)]
)
@pytest.mark.parametrize("seed", range(4))
def test_solver_matches_brute_force(n: int, r: int, c: int, seed: int) -> None:
    """On tiny instances the solver proves the brute-force optimum."""
    instance = generate_mpsp(n, r, c, seed)
    result = solve_mpsp(instance, time_limit_s=5.0)
    assert result.plan is not None
    assert validate_mpsp(instance, result.plan) == []
    assert result.status is Status.OPTIMAL
    assert result.plan.shifts == brute_force_shifts(instance)


def random_tiny_instances(count: int, seed: int) -> list[MpspInstance]:
    """Feasible instances with N <= 4, R*C <= 6 and arbitrary matrices (some need shifts)."""
    rng = random.Random(seed)
    found: list[MpspInstance] = []
    while len(found) < count:
        n, tiers, stacks = rng.randint(3, 4), rng.randint(1, 3), rng.randint(1, 3)
        matrix = tuple(
            tuple(rng.choice((0, 0, 1, 1, 2)) if j > i else 0 for j in range(n)) for i in range(n)
        )
        instance = MpspInstance(n, tiers, stacks, matrix)
        if instance.capacity <= 6 and not instance.overloaded_ports():
            found.append(instance)
    return found


def test_solver_matches_brute_force_when_shifts_are_needed() -> None:
    """On random tiny matrices, some forcing shifts, the solver proves the brute-force optimum."""
    optima = []
    for instance in [FORCED_SHIFT, *random_tiny_instances(1500, seed=11)]:
        result = solve_mpsp(instance, time_limit_s=5.0)
        assert result.plan is not None
        assert validate_mpsp(instance, result.plan) == []
        assert result.status is Status.OPTIMAL
        optimum = brute_force_shifts(instance)
        assert result.plan.shifts == optimum, format_mpsp(instance)
        optima.append(optimum)
    assert sum(1 for optimum in optima if optimum > 0) >= 5


def test_same_seed_same_plan() -> None:
    """The same instance and seed give the same JSON."""
    instance = generate_mpsp(7, 4, 4, 5)
    first = solve_mpsp(instance, time_limit_s=2.0, seed=3)
    second = solve_mpsp(instance, time_limit_s=2.0, seed=3)
    assert first.plan is not None
    assert second.plan is not None
    assert to_json(first.plan) == to_json(second.plan)
