"""User data is shown literally by the real `opentos` command: never rich markup, never ANSI.

Every command path that echoes what a user gave -- arguments, options, file
names and the content of files -- is fed ``[/]`` (which crashes rich markup),
``[bold]`` (which markup would swallow) and an ANSI escape (which would reach
the terminal); each must give a clear error or output with the literal text.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OPENTOS = [sys.executable, "-m", "opentos"]
EDI_DATA = Path(__file__).parent / "edi" / "data"
ESC = "\x1b[31m"
SHOWN_ESC = "\\x1b[31m"  # how the command shows it: escaped, four visible characters
HEADER = "number,iso_type,operator,full_empty,place"


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``opentos -d URL ARGS``, asserting it did not crash and wrote no raw escape."""
    result = subprocess.run(
        [*OPENTOS, "-d", url, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert "MarkupError" not in stream
        assert "\x1b" not in stream
    return result


def refused(result: subprocess.CompletedProcess[str], *shown: str) -> None:
    """A clear one-line ``error:`` exit 1 showing each of ``shown`` literally."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    for text in shown:
        assert text in result.stderr, result.stderr


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny terminal, shared by the tests of this module (none of them changes it)."""
    path = tmp_path_factory.mktemp("db") / "t.db"
    database = f"sqlite:///{path}"
    assert run(database, "init", "--preset", "tiny").returncode == 0
    return database


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["inventory", "[/]"], "container number '[/]'"),
        (["inventory", "[bold]MSCU1234566"], "container number '[bold]MSCU1234566'"),
        (["inventory", ESC], f"container number '{SHOWN_ESC}'"),
        (["inventory", "--block", "[/]"], "no block '[/]'"),
        (["inventory", "--block", f"[bold]{ESC}"], f"no block '[bold]{SHOWN_ESC}'"),
        (["inventory", "--visit", "[bold]V1[/]"], "no visit '[bold]V1[/]'"),
        (["ledger", "events", "--container", "[/]"], "container number '[/]'"),
        (["init", "--preset", "[/]"], "no preset '[/]'"),
        (["edi", "export", "coarri", "--visit", "[/]"], "no visit '[/]'"),
        (["edi", "export", "baplie", "--visit", ESC], f"no visit '{SHOWN_ESC}'"),
        (["simulate", "--scenario", "[/]"], "no scenario '[/]'"),
        (["simulate", "--scenario", "small-call", "--policy", "[bold]"], "'[bold]'"),
        (["simulate", "--preset", ESC], f"no preset '{SHOWN_ESC}'"),
        (["plan", "cranes", "--scenario", "small-call", "--call", "[/]"], "no call '[/]'"),
    ],
)
def test_arguments_and_options_are_shown_literally(url: str, args: list[str], shown: str) -> None:
    """Container numbers, blocks, visits, presets, scenarios and policies echo as typed."""
    refused(run(url, *args), shown)


@pytest.mark.parametrize(
    "command",
    [
        ["import", "inventory"],
        ["edi", "parse"],
        ["edi", "validate"],
        ["edi", "import"],
        ["plan", "berth"],
        ["plan", "cranes"],
        ["plan", "stow"],
        ["bench", "dbap"],
        ["bench", "mpsp"],
    ],
)
def test_file_names_are_shown_literally(url: str, tmp_path: Path, command: list[str]) -> None:
    """A missing file whose name holds markup and an escape is named as it is."""
    missing = tmp_path / f"[bold]{ESC}[" / "].txt"  # the path holds "[bold]\x1b[31m[/].txt"
    shown = str(missing).replace(ESC, SHOWN_ESC)
    refused(run(url, *command, str(missing)), shown, "cannot read the file: No such file")


def test_stocktake_cells_are_shown_literally(url: str, tmp_path: Path) -> None:
    """Stock-take cells with markup and escapes are quoted as they are in the file."""
    folder = tmp_path / "[bold]x["
    folder.mkdir()
    take = folder / "]take.csv"  # the path holds "[bold]x[/]take.csv"
    take.write_text(
        "\n".join(
            [
                HEADER,
                "[/],22G1,MSC,F,yard:A01.001.01.1",
                f"MSCU1234566,[bold],MSC,{ESC},yard:A01.003.01.1",
                "MSCU1234566,22G1,[/],F,equipment:[bold]",
            ]
        )
        + "\n"
    )
    result = run(url, "import", "inventory", str(take))
    refused(
        result,
        f"error: {take}: ",
        "line 2, column number: container number '[/]'",
        "line 3, column iso_type: size-type code '[BOLD]' must be 4 characters, got 6 "
        "(given as '[bold]')",
        f"line 3, column full_empty: '{SHOWN_ESC}' is not one of F (full), E (empty)",
        "line 4, column operator: '[/]' must be 1-4 letters or digits",
        "line 4, column place: equipment id '[bold]'",
    )


def test_a_good_file_with_markup_in_its_name_is_named_literally(url: str, tmp_path: Path) -> None:
    """Success messages show the user's file name as it is, brackets and all."""
    folder = tmp_path / "[bold]x["
    folder.mkdir()
    take = folder / "]good.csv"  # the path holds "[bold]x[/]good.csv"
    take.write_text(f"{HEADER}\nMSCU1234566,22G1,MSC,F,yard:A01.001.01.1\n")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    run(other, "init", "--preset", "tiny")
    result = run(other, "import", "inventory", str(take))
    assert result.returncode == 0, result.stderr
    assert f"Imported 1 containers from {take}" in result.stdout
    table = run(other, "inventory", "--block", "A01")
    assert "MSCU1234566" in table.stdout


@pytest.mark.parametrize("command", ["parse", "validate", "import"])
def test_edi_values_are_shown_literally(url: str, tmp_path: Path, command: str) -> None:
    """``EQD+CN+[/]`` and an escape in an interchange are problems quoting the value as it is."""
    text = (EDI_DATA / "vermas.edi").read_text()
    numbers = ["TRLU1122335", "MSMU3456789"]
    assert all(f"EQD+CN+{n}" in text for n in numbers)
    bad = tmp_path / "[bold]bad.edi"
    bad.write_text(
        text.replace(f"EQD+CN+{numbers[0]}", "EQD+CN+[/]").replace(
            f"EQD+CN+{numbers[1]}", f"EQD+CN+[bold]{ESC}"
        )
    )
    result = run(url, "edi", command, str(bad))
    out = result.stdout + result.stderr
    assert result.returncode == (0 if command == "parse" else 1), out
    assert "container number '[/]'" in out
    assert f"'[bold]{SHOWN_ESC}'" in out
    if command == "parse":
        assert f"{bad}: from " in result.stdout  # the table's title names the file as it is


def test_many_stocktake_problems_are_bounded_with_a_count(url: str, tmp_path: Path) -> None:
    """300 bad rows: the total, the first 50 problems, then '... and 250 more problems'."""
    take = tmp_path / "take.csv"
    rows = [f"MSCU1234566,22G1,MSC,X{i},yard:A01.001.01.1" for i in range(300)]
    take.write_text("\n".join([HEADER, "", *rows]) + "\n")
    result = run(url, "import", "inventory", str(take))
    refused(result, f"error: {take}: 300 problems\n")
    lines = result.stderr.splitlines()
    assert lines[1] == "  line 3, column full_empty: 'X0' is not one of F (full), E (empty)"
    assert lines[50].startswith("  line 52, column full_empty: 'X49'")
    assert lines[51] == "  ... and 250 more problems"
    assert len(lines) == 52


def test_stocktake_messages_through_the_cli(url: str, tmp_path: Path) -> None:
    """Header-only and empty files fail with a message saying so; equipment must exist."""
    header_only = tmp_path / "header.csv"
    header_only.write_text(HEADER + "\n")
    refused(
        run(url, "import", "inventory", str(header_only)),
        "no data rows: the file has only the header (line 1)",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    refused(run(url, "import", "inventory", str(empty)), "the file is empty")
    banana = tmp_path / "banana.csv"
    banana.write_text(f"{HEADER}\n\nMSCU1234566,22G1,MSC,F,equipment:AGV99\n")
    refused(
        run(url, "import", "inventory", str(banana)),
        "line 3, column place: 'equipment:AGV99': AGV99 is no equipment of this terminal",
        "AGVs AGV01, AGV02, AGV03, AGV04",
    )


def test_edi_json_escapes_control_characters(url: str, tmp_path: Path) -> None:
    """``edi parse --json`` keeps ESC and C1 controls of a value as JSON escapes."""
    text = (EDI_DATA / "vermas.edi").read_text()
    bad = tmp_path / "bad.edi"
    bad.write_text(text.replace("EQD+CN+TRLU1122335", f"EQD+CN+{ESC}\x9b2J"))
    result = run(url, "edi", "parse", "--json", str(bad))
    assert result.returncode == 0, result.stderr
    assert "\\u001b[31m\\u009b2J" in result.stdout
    assert "\x9b" not in result.stdout
