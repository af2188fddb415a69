"""``opentos hold``: put a hold on a box, release it, apply customs' decisions (CUSRES)."""

from __future__ import annotations

from typing import Annotated

import typer

from opentos.cli.database import open_store
from opentos.cli.options import JsonOption, report
from opentos.model.container import HoldKind
from opentos.model.ids import ContainerNumber
from opentos.operations import holds
from opentos.operations.holds import HoldChange

hold_app = typer.Typer(help="Holds on containers.", no_args_is_help=True)

Box = Annotated[str, typer.Argument(help="Container number.")]
Kind = Annotated[HoldKind, typer.Option(help="Who holds the box.")]


def _line(change: HoldChange) -> str:
    did = {
        True: {"hold": "now on", "release": "released from"},
        False: {"hold": "already on", "release": "was not on"},
    }[change.changed][change.action]
    left = ", ".join(str(h.kind) for h in change.holds) or "none"
    return f"{change.container} {did} {change.kind} hold; holds: {left}"


@hold_app.command("add")
def add(
    container: Box,
    kind: Kind = HoldKind.CUSTOMS,
    reason: Annotated[str, typer.Option(help="Why (kept with the hold).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Put a hold on a box: it is neither loaded nor gated out until released."""
    with open_store() as store:
        change = holds.add_hold(store, ContainerNumber.parse(container), kind, reason)
    report(_line(change), change.to_dict(), as_json)


@hold_app.command("release")
def release(container: Box, kind: Kind = HoldKind.CUSTOMS, as_json: JsonOption = False) -> None:
    """Release a box's hold of one kind."""
    with open_store() as store:
        change = holds.release_hold(store, ContainerNumber.parse(container), kind)
    report(_line(change), change.to_dict(), as_json)


@hold_app.command("apply-cusres")
def apply_cusres(
    reference: Annotated[
        str | None, typer.Argument(help="Only the boxes of this customs response.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply customs' latest decisions (imported CUSRES): held -> hold, released -> release."""
    with open_store() as store:
        changes = holds.apply_customs_responses(store, reference)
    done = [c for c in changes if c.changed]
    lines = [_line(c) for c in done] or ["no hold changed"]
    summary = "\n".join([*lines, f"{len(done)} of {len(changes)} decision(s) changed a hold"])
    report(summary, {"data": [c.to_dict() for c in changes], "count": len(changes)}, as_json)
