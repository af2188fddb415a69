"""`opentos bench`: the real command on instance files; its JSON checked independently."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

OPENTOS = [sys.executable, "-m", "opentos", "bench"]

DBAP = """2 1
0 1
0
3
2
100
100 100
"""
"""Two vessels, one berth: the first arrives at 0 and needs 3, the second at 1 and needs 2."""

BRP = """3 7
3 3 1 6
2 4 7
2 5 2
"""


def bench(kind: str, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OPENTOS, kind, str(path), "--time-limit", "5", "--seed", "1", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dbap_json_has_a_checkable_objective(tmp_path: Path) -> None:
    """The printed assignments reproduce the printed objective (sum of time in port)."""
    path = tmp_path / "two.txt"
    path.write_text(DBAP)
    done = bench("dbap", path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    arrival, handling = [0, 1], [3, 2]
    starts = {a["vessel"]: a["start"] for a in out["assignments"]}
    assert sorted(starts) == [0, 1]
    assert out["objective"] == sum(starts[v] + handling[v] - arrival[v] for v in starts)
    # First come first served is optimal here: 3 + (5 - 1) = 7; the other order gives 8.
    assert out["objective"] == 7


def test_brp_moves_replay_to_the_printed_count(tmp_path: Path) -> None:
    """Replaying the printed moves retrieves 1..N in order with the printed relocations."""
    path = tmp_path / "bay.txt"
    path.write_text(BRP)
    done = bench("brp", path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    stacks = [[3, 1, 6], [4, 7], [5, 2]]
    taken, relocations = [], 0
    for move in out["moves"]:
        box = stacks[move["from"]].pop()
        if move["type"] == "retrieve":
            taken.append(box)
        else:
            stacks[move["to"]].append(box)
            relocations += 1
    assert taken == list(range(1, 8))
    assert relocations == out["relocations"] == 4


def test_malformed_instance_names_the_place(tmp_path: Path) -> None:
    """A broken file is one clear error naming where it broke, exit code 1."""
    path = tmp_path / "bad.txt"
    path.write_text("2 1\n0 x\n")
    done = bench("dbap", path)
    assert done.returncode == 1
    assert "value" in done.stderr
    assert "'x'" in done.stderr
    assert "Traceback" not in done.stderr


def test_plan_berth_round_trips_and_draws(tmp_path: Path) -> None:
    """`opentos plan berth` plans an example, writes JSON and a PNG, and re-plans its own
    problem file to the same objective; a bad file is one error naming the key."""
    cmd = [sys.executable, "-m", "opentos", "plan", "berth"]
    first = subprocess.run(
        [*cmd, "--example", "4", "--seed", "2", "--out", str(tmp_path / "a")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    plan = json.loads(first.stdout)
    document = json.loads((tmp_path / "a" / "berth_plan.json").read_text())
    assert (tmp_path / "a" / "berth_plan.png").read_bytes().startswith(b"\x89PNG")
    assert {p["vessel"] for p in plan["placements"]} == {
        v["id"] for v in document["problem"]["vessels"]
    }
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(document["problem"]))
    again = subprocess.run(
        [*cmd, str(problem), "--seed", "2", "--out", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["objective_s"] == plan["objective_s"]
    del document["problem"]["vessels"][0]["moves"]
    problem.write_text(json.dumps(document["problem"]))
    bad = subprocess.run(
        [*cmd, str(problem)], capture_output=True, text=True, timeout=120, check=False
    )
    assert bad.returncode == 1
    assert "moves" in bad.stderr


GENERATED = {
    "dbap": ("opentos.planning.berth.dbap", (6, 2), "objective"),
    "qcsp": ("opentos.planning.cranes.qcsp", (6, 6, 2), "makespan"),
    "brp": ("opentos.planning.yard.brp", (3, 3), "relocations"),
    "mpsp": ("opentos.planning.stowage.mpsp", (4, 3, 3), "shifts"),
}


@pytest.mark.parametrize("kind", sorted(GENERATED))
def test_every_format_solves_a_generated_instance(kind: str, tmp_path: Path) -> None:
    """Each format's command solves a generated instance and prints its objective key."""
    module_name, size, key = GENERATED[kind]
    module = importlib.import_module(module_name)
    instance = getattr(module, f"generate_{kind}")(*size, seed=3)
    path = tmp_path / f"{kind}.txt"
    path.write_text(getattr(module, f"format_{kind}")(instance))
    done = bench(kind, path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert isinstance(out[key], int | float)
    assert "status" in done.stderr
