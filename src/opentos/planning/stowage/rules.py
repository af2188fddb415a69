"""Data of the stowage rules shared by the planner and the validator: the IMDG table.

The table is the simplified one of ``docs/stowage.md`` (after IMDG Code 7.2.4):
``0`` no segregation, ``1`` "away from", ``2`` "separated from", ``3``
"separated by a complete compartment or hold from", ``4`` "separated
longitudinally by an intervening complete compartment or hold from". How each
code translates into distances on board is a rule each side implements on its own.
"""

from __future__ import annotations

from types import MappingProxyType

from opentos.model.container import Container

_CLASSES = (
    "1.1", "1.3", "1.4", "2.1", "2.2", "2.3", "3", "4.1", "4.2",
    "4.3", "5.1", "5.2", "6.1", "6.2", "7", "8", "9",
)  # fmt: skip
_TABLE = """
0 0 0 4 2 2 4 4 4 4 4 4 2 4 2 4 0
0 0 0 4 2 2 4 3 3 4 4 4 2 4 2 2 0
0 0 0 2 1 1 2 2 2 2 2 2 0 4 2 2 0
4 4 2 0 0 0 2 1 2 2 2 2 0 4 2 1 0
2 2 1 0 0 0 1 0 1 0 0 1 0 2 1 0 0
2 2 1 0 0 0 2 0 2 0 0 2 0 2 1 0 0
4 4 2 2 1 2 0 0 2 1 2 2 0 3 2 0 0
4 3 2 1 0 0 0 0 1 0 1 2 0 3 2 1 0
4 3 2 2 1 2 2 1 0 1 2 2 1 3 2 1 0
4 4 2 2 0 0 1 0 1 0 2 2 0 2 2 1 0
4 4 2 2 0 0 2 1 2 2 0 2 1 3 1 2 0
4 4 2 2 1 2 2 2 2 2 2 0 1 3 2 2 0
2 2 0 0 0 0 0 0 1 0 1 1 0 1 0 0 0
4 4 4 4 2 2 3 3 3 2 3 3 1 0 3 3 0
2 2 2 2 1 1 2 2 2 2 1 2 0 3 0 2 0
4 2 2 1 0 0 0 1 1 1 2 2 0 3 2 0 0
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
"""

IMDG_SEGREGATION: MappingProxyType[tuple[str, str], int] = MappingProxyType(
    {
        (a, b): int(code)
        for a, line in zip(_CLASSES, _TABLE.split("\n")[1:], strict=False)
        for b, code in zip(_CLASSES, line.split(), strict=True)
    }
)
"""Segregation code between two table classes (``"1.1"`` stands for 1.1, 1.2, 1.5)."""

_ALIASES = {"1.2": "1.1", "1.5": "1.1", "1.6": "1.3"}


def table_class(imdg_class: str) -> str:
    """The table row of an IMDG class or division: ``"1.4S"`` -> ``"1.4"``, ``"5.2"`` -> ``"5.2"``.

    Classes 3, 8 and 9 have no divisions; class 7 neither. Compatibility groups
    (the letter after a class 1 division) are dropped.
    """
    text = imdg_class.strip().rstrip("ABCDEFGHJKLNS")
    if text.startswith("1."):
        text = text[:3]
    text = _ALIASES.get(text, text)
    if text in _CLASSES:
        return text
    main = text.split(".")[0]
    return main if main in _CLASSES else "9"


def segregation_code(a: Container, b: Container) -> int:
    """The strictest segregation required between two boxes' dangerous goods (0 if none)."""
    code = 0
    for x in a.dangerous_goods:
        for y in b.dangerous_goods:
            code = max(
                code, IMDG_SEGREGATION[(table_class(x.imdg_class), table_class(y.imdg_class))]
            )
    return code
