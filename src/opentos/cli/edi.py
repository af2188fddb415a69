"""``opentos edi``: read, check, import and write SMDG EDIFACT interchanges."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from opentos.cli.console import console, err_console, json_shown, styled
from opentos.cli.files import read_bytes
from opentos.edi.api import Document, read_document
from opentos.edi.problems import Severity

edi_app = typer.Typer(
    help="EDI: UN/EDIFACT messages with shipping lines (BAPLIE, MOVINS, COPRAR, COARRI, "
    "CODECO, COPARN, VERMAS).",
    no_args_is_help=True,
)

FileArgument = Annotated[Path, typer.Argument(help="EDIFACT interchange file.")]


def _document(path: Path, strict: bool) -> Document:
    return read_document(read_bytes(path), strict=strict, source=str(path))


@edi_app.command("parse")
def parse(
    file: FileArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decoded content as JSON.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first problem.")] = False,
) -> None:
    """Decode an interchange: message types, versions, counts and content."""
    document = _document(file, strict)
    if as_json:
        typer.echo(json_shown(json.dumps(document.to_dict(), indent=2, ensure_ascii=False)))
        return
    table = Table("message", "type", "version", "directory", "association", "segments", "groups")
    for m in document.messages:
        groups = ", ".join(f"{k} {v}" for k, v in m.groups.items())
        table.add_row(
            m.header.reference,
            m.header.type,
            m.version,
            m.header.directory,
            m.header.association,
            str(m.segments),
            groups,
        )
    i = document.interchange
    table.title = (
        f"{file}: from {i.sender or '?'} to {i.recipient or '?'}, ref {i.reference or '?'}"
    )
    console.print(table)
    _print_problems(document)


def _print_problems(document: Document) -> None:
    errors, warnings = len(document.errors), len(document.problems) - len(document.errors)
    for problem in document.problems:
        style = "red" if problem.severity is Severity.ERROR else "yellow"
        console.print(styled((str(problem.severity), style), f": {problem}"))
    console.print(f"{errors} error(s), {warnings} warning(s)")


@edi_app.command("validate")
def validate(
    file: FileArgument,
    strict: Annotated[
        bool, typer.Option(help="Every problem is an error, and reading stops at the first.")
    ] = False,
) -> None:
    """List the problems of an interchange; exit 1 when it has errors."""
    document = _document(file, strict)
    _print_problems(document)
    if document.errors:
        raise typer.Exit(1)


@edi_app.command("import")
def import_(
    file: FileArgument,
    visit: Annotated[
        str | None,
        typer.Option(help="Vessel visit the messages are for (default: matched by vessel/voyage)."),
    ] = None,
) -> None:
    """Apply an interchange to the terminal: all of it or nothing; once only."""
    from opentos.cli.database import open_store
    from opentos.cli.edi_import import import_document

    document = _document(file, strict=False)
    for problem in document.problems:
        if problem.severity is Severity.WARNING:
            err_console.print(f"warning: {problem}")
    with open_store() as store:
        summary = import_document(store, document, visit_id=visit)
    if summary.already_imported:
        console.print(f"{file}: interchange {summary.key} was imported before; nothing changed")
        return
    parts = [f"{summary.containers} container(s) registered"]
    if summary.placed:
        parts.append(f"{summary.placed} placed on board")
    if summary.vgm:
        parts.append(f"{summary.vgm} VGM(s) recorded")
    if summary.documents:
        parts.append("documents " + ", ".join(summary.documents))
    console.print(f"{file}: imported interchange {summary.key}: " + "; ".join(parts))


class ExportKind(StrEnum):
    """Messages ``opentos edi export`` writes."""

    COARRI = "coarri"
    CODECO = "codeco"
    BAPLIE = "baplie"


@edi_app.command("export")
def export(
    kind: Annotated[ExportKind, typer.Argument(help="Message to write.")],
    visit: Annotated[
        str | None,
        typer.Option(
            help="Vessel visit (COARRI, BAPLIE); truck visit or truck (CODECO, optional)."
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(help="BAPLIE 2.1.1, 2.2 (default) or 3.1.1; COARRI/CODECO D00B."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    sender: Annotated[str, typer.Option(help="UNB sender id.")] = "OPENTOS",
    recipient: Annotated[
        str | None, typer.Option(help="UNB recipient id (default: the vessel's operator).")
    ] = None,
    next_port: Annotated[
        str | None, typer.Option("--next-port", help="BAPLIE: the vessel's next port (UN/LOCODE).")
    ] = None,
) -> None:
    """Write COARRI, CODECO or a departure BAPLIE from the ledger."""
    from opentos.cli.database import open_store
    from opentos.cli.edi_export import export_interchange
    from opentos.cli.files import output_file

    if out is not None:
        output_file(out)
    with open_store() as store:
        text = export_interchange(
            store,
            str(kind),
            visit=visit,
            version=version,
            sender=sender,
            recipient=recipient,
            next_port=next_port,
        )
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="ascii")
        console.print(f"wrote {out}")
