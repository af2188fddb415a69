"""Bounded reading: the problem limit, over-long segments, and the CLI's summary of problems."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from opentos.cli.edi import edi_app
from opentos.edi import syntax
from opentos.edi.api import read_document
from opentos.edi.problems import Problems, ReadingLimitReached, Severity
from opentos.edi.syntax import Segment, read_segments
from opentos.errors import EdiError
from opentos.model.onboard import OnBoardPlan

DATA = Path(__file__).parent / "data"
GOLDEN = (DATA / "baplie-2.2.edi").read_text()
DTM = "DTM+137:2603020800:201'\n"


def _with_stray_dtms(count: int) -> str:
    """The golden 2.2 bay plan with ``count`` DTM segments where none may be (before UNT)."""
    at = GOLDEN.index("UNT+")
    return GOLDEN[:at] + DTM * count + GOLDEN[at:]


def _unt_fixed(text: str) -> str:
    """``text`` with the UNT count put right, so that the stray segments are its only problems."""
    document = read_document(text, max_problems=None)
    count = document.messages[0].segments
    start = text.index("UNT+") + 4
    return text[:start] + str(count) + text[text.index("+", start) :]


def test_reading_stops_after_the_limit_with_an_error_saying_how_to_raise_it() -> None:
    """One problem more than max_problems: ReadingLimitReached with the problems so far."""
    text = _with_stray_dtms(50)
    with pytest.raises(ReadingLimitReached) as caught:
        read_document(text, source="stray.edi", max_problems=10)
    error = caught.value
    assert isinstance(error, EdiError)
    assert error.limit == 10
    assert len(error.items) == 11
    assert all("DTM is not expected here" in p.message for p in error.items[:10])
    last = error.items[-1]
    assert last.severity is Severity.ERROR
    assert "more than 10 errors" in last.message
    assert "--max-problems" in last.message
    assert "stray.edi: reading stopped after 10 errors" in str(error)
    assert "--max-problems" in str(error)
    assert len(error.problems) == 11


def test_a_file_with_as_many_problems_as_the_limit_is_read_whole() -> None:
    """The limit is the number of problems kept: exactly that many still reads."""
    text = _unt_fixed(_with_stray_dtms(12))
    document = read_document(text, max_problems=12)
    assert len(document.problems) == 12
    plan = document.messages[0].content
    assert isinstance(plan, OnBoardPlan)
    assert len(plan.stowage) > 0
    with pytest.raises(ReadingLimitReached):
        read_document(text, max_problems=11)


def test_the_default_limit_is_a_thousand_and_none_means_no_limit() -> None:
    """1,000 problems by default; ``max_problems=None`` reads every one."""
    text = _unt_fixed(_with_stray_dtms(1_001))
    with pytest.raises(ReadingLimitReached) as caught:
        read_document(text)
    assert caught.value.limit == 1_000
    assert len(read_document(text, max_problems=None).problems) == 1_001


def test_strict_reading_still_stops_at_the_first_problem() -> None:
    """Strict mode raises an ordinary EdiError at the first problem, whatever the limit."""
    with pytest.raises(EdiError) as caught:
        read_document(_with_stray_dtms(5), strict=True, max_problems=2)
    assert not isinstance(caught.value, ReadingLimitReached)
    assert len(caught.value.problems) == 1


def test_the_limits_must_be_positive() -> None:
    """A limit below 1 is refused when the reading is set up."""
    with pytest.raises(ValueError, match="max_problems >= 1"):
        Problems(max_problems=0)
    with pytest.raises(ValueError, match="max_segments >= 1"):
        Problems(max_segments=0)


def test_reading_stops_after_max_segments_in_either_mode() -> None:
    """One segment more than max_segments stops a lenient or strict reading, saying so."""
    count = len(read_segments(GOLDEN, Problems())[1])
    assert read_document(GOLDEN, max_segments=count, strict=True).problems == []
    for strict in (False, True):
        with pytest.raises(ReadingLimitReached) as caught:
            read_document(GOLDEN, source="plan.edi", max_segments=count - 1, strict=strict)
        error = caught.value
        assert (error.what, error.limit) == ("segments", count - 1)
        assert error.items[-1].segment == count
        assert "more than " + f"{count - 1:,} segments" in error.items[-1].message
        assert "--max-segments" in str(error)
        assert str(error).startswith(f"plan.edi: reading stopped after {count - 1:,} segments")


def test_an_over_long_segment_is_an_error_and_the_rest_is_read() -> None:
    """A segment longer than the limit is skipped unread; the other segments still map."""
    long = "FTX+AAA+++" + "A" * 300 + "'\n"
    at = GOLDEN.index("LOC+147")
    problems = Problems()
    _chars, segments = read_segments(
        GOLDEN[:at] + long + GOLDEN[at:], problems, max_segment_length=200
    )
    (problem,) = problems.items
    assert problem.severity is Severity.ERROR
    assert "a segment of 311 characters, longer than the 200" in problem.message
    assert problem.value == "FTX+AAA+++AAAAAAAAAA"
    assert "FTX" not in {s.tag for s in segments[: problem.segment or 0]}
    assert [s.number for s in segments] == sorted(s.number for s in segments)
    assert problem.segment is not None
    assert problem.segment not in {s.number for s in segments}


def test_a_file_without_terminators_is_rejected_without_splitting_it() -> None:
    """No segment terminator in 50,000 characters: one over-long segment, then no message."""
    data = b"UNB+UNOA:2+X+Y+260101:0000+1+" + b"A:" * 25_000
    with pytest.raises(EdiError) as caught:
        read_document(data)
    text = " | ".join(caught.value.problems)
    assert "a segment of 50,029 characters, longer than the 20,000" in text
    assert "no message" in text


def test_a_run_of_released_terminators_is_one_over_long_segment() -> None:
    """``?'`` repeated: the released terminators do not end the segment, which grows too long."""
    problems = Problems()
    _chars, segments = read_segments(
        "UNH+1+X'FTX+AAA+++" + "?'" * 500 + "'UNT+3+1'", problems, max_segment_length=100
    )
    assert [s.tag for s in segments] == ["UNH", "UNT"]
    (problem,) = problems.items
    assert "a segment of 1,010 characters" in problem.message
    assert problem.segment == 2


@given(
    st.lists(
        st.sampled_from(["LOC+147+0010082::5", "FTX+AAA+++O?'BRIEN?'", "MEA+WT++KGM:1", "", " \n"]),
        max_size=30,
    ),
    st.sampled_from(["", "'", "?", "??'"]),
    st.integers(min_value=41, max_value=200),
)
def test_segments_are_the_same_whatever_the_window(parts: list[str], end: str, window: int) -> None:
    """Splitting a window at a time gives the segments and problems of splitting at once."""
    text = "'".join(parts) + end

    def read(size: int) -> tuple[list[tuple[int, Segment]], list[str]]:
        original = syntax._WINDOW
        syntax._WINDOW = size
        try:
            problems = Problems(max_problems=None)
            _chars, segments = read_segments(text, problems, max_segment_length=40)
        finally:
            syntax._WINDOW = original
        return [(s.number, s) for s in segments], [str(p) for p in problems.items]

    # a window is never shorter than the longest segment allowed (40), so 1 means 41
    assert read(1) == read(1 << 20)
    assert read(window) == read(1 << 20)


def test_golden_files_read_the_same_in_small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every golden file: the same segments split in windows of 64 characters."""
    for path in sorted(DATA.glob("*.edi")):
        data = path.read_bytes()
        whole = read_segments(data, Problems())[1]
        monkeypatch.setattr(syntax, "_WINDOW", 64)
        windowed = read_segments(data, Problems())[1]
        monkeypatch.undo()
        assert [(s.number, s) for s in windowed] == [(s.number, s) for s in whole], path.name


def test_problems_found_while_mapping_count_towards_the_limit() -> None:
    """Bad check digits are found by the message reader; they stop the reading as well."""
    numbers = re.findall(r"EQD\+CN\+([A-Z]{4}\d{7})", GOLDEN)[:2]
    text = GOLDEN
    for number in numbers:
        text = text.replace(number, number[:-1] + str((int(number[-1]) + 1) % 10))
    assert len(read_document(text).errors) == 2
    with pytest.raises(ReadingLimitReached) as caught:
        read_document(text, max_problems=1)
    assert "check digit" in str(caught.value.items[0])


# --- the CLI's summary ----------------------------------------------------------------------

runner = CliRunner()


def test_validate_lists_the_first_problems_then_counts_by_kind(tmp_path: Path) -> None:
    """`edi validate --show 5`: five problems, "and N more", a count per kind, the totals."""
    path = tmp_path / "stray.edi"
    path.write_text(_unt_fixed(_with_stray_dtms(30)))
    wide = {"COLUMNS": "200"}
    result = runner.invoke(edi_app, ["validate", str(path), "--show", "5"], env=wide)
    assert result.exit_code == 1
    out = result.stdout
    assert out.count("error: segment") == 5
    assert "… and 25 more (--json lists every one)" in out
    assert "problems by kind" in out
    assert re.search(r"│ +30 │ error +│ DTM is not expected here in BAPLIE D95B", out)
    assert "30 error(s), 0 warning(s) (read)" in out
    every = runner.invoke(edi_app, ["validate", str(path), "--show", "30"], env=wide)
    assert every.stdout.count("error: segment") == 30
    assert "more (--json" not in every.stdout
    assert "by kind" not in every.stdout


def test_problem_values_are_printed_as_they_are(tmp_path: Path) -> None:
    """A value that looks like console markup is printed literally, not interpreted."""
    path = tmp_path / "markup.edi"
    path.write_text(GOLDEN.replace("EQD+CN+MSCU1234566", "EQD+CN+[bold]MSCU1234566"))
    result = runner.invoke(edi_app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "[bold]MSCU1234566" in result.stdout


def test_validate_json_lists_every_problem(tmp_path: Path) -> None:
    """`edi validate --json`: every problem, with the counts, and no limit reached."""
    path = tmp_path / "stray.edi"
    path.write_text(_unt_fixed(_with_stray_dtms(30)))
    result = runner.invoke(edi_app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    decoded = json.loads(result.stdout)
    assert decoded["errors"] == 30
    assert decoded["limit_reached"] is None
    assert len(decoded["problems"]) == 30
    assert decoded["problems"][0]["tag"] == "DTM"


def test_validate_stops_at_max_problems_and_says_so(tmp_path: Path) -> None:
    """`--max-problems 10`: exit 1, the summary of what was read, and how to raise the limit."""
    path = tmp_path / "stray.edi"
    path.write_text(_with_stray_dtms(100))
    result = runner.invoke(edi_app, ["validate", str(path), "--max-problems", "10"])
    assert result.exit_code == 1
    assert "reading stopped after 10 errors" in result.stderr
    assert "--max-problems" in result.stderr
    assert "(read until the limit)" in result.stdout
    as_json = runner.invoke(edi_app, ["validate", str(path), "--max-problems", "10", "--json"])
    assert as_json.exit_code == 1
    decoded = json.loads(as_json.stdout)
    assert decoded["limit_reached"] == {"what": "problems", "limit": 10}
    assert len(decoded["problems"]) == 11
    parsed = runner.invoke(edi_app, ["parse", str(path), "--max-problems", "10"])
    assert parsed.exit_code == 1
    assert "reading stopped after 10 errors" in parsed.stderr
    # the reading stops before the import opens the database
    imported = runner.invoke(edi_app, ["import", str(path), "--max-problems", "10"])
    assert imported.exit_code == 1
    assert "reading stopped after 10 errors" in imported.stderr
    assert "(read until the limit)" in imported.stderr


def test_validate_stops_at_max_segments(tmp_path: Path) -> None:
    """`--max-segments 20`: exit 1, and the error names the segment limit."""
    path = tmp_path / "plan.edi"
    path.write_text(GOLDEN)
    result = runner.invoke(edi_app, ["validate", str(path), "--max-segments", "20", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["limit_reached"] == {"what": "segments", "limit": 20}
    assert "reading stopped after 20 segments" in result.stderr
    assert "--max-segments" in result.stderr


def _split_then_rejoin(body: str) -> list[str]:
    """The pieces as the reader found them before it streamed: split, released splits undone."""
    out: list[str] = []
    carry: str | None = None
    for piece in body.split("'"):
        current = piece if carry is None else carry + "'" + piece
        if (len(current) - len(current.rstrip("?"))) % 2 == 1:
            carry = current
        else:
            out.append(current)
            carry = None
    if carry is not None:
        out.append(carry)
    last = out.pop()
    if last.strip(" \t\r\n"):
        out.append(last)
    return out


@given(st.text(alphabet="a?' \n", max_size=40))
def test_released_terminators_are_found_as_splitting_then_rejoining_did(body: str) -> None:
    """The regular expression ends pieces exactly where split-and-rejoin did."""
    tail: list[bool] = []
    assert list(syntax._pieces(body, 0, "'", "?", 1_000, tail)) == _split_then_rejoin(body)
    assert list(syntax._pieces(body, 0, "'", None, 1_000, [])) == [
        p for i, p in enumerate(body.split("'")) if i < body.count("'") or p.strip(" \t\r\n")
    ]


def test_warnings_never_stop_a_reading_and_beyond_the_limit_are_only_counted() -> None:
    """A file may have a warning on every box: kept up to the limit, then counted; errors stop."""
    problems = Problems("w.edi", max_problems=10)
    for i in range(25):
        problems.warning(f"old code {i}")
    assert len(problems.items) == 10
    assert problems.unlisted_warnings == 15
    for i in range(10):
        problems.error(f"bad {i}")
    with pytest.raises(ReadingLimitReached, match="after 10 errors"):
        problems.error("one too many")
