"""``opentos container``: a box's master data, and checked changes of its size-type."""

from __future__ import annotations

from typing import Annotated

import typer

from opentos.cli.console import console
from opentos.cli.database import open_store
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType

container_app = typer.Typer(help="Containers' master data.", no_args_is_help=True)


@container_app.command("amend")
def amend(
    container: Annotated[str, typer.Argument(help="Container number.")],
    iso_type: Annotated[str, typer.Argument(help="The new ISO 6346 size-type code.")],
    reason: Annotated[
        str, typer.Option(help="Why (kept with the amendment).")
    ] = "amended by an operator",
) -> None:
    """Change a box's size-type: refused while its place cannot hold the new length."""
    number = ContainerNumber.parse(container)
    code = SizeType.parse(iso_type)
    with open_store() as store, store.transaction() as tx:
        before = tx.where(number)
        after = tx.amend_size_type(number, code, source=reason)
    where = f"at {before}" if before is not None else "not in the terminal"
    console.print(f"{number} is now a {after.iso_type.code} ({after.length_ft}'), {where}")


@container_app.command("amendments")
def amendments(
    container: Annotated[str | None, typer.Argument(help="Container number.")] = None,
) -> None:
    """List size-type amendments, of one box when given."""
    number = ContainerNumber.parse(container) if container else None
    with open_store() as store:
        rows = store.amendments(number)
    for row in rows:
        console.print(
            f"{row.container} {row.old_iso_type} -> {row.new_iso_type} after event "
            f"#{row.after_seq} at {row.at:%Y-%m-%d %H:%M:%S} UTC ({row.source})"
        )
    if not rows:
        console.print("no amendments")
