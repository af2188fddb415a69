"""Tests for the container record and its parts."""

from __future__ import annotations

import dataclasses
import json
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import InvalidContainerNumber, InvalidIsoType, InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    Hold,
    HoldKind,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
    Seal,
    SealIssuer,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import COMMON_TYPES, ContainerKind, SizeType

NUMBER = ContainerNumber.parse("MSKU1234565")
DRY_20 = SizeType.parse("22G1")
REEFER_40 = SizeType.parse("45R1")
FLAT_40 = SizeType.parse("42P3")
QINGDAO = UnLocode.parse("CNTAO")


def dry_box(**changes: object) -> Container:
    """A plain laden 20' dry box, with ``changes`` applied."""
    box = Container(
        number=NUMBER,
        iso_type=DRY_20,
        operator="MSK",
        full_empty=FullEmpty.FULL,
        gross_weight_kg=18_000,
        vgm_kg=18_150,
        tare_kg=2_200,
        port_of_loading=QINGDAO,
        port_of_discharge=UnLocode.parse("NLRTM"),
    )
    return dataclasses.replace(box, **changes)  # type: ignore[arg-type]


# --- dangerous goods -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "imdg_class",
    [
        *("1.1D", "1.4S", "1.4", "1.5D", "1.6N", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3"),
        *("5.1", "5.2", "6.1", "6.2", "7", "8", "9"),
    ],
)
def test_imdg_classes_of_the_code_are_accepted(imdg_class: str) -> None:
    """Every IMDG class and division, with a valid compatibility group for class 1, is accepted."""
    assert DangerousGoods(imdg_class, 1203).imdg_class == imdg_class


@pytest.mark.parametrize(
    "imdg_class", ["0", "10", "1", "1.7", "2", "2.4", "4.4", "5.3", "6.3", "3\n", " 3"]
)
def test_unknown_imdg_classes_are_rejected(imdg_class: str) -> None:
    """A class or division the IMDG Code does not have is rejected, naming it."""
    with pytest.raises(InvalidValue, match=re.escape(f"IMDG class {imdg_class!r}")):
        DangerousGoods(imdg_class, 1203)


@pytest.mark.parametrize("imdg_class", ["1.4A", "1.5S", "1.6D", "1.1S", "1.4I", "3A", "1.4s"])
def test_compatibility_groups_must_fit_the_division(imdg_class: str) -> None:
    """Class 1 compatibility groups follow IMDG 2.1.2.3 (1.4S exists, 1.5S does not)."""
    with pytest.raises(InvalidValue, match="IMDG class"):
        DangerousGoods(imdg_class, 1203)


@pytest.mark.parametrize("un_number", [1, 1203, 3599])
def test_un_numbers_in_range_are_accepted(un_number: int) -> None:
    """UN numbers 0001-3599 are accepted."""
    assert DangerousGoods("3", un_number).un_number == un_number


@pytest.mark.parametrize("un_number", [0, -5, 3600, 10_000])
def test_un_numbers_out_of_range_are_rejected(un_number: int) -> None:
    """UN number 0 and numbers above the list are rejected."""
    with pytest.raises(InvalidValue, match=f"UN number {un_number} is out of range"):
        DangerousGoods("3", un_number)


def test_dangerous_goods_fields_are_checked() -> None:
    """Packing group, flashpoint and marine pollutant flag must have the right types."""
    assert DangerousGoods("3", 1203, "II").packing_group is PackingGroup.II  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="packing group 'IV'"):
        DangerousGoods("3", 1203, "IV")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="flashpoint nan"):
        DangerousGoods("3", 1203, flashpoint_c=float("nan"))
    with pytest.raises(InvalidValue, match="marine_pollutant"):
        DangerousGoods("3", 1203, marine_pollutant=1)  # type: ignore[arg-type]


def test_dangerous_goods_prints_un_number_class_and_group() -> None:
    """str gives the UN number, class and packing group."""
    assert str(DangerousGoods("3", 1203, PackingGroup.II)) == "UN1203 class 3 PG II"
    assert str(DangerousGoods("2.1", 1075)) == "UN1075 class 2.1"


# --- out of gauge, reefer, seals, holds ----------------------------------------------------------


def test_out_of_gauge_needs_one_positive_side() -> None:
    """Out-of-gauge dimensions are non-negative and not all zero."""
    assert OutOfGauge(over_height_mm=350).over_height_mm == 350
    with pytest.raises(InvalidValue, match="all 0"):
        OutOfGauge()
    with pytest.raises(InvalidValue, match="over_left_mm -1"):
        OutOfGauge(over_left_mm=-1, over_right_mm=200)


@pytest.mark.parametrize("set_point", [-70.0, -18.0, 0.0, 13.5, 40.0])
def test_reefer_set_points_in_range_are_accepted(set_point: float) -> None:
    """Set points from -70 to +40 °C are accepted."""
    assert ReeferSetting(set_point).set_point_c == set_point


@pytest.mark.parametrize("set_point", [-70.1, 40.5, float("inf"), float("nan")])
def test_reefer_set_points_out_of_range_are_rejected(set_point: float) -> None:
    """Set points outside -70..+40 °C, infinities and NaN are rejected."""
    with pytest.raises(InvalidValue, match="reefer set point"):
        ReeferSetting(set_point)


def test_reefer_humidity_and_ventilation_are_checked() -> None:
    """Humidity lies within 0-100 % and ventilation is not negative."""
    assert ReeferSetting(2.0, humidity_pct=85, ventilation_m3_h=25).humidity_pct == 85.0
    with pytest.raises(InvalidValue, match=r"humidity 101\.0"):
        ReeferSetting(2.0, humidity_pct=101)
    with pytest.raises(InvalidValue, match=r"ventilation -1\.0"):
        ReeferSetting(2.0, ventilation_m3_h=-1)


def test_reefer_numbers_are_stored_as_floats() -> None:
    """An int set point is stored as a float, so records compare and serialise alike."""
    setting = ReeferSetting(-18)
    assert isinstance(setting.set_point_c, float)
    assert str(setting) == "-18 °C"


def test_seal_numbers_are_checked() -> None:
    """A seal number is 1-35 characters without surrounding blanks; issuers are an enum."""
    assert Seal("ML-123", "carrier").issuer is SealIssuer.CARRIER  # type: ignore[arg-type]
    for bad in ["", " ML123", "X" * 36]:
        with pytest.raises(InvalidValue, match="seal number"):
            Seal(bad, SealIssuer.SHIPPER)
    with pytest.raises(InvalidValue, match="seal issuer 'pirate'"):
        Seal("ML123", "pirate")  # type: ignore[arg-type]


def test_hold_kinds_are_checked() -> None:
    """A hold has a known kind."""
    assert Hold("customs").kind is HoldKind.CUSTOMS  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="hold kind 'whim'"):
        Hold("whim")  # type: ignore[arg-type]


# --- the container record ------------------------------------------------------------------------


def test_a_plain_box_has_the_expected_properties() -> None:
    """Convenience properties read the size type, goods, gauge and holds."""
    box = dry_box()
    assert (box.length_ft, box.teu) == (20, 1.0)
    assert not box.is_reefer
    assert not box.is_dangerous
    assert not box.is_oog
    assert not box.on_hold
    assert not box.is_empty


def test_special_boxes_report_what_they_are() -> None:
    """A reefer, a DG box, an OOG flat and a box on hold say so."""
    reefer = dry_box(iso_type=REEFER_40, reefer=ReeferSetting(-18.0))
    assert reefer.is_reefer
    assert (reefer.length_ft, reefer.teu) == (40, 2.0)
    assert dry_box(dangerous_goods=(DangerousGoods("3", 1203),)).is_dangerous
    assert dry_box(iso_type=FLAT_40, oog=OutOfGauge(over_height_mm=400)).is_oog
    assert dry_box(holds=(Hold(HoldKind.CUSTOMS, "exam"),)).on_hold


def test_weight_for_planning_prefers_the_vgm() -> None:
    """Planning uses the VGM when known and the declared gross otherwise."""
    assert dry_box().weight_for_planning_kg == 18_150
    assert dry_box(vgm_kg=None).weight_for_planning_kg == 18_000
    assert dry_box(vgm_kg=None, gross_weight_kg=None).weight_for_planning_kg is None


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"gross_weight_kg": 0}, "gross_weight_kg 0 must be a positive integer"),
        ({"tare_kg": -1}, "tare_kg -1 must be a positive integer"),
        ({"vgm_kg": 45_001}, "vgm_kg 45001 is over the plausible maximum 45000 kg"),
        ({"gross_weight_kg": 45_001}, "gross_weight_kg 45001 is over"),
        ({"gross_weight_kg": 2_000}, "gross_weight_kg 2000 is less than the tare 2200 kg"),
        ({"vgm_kg": 2_100}, "vgm_kg 2100 is less than the tare 2200 kg"),
        ({"gross_weight_kg": 18_000.5}, "gross_weight_kg 18000.5 must be a positive integer"),
        ({"operator": "maersk"}, "operator 'maersk' must be 1-4 capital letters or digits"),
        ({"operator": ""}, "operator ''"),
        ({"operator": "MSK\n"}, "operator 'MSK\\n'"),
        ({"full_empty": "X"}, "full/empty 'X'"),
    ],
)
def test_implausible_records_are_rejected_naming_the_container(
    changes: dict[str, object], fragment: str
) -> None:
    """Weights, operator and full/empty are checked; the message names the container."""
    with pytest.raises(InvalidValue) as info:
        dry_box(**changes)
    assert fragment in str(info.value)
    assert "MSKU1234565" in str(info.value)


def test_weight_limits_are_inclusive() -> None:
    """A gross mass of exactly 45,000 kg and a gross equal to the tare are accepted."""
    assert dry_box(gross_weight_kg=45_000, vgm_kg=45_000).gross_weight_kg == 45_000
    assert dry_box(full_empty=FullEmpty.EMPTY, gross_weight_kg=2_200, vgm_kg=2_200).is_empty


def test_reefer_setting_only_on_a_reefer() -> None:
    """A set point on a dry box is rejected, naming box, type and set point."""
    with pytest.raises(InvalidValue, match=r"MSKU1234565: reefer setting -18 °C .* 22G1"):
        dry_box(reefer=ReeferSetting(-18.0))


@pytest.mark.parametrize("code", ["22U1", "45U1", "22P1", "42P3", "29P0"])
def test_out_of_gauge_on_open_tops_flats_and_platforms(code: str) -> None:
    """Open tops, flat racks and platforms may carry out-of-gauge cargo."""
    assert dry_box(iso_type=SizeType.parse(code), oog=OutOfGauge(over_left_mm=100)).is_oog


@pytest.mark.parametrize("code", ["22G1", "45R1", "22T1"])
def test_out_of_gauge_not_on_closed_boxes(code: str) -> None:
    """Dry boxes, reefers and tanks cannot carry out-of-gauge cargo."""
    with pytest.raises(InvalidValue, match=f"out-of-gauge given but size type {code}"):
        dry_box(iso_type=SizeType.parse(code), oog=OutOfGauge(over_left_mm=100))


def test_empties_may_carry_dangerous_goods() -> None:
    """An uncleaned empty tank keeps its DG entry (residue)."""
    box = dry_box(
        iso_type=SizeType.parse("22T6"),
        full_empty=FullEmpty.EMPTY,
        gross_weight_kg=3_600,
        vgm_kg=3_600,
        tare_kg=3_600,
        dangerous_goods=(DangerousGoods("3", 1993, PackingGroup.III),),
    )
    assert box.is_empty
    assert box.is_dangerous


def test_sequences_are_stored_as_tuples() -> None:
    """Lists given for goods, seals and holds are stored as tuples, keeping records hashable."""
    box = dry_box(seals=[Seal("ML1", SealIssuer.CARRIER)])
    assert box.seals == (Seal("ML1", SealIssuer.CARRIER),)
    assert hash(box) == hash(dry_box(seals=(Seal("ML1", SealIssuer.CARRIER),)))
    with pytest.raises(InvalidValue, match="seals holds 'ML1', not a Seal"):
        dry_box(seals=("ML1",))


# --- JSON round trip -----------------------------------------------------------------------------


owners = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)
numbers = st.builds(
    ContainerNumber.from_parts,
    owners,
    st.sampled_from("UJZ"),
    st.integers(0, 999_999),
)
locodes = st.builds(
    lambda country, location: UnLocode(country + location),
    st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2),
    st.text(alphabet=string.ascii_uppercase + "23456789", min_size=3, max_size=3),
)


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats between ``low`` and ``high``, never NaN or infinite."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


dangerous_goods = st.builds(
    DangerousGoods,
    imdg_class=st.sampled_from(["1.4S", "1.1D", "2.1", "2.2", "3", "4.1", "5.1", "6.1", "8", "9"]),
    un_number=st.integers(1, 3599),
    packing_group=st.none() | st.sampled_from(PackingGroup),
    flashpoint_c=st.none() | finite(-100, 300),
    marine_pollutant=st.booleans(),
)
reefer_settings = st.builds(
    ReeferSetting,
    set_point_c=finite(-70, 40),
    humidity_pct=st.none() | finite(0, 100),
    ventilation_m3_h=st.none() | finite(0, 300),
)
out_of_gauges = st.builds(
    OutOfGauge,
    *[st.integers(0, 2_000)] * 4,
    over_height_mm=st.integers(1, 2_000),
)
seals = st.builds(
    Seal,
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=35),
    st.sampled_from(SealIssuer),
)
holds = st.builds(Hold, st.sampled_from(HoldKind), st.text(max_size=40))
size_types = st.sampled_from(sorted(COMMON_TYPES.values(), key=str)) | st.sampled_from(
    ["22R0", "L5R3", "22H0", "42P5", "12G1", "M5G1", "P5G1", "2EU1"]
).map(SizeType.parse)


@st.composite
def containers(draw: st.DrawFn) -> Container:
    """Any plausible container record."""
    iso_type = draw(size_types)
    tare = draw(st.none() | st.integers(1_000, 6_000))
    low = tare or 1
    return Container(
        number=draw(numbers),
        iso_type=iso_type,
        operator=draw(
            st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=4)
        ),
        full_empty=draw(st.sampled_from(FullEmpty)),
        gross_weight_kg=draw(st.none() | st.integers(low, 45_000)),
        vgm_kg=draw(st.none() | st.integers(low, 45_000)),
        tare_kg=tare,
        port_of_loading=draw(st.none() | locodes),
        port_of_discharge=draw(st.none() | locodes),
        place_of_delivery=draw(st.none() | locodes),
        reefer=draw(st.none() | reefer_settings) if iso_type.kind is ContainerKind.REEFER else None,
        dangerous_goods=tuple(draw(st.lists(dangerous_goods, max_size=3))),
        oog=draw(st.none() | out_of_gauges)
        if iso_type.kind
        in {ContainerKind.OPEN_TOP, ContainerKind.FLAT_RACK, ContainerKind.PLATFORM}
        else None,
        seals=tuple(draw(st.lists(seals, max_size=3))),
        holds=tuple(draw(st.lists(holds, max_size=2))),
    )


@given(containers())
def test_records_round_trip_through_json(box: Container) -> None:
    """to_dict gives JSON that from_dict reads back to an equal record."""
    data = box.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    again = Container.from_dict(json.loads(text))
    assert again == box
    assert again.to_dict() == data
    assert again.iso_type.description == box.iso_type.description


def test_to_dict_uses_canonical_texts() -> None:
    """Ids, codes and enums appear as their canonical text."""
    data = dry_box(seals=(Seal("ML1", SealIssuer.CARRIER),)).to_dict()
    assert data["number"] == "MSKU1234565"
    assert data["iso_type"] == "22G1"
    assert data["full_empty"] == "F"
    assert data["port_of_loading"] == "CNTAO"
    assert data["seals"] == [{"number": "ML1", "issuer": "carrier"}]
    assert data["reefer"] is None


def test_from_dict_fills_optional_fields() -> None:
    """Only number, type, operator and full/empty are required."""
    box = Container.from_dict(
        {"number": "msku 123456 5", "iso_type": "22g1", "operator": "MSK", "full_empty": "E"}
    )
    assert box == Container(NUMBER, DRY_20, "MSK", FullEmpty.EMPTY)


@pytest.mark.parametrize(
    ("changes", "error", "fragment"),
    [
        ({"number": None}, InvalidValue, "container record: number: expected a string, got None"),
        ({"number": "MSKU1234566"}, InvalidContainerNumber, "check digit is 6, expected 5"),
        ({"iso_type": "22X1"}, InvalidIsoType, "MSKU1234565: iso_type: size-type code '22X1'"),
        ({"vgm_kg": "18150"}, InvalidValue, "MSKU1234565: vgm_kg: expected an integer"),
        ({"vgm_kg": True}, InvalidValue, "vgm_kg: expected an integer, got True"),
        ({"port_of_loading": "CN"}, InvalidValue, "port_of_loading: UN/LOCODE 'CN'"),
        ({"colour": "red"}, InvalidValue, "MSKU1234565: unknown key(s) colour"),
        ({"seals": {}}, InvalidValue, "seals: expected a list, got {}"),
        ({"seals": [{"number": "S1"}]}, InvalidValue, "seals[0]: missing key 'issuer'"),
        (
            {"dangerous_goods": [{"imdg_class": "3", "un_number": 0}]},
            InvalidValue,
            "MSKU1234565: dangerous_goods[0]: UN number 0 is out of range",
        ),
        (
            {"reefer": {"set_point_c": -18.0, "mode": "x"}},
            InvalidValue,
            "reefer: unknown key(s) mode",
        ),
        (
            {"reefer": {"set_point_c": -18.0}},
            InvalidValue,
            "container MSKU1234565: reefer setting -18 °C given",
        ),
    ],
)
def test_from_dict_names_the_bad_field(
    changes: dict[str, object], error: type[Exception], fragment: str
) -> None:
    """A malformed record is rejected with the container and field named."""
    data = {**dry_box().to_dict(), **changes}
    with pytest.raises(error) as info:
        Container.from_dict(data)
    assert fragment in str(info.value)


def test_from_dict_rejects_a_missing_field() -> None:
    """A record without a required field names the field."""
    data = dry_box().to_dict()
    del data["operator"]
    with pytest.raises(InvalidValue, match="MSKU1234565: missing key 'operator'"):
        Container.from_dict(data)
