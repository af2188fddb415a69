"""The field corpus: files that break the guides the way real partners' files do.

Each file in ``tests/edi/field/`` is hand-written to show one class of deviation
(see its README). For each, the test states exactly which boxes the reading
decodes (number, size-type code as sent, what is unknown), exactly which problems
it reports (severity, segment, tag, element), and whether ``edi import`` applies
it; an import is whole or nothing, and the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from opentos.edi.api import read_document
from opentos.errors import EdiError
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.onboard import OnBoardPlan
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import export_interchange, import_document
from opentos.presets import load_preset
from opentos.storage.store import Store

FIELD = Path(__file__).parent / "field"
T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)

Box = tuple[str, str, tuple[str, ...]]
"""A decoded box: number, size-type code as sent, what is unknown."""
Where = tuple[str, int | None, str | None, str | None]
"""A problem: severity, segment number, tag, element."""


@dataclass(frozen=True)
class Case:
    file: str
    boxes: tuple[Box, ...]
    problems: tuple[Where, ...]
    applied: bool
    """Whether ``edi import`` applies the file (else it is refused, changing nothing)."""


def _ok(*numbers: str, code: str = "22G1") -> tuple[Box, ...]:
    return tuple((n, code, ()) for n in numbers)


CASES = (
    Case(
        "baplie-legacy-codes.edi",
        (
            ("MSCU0001019", "2210", ()),
            ("MSCU0001024", "2232", ()),
            ("MSCU0001030", "4510", ()),
            ("MSCU0001045", "4532", ()),
            ("MSCU0001050", "4500", ()),
            ("MSCU0001066", "22G1", ()),
        ),
        tuple(("warning", n, "EQD", "3.1") for n in (15, 23, 30, 38, 45)),
        applied=True,
    ),
    Case(
        "coprar-size-types.edi",
        (
            ("MSCU0001071", "45GP", ()),
            ("HLXU0002010", "40HC", ()),
            ("HLXU0002026", "L500", ()),
            ("CMAU0003010", "4EX9", ("type",)),
            ("CMAU0003025", "9X", ("height", "length", "type")),
        ),
        (
            ("warning", 8, "EQD", "3.1"),
            ("warning", 12, "EQD", "3.1"),
            ("warning", 16, "EQD", "3.1"),
            ("error", 20, "EQD", "3.1"),
            ("error", 23, "EQD", "3.1"),
        ),
        applied=False,
    ),
    Case(
        "coarri-wrong-counts.edi",
        _ok("MSCU0001019", "MSCU0001024"),
        (("warning", 17, "UNT", "1"), ("warning", 18, "UNZ", "1"), ("warning", 18, "UNZ", "2")),
        applied=False,  # the terminal sends COARRI; it is never imported
    ),
    Case(
        "codeco-association-element.edi",
        _ok("MSCU0001071", code="45G1"),
        (("warning", 2, "UNH", "3"),),
        applied=False,  # the terminal sends CODECO
    ),
    Case(
        "coprar-no-unb.edi",
        _ok("ONEU0004018"),
        (("warning", None, None, None),),
        applied=True,
    ),
    Case("baplie-bom.edi", _ok("ONEU0004023"), (("warning", None, None, None),), applied=True),
    Case(
        "baplie-line-breaks.edi",
        _ok("MSCU0001019", "MSCU0001024"),
        (("warning", None, None, None),),
        applied=True,
    ),
    Case(
        "baplie-empty-qualifiers.edi",
        (*_ok("MSCU0001019", "MSCU0001024"), ("MSCU0001030", "45G1", ())),
        (
            ("warning", 12, "LOC", "1"),
            ("warning", 24, "MEA", "1"),
            ("warning", 27, "RFF", "1"),
            ("warning", 28, "EQD", "1"),
            ("error", 16, "LOC", "2.1"),
        ),
        applied=False,
    ),
    Case(
        "coarri-ids.edi",
        (
            *_ok("MSCU0001019", "MSCU0001024", "MSCU0001030"),
            ("MSCU0001041", "22G1", ("number",)),
            ("XXXU0000000", "22G1", ("number",)),
            ("TBA", "22G1", ("number",)),
        ),
        (
            ("warning", 8, "EQD", "2.1"),
            ("warning", 11, "EQD", "2.1"),
            ("warning", 14, "EQD", "2.1"),
            ("error", 17, "EQD", "2.1"),
            ("error", 20, "EQD", "2.1"),
            ("error", 23, "EQD", "2.1"),
        ),
        applied=False,
    ),
    Case(
        "codeco-lower-case.edi",
        _ok("MSCU0001066"),
        (("warning", 1, "UNB", "0"),),
        applied=False,  # the terminal sends CODECO
    ),
    Case(
        "coparn-no-carrier.edi",
        _ok("MSCU0001071", code="45G1"),
        (
            ("warning", 3, "BGM", None),
            ("warning", 7, "TDT", "5.1"),
            ("warning", 14, "EQD", "2.1"),
            ("warning", 14, "EQD", "3.1"),
        ),
        applied=True,
    ),
)


def _read(case: Case) -> tuple[tuple[Box, ...], tuple[Where, ...]]:
    document = read_document((FIELD / case.file).read_bytes(), source=case.file)
    boxes = tuple(
        (str(c.number), c.iso_code, tuple(sorted(c.unknown)))
        for m in document.messages
        for c in m.containers
    )
    problems = tuple((p.severity.value, p.segment, p.tag, p.element) for p in document.problems)
    return boxes, problems


def test_every_field_file_has_a_case() -> None:
    """The corpus and the table below agree: no file is left untested."""
    assert sorted(p.name for p in FIELD.glob("*.edi")) == sorted(c.file for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_field_file_decodes_every_box_and_reports_each_problem(case: Case) -> None:
    """Every EQD naming a box gives a container, and each deviation is one named problem."""
    boxes, problems = _read(case)
    assert boxes == case.boxes
    assert problems == case.problems


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_strict_reading_refuses_at_the_first_problem(case: Case) -> None:
    """Strict reading rejects each file with the first of the problems a lenient one lists."""
    with pytest.raises(EdiError):
        read_document((FIELD / case.file).read_bytes(), strict=True)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The tiny terminal with the visit the corpus's vessel files name (OPENTOS TRADER)."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as created:
        with created.transaction() as tx:
            tx.add_visit(
                VesselVisit(
                    id="V1",
                    vessel_name="OPENTOS TRADER",
                    profile=vessel_class(10_000),
                    operator="MSC",
                    voyage_in="012E",
                    voyage_out="012W",
                    imo="9321483",
                )
            )
        yield created


def _state(store: Store) -> tuple[dict[str, int], int, list[object]]:
    return store.counts(), store.head(), [str(d) for d in store.documents()]


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_field_file_imports_whole_or_not_at_all_and_once(store: Store, case: Case) -> None:
    """A file with an error (or one the terminal only sends) changes nothing; a file with
    warnings alone is applied, and applying it again changes nothing."""
    document = read_document((FIELD / case.file).read_bytes(), source=case.file)
    before = _state(store)
    if not case.applied:
        with pytest.raises(EdiError):
            import_document(store, document, at=T0)
        assert _state(store) == before
        return
    import_document(store, document, at=T0)
    after = _state(store)
    assert after != before
    import_document(store, document, at=T0)
    assert _state(store) == after


def test_legacy_codes_are_kept_and_sent_back_as_they_came(store: Store) -> None:
    """The 1984 codes of an arrival bay plan are today's codes in the terminal, and the
    departure bay plan names each box with the code its line sent."""
    document = read_document((FIELD / "baplie-legacy-codes.edi").read_bytes())
    import_document(store, document, at=T0)
    box = store.container(ContainerNumber.parse("MSCU0001045"))
    assert box.iso_type == SizeType.parse("45R1")
    assert box.iso_code_as_sent == "4532"
    assert box.reefer is not None
    sent = export_interchange(
        store,
        "baplie",
        visit="V1",
        version="2.2",
        sender="OPENTOS",
        recipient=None,
        next_port="KRPUS",
        prepared=T0,
    )
    assert "EQD+CN+MSCU0001045+4532+++5'" in sent
    back = read_document(sent)
    plan = back.messages[0].content
    assert isinstance(plan, OnBoardPlan)
    codes = {str(s.container.number): s.container.iso_code for s in plan.stowage if s.container}
    assert codes == {
        "MSCU0001019": "2210",
        "MSCU0001024": "2232",
        "MSCU0001030": "4510",
        "MSCU0001045": "4532",
        "MSCU0001050": "4500",
        "MSCU0001066": "22G1",
    }
