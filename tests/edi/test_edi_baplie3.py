"""BAPLIE 3.1.1 specifics: lost and blocked slots, partial plans, the container count."""

from __future__ import annotations

from pathlib import Path

import pytest

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.baplie import read_baplie, write_baplie
from opentos.edi.problems import Severity
from opentos.errors import EdiError
from opentos.model.onboard import OnBoardPlan
from opentos.model.slots import BayRowTier

GOLDEN = (Path(__file__).parent / "data" / "baplie-3.1.1.edi").read_text()


def read(text: str, strict: bool = False) -> tuple[OnBoardPlan, list[str], list[Severity]]:
    interchange = read_interchange(text, strict=strict)
    plan = read_baplie(interchange.messages[0], interchange.problems)
    items = interchange.problems.items
    return plan, [str(p) for p in items], [p.severity for p in items]


def test_lost_and_blocked_slots_are_written_after_the_stowage() -> None:
    """Lost and blocked slots come last, each a LOC+147 with its FTX+AGW status."""
    plan, _, _ = read(GOLDEN)
    body = [str(s) for s in write_baplie(plan, "3.1.1")]
    assert body[-5:] == [
        "LOC+147+0020102:9711:5'",
        "FTX+AGW++LOST:STOWLOC:306'",
        "LOC+147+0100088:9711:5'",
        "FTX+AGW++BLOCKED:STOWLOC:306'",
        "CNT+8:7'",
    ]


def test_baplie_2_has_no_place_for_lost_slots() -> None:
    """Written as BAPLIE 2, a plan's lost and blocked slots are left out."""
    plan, _, _ = read(GOLDEN)
    assert not any("STOWLOC" in str(s) for s in write_baplie(plan, "2.2"))


def test_lost_slot_holding_a_container_keeps_the_container() -> None:
    """A slot marked LOST that holds a box is an error; the box is kept, the mark is not."""
    text = GOLDEN.replace(
        "LOC+147+0020282:9711:5'\n", "LOC+147+0020282:9711:5'\nFTX+AGW++LOST:STOWLOC:306'\n"
    )
    plan, problems, _ = read(text)
    assert any("reported LOST but holds a container" in p and "element 3.1" in p for p in problems)
    assert BayRowTier.parse("0020282") in plan.by_slot()
    assert BayRowTier.parse("0020282") not in plan.lost_slots
    with pytest.raises(EdiError):
        read(text, strict=True)


def test_unknown_slot_status_is_a_warning() -> None:
    """An FTX+AGW status other than LOST or BLOCKED is named in a warning."""
    plan, problems, severities = read(GOLDEN.replace("BLOCKED:STOWLOC", "RESERVED:STOWLOC"))
    assert severities == [Severity.WARNING]
    assert "RESERVED" in problems[0]
    assert plan.blocked_slots == ()


def test_container_count_mismatch_is_a_warning() -> None:
    """CNT+8 that does not count the boxes is a warning naming both numbers."""
    _, problems, severities = read(GOLDEN.replace("CNT+8:7'", "CNT+8:9'"))
    assert severities == [Severity.WARNING]
    assert "counts 9 containers; the message has 7" in problems[0]


def test_partial_plan_scope_is_read_from_either_component() -> None:
    """BGM+659 is a partial plan; its scope is read from component 4 or, as some send it, 3."""
    for bgm in ("BGM+659:::LOADONLY+BP0003+9'", "BGM+659::LOADONLY+BP0003+9'"):
        plan, problems, _ = read(GOLDEN.replace("BGM+658+BP0003+9'", bgm), strict=True)
        assert (plan.full, plan.partial_scope, problems) == (False, "LOADONLY", [])
    assert str(write_baplie(plan, "3.1.1")[0]) == "BGM+659:::LOADONLY+BP0003+9'"


def test_unknown_document_code_and_function_are_errors() -> None:
    """A BGM document code or message function OpenTOS does not know is an error naming it."""
    plan, problems, _ = read(GOLDEN.replace("BGM+658+BP0003+9'", "BGM+999+BP0003+77'"))
    assert any("element 1.1" in p and "'999'" in p for p in problems)
    assert any("element 3" in p and "'77'" in p for p in problems)
    assert plan.document_number == "BP0003"
