"""Message tables, the group reader and the interchange envelope."""

from __future__ import annotations

from pathlib import Path

import pytest

from opentos.edi import envelope
from opentos.edi.envelope import MessageHeader, read_interchange, write_interchange
from opentos.edi.problems import Problems, Severity
from opentos.edi.structure import G, MessageSpec, Node, S, parse_body
from opentos.edi.syntax import Segment, read_segments, serialize
from opentos.errors import EdiError

SPEC = MessageSpec(
    "TSTMSG",
    "D95B",
    "TEST1",
    (
        S("BGM", "M"),
        S("DTM", "M"),
        G("SG1", "M", 2, (S("TDT", "M"), S("LOC", "M", 2))),
        G(
            "SG2",
            "C",
            99,
            (
                S("LOC", "M", 1, ("147",)),
                S("MEA", "M", 2),
                S("LOC", "C", 3, ("9", "11")),
                G("SG3", "C", 2, (S("EQD", "M"), S("NAD", "C"))),
            ),
        ),
        S("CNT", "C"),
    ),
)
BODY = (
    "BGM++1+9'DTM+137:202611211200:203'TDT+20+V1'LOC+5+CNTAO'"
    "LOC+147+0120382'MEA+WT++KGM:1'LOC+9+CNSHA'EQD+CN+A'NAD+CA+X'EQD+CN+B'"
    "LOC+147+0120384'MEA+WT++KGM:2'CNT+8:2'"
)


def _tree(text: str, strict: bool = False) -> tuple[Node, Problems]:
    problems = Problems(strict=strict)
    _c, segments = read_segments(text, problems)
    return parse_body(SPEC, segments, problems), problems


def _shape(node: Node) -> list[object]:
    return [
        item.tag if isinstance(item, Segment) else (item.name, _shape(item)) for item in node.items
    ]


def test_groups_follow_the_table() -> None:
    """Segments land in the groups the table puts them in, a new group at each trigger."""
    tree, problems = _tree(BODY)
    assert problems.items == []
    assert _shape(tree) == [
        "BGM",
        "DTM",
        ("SG1", ["TDT", "LOC"]),
        ("SG2", ["LOC", "MEA", "LOC", ("SG3", ["EQD", "NAD"]), ("SG3", ["EQD"])]),
        ("SG2", ["LOC", "MEA"]),
        "CNT",
    ]
    slots = tree.groups("SG2")
    assert [g.trigger.el(2) for g in slots] == ["0120382", "0120384"]
    assert slots[0].segment("LOC", "9") is not None
    assert [s.el(2) for s in slots[0].groups("SG3")[0].flatten()] == ["A", "X"]


def test_qualifier_separates_a_new_group_from_a_segment_of_the_open_one() -> None:
    """An empty slot (LOC+147 then LOC+147) opens two groups, not a port LOC."""
    tree, problems = _tree("BGM'DTM'TDT'LOC'LOC+147+1'LOC+147+2'MEA+WT'")
    assert [g.trigger.el(2) for g in tree.groups("SG2")] == ["1", "2"]
    assert [str(p) for p in problems.items] == ["segment 5 (LOC): mandatory MEA is missing in SG2"]


def test_out_of_place_missing_and_repeated_segments_are_problems() -> None:
    """Unexpected segments, too many repeats and missing mandatory ones are named."""
    text = "BGM'TDT'LOC+5'LOC+6'LOC+7'FOO+1'LOC+147+1'MEA'MEA'MEA'LOC+ZZ+X'"
    tree, problems = _tree(text)
    found = [(p.segment, p.tag, p.severity) for p in problems.items]
    assert (5, "LOC", Severity.WARNING) in found  # third LOC in SG1, max 2
    assert (6, "FOO", Severity.ERROR) in found
    assert (10, "MEA", Severity.WARNING) in found  # third MEA, max 2
    assert (11, "LOC", Severity.WARNING) in found  # unknown qualifier ZZ, kept as a port
    assert any("mandatory DTM is missing" in p.message for p in problems.items)
    assert tree.groups("SG2")[0].segment("LOC", "ZZ") is not None
    with pytest.raises(EdiError, match="segment 5"):
        _tree(text, strict=True)


@pytest.fixture
def test_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry knows the test message."""
    monkeypatch.setattr(
        envelope, "find_spec", lambda t, d, a: (SPEC, a == "TEST1") if t == "TSTMSG" else (None, 0)
    )


@pytest.mark.usefixtures("test_spec")
def test_envelope_round_trip_fills_counts() -> None:
    """write_interchange fills UNT and UNZ counts; the reading checks them without problems."""
    from datetime import UTC, datetime

    _c, body = read_segments(BODY, Problems())
    text = write_interchange(
        [(MessageHeader("M1", "TSTMSG", "D", "95B", "UN", "TEST1"), body)],
        sender="OPENTOS",
        recipient="LINE",
        reference="42",
        prepared=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
    )
    assert "UNT+15+M1'" in text
    assert text.rstrip().endswith("UNZ+1+42'")
    interchange = read_interchange(text, strict=True)
    assert interchange.sender == "OPENTOS"
    assert interchange.reference == "42"
    assert interchange.prepared == "261121:1200"
    (message,) = interchange.messages
    assert message.header.directory == "D95B"
    assert message.body == body
    assert message.tree is not None
    assert len(message.tree.groups("SG2")) == 2


@pytest.mark.usefixtures("test_spec")
def test_envelope_faults_are_warnings_in_lenient_mode() -> None:
    """No UNB, a wrong UNT count and an unknown association code are read, with warnings."""
    text = "UNH+1+TSTMSG:D:95B:UN:OTHER'" + BODY + "UNT+99+1'"
    interchange = read_interchange(text)
    messages = [str(p) for p in interchange.problems.items]
    assert all(p.severity is Severity.WARNING for p in interchange.problems.items), messages
    assert any("no UNB" in m for m in messages)
    assert any("UNT counts 99 segments; message 1 has 15" in m for m in messages)
    assert any("association code 'OTHER'" in m for m in messages)
    assert interchange.messages[0].tree is not None
    with pytest.raises(EdiError):
        read_interchange(text, strict=True)


@pytest.mark.usefixtures("test_spec")
def test_unknown_message_and_no_message_are_edi_errors() -> None:
    """A message OpenTOS does not read is an error; a file without any message raises."""
    interchange = read_interchange("UNH+1+IFTSTA:D:99B:UN'BGM'UNT+3+1'")
    assert "not one OpenTOS reads" in str(interchange.problems.errors[0])
    with pytest.raises(EdiError, match="no message"):
        read_interchange("hello world")


GOLDEN = sorted((Path(__file__).parent / "data").glob("*.edi"))


@pytest.mark.parametrize("golden", GOLDEN, ids=[p.name for p in GOLDEN])
def test_every_golden_segment_lands_in_the_tree(golden: Path) -> None:
    """Each golden file reads strictly; its tree holds every segment in order, and rewriting
    the segments gives the file's segments again."""
    interchange = read_interchange(golden.read_bytes(), strict=True)
    for message in interchange.messages:
        assert message.tree is not None
        assert list(message.tree.flatten()) == message.body
        rewritten = serialize(message.body)
        _c, again = read_segments(rewritten, Problems(strict=True))
        assert again == message.body
