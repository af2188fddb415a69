"""Runs that used to stall or break: each finishes, and a run that does not says so."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import simpy
import typer
from rich.console import Console

from opentos.cli.simulate import run_simulation
from opentos.model.ids import ContainerNumber
from opentos.operations.scenarios import Scenario, small_call
from opentos.operations.twin_study import SimulationSettings, simulate
from opentos.twin.arrivals import TruckArrival
from opentos.twin.handover import Handovers


def trucks_for_blockers(made: Scenario, every_s: float) -> Scenario:
    """``made`` with an import truck, every ``every_s``, for each box standing over a load's
    box: the yard cranes of a block then often want the same box (a retrieval's blocker
    for the waterside crane, a truck's box for the landside one), as in the day run."""
    slots = dict(made.yard)
    loads = {number for call in made.calls for number, _ in call.load}
    columns: dict[tuple[str, int, int], list[tuple[int, ContainerNumber]]] = {}
    for number, slot in made.yard:
        columns.setdefault((slot.block, slot.bay, slot.row), []).append((slot.tier, number))
    blockers: list[ContainerNumber] = []
    for number in sorted(loads, key=str):
        slot = slots[number]
        for tier, other in sorted(columns[(slot.block, slot.bay, slot.row)]):
            if tier > slot.tier and other not in loads and other not in blockers:
                blockers.append(other)
    trucks = tuple(
        TruckArrival(f"TRK{k:05d}", k * every_s, "import", box)
        for k, box in enumerate(blockers, start=1)
    )
    return dataclasses.replace(made, trucks=trucks)


@pytest.mark.parametrize(("seed", "every_s"), [(1, 45.0)])
def test_trucks_for_the_boxes_over_loads_finish(seed: int, every_s: float) -> None:
    """Two yard cranes never hold orders for one box (without claims: a refused lift)."""
    made = trucks_for_blockers(small_call(seed), every_s)
    result = simulate(made, SimulationSettings(agvs=12, seed=seed, crane_plan="sweep"))
    assert result.finished
    assert result.terminal.ledger.rebuild() == result.terminal.inventory
    collected = {t.container for t in made.trucks}
    gone = {e.container for e in result.events if e.to_place is None}
    assert collected <= gone  # every truck got its box


@pytest.mark.parametrize("agvs", [1])
def test_small_call_with_one_agv_finishes(agvs: int) -> None:
    """With one AGV (no other to fall back on) the call still finishes: no deadlock."""
    made = small_call(2017)
    result = simulate(made, SimulationSettings(agvs=agvs, seed=2017))
    assert result.finished
    assert result.kpis["status"] == "finished"
    assert result.kpis["moves"] == made.moves


def test_quay_and_yard_crane_wait_for_one_agv_with_the_same_box() -> None:
    """A quay crane waiting for a load's AGV and the yard crane giving it the box both meet it."""
    env = simpy.Environment()
    handovers = Handovers(env)
    box = ContainerNumber.parse("MSCU1234566")
    log: list[tuple[float, str]] = []

    def quay_crane() -> simpy.events.ProcessGenerator:
        waiting = yield handovers.wait_for(box, ["QH1"], delivering=True)
        log.append((env.now, f"quay crane takes it from {waiting.agv}"))
        handovers.finish(waiting)

    def yard_crane() -> simpy.events.ProcessGenerator:
        yield env.timeout(1)
        waiting = yield handovers.wait_for(box, ["A01/W1"], delivering=False)
        log.append((env.now, f"yard crane gives it to {waiting.agv}"))
        handovers.finish(waiting)

    def agv() -> simpy.events.ProcessGenerator:
        yield env.timeout(2)
        yield handovers.announce("AGV01", "A01/W1", box, delivering=False).done
        yield env.timeout(3)
        yield handovers.announce("AGV01", "QH1", box, delivering=True).done

    for process in (quay_crane(), yard_crane(), agv()):
        env.process(process)
    env.run()
    assert log == [(2, "yard crane gives it to AGV01"), (5, "quay crane takes it from AGV01")]


def test_a_run_that_does_not_finish_says_so(tmp_path: Path) -> None:
    """Exit code 1; kpis.json and stderr name the moves left and the machines' last states."""
    made = dataclasses.replace(small_call(2017), duration_s=900.0)
    out = tmp_path / "out"
    console = Console(file=open(tmp_path / "out.txt", "w"), width=200)  # noqa: SIM115
    errors = Console(file=open(tmp_path / "err.txt", "w"), width=200)  # noqa: SIM115
    with pytest.raises(typer.Exit) as stopped:
        run_simulation("small-call", "qianwan-1", "fcfs", 4, 2017, out, console, errors, made=made)
    console.file.close()
    errors.file.close()
    assert stopped.value.exit_code == 1
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["finished"] is False
    assert kpis["status"] == "not finished"
    left = kpis["unfinished_moves"]
    assert left > 0
    assert kpis["moves"] < made.moves
    assert 0 < len(kpis["moves_left"]) <= 10
    states = kpis["machine_states"]
    assert {"QC01", "QC02", "AGV01", "AGV04"} <= set(states)
    assert "main trolley" in states["QC01"]
    stderr = (tmp_path / "err.txt").read_text()
    assert f"did not finish: {left} moves left" in stderr
    assert kpis["moves_left"][0] in stderr
    assert "AGV01:" in stderr
    table = (tmp_path / "out.txt").read_text()
    assert "NOT finished" in table
    assert f"{kpis['moves_per_qc_hour']} (NOT finished" in table
