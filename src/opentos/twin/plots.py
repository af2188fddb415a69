"""PNG plots of a twin run: QC productivity over time, AGV states, a Gantt of QC jobs."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Protocol

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from opentos.twin.kpi import JsonDict
from opentos.twin.machines import Log


class RunResult(Protocol):
    """What the plots read of a twin run (a twin study's result has it)."""

    @property
    def scenario(self) -> str: ...
    @property
    def log(self) -> Log: ...
    @property
    def kpis(self) -> JsonDict: ...
    @property
    def end_s(self) -> float: ...
    @property
    def cranes(self) -> tuple[str, ...]: ...
    @property
    def agvs(self) -> tuple[str, ...]: ...


_AGV_STATES = ("loaded", "empty", "waiting", "charging")
_COLOURS = {
    "loaded": "#1f77b4",
    "empty": "#aec7e8",
    "waiting": "#ff7f0e",
    "charging": "#2ca02c",
    "idle": "#d9d9d9",
    "work": "#1f77b4",
    "gantry": "#9467bd",
    "wait_agv": "#ff7f0e",
    "wait_neighbour": "#d62728",
}


def qc_productivity(result: RunResult, path: Path) -> None:
    """Moves per hour of every quay crane, hour by hour."""
    per_hour: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for crane, at, kind in result.log.qc_moves:
        if kind in ("discharge", "load"):
            per_hour[crane][int(at // 3600)] += 1
    fig, ax = plt.subplots(figsize=(10, 4.5))
    hours = range(int(result.end_s // 3600) + 1)
    for crane in result.cranes:
        ax.plot(
            [h + 0.5 for h in hours],
            [per_hour[crane].get(h, 0) for h in hours],
            marker="o",
            label=crane,
        )
    rate = result.kpis.get("moves_per_qc_hour")
    ax.set_title(f"{result.scenario}: quay crane productivity ({rate} moves per QC-hour overall)")
    ax.set_xlabel("hour of the call")
    ax.set_ylabel("moves in the hour")
    ax.grid(alpha=0.3)
    ax.legend(ncol=4, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def agv_states(result: RunResult, path: Path) -> None:
    """How every AGV spent the run."""
    time: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for agv, state, start, end in result.log.agv_states:
        time[agv][state] += end - start
    agvs = list(result.agvs)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    bottom = [0.0] * len(agvs)
    for state in (*_AGV_STATES, "idle"):
        values = []
        for agv in agvs:
            busy = sum(time[agv].values())
            hours = (result.end_s - busy if state == "idle" else time[agv][state]) / 3600
            values.append(max(hours, 0.0))
        ax.bar(agvs, values, bottom=bottom, label=state, color=_COLOURS[state])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(f"{result.scenario}: AGV time by state ({len(agvs)} AGVs)")
    ax.set_ylabel("hours")
    ax.tick_params(axis="x", rotation=90, labelsize=7)
    ax.legend(ncol=5, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def qc_gantt(result: RunResult, path: Path) -> None:
    """What each quay crane's main trolley did, over time."""
    fig, ax = plt.subplots(figsize=(12, 0.6 * len(result.cranes) + 1.5))
    index = {crane: i for i, crane in enumerate(result.cranes)}
    bars: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for crane, state, start, end in result.log.qc_states:
        if crane in index:
            bars[state].append((start / 3600, (end - start) / 3600, index[crane]))
    for state, items in bars.items():
        for start, width, row in items:
            ax.broken_barh([(start, width)], (row - 0.4, 0.8), color=_COLOURS.get(state, "grey"))
        ax.plot([], [], color=_COLOURS.get(state, "grey"), linewidth=8, label=state)
    ax.set_yticks(list(index.values()), list(index))
    ax.set_xlabel("hours from the start of the call")
    ax.set_title(f"{result.scenario}: quay crane jobs (main trolley)")
    ax.legend(ncol=4, fontsize="small", loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(result: RunResult, out: Path) -> list[Path]:
    """All plots of a run into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "qc_productivity.png", out / "agv_states.png", out / "qc_gantt.png"]
    qc_productivity(result, paths[0])
    agv_states(result, paths[1])
    qc_gantt(result, paths[2])
    return paths
