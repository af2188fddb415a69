"""``opentos bench``: solve published benchmark instances and print the solution as JSON.

Each subcommand reads one instance file in its published format, solves it
within ``--time-limit`` seconds with ``--seed``, and prints on stdout the
solution itself and its objective, so anyone can check it. Solver status and
runtime go to stderr. An instance with no solution exits with code 2.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from opentos.cli.files import read_input
from opentos.planning.result import Result

bench_app = typer.Typer(
    help="Solve benchmark instances (DBAP, QCSP, BRP, MPSP); print the solution as JSON.",
    no_args_is_help=True,
)

TimeLimit = Annotated[float, typer.Option("--time-limit", help="Seconds for the solver.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the solver's search.")]
File = Annotated[Path, typer.Argument(help="Instance file.")]

Inst = TypeVar("Inst")
S = TypeVar("S")


def _run(
    file: Path,
    parse: Callable[[str, str], Inst],
    solve: Callable[[Inst, float, int], Result[S]],
    to_json: Callable[[S], Mapping[str, object]],
    time_limit: float,
    seed: int,
) -> None:
    text = read_input(file)
    instance = parse(text, str(file))
    result = solve(instance, time_limit, seed)
    print(
        f"status {result.status}, objective {result.objective}, bound {result.bound}, "
        f"{result.runtime_s:.2f} s",
        file=sys.stderr,
    )
    if result.plan is None:
        raise typer.Exit(2)
    print(json.dumps(to_json(result.plan)))


_FORMATS = (
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
"""(command, module, help): each module has ``parse_<command>``, ``solve_<command>`` and
``to_json``; it is imported only when its command runs (the solvers load OR-Tools)."""


def _register(name: str, module: str, help_text: str) -> None:
    def command(file: File, time_limit: TimeLimit = 10.0, seed: Seed = 0) -> None:
        solver = importlib.import_module(module)
        solve = getattr(solver, f"solve_{name}")
        _run(
            file,
            getattr(solver, f"parse_{name}"),
            lambda i, t, s: solve(i, time_limit_s=t, seed=s),
            solver.to_json,
            time_limit,
            seed,
        )

    command.__doc__ = help_text
    bench_app.command(name)(command)


for _name, _module, _help in _FORMATS:
    _register(_name, _module, _help)
