"""CUSRES customs responses: golden, writing, round trips, broken input, latest status, import."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from edi_helpers import edited, golden_text, run_edi
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.cusres import cusres_interchange, read_cusres, write_cusres
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.customs import (
    CustomsResponse,
    CustomsStatus,
    ResponseItem,
    latest_statuses,
)
from opentos.model.ids import ContainerNumber
from opentos.presets import load_preset
from opentos.storage.store import Store

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 10, 8, 30, tzinfo=UTC)
N = ContainerNumber.parse


def golden() -> str:
    return golden_text("cusres.edi")


def read(text: str, strict: bool = False) -> tuple[list[CustomsResponse | None], Problems]:
    interchange = read_interchange(text, strict=strict)
    found = [read_cusres(m, interchange.problems) for m in interchange.messages]
    return found, interchange.problems


SCAN = CustomsResponse(
    "CR2503100001",
    "MAN2503090001",
    CustomsStatus.SCAN,
    (ResponseItem(N("MSCU7654329")),),
    "RISK PROFILE 12 - NON-INTRUSIVE SCAN",
    WHEN,
)
RELEASE = CustomsResponse(
    "CR2503100002",
    "MAN2503090001",
    CustomsStatus.RELEASED,
    (
        ResponseItem(N("MEDU4829137"), "MEDUKR1234568"),
        ResponseItem(N("TGHU7302150"), "MEDUKR1234568"),
    ),
    at=datetime(2025, 3, 10, 8, 45, tzinfo=UTC),
)


def test_golden_reads_strictly() -> None:
    """The golden's two messages read strictly: a scan of one box, a release of a B/L's two."""
    responses, problems = read(golden(), strict=True)
    assert problems.items == []
    assert responses == [SCAN, RELEASE]
    assert {n: d.status for n, d in latest_statuses([SCAN, RELEASE]).items()} == {
        N("MSCU7654329"): CustomsStatus.SCAN,
        N("MEDU4829137"): CustomsStatus.RELEASED,
        N("TGHU7302150"): CustomsStatus.RELEASED,
    }


def test_golden_writes_back_to_its_segments() -> None:
    """Golden -> responses -> write gives exactly the golden's body segments, message by message."""
    interchange = read_interchange(golden(), strict=True)
    for message in interchange.messages:
        response = read_cusres(message, interchange.problems)
        assert response is not None
        assert write_cusres(response) == list(message.body)


def test_the_latest_decision_of_a_container_wins() -> None:
    """A later release replaces a hold; an undated decision never replaces a dated one."""
    box = ResponseItem(N("MSCU7654329"))
    held = CustomsResponse("A", "M", CustomsStatus.HELD, (box,), "SEAL BROKEN", WHEN)
    released = CustomsResponse("B", "M", CustomsStatus.RELEASED, (box,), at=WHEN + timedelta(1))
    undated = CustomsResponse("C", "M", CustomsStatus.INSPECTION, (box,))
    latest = latest_statuses([released, held, undated])[N("MSCU7654329")]
    assert (latest.status, latest.response) == (CustomsStatus.RELEASED, "B")
    assert latest_statuses([undated, held])[N("MSCU7654329")].reason == "SEAL BROKEN"


def test_a_response_about_nothing_is_refused() -> None:
    """A response must name a container or a B/L; an item naming neither raises InvalidValue."""
    with pytest.raises(InvalidValue):
        CustomsResponse("A", "M", CustomsStatus.HELD, ())
    with pytest.raises(InvalidValue):
        ResponseItem()


_NUMBERS = [ContainerNumber.from_parts("TCL", "U", s) for s in range(100_000, 100_010)]


@st.composite
def responses(draw: st.DrawFn) -> CustomsResponse:
    numbers = iter(draw(st.permutations(_NUMBERS)))
    items = [ResponseItem(next(numbers)) for _ in range(draw(st.integers(0, 3)))]
    for k in range(draw(st.integers(0 if items else 1, 3))):
        boxes = draw(st.integers(0, 2))
        bill = f"BL-{k}"
        items += [ResponseItem(next(numbers), bill) for _ in range(boxes)] or [
            ResponseItem(None, bill)
        ]
    reason = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
    return CustomsResponse(
        draw(st.text("ABC0123456789/-", min_size=1, max_size=20)),
        draw(st.text("MAN0123456789", min_size=1, max_size=20)),
        draw(st.sampled_from(list(CustomsStatus))),
        tuple(items),
        draw(st.none() | reason.map(str.strip).filter(bool)),
        draw(st.sampled_from([None, WHEN])),
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(responses(), min_size=1, max_size=3))
def test_generated_responses_round_trip(found: list[CustomsResponse]) -> None:
    """Responses written as CUSRES messages read back strictly to equal responses."""
    text = cusres_interchange(tuple(found), sender="C", recipient="T", reference="1", prepared=WHEN)
    assert read(text, strict=True)[0] == found


def broken(old: str, new: str) -> str:
    return edited("cusres.edi", old, new)


def test_bad_check_digit_leaves_that_container_out() -> None:
    """A container number with a wrong check digit is an error at EQD 2.1; the rest is read."""
    (scan, release), problems = read(broken("EQD+CN+TGHU7302150", "EQD+CN+TGHU7302151"))
    assert scan == SCAN
    assert release is not None
    assert [i.container for i in release.items] == [N("MEDU4829137")]
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element) == (17, "EQD", "2.1")


def test_unknown_indicator_is_a_warning_and_no_decision_an_error() -> None:
    """A processing indicator OpenTOS does not read warns at GIS 1.1; without a decision, error."""
    (scan, _), problems = read(broken("GIS+5:::XRAY", "GIS+3"))
    assert scan is None
    assert [(p.severity, p.tag, p.element) for p in problems.items] == [
        ("warning", "GIS", "1.1"),
        ("error", "BGM", "2"),
    ]


def test_two_decisions_in_one_message_are_an_error() -> None:
    """A message with two different decisions is an error at the second GIS."""
    (_, release), problems = read(broken("GIS+4'", "GIS+4'\nGIS+7'"))
    assert release is None
    assert [(p.tag, p.value) for p in problems.errors] == [("GIS", "7")]


def test_examination_without_process_type_is_an_inspection() -> None:
    """GIS 5 without a process type is a physical inspection."""
    (scan, _), problems = read(broken("GIS+5:::XRAY", "GIS+5"))
    assert problems.items == []
    assert scan is not None
    assert scan.status is CustomsStatus.INSPECTION


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("EQD+CN+MSCU7654329", "EQD+CN+MSCU 7654329"),
        ("RFF+ACW:MAN2503090001'\nUNT+8", "UNT+8"),
        ("BGM+962+", "BGM+999+"),
        ("DTM+137:202503100830", "DTM+137:2025031008"),
        ("GIS+4", "GIS+42"),
        ("EQD+CN+MEDU4829137", "EQD+RR+MEDU4829137"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError on each broken variant; lenient reading never crashes."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
    read(broken(old, new))


# --- import through the real command --------------------------------------------------------


def edi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_edi(*args, url=url)


def test_import_keeps_each_decision_once_and_the_latest_version_wins(tmp_path: Path) -> None:
    """CUSRES import keeps each response by reference; a broken file changes nothing."""
    url = f"sqlite:///{tmp_path / 'customs.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    bad = tmp_path / "bad.edi"
    bad.write_text(broken("EQD+CN+TGHU7302150", "EQD+CN+TGHU7302151"))
    refused = edi(url, "import", str(bad))
    assert refused.returncode == 1
    assert "(EQD), element 2.1" in refused.stderr
    with Store.open(url) as store:
        assert store.documents("customs_response") == []
    first = edi(url, "import", str(DATA / "cusres.edi"))
    assert first.returncode == 0, first.stderr
    assert "customs_response:CR2503100001, customs_response:CR2503100002" in first.stdout
    again = edi(url, "import", str(DATA / "cusres.edi"))
    assert "imported before; nothing changed" in again.stdout
    held = CustomsResponse(
        "CR2503100001", "MAN2503090001", CustomsStatus.HELD, SCAN.items, "X-RAY ANOMALY",
        WHEN + timedelta(hours=2),
    )  # fmt: skip
    update = tmp_path / "update.edi"
    update.write_text(
        cusres_interchange(held, sender="CNCUSTOMS", recipient="T", reference="CRS0002",
                           prepared=WHEN)
    )  # fmt: skip
    assert edi(url, "import", str(update)).returncode == 0
    with Store.open(url) as store:
        kept = store.documents("customs_response")
    assert len(kept) == 2
    assert kept[0] == held.to_dict()
    assert kept[0]["containers"] == {"MSCU7654329": "held"}


@settings(max_examples=50, deadline=None)
@given(responses())
def test_a_kept_response_reads_back_from_its_dict(response: CustomsResponse) -> None:
    """A response kept as a document (to_dict) reads back equal with from_dict."""
    assert CustomsResponse.from_dict(response.to_dict()) == response
