"""``opentos edi``: read, check, import and write SMDG EDIFACT interchanges."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from opentos.cli.console import console, err_console, json_shown, styled
from opentos.cli.files import read_bytes
from opentos.edi.api import Document, read_document
from opentos.edi.problems import (
    DEFAULT_MAX_PROBLEMS,
    DEFAULT_MAX_SEGMENTS,
    Problem,
    ReadingLimitReached,
    Severity,
    counts_by_kind,
)
from opentos.edi.registry import version_rows, version_table_markdown

edi_app = typer.Typer(
    help="EDI: UN/EDIFACT messages with shipping lines (BAPLIE, MOVINS, COPRAR, COARRI, "
    "CODECO, COPARN, VERMAS, IFTSAI), hauliers (COPINO) and customs (CUSCAR, CUSRES).",
    no_args_is_help=True,
)

FileArgument = Annotated[Path, typer.Argument(help="EDIFACT interchange file.")]
MaxProblems = Annotated[
    int,
    typer.Option(
        "--max-problems",
        min=1,
        help="Stop reading after this many errors (and list no more warnings); raise it to "
        "read on through a file with more.",
    ),
]
MaxSegments = Annotated[
    int,
    typer.Option(
        "--max-segments",
        min=1,
        help="Stop reading after this many segments (a full bay plan of 20,000 slots has "
        "about 175,000).",
    ),
]
Show = Annotated[
    int,
    typer.Option(
        min=0, help="Problems listed one by one before the counts by kind (--json lists all)."
    ),
]
SHOWN = 20


def _document(
    path: Path,
    strict: bool,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> Document:
    return read_document(
        read_bytes(path),
        strict=strict,
        source=str(path),
        max_problems=max_problems,
        max_segments=max_segments,
    )


@edi_app.command("parse")
def parse(
    file: FileArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the decoded content as JSON.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first problem.")] = False,
    max_problems: MaxProblems = DEFAULT_MAX_PROBLEMS,
    max_segments: MaxSegments = DEFAULT_MAX_SEGMENTS,
    show: Show = SHOWN,
) -> None:
    """Decode an interchange: message types, versions, counts and content."""
    try:
        document = _document(file, strict, max_problems, max_segments)
    except ReadingLimitReached as exc:
        _stopped(file, exc, as_json, show)
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
    _print_problems(document.problems, show, unlisted=_unlisted(document))


def _unlisted(document: Document) -> int:
    return document.interchange.problems.unlisted_warnings


def _print_problems(
    problems: Sequence[Problem],
    show: int,
    out: Console = console,
    *,
    stopped: bool = False,
    unlisted: int = 0,
) -> None:
    """The first ``show`` problems, how many more, their counts by kind, and the totals.

    ``unlisted`` warnings were found beyond ``--max-problems`` and only counted.

    One print for the whole list: printing a hundred thousand lines one by one is what
    made a repetitive file slow to validate.
    """
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    lines = [
        styled((str(p.severity), "red" if p.severity is Severity.ERROR else "yellow"), f": {p}")
        for p in problems[:show]
    ]
    more = len(problems) - len(lines)
    if more:
        lines.append(styled(f"… and {more:,} more (--json lists every one)"))
    if lines:
        out.print(Text("\n").join(lines))
    if more:
        table = Table(title="problems by kind")
        table.add_column("problems", justify="right")
        table.add_column("severity")
        table.add_column("kind")
        for count, severity, kind in counts_by_kind(problems):
            table.add_row(f"{count:,}", str(severity), Text(kind))
        out.print(table)
    read = "read until the limit" if stopped else "read"
    warnings = len(problems) - errors + unlisted
    out.print(f"{errors:,} error(s), {warnings:,} warning(s) ({read})")
    if unlisted:
        out.print(f"{unlisted:,} warning(s) beyond --max-problems were counted, not listed")


def _problems_json(
    file: Path,
    problems: Sequence[Problem],
    stopped: ReadingLimitReached | None,
    unlisted: int = 0,
) -> str:
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    return json.dumps(
        {
            "file": str(file),
            "errors": errors,
            "warnings": len(problems) - errors + unlisted,
            "unlisted_warnings": unlisted,
            "limit_reached": None
            if stopped is None
            else {"what": stopped.what, "limit": stopped.limit},
            "problems": [p.to_dict() for p in problems],
        },
        indent=2,
        ensure_ascii=False,
    )


def _stopped(file: Path, exc: ReadingLimitReached, as_json: bool, show: int) -> NoReturn:
    """Report a reading stopped at a limit (problems or segments), and exit 1."""
    if as_json:
        typer.echo(_problems_json(file, exc.items, exc))
    else:
        _print_problems(exc.items, show, stopped=True)
    err_console.print(f"error: {exc}")
    raise typer.Exit(1)


@edi_app.command("versions")
def versions(
    as_json: Annotated[bool, typer.Option("--json", help="The table as JSON.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The table as Markdown (as in docs/edi.md).")
    ] = False,
) -> None:
    """The message versions OpenTOS reads and writes: directory, association codes, guide."""
    if as_json:
        typer.echo(json.dumps(version_rows(), indent=2))
        return
    if markdown:
        typer.echo(version_table_markdown(), nl=False)
        return
    table = Table("message", "directory", "association codes", "guide", "also tolerated")
    for row in version_rows():
        table.add_row(*row.values())
    table.title = "Every table is read, and written in any of its codes"
    console.print(table)


@edi_app.command("validate")
def validate(
    file: FileArgument,
    strict: Annotated[
        bool, typer.Option(help="Every problem is an error, and reading stops at the first.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="List every problem as JSON.")] = False,
    max_problems: MaxProblems = DEFAULT_MAX_PROBLEMS,
    max_segments: MaxSegments = DEFAULT_MAX_SEGMENTS,
    show: Show = SHOWN,
) -> None:
    """List the problems of an interchange; exit 1 when it has errors."""
    try:
        document = _document(file, strict, max_problems, max_segments)
    except ReadingLimitReached as exc:
        _stopped(file, exc, as_json, show)
    if as_json:
        typer.echo(_problems_json(file, document.problems, None, _unlisted(document)))
    else:
        _print_problems(document.problems, show, unlisted=_unlisted(document))
    if document.errors:
        raise typer.Exit(1)


@edi_app.command("import")
def import_(
    file: FileArgument,
    visit: Annotated[
        str | None,
        typer.Option(help="Vessel visit the messages are for (default: matched by vessel/voyage)."),
    ] = None,
    port: Annotated[
        str | None,
        typer.Option(
            help="IFTSAI: the terminal's port as the schedule names it (default: the layout's "
            "UN/LOCODE)."
        ),
    ] = None,
    vessel_class: Annotated[
        str | None,
        typer.Option(
            "--vessel-class",
            help="IFTSAI: standard vessel class of a vessel the terminal has no visit of "
            "(e.g. post-panamax-8500).",
        ),
    ] = None,
    max_problems: MaxProblems = DEFAULT_MAX_PROBLEMS,
    max_segments: MaxSegments = DEFAULT_MAX_SEGMENTS,
) -> None:
    """Apply an interchange to the terminal: all of it or nothing; once only."""
    from opentos.cli.database import open_store
    from opentos.model.ids import UnLocode
    from opentos.operations.interchange import import_document

    port_code = UnLocode.parse(port) if port is not None else None

    try:
        document = _document(file, False, max_problems, max_segments)
    except ReadingLimitReached as exc:
        _print_problems(exc.items, SHOWN, err_console, stopped=True)
        err_console.print(f"error: {exc}")
        raise typer.Exit(1) from None
    warnings = [p for p in document.problems if p.severity is Severity.WARNING]
    if warnings:
        lines = [f"warning: {p}" for p in warnings[:SHOWN]]
        if len(warnings) > SHOWN:
            lines.append(f"… and {len(warnings) - SHOWN:,} more warnings (edi validate --json)")
        err_console.print("\n".join(lines))
    with open_store() as store:
        summary = import_document(
            store, document, visit_id=visit, port=port_code, vessel_class=vessel_class
        )
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
    if summary.visits:
        parts.append("visits " + ", ".join(summary.visits))
    console.print(f"{file}: imported interchange {summary.key}: " + "; ".join(parts))


class ExportKind(StrEnum):
    """Messages ``opentos edi export`` writes."""

    COARRI = "coarri"
    CODECO = "codeco"
    BAPLIE = "baplie"
    CUSCAR = "cuscar"


@edi_app.command("export")
def export(
    kind: Annotated[ExportKind, typer.Argument(help="Message to write.")],
    visit: Annotated[
        str | None,
        typer.Option(
            help="Vessel visit (COARRI, BAPLIE, CUSCAR); truck visit or truck (CODECO, optional)."
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(
            help="BAPLIE 1.5, 1.6, 2.1, 2.1.1, 2.2 (default) or 3.1.1; COARRI D95B, D00B "
            "(default) or D23A, CODECO D95B or D00B (default), with ':CODE' for another "
            "association code (D95B:SMDG16, D95B: for none); CUSCAR D95B."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    sender: Annotated[str, typer.Option(help="UNB sender id.")] = "OPENTOS",
    recipient: Annotated[
        str | None,
        typer.Option(help="UNB recipient id (default: the vessel's operator; CUSTOMS for CUSCAR)."),
    ] = None,
    next_port: Annotated[
        str | None, typer.Option("--next-port", help="BAPLIE: the vessel's next port (UN/LOCODE).")
    ] = None,
) -> None:
    """Write COARRI, CODECO, a departure BAPLIE or the import CUSCAR from the ledger."""
    from opentos.cli.database import open_store
    from opentos.cli.files import output_file
    from opentos.operations.interchange import export_interchange

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
