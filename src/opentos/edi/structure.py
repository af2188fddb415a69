"""Declarative message structures and the reader that follows them.

Each message and version is one table: the segments and segment groups of the
UN directory, in order, with status (M mandatory, C conditional) and maximum
repeats, as the SMDG guide restricts them. A segment may list the qualifiers
the guide uses (``LOC`` with ``147`` opens a BAPLIE 2 slot; ``LOC`` with
``9``/``11`` are its ports), so that segments with the same tag land where the
guide puts them. The first entry of a group is its trigger segment.

:func:`parse_body` reads a message's segments into a tree of :class:`Node`
following the table (a segment belongs to the innermost open group that can
still take it, as ISO 9735 defines), and records segments out of place, too
many repeats and missing mandatory segments as problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from opentos.edi.problems import Problems, Severity
from opentos.edi.syntax import Segment

Status = Literal["M", "C"]

RECOVERABLE = frozenset({"CNT", "NAD", "RFF"})
"""Mandatory segments (or groups they open) whose absence is a warning, not an error: the
control total (``CNT``), parties (``NAD``: the readers take the line from the vessel or
the boxes and report an error when no one names it) and references (``RFF``: BAPLIE 2's
is a dummy; readers report the references they need)."""


@dataclass(frozen=True, slots=True)
class S:
    """A segment in a message table."""

    tag: str
    status: Status = "C"
    max: int = 1
    qualifiers: tuple[str, ...] = ()
    """Codes of data element 1 (component 1) the guide uses here; empty means any."""
    name: str = ""

    def takes(self, seg: Segment, mode: int) -> bool:
        """Whether ``seg`` fits here: mode 0 by qualifier, 1 also unqualified, 2 by tag alone."""
        if seg.tag != self.tag:
            return False
        if mode == 0:
            return seg.qualifier in self.qualifiers
        return mode == 2 or not self.qualifiers or seg.qualifier in self.qualifiers


@dataclass(frozen=True, slots=True)
class G:
    """A segment group: its name (``SG2``), status, repeats and entries (trigger first)."""

    name: str
    status: Status
    max: int
    entries: tuple[S | G, ...]

    def __post_init__(self) -> None:
        if not self.entries or not isinstance(self.entries[0], S):
            raise ValueError(f"group {self.name} must start with a segment")

    @property
    def trigger(self) -> S:
        first = self.entries[0]
        assert isinstance(first, S)
        return first

    def takes(self, seg: Segment, mode: int) -> bool:
        return self.trigger.takes(seg, mode)


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """The table of one message type and version, between ``UNH`` and ``UNT``."""

    type: str
    """``BAPLIE``, ``COARRI`` ..."""
    version: str
    """Directory version and release: ``D95B``, ``D13B``."""
    association: str
    """Association assigned code in ``UNH`` 0057: ``SMDG22``, ``SMDG31`` ..."""
    body: tuple[S | G, ...]
    title: str = ""
    """The message's name in the UN directory."""
    guide: str = ""
    """The implementation guide (or guides) the table follows."""
    tolerates: str = ""
    """What the table reads beyond its guide, besides what every table tolerates."""


@dataclass(slots=True)
class Node:
    """A message or one instance of a segment group, with its content in file order."""

    name: str
    items: list[Segment | Node] = field(default_factory=list)

    def segments(self, tag: str, *qualifiers: str) -> list[Segment]:
        """This level's segments with ``tag`` (and, if given, one of the qualifiers)."""
        return [
            item
            for item in self.items
            if isinstance(item, Segment)
            and item.tag == tag
            and (not qualifiers or item.qualifier in qualifiers)
        ]

    def segment(self, tag: str, *qualifiers: str) -> Segment | None:
        """The first of :meth:`segments`, or None."""
        for item in self.items:
            if (
                isinstance(item, Segment)
                and item.tag == tag
                and (not qualifiers or item.qualifier in qualifiers)
            ):
                return item
        return None

    def groups(self, name: str) -> list[Node]:
        """This level's instances of group ``name``."""
        return [item for item in self.items if isinstance(item, Node) and item.name == name]

    @property
    def trigger(self) -> Segment:
        """The group's first segment."""
        first = self.items[0]
        assert isinstance(first, Segment)
        return first

    def flatten(self) -> Iterator[Segment]:
        """Every segment under this node, in file order."""
        for item in self.items:
            if isinstance(item, Segment):
                yield item
            else:
                yield from item.flatten()


@dataclass(slots=True)
class _Frame:
    entries: tuple[S | G, ...]
    node: Node
    label: str
    pos: int = 0
    count: int = 0
    """How many times the entry at ``pos`` was taken."""
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Positions of the entries each tag can open (see :func:`_tag_index`)."""

    def __post_init__(self) -> None:
        self.index = _tag_index(self.entries)


_INDEXES: dict[int, tuple[tuple[S | G, ...], dict[str, tuple[int, ...]]]] = {}


def _tag_index(entries: tuple[S | G, ...]) -> dict[str, tuple[int, ...]]:
    """For each tag, the positions of the entries (segments or group triggers) with it.

    Tables are module constants, so the index is kept by the tuple's identity (the
    tuple is kept with it, so the identity is never reused).
    """
    known = _INDEXES.get(id(entries))
    if known is not None and known[0] is entries:
        return known[1]
    positions: dict[str, list[int]] = {}
    for k, entry in enumerate(entries):
        tag = entry.trigger.tag if isinstance(entry, G) else entry.tag
        positions.setdefault(tag, []).append(k)
    index = {tag: tuple(ks) for tag, ks in positions.items()}
    _INDEXES[id(entries)] = (entries, index)
    return index


def parse_body(spec: MessageSpec, segments: Iterable[Segment], problems: Problems) -> Node:
    """Read a message's segments (without ``UNH``/``UNT``) into a tree following ``spec``."""
    reader = BodyReader(spec, problems)
    add = reader.add
    for seg in segments:
        add(seg)
    return reader.close()


class BodyReader:
    """:func:`parse_body` a segment at a time, for a reading that streams its segments."""

    __slots__ = ("_frames", "_qualified", "problems", "root", "spec")

    def __init__(self, spec: MessageSpec, problems: Problems) -> None:
        self.spec = spec
        self.problems = problems
        self.root = Node(spec.type)
        self._frames = [_Frame(spec.body, self.root, spec.type)]
        self._qualified = _qualified_tags(spec)

    def add(self, seg: Segment) -> None:
        """Put the next segment of the body in the tree, or note why it does not fit."""
        frames, problems, spec = self._frames, self.problems, self.spec
        # a segment whose qualifier the table names goes there first (ISO 9735 leaves
        # same-tag segments to the guide's qualifiers), then to an unqualified entry,
        # and only then, with a warning, to an entry of the same tag
        placed: str | bool = False
        for mode in (0, 1, 2) if seg.tag in self._qualified else (1, 2):
            placed = _place(frames, seg, mode, problems, spec)
            if placed:
                break
        if placed == "qualifier":
            expected = _expected_qualifiers(frames[-1], seg)
            problems.warning(
                f"qualifier {seg.qualifier!r} is not one the guide uses for {seg.tag} here"
                + (f" ({', '.join(expected)})" if expected else ""),
                at=seg,
                element="1",
                value=seg.qualifier,
            )
        elif not placed:
            problems.error(
                f"{seg.tag} is not expected here in {spec.type} {spec.version} "
                f"(after {_last_tag(frames)} in {frames[-1].label})",
                at=seg,
            )

    def close(self) -> Node:
        """The tree, once every open group was checked for its mandatory entries."""
        frames = self._frames
        while frames:
            _close(frames.pop(), self.problems, self.spec)
        return self.root


def _qualified_tags(spec: MessageSpec) -> frozenset[str]:
    """Tags that some entry of the table restricts to qualifiers."""
    tags: set[str] = set()
    stack: list[S | G] = list(spec.body)
    while stack:
        entry = stack.pop()
        if isinstance(entry, G):
            stack.extend(entry.entries)
        elif entry.qualifiers:
            tags.add(entry.tag)
    return frozenset(tags)


def _last_tag(frames: list[_Frame]) -> str:
    for frame in reversed(frames):
        for item in reversed(frame.node.items):
            return item.tag if isinstance(item, Segment) else item.name
    return "UNH"


def _expected_qualifiers(frame: _Frame, seg: Segment) -> list[str]:
    entry = frame.entries[frame.pos] if frame.pos < len(frame.entries) else None
    spec = entry.trigger if isinstance(entry, G) else entry
    return list(spec.qualifiers) if isinstance(spec, S) and spec.tag == seg.tag else []


def _place(
    frames: list[_Frame], seg: Segment, mode: int, problems: Problems, spec: MessageSpec
) -> str | bool:
    """Put ``seg`` in the innermost frame that can take it; open or close groups."""
    tag = seg.tag
    for depth in range(len(frames) - 1, -1, -1):
        frame = frames[depth]
        for k in frame.index.get(tag, ()):
            if k < frame.pos:
                continue
            entry = frame.entries[k]
            if not entry.takes(seg, mode):
                continue
            # the same segment again past its repeats: let an outer frame try first
            if (
                isinstance(entry, S)
                and k == frame.pos
                and frame.count >= entry.max
                and _outer_takes(frames, depth, seg, mode)
            ):
                break
            while len(frames) > depth + 1:
                _close(frames.pop(), problems, spec)
            _skip_to(frame, k)
            frame.count += 1
            if frame.count > entry.max:
                what = f"group {entry.name}" if isinstance(entry, G) else seg.tag
                problems.add(
                    f"{what} repeated {frame.count} times in {frame.label}; "
                    f"the {spec.type} {spec.association} guide allows {entry.max}",
                    segment=seg.number or None,
                    tag=seg.tag,
                    severity=Severity.WARNING,
                )
            if isinstance(entry, G):
                group = Node(entry.name, [seg])
                frame.node.items.append(group)
                label = f"{entry.name} of {frame.label}" if depth else entry.name
                frames.append(_Frame(entry.entries, group, label, 0, 1))
            else:
                frame.node.items.append(seg)
            return "qualifier" if mode == 2 and _has_qualifiers(entry) else True
    return False


def _has_qualifiers(entry: S | G) -> bool:
    spec = entry.trigger if isinstance(entry, G) else entry
    return bool(spec.qualifiers)


def _outer_takes(frames: list[_Frame], depth: int, seg: Segment, mode: int) -> bool:
    for outer in frames[:depth]:
        for k in outer.index.get(seg.tag, ()):
            if k >= outer.pos and outer.entries[k].takes(seg, mode):
                return True
    return False


def _skip_to(frame: _Frame, k: int) -> None:
    if k != frame.pos:
        frame.pos = k
        frame.count = 0


def _close(frame: _Frame, problems: Problems, spec: MessageSpec) -> None:
    """Report mandatory entries of a frame that never came."""
    present: set[str] | None = None
    for entry in frame.entries:
        if entry.status != "M":
            continue
        if present is None:
            present = {
                item.tag if isinstance(item, Segment) else "/" + item.name
                for item in frame.node.items
            }
        key = "/" + entry.name if isinstance(entry, G) else entry.tag
        if key in present:
            continue
        what = f"group {entry.name} ({entry.trigger.tag})" if isinstance(entry, G) else entry.tag
        first = frame.node.items[0] if frame.node.items else None
        soft = (
            entry.trigger.tag in RECOVERABLE if isinstance(entry, G) else entry.tag in RECOVERABLE
        )
        problems.add(
            f"mandatory {what} is missing in {frame.label}" + ("; read without it" if soft else ""),
            segment=first.number if isinstance(first, Segment) and first.number else None,
            tag=first.tag if isinstance(first, Segment) else None,
            severity=Severity.WARNING if soft else Severity.ERROR,
        )
