"""The files a user hands to a command, and the places it writes to.

Output paths are checked before a command does any work, so a bad ``--out``
fails at once with a clear error instead of a traceback after a long run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from opentos.errors import ConfigError, DataImportError


def read_input(path: Path) -> str:
    """The file's text.

    Raises
    ------
    DataImportError
        The file cannot be read as UTF-8 text; the error names it.
    """
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataImportError(
            str(path),
            [f"cannot read the file: it is not UTF-8 text (byte {exc.start + 1} is "
             f"{data[exc.start]:#04x})"],
        ) from None  # fmt: skip


def read_bytes(path: Path) -> bytes:
    """The file's bytes (:class:`DataImportError` naming the file and the reason if unreadable)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataImportError(str(path), [f"cannot read the file: {_reason(exc)}"]) from None


def output_folder(path: Path, option: str = "--out") -> Path:
    """Make sure ``path`` is a folder the command can write into, before any work starts.

    The folder (and its parents) is created if missing, and a file is created and
    removed in it to prove it is writable.

    Raises
    ------
    ConfigError
        The path is an existing file, or the folder cannot be created or written;
        the error names the option and the path.
    """
    where = f"{option} {path}"
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{where}: is a file, not a folder; give a folder for the output")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(
            f"{where}: cannot create the folder: a part of the path is a file"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot create the folder: {_reason(exc)}") from None
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(f"{where}: cannot write into the folder: {_reason(exc)}") from None
    return path


def output_file(path: Path, option: str = "--out") -> Path:
    """Make sure the command can write the file ``path``, before any work starts.

    An existing file is only opened for appending (its content is kept until the
    command writes it); the folder it goes in must exist.

    Raises
    ------
    ConfigError
        The path is a folder, its folder does not exist or is not writable; the
        error names the option and the path.
    """
    where = f"{option} {path}"
    if path.is_dir():
        raise ConfigError(f"{where}: is a folder, not a file; give a file name for the output")
    folder = path.parent
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise ConfigError(f"{where}: the folder {folder} {what}")
    try:
        if path.exists():
            with path.open("a", encoding="utf-8"):
                pass
        else:
            with tempfile.TemporaryFile(dir=folder):
                pass
    except OSError as exc:
        raise ConfigError(f"{where}: cannot write the file: {_reason(exc)}") from None
    return path


def _reason(exc: OSError) -> str:
    """The operating system's reason, without Python's ``[Errno N]`` prefix."""
    return exc.strerror or str(exc)
