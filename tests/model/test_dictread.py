"""Tests for the shared JSON-like dict reader: typed accessors and key-path messages."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from opentos.errors import InvalidLocode, InvalidValue
from opentos.model.dictread import DictReader
from opentos.model.ids import UnLocode


class Colour(StrEnum):
    """A small enum to read."""

    RED = "red"
    BLUE = "blue"


def deck_stack(**values: object) -> DictReader:
    """A reader for ``sections[0].deck[0]`` of a vessel profile, holding ``values``."""
    document = {"sections": [{"deck": [values]}]}
    section = DictReader(document, label="vessel profile").dict_list("sections")[0]
    return section.dict_list("deck")[0]


def test_a_wrong_type_names_the_key_path_and_the_value() -> None:
    """A value of the wrong type is refused naming the label, the key path and the value."""
    r = deck_stack(tiers="x", row=1)
    message = "vessel profile: sections[0].deck[0].tiers: expected an integer, got 'x'"
    with pytest.raises(InvalidValue, match=re.escape(message)):
        r.int_("tiers")


def test_without_a_label_the_message_starts_with_the_path() -> None:
    """With no label, the location is the key path alone."""
    r = DictReader({"deck": [{"tiers": ["82"]}]}, "sections[0]").dict_list("deck")[0]
    message = "sections[0].deck[0].tiers: expected a list of integers, got ['82']"
    with pytest.raises(InvalidValue, match=re.escape(message)):
        r.int_list("tiers")


def test_a_missing_key_is_named_at_its_object() -> None:
    """A required key that is absent is named, at the object that lacks it."""
    with pytest.raises(InvalidValue, match=re.escape("stack: missing key 'row'")):
        DictReader({}, "stack").int_("row")


def test_a_default_stands_only_for_an_absent_key() -> None:
    """A default fills an absent key, but a null value is still checked."""
    r = DictReader({"reason": None})
    assert r.int_("count", default=0) == 0
    with pytest.raises(InvalidValue, match="reason: expected a string, got None"):
        r.str_("reason", default="")


def test_optional_accessors_give_none_for_absent_or_null() -> None:
    """Optional accessors give None for an absent or null key and check any other value."""
    r = DictReader({"a": None, "b": "1"})
    assert r.optional_int("a") is None
    assert r.optional_float("missing") is None
    assert r.optional_str("a") is None
    assert r.optional_dict("a") is None
    with pytest.raises(InvalidValue, match="b: expected an integer, got '1'"):
        r.optional_int("b")


@pytest.mark.parametrize(
    ("method", "value", "expected"),
    [
        ("int_", True, "an integer"),
        ("int_", 1.0, "an integer"),
        ("float_", False, "a number"),
        ("float_", "1.5", "a number"),
        ("bool_", 1, "true or false"),
        ("str_", 7, "a string"),
        ("list_", "abc", "a list"),
        ("int_list", [1, True], "a list of integers"),
    ],
)
def test_bools_strings_and_numbers_do_not_pass_for_each_other(
    method: str, value: object, expected: str
) -> None:
    """A bool is no integer or number, a number no bool, a string no list."""
    r = DictReader({"k": value}, "obj")
    with pytest.raises(InvalidValue, match=re.escape(f"obj.k: expected {expected}, got {value!r}")):
        getattr(r, method)("k")


def test_an_integer_passes_for_a_number() -> None:
    """float_ reads an integer as a float."""
    value = DictReader({"lcg_m": 3}).float_("lcg_m")
    assert value == 3.0
    assert isinstance(value, float)


def test_an_enum_value_outside_the_enum_lists_the_allowed_values() -> None:
    """enum reads a member by value and names the allowed values otherwise."""
    r = DictReader({"good": "red", "bad": "green"}, label="paint")
    assert r.enum("good", Colour) is Colour.RED
    with pytest.raises(InvalidValue, match=re.escape("paint: bad: expected one of 'red', 'blue'")):
        r.enum("bad", Colour)


def test_a_parse_error_keeps_its_class_and_gains_the_location() -> None:
    """parsed prefixes the parser's message with the key's location, keeping the error class."""
    r = DictReader({"port": "CN"}, label="container record MSKU1234565")
    with pytest.raises(InvalidLocode, match=r"^container record MSKU1234565: port: UN/LOCODE 'CN'"):
        r.parsed("port", UnLocode.parse)


def test_a_nested_value_that_is_not_an_object_is_refused() -> None:
    """A nested object or list item that is not a mapping is refused at its path."""
    with pytest.raises(InvalidValue, match=re.escape("doc: reefer: expected an object, got list")):
        DictReader({"reefer": []}, label="doc").dict_("reefer")
    with pytest.raises(InvalidValue, match=re.escape("seals[1]: expected an object, got str")):
        DictReader({"seals": [{}, "S1"]}).dict_list("seals")


def test_check_all_read_rejects_the_keys_nobody_asked_for() -> None:
    """check_all_read lists, sorted, every key no accessor read; optional reads count."""
    r = DictReader({"id": "A", "note": None, "colour": 1, "size": 2}, "blocks[0]")
    r.str_("id")
    r.optional_str("note")
    with pytest.raises(InvalidValue, match=re.escape("blocks[0]: unknown key(s) colour, size")):
        r.check_all_read()
    r.raw("colour")
    r.raw("size")
    r.check_all_read()


def test_build_locates_the_constructors_error_and_checks_the_keys_first() -> None:
    """build rejects unknown keys, then adds the location to what the constructor raises."""

    def positive(n: int) -> int:
        if n <= 0:
            raise InvalidLocode(f"{n} is not positive")
        return n

    r = DictReader({"n": 0, "typo": 1}, "items[2]")
    value = r.int_("n")
    with pytest.raises(InvalidValue, match=re.escape("items[2]: unknown key(s) typo")):
        r.build(positive, value)
    r.raw("typo")
    with pytest.raises(InvalidLocode, match=re.escape("items[2]: 0 is not positive")):
        r.build(positive, value)
    assert r.build(positive, 5) == 5


def test_a_top_level_document_that_is_not_an_object_is_refused() -> None:
    """Anything but a mapping is refused when the reader is made."""
    with pytest.raises(InvalidValue, match=r"^vessel profile: expected an object, got list$"):
        DictReader([], label="vessel profile")
