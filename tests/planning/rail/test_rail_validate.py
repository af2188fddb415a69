"""The independent load plan check: each kind of broken rule is found and named."""

from __future__ import annotations

import dataclasses

import pytest
from rail_cases import box, three_wagons

from opentos.planning.rail.problem import DgRules, LoadPlan, Placement, RailLoadProblem
from opentos.planning.rail.validate import check_load_plan

# Platforms of three_wagons: W1 (Sgns) platform 0; W2 (Sggrss) platforms 0, 1; W3 (Lgns) 0.
FIRST = ((0,), (0, 0), (0,))
"""Every platform at its first pattern: 20+20+20, 20+20, 20+20, 20+20."""


def plan(
    problem: RailLoadProblem,
    placements: list[Placement],
    patterns: tuple[tuple[int, ...], ...] = FIRST,
    objective: int | None = None,
) -> LoadPlan:
    """A plan with the boxes not placed listed as left and the objective recomputed."""
    placed = {p.box_id for p in placements}
    left = tuple(b.box_id for b in problem.boxes if b.box_id not in placed)
    draft = LoadPlan(patterns, tuple(placements), left, 0)
    if objective is None:
        objective = check_load_plan(problem, draft).objective
    return dataclasses.replace(draft, objective=objective)


def violations(problem: RailLoadProblem, p: LoadPlan) -> str:
    return " | ".join(check_load_plan(problem, p).violations)


def test_a_good_plan_passes_with_its_figures() -> None:
    """A plan keeping every rule has no violation; its figures are recomputed."""
    problem = three_wagons(box("A"), box("B", 40), box("C", bay=5))
    p = plan(problem, [Placement("A", 0, 0, 0), Placement("C", 0, 0, 2),
                       Placement("B", 1, 0, 0)], patterns=((0,), (1, 0), (0,)))  # fmt: skip
    report = check_load_plan(problem, p)
    assert report.ok, report.violations
    assert report.boxes_loaded == 3
    assert report.length_loaded_ft == 80
    assert report.capacity_ft == 60 + 80 + 40
    assert report.setups == 1
    assert report.utilisation == pytest.approx(80 / 180)
    # A at 3.25 m to the Sgns centre 9.87 m; C at 29.25 m; B to 19.74 + 26.39 / 4.
    assert report.crane_travel_m == round(9.87 - 3.25) + round(29.25 - 9.87) + round(
        abs(3.25 - (19.74 + 26.39 / 4))
    )
    assert report.objective == 500 + report.crane_travel_m


def test_unknown_box_and_box_twice() -> None:
    """A placement of a box that is not a candidate, and a box placed twice, are found."""
    problem = three_wagons(box("A"))
    p = plan(problem, [Placement("A", 0, 0, 0), Placement("A", 0, 0, 1), Placement("Z", 0, 0, 2)])
    found = violations(problem, p)
    assert "box A placed twice" in found
    assert "box Z is not a candidate" in found


def test_two_boxes_in_one_slot() -> None:
    """Two boxes in one slot are found."""
    problem = three_wagons(box("A"), box("B"))
    found = violations(problem, plan(problem, [Placement("A", 0, 0, 1), Placement("B", 0, 0, 1)]))
    assert "wagon 0 platform 0 slot 1 holds both A and B" in found


def test_box_longer_than_its_slot_and_slot_outside_the_pattern() -> None:
    """A 40' in a 20' slot, and a slot the pattern does not have, are found."""
    problem = three_wagons(box("A", 40), box("B"))
    p = plan(problem, [Placement("A", 0, 0, 0), Placement("B", 2, 0, 2)])
    found = violations(problem, p)
    assert "box A (40') in the 20' slot 0 of pattern 20+20+20" in found
    assert "pattern 20+20 of wagon 2 platform 0 slot 2 has no slot 2" in found


def test_unknown_wagon_platform_and_pattern() -> None:
    """A wagon, platform or pattern that does not exist is found."""
    problem = three_wagons(box("A"), box("B"))
    found = violations(problem, plan(problem, [Placement("A", 3, 0, 0), Placement("B", 0, 1, 0)]))
    assert "the train has no wagon 3" in found
    assert "wagon 0 has no platform 1" in found
    found = violations(problem, plan(problem, [], patterns=((7,), (0, 0), (0,))))
    assert "wagon 0 (W1) platform 0: no pattern 7" in found
    found = violations(problem, plan(problem, [], patterns=((0,), (0,), (0,))))
    assert "wagon 1 (W2): 1 patterns for 2 platforms" in found


def test_platform_and_wagon_payloads() -> None:
    """A platform over its payload is found, and a wagon over its own with platforms within."""
    problem = three_wagons(*(box(f"P{i}", 20, 27_000) for i in range(4)))
    p = plan(problem, [Placement("P0", 2, 0, 0), Placement("P1", 2, 0, 1)])
    found = violations(problem, p)
    assert "wagon 2 platform 0 (pattern 20+20) carries 54000 kg, above its 28500 kg" in found
    assert "wagon 2 (Lgns 40') carries 54000 kg, above its 28500 kg" in found
    # Sggrss: 54 t on each 55 t platform, 108 t on the 104 t wagon.
    p = plan(problem, [Placement(f"P{i}", 1, i // 2, i % 2) for i in range(4)])
    found = violations(problem, p)
    assert "platform" not in found
    assert "wagon 1 (Sggrss 80') carries 108000 kg, above its 104000 kg" in found
    assert check_load_plan(problem, plan(problem, [Placement(f"P{i}", 1, i // 2, i % 2)
                                                   for i in range(3)])).ok  # fmt: skip


def test_pattern_payload_below_the_platform() -> None:
    """Three 20' boxes on an Sgns are limited to 60 t, below the platform's 69 t."""
    problem = three_wagons(box("A", kg=21_000), box("B", kg=21_000), box("C", kg=21_000))
    three = [Placement("A", 0, 0, 0), Placement("B", 0, 0, 1), Placement("C", 0, 0, 2)]
    found = violations(problem, plan(problem, three))
    assert "wagon 0 platform 0 (pattern 20+20+20) carries 63000 kg, above its 60000 kg" in found
    two = [Placement("A", 0, 0, 0), Placement("B", 0, 0, 1)]
    assert check_load_plan(problem, plan(problem, two)).ok


def test_dg_on_the_first_or_last_wagon() -> None:
    """A DG box on a wagon that must carry none is found."""
    problem = three_wagons(box("D", dg_class="3"), dg=DgRules(free_first=1, free_last=1))
    for wagon in (0, 2):
        found = violations(problem, plan(problem, [Placement("D", wagon, 0, 0)]))
        assert f"DG box D (class 3) on wagon {wagon}, which must carry no dangerous goods" in found
    assert check_load_plan(problem, plan(problem, [Placement("D", 1, 1, 0)])).ok


def test_incompatible_dg_on_one_wagon_and_on_neighbours() -> None:
    """Classes 3 and 5.1 (code 2) may not share a wagon; 3 and 2.1 ... (code 2) neither;
    class 1.1 and 3 (code 4) not on neighbouring wagons either."""
    problem = three_wagons(box("F", dg_class="3"), box("O", dg_class="5.1"),
                           box("E", dg_class="1.1D"), box("N", dg_class="9"))  # fmt: skip
    found = violations(problem, plan(problem, [Placement("F", 1, 0, 0), Placement("O", 1, 1, 0)]))
    assert "DG boxes F (class 3) and O (class 5.1, segregation 2) on one wagon 1" in found
    found = violations(problem, plan(problem, [Placement("F", 0, 0, 0), Placement("E", 1, 0, 0)]))
    assert "DG boxes F (class 3) on wagon 0 and E (class 1.1D, segregation 4) on the next" in found
    # Class 9 needs no segregation: it shares a wagon with class 3.
    ok = plan(problem, [Placement("F", 1, 0, 0), Placement("N", 1, 0, 1)])
    assert check_load_plan(problem, ok).ok


def test_boxes_neither_placed_nor_left_or_both() -> None:
    """Every candidate is either placed or left, not both and not neither."""
    problem = three_wagons(box("A"), box("B"))
    p = LoadPlan(FIRST, (Placement("A", 0, 0, 0),), ("A",), 0)
    found = violations(problem, p)
    assert "box A is both placed (wagon 0 platform 0 slot 0) and left" in found
    assert "box B is neither placed nor left" in found


def test_must_go_left_is_reported_and_counted() -> None:
    """A must-go box left behind is reported apart and costs the must-go weight."""
    problem = three_wagons(box("M", must_go=True), box("O", 40, priority=2))
    report = check_load_plan(problem, plan(problem, []))
    assert report.ok
    assert report.must_go_left == ("M",)
    assert report.objective == 1_000_000 + 200 * 20 + 200 * 2 * 40


def test_objective_reported_wrong() -> None:
    """An objective that is not the recomputed cost is found."""
    problem = three_wagons(box("A"))
    p = plan(problem, [], objective=1)
    assert "objective 1 reported, 4000 recomputed" in violations(problem, p)
