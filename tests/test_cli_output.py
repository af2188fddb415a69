"""Output paths are checked before a command works: a bad ``--out`` fails at once, clearly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opentos.cli.files import output_file, output_folder
from opentos.errors import ConfigError

OPENTOS = [sys.executable, "-m", "opentos"]

FOLDER_COMMANDS = {
    "simulate": ["simulate", "--scenario", "zim-chicago"],
    "plan berth": ["plan", "berth", "--example", "3"],
    "plan cranes": ["plan", "cranes", "--scenario", "zim-chicago"],
    "plan stow": ["plan", "stow", "--example", "10000"],
    "demo": ["demo"],
}


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    url = f"sqlite:///{tmp_path / 't.db'}"
    return subprocess.run(
        [*OPENTOS, "-d", url, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def _refused_quickly(result: subprocess.CompletedProcess[str], started: float, text: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert text in result.stderr, result.stderr
    assert result.stdout == ""
    assert time.perf_counter() - started < 30  # refused before the work, not after it


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_an_existing_file_as_out_folder_is_refused_before_work(
    tmp_path: Path, command: str
) -> None:
    """A file where a folder is expected: a clear error naming it, exit 1, nothing done."""
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    started = time.perf_counter()
    result = _run(tmp_path, *FOLDER_COMMANDS[command], "--out", str(afile))
    _refused_quickly(result, started, f"error: --out {afile}: is a file, not a folder")
    assert afile.read_text() == "keep me\n"
    assert not (tmp_path / "t.db").exists()  # demo did not start building the terminal


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_a_folder_that_cannot_be_created_is_refused_before_work(
    tmp_path: Path, command: str
) -> None:
    """``--out /proc/nope`` (and a folder under a file) fail at once, naming the path."""
    started = time.perf_counter()
    result = _run(tmp_path, *FOLDER_COMMANDS[command], "--out", "/proc/nope")
    _refused_quickly(result, started, "error: --out /proc/nope: cannot create the folder")
    (tmp_path / "afile").write_text("")
    under = tmp_path / "afile" / "sub"
    result = _run(tmp_path, *FOLDER_COMMANDS[command], "--out", str(under))
    _refused_quickly(
        result, started, f"error: --out {under}: cannot create the folder: a part of the path"
    )


def test_edi_export_out_must_be_a_writable_file(tmp_path: Path) -> None:
    """``edi export --out``: a folder, or a file in a missing folder, is refused at once."""
    assert _run(tmp_path, "init", "--preset", "tiny").returncode == 0
    started = time.perf_counter()
    folder = _run(tmp_path, "edi", "export", "codeco", "--out", str(tmp_path))
    _refused_quickly(folder, started, f"error: --out {tmp_path}: is a folder, not a file")
    missing = tmp_path / "none" / "x.edi"
    result = _run(tmp_path, "edi", "export", "codeco", "--out", str(missing))
    _refused_quickly(result, started, f"the folder {missing.parent} does not exist")


def test_output_folder_creates_and_probes(tmp_path: Path) -> None:
    """The shared checker creates a missing folder and leaves nothing else in it."""
    made = output_folder(tmp_path / "a" / "b")
    assert made.is_dir()
    assert list(made.iterdir()) == []
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        output_folder(Path(__file__))


def test_output_file_keeps_an_existing_file(tmp_path: Path) -> None:
    """Checking an existing output file leaves its content as it was."""
    target = tmp_path / "out.edi"
    target.write_text("UNA:+.? '")
    assert output_file(target) == target
    assert target.read_text() == "UNA:+.? '"
    output_file(tmp_path / "new.edi")
    assert not (tmp_path / "new.edi").exists()
    with pytest.raises(ConfigError, match="is a folder, not a file"):
        output_file(tmp_path, "--json")


def test_a_folder_that_takes_no_files_is_refused(tmp_path: Path) -> None:
    """A folder nobody may write into is refused, naming the reason.

    ``/sys`` takes no new files even for root (a chmod would not stop root).
    """
    with pytest.raises(ConfigError, match="--out /sys: cannot write into the folder"):
        output_folder(Path("/sys"))
