"""One case per message table: the version is read, in each of its association codes, and
written back; what the table says it tolerates is tolerated; docs/edi.md lists the tables.

Each table's interchange is in ``tests/edi/versions/`` (see its README). Its content is
the content of a golden of ``tests/edi/data/`` (read and checked value by value by the
message's own tests), so reading the version's file must give exactly that content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from opentos.edi.api import read_document, reader_for
from opentos.edi.messages import (
    baplie,
    coarri,
    codeco,
    coparn,
    copino,
    coprar,
    cuscar,
    cusres,
    iftsai,
    movins,
    vermas,
)
from opentos.edi.problems import Severity
from opentos.edi.registry import ANY_OTHER, all_specs, associations, version_table_markdown
from opentos.errors import EdiError, InvalidValue

HERE = Path(__file__).parent
VERSIONS = HERE / "versions"
GOLDENS = HERE / "data"
DOCS = HERE.parents[1] / "docs" / "edi.md"
LINE_CODE = "HLAG10"
"""A line's own association code, which no guide lists."""


@dataclass(frozen=True)
class Row:
    """A table, the file that is its case, and how it is written back."""

    file: str
    golden: str
    module: ModuleType
    written_as: str
    tweak: tuple[str, str] | None = None
    """A change the table tolerates (old, new: regular expression and replacement)..."""
    tweak_warnings: int = 0
    """... and the warnings it gives."""


ROWS: dict[tuple[str, str, str], Row] = {
    ("BAPLIE", "D95B", "SMDG20|SMDG22|SMDG21|"): Row(
        "baplie-D95B-SMDG22.edi", "baplie-2.2.edi", baplie, "2.2"
    ),
    ("BAPLIE", "D95B", "SMDG15|SMDG16"): Row(
        "baplie-D95B-SMDG16.edi", "baplie-2.1.1.edi", baplie, "1.6"
    ),
    ("BAPLIE", "1911", "SMDG15"): Row("baplie-1911-SMDG15.edi", "baplie-2.1.1.edi", baplie, "1.5"),
    ("BAPLIE", "D13B", "SMDG31|SMDG30|SMDG311"): Row(
        "baplie-D13B-SMDG31.edi", "baplie-3.1.1.edi", baplie, "3.1.1"
    ),
    ("MOVINS", "D95B", "SMDG20|"): Row("movins-D95B-SMDG20.edi", "movins.edi", movins, "SMDG20"),
    ("VERMAS", "D16A", "SMDG10"): Row("vermas-D16A-SMDG10.edi", "vermas.edi", vermas, "SMDG10"),
    ("COPRAR", "D95B", "SMDG16|ITG13|"): Row(
        "coprar-D95B-ITG13.edi", "coprar-load.edi", coprar, "D95B:ITG13"
    ),
    ("COPRAR", "D95B", ANY_OTHER): Row(
        "coprar-D95B-line.edi", "coprar-discharge.edi", coprar, f"D95B:{LINE_CODE}"
    ),
    ("COPRAR", "D00B", "SMDG21|SMDG20"): Row(
        "coprar-D00B-SMDG21.edi", "coprar-load.edi", coprar, "D00B:SMDG21"
    ),
    ("COARRI", "D95B", "ITG13|SMDG16|"): Row(
        "coarri-D95B-ITG13.edi", "coarri-discharge.edi", coarri, "D95B:ITG13"
    ),
    ("COARRI", "D00B", "SMDG20|SMDG21"): Row(
        "coarri-D00B-SMDG20.edi", "coarri-load.edi", coarri, "D00B:SMDG20"
    ),
    ("COARRI", "D23A", ""): Row("coarri-D23A-none.edi", "coarri-load.edi", coarri, "D23A:"),
    ("CODECO", "D95B", "|SMDG16|ITG13|ITG"): Row(
        "codeco-D95B-none.edi", "codeco-gate-in.edi", codeco, "D95B:"
    ),
    ("CODECO", "D00B", "SMDG20|SMDG21"): Row(
        "codeco-D00B-SMDG20.edi", "codeco-gate-out.edi", codeco, "D00B:SMDG20"
    ),
    ("COPARN", "D95B", "ITG13|"): Row(
        "coparn-D95B-ITG13.edi",
        "coparn.edi",
        coparn,
        "D95B:ITG13",
    ),
    ("COPARN", "D00B", "SMDG20|SMDG21"): Row(
        "coparn-D00B-SMDG20.edi",
        "coparn.edi",
        coparn,
        "D00B:SMDG20",
    ),
    ("COPINO", "D95B", "ITG12|"): Row("copino-D95B-ITG12.edi", "copino.edi", copino, "D95B:ITG12"),
    ("IFTSAI", "D95B", ""): Row(
        "iftsai-D95B-none.edi", "iftsai.edi", iftsai, "D95B", tweak=(r"LOC\+153\+", "LOC+92+")
    ),
    ("IFTSAI", "D00B", ""): Row(
        "iftsai-D00B-none.edi", "iftsai.edi", iftsai, "D00B", tweak=(r"LOC\+153\+", "LOC+5+")
    ),
    ("CUSCAR", "D95B", ""): Row("cuscar-D95B-none.edi", "cuscar.edi", cuscar, "D95B"),
    ("CUSRES", "D95B", ""): Row("cusres-D95B-none.edi", "cusres.edi", cusres, "D95B"),
}

SPECS = {(s.type, s.version, s.association): s for s in all_specs()}
CASES = [pytest.param(key, id=f"{key[0]}-{key[1]}-{key[2] or 'none'}") for key in SPECS]
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _with_association(text: str, code: str) -> str:
    """The interchange with every UNH naming ``code`` (``""``: no association code)."""

    def header(match: re.Match[str]) -> str:
        parts = match.group(2).split(":")[:4]
        return f"{match.group(1)}{':'.join(parts)}{':' + code if code else ''}'"

    return re.sub(r"(UNH\+[^+']*\+)([^+']*)'", header, text)


def _contents(text: str, strict: bool = False) -> list[object]:
    return [m.content for m in read_document(text, strict=strict).messages]


def _write(row: Row, content: object, version: str) -> str:
    write = getattr(row.module, f"{row.module.__name__.rsplit('.', 1)[1]}_interchange")
    text: str = write(
        content, sender="CNTAOQQCT", recipient="MSC", reference="V0002", prepared=AT,
        version=version,
    )  # fmt: skip
    return text


def test_every_table_has_a_case_and_every_case_a_file() -> None:
    assert set(ROWS) == set(SPECS)
    assert {r.file for r in ROWS.values()} == {p.name for p in VERSIONS.glob("*.edi")}


@pytest.mark.parametrize("key", CASES)
def test_the_version_is_read_in_each_of_its_codes(key: tuple[str, str, str]) -> None:
    spec, row = SPECS[key], ROWS[key]
    text = (VERSIONS / row.file).read_text()
    golden = _contents((GOLDENS / row.golden).read_text(), strict=True)
    for code in associations(spec):
        if code == ANY_OTHER:
            continue
        document = read_document(_with_association(text, code), strict=True)
        assert not document.problems, (code, document.problems)
        assert [m.spec for m in document.interchange.messages] == [spec] * len(golden)
        assert [m.content for m in document.messages] == golden, code


def test_a_lines_own_code_is_read_with_its_tables_warning() -> None:
    spec = SPECS[("COPRAR", "D95B", ANY_OTHER)]
    text = (VERSIONS / ROWS[("COPRAR", "D95B", ANY_OTHER)].file).read_text()
    assert f":{LINE_CODE}'" in text
    document = read_document(text)
    assert [(p.severity, p.value) for p in document.problems] == [(Severity.WARNING, LINE_CODE)]
    assert document.interchange.messages[0].spec is spec
    assert _contents(text) == _contents((GOLDENS / "coprar-discharge.edi").read_text())
    with pytest.raises(EdiError, match=LINE_CODE):
        read_document(text, strict=True)


@pytest.mark.parametrize("key", CASES)
def test_the_version_is_written_back(key: tuple[str, str, str]) -> None:
    spec, row = SPECS[key], ROWS[key]
    contents = _contents((VERSIONS / row.file).read_text())
    written = _write(row, contents[0] if len(contents) == 1 else tuple(contents), row.written_as)
    document = read_document(written, strict=False)
    assert [m.spec for m in document.interchange.messages] == [spec] * len(contents)
    assert [m.content for m in document.messages] == contents
    code = row.written_as.partition(":")[2] if ":" in row.written_as else None
    if code is not None and code != LINE_CODE:
        assert all(m.header.association == code for m in document.interchange.messages)
        assert not document.problems


def _tweaked(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    """``text`` (one message) with ``pattern`` replaced and the ``UNT`` count set right."""
    tweaked, changes = re.subn(pattern, replacement, text, count=count)
    assert changes, pattern
    lines = tweaked.splitlines()
    unh, unt = (next(i for i, s in enumerate(lines) if s.startswith(tag)) for tag in ("UNH", "UNT"))
    lines[unt] = re.sub(r"UNT\+\d+", f"UNT+{unt - unh + 1}", lines[unt])
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("key", [k for k, r in ROWS.items() if r.tweak])
def test_what_the_table_tolerates(key: tuple[str, str, str]) -> None:
    row = ROWS[key]
    assert row.tweak is not None
    text = (VERSIONS / row.file).read_text()
    document = read_document(_tweaked(text, *row.tweak))
    warnings = [p for p in document.problems if p.severity is Severity.WARNING]
    assert not document.errors
    assert len(warnings) == row.tweak_warnings, warnings
    assert [m.content for m in document.messages] == _contents(text)


LINE_MESSAGES = ("COPRAR", "COARRI", "CODECO", "COPARN", "COPINO")
"""The messages whose line is the header ``NAD+CA``."""


@pytest.mark.parametrize("key", [k for k in ROWS if k[0] in LINE_MESSAGES])
def test_without_nad_ca_the_line_is_taken_from_the_vessel_or_a_box(
    key: tuple[str, str, str],
) -> None:
    text = (VERSIONS / ROWS[key].file).read_text()
    document = read_document(_tweaked(text, r"NAD\+CA\+[^']*'\n", "", count=1))
    assert not document.errors, document.errors
    found = [p for p in document.problems if p.message.startswith("the line (NAD+CA) is missing")]
    assert [(p.severity, p.value) for p in found] == [(Severity.WARNING, "MSC")]
    assert [m.content for m in document.messages] == _contents(text)


def test_each_table_names_its_guide_and_what_it_tolerates() -> None:
    for spec in all_specs():
        assert spec.guide, spec.type
        assert spec.tolerates, spec.type
        assert spec.title, spec.type
        assert reader_for(spec.type)


def test_the_docs_list_every_table() -> None:
    docs = DOCS.read_text()
    table = version_table_markdown()
    assert table in docs, "docs/edi.md: paste `opentos edi versions --markdown`"
    assert len(table.splitlines()) == len(all_specs()) + 2


def test_a_version_no_table_has_is_refused() -> None:
    booking = _contents((GOLDENS / "coparn.edi").read_text())[0]
    with pytest.raises(InvalidValue, match="D95B:SMDG99"):
        _write(ROWS[("COPARN", "D00B", "SMDG20|SMDG21")], booking, "D95B:SMDG99")
    order = _contents((GOLDENS / "coprar-load.edi").read_text())[0]
    with pytest.raises(InvalidValue, match=re.escape("'D95B:*'")):
        _write(ROWS[("COPRAR", "D95B", ANY_OTHER)], order, "D95B:*")
