"""Tests for ISO 6346 container numbers and UN/LOCODEs."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from opentos.errors import InvalidContainerNumber, InvalidLocode, InvalidValue
from opentos.model.ids import CHAR_VALUES, ContainerNumber, UnLocode, check_digit, is_valid

# The ISO 6346 letter values written out from the standard, independent of the code under test.
LETTER_VALUES = {
    "A": 10,
    **dict(zip("BCDEFGHIJK", range(12, 22), strict=True)),
    **dict(zip("LMNOPQRSTU", range(23, 33), strict=True)),
    **dict(zip("VWXYZ", range(34, 39), strict=True)),
}
ALPHANUMERIC = string.ascii_uppercase + string.digits


def reference_remainder(first10: str) -> int:
    """Weighted sum modulo 11, straight from the standard's description."""
    total = 0
    for i, c in enumerate(first10):
        value = int(c) if c.isdigit() else LETTER_VALUES[c]
        total += value * 2**i
    return total % 11


def reference_valid(text: str) -> bool:
    """Whether an 11-character upper-case text is a valid ISO 6346 number (reference oracle)."""
    owner, category, serial, check = text[:3], text[3], text[4:10], text[10]
    if not (owner.isalpha() and category in "UJZ" and serial.isdigit() and check.isdigit()):
        return False
    return reference_remainder(text[:10]) % 10 == int(check)


owners = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)
categories = st.sampled_from("UJZ")
serials = st.text(alphabet=string.digits, min_size=6, max_size=6)
numbers = st.builds(ContainerNumber.from_parts, owners, categories, serials)


# --- check digit ---------------------------------------------------------------------------------


def test_letter_values_skip_multiples_of_11() -> None:
    """Letters are valued A=10 upwards, skipping 11, 22 and 33."""
    assert {c: CHAR_VALUES[c] for c in string.ascii_uppercase} == LETTER_VALUES
    assert all(CHAR_VALUES[d] == int(d) for d in string.digits)
    assert not any(v % 11 == 0 for v in LETTER_VALUES.values())


def test_published_number_csqu3054383_is_valid() -> None:
    """CSQU3054383, the standard's worked example, has check digit 3."""
    assert check_digit("CSQU305438") == 3
    assert is_valid("CSQU3054383")


def test_msku1234565_has_check_digit_5() -> None:
    """MSKU123456: 24 + 60 + 84 + 256 + 16 + 64 + 192 + 512 + 1280 + 3072 = 5560 = 5 mod 11."""
    assert reference_remainder("MSKU123456") == 5
    assert check_digit("MSKU123456") == 5
    assert str(ContainerNumber.parse("MSKU1234565")) == "MSKU1234565"


def test_remainder_10_is_written_0() -> None:
    """A weighted sum of 10 modulo 11 gives check digit 0."""
    assert reference_remainder("MSKU000008") == 10
    assert check_digit("MSKU000008") == 0
    assert ContainerNumber.parse("MSKU0000080").check_digit == 0


def test_check_digit_is_case_insensitive() -> None:
    """check_digit reads lower-case letters like capitals."""
    assert check_digit("csqu305438") == 3


@pytest.mark.parametrize(
    ("first10", "fragment"),
    [("CSQU30543", "need 10 characters"), ("CSQU30543/", "character 10 '/'")],
)
def test_check_digit_rejects_malformed_input(first10: str, fragment: str) -> None:
    """check_digit needs ten letters or digits and names what is wrong."""
    with pytest.raises(InvalidContainerNumber, match=fragment):
        check_digit(first10)


@given(owners, categories, serials)
def test_check_digit_matches_the_reference(owner: str, category: str, serial: str) -> None:
    """check_digit agrees with a transcription of the standard's algorithm."""
    assert (
        check_digit(owner + category + serial)
        == reference_remainder(owner + category + serial) % 10
    )


# --- parse and print -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["MSKU1234565", "msku1234565", "MSKU 123456 5", "msku 123456-5", " MSKU-123456-5 "]
)
def test_parse_ignores_case_blanks_and_hyphens(text: str) -> None:
    """Lower case, blanks and hyphens are accepted and dropped."""
    number = ContainerNumber.parse(text)
    assert number == ContainerNumber("MSK", "U", "123456", 5)
    assert str(number) == "MSKU1234565"
    assert number.spaced() == "MSKU 123456 5"


def test_repr_shows_the_canonical_text() -> None:
    """repr names the class and the canonical number."""
    assert repr(ContainerNumber.parse("msku 123456 5")) == "ContainerNumber('MSKU1234565')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MSKU1234566", "container number 'MSKU1234566': check digit is 6, expected 5"),
        ("MS1U1234565", "owner code 'MS1' must be three letters"),
        ("MSKX1234565", "category 'X' must be U, J or Z"),
        ("MSKU12345X5", "serial number '12345X' must be six digits"),
        ("MSKU123456X", "check digit 'X' must be a digit"),
        ("MSKU123456", "has 10 characters without blanks and hyphens, expected 11"),
        ("MSKU12345655", "has 12 characters"),
        ("", "has 0 characters"),
    ],
)
def test_parse_says_precisely_what_is_wrong(text: str, message: str) -> None:
    """A malformed number is rejected with a message naming it and its fault."""
    with pytest.raises(InvalidContainerNumber) as info:
        ContainerNumber.parse(text)
    assert message in str(info.value)
    assert repr(text) in str(info.value)


def test_parse_requires_the_check_digit() -> None:
    """Ten characters without the check digit are not a container number."""
    assert not is_valid("MSKU123456")


def test_parse_rejects_non_ascii_digits() -> None:
    """Unicode digits such as '²' or Arabic-Indic digits are not ISO 6346 digits."""
    assert not is_valid("MSKU12345²5")
    assert not is_valid("MSKU١٢٣٤٥٦5")


def test_invalid_container_number_is_a_value_error() -> None:
    """InvalidContainerNumber is both an InvalidValue and a ValueError."""
    with pytest.raises(InvalidValue):
        ContainerNumber.parse("nonsense")
    with pytest.raises(ValueError, match="nonsense"):
        ContainerNumber.parse("nonsense")


def test_constructor_checks_the_check_digit() -> None:
    """Building a number directly with a wrong check digit fails."""
    with pytest.raises(InvalidContainerNumber, match="check digit is 6, expected 5"):
        ContainerNumber("MSK", "U", "123456", 6)


@pytest.mark.parametrize(
    ("owner", "category", "serial", "check", "fragment"),
    [
        ("msk", "U", "123456", 5, "owner code 'msk'"),
        ("MSK", "u", "123456", 5, "category 'u'"),
        ("MSK", "U", "12345", 5, "serial number '12345'"),
        ("MSK", "U", "123456", 10, "check digit 10"),
    ],
)
def test_constructor_checks_every_field(
    owner: str, category: str, serial: str, check: int, fragment: str
) -> None:
    """The constructor accepts only canonical fields: capitals, six digits, a digit 0-9."""
    with pytest.raises(InvalidContainerNumber, match=fragment):
        ContainerNumber(owner, category, serial, check)


def test_from_parts_computes_the_check_digit() -> None:
    """from_parts appends the check digit and accepts lower case and int serials."""
    assert str(ContainerNumber.from_parts("csq", "u", "305438")) == "CSQU3054383"
    assert ContainerNumber.from_parts("MSK", "U", 8) == ContainerNumber.parse("MSKU0000080")


@pytest.mark.parametrize(
    ("owner", "category", "serial", "fragment"),
    [
        ("MS", "U", "123456", "owner code 'MS'"),
        ("MSK", "X", "123456", "category 'X'"),
        ("MSK", "U", "1234567", "serial number '1234567'"),
        ("MSK", "U", 1_000_000, "serial number 1000000 is out of range"),
        ("MSK", "U", -1, "out of range"),
    ],
)
def test_from_parts_rejects_bad_parts(
    owner: str, category: str, serial: str | int, fragment: str
) -> None:
    """from_parts names the part that is malformed."""
    with pytest.raises(InvalidContainerNumber, match=fragment):
        ContainerNumber.from_parts(owner, category, serial)


@given(numbers)
def test_numbers_round_trip_through_text(number: ContainerNumber) -> None:
    """Every valid number survives str/parse and spaced/parse unchanged."""
    assert ContainerNumber.parse(str(number)) == number
    assert ContainerNumber.parse(number.spaced()) == number
    assert ContainerNumber.parse(str(number).lower()) == number
    assert len(str(number)) == 11
    assert reference_valid(str(number))


@given(st.lists(numbers, min_size=2, max_size=20))
def test_numbers_sort_like_their_text(items: list[ContainerNumber]) -> None:
    """Ordering numbers orders their canonical texts."""
    assert [str(n) for n in sorted(items)] == sorted(str(n) for n in items)


def test_numbers_are_dict_keys_whatever_their_spelling() -> None:
    """Numbers parsed from different spellings are equal and hash alike."""
    seen = {ContainerNumber.parse("MSKU1234565"): "box"}
    assert seen[ContainerNumber.parse("msku 123456-5")] == "box"


# --- error detection -----------------------------------------------------------------------------


def is_known_blind_spot(original: str, corrupted: str, position: int) -> bool:
    """True for the corruptions the ISO 6346 check digit cannot detect.

    Owner letters with values congruent modulo 11 (A/K/U, B/L/V, ...) swap undetected; and a
    change that moves the remainder between 0 and 10 keeps check digit 0. A corruption of the
    check digit itself, or one that breaks the format, is always caught.
    """
    owner, category, serial = corrupted[:3], corrupted[3], corrupted[4:10]
    well_formed = owner.isalpha() and category in "UJZ" and serial.isdigit()
    if position == 10 or not well_formed:
        return False
    old, new = original[position], corrupted[position]
    same_letter_class = position < 3 and LETTER_VALUES[new] % 11 == LETTER_VALUES[old] % 11
    zero_ten = {reference_remainder(original[:10]), reference_remainder(corrupted[:10])} == {0, 10}
    return same_letter_class or zero_ten


@given(numbers, st.integers(0, 10), st.sampled_from(ALPHANUMERIC))
def test_single_character_corruptions_are_rejected_but_for_known_blind_spots(
    number: ContainerNumber, position: int, replacement: str
) -> None:
    """Replacing one character is detected, except the two blind spots of ISO 6346."""
    original = str(number)
    assume(original[position] != replacement)
    corrupted = original[:position] + replacement + original[position + 1 :]
    if is_known_blind_spot(original, corrupted, position):
        assert is_valid(corrupted)
    else:
        with pytest.raises(InvalidContainerNumber):
            ContainerNumber.parse(corrupted)


def test_all_corruptions_of_msku1234565() -> None:
    """Of 385 one-character corruptions of MSKU1234565 only 5 owner-letter swaps pass."""
    original = "MSKU1234565"
    accepted = sorted(
        corrupted
        for position in range(11)
        for c in ALPHANUMERIC
        if c != original[position]
        and is_valid(corrupted := original[:position] + c + original[position + 1 :])
    )
    # M=24=C=W mod 11, S=30=I mod 11, K=21=A=U mod 11.
    assert accepted == ["CSKU1234565", "MIKU1234565", "MSAU1234565", "MSUU1234565", "WSKU1234565"]


def test_corruptions_of_serial_and_category_are_always_caught_unless_remainder_0_or_10() -> None:
    """A serial digit change is caught unless it moves the remainder between 0 and 10."""
    assert reference_remainder("MSKU000014") == 0
    assert reference_remainder("MSKU000012") == 10
    assert is_valid("MSKU0000140")
    assert is_valid("MSKU0000120")


@given(st.text(max_size=20))
def test_parse_fuzz_raises_only_invalid_container_number(text: str) -> None:
    """Any text parses to a number printing as its cleaned form or raises InvalidContainerNumber."""
    try:
        number = ContainerNumber.parse(text)
    except InvalidContainerNumber:
        return
    cleaned = "".join(c for c in text if c not in " -\t\r\n").upper()
    assert str(number) == cleaned


# --- UN/LOCODE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["CNTAO", "cntao", "CN TAO", " cn tao "])
def test_locode_parse_ignores_case_and_blanks(text: str) -> None:
    """UN/LOCODEs read in any case with blanks, and print as five capitals."""
    code = UnLocode.parse(text)
    assert str(code) == "CNTAO"
    assert code == UnLocode("CNTAO")
    assert (code.country, code.location) == ("CN", "TAO")
    assert repr(code) == "UnLocode('CNTAO')"


def test_locode_location_may_hold_digits_2_to_9() -> None:
    """Location codes use letters and the digits 2-9 (no 0 or 1, which look like O and I)."""
    assert UnLocode.parse("USNYC").location == "NYC"
    assert UnLocode.parse("DEHA2").location == "HA2"
    with pytest.raises(InvalidLocode, match="'HA1'"):
        UnLocode.parse("DEHA1")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("CNTA", "has 4 characters"),
        ("CNTAOX", "has 6 characters"),
        ("C1TAO", "country code 'C1' must be two letters"),
        ("CNT-O", "location code 'T-O'"),
    ],
)
def test_locode_errors_name_the_bad_part(text: str, fragment: str) -> None:
    """A malformed UN/LOCODE is rejected with the text and the bad part named."""
    with pytest.raises(InvalidLocode) as info:
        UnLocode.parse(text)
    assert fragment in str(info.value)
    assert repr(text) in str(info.value)


def test_locode_constructor_requires_canonical_text() -> None:
    """UnLocode() takes only the canonical form; parse() is for user input."""
    with pytest.raises(InvalidLocode):
        UnLocode("cntao")


@given(st.text(max_size=10))
def test_locode_fuzz_raises_only_invalid_locode(text: str) -> None:
    """Any text parses to a five-character code or raises InvalidLocode."""
    try:
        code = UnLocode.parse(text)
    except InvalidLocode:
        return
    assert len(str(code)) == 5
    assert UnLocode.parse(str(code)) == code
