"""Published benchmark instances solved by OpenTOS's planners (``opentos bench``)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from opentos.errors import NotFound
from opentos.planning.result import Result

FORMATS = (
    (
        "dbap",
        "opentos.planning.berth.dbap",
        "Berth allocation, Lalla-Ruiz et al. (2012) format: minimise total time in port.",
    ),
    (
        "qcsp",
        "opentos.planning.cranes.qcsp",
        "Quay crane scheduling, Kim & Park (2004) / Meisel & Bierwirth (2011): minimise makespan.",
    ),
    (
        "brp",
        "opentos.planning.yard.brp",
        "Block relocation (restricted), Caserta et al. (2011) format: minimise relocations.",
    ),
    (
        "mpsp",
        "opentos.planning.stowage.mpsp",
        "Multi-port stowage, Avriel et al. / Parreño-Torres et al. (2019): minimise shifts.",
    ),
)
"""(format, module, help): each module has ``parse_<format>``, ``solve_<format>`` and
``to_json``; it is imported only when its format is solved (the solvers load OR-Tools)."""


def solve_benchmark(
    name: str, text: str, source: str, *, time_limit_s: float, seed: int
) -> tuple[Result[object], Mapping[str, object] | None]:
    """Parse ``text`` (from ``source``) in format ``name`` and solve it; the planner's
    result and the solution as JSON (None when there is none).

    Raises
    ------
    NotFound
        No format ``name``.
    DataImportError
        The instance is malformed; the error names ``source``.
    """
    modules = {fmt: module for fmt, module, _ in FORMATS}
    if name not in modules:
        raise NotFound(f"no benchmark format {name!r}; formats: {', '.join(modules)}")
    solver = importlib.import_module(modules[name])
    instance = getattr(solver, f"parse_{name}")(text, source)
    result: Result[object] = getattr(solver, f"solve_{name}")(
        instance, time_limit_s=time_limit_s, seed=seed
    )
    solution = None if result.plan is None else solver.to_json(result.plan)
    return result, solution
