"""A picture of a crane plan: crane positions along the ship against time."""

from __future__ import annotations

from pathlib import Path

from opentos.planning.cranes.call import STAGES, CallCranePlan, CallCraneProblem


def plot_crane_plan(problem: CallCraneProblem, plan: CallCranePlan, path: Path) -> None:
    """Crane positions along the ship against time, one colour per crane, tasks as bars.

    A line follows each crane (it leaves a position just in time for its next one);
    a bar marks each run of moves of one section and stage: solid for discharges,
    hatched for loads. The y axis is the quay position, labelled with the bays.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    colours = plt.get_cmap("tab10")
    last_h = max(plan.makespan_s, 1) / 3600 * 1.03
    fig, ax = plt.subplots(figsize=(12, 7))
    for k, seq in enumerate(plan.cranes):
        colour = colours(k % 10)
        here = problem.start_x_m[k]
        xs, ys = [0.0], [here]
        bars: list[tuple[float, float, float, int]] = []  # start, end, position, stage
        for m in seq.moves:
            x = problem.bay_x_m[m.slot.bay]
            leave = m.start_s - problem.travel_s(here, x)
            xs += [leave / 3600, m.start_s / 3600]
            ys += [here, x]
            stage = STAGES.index(_stage(m.kind, m.slot.on_deck))
            if bars and bars[-1][2] == x and bars[-1][3] == stage and bars[-1][1] == m.start_s:
                bars[-1] = (bars[-1][0], m.end_s, x, stage)
            else:
                bars.append((m.start_s, m.end_s, x, stage))
            here = x
        xs.append(last_h)
        ys.append(here)
        ax.plot(xs, ys, color=colour, linewidth=1.2, label=f"{seq.crane} ({len(seq.moves)} moves)")
        for start, end, x, stage in bars:
            ax.add_patch(
                Rectangle(
                    (start / 3600, x - 3.0),
                    (end - start) / 3600,
                    6.0,
                    facecolor=colour,
                    edgecolor="black",
                    linewidth=0.3,
                    alpha=0.85 if stage in (0, 1) else 0.45,
                    hatch=None if stage in (0, 1) else "//",
                )
            )
    labels: dict[float, list[int]] = {}
    for bay, x in problem.bay_x_m.items():
        labels.setdefault(round(x, 3), []).append(bay)
    ticks = sorted(labels)
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{x:.0f} m  bay {_section_name(labels[x])}" for x in ticks], fontsize=6)
    ax.set_xlim(0, last_h)
    low = min([*ticks, *problem.start_x_m]) - 15
    high = max([*ticks, *problem.start_x_m]) + 15
    ax.set_ylim(low, high)
    ax.set_xlabel("time (hours)")
    ax.set_ylabel("quay position (the ship's bays)")
    ax.set_title(
        f"Crane split and sequences: {len(problem.moves)} moves, {len(problem.cranes)} QCs, "
        f"makespan {plan.makespan_s / 3600:.2f} h"
    )
    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Patch(facecolor="grey", alpha=0.85, label="discharge (deck, then hold)"),
        Patch(facecolor="grey", alpha=0.45, hatch="//", label="load (hold, then deck)"),
    ]
    ax.legend(
        handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _stage(kind: str, on_deck: bool) -> str:
    if kind == "discharge":
        return "deck discharge" if on_deck else "hold discharge"
    return "deck load" if on_deck else "hold load"


def _section_name(bays: list[int]) -> str:
    """A section by its 40' bay, or its lone 20' bay."""
    even = [b for b in bays if b % 2 == 0]
    return f"{(even or sorted(bays))[0]:02d}"
