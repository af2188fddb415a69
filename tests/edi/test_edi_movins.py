"""MOVINS (SMDG MOVINS 2.1, D.95B, SMDG20): stowage instructions read, written, round-tripped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import Interchange, read_interchange
from opentos.edi.messages.movins import movins_interchange, read_movins, write_movins
from opentos.edi.problems import Problems
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import (
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.moves import MoveKind
from opentos.model.slots import BayRowTier
from opentos.model.stowage_instructions import (
    Handling,
    HandlingGroup,
    SlotInstruction,
    StowageInstructions,
    VesselIdKind,
    WeightClass,
)

GOLDEN = Path(__file__).parent / "data" / "movins.edi"


def _golden() -> str:
    return GOLDEN.read_text()


def _read(text: str, strict: bool = False) -> tuple[StowageInstructions, Interchange]:
    interchange = read_interchange(text, strict=strict)
    message = interchange.messages[0]
    return read_movins(message, interchange.problems), interchange


def _number(text: str, segment: str) -> int:
    """The segment number (1 = first after UNA) of the first line starting with ``segment``."""
    lines = text.splitlines()
    return next(i for i, line in enumerate(lines) if line.startswith(segment))


def test_golden_reads_strictly_and_maps_the_call() -> None:
    """The golden MOVINS reads strictly with no problem and maps vessel, call and groups."""
    obj, interchange = _read(_golden(), strict=True)
    assert interchange.problems.items == []
    assert interchange.messages[0].spec is not None
    assert "SMDG20" in interchange.messages[0].spec.association.split("|")
    assert obj.message_id == "MV250304A"
    assert obj.prepared_at == datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
    assert (obj.vessel_name, obj.vessel_id, obj.vessel_id_kind) == (
        "MSC ANNA",
        "9HA5122",
        VesselIdKind.CALL_SIGN,
    )
    assert (obj.carrier, obj.voyage, obj.loading_voyage) == ("MSC", "FL510E", "FL510W")
    assert obj.port == UnLocode("CNTAO")
    assert obj.next_port == UnLocode("KRPUS")
    assert obj.eta == datetime(2025, 3, 5, 14, 0, tzinfo=UTC)
    assert obj.etd == datetime(2025, 3, 6, 18, 0, tzinfo=UTC)
    assert [g.handling for g in obj.groups] == [
        Handling.DISCHARGE,
        Handling.LOAD,
        Handling.RESTOW,
        Handling.SHIFT,
    ]
    assert [len(g.slots) for g in obj.groups] == [2, 4, 1, 1]


def test_golden_slots_carry_boxes_and_categories() -> None:
    """Slots map to the named box or to a category: size type, ports, weight class, markers."""
    obj, _ = _read(_golden(), strict=True)
    discharge, load, restow, shift = obj.groups
    assert discharge.slots[0].slot == BayRowTier(12, 3, 82)
    assert discharge.slots[0].container == ContainerNumber.parse("MSCU1234566")
    assert discharge.slots[1].slot == BayRowTier(14, 0, 2)
    light, reefer, dangerous, flat = load.slots
    assert light.container is None
    assert light.iso_type == SizeType.parse("22G1")
    assert light.full_empty is FullEmpty.FULL
    assert light.weight_class == WeightClass(10_000, 20_000)
    assert (light.port_of_loading, light.port_of_discharge) == (
        UnLocode("CNTAO"),
        UnLocode("USLGB"),
    )
    assert reefer.weight_kg == 24_500
    assert reefer.reefer == ReeferSetting(-18.0)
    assert reefer.is_reefer
    assert dangerous.dangerous_goods == (DangerousGoods("3", 1203, PackingGroup.II, 23.0),)
    assert dangerous.is_dangerous
    assert flat.oog == OutOfGauge(over_right_mm=150, over_height_mm=400)
    assert flat.is_oog
    assert restow.slots[0].container == ContainerNumber.parse("MSCU9988773")
    assert shift.slots[0].full_empty is FullEmpty.EMPTY
    assert Handling.SHIFT.move_kind is MoveKind.RESTOW
    assert [s.slot for s in obj.slots(Handling.DISCHARGE)] == [
        BayRowTier(12, 3, 82),
        BayRowTier(14, 0, 2),
    ]


def test_golden_to_domain_to_edi_gives_the_golden_segments() -> None:
    """Writing the read instructions gives exactly the golden body segments."""
    obj, interchange = _read(_golden(), strict=True)
    assert write_movins(obj) == list(interchange.messages[0].body)


def test_to_dict_is_json_ready() -> None:
    """to_dict gives plain JSON values with codes and slot strings."""
    import json

    obj, _ = _read(_golden(), strict=True)
    data = json.loads(json.dumps(obj.to_dict()))
    assert data["port"] == "CNTAO"
    assert data["groups"][1]["slots"][0]["weight_class"] == {"min_kg": 10000, "max_kg": 20000}
    assert data["groups"][0]["handling"] == "discharge"


def _instructions() -> StowageInstructions:
    return StowageInstructions(
        message_id="OT-1",
        prepared_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        vessel_name="ZIM CHICAGO",
        vessel_id="9398450",
        vessel_id_kind=VesselIdKind.IMO,
        voyage="7E",
        port=UnLocode("CNTAO"),
        eta=datetime(2025, 1, 3, 6, 0, tzinfo=UTC),
        groups=(
            HandlingGroup(
                Handling.LOAD,
                (
                    SlotInstruction(
                        BayRowTier(2, 1, 84),
                        iso_type=SizeType.parse("45G1"),
                        port_of_discharge=UnLocode("SGSIN"),
                        weight_kg=30_000,
                        weight_class=WeightClass(25_000, 32_000),
                    ),
                ),
            ),
        ),
    )


def test_domain_to_edi_to_domain_is_the_identity() -> None:
    """Instructions written to an interchange read back strictly to equal instructions."""
    obj = _instructions()
    text = movins_interchange(
        obj,
        sender="ZIM",
        recipient="QQCT",
        reference="9",
        prepared=datetime(2025, 1, 2, 3, 5, tzinfo=UTC),
    )
    back, interchange = _read(text, strict=True)
    assert interchange.problems.items == []
    assert back == obj


_PORTS = [UnLocode(c) for c in ("CNTAO", "KRPUS", "USLGB", "SGSIN", "NLRTM")]
_TYPES = [SizeType.parse(c) for c in ("22G1", "45G1", "45R1", "22T6", "42P3")]
_WHEN = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
_TEXT = st.from_regex(r"[A-Z0-9]([A-Z0-9 .\-/]{0,12}[A-Z0-9])?", fullmatch=True)


@st.composite
def _slot(draw: st.DrawFn, position: BayRowTier, needs_box: bool) -> SlotInstruction:
    iso = draw(st.none() | st.sampled_from(_TYPES))
    weight_class = draw(
        st.none()
        | st.tuples(st.integers(0, 20_000), st.integers(1, 20_000)).map(
            lambda t: WeightClass(t[0], t[0] + t[1])
        )
    )
    if weight_class is None:
        weight = draw(st.none() | st.integers(1, 45_000))
    else:
        weight = draw(st.none() | st.integers(max(1, weight_class.min_kg + 1), weight_class.max_kg))
    kind = None if iso is None else iso.kind.value
    reefer = None
    if kind in (None, "reefer"):
        reefer = draw(st.none() | st.integers(-60, 30).map(lambda c: ReeferSetting(c / 2)))
    oog = None
    if kind in (None, "flat_rack"):
        oog = draw(
            st.none()
            | st.builds(
                OutOfGauge,
                over_front_mm=st.integers(0, 900),
                over_left_mm=st.integers(0, 900),
                over_height_mm=st.integers(1, 900),
            )
        )
    box = st.builds(
        ContainerNumber.from_parts,
        st.sampled_from(["MSC", "MED", "ZIM", "COS"]),
        st.just("U"),
        st.integers(0, 999_999),
    )
    goods = st.builds(
        DangerousGoods,
        st.sampled_from(["3", "8", "2.1", "6.1", "9"]),
        st.integers(1, 3599),
        st.none() | st.sampled_from(list(PackingGroup)),
        st.none() | st.integers(-40, 90).map(float),
    )
    return SlotInstruction(
        position,
        container=draw(box if needs_box else st.none() | box),
        iso_type=iso,
        full_empty=draw(st.none() | st.sampled_from(list(FullEmpty))),
        port_of_loading=draw(st.none() | st.sampled_from(_PORTS)),
        port_of_discharge=draw(st.none() | st.sampled_from(_PORTS)),
        weight_kg=weight,
        weight_class=weight_class,
        reefer=reefer,
        dangerous_goods=tuple(draw(st.lists(goods, max_size=2))),
        oog=oog,
    )


@st.composite
def _group(draw: st.DrawFn) -> HandlingGroup:
    handling = draw(st.sampled_from(list(Handling)))
    positions = draw(
        st.lists(
            st.builds(
                BayRowTier,
                st.integers(1, 99),
                st.integers(0, 20),
                st.sampled_from([2, 4, 6, 82, 84, 86]),
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    return HandlingGroup(handling, tuple(draw(_slot(p, handling.names_boxes)) for p in positions))


@st.composite
def _stowage(draw: st.DrawFn) -> StowageInstructions:
    kind = draw(st.sampled_from(list(VesselIdKind)))
    vessel_id = (
        draw(st.from_regex(r"[0-9]{7}", fullmatch=True))
        if kind is VesselIdKind.IMO
        else draw(st.just("") | st.from_regex(r"[A-Z0-9]{4,7}", fullmatch=True))
    )
    eta = draw(st.none() | _WHEN)
    return StowageInstructions(
        message_id=draw(_TEXT),
        prepared_at=draw(_WHEN),
        vessel_name=draw(st.just("") | _TEXT) if vessel_id else draw(_TEXT),
        vessel_id=vessel_id,
        vessel_id_kind=kind if vessel_id else VesselIdKind.CALL_SIGN,
        carrier=draw(st.just("") | st.sampled_from(["MSC", "ZIM", "COSU"])),
        voyage=draw(st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True)),
        loading_voyage=draw(st.just("") | st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True)),
        port=draw(st.sampled_from(_PORTS)),
        next_port=draw(st.none() | st.sampled_from(_PORTS)),
        eta=eta,
        etd=draw(_WHEN) if eta is None else draw(st.none() | _WHEN),
        groups=tuple(draw(st.lists(_group(), min_size=1, max_size=3))),
    )


@settings(max_examples=50, deadline=None)
@given(_stowage())
def test_property_write_then_read_is_the_identity(obj: StowageInstructions) -> None:
    """Any valid stowage instructions survive MOVINS writing and strict reading unchanged."""
    text = movins_interchange(
        obj, sender="A", recipient="B", reference="1", prepared=datetime(2025, 1, 1, tzinfo=UTC)
    )
    back, _ = _read(text, strict=True)
    assert back == obj


# ---------------------------------------------------------------- broken variants


def _variant(old: str, new: str) -> str:
    text = _golden()
    assert old in text
    return text.replace(old, new, 1)


def _find(problems: Problems, tag: str, element: str | None) -> list[int | None]:
    return [p.segment for p in problems.items if p.tag == tag and p.element == element]


def test_container_number_with_a_space_is_read_with_a_warning() -> None:
    """A container number written with a blank is read, with a warning naming EQD 2.1."""
    text = _variant("EQD+CN+MSCU1234566", "EQD+CN+MSCU 1234566")
    obj, interchange = _read(text)
    assert _find(interchange.problems, "EQD", "2.1") == [_number(text, "EQD+CN+MSCU 1234566")]
    assert interchange.problems.errors == []
    assert obj.groups[0].slots[0].container == ContainerNumber.parse("MSCU1234566")
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_unknown_handling_code_drops_its_group_and_keeps_the_rest() -> None:
    """HAN with a code the guide does not use is an error at HAN 1.1; other groups are read."""
    text = _variant("HAN+SHI'", "HAN+XXX'")
    obj, interchange = _read(text)
    assert _number(text, "HAN+XXX") in _find(interchange.problems, "HAN", "1.1")
    assert [g.handling for g in obj.groups] == [
        Handling.DISCHARGE,
        Handling.LOAD,
        Handling.RESTOW,
    ]
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_wrong_port_qualifier_is_noted() -> None:
    """A LOC qualifier the guide does not use in a slot group is a warning at LOC 1."""
    text = _variant("LOC+11+USLAX:139:6'", "LOC+99+USLAX:139:6'")
    obj, interchange = _read(text)
    assert _find(interchange.problems, "LOC", "1") == [_number(text, "LOC+99")]
    assert obj.groups[1].slots[2].port_of_discharge is None
    assert len(obj.groups[1].slots) == 4
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_missing_mandatory_segment_is_reported_and_the_rest_mapped() -> None:
    """A slot group without its mandatory RFF is a warning at its LOC; all slots are still read."""
    text = _variant("LOC+147+0120382::5'\nRFF+BM:1'\n", "LOC+147+0120382::5'\n")
    obj, interchange = _read(text)
    missing = [p for p in interchange.problems.warnings if "mandatory RFF" in p.message]
    assert [(p.segment, p.tag) for p in missing] == [(_number(text, "LOC+147+0120382"), "LOC")]
    assert sum(len(g.slots) for g in obj.groups) == 8
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_bad_weight_is_an_error_at_mea_and_the_slot_is_kept() -> None:
    """A weight that is not a number is an error at MEA 3.2; the slot is read without it."""
    text = _variant("MEA+WT++KGM:24500'", "MEA+WT++KGM:24X00'")
    obj, interchange = _read(text)
    errors = [(p.segment, p.tag, p.element, p.value) for p in interchange.problems.errors]
    assert errors == [(_number(text, "MEA+WT++KGM:24X00"), "MEA", "3.2", "24X00")]
    reefer = obj.groups[1].slots[1]
    assert reefer.weight_kg is None
    assert reefer.container == ContainerNumber.parse("TGHU4001002")
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_restow_without_container_is_refused() -> None:
    """A restow slot that names no box is an error at its LOC and is left out."""
    text = _variant("EQD+CN+MSCU9988773+45G1+++5'", "EQD+CN++45G1+++5'")
    obj, interchange = _read(text)
    assert _number(text, "LOC+147+0140282") in _find(interchange.problems, "LOC", "2.1")
    assert [g.handling for g in obj.groups] == [
        Handling.DISCHARGE,
        Handling.LOAD,
        Handling.SHIFT,
    ]


# ---------------------------------------------------------------- domain rules


def test_domain_rejects_inconsistent_slots() -> None:
    """A weight outside its class, a reefer setting on a dry box, a box-less restow are refused."""
    with pytest.raises(InvalidValue, match="outside its weight class"):
        SlotInstruction(BayRowTier(1, 1, 82), weight_kg=5_000, weight_class=WeightClass(10, 20))
    with pytest.raises(InvalidValue, match="not a reefer"):
        SlotInstruction(
            BayRowTier(1, 1, 82), iso_type=SizeType.parse("22G1"), reefer=ReeferSetting(5.0)
        )
    with pytest.raises(InvalidValue, match="does not name the container"):
        HandlingGroup(Handling.RESTOW, (SlotInstruction(BayRowTier(1, 1, 82)),))
    with pytest.raises(InvalidValue, match="twice"):
        HandlingGroup(
            Handling.LOAD,
            (SlotInstruction(BayRowTier(1, 1, 82)), SlotInstruction(BayRowTier(1, 1, 82))),
        )
    with pytest.raises(InvalidValue, match="7 digits"):
        StowageInstructions(vessel_id="12AB", vessel_id_kind=VesselIdKind.IMO)


def test_writer_refuses_incomplete_instructions() -> None:
    """Writing instructions without port, voyage or dates raises InvalidValue naming them."""
    with pytest.raises(InvalidValue, match="voyage"):
        write_movins(StowageInstructions())
    with pytest.raises(InvalidValue, match="version"):
        write_movins(_instructions(), version="SMDG99")
