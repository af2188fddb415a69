"""Typed reading of JSON-like dicts, with errors that name the key path.

The ``from_dict`` readers of the model (container records, vessel profiles, the
terminal layout) wrap the dict they read in a :class:`DictReader` and ask it for
each key with the type they expect. A key that is missing or holds a value of
the wrong type raises :class:`~opentos.errors.InvalidValue` naming where it is::

    vessel profile: sections[0].deck[0].tiers: expected a list of integers, got ['82']

A location has two parts, both optional: a ``label`` saying what document is
read (``"vessel profile"``, ``"container record MSKU1234565"``) and a key
``path`` inside it (``"sections[0].deck[0]"``); nested readers keep the label
and extend the path. :meth:`DictReader.check_all_read` rejects the keys nobody
asked for, so typos do not pass silently.

Lists may be lists or tuples; a bool is never an integer or a number; an
integer passes for a number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import Enum
from typing import ParamSpec, TypeVar

from opentos.errors import DataImportError, InvalidValue

__all__ = ["DictReader"]

_T = TypeVar("_T")
_E = TypeVar("_E", bound=Enum)
_P = ParamSpec("_P")


class _Missing(Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing.MISSING
"""The accessors' ``default`` when none is given: the key is required."""


class DictReader:
    """Typed access to one JSON-like object; every error names the key path.

    Parameters
    ----------
    data
        The object to read; anything but a mapping is refused.
    path
        Key path of ``data`` in the document (``"sections[3]"``), or ``""``.
    label
        What the document is (``"vessel profile"``), or ``""``; put before the path.

    Raises
    ------
    InvalidValue
        ``data`` is not a mapping.
    """

    __slots__ = ("_read", "data", "label", "path")

    def __init__(self, data: object, path: str = "", *, label: str = "") -> None:
        self.label = label
        self.path = path
        if not isinstance(data, Mapping):
            raise self.error(f"expected an object, got {type(data).__name__}")
        self.data: Mapping[object, object] = data
        self._read: set[object] = set()

    # --- locations and errors ---------------------------------------------------------------

    @property
    def where(self) -> str:
        """This object's location: ``"label: path"``, or the part that is not empty."""
        return ": ".join(part for part in (self.label, self.path) if part)

    def key_path(self, key: str) -> str:
        """The path of ``key`` in this object (``"sections[3].lcg_m"``)."""
        return f"{self.path}.{key}" if self.path else key

    def at(self, key: str) -> str:
        """The location of ``key``: the label, then its key path."""
        return f"{self.label}: {self.key_path(key)}" if self.label else self.key_path(key)

    def error(self, message: str, key: str | None = None) -> InvalidValue:
        """An InvalidValue saying ``message`` at ``key`` (or at this object)."""
        where = self.where if key is None else self.at(key)
        return InvalidValue(f"{where}: {message}" if where else message)

    def _expected(self, key: str, what: str, value: object) -> InvalidValue:
        return self.error(f"expected {what}, got {value!r}", key)

    # --- raw access -------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        """True if ``key`` is present (even if its value is null)."""
        return key in self.data

    def raw(self, key: str, default: object = MISSING) -> object:
        """The value at ``key`` as it is; ``default`` if absent.

        Raises
        ------
        InvalidValue
            ``key`` is absent and no ``default`` is given.
        """
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            raise self.error(f"missing key {key!r}")
        return default

    def value(
        self, key: str, ok: Callable[[object], bool], what: str, default: object = MISSING
    ) -> object:
        """The value at ``key`` if ``ok`` accepts it; ``what`` describes what is expected.

        A ``default`` used for an absent key is not checked.
        """
        value = self.raw(key, default)
        if key in self.data and not ok(value):
            raise self._expected(key, what, value)
        return value

    # --- scalars ----------------------------------------------------------------------------

    def str_(self, key: str, default: str | _Missing = MISSING) -> str:
        """A string."""
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self._expected(key, "a string", value)
        return value

    def int_(self, key: str, default: int | _Missing = MISSING) -> int:
        """An integer (not a bool)."""
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._expected(key, "an integer", value)
        return value

    def float_(self, key: str, default: float | _Missing = MISSING) -> float:
        """A number (an integer or a float, not a bool), as a float."""
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._expected(key, "a number", value)
        return float(value)

    def bool_(self, key: str, default: bool | _Missing = MISSING) -> bool:
        """``true`` or ``false``."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self._expected(key, "true or false", value)
        return value

    def optional_str(self, key: str) -> str | None:
        """A string, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.str_(key)

    def optional_int(self, key: str) -> int | None:
        """An integer, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.int_(key)

    def optional_float(self, key: str) -> float | None:
        """A number, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.float_(key)

    def enum(self, key: str, enum: type[_E]) -> _E:
        """A member of ``enum``, given by its value."""
        value = self.raw(key)
        if not isinstance(value, bool):
            try:
                return enum(value)
            except (ValueError, TypeError):
                pass
        allowed = ", ".join(repr(member.value) for member in enum)
        raise self._expected(key, f"one of {allowed}", value)

    def optional_enum(self, key: str, enum: type[_E]) -> _E | None:
        """A member of ``enum``, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.enum(key, enum)

    def parsed(self, key: str, parse: Callable[[str], _T]) -> _T:
        """A string passed through ``parse``; its InvalidValue (same class) gains the location."""
        text = self.str_(key)
        try:
            return parse(text)
        except InvalidValue as exc:
            raise type(exc)(f"{self.at(key)}: {exc}") from None

    def optional_parsed(self, key: str, parse: Callable[[str], _T]) -> _T | None:
        """Like :meth:`parsed`, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.parsed(key, parse)

    # --- lists and nested objects -----------------------------------------------------------

    def list_(self, key: str, default: list[object] | _Missing = MISSING) -> list[object]:
        """A list (or tuple), as a new list."""
        value = self.raw(key, default)
        if not isinstance(value, list | tuple):
            raise self._expected(key, "a list", value)
        return list(value)

    def int_list(self, key: str) -> list[int]:
        """A list of integers (no bools)."""
        values = self.list_(key)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            raise self._expected(key, "a list of integers", values)
        return [v for v in values if isinstance(v, int)]

    def str_list(self, key: str, default: list[object] | _Missing = MISSING) -> list[str]:
        """A list of strings."""
        values = self.list_(key, default)
        if any(not isinstance(v, str) for v in values):
            raise self._expected(key, "a list of strings", values)
        return [v for v in values if isinstance(v, str)]

    def dict_(self, key: str) -> DictReader:
        """A reader for the object at ``key``."""
        return DictReader(self.raw(key), self.key_path(key), label=self.label)

    def optional_dict(self, key: str) -> DictReader | None:
        """A reader for the object at ``key``, or ``None`` if the key is absent or null."""
        return None if self.raw(key, None) is None else self.dict_(key)

    def dict_list(self, key: str, default: list[object] | _Missing = MISSING) -> list[DictReader]:
        """Readers for the objects of the list at ``key``, their paths ending ``key[i]``."""
        path = self.key_path(key)
        return [
            DictReader(item, f"{path}[{i}]", label=self.label)
            for i, item in enumerate(self.list_(key, default))
        ]

    # --- finishing --------------------------------------------------------------------------

    def check_all_read(self) -> None:
        """Reject the keys no accessor asked for: they are typos or belong elsewhere.

        Raises
        ------
        InvalidValue
            Listing the unknown keys, sorted.
        """
        unknown = sorted(str(k) for k in self.data if k not in self._read)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)}")

    def build(self, make: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Check that every key was read, then return ``make(*args, **kwargs)``.

        Pass the values already read as arguments: an InvalidValue that ``make``
        raises (a broken invariant) gains this object's location, keeping its class.
        """
        self.check_all_read()
        try:
            return make(*args, **kwargs)
        except InvalidValue as exc:
            where = self.where
            if not where:
                raise
            raise type(exc)(f"{where}: {exc}") from None


def parse_json(text: str, source: str) -> object:
    """The JSON document in ``text``.

    Raises
    ------
    DataImportError
        Not JSON; the problem gives its line and column, ``source`` names the input.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataImportError(
            source, [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
