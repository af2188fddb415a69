"""Problems found while reading an interchange, and the lenient/strict switch.

A lenient reading collects every problem and goes on with what it could read;
a strict reading raises :class:`~opentos.errors.EdiError` at the first one.
Every problem says where it was: the segment's number in the interchange
(UNA not counted, the first segment after it is 1), its tag and the data
element (``2.1`` = second data element, first component), plus the value.

A reading is bounded: after ``max_problems`` errors (1,000 unless told
otherwise) or ``max_segments`` segments (500,000) it stops with
:class:`ReadingLimitReached`, which carries the problems found so far, so that
a huge or repetitive file is rejected in seconds instead of listing millions
of problems or building millions of segments. Warnings never stop a reading
(a real file may well have one on every box, and was read as meant): the
first ``max_problems`` are kept, the rest only counted
(:attr:`Problems.unlisted_warnings`), so memory stays bounded either way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NoReturn

from opentos.errors import EdiError


class Severity(StrEnum):
    """How bad a problem is."""

    ERROR = "error"
    """The content is wrong or missing; what depends on it was not read."""
    WARNING = "warning"
    """The file breaks a rule but its meaning is clear; it was read as meant."""


DEFAULT_MAX_PROBLEMS = 1_000
"""How many problems a lenient reading collects before it stops."""
DEFAULT_MAX_SEGMENTS = 500_000
"""How many segments a reading takes before it stops: more than twice a full bay plan of
the largest vessels (20,000 slots are about 175,000 segments)."""

_LIMITED = {"problems": "errors", "segments": "segments"}
"""What each limit counts, by the name of its option (``--max-problems`` counts errors)."""

_NUMBER = re.compile(r"\b\d[\d,]*\b")
_QUOTED = re.compile(r"'[^']*'")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, with where it was."""

    message: str
    severity: Severity = Severity.ERROR
    segment: int | None = None
    """Position of the segment in the interchange (1 = first after UNA)."""
    tag: str | None = None
    element: str | None = None
    """``"2"`` or ``"2.1"``: data element, then component, both counted from 1."""
    value: str | None = None

    def where(self) -> str:
        """Where the problem was, as a planner reads it: ``segment 12 (EQD), element 2.1``."""
        parts: list[str] = []
        if self.segment is not None:
            parts.append(f"segment {self.segment}" + (f" ({self.tag})" if self.tag else ""))
        elif self.tag:
            parts.append(self.tag)
        if self.element:
            parts.append(f"element {self.element}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        value = f" [{self.value!r}]" if self.value is not None else ""
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    @property
    def kind(self) -> str:
        """The problem without its numbers and quoted values, to count problems alike."""
        return _QUOTED.sub("'…'", _NUMBER.sub("N", self.message))

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "severity": str(self.severity),
            "segment": self.segment,
            "tag": self.tag,
            "element": self.element,
            "value": self.value,
            "message": self.message,
        }


@dataclass(slots=True)
class Problems:
    """The problems of one reading; raises at the first one when ``strict``."""

    source: str = "interchange"
    strict: bool = False
    items: list[Problem] = field(default_factory=list)
    max_problems: int | None = DEFAULT_MAX_PROBLEMS
    """Stop with :class:`ReadingLimitReached` at one error more than this, and keep no more
    warnings than this (count the others); None: no limit."""
    max_segments: int | None = DEFAULT_MAX_SEGMENTS
    """Stop with :class:`ReadingLimitReached` at one segment more than this; None: never."""
    unlisted_warnings: int = 0
    """Warnings found beyond ``max_problems``: counted, not kept."""
    _errors: int = field(default=0, repr=False)
    _warnings: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.max_problems is not None and self.max_problems < 1:
            raise ValueError(f"Expected max_problems >= 1 or None, got {self.max_problems}.")
        if self.max_segments is not None and self.max_segments < 1:
            raise ValueError(f"Expected max_segments >= 1 or None, got {self.max_segments}.")

    def add(
        self,
        message: str,
        *,
        segment: int | None = None,
        tag: str | None = None,
        element: str | None = None,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record a problem; in strict mode, raise it."""
        problem = Problem(message, severity, segment, tag, element, value)
        if self.strict:
            self.items.append(problem)
            raise EdiError(self.source, [str(problem)])
        limit = self.max_problems
        if severity is Severity.WARNING:
            if limit is not None and self._warnings >= limit:
                self.unlisted_warnings += 1
                return
            self._warnings += 1
        else:
            if limit is not None and self._errors >= limit:
                self.stop("problems", limit, segment=segment, tag=tag)
            self._errors += 1
        self.items.append(problem)

    def stop(
        self, what: str, limit: int, *, segment: int | None = None, tag: str | None = None
    ) -> NoReturn:
        """Stop the reading: it found more ``what`` (problems, segments) than ``limit``."""
        self.items.append(
            Problem(
                f"reading stopped: more than {limit:,} {_LIMITED[what]} (the limit); "
                f"raise it with --max-{what} (max_{what}= in Python) to read on",
                Severity.ERROR,
                segment,
                tag,
            )
        )
        raise ReadingLimitReached(self.source, self.items, limit, what)

    def error(
        self,
        message: str,
        *,
        at: object = None,
        element: str | None = None,
        value: str | None = None,
    ) -> None:
        """An error at a segment (``at`` is a :class:`~opentos.edi.syntax.Segment` or None)."""
        self._at(message, at, element, value, Severity.ERROR)

    def warning(
        self,
        message: str,
        *,
        at: object = None,
        element: str | None = None,
        value: str | None = None,
    ) -> None:
        """A warning at a segment (``at`` is a :class:`~opentos.edi.syntax.Segment` or None)."""
        self._at(message, at, element, value, Severity.WARNING)

    def _at(
        self,
        message: str,
        at: object,
        element: str | None,
        value: str | None,
        severity: Severity,
    ) -> None:
        number = getattr(at, "number", None)
        tag = getattr(at, "tag", None)
        self.add(
            message,
            segment=number if isinstance(number, int) and number > 0 else None,
            tag=tag if isinstance(tag, str) else None,
            element=element,
            value=value,
            severity=severity,
        )

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def raise_errors(self) -> None:
        """Raise every error collected so far as one :class:`EdiError` (for imports)."""
        errors = self.errors
        if errors:
            raise EdiError(self.source, [str(p) for p in errors])


class ReadingLimitReached(EdiError):
    """A reading stopped: the interchange has more problems or segments than ``limit``.

    ``what`` is ``"problems"`` or ``"segments"``; ``items`` holds the problems found
    until then and, last, the error that says reading stopped; ``problems`` the same
    as text.
    """

    def __init__(self, source: str, items: Sequence[Problem], limit: int, what: str) -> None:
        super().__init__(source, [str(p) for p in items])
        self.items = tuple(items)
        self.limit = limit
        self.what = what
        first = f"; the first problem: {items[0]}" if len(items) > 1 else ""
        self.args = (
            f"{source}: reading stopped after {limit:,} {_LIMITED[what]}, the limit{first}; "
            f"raise the limit with --max-{what} (max_{what}= in Python) to read on",
        )


def counts_by_kind(problems: Sequence[Problem]) -> list[tuple[int, Severity, str]]:
    """How many problems of each severity and kind, most frequent first."""
    counts = Counter((p.severity, p.kind) for p in problems)
    return [(n, severity, kind) for (severity, kind), n in counts.most_common()]
