"""Where the message tables live: one module per message family in :mod:`opentos.edi.messages`.

Each module there defines ``SPECS``, a tuple of :class:`~opentos.edi.structure.MessageSpec`
(one per message version it supports).
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


@cache
def all_specs() -> tuple[MessageSpec, ...]:
    """Every table OpenTOS knows, in the order of :data:`MODULES`."""
    specs: list[MessageSpec] = []
    for name in MODULES:
        module = import_module(f"opentos.edi.messages.{name}")
        specs.extend(module.SPECS)
    return tuple(specs)


def find_spec(type_: str, directory: str, association: str) -> tuple[MessageSpec | None, bool]:
    """The table for a message, and whether the association code matched exactly.

    When the association code is unknown, the table of the same type and
    directory is used (the caller reports it); for BAPLIE, D95B with ``SMDG20``
    and ``SMDG22`` share a table but their codes still match exactly.
    """
    same_dir = [s for s in all_specs() if s.type == type_ and s.version == directory]
    for spec in same_dir:
        if association in spec.association.split("|"):
            return spec, True
    if same_dir:
        return same_dir[0], False
    return None, False
