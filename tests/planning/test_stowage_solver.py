"""Automatic stowage: plans checked by the independent validator; problems checked whole."""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from opentos.errors import InvalidValue
from opentos.model.container import Container, DangerousGoods, FullEmpty, PackingGroup
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.slots import BayRowTier
from opentos.model.vessel import BayPart, BaySection, HatchCover, StackSpec, VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.planning.result import Status
from opentos.planning.stowage.generate import generate_stowage
from opentos.planning.stowage.problem import (
    NO_VGM,
    StowagePlan,
    StowageProblem,
    Stowed,
)
from opentos.planning.stowage.solver import solve_stowage
from opentos.planning.stowage.validate import validate_stowage

HERE, NEXT, LATER = UnLocode.parse("CNTAO"), UnLocode.parse("KRPUS"), UnLocode.parse("USLAX")
FEEDER = vessel_class(1000)


def _box(serial: int, iso: str = "22G1", pod: UnLocode = NEXT, kg: int | None = 12_000,
         **extra: object) -> Container:  # fmt: skip
    tare = 4_000 if iso.startswith(("4", "L")) else 2_300
    return Container(
        number=ContainerNumber.from_parts("TST", "U", f"{serial:06d}"),
        iso_type=SizeType.parse(iso),
        operator="TST",
        full_empty=FullEmpty.FULL,
        gross_weight_kg=kg if kg is not None else 12_000,
        vgm_kg=kg,
        tare_kg=tare,
        port_of_loading=HERE,
        port_of_discharge=pod,
        **extra,  # type: ignore[arg-type]
    )


def _solve(problem: StowageProblem) -> tuple[StowagePlan, object]:
    result = solve_stowage(problem, time_limit_s=20, master_limit_s=2)
    assert result.plan is not None
    return result.plan, result


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_feeder_plans_keep_every_rule(seed: int) -> None:
    problem = generate_stowage(1000, 350, seed=seed)
    plan, result = _solve(problem)
    report = validate_stowage(problem, plan)
    assert report.violations == ()
    assert report.refused_no_room == 0
    assert result.status is Status.FEASIBLE  # type: ignore[attr-defined]
    assert report.refused_no_vgm == sum(1 for c in problem.load if c.vgm_kg is None)
    assert report.placed + report.refused_no_vgm == len(problem.load)
    # No overstow beyond those already on board: the lower bound is reached.
    assert report.overstows == report.overstow_bound
    assert report.condition.gm_m >= problem.limits.min_gm_m


def test_same_problem_same_seed_same_plan() -> None:
    problem = generate_stowage(1000, 300, seed=7)
    first = solve_stowage(problem, time_limit_s=20, master_limit_s=2, seed=3)
    second = solve_stowage(problem, time_limit_s=20, master_limit_s=2, seed=3)
    assert first.plan is not None
    assert second.plan is not None
    assert json.dumps(first.plan.to_dict()) == json.dumps(second.plan.to_dict())


def test_plan_round_trips_as_json() -> None:
    problem = generate_stowage(1000, 120, seed=4)
    plan, _ = _solve(problem)
    assert StowagePlan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
    again = StowageProblem.from_dict(json.loads(json.dumps(problem.to_dict())))
    assert again.load == problem.load
    assert again.on_board == problem.on_board


def test_box_without_vgm_is_refused_and_dangerous_goods_kept_apart() -> None:
    # Class 3 and 5.1 need "separated from" (2); class 1.1 and 3 a whole section between (4).
    dg = [
        _box(1, dangerous_goods=(DangerousGoods("3", 1263, PackingGroup.II),)),
        _box(2, dangerous_goods=(DangerousGoods("5.1", 1942, PackingGroup.III),)),
        _box(3, dangerous_goods=(DangerousGoods("1.1D", 35, None),)),
        _box(4, dangerous_goods=(DangerousGoods("8", 1789, PackingGroup.II),)),
    ]
    load = (*dg, _box(5, kg=None), *(_box(10 + i, "45G1", LATER) for i in range(30)))
    problem = StowageProblem(FEEDER, HERE, (NEXT, LATER), (), load)
    plan, _ = _solve(problem)
    report = validate_stowage(problem, plan)
    assert report.violations == ()
    assert dict(plan.refused) == {_box(5, kg=None).number: NO_VGM}
    assert report.placed == len(load) - 1


def test_restows_are_placed_again() -> None:
    # A box for KRPUS stands on a box discharged here: it comes off and goes back.
    under = _box(1, pod=HERE)
    over = _box(2, pod=NEXT)
    on_board = (Stowed(under, BayRowTier(11, 1, 82)), Stowed(over, BayRowTier(11, 1, 84)))
    problem = StowageProblem(FEEDER, HERE, (NEXT, LATER), on_board, (_box(3, pod=LATER),))
    assert [s.container.number for s in problem.restows] == [over.number]
    assert problem.remaining == ()
    plan, _ = _solve(problem)
    assert {n for n, _ in plan.placements} == {over.number, _box(3, pod=LATER).number}
    report = validate_stowage(problem, plan)
    assert report.violations == ()
    assert report.overstows == 0


def test_bad_problems_name_the_value() -> None:
    wrong_port = r"TSTU0000014 \(load list\): port of discharge NLRTM is not one of KRPUS"
    with pytest.raises(InvalidValue, match=wrong_port):
        StowageProblem(FEEDER, HERE, (NEXT,), (), (_box(1, pod=UnLocode.parse("NLRTM")),))
    with pytest.raises(InvalidValue, match="appears twice"):
        StowageProblem(FEEDER, HERE, (NEXT,), (), (_box(1), _box(1)))
    with pytest.raises(InvalidValue, match=r"floats: cell 0110182 below it is empty"):
        StowageProblem(FEEDER, HERE, (NEXT,), (Stowed(_box(1), BayRowTier(11, 1, 84)),))
    with pytest.raises(InvalidValue, match=r"on board: .*no bay 99"):
        StowageProblem(FEEDER, HERE, (NEXT,), (Stowed(_box(1), BayRowTier(99, 1, 82)),))
    with pytest.raises(InvalidValue, match="includes the port of loading"):
        StowageProblem(FEEDER, HERE, (HERE,), (), ())
    with pytest.raises(InvalidValue, match=r"load\[0\]"):
        data = StowageProblem(FEEDER, HERE, (NEXT,), (), (_box(1),)).to_dict()
        data["load"][0]["iso_type"] = "XXXX"  # type: ignore[index, call-overload]
        StowageProblem.from_dict(data)


def test_tight_stability_limits_are_met_or_reported() -> None:
    problem = generate_stowage(1000, 300, seed=5)
    tight = dataclasses.replace(
        problem, limits=dataclasses.replace(problem.limits, min_gm_m=1.5, max_list_deg=0.5)
    )
    plan, result = _solve(tight)
    report = validate_stowage(tight, plan)
    stability_broken = any(v.startswith("stability") for v in report.violations)
    # The planner's own status agrees with the independent check.
    assert (result.status is Status.FEASIBLE) == (  # type: ignore[attr-defined]
        not stability_broken and report.refused_no_room == 0
    )
    assert report.overstows == report.overstow_bound


def test_objective_is_what_the_validator_counts() -> None:
    problem = generate_stowage(1000, 300, seed=11)
    plan, result = _solve(problem)
    report = validate_stowage(problem, plan)
    assert result.objective == report.overstows + report.hatch_cover_restows  # type: ignore[attr-defined]
    assert result.statistics["max_section_moves"] == report.max_section_moves  # type: ignore[attr-defined]


def _tiny_vessel() -> VesselProfile:
    def stack(row: int, tiers: tuple[int, ...], tcg: float) -> StackSpec:
        return StackSpec(row, tiers, 60_000, 90_000, 20_000, tcg_m=tcg)

    section = BaySection(
        bay40=2,
        bays20=(1, 3),
        hold=BayPart((stack(1, (2, 4), 1.3), stack(2, (2, 4), -1.3))),
        deck=BayPart((stack(1, (82, 84), 1.3), stack(2, (82, 84), -1.3))),
        lcg_m=30.0,
        hatch_covers=(HatchCover("H1", frozenset({1, 2})),),
    )
    return VesselProfile("TINY", 63.0, 12.0, 4.0, 4.5, 1_500.0, 800.0, (section,), 1.0, 7.0)


def test_tiny_problem_reaches_the_brute_force_optimum() -> None:
    """Every legal way to stow six 40' boxes in eight positions, against the planner."""
    vessel = _tiny_vessel()
    ports = (NEXT, LATER, UnLocode.parse("NLRTM"))
    pods = (2, 0, 1, 2, 0, 1)
    load = tuple(_box(40 + i, "42G1", ports[p], 10_000) for i, p in enumerate(pods))
    # Boxes for the first port stay in the bottom of the hold: whatever goes on deck
    # for a later port must be moved off the hatch cover there.
    on_board = tuple(
        Stowed(_box(60 + row, "42G1", NEXT, 10_000), BayRowTier(2, row, 2)) for row in (1, 2)
    )
    problem = StowageProblem(vessel, HERE, ports, on_board, load)
    positions = [(row, tier) for row in (1, 2) for tier in (4, 82, 84)]
    best = None
    for chosen in itertools.permutations(positions, len(load)):
        taken = set(chosen) | {(1, 2), (2, 2)}
        if any(t in (4, 84) and (r, t - 2) not in taken for r, t in chosen):
            continue  # a box would float
        plan = StowagePlan(
            tuple(
                (box.number, BayRowTier(2, r, t)) for box, (r, t) in zip(load, chosen, strict=True)
            )
        )
        report = validate_stowage(problem, plan)
        cost = report.overstows + report.hatch_cover_restows
        best = cost if best is None else min(best, cost)
    plan, _ = _solve(problem)
    report = validate_stowage(problem, plan)
    assert best is not None
    assert best > 0
    assert report.placed == len(load)
    assert [v for v in report.violations if not v.startswith("stability")] == []
    assert report.overstows + report.hatch_cover_restows == best


def _opentos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opentos", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_plans_a_stow_and_reads_its_problem_back(tmp_path: Path) -> None:
    """`opentos plan stow`: JSON on stdout, the plan and bay-plan pictures in --out."""
    out = tmp_path / "out"
    done = _opentos("plan", "stow", "--example", "1000", "--moves", "200", "--time-limit", "20",
                    "--bays", "12,16", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["check"]["violations"] == []
    assert printed["check"]["placed"] + printed["check"]["refused_no_vgm"] == 200
    assert json.loads((out / "stow_plan.json").read_text()) == printed
    assert (out / "bay_plan.png").read_bytes().startswith(b"\x89PNG")
    assert "Bay 12" in (out / "bay_plan.svg").read_text()
    # The problem written beside the plan reads back, and planning it again gives the plan.
    again = _opentos("plan", "stow", str(out / "stow_problem.json"), "--time-limit", "20",
                     "--out", str(tmp_path / "again"))  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["plan"] == printed["plan"]
    (tmp_path / "bad.json").write_text('{"port": "CNTAO"}')
    bad = _opentos("plan", "stow", str(tmp_path / "bad.json"))
    assert bad.returncode == 1
    assert "bad.json" in bad.stderr.replace("\n", "")  # the console may wrap a long path
    assert "missing key 'limits'" in bad.stderr
    assert "Traceback" not in bad.stderr
