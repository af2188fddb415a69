"""Twin benchmarks: zim-chicago productivity by policy and fleet size, and twin speed.

Targets (issue "Digital twin and equipment control"):
- zim-chicago with 38 AGVs: moves per QC-hour at >= 95 % of the crane bound;
- a plot of moves per QC-hour against the number of AGVs (10 ... 38) per policy;
- with the plainest policy (fcfs), how close qianwan-1 comes to the published
  everyday average (about 36 moves per QC-hour);
- twin speed: the 24-hour ``day`` scenario in <= 60 s wall with <= 2 GiB peak
  memory (run in a child process, so the figure is its own); events per second;
- every run of the finish matrix finishes its moves (:func:`finish_matrix`: day
  seeds 1-10 x crane plans sweep and qcsp, zim-chicago with 5-38 AGVs, small-call
  with 1-4 AGVs), each as ``opentos simulate`` runs it.

``python -m benchmarks.twin [--quick] [day|zim-chicago|small-call ...]`` runs the
finish matrix alone (or some of its scenarios), printing each run as it ends.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from opentos.operations.scenarios import scenario as make_scenario
from opentos.operations.scenarios import zim_chicago
from opentos.operations.twin_study import SimulationSettings, simulate

POLICIES = ("fcfs", "nearest", "optimal")
EVERYDAY_AVERAGE = 36.2
"""Reported everyday average of Qianwan, boxes per QC-hour (../shared/reference/qianwan.md)."""


_DAY_SCRIPT = """
import json, resource, time
from opentos.operations.twin_study import SimulationSettings, simulate
from opentos.operations.scenarios import day
scenario = day()
started = time.perf_counter()
result = simulate(scenario, SimulationSettings(policy="fcfs", agvs=38, seed=1))
wall = time.perf_counter() - started
print(json.dumps({
    "wall_s": wall,
    "events": result.simpy_events,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "moves": result.kpis["moves"],
    "finished": result.finished,
    "trucks": result.kpis["truck_turn_time_min"],
    "moves_per_qc_hour": result.kpis["moves_per_qc_hour"],
}))
"""


def day_speed() -> list[tuple[str, str, str]]:
    """The 24-hour day scenario in a child process: wall time, events/s, peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", _DAY_SCRIPT], capture_output=True, text=True, check=True
    )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        (
            f"twin speed: day scenario, 24 h simulated ({r['moves']} quay moves, "
            f"{r['trucks']['trucks']} trucks, fcfs, 38 AGVs)",
            f"{r['wall_s']:.1f} s wall, {r['events'] / r['wall_s']:,.0f} events/s, "
            f"peak {r['peak_mib']:,.0f} MiB",
            "<= 60 s, <= 2 GiB",
        ),
        (
            "day scenario: moves per QC-hour, truck turn time",
            f"{r['moves_per_qc_hour']}; {r['trucks']['mean']} min mean, "
            f"{r['trucks']['p95']} min p95",
            "",
        ),
    ]


CLI_SEED = 2017
"""The seed ``opentos simulate`` uses by default (zim-chicago and small-call runs)."""


def matrix(quick: bool = False) -> list[tuple[str, int, int, str]]:
    """The finish matrix's runs: (scenario, seed, AGVs, crane plan)."""
    day_seeds = (1, 3) if quick else tuple(range(1, 11))
    fleets = (5, 10, 38) if quick else (5, 6, 8, 10, 12, 14, 18, 22, 26, 30, 34, 38)
    runs = [("day", seed, 38, plan) for seed in day_seeds for plan in ("sweep", "qcsp")]
    runs += [("zim-chicago", CLI_SEED, agvs, "qcsp") for agvs in fleets]
    runs += [("small-call", CLI_SEED, agvs, "qcsp") for agvs in (1, 2, 3, 4)]
    return runs


def finish_matrix(
    quick: bool = False, scenarios: Sequence[str] = ()
) -> Iterator[tuple[str, str, str]]:
    """Run the finish matrix (fcfs, as ``opentos simulate`` does by default); one row per run."""
    for name, seed, agvs, plan in matrix(quick):
        if scenarios and name not in scenarios:
            continue
        command = (
            f"opentos simulate --scenario {name} --seed {seed} --agvs {agvs} --crane-plan {plan}"
        )
        started = time.perf_counter()
        result = simulate(
            make_scenario(name, seed),
            SimulationSettings(
                policy="fcfs",
                agvs=agvs,
                seed=seed,
                crane_plan="sweep" if plan == "sweep" else "qcsp",
            ),
        )
        wall = time.perf_counter() - started
        k = result.kpis
        status = "finished" if result.finished else f"NOT finished ({k['unfinished_moves']} left)"
        yield (
            command,
            f"{status}: {k['moves']} moves, {k['moves_per_qc_hour']} moves per QC-hour, "
            f"{k['duration_h']} h simulated, {wall:.0f} s wall",
            "finished",
        )


def run(quick: bool = False, out: Path = Path("bench-out")) -> list[tuple[str, str, str]]:
    """Run the twin benchmarks; rows of (figure, value, target)."""
    rows: list[tuple[str, str, str]] = day_speed()
    rows += finish_matrix(quick)
    scenario = zim_chicago()
    fleets = (10, 20, 38) if quick else (10, 14, 18, 22, 26, 30, 34, 38)
    rates: dict[str, list[float]] = {p: [] for p in POLICIES}
    for policy in POLICIES:
        for agvs in fleets:
            started = time.perf_counter()
            result = simulate(scenario, SimulationSettings(policy=policy, agvs=agvs, seed=2017))
            wall = time.perf_counter() - started
            k = result.kpis
            rate = float(str(k["moves_per_qc_hour"]))
            rates[policy].append(rate)
            if agvs == 38:
                rows.append(
                    (
                        f"zim-chicago, {policy}, 38 AGVs: moves per QC-hour "
                        f"(crane bound {k['crane_bound_moves_per_qc_hour']})",
                        f"{rate:.1f} ({float(str(k['ratio_to_crane_bound'])):.1%} of the bound)",
                        ">= 95 % of the crane bound",
                    )
                )
                rows.append(
                    (
                        f"twin speed, zim-chicago {policy} ({k['duration_h']} h simulated)",
                        f"{result.simpy_events / wall:,.0f} events/s, {wall:.1f} s wall",
                        "",
                    )
                )
                if policy == "fcfs":
                    rows.append(
                        (
                            "plainest policy (fcfs, 38 AGVs) vs the everyday average",
                            f"{rate:.1f} vs {EVERYDAY_AVERAGE} moves per QC-hour "
                            f"({rate / EVERYDAY_AVERAGE:.0%})",
                            "near 36",
                        )
                    )
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for policy in POLICIES:
        ax.plot(fleets, rates[policy], marker="o", label=policy)
    ax.axhline(EVERYDAY_AVERAGE, color="grey", linestyle="--", label="Qianwan everyday average")
    ax.set_xlabel("AGVs")
    ax.set_ylabel("moves per QC-hour")
    ax.set_title("zim-chicago: productivity against fleet size")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    plot = out / "zim_chicago_agvs.png"
    fig.savefig(plot, dpi=110)
    plt.close(fig)
    rows.append(("plot of moves per QC-hour against AGVs", str(plot), ""))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The twin's finish matrix.")
    parser.add_argument("--quick", action="store_true", help="a few runs of each scenario")
    parser.add_argument("scenarios", nargs="*", help="only these scenarios")
    args = parser.parse_args()
    for row in finish_matrix(args.quick, args.scenarios):
        print(" | ".join(row), flush=True)
