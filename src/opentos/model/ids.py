"""Identifiers: ISO 6346 container numbers and UN/LOCODEs.

A container number is written ``MSKU1234565``: a three-letter owner code
(``MSK``), an equipment category (``U`` freight container, ``J`` detachable
equipment, ``Z`` trailer or chassis), a six-digit serial number and a check
digit. The check digit guards against misreadings at the gate and in EDI: each
of the first ten characters gets a value (digits as is, letters from A=10
upwards skipping the multiples of 11, so A=10, B=12 ... K=21, L=23 ... Z=38),
weighted by ``2**position``; the sum modulo 11 is the check digit, a remainder
of 10 being written 0.

Two blind spots of the scheme are worth knowing: owner letters whose values are
congruent modulo 11 (A/K/U, B/L/V, C/M/W, ...) can be swapped undetected, and a
change that moves the remainder between 0 and 10 keeps check digit 0.

A UN/LOCODE is written ``CNTAO``: an ISO 3166 country code and a three
character location code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Self, cast

from opentos.errors import InvalidContainerNumber, InvalidLocode

CATEGORIES = "UJZ"
"""ISO 6346 equipment categories: freight container, detachable equipment, trailer/chassis."""

_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


def _letter_values() -> dict[str, int]:
    values: dict[str, int] = {}
    value = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


CHAR_VALUES: dict[str, int] = {**{d: int(d) for d in "0123456789"}, **_letter_values()}
"""The ISO 6346 value of each character: digits as is, letters 10-38 skipping multiples of 11."""

# Weighted value of each character at each of the ten positions, reduced modulo 11.
_WEIGHTED: tuple[dict[str, int], ...] = tuple(
    {c: (v << i) % 11 for c, v in CHAR_VALUES.items()} for i in range(10)
)
_CLEAN = str.maketrans("", "", " -\t\r\n")


def check_digit(first10: str) -> int:
    """Compute the ISO 6346 check digit of the first ten characters of a container number.

    Parameters
    ----------
    first10
        Owner code, category and serial, e.g. ``"MSKU123456"`` (case-insensitive).

    Returns
    -------
    int
        The check digit, 0-9 (a remainder of 10 gives 0).

    Raises
    ------
    InvalidContainerNumber
        If ``first10`` is not ten letters or digits.
    """
    text = first10.upper()
    if len(text) != 10:
        raise InvalidContainerNumber(
            f"check digit of {first10!r}: need 10 characters (owner, category, serial), "
            f"got {len(first10)}"
        )
    total = 0
    for i, c in enumerate(text):
        weighted = _WEIGHTED[i].get(c)
        if weighted is None:
            raise InvalidContainerNumber(
                f"check digit of {first10!r}: character {i + 1} {c!r} is not a letter or digit"
            )
        total += weighted
    return total % 11 % 10


def _field_problem(owner: str, category: str, serial: str, check: object) -> str | None:
    """Describe the first malformed field, or return None if all are well formed."""
    if len(owner) != 3 or not _LETTERS.issuperset(owner):
        return f"owner code {owner!r} must be three letters"
    if len(category) != 1 or category not in CATEGORIES:
        return f"category {category!r} must be U, J or Z"
    if len(serial) != 6 or not _DIGITS.issuperset(serial):
        return f"serial number {serial!r} must be six digits"
    if isinstance(check, bool) or not isinstance(check, int) or not 0 <= check <= 9:
        return f"check digit {check!r} must be a digit 0-9"
    return None


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ContainerNumber:
    """An ISO 6346 container number: ``ContainerNumber.parse("MSKU 123456 5")``.

    Instances are validated on construction (including the check digit), and
    hash, compare and sort by their canonical text, which is kept: a number is
    a dictionary key millions of times over, and a string caches its hash.
    """

    owner: str
    category: str
    serial: str
    check_digit: int
    _text: str = field(init=False, repr=False, compare=False)
    _verified: bool = field(init=False, repr=False, compare=False, default=True)

    def __post_init__(self) -> None:
        text = f"{self.owner}{self.category}{self.serial}{self.check_digit}"
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_verified", True)
        problem = _field_problem(self.owner, self.category, self.serial, self.check_digit)
        if problem is not None:
            raise InvalidContainerNumber(f"container number {text!r}: {problem}")
        expected = check_digit(text[:10])
        if self.check_digit != expected:
            raise InvalidContainerNumber(
                f"container number {text!r}: check digit is {self.check_digit}, expected {expected}"
            )

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a container number; case, blanks and hyphens are ignored.

        Results are cached: the same text read again (a ledger replays millions
        of events over a few thousand boxes) costs a dictionary look-up.

        Parameters
        ----------
        text
            ``"MSKU1234565"``, ``"msku 123456-5"``, ``"MSKU 123456 5"`` ...; all eleven
            characters including the check digit are required.

        Raises
        ------
        InvalidContainerNumber
            Naming the text and what is wrong: length, owner code, category, serial
            or check digit.
        """
        if cls is ContainerNumber:
            return cast(Self, _parse_cached(text))
        return cls._parse(text)

    @classmethod
    def _parse(cls, text: str) -> Self:
        clean = text.translate(_CLEAN).upper()
        if len(clean) != 11:
            raise InvalidContainerNumber(
                f"container number {text!r}: has {len(clean)} characters without blanks and "
                "hyphens, expected 11 (owner code, category, 6-digit serial, check digit)"
            )
        check_char = clean[10]
        check: object = int(check_char) if check_char in _DIGITS else check_char
        problem = _field_problem(clean[:3], clean[3], clean[4:10], check)
        if problem is not None:
            raise InvalidContainerNumber(f"container number {text!r}: {problem}")
        expected = check_digit(clean[:10])
        if check != expected:
            raise InvalidContainerNumber(
                f"container number {text!r}: check digit is {check}, expected {expected}"
            )
        return cls(clean[:3], clean[3], clean[4:10], expected)

    @classmethod
    def from_parts(cls, owner: str, category: str, serial: str | int) -> Self:
        """Build a number from its parts, computing the check digit.

        Parameters
        ----------
        owner
            Three letters, e.g. ``"MSK"`` (case-insensitive).
        category
            ``"U"``, ``"J"`` or ``"Z"`` (case-insensitive).
        serial
            Six digits, or an int 0-999999 (zero-padded).
        """
        if isinstance(serial, bool):
            raise InvalidContainerNumber(f"serial number {serial!r} must be six digits")
        if isinstance(serial, int):
            if not 0 <= serial <= 999_999:
                raise InvalidContainerNumber(f"serial number {serial} is out of range 0-999999")
            serial = f"{serial:06d}"
        owner, category = owner.upper(), category.upper()
        problem = _field_problem(owner, category, serial, 0)
        if problem is not None:
            raise InvalidContainerNumber(problem)
        return cls(owner, category, serial, check_digit(owner + category + serial))

    @classmethod
    def as_written(cls, text: str) -> ContainerNumber:
        """An equipment id that is not a valid ISO 6346 number, kept as written (upper case,
        without blanks and hyphens) so that a lenient EDI reading does not lose its box.

        A wrong check digit, a number without one and a placeholder (``TBA``,
        ``XXXX0000000``) all give one; :attr:`verified` is False, and the ledger
        refuses to register such a box. A valid number gives the ordinary instance.
        """
        clean = text.translate(_CLEAN).upper()
        if is_valid(clean):
            return ContainerNumber.parse(clean)
        number = object.__new__(ContainerNumber)
        check = clean[10:11]
        for name, value in (
            ("owner", clean[:3]),
            ("category", clean[3:4]),
            ("serial", clean[4:10]),
            ("check_digit", int(check) if check in _DIGITS else -1),
            ("_text", clean),
            ("_verified", False),
        ):
            object.__setattr__(number, name, value)
        return number

    @property
    def verified(self) -> bool:
        """False for an id kept :meth:`as_written` (no valid ISO 6346 number)."""
        return self._verified

    def __str__(self) -> str:
        return self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ContainerNumber):
            return self._text == other._text
        return NotImplemented

    def __lt__(self, other: ContainerNumber) -> bool:
        return self._text < other._text

    def __le__(self, other: ContainerNumber) -> bool:
        return self._text <= other._text

    def __gt__(self, other: ContainerNumber) -> bool:
        return self._text > other._text

    def __ge__(self, other: ContainerNumber) -> bool:
        return self._text >= other._text

    def __repr__(self) -> str:
        return f"ContainerNumber({str(self)!r})"

    def spaced(self) -> str:
        """The number as marked on the box: ``"MSKU 123456 5"``."""
        return f"{self.owner}{self.category} {self.serial} {self.check_digit}"


@lru_cache(maxsize=1 << 18)
def _parse_cached(text: str) -> ContainerNumber:
    return ContainerNumber._parse(text)


def is_valid(text: str) -> bool:
    """Tell whether ``text`` parses as a container number with a correct check digit."""
    try:
        ContainerNumber.parse(text)
    except InvalidContainerNumber:
        return False
    return True


_LOCATION_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789")


def _locode_problem(code: str) -> str | None:
    """Describe what is malformed in a UN/LOCODE, or return None."""
    if len(code) != 5:
        return f"has {len(code)} characters, expected 5 (2-letter country + 3-character location)"
    if not _LETTERS.issuperset(code[:2]):
        return f"country code {code[:2]!r} must be two letters"
    if not _LOCATION_CHARS.issuperset(code[2:]):
        return f"location code {code[2:]!r} must be three letters or digits 2-9"
    return None


@dataclass(frozen=True, slots=True, order=True, repr=False)
class UnLocode:
    """A UN/LOCODE: ``UnLocode.parse("CN TAO")`` is Qingdao, printed ``CNTAO``."""

    code: str

    def __post_init__(self) -> None:
        problem = _locode_problem(self.code)
        if problem is not None:
            raise InvalidLocode(f"UN/LOCODE {self.code!r}: {problem}")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a UN/LOCODE; case and blanks are ignored (``"cn tao"`` is ``CNTAO``).

        Raises
        ------
        InvalidLocode
            Naming the text and the malformed part.
        """
        clean = "".join(text.split()).upper()
        problem = _locode_problem(clean)
        if problem is not None:
            raise InvalidLocode(f"UN/LOCODE {text!r}: {problem}")
        return cls(clean)

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"UnLocode({self.code!r})"

    @property
    def country(self) -> str:
        """The ISO 3166 alpha-2 country code: ``"CN"``."""
        return self.code[:2]

    @property
    def location(self) -> str:
        """The location code within the country: ``"TAO"``."""
        return self.code[2:]
