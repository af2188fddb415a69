"""EDIFACT syntax (ISO 9735): bytes to segments and segments to text.

pydifact supplies the service string advice (``UNA``) and the release-character
handling: a segment that contains the release character is tokenised by
pydifact's tokenizer, and every written component that holds a service
character is escaped by pydifact's serializer. Segments without one (nearly
all of them) are split with ``str.split``, because a character-at-a-time
tokenizer cannot read a 20,000-slot BAPLIE in the time a planner waits
(``benchmarks/edi.py``).

Reading is tolerant of what real files do: a UTF-8 byte-order mark, line
breaks or blanks between segments, a missing final terminator. Each is noted
in :class:`~opentos.edi.problems.Problems` (a strict reading raises there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydifact.control.characters import Characters
from pydifact.exceptions import EDISyntaxError, ValidationError
from pydifact.serializer import Serializer
from pydifact.token import Token
from pydifact.tokenizer import Tokenizer

from opentos.edi.problems import Problems

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_BLANKS = re.compile(r"[ \t\r\n]*")
_CHARSETS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
_SYNTAX_ID = re.compile(rb"UNB.(UNO[A-Z])")


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its tag and data elements, each a tuple of components.

    ``number`` is the segment's position in the interchange (the first segment
    after ``UNA`` is 1); segments built by a writer have 0. Trailing empty
    elements and components are not kept, as ISO 9735 says to leave them out,
    and equality ignores ``number``.
    """

    tag: str
    elements: tuple[tuple[str, ...], ...] = ()
    number: int = 0

    @classmethod
    def of(cls, tag: str, *elements: str | Sequence[str] | None) -> Segment:
        """Build a segment for writing: ``Segment.of("LOC", "147", ("0120382", "", "5"))``."""
        return cls(tag, _trim(tuple(_components(e) for e in elements)))

    def el(self, element: int, component: int = 1) -> str:
        """Component ``component`` of data element ``element`` (both from 1); "" when absent."""
        if element > len(self.elements):
            return ""
        parts = self.elements[element - 1]
        return parts[component - 1] if component <= len(parts) else ""

    @property
    def qualifier(self) -> str:
        """The first component of the first data element (the usual qualifier)."""
        return self.el(1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self.tag == other.tag and self.elements == other.elements

    def __hash__(self) -> int:
        return hash((self.tag, self.elements))

    def __str__(self) -> str:
        return serialize([self], with_una=False)


def _components(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _trim(elements: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    trimmed = [_trim_components(e) for e in elements]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return tuple(trimmed)


def _trim_components(parts: tuple[str, ...]) -> tuple[str, ...]:
    end = len(parts)
    while end and parts[end - 1] == "":
        end -= 1
    return parts if end == len(parts) else parts[:end]


DEFAULT_CHARACTERS = ":+.? '"
"""The service characters OpenTOS writes in ``UNA`` (decimal point ``.``, as SMDG files use)."""


def characters(advice: str = DEFAULT_CHARACTERS) -> Characters:
    """pydifact's service characters from the six characters of a ``UNA`` segment."""
    return Characters.from_str(advice)


def decode(data: bytes | str, problems: Problems) -> str:
    """Bytes to text in the character set the ``UNB`` names; a UTF-8 BOM is dropped."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            problems.warning("a byte-order mark before the interchange was ignored")
            return data[1:]
        return data
    if data.startswith(b"\xef\xbb\xbf"):
        problems.warning("a UTF-8 byte-order mark before the interchange was ignored")
        data = data[3:]
    found = _SYNTAX_ID.search(data[:200])
    codec = _CHARSETS.get(found.group(1).decode("ascii")) if found else None
    for name in dict.fromkeys((codec or "utf-8", "utf-8")):
        try:
            return data.decode(name)
        except UnicodeDecodeError as exc:
            problems.error(
                f"byte {exc.start} is not valid {name}"
                + (f" (the UNB names {found.group(1).decode('ascii')})" if found else ""),
                value=data[exc.start : exc.start + 1].hex(),
            )
    return data.decode("latin-1")


def split_service_advice(text: str, problems: Problems) -> tuple[Characters, int]:
    """The service characters (from ``UNA`` if present) and where the segments start.

    An offset rather than the rest of the text, so that a large interchange is not copied.
    """
    match = _BLANKS.match(text)
    start = match.end() if match else 0
    if text[start : start + 3].upper() != "UNA":
        return characters(":+.? '"), start
    advice = text[start + 3 : start + 9]
    try:
        chars = Characters.from_str(advice)
    except ValidationError:
        problems.add("the UNA segment is cut short", tag="UNA", value=text[start : start + 9])
        return characters(), len(text)
    used = [
        chars.component_separator,
        chars.data_separator,
        chars.escape_character,
        chars.segment_terminator,
    ]
    if len(set(used)) != len(used) or any(c.isalnum() for c in used):
        problems.add(
            "the UNA service characters must be four different non-alphanumeric characters",
            tag="UNA",
            value=advice,
        )
        return characters(), start + 9
    return chars, start + 9


MAX_SEGMENT_LENGTH = 20_000
"""Characters a segment may have: far more than any real one (an ``FTX`` holds five times
512), far fewer than a file with no terminator at all."""

_WINDOW = 1 << 20
"""Characters split at a time: the whole text is never split into one list."""


@dataclass(slots=True)
class _Overlong:
    """A piece of text between terminators longer than the segment limit (not read)."""

    length: int
    head: str


def read_segments(
    data: bytes | str, problems: Problems, *, max_segment_length: int = MAX_SEGMENT_LENGTH
) -> tuple[Characters, list[Segment]]:
    """Tokenise an interchange into numbered segments; problems go to ``problems``."""
    chars, segments = stream_segments(data, problems, max_segment_length=max_segment_length)
    return chars, list(segments)


def stream_segments(
    data: bytes | str, problems: Problems, *, max_segment_length: int = MAX_SEGMENT_LENGTH
) -> tuple[Characters, Iterator[Segment]]:
    """The service characters and the segments, tokenised one at a time as they are taken.

    A reading that stops early (at the problem limit) has tokenised no more than it used;
    a segment longer than ``max_segment_length`` is an error and is skipped unread.
    """
    text = decode(data, problems)
    chars, start = split_service_advice(text, problems)
    return chars, _segments(text, start, chars, problems, max_segment_length)


FREE_TEXT = frozenset({"FTX", "COM", "CTA"})
"""Segments of free text, names and addresses: kept as written when the tag is in lower case."""


def _segments(
    body: str, start: int, chars: Characters, problems: Problems, max_length: int
) -> Iterator[Segment]:
    """The segments of ``body`` from ``start`` on (see :func:`stream_segments`)."""
    term = chars.segment_terminator
    release = chars.escape_character
    tail: list[bool] = []
    tags: dict[str, str] = {}
    blanks_noted = lower_noted = broken_noted = False
    data_sep = chars.data_separator
    comp_sep = chars.component_separator
    ends = (data_sep, comp_sep)
    empty_component = comp_sep + data_sep
    empty_element = data_sep + data_sep
    number = 0
    last: Segment | None = None
    has_release = body.find(release, start) != -1
    # the segment after the last one allowed stops the reading (-1: never)
    max_segments = problems.max_segments + 1 if problems.max_segments else -1
    for raw in _pieces(body, start, term, release if has_release else None, max_length, tail):
        number += 1
        if number == max_segments:
            problems.stop("segments", max_segments - 1, segment=number)
        if raw.__class__ is _Overlong:
            assert isinstance(raw, _Overlong)
            problems.add(
                f"a segment of {raw.length:,} characters, longer than the {max_length:,} "
                "a segment may have (a missing segment terminator?); it was not read",
                segment=number,
                value=raw.head,
            )
            continue
        assert isinstance(raw, str)
        stripped = raw.lstrip(" \t\r\n")
        if len(stripped) != len(raw) and not blanks_noted:
            gap = raw[: len(raw) - len(stripped)]
            if gap.strip("\r\n"):
                blanks_noted = True
                problems.warning(
                    "blanks between segments were ignored", value=gap.replace("\n", "\\n")
                )
        if not stripped:
            problems.add("an empty segment (two terminators in a row)", segment=number)
            continue
        if "\n" in stripped or "\r" in stripped:
            stripped = stripped.replace("\r", "").replace("\n", "")
            if not broken_noted:
                broken_noted = True
                problems.warning(
                    f"line breaks inside segments were removed (the first in segment {number})",
                    value=stripped[:20],
                )
        if has_release and release in stripped:
            elements = _tokenise(stripped, chars, problems, number)
        else:
            elements = [tuple(e.split(comp_sep)) for e in stripped.split(data_sep)]
        if not elements:
            continue
        written = elements[0][0]
        tag = tags.get(written, "")  # one string per tag, checked once, for all the segments
        if not tag:
            if len(written) == 3 and _TAG.fullmatch(written):
                tag = written
            elif len(written) == 3 and _TAG.fullmatch(written.upper()):
                tag = written.upper()
            else:
                problems.add(
                    "not a segment tag (three capital letters or digits)",
                    segment=number,
                    value=stripped[:20],
                )
                continue
            tags[written] = tag
        content = tuple(elements[1:])
        # empty elements and trailing empty components only where separators meet or end
        if stripped[-1] in ends or empty_component in stripped or empty_element in stripped:
            content = _trim(content)
        if tag != written and tag not in FREE_TEXT:
            content = tuple(tuple(part.upper() for part in element) for element in content)
        last = Segment(tag, content, number)
        if tag != written and not lower_noted:
            lower_noted = True
            problems.warning(
                "segments written in lower case were read in upper case (free text in "
                f"{', '.join(sorted(FREE_TEXT))} as written)",
                at=last,
                element="0",
                value=written,
            )
        yield last
    if tail and last is not None and last.number == number:
        problems.warning("the last segment has no terminator", at=last)


def _pieces(
    body: str, start: int, term: str, release: str | None, limit: int, tail: list[bool]
) -> Iterator[str | _Overlong]:
    """The text between terminators from ``start``; ``tail`` gets True when the last piece
    had none.

    Without release characters the text is split a window at a time (``str.split`` is
    the fast path, and the whole text is never one list); with them, a regular
    expression finds the terminators that are not released. Pieces longer than
    ``limit`` come as :class:`_Overlong`, never copied.
    """
    if release is not None:
        yield from _released_pieces(body, start, term, release, limit, tail)
        return
    window = max(_WINDOW, limit + 1)
    size = len(body)
    pos = start
    while pos < size:
        stop = min(pos + window, size)
        cut = body.rfind(term, pos, stop)
        if cut == -1 and stop < size:
            # no terminator in a whole window: a piece longer than any limit
            end = body.find(term, stop)
            end = size if end == -1 else end
            yield _Overlong(end - pos, _head(body[pos : pos + 100]))
            pos = end + 1
            continue
        if cut == -1:
            final = body[pos:]
            if final.strip(" \t\r\n"):
                tail.append(True)
                yield _Overlong(len(final), _head(final)) if len(final) > limit else final
            return
        pieces = body[pos:cut].split(term)
        pos = cut + 1
        if max(map(len, pieces)) <= limit:
            yield from pieces
        else:
            for piece in pieces:
                yield _Overlong(len(piece), _head(piece)) if len(piece) > limit else piece


def _released_pieces(
    body: str, start: int, term: str, release: str, limit: int, tail: list[bool]
) -> Iterator[str | _Overlong]:
    """:func:`_pieces` for a text with release characters: a terminator ends a piece when
    an even number of release characters (``??``) or none stands before it."""
    real = re.compile(f"(?<!{re.escape(release)})(?:{re.escape(release * 2)})*{re.escape(term)}")
    pos = start
    for found in real.finditer(body, start):
        end = found.end() - 1
        if end - pos > limit:
            yield _Overlong(end - pos, _head(body[pos : pos + 100]))
        else:
            yield body[pos:end]
        pos = found.end()
    rest = len(body) - pos
    if rest > limit:
        tail.append(True)
        yield _Overlong(rest, _head(body[pos : pos + 100]))
    elif body[pos:].strip(" \t\r\n"):
        tail.append(True)
        yield body[pos:]


def _head(piece: str) -> str:
    """The start of an over-long piece, to name it in the problem."""
    return piece[:100].lstrip(" \t\r\n")[:20]


def _tokenise(
    raw: str, chars: Characters, problems: Problems, number: int
) -> list[tuple[str, ...]]:
    """Tokenise one segment holding release characters with pydifact's tokenizer."""
    elements: list[tuple[str, ...]] = []
    components: list[str] = []
    current = ""
    try:
        for token in Tokenizer().get_tokens(raw + chars.segment_terminator, chars):
            if token.type is Token.Type.CONTENT:
                current += token.value
            elif token.type is Token.Type.COMPONENT_SEPARATOR:
                components.append(current)
                current = ""
            else:
                components.append(current)
                elements.append(tuple(components))
                components, current = [], ""
    except EDISyntaxError as exc:
        problems.add(f"cannot tokenise the segment: {exc}", segment=number, value=raw[:40])
        return []
    return elements


def serialize(
    segments: Iterable[Segment],
    chars: Characters | None = None,
    *,
    with_una: bool = True,
    line_breaks: bool = False,
) -> str:
    """Segments to EDIFACT text; service characters in values are released by pydifact."""
    chars = chars or characters()
    serializer = Serializer(chars)
    special = re.compile("[" + re.escape("".join(serializer.replace_map)) + "]")
    data_sep = chars.data_separator
    comp_sep = chars.component_separator
    term = chars.segment_terminator + ("\n" if line_breaks else "")
    out: list[str] = []
    if with_una:
        out.append("UNA" + _advice(chars) + ("\n" if line_breaks else ""))
    search = special.search
    escape = serializer.escape
    join = comp_sep.join
    for seg in segments:
        elements = seg.elements
        parts = [seg.tag]
        # one search per segment: nearly no value holds a service character
        if search("".join(["".join(element) for element in elements])):
            parts.extend(join(escape(c) if search(c) else c for c in e) for e in elements)
        else:
            parts.extend(join(element) for element in elements)
        out.append(data_sep.join(parts))
        out.append(term)
    return "".join(out)


def _advice(chars: Characters) -> str:
    return (
        chars.component_separator
        + chars.data_separator
        + chars.decimal_point
        + chars.escape_character
        + chars.reserved_character
        + chars.segment_terminator
    )


def decimal(text: str) -> float | None:
    """A numeric data element (either decimal mark, ISO 9735) or None when it is not one."""
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None
