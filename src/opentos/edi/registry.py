"""Where the message tables live: one module per message family in :mod:`opentos.edi.messages`.

Each module there defines ``SPECS``, a tuple of :class:`~opentos.edi.structure.MessageSpec`
(one per message version it supports).

A table is chosen by message type, directory and association code. The
directory is the UNH version (0052) and release (0054) written together:
``D95B`` for ``D:95B``, ``1911`` for BAPLIE 1.5's ``1:911``. A table's
association codes are a ``|``-list in which an empty entry means "none" (an
empty 0057, normal in ITG and D.95B files), and ``*`` means "any other code"
(a line's own code): the table read, with a warning, for a code no table of
that type and directory lists.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from opentos.edi.structure import MessageSpec

MODULES = (
    "baplie",
    "movins",
    "vermas",
    "coprar",
    "coarri",
    "codeco",
    "coparn",
    "copino",
    "iftsai",
    "cuscar",
    "cusres",
)
"""Modules of :mod:`opentos.edi.messages`, each holding the tables of one message type."""

ANY_OTHER = "*"
"""An association entry that stands for any code no other table of the directory lists."""


@cache
def all_specs() -> tuple[MessageSpec, ...]:
    """Every table OpenTOS knows, in the order of :data:`MODULES`."""
    specs: list[MessageSpec] = []
    for name in MODULES:
        module = import_module(f"opentos.edi.messages.{name}")
        specs.extend(module.SPECS)
    return tuple(specs)


def associations(spec: MessageSpec) -> tuple[str, ...]:
    """The association codes a table lists (``""`` is none, ``*`` any other)."""
    return tuple(spec.association.split("|"))


def find_spec(type_: str, directory: str, association: str) -> tuple[MessageSpec | None, bool]:
    """The table for a message, and whether the association code matched exactly.

    When the association code is unknown, the table of the same type and
    directory is used (the caller reports it): the one listing ``*`` if there
    is one, else the first. Several codes may share a table (BAPLIE D95B
    ``SMDG20`` and ``SMDG22``); each of them still matches exactly.
    """
    same_dir = [s for s in all_specs() if s.type == type_ and s.version == directory]
    for spec in same_dir:
        if association in associations(spec):
            return spec, True
    for spec in same_dir:
        if ANY_OTHER in associations(spec):
            return spec, False
    if same_dir:
        return same_dir[0], False
    return None, False


def directories_of(type_: str, association: str) -> tuple[str, ...]:
    """The directories whose tables of ``type_`` list ``association`` (to name in a warning)."""
    return tuple(
        s.version
        for s in all_specs()
        if s.type == type_ and association and association in associations(s)
    )


def directory_label(directory: str) -> str:
    """A directory as UNH writes it: ``D:95B`` for ``D95B``, ``1:911`` for ``1911``."""
    return f"{directory[:1]}:{directory[1:]}"


def association_label(code: str) -> str:
    """An association code as the table of versions shows it."""
    if code == ANY_OTHER:
        return "any other (a line's own)"
    return code or "(none)"


def version_rows() -> list[dict[str, str]]:
    """One row per table: message, directory, association codes, guide, what it tolerates.

    Every table is read, and written by its module's ``write_<type>`` in any of
    its codes but ``*`` (a line's own code is written with that table when asked).
    """
    return [
        {
            "message": spec.type,
            "directory": directory_label(spec.version),
            "associations": ", ".join(association_label(c) for c in associations(spec)),
            "guide": spec.guide,
            "tolerates": spec.tolerates,
        }
        for spec in all_specs()
    ]


def version_table_markdown() -> str:
    """:func:`version_rows` as the Markdown table ``docs/edi.md`` holds."""
    lines = [
        "| Message | Directory | Association codes (0057) | Guide followed | Also tolerated |",
        "|---|---|---|---|---|",
    ]
    for row in version_rows():
        lines.append(
            f"| {row['message']} | {row['directory']} | {row['associations']} "
            f"| {row['guide']} | {row['tolerates']} |"
        )
    return "\n".join(lines) + "\n"
