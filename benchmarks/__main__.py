"""``python -m benchmarks [--quick]``: run every benchmark and print its figures."""

from __future__ import annotations

import argparse
import platform
import time

from rich.console import Console
from rich.table import Table

from benchmarks import edi, ledger, planning, rail, serve, stowage, twin


def main() -> None:
    """Run the benchmarks and print one table of figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    console = Console()
    started = time.perf_counter()
    table = Table("figure", "measured", "target", title="OpenTOS benchmarks")
    for suite in (ledger, edi, planning, rail, stowage, twin, serve):
        for row in suite.run(quick=args.quick):
            table.add_row(*row)
            console.print(" | ".join(row))
    console.print(table)
    console.print(
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.machine()}, {time.perf_counter() - started:.0f} s in all"
    )


main()
