"""Dependencies point inward (DESIGN rule 4), checked on every module's imports.

Every ``import`` and ``from ... import`` counts, at module level, inside functions
and under ``TYPE_CHECKING``, and so does ``importlib.import_module("...")`` with a
literal name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

ALLOWED: dict[str, tuple[str, ...]] = {
    "opentos.model": ("opentos.model", "opentos.errors"),
    "opentos.planning": ("opentos.planning", "opentos.model", "opentos.errors"),
    "opentos.control": ("opentos.control", "opentos.model", "opentos.errors"),
    "opentos.edi": ("opentos.edi", "opentos.model", "opentos.errors"),
    "opentos.storage": ("opentos.storage", "opentos.model", "opentos.errors", "opentos.config"),
    "opentos.twin": ("opentos.twin", "opentos.model", "opentos.errors", "opentos.control.link"),
}
"""For each package, the only OpenTOS modules its modules may import."""

CLI_FORBIDDEN = ("opentos.twin", "opentos.planning", "opentos.control")
"""The CLI reaches these only through :mod:`opentos.operations`."""


def module_name(path: Path) -> str:
    """``src/opentos/twin/kpi.py`` -> ``opentos.twin.kpi``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every OpenTOS module ``source`` (the text of ``module``) imports, anywhere in it."""
    found: set[str] = set()
    base = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                name = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            if name == "opentos":  # ``from opentos import twin`` imports ``opentos.twin``
                found.update(f"opentos.{alias.name}" for alias in node.names)
            else:
                found.add(name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return {n for n in found if n == "opentos" or n.startswith("opentos.")}


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """``name`` is one of ``prefixes`` or a module inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules() -> dict[str, set[str]]:
    """Each module of the package and what it imports."""
    found = {}
    for path in sorted((SRC / "opentos").rglob("*.py")):
        name = module_name(path)
        found[name] = imported(path.read_text(), name, package=path.name == "__init__.py")
    return found


def violations(found: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule, as ``module imports other``."""
    bad = []
    for module, names in sorted(found.items()):
        for package, allowed in ALLOWED.items():
            if within(module, (package,)):
                bad += [f"{module} imports {n}" for n in sorted(names) if not within(n, allowed)]
        if within(module, ("opentos.cli",)):
            bad += [f"{module} imports {n}" for n in sorted(names) if within(n, CLI_FORBIDDEN)]
    return bad


def test_every_package_keeps_its_dependency_rule() -> None:
    """model, planning, control, edi, storage and twin import only what rule 4 allows;
    the CLI reaches twin, planning and control only through operations."""
    found = modules()
    for package in (*ALLOWED, "opentos.cli", "opentos.operations"):
        assert any(within(m, (package,)) for m in found), f"no modules found for {package}"
    assert violations(found) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("opentos.twin.kpi", "def f():\n    from opentos.control.ecs import EcsSettings\n"),
        (
            "opentos.twin.kpi",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from opentos.planning.result import Result\n",
        ),
        ("opentos.twin.kpi", "from ..presets import load_preset\n"),
        ("opentos.model.ids", "import opentos.storage.store\n"),
        ("opentos.model.ids", "from opentos import units\n"),
        ("opentos.cli.simulate", "from opentos.twin.run import simulate\n"),
        ("opentos.cli.simulate", "import importlib\nimportlib.import_module('opentos.control')\n"),
        ("opentos.cli.stow", "from opentos.control.routing import Router\n"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str) -> None:
    """An import against the rules is found wherever it is written."""
    assert len(violations({module: imported(source, module)})) == 1


def test_allowed_imports_pass() -> None:
    """Imports the rules allow are not flagged."""
    assert not violations(
        {
            "opentos.twin.link": imported("from opentos.control.link import Order\n", "x.y"),
            "opentos.cli.simulate": imported(
                "from opentos.operations.twin_study import simulate\n", "x.y"
            ),
            "opentos.model.ids": imported("from .slots import BayRowTier\n", "opentos.model.ids"),
        }
    )
