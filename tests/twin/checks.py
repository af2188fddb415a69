"""Independent checks of a twin run, computed from its event log and ledger only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

EPS = 1e-6


def overlaps(intervals: Iterable[tuple[str, float, float]]) -> list[str]:
    """Pairs of (owner, start, end) on one resource that overlap in time (touching is fine)."""
    found = []
    ordered = sorted(intervals, key=lambda i: (i[1], i[2]))
    for (a, s1, e1), (b, s2, e2) in pairwise(ordered):
        if a != b and s2 < e1 - EPS and e2 > s2 + EPS and e1 > s1 + EPS:
            found.append(f"{a} [{s1:.2f}, {e1:.2f}] and {b} [{s2:.2f}, {e2:.2f}]")
    return found


def agv_conflicts(
    nodes: Sequence[tuple[str, str, float, float]],
    edges: Sequence[tuple[str, str, str, float, float]],
) -> list[str]:
    """Times two AGVs were on one node or one segment (either direction) together."""
    by_node: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for agv, node, start, end in nodes:
        by_node[node].append((agv, start, end))
    by_edge: dict[frozenset[str], list[tuple[str, float, float]]] = defaultdict(list)
    for agv, a, b, start, end in edges:
        by_edge[frozenset((a, b))].append((agv, start, end))
    found = [f"node {n}: {o}" for n, items in by_node.items() for o in overlaps(items)]
    found += [f"edge {sorted(e)}: {o}" for e, items in by_edge.items() for o in overlaps(items)]
    return found


def crane_gap_violations(
    positions: Sequence[tuple[float, str, float]], order: Sequence[str], min_gap_m: float
) -> list[str]:
    """Times neighbouring quay cranes came closer than ``min_gap_m`` or crossed.

    Between two logged positions a crane may be anywhere between them, so the
    check uses the whole stretch it could occupy in each time window.
    """
    track: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for t, crane, x in sorted(positions):
        track[crane].append((t, x))
    times = sorted({t for t, _, _ in positions})
    found = []

    def span(crane: str, t0: float, t1: float) -> tuple[float, float]:
        points = track[crane]
        xs = [x for t, x in points if t0 - EPS <= t <= t1 + EPS]
        before = [x for t, x in points if t <= t0 + EPS]
        if before:
            xs.append(before[-1])
        return min(xs), max(xs)

    for t0, t1 in pairwise(times):
        for west, east in pairwise(order):
            if west not in track or east not in track:
                continue
            _, west_hi = span(west, t0, t1)
            east_lo, _ = span(east, t0, t1)
            if east_lo - west_hi < min_gap_m - EPS:
                found.append(
                    f"{west}/{east} {east_lo - west_hi:.1f} m apart in [{t0:.0f}, {t1:.0f}]"
                )
    return found
