"""Berth problems and plans as JSON documents (what ``opentos plan berth`` reads and writes).

A problem::

    {"quay_length_m": 660, "depth_m": [[0, 660, 20]], "clearance_m": 15,
     "cranes": 7, "crane_rate": 30, "horizon_s": 259200,
     "vessels": [{"id": "V01", "length_m": 300, "draft_m": 14, "eta_s": 3600,
                  "moves": 1800, "weight": 1, "min_cranes": 1, "max_cranes": 5}, ...]}

``slot_m`` and ``slot_s`` (the solver's grid) are optional. Every problem in
the file is reported with its key path; an unknown key is an error.
"""

from __future__ import annotations

from opentos.errors import DataImportError, InvalidValue
from opentos.model.dictread import DictReader, parse_json
from opentos.planning.berth.continuous import BerthPlan, BerthProblem, BerthVessel

JsonDict = dict[str, object]


def problem_from_json(text: str, source: str = "<string>") -> BerthProblem:
    """Read a berth problem (see the module docstring).

    Raises
    ------
    DataImportError
        Not JSON, or a value is missing, unknown or invalid (named by its key path).
    """
    data = parse_json(text, source)
    try:
        r = DictReader(data, label="berth problem")
        vessels = []
        for v in r.dict_list("vessels"):
            vessels.append(
                BerthVessel(
                    id=v.str_("id"),
                    length_m=v.float_("length_m"),
                    draft_m=v.float_("draft_m"),
                    eta_s=v.float_("eta_s"),
                    moves=v.int_("moves"),
                    weight=v.float_("weight", 1.0),
                    max_cranes=v.int_("max_cranes", 4),
                    min_cranes=v.int_("min_cranes", 1),
                )
            )
            v.check_all_read()
        depth = []
        for i, segment in enumerate(r.list_("depth_m")):
            if not (isinstance(segment, list) and len(segment) == 3):
                raise r.error(f"depth_m[{i}] must be [start_m, end_m, depth_m]")
            start, end, metres = segment
            if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in segment):
                raise r.error(f"depth_m[{i}] must hold three numbers, got {segment!r}")
            depth.append((float(start), float(end), float(metres)))
        problem = BerthProblem(
            quay_length_m=r.float_("quay_length_m"),
            depth_m=tuple(depth),
            clearance_m=r.float_("clearance_m"),
            cranes=r.int_("cranes"),
            crane_rate=r.float_("crane_rate"),
            vessels=tuple(vessels),
            horizon_s=r.float_("horizon_s"),
            slot_m=r.float_("slot_m", 5.0),
            slot_s=r.float_("slot_s", 900.0),
        )
        r.check_all_read()
    except InvalidValue as exc:
        raise DataImportError(source, [str(exc)]) from None
    return problem


def problem_to_dict(problem: BerthProblem) -> JsonDict:
    """The problem as a JSON-ready dict that :func:`problem_from_json` reads back."""
    return {
        "quay_length_m": problem.quay_length_m,
        "depth_m": [list(segment) for segment in problem.depth_m],
        "clearance_m": problem.clearance_m,
        "cranes": problem.cranes,
        "crane_rate": problem.crane_rate,
        "horizon_s": problem.horizon_s,
        "slot_m": problem.slot_m,
        "slot_s": problem.slot_s,
        "vessels": [
            {
                "id": v.id,
                "length_m": v.length_m,
                "draft_m": v.draft_m,
                "eta_s": v.eta_s,
                "moves": v.moves,
                "weight": v.weight,
                "min_cranes": v.min_cranes,
                "max_cranes": v.max_cranes,
            }
            for v in problem.vessels
        ],
    }


def plan_to_dict(plan: BerthPlan) -> JsonDict:
    """The plan as JSON: objective (weighted seconds) and one placement per vessel."""
    return {
        "objective_s": plan.objective,
        "placements": [
            {
                "vessel": p.vessel,
                "position_m": p.position_m,
                "start_s": p.start_s,
                "end_s": p.end_s,
                "cranes": p.cranes,
            }
            for p in sorted(plan.placements, key=lambda p: p.vessel)
        ],
    }
