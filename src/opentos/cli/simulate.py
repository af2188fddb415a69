"""``opentos simulate``: a scenario in the twin, with a progress bar, KPIs and plots."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from opentos.cli.progress import progress
from opentos.errors import ConfigError
from opentos.operations.scenarios import Scenario
from opentos.operations.scenarios import scenario as make_scenario
from opentos.operations.twin_study import (
    SimulationResult,
    SimulationSettings,
    simulate,
    write_results,
)
from opentos.storage.store import Store


def run_simulation(
    scenario: str,
    preset: str,
    policy: str,
    agvs: int,
    seed: int,
    out: Path,
    console: Console,
    progress_console: Console,
    *,
    dual_cycling: bool = False,
    crane_plan: str = "qcsp",
    made: Scenario | None = None,
    store: Store | None = None,
) -> SimulationResult:
    """Run, write ``kpis.json`` and the plots into ``out``, print the KPIs.

    ``made`` is the scenario when the caller has built it already; with ``store``
    the run's moves are recorded in its ledger too. A run that leaves
    moves undone still writes its files, then names the moves left and each machine's
    last state on ``progress_console`` and exits with code 1.
    """
    if crane_plan not in ("sweep", "qcsp"):
        raise ConfigError(f"crane plan {crane_plan!r} is not one of: sweep, qcsp")
    made = made or make_scenario(scenario, seed)
    if made.layout.name != _preset_name(preset):
        raise ConfigError(f"scenario {scenario} is defined for qianwan-1, not {preset!r}")
    started = time.perf_counter()
    with progress(progress_console, f"simulating {scenario}", made.moves) as report:
        last = [0]

        def advance(done: int, _total: int) -> None:
            report.advance(done - last[0])
            last[0] = done

        settings = SimulationSettings(
            policy=policy,
            agvs=agvs,
            seed=seed,
            dual_cycling=dual_cycling,
            crane_plan="qcsp" if crane_plan == "qcsp" else "sweep",
        )
        result = simulate(made, settings, advance, store=store)
    wall = time.perf_counter() - started
    kpis_file, *plots = write_results(result, out)
    console.print(kpi_table(result))
    console.print(
        f"{result.simpy_events:,} events in {wall:.1f} s wall "
        f"({result.simpy_events / wall:,.0f} events/s); wrote {kpis_file} and "
        + ", ".join(p.name for p in plots)
    )
    if not result.finished:
        report_stall(result, progress_console)
        raise typer.Exit(1)
    return result


def report_stall(result: SimulationResult, console: Console) -> None:
    """Say that the run did not finish: how many moves are left, a few of them, and what
    each machine was last doing or waiting for."""
    k = result.kpis
    left = k["moves_left"]
    states = k["machine_states"]
    assert isinstance(left, list)
    assert isinstance(states, dict)
    console.print(
        f"error: {result.scenario} did not finish: {k['unfinished_moves']} moves left "
        f"after {k['duration_h']} h simulated (the KPIs describe the part that was done)"
    )
    console.print("moves left (first of them):")
    for line in left:
        console.print(f"  {line}", markup=False)
    console.print("last state of the machines:")
    for machine, state in states.items():
        console.print(f"  {machine}: {state}", markup=False)


def _preset_name(preset: str) -> str:
    from opentos.presets import load_preset

    return load_preset(preset).name


def kpi_table(result: SimulationResult) -> Table:
    """The headline KPIs of a run."""
    k = result.kpis
    title = f"{result.scenario}: {k['policy']}, {k['agvs']} AGVs"
    stalled = "" if k["finished"] else f" (NOT finished: {k['unfinished_moves']} moves left)"
    table = Table("KPI", "value", title=title + ("" if k["finished"] else ", NOT FINISHED"))
    table.add_row(
        "moves", f"{k['moves']} (finished)" if k["finished"] else f"{k['moves']}{stalled}"
    )
    table.add_row("crane split and sequences", str(k["crane_plan"]))
    table.add_row("duration", f"{k['duration_h']} h")
    table.add_row("moves per QC-hour", f"{k['moves_per_qc_hour']}{stalled}")
    table.add_row("crane bound (moves per QC-hour)", str(k["crane_bound_moves_per_qc_hour"]))
    table.add_row("ratio to the crane bound", f"{float(str(k['ratio_to_crane_bound'])):.1%}")
    table.add_row("berth productivity (moves/h)", str(k["berth_moves_per_hour"]))
    table.add_row("AGV time split", json.dumps(k["agv_time_split"]))
    armg = k["armg_utilisation"]
    assert isinstance(armg, dict)
    table.add_row("ARMG utilisation (working cranes)", str(armg["mean_of_working_cranes"]))
    table.add_row("rehandle ratio", str(k["rehandle_ratio"]))
    return table
