"""ISO 9735 syntax: tokenising, service string advice, release characters, writing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.problems import Problems, Severity
from opentos.edi.syntax import Segment, characters, read_segments, serialize
from opentos.errors import EdiError


def _read(text: str | bytes, strict: bool = False) -> tuple[list[Segment], Problems]:
    problems = Problems(strict=strict)
    _chars, segments = read_segments(text, problems)
    return segments, problems


def test_segments_elements_and_components_are_split() -> None:
    """A segment splits into data elements on + and components on :."""
    segments, problems = _read("UNA:+.? 'LOC+147+0120382::5'MEA+VGM++KGM:23450'")
    assert problems.items == []
    assert segments == [
        Segment("LOC", (("147",), ("0120382", "", "5"))),
        Segment("MEA", (("VGM",), (), ("KGM", "23450"))),
    ]
    assert [s.number for s in segments] == [1, 2]
    assert segments[1].el(3, 2) == "23450"
    assert segments[1].el(9) == ""


def test_release_character_keeps_service_characters_in_values() -> None:
    """?' ?+ ?: and ?? are data, not separators (pydifact tokenises such segments)."""
    segments, problems = _read("FTX+AAA+++O?'BRIEN ?+ 1?:2 ??'NAD+CA+X'")
    assert problems.items == []
    assert segments[0].el(4) == "O'BRIEN + 1:2 ?"
    assert segments[1] == Segment.of("NAD", "CA", "X")


def test_una_changes_the_service_characters() -> None:
    """The UNA service string advice sets separators, release and terminator."""
    text = "UNA*|,# !LOC|147|0120382*|5!FTX|AAA|||A#!B!"
    segments, problems = _read(text)
    assert problems.items == []
    assert segments[0].elements == (("147",), ("0120382",), ("5",))
    assert segments[1].el(4) == "A!B"


def test_bom_line_breaks_and_missing_terminator_are_read_with_warnings() -> None:
    """A UTF-8 BOM, CR/LF and blanks between segments and no final terminator are tolerated."""
    data = "\ufeffUNB+UNOA:2+A+B+261121:1200+1'\r\n  UNH+1+X'\nUNT+2+1".encode()
    segments, problems = _read(data)
    assert [s.tag for s in segments] == ["UNB", "UNH", "UNT"]
    assert {p.severity for p in problems.items} == {Severity.WARNING}
    messages = " | ".join(str(p) for p in problems.items)
    assert "byte-order mark" in messages
    assert "blanks between segments" in messages
    assert "no terminator" in messages


def test_strict_reading_raises_at_the_first_problem() -> None:
    """Strict mode raises EdiError with the segment number where lenient mode goes on."""
    text = "LOC+147+1'lo+1'MEA+WT'"
    segments, problems = _read(text)
    assert [s.tag for s in segments] == ["LOC", "MEA"]
    assert problems.items[0].segment == 2
    with pytest.raises(EdiError, match="segment 2"):
        _read(text, strict=True)


def test_charset_from_unb_decodes_latin_1() -> None:
    """UNOC interchanges are ISO 8859-1."""
    data = "UNB+UNOC:3+A+B+261121:1200+1'NAD+CZ+++MÜLLER'".encode("latin-1")
    segments, problems = _read(data)
    assert problems.items == []
    assert segments[1].el(4) == "MÜLLER"


def test_invalid_bytes_are_an_error_not_a_crash() -> None:
    """Bytes that are not valid in the declared character set are reported."""
    segments, problems = _read(b"UNB+UNOA:2+A+B+1+1'FTX+\xff'")
    assert [s.tag for s in segments] == ["UNB", "FTX"]
    assert problems.errors


def test_serialize_releases_service_characters_and_trims() -> None:
    """Writing escapes service characters and leaves out trailing empty elements."""
    seg = Segment.of("FTX", "AAA", None, "", ("O'B+1:2?", "", ""), None)
    assert serialize([seg], with_una=False) == "FTX+AAA+++O?'B?+1?:2??'"
    assert serialize([Segment.of("UNT", "2", "1")]) == "UNA:+.? 'UNT+2+1'"


_values = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="\r\n\t"), max_size=12
).map(str.strip)
_segments = st.builds(
    Segment.of,
    st.from_regex(r"[A-Z]{3}", fullmatch=True),
    *[st.lists(_values, min_size=1, max_size=3) for _ in range(3)],
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_segments, min_size=1, max_size=6), st.booleans())
def test_write_then_read_is_the_identity(segments: list[Segment], breaks: bool) -> None:
    """Any segments, written and read back, are the same segments."""
    text = serialize(segments, characters(), line_breaks=breaks)
    read, problems = _read(text)
    assert problems.errors == []
    assert read == segments


_plain_values = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="\r\n\t'+:?"), max_size=12
).map(str.strip)
_plain_segments = st.builds(
    Segment.of,
    st.from_regex(r"[A-Z]{3}", fullmatch=True),
    *[st.lists(_plain_values, min_size=1, max_size=3) for _ in range(3)],
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_plain_segments, min_size=1, max_size=6))
def test_fast_split_agrees_with_pydifact_tokenizer(segments: list[Segment]) -> None:
    """Segments split with str.split equal those pydifact's tokenizer gives for the same text."""
    from opentos.edi.syntax import _tokenise, _trim

    chars = characters()
    text = serialize(segments, chars, with_una=False)
    fast, problems = _read(text)
    assert problems.items == []
    assert fast == segments
    raws = text.split("'")[:-1]
    for raw, seg in zip(raws, fast, strict=True):
        elements = _tokenise(raw, chars, Problems(), 0)
        assert Segment(elements[0][0], _trim(tuple(elements[1:]))) == seg
