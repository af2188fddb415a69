"""BAPLIE 2.1.1, 2.2 and 3.1.1: goldens, round trips, lenient and strict reading."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import Interchange, read_interchange
from opentos.edi.messages.baplie import (
    VERSIONS,
    Version,
    baplie_interchange,
    generate_onboard_plan,
    read_baplie,
    version_of,
    write_baplie,
)
from opentos.edi.problems import Severity
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.onboard import OnBoardPlan, PlanFunction, Stowed
from opentos.model.slots import BayRowTier

DATA = Path(__file__).parent / "data"
PREPARED = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)

GOLDEN_VERSIONS: tuple[Version, ...] = ("2.1.1", "2.2", "3.1.1")
"""The versions with a golden file in tests/edi/data (the others: test_edi_versions)."""


def golden(version: str) -> str:
    return (DATA / f"baplie-{version}.edi").read_text()


def read(text: str, strict: bool = False) -> tuple[OnBoardPlan, Interchange]:
    interchange = read_interchange(text, strict=strict)
    return read_baplie(interchange.messages[0], interchange.problems), interchange


def brt(code: str) -> BayRowTier:
    return BayRowTier.parse(code)


def round_trip(plan: OnBoardPlan, version: Version) -> OnBoardPlan:
    text = baplie_interchange(
        plan, sender="OPENTOS", recipient="HLC", reference="R1", prepared=PREPARED, version=version
    )
    back, interchange = read(text, strict=True)
    assert interchange.problems.items == []
    return back


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_reads_strictly_without_problems(version: str) -> None:
    """Each golden file reads strictly, with no problem at all, as its own version."""
    plan, interchange = read(golden(version), strict=True)
    assert interchange.problems.items == []
    assert version_of(interchange.messages[0]) == version
    assert len(plan.stowage) == 8


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_header_maps_to_vessel_voyage_ports_and_times(version: str) -> None:
    """The header gives vessel, voyage, carrier, the two ports and their times."""
    plan, _ = read(golden(version))
    assert plan.vessel_name == "OPENTOS TRADER"
    if version == "2.1.1":
        assert (plan.call_sign, plan.imo_number) == ("9HA2345", None)
    else:
        assert (plan.imo_number, plan.call_sign) == ("9321483", None)
    assert (plan.carrier, plan.voyage) == ("MSC", "012E")
    assert plan.departure_port == UnLocode.parse("CNTAO")
    assert plan.next_port == UnLocode.parse("KRPUS")
    assert plan.arrived_at == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert plan.departed_at == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert plan.next_port_eta == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    assert plan.prepared_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert plan.function is PlanFunction.ORIGINAL
    assert plan.full


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_boxes_map_to_concrete_values(version: str) -> None:
    """Weights, ports, reefer, dangerous goods, out-of-gauge and empties map as written."""
    plan, _ = read(golden(version))
    slots = plan.by_slot()
    (dry,) = slots[brt("0010082")]
    assert dry.number == ContainerNumber.parse("MSCU1234566")
    assert dry.iso_type.code == "22G1"
    assert (dry.operator, dry.full_empty) == ("MSC", FullEmpty.FULL)
    assert dry.gross_weight_kg == 21500
    assert dry.vgm_kg == (None if version == "2.1.1" else 21480)
    assert dry.port_of_loading == UnLocode.parse("CNTAO")
    assert dry.port_of_discharge == UnLocode.parse("KRPUS")
    (reefer,) = slots[brt("0010084")]
    assert reefer.reefer == ReeferSetting(-18.0)
    assert reefer.place_of_delivery == UnLocode.parse("MYPKG")
    (empty,) = slots[brt("0020282")]
    assert empty.is_empty
    assert empty.gross_weight_kg == 3900
    assert empty.operator == "CMA"
    (flat,) = slots[brt("0020302")]
    assert flat.oog == OutOfGauge(over_left_mm=100, over_height_mm=450)
    (tank,) = slots[brt("0050102")]
    assert tank.dangerous_goods == (DangerousGoods("3", 1263, PackingGroup.II, 23.0),)
    bundle = slots[brt("0060402")]
    assert [str(b.number) for b in bundle] == ["TRIU6123453", "TRIU6123469"]
    assert slots[brt("0090382")] == ()
    handling = {str(s.slot): s.handling for s in plan.stowage if s.handling}
    assert handling == {"0010084": ("KC",)}
    cargo = [s for s in plan.stowage if s.container is None]
    assert [c.description for c in cargo] == ["STEEL COILS"]


def test_bundle_weight_goes_to_first_box_in_baplie_2() -> None:
    """BAPLIE 2 gives a bundle one weight: the first box has it, the others none."""
    plan, _ = read(golden("2.2"))
    first, second = plan.by_slot()[brt("0060402")]
    assert (first.gross_weight_kg, second.gross_weight_kg) == (11600, None)
    assert [s.weight_kg for s in plan.stowage if s.container is None] == [12000]


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_to_domain_to_edi_gives_the_golden_segments(version: str) -> None:
    """Writing the plan read from a golden gives exactly the golden's body segments."""
    plan, interchange = read(golden(version))
    message = interchange.messages[0]
    assert write_baplie(plan, version_of(message)) == list(message.body)


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_plan_round_trips_through_its_interchange(version: Version) -> None:
    """Domain → interchange → domain gives the same plan."""
    plan, _ = read(golden(version))
    assert round_trip(plan, version) == plan


def test_to_dict_is_json_with_every_slot() -> None:
    """to_dict is JSON-ready and lists every slot with its container and the unusable slots."""
    plan, _ = read(golden("3.1.1"))
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["imo_number"] == "9321483"
    assert len(data["stowage"]) == 8
    first = data["stowage"][0]
    assert first["slot"] == "0010082"
    assert first["container"]["number"] == "MSCU1234566"
    assert first["container"]["vgm_kg"] == 21480
    assert data["lost_slots"] == ["0020102"]
    assert data["blocked_slots"] == ["0100088"]


# ---------------------------------------------------------------- property


@st.composite
def boxes(draw: st.DrawFn, serial: int, version: str) -> Container:
    code = draw(st.sampled_from(["22G1", "45G1", "22R1", "45R1", "42P1", "22U1", "22T6"]))
    size_type = SizeType.parse(code)
    kind = size_type.kind.value
    gross = draw(st.none() | st.integers(1000, 40000))
    vgm = None if version not in ("2.2", "3.1.1") else draw(st.none() | st.integers(1000, 40000))
    ports = st.none() | st.sampled_from(["CNTAO", "KRPUS", "NLRTM", "USLAX"]).map(UnLocode.parse)
    oog = None
    if kind in ("flat_rack", "open_top") and draw(st.booleans()):
        oog = OutOfGauge(over_height_mm=draw(st.integers(1, 200)) * 10)
    dg = draw(
        st.lists(
            st.builds(
                DangerousGoods,
                st.sampled_from(["3", "8", "2.1", "6.1"]),
                st.integers(1000, 3500),
                st.none() | st.sampled_from(list(PackingGroup)),
                st.none() | st.integers(-40, 90).map(float),
            ),
            max_size=2,
        )
    )
    return Container(
        number=ContainerNumber.from_parts("OTS", "U", serial),
        iso_type=size_type,
        operator=draw(st.sampled_from(["MSC", "CMA", "HLC"])),
        full_empty=draw(st.sampled_from(list(FullEmpty))),
        gross_weight_kg=gross,
        vgm_kg=vgm,
        port_of_loading=draw(ports),
        port_of_discharge=draw(ports),
        place_of_delivery=draw(ports),
        reefer=ReeferSetting(draw(st.integers(-30, 25)) / 2) if kind == "reefer" else None,
        dangerous_goods=tuple(dg),
        oog=oog,
    )


@st.composite
def plans(draw: st.DrawFn, version: str) -> OnBoardPlan:
    v3 = version == "3.1.1"
    positions = draw(
        st.lists(
            st.builds(BayRowTier, st.integers(1, 40), st.integers(0, 20), st.integers(1, 98)),
            unique=True,
            max_size=12,
        )
    )
    stowage: list[Stowed] = []
    serial = 0
    unusable = positions[:2] if v3 else []
    for position in positions[len(unusable) :]:
        if draw(st.integers(0, 9)) == 0:
            weight = None if v3 else draw(st.none() | st.integers(1, 40000))
            text = draw(st.sampled_from(["", "STEEL COILS", "YACHT"]))
            stowage.append(Stowed(position, None, description=text, weight_kg=weight))
            continue
        # BAPLIE 2 says a slot's details once, so it carries one box per slot here.
        for _ in range(draw(st.integers(1, 2)) if v3 else 1):
            serial += 1
            handling = tuple(draw(st.lists(st.sampled_from(["KC", "AHF", "ODK"]), max_size=2)))
            stowage.append(Stowed(position, draw(boxes(serial, version)), handling))
    minutes = st.integers(0, 60 * 24 * 365).map(
        lambda m: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m)
    )
    ident = draw(st.sampled_from(["imo", "call"]))
    full = True if not v3 else draw(st.booleans())
    split = len(unusable) // 2
    return OnBoardPlan(
        document_number=draw(st.sampled_from(["BP1", "2026/03-7"])),
        vessel_name=draw(st.sampled_from(["", "OPENTOS TRADER"])),
        imo_number="9321483" if ident == "imo" else None,
        call_sign="9HA2345" if ident == "call" else None,
        carrier=draw(st.sampled_from(["", "MSC"])),
        voyage=draw(st.sampled_from(["", "012E"])),
        departure_port=UnLocode.parse("CNTAO"),
        next_port=draw(st.none() | st.just(UnLocode.parse("KRPUS"))),
        arrived_at=draw(st.none() | minutes),
        departed_at=draw(minutes),
        next_port_eta=draw(st.none() | minutes),
        prepared_at=draw(minutes),
        function=draw(st.sampled_from(list(PlanFunction))),
        full=full,
        partial_scope="" if full else draw(st.sampled_from(["", "LOADONLY"])),
        stowage=tuple(stowage),
        lost_slots=tuple(unusable[:split]),
        blocked_slots=tuple(unusable[split:]),
    )


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_plans_round_trip(version: Version, data: st.DataObject) -> None:
    """Any plan a version can carry comes back equal after writing and a strict reading."""
    plan = data.draw(plans(version))
    assert round_trip(plan, version) == plan


def test_generated_benchmark_plan_is_deterministic_and_reads_back() -> None:
    """generate_onboard_plan gives the same plan for a seed, and it round-trips in 3.1.1."""
    plan = generate_onboard_plan(400, 7)
    assert plan == generate_onboard_plan(400, 7)
    assert len(plan.stowage) == 400
    assert round_trip(plan, "3.1.1") == plan


def test_writer_refuses_a_plan_without_what_baplie_2_makes_mandatory() -> None:
    """BAPLIE 2 needs a preparation time; a plan without one is refused by name."""
    plan = OnBoardPlan("BP1", departure_port=UnLocode.parse("CNTAO"))
    with pytest.raises(InvalidValue, match="preparation date/time"):
        write_baplie(plan, "2.2")
    with pytest.raises(InvalidValue, match="BAPLIE version"):
        write_baplie(plan, "1.4")  # type: ignore[arg-type]


# ---------------------------------------------------------------- lenient and strict


def broken(version: str, old: str, new: str, count: int = 1) -> str:
    text = golden(version)
    assert old in text
    return text.replace(old, new, count)


def problems_of(text: str) -> tuple[OnBoardPlan, list[str]]:
    plan, interchange = read(text)
    return plan, [str(p) for p in interchange.problems.items]


BROKEN = [
    # (name, version, old, new, what the problem names)
    ("container number with a space", "2.2", "MSCU1234566", "MSCU 1234566", "element 2.1"),
    ("wrong slot qualifier", "2.2", "LOC+11+SGSIN'", "LOC+99+SGSIN'", "qualifier '99'"),
    ("missing mandatory RFF", "2.2", "RFF+BM:1'\nEQD+CN+CMAU", "EQD+CN+CMAU", "mandatory RFF"),
    ("bad weight", "2.2", "MEA+WT++KGM:3900", "MEA+WT++KGM:39O0", "element 3.2"),
    ("6-digit slot", "2.1.1", "0010082::5", "010082::5", "6-digit slot"),
    ("8-digit slot", "3.1.1", "0010084:9711", "00010084:9711", "8-digit slot"),
    ("bad ISO type", "3.1.1", "22T6:6346", "22X6:6346", "element 3.1"),
    ("bad check digit", "3.1.1", "CMAU3456128:", "CMAU3456129:", "check digit"),
]


@pytest.mark.parametrize(("name", "version", "old", "new", "named"), BROKEN)
def test_lenient_reading_reports_and_reads_the_rest(
    name: str, version: str, old: str, new: str, named: str
) -> None:
    """A broken variant gives a problem naming segment, tag and element, and the rest is read."""
    plan, problems = problems_of(broken(version, old, new))
    hits = [p for p in problems if named in p]
    assert hits, problems
    assert all(p.startswith("segment ") for p in hits), hits
    assert len(plan.stowage) >= 7
    assert brt("0020302") in plan.by_slot()


@pytest.mark.parametrize(("name", "version", "old", "new", "named"), BROKEN)
def test_strict_reading_of_broken_variants_raises(
    name: str, version: str, old: str, new: str, named: str
) -> None:
    """The same broken variants raise EdiError when read strictly."""
    with pytest.raises(EdiError):
        read(broken(version, old, new), strict=True)


def test_container_number_with_space_is_still_read() -> None:
    """A number written with a blank is read, with a warning only."""
    plan, interchange = read(broken("2.2", "MSCU1234566", "MSCU 1234566"))
    assert [p.severity for p in interchange.problems.items] == [Severity.WARNING]
    assert plan.by_slot()[brt("0010082")][0].number == ContainerNumber.parse("MSCU1234566")


def test_bad_weight_leaves_the_box_without_weight() -> None:
    """A weight that is not a number is an error; the box is read without it."""
    plan, _ = read(broken("2.2", "MEA+WT++KGM:3900", "MEA+WT++KGM:39O0"))
    (empty,) = plan.by_slot()[brt("0020282")]
    assert empty.gross_weight_kg is None


def test_slot_given_twice_names_both_segments() -> None:
    """A slot given twice is an error naming both segment numbers; the second is not read."""
    text = broken("2.2", "LOC+147+0010084::5", "LOC+147+0010082::5")
    plan, problems = problems_of(text)
    (hit,) = [p for p in problems if "given twice" in p]
    assert "segments 11 and 19" in hit
    assert hit.startswith("segment 19 (LOC)")
    assert len(plan.by_slot()[brt("0010082")]) == 1


def test_container_given_twice_names_both_segments() -> None:
    """The same container in two slots is an error naming both EQD segments."""
    plan, problems = problems_of(broken("3.1.1", "MSCU2345610", "MSCU1234566", 1))
    (hit,) = [p for p in problems if "given twice" in p]
    assert "segments 13 and 20" in hit
    assert brt("0010084") not in plan.by_slot()


def test_slot_with_no_weight_is_read() -> None:
    """A slot with no MEA is reported (MEA is mandatory in BAPLIE 2) and still read."""
    plan, problems = problems_of(broken("2.2", "MEA+WT++KGM:3900'\n", ""))
    assert any("mandatory MEA" in p for p in problems)
    (empty,) = plan.by_slot()[brt("0020282")]
    assert empty.gross_weight_kg is None
    assert empty.operator == "CMA"


# ---------------------------------------------------------------- the model


def box(serial: int, code: str = "22G1") -> Container:
    return Container(
        ContainerNumber.from_parts("OTS", "U", serial), SizeType.parse(code), "MSC", FullEmpty.FULL
    )


def test_plan_refuses_a_container_in_two_slots() -> None:
    """The same container in two slots is refused, naming it and both slots."""
    with pytest.raises(InvalidValue, match=r"OTSU.* is stowed twice, in slots 0010082 and 0010084"):
        OnBoardPlan("P", stowage=(Stowed(brt("0010082"), box(1)), Stowed(brt("0010084"), box(1))))


def test_plan_refuses_a_slot_both_lost_and_blocked() -> None:
    """A slot is listed once among lost and blocked slots."""
    with pytest.raises(InvalidValue, match="slot 0020102 is listed twice"):
        OnBoardPlan("P", lost_slots=(brt("0020102"),), blocked_slots=(brt("0020102"),))


def test_plan_refuses_a_lost_slot_with_a_container() -> None:
    """A lost slot cannot hold a container."""
    with pytest.raises(InvalidValue, match="slot 0020102 is in lost_slots but holds"):
        OnBoardPlan("P", stowage=(Stowed(brt("0020102"), box(1)),), lost_slots=(brt("0020102"),))


def test_stowed_refuses_a_slot_weight_next_to_a_box() -> None:
    """weight_kg is for a slot without a container."""
    with pytest.raises(InvalidValue, match="weight_kg 100 is for a slot without a container"):
        Stowed(brt("0010082"), box(1), weight_kg=100)


def test_plan_keeps_stowage_in_slot_order_and_bundles_together() -> None:
    """Stowage is sorted by bay, row, tier; boxes of one slot keep their order."""
    plan = OnBoardPlan(
        "P",
        stowage=(
            Stowed(brt("0020282"), box(3, "42P3")),
            Stowed(brt("0010082"), box(1)),
            Stowed(brt("0020282"), box(2, "42P3")),
        ),
    )
    assert [str(s.slot) for s in plan.stowage] == ["0010082", "0020282", "0020282"]
    assert [b.number.serial for b in plan.by_slot()[brt("0020282")]] == ["000003", "000002"]
    assert plan.slot_of()[box(2).number] == brt("0020282")
