"""Helpers the EDI test modules share: goldens with one change, problem places, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
"""The golden interchanges (see its README)."""


def golden_text(name: str) -> str:
    """A golden interchange of ``tests/edi/data``."""
    return (DATA / name).read_text()


def edited(name: str, old: str, new: str) -> str:
    """The golden ``name`` with the first ``old`` replaced by ``new`` (which must be there)."""
    text = golden_text(name)
    assert old in text, f"{old!r} is not in {name}"
    return text.replace(old, new, 1)


def where(problem: object) -> tuple[object, ...]:
    """Where a problem was: segment number, tag, element and value."""
    return tuple(getattr(problem, k) for k in ("segment", "tag", "element", "value"))


def run_edi(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command ``opentos [-d URL] edi ARGS`` in a subprocess."""
    database = ["-d", url] if url else []
    return subprocess.run(
        [sys.executable, "-m", "opentos", *database, "edi", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
