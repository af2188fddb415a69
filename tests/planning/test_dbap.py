"""The discrete dynamic berth allocation problem: file format, CP-SAT solver, validator."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.berth.dbap import (
    DbapAssignment,
    DbapInstance,
    DbapSolution,
    format_dbap,
    generate_dbap,
    parse_dbap,
    solve_dbap,
    to_json,
    validate_dbap,
)
from opentos.planning.result import Status

# --- Tiny named instances -------------------------------------------------------------------------

TWO_VESSELS_ONE_BERTH = """\
2 1
0 2
0
10
5
100
100 100
"""
"""Vessel 0 arrives at 0 and takes 10, vessel 1 arrives at 2 and takes 5: keeping the berth
idle until 2 for the short vessel (5 + 17 = 22) beats first come, first served (10 + 13 = 23)."""

THREE_VESSELS_TWO_BERTHS = """\
3 2
0 0 1
0 0
4 99999
3 6
2 2
50 50
50 50 50
"""
"""Vessel 0 may only use berth 0; the others may use either."""


def brute_force(instance: DbapInstance) -> int | None:
    """The optimum by enumeration (None: infeasible), written apart from the solver.

    Every assignment of vessels to allowed berths, every order on each berth, each
    vessel started as early as its arrival, the berth's opening and its predecessor allow.
    """
    allowed = [
        [k for k in range(instance.m) if instance.handling[i][k] is not None]
        for i in range(instance.n)
    ]

    def berth_cost(k: int, vessels: list[int]) -> int | None:
        best: int | None = None
        for order in itertools.permutations(vessels):
            clock, cost = instance.opening[k], 0
            for i in order:
                h = instance.handling[i][k]
                assert h is not None
                end = max(clock, instance.arrival[i]) + h
                if end > instance.closing[k] or end > instance.latest[i]:
                    break
                clock, cost = end, cost + end - instance.arrival[i]
            else:
                best = cost if best is None else min(best, cost)
        return best

    best: int | None = None
    for berths in itertools.product(*allowed):
        total = 0
        for k in range(instance.m):
            cost = berth_cost(k, [i for i in range(instance.n) if berths[i] == k])
            if cost is None:
                break
            total += cost
        else:
            best = total if best is None else min(best, total)
    return best


@st.composite
def instances(
    draw: st.DrawFn, max_n: int = 6, max_m: int = 4, max_time: int = 10**6
) -> DbapInstance:
    """Any well-formed instance, windows not necessarily feasible."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    times = st.integers(0, max_time)
    handling = st.one_of(st.none(), st.integers(1, min(max_time, 99998)))
    return DbapInstance(
        n=n,
        m=m,
        arrival=tuple(draw(times) for _ in range(n)),
        opening=tuple(draw(times) for _ in range(m)),
        handling=tuple(tuple(draw(handling) for _ in range(m)) for _ in range(n)),
        closing=tuple(draw(times) for _ in range(m)),
        latest=tuple(draw(times) for _ in range(n)),
    )


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(DataImportError) as caught:
        parse_dbap(text, source="bad.txt")
    assert caught.value.source == "bad.txt"
    return caught.value.problems


# --- File format ----------------------------------------------------------------------------------


def test_parse_reads_sections_in_order() -> None:
    """The sections are N, M, arrivals, openings, handling rows, closings, latest departures."""
    instance = parse_dbap(THREE_VESSELS_TWO_BERTHS)
    assert instance == DbapInstance(
        n=3,
        m=2,
        arrival=(0, 0, 1),
        opening=(0, 0),
        handling=((4, None), (3, 6), (2, 2)),
        closing=(50, 50),
        latest=(50, 50, 50),
    )


@given(instances())
def test_format_then_parse_gives_the_same_instance(instance: DbapInstance) -> None:
    """Writing an instance and reading it back gives an equal instance."""
    assert parse_dbap(format_dbap(instance)) == instance


@given(st.integers(1, 12), st.integers(1, 5), st.integers(0, 2**32))
def test_generated_instances_round_trip(n: int, m: int, seed: int) -> None:
    """Generated instances have the asked size and survive a round-trip through the format."""
    instance = generate_dbap(n, m, seed)
    assert (instance.n, instance.m) == (n, m)
    assert parse_dbap(format_dbap(instance)) == instance
    assert instance == generate_dbap(n, m, seed)


def test_surplus_values_are_ignored() -> None:
    """Values after the last expected one, even non-integers, are ignored."""
    assert parse_dbap(TWO_VESSELS_ONE_BERTH + "7 8 9 x\n") == parse_dbap(TWO_VESSELS_ONE_BERTH)


def test_file_ending_early_names_the_position_and_section() -> None:
    """A file that ends early names the missing value's position and the section."""
    assert problems_of("3 1 0 5") == ("value 5: expected 3 arrival times, file ended",)
    assert problems_of("2 2 0 0 0 0 1 2 3") == (
        "value 10: expected 2 x 2 handling times, file ended",
    )
    assert problems_of("3 1 0 y") == (
        "value 4: 'y' is not an integer",
        "value 5: expected 3 arrival times, file ended",
    )
    assert problems_of("2") == ("value 2: expected the number of berths, file ended",)
    assert problems_of("") == ("value 1: expected the number of vessels, file ended",)


def test_non_integers_and_negatives_are_named_by_position() -> None:
    """Every non-integer or negative value is reported with its 1-based position."""
    text = TWO_VESSELS_ONE_BERTH.replace("0 2", "x -2", 1).replace("\n5\n", "\n5.5\n")
    assert problems_of(text) == (
        "value 3: 'x' is not an integer",
        "value 4: arrival time -2 is negative",
        "value 7: '5.5' is not an integer",
    )
    assert problems_of("1 x") == ("value 2: 'x' is not an integer",)


def test_sizes_and_handling_times_must_be_positive() -> None:
    """Zero vessels, zero berths and zero handling times are rejected."""
    assert problems_of("0 1") == ("value 1: number of vessels 0 is less than 1",)
    assert problems_of("1 1 0 0 0 9 9") == ("value 5: handling time 0 is less than 1",)


def test_values_too_large_are_rejected() -> None:
    """Times beyond 10**9 are rejected rather than overflowing the solver."""
    assert problems_of("1 1 0 0 5 99999999999 9") == (
        "value 6: closing time 99999999999 is above 1000000000",
    )


@given(st.text(alphabet=" \n\t0123456789x-+.", max_size=60))
def test_parser_only_raises_data_import_error(text: str) -> None:
    """Any text gives an instance or a DataImportError, never another exception."""
    try:
        parse_dbap(text)
    except DataImportError as error:
        assert error.problems
        assert all(problem.startswith("value ") for problem in error.problems)


def test_instance_checks_its_shape() -> None:
    """An instance built by hand with the wrong number of values is refused."""
    with pytest.raises(InvalidValue, match="Expected 2 values in arrival"):
        DbapInstance(2, 1, (0,), (0,), ((1,), (1,)), (9,), (9, 9))
    with pytest.raises(InvalidValue, match="use None"):
        DbapInstance(1, 1, (0,), (0,), ((99999,),), (9,), (9,))


# --- Solver ---------------------------------------------------------------------------------------


def test_two_vessels_one_berth_short_vessel_first() -> None:
    """Holding the berth idle for a short vessel about to arrive can lower the total."""
    instance = parse_dbap(TWO_VESSELS_ONE_BERTH)
    result = solve_dbap(instance)
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    assert to_json(result.plan) == {
        "objective": 22,
        "assignments": [
            {"vessel": 0, "berth": 0, "start": 7},
            {"vessel": 1, "berth": 0, "start": 2},
        ],
    }
    assert result.objective == 22
    assert result.bound == 22
    assert brute_force(instance) == 22


def test_three_vessels_two_berths_matches_brute_force() -> None:
    """The restricted vessel keeps berth 0 and the others share the berths optimally."""
    instance = parse_dbap(THREE_VESSELS_TWO_BERTHS)
    result = solve_dbap(instance)
    assert result.status is Status.OPTIMAL
    assert result.plan is not None
    assert validate_dbap(instance, result.plan) == []
    assert result.objective == brute_force(instance) == 12


@st.composite
def windowed_instances(draw: st.DrawFn) -> DbapInstance:
    """Up to 5 vessels x 2 berths whose windows often bind but leave room for a plan."""
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 2))
    arrival = tuple(draw(st.integers(0, 20)) for _ in range(n))
    handling = st.integers(0, 10).map(lambda h: h or None)  # seldom not allowed
    return DbapInstance(
        n=n,
        m=m,
        arrival=arrival,
        opening=tuple(draw(st.integers(0, 10)) for _ in range(m)),
        handling=tuple(tuple(draw(handling) for _ in range(m)) for _ in range(n)),
        closing=tuple(draw(st.integers(20, 60)) for _ in range(m)),
        latest=tuple(a + draw(st.integers(5, 40)) for a in arrival),
    )


TINY = st.one_of(
    instances(max_n=5, max_m=2, max_time=40),
    windowed_instances(),
    st.builds(generate_dbap, st.integers(1, 5), st.integers(1, 2), st.integers(0, 2**32)),
)
"""Up to 5 vessels x 2 berths: random, binding or wide (generated) windows."""


@settings(max_examples=80)
@given(TINY)
def test_solver_equals_brute_force_on_tiny_instances(instance: DbapInstance) -> None:
    """Up to 5 vessels x 2 berths, the solver's optimum is the brute-force optimum."""
    result = solve_dbap(instance, time_limit_s=5)
    expected = brute_force(instance)
    if expected is None:
        assert result.status is Status.INFEASIBLE
        assert result.plan is None
    else:
        assert result.status is Status.OPTIMAL
        assert result.plan is not None
        assert validate_dbap(instance, result.plan) == []
        assert result.objective == result.plan.objective == expected


@pytest.mark.parametrize(("n", "m", "seed"), [(8, 2, 0), (12, 3, 1), (20, 4, 2), (25, 5, 4)])
def test_solver_output_passes_the_validator(n: int, m: int, seed: int) -> None:
    """On generated instances the plan found is valid and no worse than its lower bound."""
    instance = generate_dbap(n, m, seed)
    result = solve_dbap(instance, time_limit_s=2)
    assert result.status in {Status.OPTIMAL, Status.FEASIBLE}
    assert result.plan is not None
    assert validate_dbap(instance, result.plan) == []
    assert result.bound is not None
    assert result.bound <= result.plan.objective


def test_vessel_with_no_allowed_berth_is_infeasible() -> None:
    """A vessel that may use no berth makes the instance infeasible, without raising."""
    instance = DbapInstance(2, 1, (0, 0), (0,), ((3,), (None,)), (50,), (50, 50))
    result = solve_dbap(instance)
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
    assert result.objective is None


def test_empty_window_is_infeasible() -> None:
    """A vessel whose latest departure comes before it could finish is infeasible."""
    instance = DbapInstance(1, 1, (5,), (0,), ((10,),), (50,), (14,))
    assert solve_dbap(instance).status is Status.INFEASIBLE


def test_two_vessels_that_cannot_share_one_berth_are_infeasible() -> None:
    """Two vessels, one berth, both must leave by 10 but need 6 each: proven infeasible."""
    instance = DbapInstance(2, 1, (0, 0), (0,), ((6,), (6,)), (50,), (10, 10))
    assert solve_dbap(instance).status is Status.INFEASIBLE


def test_same_seed_gives_the_same_json() -> None:
    """Two solves with the same seed give byte-identical JSON."""
    instance = generate_dbap(12, 3, 7)
    first = solve_dbap(instance, seed=3)
    second = solve_dbap(instance, seed=3)
    assert first.plan is not None
    assert second.plan is not None
    assert json.dumps(to_json(first.plan)) == json.dumps(to_json(second.plan))


def test_bad_parameters_are_refused() -> None:
    """A time limit that is not positive, or a seed out of range, is refused."""
    instance = parse_dbap(TWO_VESSELS_ONE_BERTH)
    with pytest.raises(InvalidValue, match="time_limit_s > 0"):
        solve_dbap(instance, time_limit_s=0)
    with pytest.raises(InvalidValue, match="seed"):
        solve_dbap(instance, seed=-1)


# --- Validator ------------------------------------------------------------------------------------


def test_validator_reports_each_broken_rule() -> None:
    """Missing and doubled vessels, a forbidden berth, overlaps and windows are reported."""
    instance = parse_dbap(THREE_VESSELS_TWO_BERTHS)

    def check(*assignments: tuple[int, int, int], objective: int = 12) -> list[str]:
        plan = DbapSolution(tuple(DbapAssignment(*a) for a in assignments), objective)
        return validate_dbap(instance, plan)

    assert check((0, 0, 0), (1, 0, 4), (2, 1, 1), objective=4 + 7 + 2) == []
    assert check((0, 0, 0), (1, 0, 4)) == ["vessel 2 not assigned"]
    assert check((0, 0, 0), (1, 1, 0), (2, 1, 1), (2, 1, 6)) == [
        "vessel 2 assigned twice",
        "berth 1: vessel 2 starts at 1, before 1 ends",
    ]
    assert check((0, 1, 0), (1, 0, 0), (2, 1, 1)) == ["vessel 0: berth 1 is not allowed"]
    assert check((0, 0, 0), (1, 0, 0), (2, 0, 20), objective=28) == [
        "berth 0: vessel 0 starts at 0, before 1 ends",
    ]
    assert check((0, 0, 0), (1, 1, 0), (2, 1, 0), objective=11) == [
        "vessel 2: starts at 0, before its arrival",
        "berth 1: vessel 1 starts at 0, before 2 ends",
    ]
    assert check((0, 0, 48), (1, 1, 0), (2, 1, 6)) == [
        "vessel 0: ends at 52, after berth 0 closes",
        "vessel 0: ends at 52, after its latest departure",
        "objective 12 reported, 65 recomputed",
    ]
    assert check((0, 0, 0), (1, 1, 0), (2, 1, 6), objective=11) == [
        "objective 11 reported, 17 recomputed"
    ]
