"""``opentos bench``: solve published benchmark instances and print the solution as JSON.

Each subcommand reads one instance file in its published format, solves it
within ``--time-limit`` seconds with ``--seed``, and prints on stdout the
solution itself and its objective, so anyone can check it. Solver status and
runtime go to stderr. An instance with no solution exits with code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from opentos.cli.files import read_input
from opentos.operations.benchmarks import FORMATS

bench_app = typer.Typer(
    help="Solve benchmark instances (DBAP, QCSP, BRP, MPSP); print the solution as JSON.",
    no_args_is_help=True,
)

TimeLimit = Annotated[float, typer.Option("--time-limit", help="Seconds for the solver.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the solver's search.")]
File = Annotated[Path, typer.Argument(help="Instance file.")]


def _register(name: str, help_text: str) -> None:
    def command(file: File, time_limit: TimeLimit = 10.0, seed: Seed = 0) -> None:
        from opentos.operations.benchmarks import solve_benchmark

        text = read_input(file)
        result, solution = solve_benchmark(
            name, text, str(file), time_limit_s=time_limit, seed=seed
        )
        print(
            f"status {result.status}, objective {result.objective}, bound {result.bound}, "
            f"{result.runtime_s:.2f} s",
            file=sys.stderr,
        )
        if solution is None:
            raise typer.Exit(2)
        print(json.dumps(solution))

    command.__doc__ = help_text
    bench_app.command(name)(command)


for _name, _module, _help in FORMATS:
    _register(_name, _help)
