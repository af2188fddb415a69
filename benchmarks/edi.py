"""EDI benchmarks: a 20,000-slot BAPLIE read, mapped and written; 50 MB of garbage rejected.

The plan is generated (``generate_onboard_plan``: 20' and 40' boxes, reefers,
dangerous goods, out-of-gauge cargo, six ports) and written once per version.
Reading (tokenising, the group tree, mapping to an on-board plan) runs in a
fresh process, so its peak memory is the whole cost of a reading; writing is
timed here. Each figure is the best of three runs.

The garbage files (:func:`garbage`) are each about 50 MB: two million ``DTM``
segments out of place or past their maximum, random bytes, one segment with no
terminator, a run of released terminators, a bay plan's slots repeated, empty
messages. Each is checked the way a user would, ``opentos edi validate FILE``
in a fresh process, timed from start to exit with the process's peak memory.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Row = tuple[str, str, str]

SLOTS = 20_000
GARBAGE_BYTES = 50_000_000
GOLDEN = Path(__file__).parent.parent / "tests" / "edi" / "data" / "baplie-2.2.edi"

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
    "unlisted": document.interchange.problems.unlisted_warnings,
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
        rows.append(_legacy_codes(Path(folder), slots))
    return rows + run_garbage(quick)


LEGACY = {
    "22G1": "2210", "42G1": "4310", "45G1": "4510", "22R1": "2232", "45R1": "4532",
    "22P1": "2260", "42P1": "4360", "22T6": "2270", "42U1": "4351",
}  # fmt: skip
"""Today's codes and the 1984 codes a stowage tool still writes for them."""


def _legacy_codes(folder: Path, slots: int) -> Row:
    """The 2.1.1 plan with its boxes' size-types in 1984 codes: a warning per box."""
    text = (folder / "baplie-2.1.1.edi").read_text(encoding="ascii")
    text = re.sub(r"(EQD\+CN\+[^+']*\+)([^+':]*)", lambda m: m[1] + LEGACY.get(m[2], m[2]), text)
    path = folder / "baplie-2.1.1-legacy.edi"
    path.write_text(text, encoding="ascii")
    read = _read_in_child(path)
    return (
        f"BAPLIE 2.1.1, {slots:,} slots, 1984 size-types: parse and map",
        f"{read['seconds']:.2f} s, peak {read['peak_mb']:.0f} MB "
        f"({int(read['slots']):,} slots, {int(read['problems'])} problems listed, "
        f"{int(read['unlisted'])} more counted)",
        "<= 2 s, <= 500 MB",
    )


def _repeated(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def garbage(size: int = GARBAGE_BYTES) -> dict[str, Callable[[], bytes]]:
    """Makers of the garbage files, about ``size`` bytes each, by what they hold."""
    golden = GOLDEN.read_text(encoding="ascii")
    after_dtm = golden.index("DTM+137")
    after_dtm = golden.index("\n", after_dtm) + 1
    before_unt = golden.index("UNT+")
    first_slot = golden.index("LOC+147")
    dtm = "DTM+137:2603020800:201'\n"
    unb = "UNA:+.? 'UNB+UNOA:2+LINE+OPENTOS+260101:0000+G1'"

    def around(at: int, unit: str) -> bytes:
        return (golden[:at] + _repeated(unit, size) + golden[at:]).encode()

    def out_of_place() -> bytes:
        return around(before_unt, dtm)

    def past_maximum() -> bytes:
        return around(after_dtm, dtm)

    def random_bytes() -> bytes:
        return random.Random(1).randbytes(size)

    def no_terminator() -> bytes:
        return (unb + "FTX+AAA+++" + "A" * size).encode()

    def released_terminators() -> bytes:
        return (unb + "FTX+AAA+++" + "?'" * (size // 2)).encode()

    def slots_repeated() -> bytes:
        return around(before_unt, golden[first_slot:before_unt])

    def empty_messages() -> bytes:
        return (unb + _repeated("UNH+1+BAPLIE:D:95B:UN:SMDG22'UNT+2+1'", size)).encode()

    return {
        "DTM out of place, repeated": out_of_place,
        "DTM past its maximum, repeated": past_maximum,
        "random bytes": random_bytes,
        "one segment, no terminator": no_terminator,
        "released terminators only": released_terminators,
        "a bay plan's slots, repeated": slots_repeated,
        "empty messages": empty_messages,
    }


def _command() -> list[str]:
    script = Path(sys.executable).parent / "opentos"
    found = str(script) if script.exists() else shutil.which("opentos")
    return [found] if found else [sys.executable, "-m", "opentos"]


def _validate(path: Path) -> tuple[float, float, int, str]:
    """``opentos edi validate PATH`` in a fresh process: seconds, peak MB, exit code, last line."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*_command(), "edi", "validate", str(path)], stdout=sink, stderr=err
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        said = " ".join(err.read().decode("utf-8", "replace").split())
    return seconds, usage.ru_maxrss / 1024, child.returncode, said


def run_garbage(quick: bool = False) -> list[Row]:
    """Each garbage file rejected by ``opentos edi validate``; rows of (figure, value, target)."""
    size = GARBAGE_BYTES // 10 if quick else GARBAGE_BYTES
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make in garbage(size).items():
            path = Path(folder) / "garbage.edi"
            data = make()
            path.write_bytes(data)
            megabytes = len(data) / 1e6
            del data
            seconds, peak_mb, code, said = _validate(path)
            if "reading stopped" in said:
                stopped = "stopped at the limit"
            elif "no message" in said:
                stopped = "no message found"
            else:
                stopped = said[:60]
            rows.append(
                (
                    f"edi validate, {megabytes:.0f} MB of garbage: {name}",
                    f"{seconds:.1f} s, peak {peak_mb:.0f} MB (exit {code}, {stopped})",
                    "<= 10 s, <= 500 MB, exit 1",
                )
            )
            path.unlink()
    return rows


def main() -> None:
    """``python -m benchmarks.edi [--quick] [--garbage] [--write DIR]``: this suite alone."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--garbage", action="store_true", help="only the garbage files")
    parser.add_argument(
        "--write", type=Path, help="write the garbage files to this folder and stop"
    )
    args = parser.parse_args()
    if args.write is not None:
        args.write.mkdir(parents=True, exist_ok=True)
        size = GARBAGE_BYTES // 10 if args.quick else GARBAGE_BYTES
        for number, (name, make) in enumerate(garbage(size).items(), start=1):
            path = args.write / f"garbage-{number}.edi"
            path.write_bytes(make())
            print(f"{path}: {name}")
        return
    rows = run_garbage(args.quick) if args.garbage else run(args.quick)
    for row in rows:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
