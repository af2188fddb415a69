"""`opentos plan stowage --visit` and `opentos plan cranes --visit` on a stored visit."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.moves import MoveKind, MoveState
from opentos.model.orders import LoadDischargeOrder, OrderItem, VesselCall
from opentos.model.places import VesselPlace, YardPlace
from opentos.model.slots import BayRowTier
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit, VisitPhase
from opentos.planning.cranes.call import (
    CallCranePlan,
    CraneSequence,
    PlannedMove,
    problem_from_json,
    validate_call_plan,
)
from opentos.planning.stowage.problem import StowagePlan, StowageProblem, Stowed
from opentos.planning.stowage.validate import arrival_violations, validate_stowage
from opentos.presets import load_preset
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory, fill_vessel, fill_yard
from test_cli import run

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
VISIT = "FDR-2603"
ROTATION = ("KRPUS", "SGSIN")
LOADS = 40


@pytest.fixture(scope="module")
def visit_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """qianwan-1 with a sparse yard and a 2,000 TEU feeder alongside at B01, on board for
    CNTAO, KRPUS and SGSIN, and a load order for 40 export boxes in the yard."""
    url = f"sqlite:///{tmp_path_factory.mktemp('visit') / 'visit.db'}"
    layout = load_preset("qianwan-1")
    factory = ContainerFactory(random.Random(11))
    yard, yard_events = fill_yard(layout, factory, 0.03, T0)
    exports = [
        i
        for i, c in enumerate(yard)
        if str(c.port_of_loading) == "CNTAO"
        and str(c.port_of_discharge) in ROTATION
        and c.length_ft != 45
        and c.vgm_kg is not None
    ][:LOADS]
    assert len(exports) == LOADS
    profile = vessel_class(2000)
    visit = VesselVisit(
        id=VISIT, vessel_name="OPENTOS FEEDER", profile=profile, operator="COS",
        voyage_in="03W", voyage_out="03E", berth="B01", planned_arrival=T0, planned_berthing=T0,
    ).advance(VisitPhase.ARRIVED, T0)  # fmt: skip
    ship, ship_events = fill_vessel(VISIT, profile, factory, ("CNTAO", *ROTATION), 0.4, T0)
    order = LoadDischargeOrder(
        "LOAD-FDR-2603", MoveKind.LOAD, VesselCall("OPENTOS FEEDER", "03E", "COS"),
        tuple(OrderItem(yard[i]) for i in exports),
    )  # fmt: skip
    with Store.create(url, layout, "qianwan-1") as store, store.transaction() as tx:
        tx.add_visit(visit)
        tx.register_many(yard + ship)
        tx.record(yard_events + ship_events)
        tx.save_document("load_discharge_order", order.reference, VISIT, dict(order.to_dict()))
    return url


def _problem(store: Store) -> StowageProblem:
    """The stowage problem of the stored visit, built here from the Store on its own."""
    on_board = store.on_visit(VISIT)
    (order,) = store.documents("load_discharge_order", VISIT)
    items = order["items"]
    assert isinstance(items, list)
    numbers = [ContainerNumber.parse(i["container"]["number"]) for i in items]
    boxes = store.containers([n for n, _ in on_board] + numbers)
    stowed = []
    for n, place in on_board:
        assert isinstance(place, VesselPlace)
        stowed.append(Stowed(boxes[n], place.slot))
    return StowageProblem(
        store.visit(VISIT).profile,
        UnLocode.parse("CNTAO"),
        tuple(UnLocode.parse(p) for p in ROTATION),
        tuple(stowed),
        tuple(boxes[n] for n in numbers),
    )


@pytest.mark.slow
def test_plan_a_stored_visit_stowage_then_cranes(visit_store: str, tmp_path: Path) -> None:
    """The load plan of a stored visit keeps every rule and books no slot twice; the crane
    plan covers every discharge and load once and its cranes never cross."""
    out = tmp_path / "out"
    stdout = run(
        visit_store, "plan", "stowage", "--visit", VISIT, "--rotation", ",".join(ROTATION),
        "--time-limit", "20", "--json", "--out", str(out),
    ).stdout  # fmt: skip
    document = json.loads(stdout)
    assert document["visit"] == VISIT
    assert json.loads((out / "stow_plan.json").read_text()) == document
    assert (out / "bay_plan.png").read_bytes().startswith(b"\x89PNG")
    plan = StowagePlan.from_dict(document["plan"])
    with Store.open(visit_store) as store:
        problem = _problem(store)
        report = validate_stowage(problem, plan)
        assert set(report.violations) <= set(arrival_violations(problem))
        assert report.placed > LOADS // 2
        stow = [w for w in store.instructions(VISIT) if w.kind in (MoveKind.LOAD, MoveKind.RESTOW)]
        on_board = dict(store.on_visit(VISIT))
    assert len(stow) == len(plan.placements) == document["instructions"]
    loads = {w.container for w in stow if w.kind is MoveKind.LOAD}
    assert loads == {n for n, _ in plan.placements} & {c.number for c in problem.load}
    assert all(isinstance(w.from_place, YardPlace) for w in stow if w.kind is MoveKind.LOAD)
    # No slot double-booked: each target slot once, and none holds a box that stays.
    targets = [w.to_place for w in stow]
    assert len(set(targets)) == len(targets)
    leaving = {n for n, p in on_board.items() if _discharged(problem, n)} | {
        w.container for w in stow if w.kind is MoveKind.RESTOW
    }
    staying = {p for n, p in on_board.items() if n not in leaving}
    assert not staying & set(targets)

    table = run(
        visit_store, "plan", "cranes", "--visit", VISIT, "--cranes", "2", "--time-limit", "5",
        "--out", str(out),
    ).stdout  # fmt: skip
    assert "crane split and sequences" in table
    assert "makespan" in table
    crane_problem = problem_from_json((out / "crane_problem.json").read_text())
    crane_plan = _crane_plan(json.loads((out / "crane_plan.json").read_text())["plan"])
    assert validate_call_plan(crane_problem, crane_plan) == []
    assert _never_cross(crane_problem.bay_x_m, crane_plan)
    with Store.open(visit_store) as store:
        planned = [w for w in store.instructions(VISIT) if w.state is MoveState.PLANNED]
    moves = [w for w in planned if w.kind in (MoveKind.LOAD, MoveKind.DISCHARGE)]
    assert {w.equipment for w in moves} == {seq.crane for seq in crane_plan.cranes}
    assert sorted(str(w.container) for w in moves) == sorted(
        str(m.container) for seq in crane_plan.cranes for m in seq.moves
    )
    discharged = {n for n in on_board if _discharged(problem, n)}
    assert {w.container for w in moves if w.kind is MoveKind.DISCHARGE} == discharged
    assert {w.container for w in moves if w.kind is MoveKind.LOAD} == loads


def test_plan_an_unknown_visit_or_bad_cranes_fails_cleanly(visit_store: str) -> None:
    """An unknown visit is named; a bad crane count is refused; nothing is saved."""
    with Store.open(visit_store) as store:
        before = store.instructions(VISIT)
    missing = run(visit_store, "plan", "stowage", "--visit", "NOPE-1", ok=False)
    assert missing.returncode == 1
    assert "no visit 'NOPE-1'" in missing.stderr
    bad = run(visit_store, "plan", "cranes", "--visit", VISIT, "--cranes", "9", ok=False)
    assert bad.returncode == 1
    assert "cranes <= 7, got 9" in bad.stderr
    unknown = run(visit_store, "plan", "cranes", "--visit", VISIT, "--cranes", "QC99", ok=False)
    assert "no quay crane 'QC99'" in unknown.stderr
    with Store.open(visit_store) as store:
        assert store.instructions(VISIT) == before


def _discharged(problem: StowageProblem, number: ContainerNumber) -> bool:
    box: Container = next(s.container for s in problem.on_board if s.container.number == number)
    return box.port_of_discharge == problem.port


def _crane_plan(data: dict[str, object]) -> CallCranePlan:
    """The crane plan back from its JSON form."""
    cranes = data["cranes"]
    assert isinstance(cranes, list)
    return CallCranePlan(
        int(str(data["makespan_s"])),
        tuple(
            CraneSequence(
                c["crane"],
                tuple(
                    PlannedMove(
                        ContainerNumber.parse(m["container"]),
                        m["kind"],
                        BayRowTier.parse(m["slot"]),
                        m["start_s"],
                        m["end_s"],
                        m["dual"],
                    )
                    for m in c["sequence"]
                ),
            )
            for c in cranes
        ),
    )


def _never_cross(bay_x_m: dict[int, float], plan: CallCranePlan) -> bool:
    """Whenever two cranes work at once, the western one works west of the eastern one."""
    for west, east in zip(plan.cranes, plan.cranes[1:], strict=False):
        for a in west.moves:
            for b in east.moves:
                overlap = a.start_s < b.end_s and b.start_s < a.end_s
                if overlap and not bay_x_m[a.slot.bay] < bay_x_m[b.slot.bay]:
                    return False
    return True


def test_never_cross_sees_a_crossing() -> None:
    """The crossing check of the test above flags two cranes at one bay at once."""
    box = ContainerNumber.from_parts("MSC", "U", "123456")
    move = PlannedMove(box, "load", BayRowTier(2, 1, 82), 0, 90)
    plan = CallCranePlan(90, (CraneSequence("QC01", (move,)), CraneSequence("QC02", (move,))))
    assert not _never_cross({2: 10.0}, plan)
