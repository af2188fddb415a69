"""Earliest start times under difference constraints (longest paths, Bellman-Ford)."""

from __future__ import annotations

from collections.abc import Sequence


def earliest_starts(
    lower: Sequence[int], edges: Sequence[tuple[int, int, int]]
) -> list[int] | None:
    """Smallest start times with ``start[b] >= start[a] + c`` for every ``(a, b, c)``.

    ``lower`` gives each node's own earliest start. Returns ``None`` if the
    constraints have a positive cycle (no schedule exists).
    """
    start = list(lower)
    for _ in range(len(lower) + 1):
        changed = False
        for a, b, c in edges:
            if start[a] + c > start[b]:
                start[b] = start[a] + c
                changed = True
        if not changed:
            return start
    return None
