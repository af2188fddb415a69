"""Plan a vessel visit: its load plan and its crane split and sequences.

The planners (:mod:`opentos.planning`) are pure; these operations feed them
from what the Store holds and save their plans as work instructions, each in
one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from opentos.errors import DataImportError, InvalidValue, NotFound
from opentos.model.container import Container, JsonValue
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.layout import TerminalLayout
from opentos.model.moves import MoveKind, MoveState, WorkInstruction
from opentos.model.places import VesselPlace, YardPlace
from opentos.model.slots import BayRowTier
from opentos.model.visits import VesselVisit
from opentos.operations.cranes import crane_problem
from opentos.operations.scenarios import VesselCall
from opentos.planning.cranes.call import CallCranePlan, CallCraneProblem, plan_call_cranes
from opentos.planning.result import Result
from opentos.planning.stowage.bayplan import draw_bay_plan
from opentos.planning.stowage.problem import StowagePlan, StowageProblem, Stowed
from opentos.planning.stowage.solver import solve_stowage
from opentos.planning.stowage.validate import StowageReport, arrival_violations, validate_stowage
from opentos.presets.kinematics import load_kinematics
from opentos.storage.store import Store


@dataclass(frozen=True, slots=True)
class StowageCheck:
    """The independent check of a load plan, with the arrival state's own faults apart."""

    report: StowageReport
    violations: tuple[str, ...]
    """Hard-rule breaks the plan makes (not already in the arrival state)."""
    arrival_violations: tuple[str, ...]
    """Hard-rule breaks already on board at arrival (no plan can undo them)."""

    def to_dict(self) -> dict[str, JsonValue]:
        """The check as JSON: the violations and the report's figures."""
        report = self.report
        c = report.condition
        return {
            "violations": list(self.violations),
            "arrival_violations": list(self.arrival_violations),
            "placed": report.placed,
            "refused_no_vgm": report.refused_no_vgm,
            "refused_no_room": report.refused_no_room,
            "overstows": report.overstows,
            "overstow_bound": report.overstow_bound,
            "hatch_cover_restows": report.hatch_cover_restows,
            "max_section_moves": report.max_section_moves,
            "mean_section_moves": round(report.mean_section_moves, 2),
            "hatch_openings": report.hatch_openings,
            "weight_inversions": report.weight_inversions,
            "gm_m": round(c.gm_m, 3),
            "trim_m": round(c.trim_m, 3),
            "list_deg": round(c.list_deg, 3),
            "draft_m": round(max(c.draft_aft_m, c.draft_fwd_m), 3),
            "displacement_t": round(c.displacement_t, 1),
        }


def check_stowage(problem: StowageProblem, plan: StowagePlan) -> StowageCheck:
    """Check ``plan`` with the independent validator."""
    report = validate_stowage(problem, plan)
    before = arrival_violations(problem)
    known = set(before)
    own = tuple(v for v in report.violations if v not in known)
    return StowageCheck(report, own, tuple(sorted(known)))


def stowage_problem(
    data: object | None = None,
    source: str = "<problem>",
    *,
    example_teu: int = 0,
    moves: int = 0,
    ports: int = 5,
    seed: int = 0,
) -> StowageProblem:
    """A stowage problem read from ``data`` (parsed JSON, from ``source``), or a generated
    example on a vessel class of ``example_teu`` TEU with ``moves`` loads (default: 42 %
    of the capacity) for ``ports`` ports.

    Raises
    ------
    DataImportError
        ``data`` is not a stowage problem; the error names ``source``.
    InvalidValue
        Neither or both of ``data`` and ``example_teu`` given.
    """
    from opentos.planning.stowage.generate import generate_stowage

    if (data is None) == (example_teu == 0):
        raise InvalidValue("give a stowage problem or an example's TEU (not both)")
    if data is None:
        return generate_stowage(example_teu, moves or round(0.42 * example_teu), ports=ports,
                                seed=seed)  # fmt: skip
    if not isinstance(data, dict):
        raise DataImportError(source, ["expected a JSON object"])
    try:
        return StowageProblem.from_dict(data)
    except InvalidValue as exc:
        raise DataImportError(source, [str(exc)]) from None


def solve_and_check_stowage(
    problem: StowageProblem, *, time_limit_s: float = 60.0, seed: int = 0
) -> tuple[Result[StowagePlan], StowageCheck | None]:
    """The planner's load plan for ``problem`` and its independent check (None: no plan)."""
    result = solve_stowage(problem, time_limit_s=time_limit_s, seed=seed)
    return result, None if result.plan is None else check_stowage(problem, result.plan)


def draw_stowage(
    problem: StowageProblem, plan: StowagePlan, out: Path, bays: list[int] | None = None
) -> list[Path]:
    """Draw the bay plan as ``bay_plan.png`` and ``bay_plan.svg`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"bay_plan.{suffix}" for suffix in ("png", "svg")]
    for path in paths:
        draw_bay_plan(problem, plan, path, bays=bays)
    return paths


@dataclass(frozen=True, slots=True)
class VisitStowage:
    """A stored visit's load plan: the problem as planned, the planner's result, and
    the work instructions saved for it."""

    problem: StowageProblem
    result: Result[StowagePlan]
    instructions: tuple[WorkInstruction, ...]
    not_in_yard: tuple[ContainerNumber, ...]
    """Boxes ordered for loading that are not in the yard yet (left out of the plan)."""


@dataclass(frozen=True, slots=True)
class VisitCranes:
    """A stored visit's crane split and sequences, and the work instructions saved for it."""

    problem: CallCraneProblem
    result: Result[CallCranePlan]
    instructions: tuple[WorkInstruction, ...]


def plan_stowage(
    store: Store,
    visit_id: str,
    *,
    rotation: Sequence[str] | None = None,
    time_limit_s: float = 30.0,
    seed: int = 0,
) -> VisitStowage:
    """Plan where the boxes ordered for loading onto ``visit_id`` go on board.

    The load list is every box that an order of kind ``load`` for the visit names (a
    ``load_order`` document, as a COPRAR import keeps it: :data:`ORDER_DOCUMENTS`) and
    that is in the yard; the boxes on board stay or are restowed. Without ``rotation``
    (the next ports of call, in order) it is read from the stowage on board: ports whose
    boxes sit higher come earlier, then ports only the load list names, alphabetically.
    With a plan, one work instruction per placed box (``LOAD`` from its yard slot,
    ``RESTOW`` from its slot on board) is saved in one transaction, and earlier planned
    ones it no longer has are cancelled.

    Raises
    ------
    NotFound
        No visit ``visit_id``.
    InvalidValue
        Not a vessel visit, a bad time limit or rotation, or a box whose port of
        discharge is not in the rotation (the message names it).
    """
    if not time_limit_s > 0:
        raise InvalidValue(f"Expected time_limit_s > 0, got {time_limit_s}.")
    visit = _vessel_visit(store, visit_id)
    port = UnLocode.parse(store.layout.un_locode)
    on_board = _on_board(store, visit_id)
    ordered = _ordered(store, visit_id, "load")
    yard: dict[ContainerNumber, YardPlace] = {}
    waiting = []
    for number in ordered:
        place = store.where(number)
        if isinstance(place, YardPlace):
            yard[number] = place
        elif not isinstance(place, VesselPlace) or place.visit != visit_id:
            waiting.append(number)  # on board already: nothing to load
    containers = store.containers([*(n for n, _ in on_board), *yard])
    stowed = tuple(Stowed(containers[n], slot) for n, slot in on_board)
    load = tuple(containers[n] for n in yard)
    if rotation is None:
        ports = _rotation_on_board(stowed, load, port)
    else:
        ports = tuple(_port(p) for p in rotation)
    problem = StowageProblem(visit.profile, port, ports, stowed, load)
    result = solve_stowage(problem, time_limit_s=time_limit_s, seed=seed)
    instructions: list[WorkInstruction] = []
    if result.plan is not None:
        aboard = dict(on_board)
        for k, (number, slot) in enumerate(result.plan.placements, start=1):
            to = VesselPlace(visit_id, slot)
            if number in yard:
                wi = WorkInstruction(
                    f"{visit_id}.L.{number}", MoveKind.LOAD, number, yard[number], to,
                    visit_id, sequence=k,
                )  # fmt: skip
            else:
                wi = WorkInstruction(
                    f"{visit_id}.R.{number}", MoveKind.RESTOW, number,
                    VesselPlace(visit_id, aboard[number]), to, visit_id, sequence=k,
                )  # fmt: skip
            instructions.append(wi)
        _save(store, visit_id, instructions, (MoveKind.LOAD, MoveKind.RESTOW))
    return VisitStowage(problem, result, tuple(instructions), tuple(waiting))


def plan_cranes(
    store: Store,
    visit_id: str,
    *,
    cranes: int | Sequence[str] | None = None,
    berth_x_m: float | None = None,
    dual_cycling: bool = False,
    time_limit_s: float = 10.0,
    seed: int = 0,
) -> VisitCranes:
    """Split the discharges and loads of ``visit_id`` among quay cranes and sequence them.

    The discharges are the boxes on board for this port; the loads are the visit's
    planned ``LOAD`` instructions (see :func:`plan_stowage`). The vessel lies with its
    stern at ``berth_x_m`` (default: the start of its berth); ``cranes`` names the
    quay cranes, or counts them (those nearest the vessel's middle; default: those
    over its length, at least one). With a plan, each move's instruction is saved in
    one transaction with its crane, its place in the crane's sequence and its planned
    start (from the planned berthing, when known).

    Raises
    ------
    NotFound
        No visit ``visit_id``, or no quay crane of a given name.
    InvalidValue
        Not a vessel visit, no berth, nothing to move, or bad cranes or limits.
    """
    if not time_limit_s > 0:
        raise InvalidValue(f"Expected time_limit_s > 0, got {time_limit_s}.")
    visit = _vessel_visit(store, visit_id)
    layout = store.layout
    if visit.berth is None:
        raise InvalidValue(f"visit {visit_id} has no berth; assign one before planning cranes")
    berth = next((b for b in layout.quay.berths if b.id == visit.berth), None)
    if berth is None:
        raise NotFound(f"visit {visit_id}: berth {visit.berth!r} is not in {layout.name}")
    stern = berth.start_m if berth_x_m is None else berth_x_m
    if not 0 <= stern <= layout.quay.length_m - visit.profile.loa_m:
        raise InvalidValue(
            f"visit {visit_id}: stern at {stern} m puts the {visit.profile.loa_m:.0f} m vessel "
            f"off the {layout.quay.length_m:.0f} m quay"
        )
    chosen = _cranes(layout, cranes, stern, stern + visit.profile.loa_m)
    port = UnLocode.parse(layout.un_locode)
    on_board = _on_board(store, visit_id)
    here = store.containers([n for n, _ in on_board])
    discharge = tuple(n for n, _ in on_board if here[n].port_of_discharge == port)
    planned = {
        wi.container: wi
        for wi in store.instructions(visit_id)
        if wi.kind is MoveKind.LOAD and wi.state is MoveState.PLANNED
    }
    loads = tuple(
        (n, wi.to_place.slot) for n, wi in planned.items() if isinstance(wi.to_place, VesselPlace)
    )
    if not discharge and not loads:
        raise InvalidValue(f"visit {visit_id}: nothing to discharge or load (plan stowage first?)")
    call = VesselCall(visit, stern, chosen, 0.0, tuple(on_board), discharge, loads)
    problem = crane_problem(
        call, layout, load_kinematics("qianwan-1"), dual_cycling=dual_cycling
    )  # the reference kinematics, as in a twin study
    result = plan_call_cranes(problem, time_limit_s, seed)
    instructions: list[WorkInstruction] = []
    if result.plan is not None:
        slots = dict(on_board)
        berthing = visit.actual_berthing or visit.planned_berthing
        for seq in result.plan.cranes:
            for k, m in enumerate(seq.moves, start=1):
                start = None if berthing is None else berthing + timedelta(seconds=m.start_s)
                if m.kind == "load":
                    wi = replace(planned[m.container], sequence=k, equipment=seq.crane,
                                 planned_start=start)  # fmt: skip
                else:
                    wi = WorkInstruction(
                        f"{visit_id}.D.{m.container}", MoveKind.DISCHARGE, m.container,
                        VesselPlace(visit_id, slots[m.container]), None, visit_id,
                        sequence=k, planned_start=start, equipment=seq.crane,
                    )  # fmt: skip
                instructions.append(wi)
        _save(store, visit_id, instructions, (MoveKind.DISCHARGE,))
    return VisitCranes(problem, result, tuple(instructions))


def _vessel_visit(store: Store, visit_id: str) -> VesselVisit:
    visit = store.visit(visit_id)
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(f"visit {visit_id} is a {visit.kind} visit, not a vessel visit")
    return visit


def _on_board(store: Store, visit_id: str) -> list[tuple[ContainerNumber, BayRowTier]]:
    return [(n, p.slot) for n, p in store.on_visit(visit_id) if isinstance(p, VesselPlace)]


ORDER_DOCUMENTS = ("load_order", "discharge_order", "load_discharge_order")
"""Document kinds that hold a visit's load and discharge orders: ``load_order`` and
``discharge_order`` as an imported COPRAR keeps them
(:func:`~opentos.operations.interchange.import_document`), ``load_discharge_order``
for orders saved under the older name."""


def _ordered(store: Store, visit_id: str, kind: str) -> list[ContainerNumber]:
    """Boxes the visit's load or discharge orders name, each once, in order."""
    numbers: dict[ContainerNumber, None] = {}
    orders = [o for doc in ORDER_DOCUMENTS for o in store.documents(doc, visit_id)]
    for order in orders:
        items = order.get("items")
        if order.get("kind") != kind or not isinstance(items, list):
            continue
        for item in items:
            box = item.get("container") if isinstance(item, dict) else None
            if isinstance(box, dict) and isinstance(box.get("number"), str):
                numbers[ContainerNumber.parse(box["number"])] = None
    return list(numbers)


def _port(text: str) -> UnLocode:
    try:
        return UnLocode.parse(text)
    except InvalidValue as exc:
        raise InvalidValue(f"rotation: {exc}") from None


def _rotation_on_board(
    stowed: Sequence[Stowed], load: Sequence[Container], here: UnLocode
) -> tuple[UnLocode, ...]:
    """Next ports by the stowage on board: a port whose boxes sit higher (in each stack,
    as a share of its height) is discharged earlier; then the load list's other ports."""
    heights: dict[tuple[int, int, bool], int] = defaultdict(int)
    for s in stowed:
        key = (s.slot.bay, s.slot.row, s.slot.on_deck)
        heights[key] = max(heights[key], s.slot.tier)
    level: dict[UnLocode, list[float]] = defaultdict(list)
    for s in stowed:
        pod = s.container.port_of_discharge
        if pod is not None and pod != here:
            level[pod].append(s.slot.tier / heights[(s.slot.bay, s.slot.row, s.slot.on_deck)])
    ports = sorted(level, key=lambda p: (-sum(level[p]) / len(level[p]), str(p)))
    rest = {c.port_of_discharge for c in load} - set(ports) - {None, here}
    return (*ports, *sorted((p for p in rest if p is not None), key=str))


def _cranes(
    layout: TerminalLayout, cranes: int | Sequence[str] | None, stern_m: float, bow_m: float
) -> tuple[str, ...]:
    """The quay cranes given to the vessel, west to east."""
    by_x = sorted(layout.quay_cranes, key=lambda q: q.rail_position_m)
    if cranes is None:
        over = [q.id for q in by_x if stern_m <= q.rail_position_m <= bow_m]
        return tuple(over) or _cranes(layout, 1, stern_m, bow_m)
    if isinstance(cranes, int):
        if not 1 <= cranes <= len(by_x):
            raise InvalidValue(f"Expected 1 <= cranes <= {len(by_x)}, got {cranes}.")
        middle = (stern_m + bow_m) / 2
        nearest = sorted(by_x, key=lambda q: (abs(q.rail_position_m - middle), q.id))[:cranes]
        return tuple(q.id for q in by_x if q in nearest)
    known = {q.id: q for q in by_x}
    if not cranes or len(set(cranes)) != len(cranes):
        raise InvalidValue(f"cranes {list(cranes)}: give each quay crane once, at least one")
    for name in cranes:
        if name not in known:
            raise NotFound(f"no quay crane {name!r} in {layout.name}; cranes: {', '.join(known)}")
    return tuple(sorted(cranes, key=lambda c: known[c].rail_position_m))


def _save(
    store: Store, visit_id: str, instructions: list[WorkInstruction], kinds: tuple[MoveKind, ...]
) -> None:
    """Save ``instructions``; cancel the visit's earlier planned ones of ``kinds`` they drop."""
    ids = {wi.id for wi in instructions}
    stale = [
        wi.advance(MoveState.CANCELLED)
        for wi in store.instructions(visit_id)
        if wi.kind in kinds and wi.state is MoveState.PLANNED and wi.id not in ids
    ]
    with store.transaction() as tx:
        for wi in [*instructions, *stale]:
            tx.save_instruction(wi)
