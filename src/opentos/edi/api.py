"""Read an interchange into domain objects in one call; what ``opentos edi`` uses.

:func:`read_document` reads the interchange (lenient unless ``strict``) and maps
every message whose table is known with its message module's ``read_<type>``.
A message whose mapping cannot start is kept with ``content=None``; its
problems are in the document's list like every other.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from opentos.edi.envelope import Interchange, Message, MessageHeader, read_interchange
from opentos.edi.problems import DEFAULT_MAX_PROBLEMS, DEFAULT_MAX_SEGMENTS, Problem, Problems
from opentos.edi.structure import Node
from opentos.edi.syntax import Segment
from opentos.model.container import Container

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True, slots=True)
class DecodedMessage:
    """One message: its header, how many segments and groups it had, and its content."""

    header: MessageHeader
    version: str
    """The guide's version as planners name it (BAPLIE ``2.2``), else directory and code."""
    segments: int
    groups: dict[str, int]
    content: object | None
    """The domain object(s) the message module mapped it to; None when it could not."""
    containers: tuple[Container, ...] = ()
    """Every box an ``EQD`` names, in file order: the content holds those read without
    error; the others are here too, marked with what is unknown (``Container.unknown``)."""

    @property
    def incomplete(self) -> tuple[Container, ...]:
        """The boxes with a fact unknown (a stand-in in its place)."""
        return tuple(c for c in self.containers if c.unknown)

    def content_dict(self) -> JsonValue:
        """The content as JSON-ready data."""
        return _jsonable(self.content)


@dataclass(frozen=True, slots=True)
class Document:
    """A read interchange with its mapped messages and every problem found."""

    interchange: Interchange
    messages: tuple[DecodedMessage, ...]
    digest: str
    """SHA-256 of the bytes read: what recognises the same interchange imported twice."""

    @property
    def problems(self) -> list[Problem]:
        return self.interchange.problems.items

    @property
    def errors(self) -> list[Problem]:
        return self.interchange.problems.errors

    def segment_with(self, tag: str, value: str) -> Segment | None:
        """The first segment ``tag`` holding ``value`` as a component (to say where it was)."""
        for message in self.interchange.messages:
            for seg in message.body:
                if seg.tag == tag and any(value in element for element in seg.elements):
                    return seg
        return None

    @property
    def key(self) -> str:
        """The interchange's identity: sender and UNB reference, else its digest."""
        i = self.interchange
        if i.unb is not None and i.reference:
            return f"{i.sender}/{i.reference}"
        return f"sha256:{self.digest}"

    def to_dict(self) -> dict[str, JsonValue]:
        i = self.interchange
        return {
            "interchange": {
                "sender": i.sender,
                "recipient": i.recipient,
                "reference": i.reference,
                "prepared": i.prepared,
                "syntax": i.syntax,
                "digest": self.digest,
            },
            "messages": [
                {
                    "type": m.header.type,
                    "directory": m.header.directory,
                    "association": m.header.association,
                    "version": m.version,
                    "reference": m.header.reference,
                    "counts": {"segments": m.segments, **m.groups, "containers": len(m.containers)},
                    "content": m.content_dict(),
                    "incomplete": [c.to_dict() for c in m.incomplete],
                }
                for m in self.messages
            ],
            "problems": [dict(p.to_dict()) for p in self.problems],
        }


Reader = Callable[[Message, Problems], object]


def _module(message_type: str) -> ModuleType:
    return import_module(f"opentos.edi.messages.{message_type.lower()}")


def reader_for(message_type: str) -> Reader:
    """The ``read_<type>`` function of the message module for ``message_type``."""
    reader: Reader = getattr(_module(message_type), f"read_{message_type.lower()}")
    return reader


def read_document(
    data: bytes | str,
    *,
    strict: bool = False,
    source: str = "interchange",
    max_problems: int | None = DEFAULT_MAX_PROBLEMS,
    max_segments: int | None = DEFAULT_MAX_SEGMENTS,
) -> Document:
    """Read and map an interchange; raises only :class:`~opentos.errors.EdiError`.

    A reading stops with :class:`~opentos.edi.problems.ReadingLimitReached` (an
    ``EdiError``) at one problem more than ``max_problems`` (lenient readings) or one
    segment more than ``max_segments``; None is no limit.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    # a reading builds hundreds of thousands of small acyclic objects: the cycle
    # collector would scan them again and again for nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(data, digest, strict, source, max_problems, max_segments)
    finally:
        if collecting:
            gc.enable()


def _read(
    data: bytes | str,
    digest: str,
    strict: bool,
    source: str,
    max_problems: int | None,
    max_segments: int | None,
) -> Document:
    interchange = read_interchange(
        data, strict=strict, source=source, max_problems=max_problems, max_segments=max_segments
    )
    problems = interchange.problems
    decoded: list[DecodedMessage] = []
    for message in interchange.messages:
        content: object | None = None
        version = f"{message.header.directory} {message.header.association}".strip()
        if message.tree is not None:
            content = reader_for(message.header.type)(message, problems)
            version = _version_of(message) or version
        decoded.append(
            DecodedMessage(
                message.header,
                version,
                len(message.body) + 2,
                _group_counts(message.tree) if message.tree is not None else {},
                content,
                tuple(message.containers),
            )
        )
    return Document(interchange, tuple(decoded), digest)


def _version_of(message: Message) -> str | None:
    """The message module's ``version_of(message)``, for modules that name versions."""
    version_of: Callable[[Message], str] | None = getattr(
        _module(message.header.type), "version_of", None
    )
    return None if version_of is None else version_of(message)


def _group_counts(tree: Node) -> dict[str, int]:
    counts: Counter[str] = Counter()
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        for item in node.items:
            if isinstance(item, Node):
                counts[item.name] += 1
                stack.append(item)
    return {name: counts[name] for name in sorted(counts, key=_group_order)}


def _group_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)


def _jsonable(value: object) -> JsonValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        result: JsonValue = to_dict()
        return result
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [_jsonable(v) for v in value]
    return str(value)
