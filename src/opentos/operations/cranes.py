"""The crane planning of a vessel call: its QCSP problem, plan and the ECS's crane jobs.

The problem takes each move's main-trolley cycle from the quay cranes'
kinematics and the cranes' start positions from the layout, so building it
joins the twin's kinematics, the layout and the crane planner.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from opentos.control.quay import CraneJob, QuayMove
from opentos.errors import InvalidValue, NotFound
from opentos.model.equipment import Kinematics
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.slots import BayRowTier
from opentos.operations.scenarios import VesselCall
from opentos.planning.cranes.call import (
    CallCranePlan,
    CallCraneProblem,
    CallMove,
    plan_call_cranes,
    problem_from_json,
    problem_to_json,
    to_json,
    validate_call_plan,
)
from opentos.planning.result import Result

if TYPE_CHECKING:  # the settings' module plans with this one
    from opentos.operations.twin_study import SimulationSettings


def crane_problem(
    call: VesselCall,
    layout: TerminalLayout,
    kinematics: Kinematics,
    *,
    dual_cycling: bool = False,
    split_sections: bool = True,
    starts_m: dict[str, float] | None = None,
) -> CallCraneProblem:
    """The crane split and sequencing problem of ``call``, for the planner.

    Cranes start at their rail positions, or where ``starts_m`` puts them (a crane
    coming from an earlier call starts where it finished that one).

    Each move takes its main-trolley cycle (the kinematics' nominal cycle, rounded up
    to whole seconds); the cranes start where the layout puts them and keep the
    kinematics' spacing (width and gap) and one bay section free between them; the
    gantry's start-stop time is its acceleration and braking. A dual cycle
    saves the empty return of the load and the empty run out of the discharge less
    the hoisting between the two slots, averaged over the call's hold discharges.
    """
    qc = kinematics.quay_crane
    profile = call.visit.profile
    on_board = dict(call.on_board)
    kinds: list[tuple[ContainerNumber, Literal["discharge", "load"], BayRowTier]]
    kinds = [(n, "discharge", on_board[n]) for n in call.discharge]
    kinds += [(n, "load", slot) for n, slot in call.load]
    moves = []
    for number, kind, slot in kinds:
        cycle = qc.vessel_cycle(profile, slot.bay, slot.row, slot.tier, loaded_out=kind == "load")
        moves.append(CallMove(number, kind, slot, math.ceil(cycle.total_s - 1e-9)))
    saving = 0
    if dual_cycling:
        travel = qc.travel_height_m(profile)
        savings = []
        for number in call.discharge:
            slot = on_board[number]
            if slot.on_deck:
                continue
            out = qc.vessel_cycle(profile, slot.bay, slot.row, slot.tier, loaded_out=False)
            back = qc.vessel_cycle(profile, slot.bay, slot.row, slot.tier, loaded_out=True)
            _, height = qc.slot_geometry(profile, slot.bay, slot.row, slot.tier)
            between = 2 * qc.main_hoist_empty.time_for(max(travel - height, 0.0))
            savings.append(back.back_s + out.out_s - between)
        saving = max(0, math.floor(sum(savings) / len(savings))) if savings else 0
    rail = {qc_.id: qc_.rail_position_m for qc_ in layout.quay_cranes}
    gantry = qc.gantry
    return CallCraneProblem(
        tuple(moves),
        {bay: call.bay_x_m(bay) for section in profile.sections for bay in section.bays},
        call.cranes,
        tuple((starts_m or {}).get(c, rail[c]) for c in call.cranes),
        gantry_speed_m_s=gantry.max_speed_m_s,
        gantry_start_stop_s=gantry.max_speed_m_s / (2 * gantry.accel_m_s2)
        + gantry.max_speed_m_s / (2 * gantry.decel_m_s2),
        min_spacing_m=qc.min_spacing_m,
        safety_sections=1,
        dual_cycling=dual_cycling,
        dual_saving_s=saving,
        split_sections=split_sections,
    )


def crane_jobs(call: VesselCall, plan: CallCranePlan) -> dict[str, list[CraneJob]]:
    """The ECS's crane sequences from a crane plan: each crane's moves in planned order."""
    jobs: dict[str, list[CraneJob]] = {}
    for seq in plan.cranes:
        jobs[seq.crane] = [
            CraneJob(
                seq.crane,
                number,
                QuayMove(m.container, m.kind, m.slot),
                call.bay_x_m(m.slot.bay),
                dual=m.dual,
            )
            for number, m in enumerate(seq.moves, start=1)
        ]
    return jobs


def planned_sequences(
    call: VesselCall,
    layout: TerminalLayout,
    kinematics: Kinematics,
    settings: SimulationSettings,
    starts_m: dict[str, float] | None = None,
) -> dict[str, list[CraneJob]]:
    """Plan ``call``'s crane split and sequences (QCSP) and hand them over as crane jobs.

    Raises
    ------
    InvalidValue
        The planner found no plan: a crane moves only to work, so one that starts in
        the others' way can leave none (``crane_plan="sweep"`` then still runs).
    """
    problem = crane_problem(
        call, layout, kinematics, dual_cycling=settings.dual_cycling, starts_m=starts_m
    )
    result = plan_call_cranes(problem, settings.crane_plan_time_limit_s, settings.seed)
    if result.plan is None:
        raise InvalidValue(
            f"{call.visit.id}: no crane plan found ({result.status}); try crane_plan='sweep'"
        )
    return crane_jobs(call, result.plan)


def scenario_crane_problem(
    name: str,
    visit: str | None,
    seed: int,
    *,
    dual_cycling: bool = False,
    split_sections: bool = True,
) -> CallCraneProblem:
    """The crane problem of a twin scenario's call (its first when ``visit`` is None).

    Raises
    ------
    NotFound
        No scenario ``name``, or no call ``visit`` in it.
    """
    from opentos.operations.scenarios import scenario as make_scenario
    from opentos.presets.kinematics import load_kinematics

    made = make_scenario(name, seed)
    calls = {c.visit.id: c for c in made.calls}
    if visit is not None and visit not in calls:
        raise NotFound(f"scenario {name} has no call {visit!r}; calls: {', '.join(calls)}")
    chosen = calls[visit] if visit is not None else made.calls[0]
    return crane_problem(
        chosen,
        made.layout,
        load_kinematics("qianwan-1"),  # the preset every scenario is built on
        dual_cycling=dual_cycling,
        split_sections=split_sections,
    )


def crane_problem_file(
    text: str,
    source: str = "<problem>",
    *,
    dual_cycling: bool | None = None,
    split_sections: bool | None = None,
) -> CallCraneProblem:
    """A crane problem read from ``text`` (JSON, from ``source``); ``dual_cycling`` and
    ``split_sections`` override the file's when given.

    Raises
    ------
    DataImportError
        ``text`` is not a crane problem; the error names ``source``.
    """
    made = problem_from_json(text, source)
    if dual_cycling is not None:
        made = replace(made, dual_cycling=dual_cycling)
    if split_sections is not None:
        made = replace(made, split_sections=split_sections)
    return made


def plan_crane_problem(
    problem: CallCraneProblem, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[CallCranePlan]:
    """The crane planner's result for ``problem``."""
    return plan_call_cranes(problem, time_limit_s, seed)


def check_crane_plan(problem: CallCraneProblem, plan: CallCranePlan) -> list[str]:
    """The rules ``plan`` breaks, by the planner-independent validator (empty: valid)."""
    return validate_call_plan(problem, plan)


def write_crane_plan(
    problem: CallCraneProblem, result: Result[CallCranePlan], plan: CallCranePlan, out: Path
) -> dict[str, object]:
    """Write ``crane_problem.json``, ``crane_plan.json`` (status, bound, plan) and
    ``crane_plan.png`` into ``out``; return the plan as JSON."""
    from opentos.operations.crane_plots import plot_crane_plan

    out.mkdir(parents=True, exist_ok=True)
    (out / "crane_problem.json").write_text(json.dumps(problem_to_json(problem)) + "\n")
    document = {"status": str(result.status), "lower_bound_s": result.bound, "plan": to_json(plan)}
    (out / "crane_plan.json").write_text(json.dumps(document, indent=1) + "\n")
    plot_crane_plan(problem, plan, out / "crane_plan.png")
    return to_json(plan)
