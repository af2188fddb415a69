"""The independent check of a train's load plan, written apart from the solver's model.

It reads the plan slot by slot, as a planner at the rail side would, and
recomputes the cost from the problem's data alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from opentos.planning.rail.problem import LoadPlan, RailBox, RailLoadProblem
from opentos.planning.stowage.rules import IMDG_SEGREGATION, table_class


@dataclass(frozen=True, slots=True)
class LoadPlanReport:
    """What :func:`check_load_plan` found: the rules broken and the plan's figures."""

    violations: tuple[str, ...]
    must_go_left: tuple[str, ...]
    """Must-go boxes the plan leaves behind (not a violation: there may be no room)."""
    boxes_loaded: int
    length_loaded_ft: int
    capacity_ft: int
    setups: int
    """Platforms set to another pattern than their current one."""
    crane_travel_m: int
    objective: int
    """The cost recomputed from the plan."""

    @property
    def ok(self) -> bool:
        """True when the plan breaks no rule."""
        return not self.violations

    @property
    def utilisation(self) -> float:
        """Share of the train's loading length taken by boxes."""
        return self.length_loaded_ft / self.capacity_ft if self.capacity_ft else 0.0


def dg_code(a: RailBox, b: RailBox) -> int:
    """IMDG segregation code between two boxes' dangerous goods (0 if either has none)."""
    if a.dg_class is None or b.dg_class is None:
        return 0
    return IMDG_SEGREGATION[(table_class(a.dg_class), table_class(b.dg_class))]


def check_load_plan(problem: RailLoadProblem, plan: LoadPlan) -> LoadPlanReport:
    """Every rule ``plan`` breaks, and its figures; see :mod:`opentos.planning.rail.problem`.

    Checks: the plan's patterns exist for every platform; each placement names a
    known box, wagon, platform and slot; every box at most once and either placed
    or left, every slot at most one box of the slot's length; the payload of each
    platform (with its pattern) and wagon; the DG rules; the reported objective
    equal to the recomputed cost. Must-go boxes left behind are reported apart.
    """
    out: list[str] = []
    boxes = {b.box_id: b for b in problem.boxes}
    wagons = problem.wagons
    patterns_ok = len(plan.patterns) == len(wagons)
    if not patterns_ok:
        out.append(
            f"the plan sets patterns for {len(plan.patterns)} wagons, the train has {len(wagons)}"
        )
    else:
        for w, (wagon, chosen) in enumerate(zip(wagons, plan.patterns, strict=True)):
            platforms = wagon.wagon_type.platforms
            if len(chosen) != len(platforms):
                out.append(
                    f"wagon {w} ({wagon.wagon_id}): {len(chosen)} patterns for "
                    f"{len(platforms)} platforms"
                )
                patterns_ok = False
                continue
            for p, k in enumerate(chosen):
                if not 0 <= k < len(platforms[p].patterns):
                    out.append(f"wagon {w} ({wagon.wagon_id}) platform {p}: no pattern {k}")
                    patterns_ok = False

    seen: dict[str, str] = {}
    slots: dict[tuple[int, int, int], str] = {}
    load_kg: dict[tuple[int, int], int] = defaultdict(int)
    wagon_kg: dict[int, int] = defaultdict(int)
    on_wagon: dict[int, list[RailBox]] = defaultdict(list)
    travel = 0
    length = 0
    for pl in plan.placements:
        where = f"wagon {pl.wagon} platform {pl.platform} slot {pl.slot}"
        box = boxes.get(pl.box_id)
        if box is None:
            out.append(f"{where}: box {pl.box_id} is not a candidate")
            continue
        if pl.box_id in seen:
            out.append(f"box {pl.box_id} placed twice ({seen[pl.box_id]} and {where})")
            continue
        seen[pl.box_id] = where
        if not 0 <= pl.wagon < len(wagons):
            out.append(f"box {pl.box_id}: the train has no wagon {pl.wagon}")
            continue
        platforms = wagons[pl.wagon].wagon_type.platforms
        if not 0 <= pl.platform < len(platforms):
            out.append(f"box {pl.box_id}: wagon {pl.wagon} has no platform {pl.platform}")
            continue
        if not patterns_ok:
            continue
        platform = platforms[pl.platform]
        k = plan.patterns[pl.wagon][pl.platform]
        pattern = platform.patterns[k]
        if not 0 <= pl.slot < len(pattern.slots):
            out.append(f"box {pl.box_id}: pattern {pattern.name} of {where} has no slot {pl.slot}")
            continue
        other = slots.get((pl.wagon, pl.platform, pl.slot))
        if other is not None:
            out.append(f"{where} holds both {other} and {pl.box_id}")
            continue
        slots[pl.wagon, pl.platform, pl.slot] = pl.box_id
        if pattern.slots[pl.slot] != box.length_ft:
            out.append(
                f"box {pl.box_id} ({box.length_ft}') in the {pattern.slots[pl.slot]}' slot "
                f"{pl.slot} of pattern {pattern.name} on wagon {pl.wagon} platform {pl.platform}"
            )
        load_kg[pl.wagon, pl.platform] += box.gross_kg
        wagon_kg[pl.wagon] += box.gross_kg
        on_wagon[pl.wagon].append(box)
        length += box.length_ft
        travel += round(abs(problem.box_x_m(box) - problem.platform_x_m(pl.wagon, pl.platform)))

    left = set(plan.left)
    for box_id in plan.left:
        if box_id not in boxes:
            out.append(f"left box {box_id} is not a candidate")
        elif box_id in seen:
            out.append(f"box {box_id} is both placed ({seen[box_id]}) and left")
    if len(left) != len(plan.left):
        out.append("a box is listed twice as left")
    for b in problem.boxes:
        if b.box_id not in seen and b.box_id not in left:
            out.append(f"box {b.box_id} is neither placed nor left")

    if patterns_ok:
        for (w, p), kg in sorted(load_kg.items()):
            platform = wagons[w].wagon_type.platforms[p]
            k = plan.patterns[w][p]
            limit = platform.payload_kg(k)
            if kg > limit:
                out.append(
                    f"wagon {w} platform {p} (pattern {platform.patterns[k].name}) carries "
                    f"{kg} kg, above its {limit} kg"
                )
    for w, kg in sorted(wagon_kg.items()):
        t = wagons[w].wagon_type
        if kg > t.max_payload_kg:
            out.append(f"wagon {w} ({t.code}) carries {kg} kg, above its {t.max_payload_kg} kg")
    _check_dg(problem, on_wagon, out)

    setups = 0
    if patterns_ok:
        setups = sum(
            k != c
            for wagon, chosen in zip(wagons, plan.patterns, strict=True)
            for k, c in zip(chosen, wagon.current_patterns, strict=True)
        )
    weights = problem.weights
    not_loaded = [b for b in problem.boxes if b.box_id not in seen]
    must_go_left = tuple(b.box_id for b in not_loaded if b.must_go)
    cost = (
        weights.must_go * len(must_go_left)
        + weights.per_foot * sum(b.priority * b.length_ft for b in not_loaded)
        + weights.setup * setups
        + weights.per_metre * travel
    )
    if not out and cost != plan.objective:
        out.append(f"objective {plan.objective} reported, {cost} recomputed")
    return LoadPlanReport(
        violations=tuple(out),
        must_go_left=must_go_left,
        boxes_loaded=len(seen),
        length_loaded_ft=length,
        capacity_ft=problem.capacity_ft,
        setups=setups,
        crane_travel_m=travel,
        objective=cost,
    )


def _check_dg(problem: RailLoadProblem, on_wagon: dict[int, list[RailBox]], out: list[str]) -> None:
    rules = problem.dg_rules
    n = len(problem.wagons)
    dg = {w: [b for b in boxes if b.is_dg] for w, boxes in on_wagon.items()}
    for w, boxes in sorted(dg.items()):
        if boxes and (w < rules.free_first or w >= n - rules.free_last):
            for b in boxes:
                out.append(
                    f"DG box {b.box_id} (class {b.dg_class}) on wagon {w}, which must "
                    f"carry no dangerous goods"
                )
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                code = dg_code(a, b)
                if code >= rules.same_wagon_code:
                    out.append(
                        f"DG boxes {a.box_id} (class {a.dg_class}) and {b.box_id} "
                        f"(class {b.dg_class}, segregation {code}) on one wagon {w}"
                    )
        for a in boxes:
            for b in dg.get(w + 1, []):
                code = dg_code(a, b)
                if code >= rules.adjacent_code:
                    out.append(
                        f"DG boxes {a.box_id} (class {a.dg_class}) on wagon {w} and "
                        f"{b.box_id} (class {b.dg_class}, segregation {code}) on the "
                        f"next wagon"
                    )
