"""The terminal layout: quay, berths, cranes, AGV apron, yard blocks, gates, rail, fleet.

A :class:`TerminalLayout` is the fixed geometry and equipment of one terminal,
the input that planning, control and the twin share. It is a frozen value that
checks its invariants when built (unique ids, berths on the quay, cranes on
their rail, blocks that do not overlap, at most one yard crane per block side)
and round-trips exactly through :meth:`TerminalLayout.to_dict` /
:meth:`TerminalLayout.from_dict`, the form storage keeps as JSON.

Coordinates are in metres: ``x`` along the quay from its west (left) end,
``y`` inland from the quay edge. Yard blocks stand perpendicular to the quay:
their rows run along ``x`` from ``x_m`` (row 1 on the west side) and their
bays run inland from ``y_m`` (bay 1 at the waterside end, where AGVs hand
over; trucks hand over at the landside end).

:class:`YardBlock` implements :class:`~opentos.model.stacking.StackArea` with
the yard bay convention: odd bays ``1, 3, ..., 2 * bays - 1`` are 20-foot
ground positions, an even bay ``B`` is the 40-foot (and 45-foot) position over
``B - 1`` and ``B + 1``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from opentos.errors import IllegalMove, InvalidLocode, InvalidSlot, InvalidValue, NotFound
from opentos.model.dictread import DictReader
from opentos.model.slots import YardSlot
from opentos.model.stacking import Cell

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

QuayCraneKind = Literal["double_trolley", "single_trolley"]
GateDirection = Literal["in", "out", "reversible"]
YardCraneSide = Literal["waterside", "landside"]

QUAY_CRANE_KINDS: tuple[QuayCraneKind, ...] = ("double_trolley", "single_trolley")
GATE_DIRECTIONS: tuple[GateDirection, ...] = ("in", "out", "reversible")
YARD_CRANE_SIDES: tuple[YardCraneSide, ...] = ("waterside", "landside")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
# Block ids appear in yard slot text (``A01.017.05.2``): no dots, upper case, as YardSlot reads.
_BLOCK_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
# Yard slot text has three digits for the bay and two for the row and tier.
_MAX_BAYS = 500
_MAX_ROWS = 99
_MAX_TIERS = 99


# --- value checks ----------------------------------------------------------------------------
# Each returns the value (floats as float), so __post_init__ can normalise what it checked.


def _check_id(kind: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidValue(
            f"{kind} id {value!r} must be 1-40 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return value


def _int(owner: str, name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        limit = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
        raise InvalidValue(f"{owner}: {name} must be an integer {limit}, got {value!r}")
    return value


def _float(owner: str, name: str, value: object, *, positive: bool = False) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value > 0 or not positive)
    )
    if not ok:
        what = "a positive number" if positive else "a finite number"
        raise InvalidValue(f"{owner}: {name} must be {what}, got {value!r}")
    return float(cast("float", value))


def _bool(owner: str, name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"{owner}: {name} must be true or false, got {value!r}")
    return value


def _choice(owner: str, name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidValue(f"{owner}: {name} must be one of {', '.join(choices)}, got {value!r}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


T = TypeVar("T")


def _tuple_of(owner: str, name: str, value: object, kind: type[T]) -> tuple[T, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidValue(f"{owner}: {name} must be a sequence of {kind.__name__}, got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidValue(f"{owner}: {name} holds {item!r}, not a {kind.__name__}")
    return items


def _unique(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise InvalidValue(f"{kind} id {ident!r} is used twice")
        seen.add(ident)


def _known(ids: Iterable[str]) -> str:
    ids = list(ids)
    if not ids:
        return "none"
    shown = ", ".join(ids[:5])
    return f"{shown}, ... ({len(ids)} in all)" if len(ids) > 5 else shown


# --- quay side -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Berth:
    """A stretch of quay where one vessel lies: from ``start_m`` for ``length_m``."""

    id: str
    start_m: float
    length_m: float
    depth_m: float

    def __post_init__(self) -> None:
        _check_id("berth", self.id)
        owner = f"berth {self.id}"
        start = _float(owner, "start_m", self.start_m)
        if start < 0:
            raise InvalidValue(f"{owner}: start_m must be >= 0, got {self.start_m!r}")
        _set(self, "start_m", start)
        _set(self, "length_m", _float(owner, "length_m", self.length_m, positive=True))
        _set(self, "depth_m", _float(owner, "depth_m", self.depth_m, positive=True))

    @property
    def end_m(self) -> float:
        """Where the berth ends along the quay."""
        return self.start_m + self.length_m


@dataclass(frozen=True, slots=True)
class Quay:
    """The quay wall with its berths; quay cranes on its rail keep ``qc_min_gap_m`` apart."""

    length_m: float
    berths: tuple[Berth, ...]
    qc_min_gap_m: float = 27.0
    """Least distance between the positions of two neighbouring quay cranes (about a crane's
    width between its legs' outer faces)."""

    def __post_init__(self) -> None:
        _set(self, "length_m", _float("quay", "length_m", self.length_m, positive=True))
        _set(self, "qc_min_gap_m", _float("quay", "qc_min_gap_m", self.qc_min_gap_m))
        if self.qc_min_gap_m < 0:
            raise InvalidValue(f"quay: qc_min_gap_m must be >= 0, got {self.qc_min_gap_m!r}")
        berths = _tuple_of("quay", "berths", self.berths, Berth)
        _set(self, "berths", berths)
        if not berths:
            raise InvalidValue("quay: needs at least one berth")
        _unique("berth", (b.id for b in berths))
        for berth in berths:
            if berth.end_m > self.length_m:
                raise InvalidValue(
                    f"berth {berth.id} ({berth.start_m:g}-{berth.end_m:g} m) runs past the end "
                    f"of the {self.length_m:g} m quay"
                )
        ordered = sorted(berths, key=lambda b: b.start_m)
        for west, east in pairwise(ordered):
            if east.start_m < west.end_m:
                raise InvalidValue(
                    f"berth {east.id} ({east.start_m:g}-{east.end_m:g} m) overlaps berth "
                    f"{west.id} ({west.start_m:g}-{west.end_m:g} m)"
                )


@dataclass(frozen=True, slots=True)
class QuayCrane:
    """A ship-to-shore crane on the quay rail; ``rail_position_m`` is its initial ``x``."""

    id: str
    rail_position_m: float
    kind: QuayCraneKind = "double_trolley"
    outreach_rows: int = 24
    """Container rows across a vessel the crane reaches."""
    lift_capacity_t: float = 65.0
    """Safe working load under the spreader."""
    twin_lift: bool = True
    """Can lift two 20' boxes at once."""

    def __post_init__(self) -> None:
        _check_id("quay crane", self.id)
        owner = f"quay crane {self.id}"
        _set(self, "rail_position_m", _float(owner, "rail_position_m", self.rail_position_m))
        _choice(owner, "kind", self.kind, QUAY_CRANE_KINDS)
        _int(owner, "outreach_rows", self.outreach_rows, 1, 30)
        _set(
            self,
            "lift_capacity_t",
            _float(owner, "lift_capacity_t", self.lift_capacity_t, positive=True),
        )
        _bool(owner, "twin_lift", self.twin_lift)


@dataclass(frozen=True, slots=True)
class AgvApron:
    """The strip between the quay edge and the yard where AGVs drive and meet the quay cranes."""

    width_m: float
    qc_lanes: int
    """Hand-over lanes under the quay cranes' portals."""
    travel_lanes: int
    """Lanes between the quay cranes and the blocks' waterside ends."""

    def __post_init__(self) -> None:
        _set(self, "width_m", _float("apron", "width_m", self.width_m, positive=True))
        _int("apron", "qc_lanes", self.qc_lanes, 1)
        _int("apron", "travel_lanes", self.travel_lanes, 1)


# --- yard ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YardBlock:
    """A stacking block perpendicular to the quay, served by rail-mounted yard cranes.

    ``bays`` counts 20-foot ground positions along the block (yard bays ``1, 3, ...,
    2 * bays - 1``; even bays are the 40-foot positions between them), ``rows`` the
    stacks across it and ``tiers`` the highest stack. ``reefer_bays`` are the odd bays
    with reefer plugs. The block covers ``x_m .. x_m + width_m`` and
    ``y_m .. y_m + length_m``.
    """

    id: str
    x_m: float
    y_m: float
    bays: int
    rows: int
    tiers: int
    reefer_bays: frozenset[int] = frozenset()
    waterside_transfer_points: int = 1
    landside_transfer_points: int = 1
    slot_length_m: float = 6.5
    """Length of one 20' ground position along the block, gap included."""
    row_width_m: float = 2.9
    """Width of one row across the block, gap included."""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _BLOCK_ID.match(self.id):
            raise InvalidValue(
                f"block id {self.id!r} must be 1-16 upper-case letters, digits, '_' or '-', "
                "starting with a letter or digit (it is part of yard slots like A01.017.05.2)"
            )
        owner = f"block {self.id}"
        _set(self, "x_m", _float(owner, "x_m", self.x_m))
        _set(self, "y_m", _float(owner, "y_m", self.y_m))
        if self.y_m < 0:
            raise InvalidValue(
                f"{owner}: y_m must be >= 0 (inland of the quay edge), got {self.y_m!r}"
            )
        _int(owner, "bays", self.bays, 1, _MAX_BAYS)
        _int(owner, "rows", self.rows, 1, _MAX_ROWS)
        _int(owner, "tiers", self.tiers, 1, _MAX_TIERS)
        if isinstance(self.reefer_bays, str | bytes | Mapping) or not isinstance(
            self.reefer_bays, Iterable
        ):
            raise InvalidValue(
                f"{owner}: reefer_bays must be a set of bays, got {self.reefer_bays!r}"
            )
        reefer = frozenset(self.reefer_bays)
        last = 2 * self.bays - 1
        for bay in sorted(reefer, key=repr):
            if (
                isinstance(bay, bool)
                or not isinstance(bay, int)
                or not 1 <= bay <= last
                or not bay % 2
            ):
                raise InvalidValue(
                    f"{owner}: reefer bay {bay!r} is not an odd 20' bay from 1 to {last}"
                )
        _set(self, "reefer_bays", reefer)
        _int(owner, "waterside_transfer_points", self.waterside_transfer_points, 0)
        _int(owner, "landside_transfer_points", self.landside_transfer_points, 0)
        _set(
            self, "slot_length_m", _float(owner, "slot_length_m", self.slot_length_m, positive=True)
        )
        _set(self, "row_width_m", _float(owner, "row_width_m", self.row_width_m, positive=True))

    # StackArea ------------------------------------------------------------------------------

    @property
    def area_id(self) -> str:
        """The block id, used in messages."""
        return self.id

    def cells(self, bay: int, row: int, tier: int, length_ft: int) -> tuple[Cell, ...]:
        """Cells a box of ``length_ft`` feet occupies at ``bay``/``row``/``tier``.

        Raises
        ------
        InvalidSlot
            The bay, row or tier is outside the block.
        IllegalMove
            The length does not fit the bay: a 20' box in an even bay, a 40' or 45' box
            in an odd bay, or a length other than 20, 40 or 45 feet.
        """
        if not (1 <= bay < 2 * self.bays and 1 <= row <= self.rows and 1 <= tier <= self.tiers):
            raise InvalidSlot(
                f"yard slot {self.id}.{bay:03d}.{row:02d}.{tier} is outside block {self.id} "
                f"(bays 1-{2 * self.bays - 1}, rows 1-{self.rows}, tiers 1-{self.tiers})"
            )
        if bay & 1:
            if length_ft == 20:
                return ((bay, row, tier),)
        elif length_ft in (40, 45):
            return ((bay - 1, row, tier), (bay + 1, row, tier))
        raise IllegalMove(self._length_problem(bay, row, tier, length_ft))

    def _length_problem(self, bay: int, row: int, tier: int, length_ft: int) -> str:
        slot = f"yard slot {self.id}.{bay:03d}.{row:02d}.{tier}"
        if length_ft not in (20, 40, 45):
            return f"{slot}: block {self.id} takes 20', 40' and 45' boxes, not {length_ft}'"
        if length_ft == 20:
            return f"{slot}: a 20' box needs an odd bay (even bays are 40' positions)"
        return f"{slot}: a {length_ft}' box needs an even bay (odd bays are 20' positions)"

    def below(self, cell: Cell) -> Cell | None:
        """The cell that supports ``cell``; ``None`` on the ground."""
        bay, row, tier = cell
        return (bay, row, tier - 1) if tier > 1 else None

    def above(self, cell: Cell) -> Cell | None:
        """The cell standing on ``cell``; ``None`` at the top tier."""
        bay, row, tier = cell
        return (bay, row, tier + 1) if tier < self.tiers else None

    # geometry and capacity ------------------------------------------------------------------

    @property
    def length_m(self) -> float:
        """Extent along the block (inland, ``y``)."""
        return self.bays * self.slot_length_m

    @property
    def width_m(self) -> float:
        """Extent across the block (along the quay, ``x``)."""
        return self.rows * self.row_width_m

    @property
    def ground_slots_teu(self) -> int:
        """20' ground positions."""
        return self.bays * self.rows

    @property
    def capacity_teu(self) -> int:
        """20' positions counting every tier."""
        return self.bays * self.rows * self.tiers

    @property
    def reefer_ground_slots(self) -> int:
        """20' ground positions with a reefer plug."""
        return len(self.reefer_bays) * self.rows

    def has_reefer_plug(self, bay: int) -> bool:
        """True if a box at ``bay`` can be plugged in (both halves of an even bay)."""
        if bay & 1:
            return bay in self.reefer_bays
        return bay - 1 in self.reefer_bays and bay + 1 in self.reefer_bays

    def slot_centre(self, bay: int, row: int) -> tuple[float, float]:
        """Terminal coordinates ``(x_m, y_m)`` of the centre of a stack at ``bay``/``row``."""
        return (self.x_m + (row - 0.5) * self.row_width_m, self.y_m + bay * self.slot_length_m / 2)

    def slots(self, length_ft: int) -> Iterator[YardSlot]:
        """Every slot that takes a box of ``length_ft`` feet, by bay, row, then tier.

        Raises
        ------
        InvalidValue
            ``length_ft`` is not 20, 40 or 45.
        """
        if length_ft == 20:
            bays = range(1, 2 * self.bays, 2)
        elif length_ft in (40, 45):
            bays = range(2, 2 * self.bays - 1, 2)
        else:
            raise InvalidValue(f"block {self.id}: no slots for {length_ft}' boxes (20, 40 or 45)")
        for bay in bays:
            for row in range(1, self.rows + 1):
                for tier in range(1, self.tiers + 1):
                    yield YardSlot(self.id, bay, row, tier)


# --- landside and fleet ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GateLane:
    """A truck lane through the gate."""

    id: str
    direction: GateDirection

    def __post_init__(self) -> None:
        _check_id("gate lane", self.id)
        _choice(f"gate lane {self.id}", "direction", self.direction, GATE_DIRECTIONS)


@dataclass(frozen=True, slots=True)
class RailTrack:
    """A loading track of the terminal's rail yard."""

    id: str
    length_m: float
    wagons: int
    """Wagons the track takes at once."""

    def __post_init__(self) -> None:
        _check_id("rail track", self.id)
        owner = f"rail track {self.id}"
        _set(self, "length_m", _float(owner, "length_m", self.length_m, positive=True))
        _int(owner, "wagons", self.wagons, 1)


@dataclass(frozen=True, slots=True)
class Agv:
    """An automated guided vehicle; ``twin_carry`` if it takes two 20' boxes."""

    id: str
    twin_carry: bool = True

    def __post_init__(self) -> None:
        _check_id("AGV", self.id)
        _bool(f"AGV {self.id}", "twin_carry", self.twin_carry)


@dataclass(frozen=True, slots=True)
class YardCrane:
    """A rail-mounted yard crane (ARMG) working ``block`` from its ``side``."""

    id: str
    block: str
    side: YardCraneSide

    def __post_init__(self) -> None:
        _check_id("yard crane", self.id)
        if not isinstance(self.block, str):
            raise InvalidValue(
                f"yard crane {self.id}: block must be a block id, got {self.block!r}"
            )
        _choice(f"yard crane {self.id}", "side", self.side, YARD_CRANE_SIDES)


@dataclass(frozen=True, slots=True)
class Charger:
    """An AGV charging point at ``(x_m, y_m)``."""

    id: str
    x_m: float
    y_m: float

    def __post_init__(self) -> None:
        _check_id("charger", self.id)
        _set(self, "x_m", _float(f"charger {self.id}", "x_m", self.x_m))
        _set(self, "y_m", _float(f"charger {self.id}", "y_m", self.y_m))


# --- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TerminalLayout:
    """A whole terminal: quay, cranes, apron, yard, gate, rail and fleet.

    Raises
    ------
    InvalidValue
        An invariant does not hold; the message names the offending value.
    InvalidLocode
        ``un_locode`` is not five characters (two letters, then letters or digits 2-9).
    """

    name: str
    un_locode: str
    quay: Quay
    quay_cranes: tuple[QuayCrane, ...]
    apron: AgvApron
    blocks: tuple[YardBlock, ...]
    gate_lanes: tuple[GateLane, ...] = ()
    rail_tracks: tuple[RailTrack, ...] = ()
    agvs: tuple[Agv, ...] = ()
    yard_cranes: tuple[YardCrane, ...] = ()
    chargers: tuple[Charger, ...] = ()
    notes: tuple[str, ...] = ()
    _blocks_by_id: dict[str, YardBlock] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidValue(f"layout name {self.name!r} must be a non-empty text")
        if not isinstance(self.un_locode, str) or not _LOCODE.match(self.un_locode):
            raise InvalidLocode(
                f"layout {self.name}: UN/LOCODE {self.un_locode!r} must be 5 characters, "
                "A-Z then A-Z or 2-9 (like CNTAO)"
            )
        owner = f"layout {self.name}"
        if not isinstance(self.quay, Quay):
            raise InvalidValue(f"{owner}: quay must be a Quay, got {self.quay!r}")
        if not isinstance(self.apron, AgvApron):
            raise InvalidValue(f"{owner}: apron must be an AgvApron, got {self.apron!r}")
        qcs = _tuple_of(owner, "quay_cranes", self.quay_cranes, QuayCrane)
        blocks = _tuple_of(owner, "blocks", self.blocks, YardBlock)
        _set(self, "quay_cranes", qcs)
        _set(self, "blocks", blocks)
        _set(self, "gate_lanes", _tuple_of(owner, "gate_lanes", self.gate_lanes, GateLane))
        _set(self, "rail_tracks", _tuple_of(owner, "rail_tracks", self.rail_tracks, RailTrack))
        _set(self, "agvs", _tuple_of(owner, "agvs", self.agvs, Agv))
        _set(self, "yard_cranes", _tuple_of(owner, "yard_cranes", self.yard_cranes, YardCrane))
        _set(self, "chargers", _tuple_of(owner, "chargers", self.chargers, Charger))
        _set(self, "notes", _tuple_of(owner, "notes", self.notes, str))

        _unique("block", (b.id for b in blocks))
        _unique("gate lane", (g.id for g in self.gate_lanes))
        _unique("rail track", (r.id for r in self.rail_tracks))
        _unique("charger", (c.id for c in self.chargers))
        # Quay cranes, AGVs and yard cranes are all places (equipment:ID): one id space.
        _unique(
            "equipment",
            [q.id for q in qcs] + [a.id for a in self.agvs] + [y.id for y in self.yard_cranes],
        )
        self._check_quay_cranes()
        self._check_blocks()
        self._check_yard_cranes()
        self._check_chargers()
        _set(self, "_blocks_by_id", {b.id: b for b in blocks})

    def _check_quay_cranes(self) -> None:
        quay = self.quay
        previous: QuayCrane | None = None
        for qc in self.quay_cranes:
            if not 0 <= qc.rail_position_m <= quay.length_m:
                raise InvalidValue(
                    f"quay crane {qc.id} at {qc.rail_position_m:g} m is off the "
                    f"{quay.length_m:g} m quay"
                )
            if previous is not None:
                gap = qc.rail_position_m - previous.rail_position_m
                if gap < 0:
                    raise InvalidValue(
                        f"quay crane {qc.id} at {qc.rail_position_m:g} m is listed after "
                        f"{previous.id} at {previous.rail_position_m:g} m; list quay cranes in "
                        "rail order, west to east"
                    )
                if gap < quay.qc_min_gap_m:
                    raise InvalidValue(
                        f"quay crane {qc.id} at {qc.rail_position_m:g} m is {gap:g} m from "
                        f"{previous.id} at {previous.rail_position_m:g} m; cranes on one rail "
                        f"keep at least {quay.qc_min_gap_m:g} m apart (quay.qc_min_gap_m)"
                    )
            previous = qc

    def _check_blocks(self) -> None:
        for block in self.blocks:
            if block.y_m < self.apron.width_m:
                raise InvalidValue(
                    f"block {block.id} starts at y {block.y_m:g} m, inside the AGV apron "
                    f"(0-{self.apron.width_m:g} m from the quay edge)"
                )
        ordered = sorted(self.blocks, key=lambda b: b.x_m)
        for i, a in enumerate(ordered):
            a_east = a.x_m + a.width_m
            for b in ordered[i + 1 :]:
                if b.x_m >= a_east:
                    break  # sorted by x: no later block reaches back into a
                if b.y_m < a.y_m + a.length_m and a.y_m < b.y_m + b.length_m:
                    raise InvalidValue(
                        f"block {b.id} ({_extent(b)}) overlaps block {a.id} ({_extent(a)})"
                    )

    def _check_yard_cranes(self) -> None:
        by_id = {b.id for b in self.blocks}
        taken: dict[tuple[str, str], str] = {}
        for crane in self.yard_cranes:
            if crane.block not in by_id:
                raise InvalidValue(
                    f"yard crane {crane.id} works block {crane.block!r}, which is not in the "
                    f"layout (blocks: {_known(b.id for b in self.blocks)})"
                )
            other = taken.setdefault((crane.block, crane.side), crane.id)
            if other != crane.id:
                raise InvalidValue(
                    f"yard cranes {other} and {crane.id} are both on the {crane.side} side of "
                    f"block {crane.block}; a block has at most one crane per side"
                )

    def _check_chargers(self) -> None:
        for charger in self.chargers:
            if charger.y_m < 0:
                raise InvalidValue(
                    f"charger {charger.id} at y {charger.y_m:g} m is in the water (y < 0)"
                )
            for block in self.blocks:
                if (
                    block.x_m < charger.x_m < block.x_m + block.width_m
                    and block.y_m < charger.y_m < block.y_m + block.length_m
                ):
                    raise InvalidValue(
                        f"charger {charger.id} at ({charger.x_m:g}, {charger.y_m:g}) m is inside "
                        f"block {block.id} ({_extent(block)})"
                    )

    # lookups --------------------------------------------------------------------------------

    def block(self, block_id: str) -> YardBlock:
        """The yard block ``block_id``.

        Raises
        ------
        NotFound
            No block has that id.
        """
        try:
            return self._blocks_by_id[block_id]
        except KeyError:
            raise NotFound(
                f"no block {block_id!r} in layout {self.name} "
                f"(blocks: {_known(b.id for b in self.blocks)})"
            ) from None

    def berth(self, berth_id: str) -> Berth:
        """The berth ``berth_id``.

        Raises
        ------
        NotFound
            No berth has that id.
        """
        for berth in self.quay.berths:
            if berth.id == berth_id:
                return berth
        raise NotFound(
            f"no berth {berth_id!r} in layout {self.name} "
            f"(berths: {_known(b.id for b in self.quay.berths)})"
        )

    # figures --------------------------------------------------------------------------------

    @property
    def yard_capacity_teu(self) -> int:
        """20' positions in all blocks, every tier counted."""
        return sum(b.capacity_teu for b in self.blocks)

    @property
    def ground_slots_teu(self) -> int:
        """20' ground positions in all blocks."""
        return sum(b.ground_slots_teu for b in self.blocks)

    @property
    def reefer_ground_slots(self) -> int:
        """20' ground positions with a reefer plug, in all blocks."""
        return sum(b.reefer_ground_slots for b in self.blocks)

    # JSON form ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """A JSON-compatible form; :meth:`from_dict` rebuilds an equal layout from it."""
        return cast("dict[str, object]", _to_json(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TerminalLayout:
        """Rebuild a layout from :meth:`to_dict`'s form.

        Raises
        ------
        InvalidValue
            A key is missing or unknown, or a value is malformed; the message gives its path.
        """
        return _from_json(
            cls,
            DictReader(data, "layout"),
            {
                "quay": lambda r, k: _from_json(Quay, r.dict_(k), {"berths": _list_of(Berth)}),
                "quay_cranes": _list_of(QuayCrane),
                "apron": lambda r, k: _from_json(AgvApron, r.dict_(k)),
                "blocks": _list_of(YardBlock, {"reefer_bays": _reefer_bays}),
                "gate_lanes": _list_of(GateLane),
                "rail_tracks": _list_of(RailTrack),
                "agvs": _list_of(Agv),
                "yard_cranes": _list_of(YardCrane),
                "chargers": _list_of(Charger),
                "notes": lambda r, k: tuple(r.list_(k)),
            },
        )


def _extent(block: YardBlock) -> str:
    return (
        f"x {block.x_m:g}-{block.x_m + block.width_m:g} m, "
        f"y {block.y_m:g}-{block.y_m + block.length_m:g} m"
    )


# --- JSON helpers ----------------------------------------------------------------------------

_Convert = Callable[[DictReader, str], object]
"""Reads the value at a key of a reader (the value is present) into a field's value."""
D = TypeVar("D", bound="DataclassInstance")


def _to_json(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value) if f.init}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _list_of(cls: type[D], convert: Mapping[str, _Convert] | None = None) -> _Convert:
    def read(r: DictReader, key: str) -> tuple[D, ...]:
        return tuple(_from_json(cls, item, convert) for item in r.dict_list(key))

    return read


def _reefer_bays(r: DictReader, key: str) -> frozenset[object]:
    return frozenset(r.list_(key))


def _from_json(cls: type[D], r: DictReader, convert: Mapping[str, _Convert] | None = None) -> D:
    """Build ``cls`` from its init fields' keys; the constructor checks the values' types."""
    convert = convert or {}
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        required = f.default is MISSING and f.default_factory is MISSING
        if f.init and (required or r.has(f.name)):
            kwargs[f.name] = convert[f.name](r, f.name) if f.name in convert else r.raw(f.name)
    return r.build(cast("Callable[..., D]", cls), **kwargs)
