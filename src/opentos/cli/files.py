"""Reading the files a user hands to a command."""

from __future__ import annotations

from pathlib import Path

from opentos.errors import DataImportError


def read_input(path: Path) -> str:
    """The file's text.

    Raises
    ------
    DataImportError
        The file cannot be read as UTF-8 text; the error names it.
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataImportError(str(path), [f"cannot read the file: {exc}"]) from None
