"""``opentos users``: the server's users; a new one's password or API key is printed once."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from opentos.cli.console import console
from opentos.cli.database import open_store
from opentos.operations.users import Role, add_user, parse_role, users

users_app = typer.Typer(help="Users of the server and their roles.", no_args_is_help=True)

_ROLES = ", ".join(r.value for r in Role if r is not Role.PUBLIC)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (a person or a machine client).")],
    role: Annotated[str, typer.Option(help=f"Role: {_ROLES}.")],
    party: Annotated[
        str | None,
        typer.Option(help="Scope: the SMDG line code of a line, the company of a haulier."),
    ] = None,
    api_key: Annotated[
        bool, typer.Option("--api-key", help="A machine client with an API key, not a password.")
    ] = False,
) -> None:
    """Add a user and print its generated password or API key (shown only now)."""
    with open_store() as store:
        added = add_user(store, name, parse_role(role), party, api_key=api_key)
    what = "API key" if api_key else "password"
    scope = f" for {added.user.party}" if added.user.party else ""
    console.print(f"Added {added.user.role} {added.user.name}{scope}; its {what} (shown once):")
    # printed bare on its own line, so that a script can take it with `tail -1`
    print(added.secret)


@users_app.command("list")
def list_users() -> None:
    """List the users, their roles and scopes (never their secrets)."""
    with open_store() as store:
        found = users(store)
    table = Table("name", "role", "party", "credential", title=f"Users: {len(found)}")
    for user in found:
        table.add_row(user.name, str(user.role), user.party or "", str(user.kind))
    console.print(table)
