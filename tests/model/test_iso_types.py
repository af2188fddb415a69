"""Tests for ISO 6346 size-type codes."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import InvalidIsoType
from opentos.model.iso_types import COMMON_TYPES, ContainerKind, SizeType

# The ISO 6346 (1995) tables written out from the standard, independent of the code under test.
LENGTH_CODES = "1234ABCDEFGHKLMNP"
HEIGHT_CODES = "0245689CDEFLMNP"
ASSIGNED_DETAILS = {
    "G": "0123",
    "V": "024",
    "B": "013456",
    "S": "012",
    "R": "0123",
    "H": "01256",
    "U": "012345",
    "P": "012345",
    "T": "0123456789",
    "A": "0",
}
TYPE_CODES = [letter + digit for letter, digits in ASSIGNED_DETAILS.items() for digit in digits]
REQUIRED_COMMON = [
    *("22G1", "22R1", "22T1", "22U1", "22P1", "25G1", "42G1", "42R1", "45G1", "45R1", "42U1"),
    *("42P1", "42T1", "L5G1", "L5R1", "22G0", "22V0", "22B0", "42P3", "45U1", "L2G1", "22P3"),
]

table_codes = st.builds(
    lambda a, b, c: a + b + c,
    st.sampled_from(LENGTH_CODES),
    st.sampled_from(HEIGHT_CODES),
    st.sampled_from(TYPE_CODES),
)


def test_registry_holds_the_everyday_types() -> None:
    """COMMON_TYPES covers the types a terminal handles every day."""
    assert set(REQUIRED_COMMON) <= set(COMMON_TYPES)


@pytest.mark.parametrize("code", sorted(COMMON_TYPES))
def test_every_registry_code_parses_to_itself(code: str) -> None:
    """parse returns the registry instance, which prints as its code and has a description."""
    size_type = SizeType.parse(code)
    assert size_type is COMMON_TYPES[code]
    assert str(size_type) == code == size_type.code
    assert size_type.description
    assert SizeType.parse(code.lower()) is size_type


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("22G1", (20, 1.0, False, ContainerKind.GENERAL, "GP")),
        ("25G1", (20, 1.0, True, ContainerKind.GENERAL, "GP")),
        ("42G1", (40, 2.0, False, ContainerKind.GENERAL, "GP")),
        ("45G1", (40, 2.0, True, ContainerKind.GENERAL, "GP")),
        ("L5G1", (45, 2.25, True, ContainerKind.GENERAL, "GP")),
        ("L2G1", (45, 2.25, False, ContainerKind.GENERAL, "GP")),
        ("22R1", (20, 1.0, False, ContainerKind.REEFER, "RT")),
        ("45R1", (40, 2.0, True, ContainerKind.REEFER, "RT")),
        ("22T1", (20, 1.0, False, ContainerKind.TANK, "TN")),
        ("22T6", (20, 1.0, False, ContainerKind.TANK, "TD")),
        ("22U1", (20, 1.0, False, ContainerKind.OPEN_TOP, "UT")),
        ("22P1", (20, 1.0, False, ContainerKind.FLAT_RACK, "PF")),
        ("42P3", (40, 2.0, False, ContainerKind.FLAT_RACK, "PC")),
        ("22V0", (20, 1.0, False, ContainerKind.VENTILATED, "VH")),
        ("22B0", (20, 1.0, False, ContainerKind.BULK, "BU")),
        ("12G1", (10, 0.5, False, ContainerKind.GENERAL, "GP")),
        ("32G1", (30, 1.5, False, ContainerKind.GENERAL, "GP")),
        ("M5G1", (48, 2.4, True, ContainerKind.GENERAL, "GP")),
        ("P5G1", (53, 2.65, True, ContainerKind.GENERAL, "GP")),
        ("29P0", (20, 1.0, False, ContainerKind.PLATFORM, "PL")),
        ("22H5", (20, 1.0, False, ContainerKind.INSULATED, "HI")),
        ("22S1", (20, 1.0, False, ContainerKind.NAMED_CARGO, "SN")),
    ],
)
def test_decoded_facts(code: str, expected: tuple[int, float, bool, ContainerKind, str]) -> None:
    """Length, TEU, high cube, kind and group follow the ISO 6346 tables."""
    length_ft, teu, high_cube, kind, group = expected
    size_type = SizeType.parse(code)
    assert size_type.length_ft == length_ft
    assert size_type.teu == pytest.approx(teu)
    assert size_type.high_cube is high_cube
    assert size_type.kind is kind
    assert size_type.type_group == group
    assert size_type.type_code == code[2:]


def test_45g1_is_a_40_foot_high_cube() -> None:
    """The 4 of 45G1 is the length (40 ft) and the 5 the height (9'6"), not 45 ft."""
    size_type = SizeType.parse("45G1")
    assert (size_type.length_mm, size_type.height_mm) == (12192, 2895)


def test_standard_dimensions() -> None:
    """20' boxes are 6058 mm long and 8'6" boxes 2591 mm high (ISO 668)."""
    assert SizeType.parse("22G1").length_mm == 6058
    assert SizeType.parse("22G1").height_mm == 2591
    assert SizeType.parse("L5G1").length_mm == 13716
    assert SizeType.parse("22G1").width_max_mm == 2438
    assert SizeType.parse("2CG1").width_max_mm == 2500
    assert SizeType.parse("2LG1").width_max_mm is None


def test_open_ended_heights_are_flagged() -> None:
    """Height codes 6, F and P only say "over 9'6"", which height_is_bound reports."""
    assert SizeType.parse("26G1").height_is_bound
    assert not SizeType.parse("25G1").height_is_bound


@given(table_codes)
def test_every_code_of_the_tables_parses(code: str) -> None:
    """Any combination of table entries decodes, round-trips and is consistent."""
    size_type = SizeType.parse(code)
    assert str(size_type) == code
    assert SizeType.parse(code.lower()) is size_type
    assert size_type.high_cube is (code[1] in "456DEFMNP")
    assert size_type.type_group[0] in "GVBSRHUPTA"
    assert size_type.description


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("X2G1", "length code 'X' (character 1)"),
        ("52G1", "length code '5' (character 1)"),
        ("2XG1", "height/width code 'X' (character 2)"),
        ("21G1", "height/width code '1' (character 2)"),
        ("22X1", "type letter 'X' (character 3)"),
        ("22GX", "type detail 'X' (character 4)"),
        ("22G7", "type code 'G7' (characters 3-4) is spare"),
        ("22V1", "type code 'V1' (characters 3-4) is spare"),
        ("22R9", "type code 'R9' (characters 3-4) is spare"),
        ("2210", "numeric type codes are from the 1984 edition"),
        ("22G", "must be 4 characters, got 3"),
        ("22G11", "must be 4 characters, got 5"),
        ("", "must be 4 characters, got 0"),
    ],
)
def test_bad_codes_name_the_failing_character(code: str, fragment: str) -> None:
    """A code outside the tables is rejected, naming the code and the bad character."""
    with pytest.raises(InvalidIsoType) as info:
        SizeType.parse(code)
    assert fragment in str(info.value)
    assert repr(code) in str(info.value)


def test_lower_case_bad_code_is_named_as_given() -> None:
    """An error for a lower-case code shows the text as the caller gave it."""
    with pytest.raises(InvalidIsoType, match="given as '22g7'"):
        SizeType.parse("22g7")


def test_parse_is_cached() -> None:
    """Parsing one non-registry code twice, in any spelling, gives the same object."""
    assert SizeType.parse("2EG1") is SizeType.parse("2EG1") is SizeType.parse(" 2eg1")


def test_fields_must_agree_with_the_code() -> None:
    """A SizeType built by hand with fields that contradict its code is rejected."""
    with pytest.raises(InvalidIsoType, match="'22G1': fields do not match"):
        dataclasses.replace(SizeType.parse("22G1"), length_ft=40)


def test_equality_ignores_the_description() -> None:
    """Two decodings of one code are equal whatever their descriptions."""
    size_type = SizeType.parse("22G1")
    other = dataclasses.replace(size_type, description="twenty-foot dry van")
    assert other == size_type
    assert hash(other) == hash(size_type)


@given(st.text(max_size=6))
def test_parse_fuzz_raises_only_invalid_iso_type(text: str) -> None:
    """Any text decodes to a size type printing as its upper-case code, or raises InvalidIsoType."""
    try:
        size_type = SizeType.parse(text)
    except InvalidIsoType:
        return
    assert str(size_type) == text.strip().upper()
