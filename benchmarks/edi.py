"""EDI benchmarks: a 20,000-slot BAPLIE read, mapped and written.

The plan is generated (``generate_onboard_plan``: 20' and 40' boxes, reefers,
dangerous goods, out-of-gauge cargo, six ports) and written once per version.
Reading (tokenising, the group tree, mapping to an on-board plan) runs in a
fresh process, so its peak memory is the whole cost of a reading; writing is
timed here. Each figure is the best of three runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

Row = tuple[str, str, str]

SLOTS = 20_000

_READER = """
import json, resource, sys, time
from pathlib import Path
from opentos.edi.api import read_document
data = Path(sys.argv[1]).read_bytes()
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    document = read_document(data)
    best = min(best, time.perf_counter() - started)
plan = document.messages[0].content
print(json.dumps({
    "seconds": best,
    "slots": len(plan.stowage),
    "problems": len(document.problems),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _read_in_child(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _READER, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def run(quick: bool = False) -> list[Row]:
    """Write and read a BAPLIE of 20,000 slots in each version; rows of (figure, value, target)."""
    from opentos.edi.messages.baplie import VERSIONS, baplie_interchange, generate_onboard_plan

    slots = 2_000 if quick else SLOTS
    plan = generate_onboard_plan(slots, seed=1)
    rows: list[Row] = []
    prepared = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        for version in VERSIONS:
            best = float("inf")
            text = ""
            for _ in range(3):
                started = time.perf_counter()
                text = baplie_interchange(
                    plan, sender="OPENTOS", recipient="LINE", reference="1",
                    prepared=prepared, version=version,
                )  # fmt: skip
                best = min(best, time.perf_counter() - started)
            path = Path(folder) / f"baplie-{version}.edi"
            path.write_text(text, encoding="ascii")
            size_mb = len(text) / 1e6
            rows.append(
                (
                    f"BAPLIE {version}, {slots:,} slots: write",
                    f"{best:.2f} s ({size_mb:.1f} MB, {text.count(chr(39)):,} segments)",
                    "<= 2 s",
                )
            )
            read = _read_in_child(path)
            rows.append(
                (
                    f"BAPLIE {version}, {slots:,} slots: parse and map",
                    f"{read['seconds']:.2f} s, peak {read['peak_mb']:.0f} MB "
                    f"({int(read['slots']):,} slots, {int(read['problems'])} problems)",
                    "<= 2 s, <= 500 MB",
                )
            )
    return rows
