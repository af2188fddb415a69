"""The restricted block relocation problem: format, solver, bound and validator."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.result import Status
from opentos.planning.yard.brp import (
    BrpInstance,
    BrpMove,
    BrpSolution,
    format_brp,
    generate_brp,
    lower_bound,
    parse_brp,
    solve_brp,
    to_json,
    validate_brp,
)

State = tuple[tuple[int, ...], ...]

# Tiny named instances.
TWO_BLOCKERS = "3 5\n3 1 3 2\n1 5\n1 4\n"
"""Block 1 under 3 and 2; each blocker fits on a stack of larger blocks: two relocations."""
SINGLE_STACK = "1 3\n3 1 3 2\n"
"""One stack with blocks 3 and 2 above block 1: nothing can move, infeasible."""
ALREADY_SORTED = "2 4\n2 3 1\n2 4 2\n"
"""Every block leaves from the top: no relocation at all."""


def _brute_force(stacks: State, max_height: int) -> int | None:
    """Fewest relocations by breadth-first search over every legal move sequence; None if none."""

    def settle(state: State, block: int) -> tuple[State, int]:
        changed = True
        while changed:
            changed = False
            for i, stack in enumerate(state):
                if stack and stack[-1] == block:
                    state = (*state[:i], stack[:-1], *state[i + 1 :])
                    block += 1
                    changed = True
        return state, block

    n_blocks = sum(map(len, stacks))
    start = settle(stacks, 1)
    frontier = {start}
    seen = {start}
    relocations = 0
    while frontier:
        if any(block > n_blocks for _, block in frontier):
            return relocations
        following: set[tuple[State, int]] = set()
        for state, block in frontier:
            source = next(i for i, stack in enumerate(state) if block in stack)
            top = state[source][-1]
            for target in range(len(state)):
                if target == source or len(state[target]) >= max_height:
                    continue
                moved = list(state)
                moved[source] = state[source][:-1]
                moved[target] = (*state[target], top)
                child = settle(tuple(moved), block)
                if child not in seen:
                    seen.add(child)
                    following.add(child)
        frontier = following
        relocations += 1
    return None


@st.composite
def instances(draw: st.DrawFn, max_stacks: int = 4, max_blocks: int = 8) -> BrpInstance:
    """A random bay: blocks 1..N shuffled into W stacks of any heights, limit H + 2."""
    w = draw(st.integers(1, max_stacks))
    n = draw(st.integers(0, max_blocks))
    blocks = draw(st.permutations(range(1, n + 1)))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=w - 1, max_size=w - 1)))
    bounds = [0, *cuts, n]
    stacks = tuple(tuple(blocks[bounds[i] : bounds[i + 1]]) for i in range(w))
    return BrpInstance(stacks, max(map(len, stacks)) + 2)


def test_parse_reads_caserta_format() -> None:
    """Stacks are read bottom to top and the height limit is H + 2."""
    instance = parse_brp(TWO_BLOCKERS)
    assert instance.stacks == ((1, 3, 2), (5,), (4,))
    assert instance.max_height == 5
    assert instance.n_blocks == 5


@given(instances(max_stacks=6, max_blocks=30))
def test_format_parse_round_trip(instance: BrpInstance) -> None:
    """format_brp then parse_brp gives the same instance back."""
    assert parse_brp(format_brp(instance)) == instance


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty input"),
        ("2\n1 1\n1 2\n", "line 1: expected 'W N'"),
        ("2 x\n1 1\n1 2\n", "line 1: block count N 'x' is not an integer"),
        ("2 2\n1 1\n", "expected 2 stack lines"),
        ("2 2\n1 1\n1 2\n1 3\n", "line 4: expected 2 stack lines"),
        ("2 3\n2 1 3\n2 2\n", "line 3: stack height 2 but 1 block number(s) follow"),
        ("2 3\n2 1 3\n1 1\n", "line 3: block number 1 already on line 2"),
        ("2 3\n2 1 3\n1 7\n", "line 3: block number 7 is outside 1..3"),
        ("2 3\n2 1 q\n1 2\n", "line 2: block number 'q' is not an integer"),
        ("2 4\n2 1 3\n1 2\n", "N = 4 but the stacks hold 3 blocks"),
        ("2 3\n2 1 3\n-1\n", "line 3: stack height -1 is negative"),
    ],
)
def test_malformed_input_names_line_and_value(text: str, fragment: str) -> None:
    """Malformed input raises DataImportError whose message names the line and the value."""
    with pytest.raises(DataImportError) as caught:
        parse_brp(text, source="bay.txt")
    assert caught.value.source == "bay.txt"
    assert any(fragment in problem for problem in caught.value.problems), caught.value.problems


def test_instance_rejects_duplicate_blocks() -> None:
    """An instance built in code must hold each block 1..N exactly once."""
    with pytest.raises(InvalidValue, match="block 1 appears twice"):
        BrpInstance(((1, 1),), 4)


def test_generate_is_seeded_and_full() -> None:
    """generate_brp gives W full stacks of height H, the same for the same seed."""
    instance = generate_brp(4, 3, seed=7)
    assert [len(stack) for stack in instance.stacks] == [3, 3, 3, 3]
    assert sorted(b for stack in instance.stacks for b in stack) == list(range(1, 13))
    assert instance.max_height == 5
    assert generate_brp(4, 3, seed=7) == instance
    assert generate_brp(4, 3, seed=8) != instance


def test_two_blockers_need_two_relocations() -> None:
    """Two blockers with a free stack each are relocated once and the plan is optimal."""
    instance = parse_brp(TWO_BLOCKERS)
    result = solve_brp(instance)
    assert result.status == Status.OPTIMAL
    assert result.plan is not None
    assert result.objective == 2
    assert validate_brp(instance, result.plan) == []


def test_sorted_bay_needs_no_relocation() -> None:
    """A bay retrieved top-down needs no relocation and only retrievals."""
    instance = parse_brp(ALREADY_SORTED)
    result = solve_brp(instance)
    assert result.status == Status.OPTIMAL
    assert result.plan is not None
    assert result.objective == 0
    assert {move.kind for move in result.plan.moves} == {"retrieve"}


def test_single_stack_with_blockers_is_infeasible() -> None:
    """With one stack a blocker has nowhere to go: INFEASIBLE, not an exception."""
    result = solve_brp(parse_brp(SINGLE_STACK))
    assert result.status == Status.INFEASIBLE
    assert result.plan is None


def test_height_limit_can_make_a_bay_infeasible() -> None:
    """Two stacks of three under a limit of three cannot hold a blocker: INFEASIBLE."""
    instance = BrpInstance(((2, 1, 6), (3, 4, 5)), 3)
    result = solve_brp(instance)
    assert result.status == Status.INFEASIBLE
    assert _brute_force(instance.stacks, instance.max_height) is None


@pytest.mark.parametrize(("w", "h"), [(3, 3), (3, 4), (4, 4), (5, 4), (4, 5)])
@pytest.mark.parametrize("seed", [0, 1])
def test_solutions_pass_validator(w: int, h: int, seed: int) -> None:
    """Every solution on generated instances replays legally with the stated relocations."""
    instance = generate_brp(w, h, seed)
    result = solve_brp(instance, time_limit_s=5.0)
    assert result.plan is not None
    assert validate_brp(instance, result.plan) == []
    assert result.objective == result.plan.relocations
    assert result.bound is not None
    assert lower_bound(instance) <= result.bound <= result.plan.relocations


@settings(max_examples=150)
@given(instances())
def test_optimum_matches_brute_force(instance: BrpInstance) -> None:
    """On bays of up to 8 blocks the solver's optimum equals breadth-first search."""
    expected = _brute_force(instance.stacks, instance.max_height)
    result = solve_brp(instance, time_limit_s=5.0)
    if expected is None:
        assert result.status == Status.INFEASIBLE
        return
    assert result.status == Status.OPTIMAL
    assert result.plan is not None
    assert result.objective == expected
    assert validate_brp(instance, result.plan) == []


@settings(max_examples=150)
@given(instances())
def test_lower_bound_never_exceeds_optimum(instance: BrpInstance) -> None:
    """The lower bound is at most the brute-force optimum."""
    expected = _brute_force(instance.stacks, instance.max_height)
    if expected is not None:
        assert lower_bound(instance) <= expected


@pytest.mark.parametrize("limit", [3, 4])
def test_optimum_matches_brute_force_under_tight_limits(limit: int) -> None:
    """Tight height limits (below H + 2) still give the brute-force optimum."""
    for seed in range(15):
        base = generate_brp(3, 2, seed)
        instance = BrpInstance(base.stacks, limit)
        expected = _brute_force(instance.stacks, limit)
        result = solve_brp(instance)
        if expected is None:
            assert result.status == Status.INFEASIBLE
        else:
            assert result.objective == expected, (seed, instance)


def test_same_input_gives_same_json() -> None:
    """Solving twice gives byte-identical JSON, in the documented shape."""
    instance = generate_brp(4, 4, seed=3)
    first = json.dumps(to_json(_plan(instance)))
    second = json.dumps(to_json(_plan(instance)))
    assert first == second
    data = json.loads(first)
    assert set(data) == {"relocations", "moves"}
    assert all(set(move) in ({"type", "from", "to"}, {"type", "from"}) for move in data["moves"])


def _plan(instance: BrpInstance) -> BrpSolution:
    result = solve_brp(instance, seed=1)
    assert result.plan is not None
    return result.plan


def test_json_of_a_tiny_plan() -> None:
    """The JSON lists relocations with from/to and retrievals with from only."""
    solution = BrpSolution(
        1,
        (BrpMove("relocate", 0, 2, 1), BrpMove("retrieve", 0, 1), BrpMove("retrieve", 1, 2)),
    )
    assert to_json(solution) == {
        "relocations": 1,
        "moves": [
            {"type": "relocate", "from": 0, "to": 1},
            {"type": "retrieve", "from": 0},
            {"type": "retrieve", "from": 1},
        ],
    }
    assert validate_brp(BrpInstance(((1, 2), ()), 4), solution) == []


def test_validator_rejects_illegal_moves() -> None:
    """Relocating a non-blocker, overfilling, retrieving out of order or miscounting is caught."""
    instance = BrpInstance(((1, 3), (4, 2), ()), 2)
    retrieve_3 = BrpMove("retrieve", 0, 3)
    assert (
        "retrieves block 3 but block 1 is next"
        in validate_brp(instance, BrpSolution(0, (retrieve_3,)))[0]
    )
    not_blocking = BrpMove("relocate", 1, 2, 2)
    assert "does not bury block 1" in validate_brp(instance, BrpSolution(1, (not_blocking,)))[0]
    wrong_block = BrpMove("relocate", 0, 4, 2)
    assert "but block 3 is on top" in validate_brp(instance, BrpSolution(1, (wrong_block,)))[0]
    overfill = BrpMove("relocate", 0, 3, 1)
    assert "is full" in validate_brp(instance, BrpSolution(1, (overfill,)))[0]
    legal = (
        BrpMove("relocate", 0, 3, 2),
        BrpMove("retrieve", 0, 1),
        BrpMove("retrieve", 1, 2),
        BrpMove("retrieve", 2, 3),
        BrpMove("retrieve", 1, 4),
    )
    assert validate_brp(instance, BrpSolution(1, legal)) == []
    assert "claims 2 relocations but makes 1" in validate_brp(instance, BrpSolution(2, legal))[0]
    assert "never retrieved" in validate_brp(instance, BrpSolution(1, legal[:2]))[0]


def test_time_limit_returns_best_found_with_bound() -> None:
    """At a zero time limit the heuristic plan comes back valid, with a bound below it."""
    instance = generate_brp(7, 6, seed=0)
    result = solve_brp(instance, time_limit_s=0.0)
    assert result.status in {Status.FEASIBLE, Status.OPTIMAL}
    assert result.plan is not None
    assert validate_brp(instance, result.plan) == []
    assert result.bound is not None
    assert lower_bound(instance) <= result.bound <= result.plan.relocations


def test_negative_time_limit_is_rejected() -> None:
    """A negative time limit is a caller error, named in the message."""
    with pytest.raises(InvalidValue, match="time_limit_s >= 0"):
        solve_brp(parse_brp(ALREADY_SORTED), time_limit_s=-1.0)
