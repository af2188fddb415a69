"""The interchange envelope: ``UNB`` … ``UNZ`` around messages ``UNH`` … ``UNT``.

:func:`read_interchange` tokenises, splits the messages, checks the counts and
references of ``UNT`` and ``UNZ``, finds each message's table in the registry
and reads its body into a tree. Files without a ``UNB`` envelope, with wrong
segment counts or an unknown association code are read, with a warning.
:func:`write_interchange` is the reverse, and fills in every count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from pydifact.control.characters import Characters

from opentos.edi.problems import DEFAULT_MAX_PROBLEMS, DEFAULT_MAX_SEGMENTS, Problems
from opentos.edi.registry import ANY_OTHER, directories_of, find_spec
from opentos.edi.structure import BodyReader, MessageSpec, Node
from opentos.edi.syntax import Segment, characters, serialize, stream_segments
from opentos.errors import EdiError
from opentos.model.container import Container


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """The message identifier of ``UNH`` (S009) and the message reference (0062)."""

    reference: str
    type: str
    version: str = "D"
    release: str = ""
    agency: str = "UN"
    association: str = ""

    @property
    def directory(self) -> str:
        """``D95B``, ``D13B`` …"""
        return f"{self.version}{self.release}"

    def unh(self) -> Segment:
        ident = [self.type, self.version, self.release, self.agency]
        if self.association:
            ident.append(self.association)
        return Segment.of("UNH", self.reference, ident)


@dataclass(slots=True)
class Message:
    """One message: header, body segments (without UNH/UNT) and, when known, its tree."""

    header: MessageHeader
    body: list[Segment]
    unh: Segment
    unt: Segment | None = None
    spec: MessageSpec | None = None
    tree: Node | None = None
    containers: list[Container] = field(default_factory=list)
    """Every box an ``EQD`` of the message names, as its reader built it: those its
    content could not hold too, marked with what is unknown (``Container.unknown``)."""


@dataclass(slots=True)
class Interchange:
    """A read interchange: envelope data, messages and the problems found."""

    chars: Characters
    messages: list[Message] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    unb: Segment | None = None

    @property
    def sender(self) -> str:
        return self.unb.el(2) if self.unb else ""

    @property
    def recipient(self) -> str:
        return self.unb.el(3) if self.unb else ""

    @property
    def reference(self) -> str:
        return self.unb.el(5) if self.unb else ""

    @property
    def syntax(self) -> str:
        return self.unb.el(1) if self.unb else ""

    @property
    def prepared(self) -> str:
        """Date and time of preparation as written (``YYMMDD:HHMM`` or ``CCYYMMDD:HHMM``)."""
        return f"{self.unb.el(4, 1)}:{self.unb.el(4, 2)}" if self.unb else ""


def read_interchange(
    data: bytes | str,
    *,
    strict: bool = False,
    source: str = "interchange",
    max_problems: int | None = DEFAULT_MAX_PROBLEMS,
    max_segments: int | None = DEFAULT_MAX_SEGMENTS,
) -> Interchange:
    """Read an interchange; lenient (problems collected) unless ``strict``.

    Segments are tokenised and put in their message's tree one at a time, so that a
    reading stopped at the problem limit has built no more than it read.

    Raises :class:`~opentos.errors.EdiError` in strict mode at the first problem, and
    in either mode when no message at all can be found;
    :class:`~opentos.edi.problems.ReadingLimitReached` in lenient mode at one problem
    more than ``max_problems``, and in either mode at one segment more than
    ``max_segments`` (None: no limit).
    """
    problems = Problems(
        source=source, strict=strict, max_problems=max_problems, max_segments=max_segments
    )
    chars, segments = stream_segments(data, problems)
    interchange = Interchange(chars, problems=problems)
    _split(interchange, segments, problems)
    if not interchange.messages:
        problems.add("no message (UNH … UNT) found")
        raise EdiError(source, [str(p) for p in problems.items])
    return interchange


def _split(interchange: Interchange, segments: Iterable[Segment], problems: Problems) -> None:
    current: Message | None = None
    reader: BodyReader | None = None
    unz: Segment | None = None
    for seg in segments:
        tag = seg.tag
        if tag == "UNB":
            if interchange.unb is not None or interchange.messages:
                problems.error("a second UNB; one interchange per file", at=seg)
            else:
                interchange.unb = seg
        elif tag == "UNH":
            if current is not None:
                problems.error(f"message {current.header.reference} has no UNT", at=seg)
                _end(interchange, current, reader)
            current = Message(_header(seg, problems), [], seg)
            reader = _reader(current, problems)
        elif tag == "UNT":
            if current is None:
                problems.error("UNT without UNH", at=seg)
                continue
            current.unt = seg
            _check_unt(current, seg, problems)
            _end(interchange, current, reader)
            current = reader = None
        elif tag == "UNZ":
            unz = seg
        elif tag in ("UNG", "UNE"):
            continue
        elif current is None:
            problems.error(f"{tag} outside a message (before UNH or after UNT)", at=seg)
        else:
            current.body.append(seg)
            if reader is not None:
                reader.add(seg)
    if current is not None:
        problems.error(f"message {current.header.reference} ends without UNT", at=current.unh)
        _end(interchange, current, reader)
    if interchange.unb is None:
        problems.warning("no UNB interchange header; the messages were read without it")
    elif unz is None:
        problems.warning("no UNZ interchange trailer", at=interchange.unb)
    else:
        _check_unz(interchange, unz, problems)


def _end(interchange: Interchange, message: Message, reader: BodyReader | None) -> None:
    if reader is not None:
        message.tree = reader.close()
    interchange.messages.append(message)


_ASSOCIATION = re.compile(r"(SMDG|ITG|EDIT|UN)[0-9]{1,3}[A-Z]?")
"""What an association code (0057) looks like when a sender puts it in its own element."""


def _header(seg: Segment, problems: Problems) -> MessageHeader:
    header = MessageHeader(
        reference=seg.el(1),
        type=seg.el(2, 1),
        version=seg.el(2, 2),
        release=seg.el(2, 3),
        agency=seg.el(2, 4),
        association=seg.el(2, 5),
    )
    own = seg.el(3)
    if not header.association and _ASSOCIATION.fullmatch(own):
        problems.warning(
            f"association code {own} is in UNH element 3 (common access reference), not in "
            "element 2.5; read as the association code",
            at=seg,
            element="3",
            value=own,
        )
        header = replace(header, association=own)
    if not header.reference:
        problems.error("UNH has no message reference", at=seg, element="1")
    if not header.type:
        problems.error("UNH has no message type", at=seg, element="2.1")
    return header


def _check_unt(message: Message, unt: Segment, problems: Problems) -> None:
    count = len(message.body) + 2
    written = unt.el(1)
    if written != str(count):
        problems.warning(
            f"UNT counts {written or 'nothing'} segments; message "
            f"{message.header.reference} has {count}",
            at=unt,
            element="1",
            value=written,
        )
    if unt.el(2) != message.header.reference:
        problems.warning(
            f"UNT reference differs from UNH {message.header.reference!r}",
            at=unt,
            element="2",
            value=unt.el(2),
        )


def _check_unz(interchange: Interchange, unz: Segment, problems: Problems) -> None:
    written = unz.el(1)
    if written != str(len(interchange.messages)):
        problems.warning(
            f"UNZ counts {written or 'nothing'} messages; the interchange has "
            f"{len(interchange.messages)}",
            at=unz,
            element="1",
            value=written,
        )
    if interchange.unb is not None and unz.el(2) != interchange.reference:
        problems.warning(
            f"UNZ reference differs from UNB {interchange.reference!r}",
            at=unz,
            element="2",
            value=unz.el(2),
        )


def _reader(message: Message, problems: Problems) -> BodyReader | None:
    """The reader of the message's body, from its table in the registry (None: no table)."""
    header = message.header
    spec, exact = find_spec(header.type, header.directory, header.association)
    if spec is None:
        problems.error(
            f"message {header.type} {header.directory} {header.association} is not one "
            "OpenTOS reads",
            at=message.unh,
            element="2",
            value=":".join(
                [header.type, header.version, header.release, header.agency, header.association]
            ),
        )
        return None
    if not exact:
        elsewhere = [
            d for d in directories_of(header.type, header.association) if d != spec.version
        ]
        read_as = (
            "a line's own code"
            if ANY_OTHER in spec.association.split("|")
            else spec.association.replace("||", "|").strip("|") or "(none)"
        )
        problems.warning(
            f"association code {header.association or '(none)'!r} is not known for "
            f"{header.type} {header.directory}; read as {read_as}"
            + (f" (it is the code of {header.type} {', '.join(elsewhere)})" if elsewhere else ""),
            at=message.unh,
            element="2.5",
            value=header.association,
        )
    message.spec = spec
    return BodyReader(spec, problems)


def write_interchange(
    messages: Sequence[tuple[MessageHeader, Sequence[Segment]]],
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    syntax: str = "UNOA:2",
    chars: Characters | None = None,
    line_breaks: bool = True,
) -> str:
    """An interchange with ``UNA``, ``UNB``, the messages and ``UNZ``, counts filled in."""
    stamp = prepared.astimezone(UTC)
    segments: list[Segment] = [
        Segment.of(
            "UNB",
            syntax.split(":"),
            sender,
            recipient,
            (stamp.strftime("%y%m%d"), stamp.strftime("%H%M")),
            reference,
        )
    ]
    for header, body in messages:
        segments.append(header.unh())
        segments.extend(body)
        segments.append(Segment.of("UNT", str(len(body) + 2), header.reference))
    segments.append(Segment.of("UNZ", str(len(messages)), reference))
    return serialize(segments, chars or characters(), line_breaks=line_breaks)
