"""Automatic stowage benchmarks: a 24,000 TEU ULCV and how the time grows with the vessel.

Each problem is generated (``opentos.planning.stowage.generate``: five ports of
discharge, about 20 % of the cells taken at arrival, half of those discharged
here), solved with a 60 s limit and checked by the independent validator; the
figure gives the solve time, the boxes placed and refused, the hard-rule
violations, the overstows against their lower bound and the loaded condition.
The solve runs in this process: its peak memory is reported for the largest one.
"""

from __future__ import annotations

import resource
import time

Row = tuple[str, str, str]

SCALING = ((1_000, 420), (4_500, 1_900), (8_500, 3_600), (14_000, 5_900), (20_000, 8_400))
"""(TEU, load moves): about 0.42 load moves per TEU of capacity, as for the ULCV."""


def _one(teu: int, moves: int, seed: int, target: str) -> Row:
    from opentos.planning.stowage.generate import generate_stowage
    from opentos.planning.stowage.solver import solve_stowage
    from opentos.planning.stowage.validate import validate_stowage

    problem = generate_stowage(teu, moves, ports=5, seed=seed)
    started = time.perf_counter()
    result = solve_stowage(problem, time_limit_s=60.0, seed=seed)
    elapsed = time.perf_counter() - started
    if result.plan is None:
        return (f"stowage {teu:,} TEU, {moves:,} load moves", f"{result.status}: no plan", target)
    report = validate_stowage(problem, result.plan)
    c = report.condition
    measured = (
        f"{elapsed:.1f} s, {result.status}; placed {report.placed:,}, refused "
        f"{report.refused_no_vgm} (no VGM) + {report.refused_no_room} (no room); "
        f"{len(report.violations)} violations; overstows {report.overstows} "
        f"(bound {report.overstow_bound}); hatch-cover restows {report.hatch_cover_restows}; "
        f"moves per section max {report.max_section_moves}, mean "
        f"{report.mean_section_moves:.0f}; GM {c.gm_m:.2f} m, trim {c.trim_m:+.2f} m, "
        f"list {c.list_deg:+.2f}°, ballast {c.ballast_t:,.0f} t"
    )
    return (f"stowage {teu:,} TEU, {moves:,} load moves, seed {seed}", measured, target)


def run(quick: bool = False) -> list[Row]:
    """The ULCV benchmark and the scaling rows; rows of (figure, value, target)."""
    rows = [
        _one(
            24_000,
            10_000,
            seed,
            "<= 60 s, 0 violations, overstows at the bound, all placed",
        )
        for seed in ((0,) if quick else (0, 1, 2))
    ]
    for teu, moves in SCALING[:2] if quick else SCALING:
        rows.append(_one(teu, moves, 0, ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("stowage: peak memory of the benchmark process", f"{peak:.0f} MiB", ""))
    return rows
