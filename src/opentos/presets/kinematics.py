"""Equipment kinematics presets: ``kinematics-<name>.toml`` read into a :class:`Kinematics`.

A terminal's layout preset (``<name>.toml``, see :mod:`opentos.presets`) says
what equipment it has; its kinematics preset says how fast that equipment
moves. The file's tables mirror :meth:`Kinematics.to_dict`
(:mod:`opentos.model.equipment` documents the fields and the modelling
simplifications), and its ``[sources.*]`` tables give the source of every
value, so the sources travel with the data::

    name = "qianwan-1"
    [quay_crane]                  # times, geometry, hoist_trolley_overlap ...
    [quay_crane.main_trolley]     # max_speed_m_s, accel_m_s2, decel_m_s2
    [sources.quay_crane.main_trolley]
    max_speed_m_s = "ref (generic): STS trolley speed ..."

A malformed file raises :class:`ConfigError` naming the file and the key path
(``kinematics-qianwan-1.toml: quay_crane.main_trolley: motion profile:
accel_m_s2 must be a positive number, got 0``); unknown keys are errors.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from importlib import resources

from opentos.errors import ConfigError, InvalidValue, NotFound
from opentos.model.equipment import Kinematics

__all__ = [
    "kinematics_names",
    "load_kinematics",
    "load_kinematics_file",
    "parse_kinematics",
]

_PACKAGE = "opentos.presets"
_PREFIX = "kinematics-"
_SUFFIX = ".toml"


def kinematics_names() -> list[str]:
    """Names of the kinematics presets shipped with OpenTOS, sorted (``"qianwan-1"`` ...)."""
    return sorted(
        entry.name.removeprefix(_PREFIX).removesuffix(_SUFFIX)
        for entry in resources.files(_PACKAGE).iterdir()
        if entry.name.startswith(_PREFIX) and entry.name.endswith(_SUFFIX) and entry.is_file()
    )


@lru_cache(maxsize=16)
def load_kinematics(name: str = "qianwan-1") -> Kinematics:
    """Read the kinematics preset ``name`` shipped with OpenTOS.

    Parameters
    ----------
    name
        A name from :func:`kinematics_names`; the file is ``kinematics-<name>.toml``.

    Raises
    ------
    NotFound
        No kinematics preset has that name; the message lists the valid names.
    ConfigError
        The preset file is malformed.
    """
    names = kinematics_names()
    if name not in names:
        raise NotFound(f"no kinematics preset {name!r}; kinematics presets: {', '.join(names)}")
    file_name = f"{_PREFIX}{name}{_SUFFIX}"
    text = resources.files(_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
    return parse_kinematics(text, file_name)


def load_kinematics_file(path: str | os.PathLike[str]) -> Kinematics:
    """Read a user's kinematics file written in the preset schema.

    Raises
    ------
    ConfigError
        The file cannot be read or is malformed; the message names the file and the key.
    """
    from opentos.presets import read_user_file

    return parse_kinematics(*read_user_file(path))


def parse_kinematics(text: str, source: str = "<string>") -> Kinematics:
    """Read kinematics from TOML text in the preset schema.

    Parameters
    ----------
    text
        The TOML document.
    source
        Where the text came from, for messages (a file name).

    Raises
    ------
    ConfigError
        The text is not TOML, or a key is missing, unknown or malformed, or a value
        is out of range; the message names ``source`` and the key path.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Kinematics.from_dict(data, where=source)
    except InvalidValue as exc:
        raise ConfigError(str(exc)) from None
