"""The wagon load planning problem of a train: wagons, loading patterns, candidate boxes; the plan.

After Bruns & Knust (2012), "Optimized load planning of trains in intermodal
transportation", OR Spectrum 34: a train is an ordered list of wagons; a wagon
has one or more platforms (an articulated wagon has two); each platform is set
to one **loading pattern** (the position of its spigots), which says which box
lengths it carries and where. A candidate box goes to at most one slot of a
chosen pattern. Changing a platform's pattern from its current setting costs a
set-up.

Rules a plan keeps (checked by :func:`opentos.planning.rail.validate.check_load_plan`):

- every box at most once, every slot at most one box, a box only in a slot of its
  own length in the pattern chosen for the platform;
- the platform's payload (and the chosen pattern's, when it has a lower one) and
  the wagon's payload are not exceeded; bogies are not modelled apart: the wagon
  and platform limits stand for them (an assumption, see ``docs/rail.md``);
- dangerous goods, :class:`DgRules`: no DG box on the first or last wagons; two DG
  boxes whose IMDG segregation code (the IMDG 7.2.4 table of
  :mod:`opentos.planning.stowage.rules`) reaches a threshold not on one wagon,
  or, for a higher threshold, not on neighbouring wagons either.

Along the track, wagon 0 (next to the locomotive) starts at ``train_start_m``;
each platform's centre is at an equal share of its wagon's length over buffers.
A box's yard position is the centre of its bay in a yard block laid along the
track; the yard crane travel of a loaded box is the distance in whole metres
between that point and the centre of its platform.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from opentos.errors import InvalidValue

BOX_LENGTHS_FT = (20, 40, 45)
"""The box lengths a plan handles."""
MAX_BOX_KG = 36_000
"""The heaviest box accepted (ISO 668 allows 30,480 kg for all sizes; some 45' go to 34 t)."""

_IMDG_CLASS = re.compile(r"1\.[1-6][A-Z]?|2\.[123]|3|4\.[123]|5\.[12]|6\.[12]|7|8|9")


def _positive_int(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValue(f"{what} {value!r} is not a positive whole number")


def _finite(value: float, what: str, *, positive: bool = False) -> None:
    if not math.isfinite(value) or (positive and value <= 0) or value < 0:
        raise InvalidValue(
            f"{what} {value!r} is not a {'positive' if positive else 'non-negative'} number"
        )


@dataclass(frozen=True, slots=True)
class LoadingPattern:
    """One setting of a platform: the box length of each slot, front to back.

    ``(20, 40)`` takes a 20' in front and a 40' behind; a slot may stay empty.
    ``max_payload_kg`` is a lower payload this setting allows, if any (e.g. a
    single box placed off-centre).

    Raises
    ------
    InvalidValue
        No slot, a slot length other than 20, 40 or 45, a bad payload.
    """

    slots: tuple[int, ...]
    max_payload_kg: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", tuple(self.slots))
        if not self.slots:
            raise InvalidValue("a loading pattern has no slot")
        for length in self.slots:
            if length not in BOX_LENGTHS_FT:
                raise InvalidValue(
                    f"loading pattern {self.name}: slot length {length!r} is not 20, 40 or 45"
                )
        if self.max_payload_kg is not None:
            _positive_int(self.max_payload_kg, f"loading pattern {self.name}: max_payload_kg")

    @property
    def name(self) -> str:
        """``"20+40"``."""
        return "+".join(str(s) for s in self.slots)

    @property
    def length_ft(self) -> int:
        """Length the slots take on the platform."""
        return sum(self.slots)

    def count(self, length_ft: int) -> int:
        """Number of slots for boxes of ``length_ft``."""
        return self.slots.count(length_ft)


@dataclass(frozen=True, slots=True)
class PlatformType:
    """A loading platform: its usable length, payload and the patterns it can be set to.

    Raises
    ------
    InvalidValue
        A bad length or payload, no pattern, a pattern twice or longer than the platform.
    """

    length_ft: int
    max_payload_kg: int
    patterns: tuple[LoadingPattern, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(self.patterns))
        _positive_int(self.length_ft, "platform length_ft")
        _positive_int(self.max_payload_kg, f"{self.length_ft}' platform max_payload_kg")
        if not self.patterns:
            raise InvalidValue(f"{self.length_ft}' platform has no loading pattern")
        names = Counter(p.name for p in self.patterns)
        for p in self.patterns:
            if names[p.name] > 1:
                raise InvalidValue(f"{self.length_ft}' platform lists pattern {p.name} twice")
            if p.length_ft > self.length_ft:
                raise InvalidValue(
                    f"pattern {p.name} ({p.length_ft}') is longer than its "
                    f"{self.length_ft}' platform"
                )

    def payload_kg(self, pattern: int) -> int:
        """The payload allowed with ``patterns[pattern]``: the platform's or the pattern's."""
        own = self.patterns[pattern].max_payload_kg
        return self.max_payload_kg if own is None else min(own, self.max_payload_kg)


@dataclass(frozen=True, slots=True)
class WagonType:
    """A wagon type (``"Sgns 60'"``): length over buffers, tare, payload, its platforms.

    Raises
    ------
    InvalidValue
        An empty code, a bad length, tare or payload, no platform.
    """

    code: str
    length_m: float
    tare_kg: int
    max_payload_kg: int
    platforms: tuple[PlatformType, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "platforms", tuple(self.platforms))
        if not self.code.strip():
            raise InvalidValue("a wagon type has an empty code")
        _finite(self.length_m, f"wagon type {self.code}: length_m", positive=True)
        _positive_int(self.tare_kg, f"wagon type {self.code}: tare_kg")
        _positive_int(self.max_payload_kg, f"wagon type {self.code}: max_payload_kg")
        if not self.platforms:
            raise InvalidValue(f"wagon type {self.code} has no platform")

    @property
    def length_ft(self) -> int:
        """Loading length: the platforms' lengths together."""
        return sum(p.length_ft for p in self.platforms)


@dataclass(frozen=True, slots=True)
class Wagon:
    """A wagon of the train and the pattern each of its platforms is set to now.

    ``current_patterns`` holds one index into each platform's patterns; empty
    means every platform is set to its first pattern.

    Raises
    ------
    InvalidValue
        An empty id, a wrong number of current patterns or an index out of range.
    """

    wagon_id: str
    wagon_type: WagonType
    current_patterns: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.wagon_id.strip():
            raise InvalidValue("a wagon has an empty id")
        current = tuple(self.current_patterns) or (0,) * len(self.wagon_type.platforms)
        object.__setattr__(self, "current_patterns", current)
        if len(current) != len(self.wagon_type.platforms):
            raise InvalidValue(
                f"wagon {self.wagon_id}: {len(current)} current patterns for "
                f"{len(self.wagon_type.platforms)} platforms"
            )
        for p, (k, platform) in enumerate(zip(current, self.wagon_type.platforms, strict=True)):
            if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(platform.patterns):
                raise InvalidValue(
                    f"wagon {self.wagon_id} platform {p}: current pattern {k!r} is not in "
                    f"0..{len(platform.patterns) - 1}"
                )


@dataclass(frozen=True, slots=True)
class YardBlock:
    """A yard block laid along the rail track: where its bay 1 starts and the bay pitch.

    Raises
    ------
    InvalidValue
        An empty name, a negative start or a pitch that is not positive.
    """

    name: str
    start_m: float
    bay_length_m: float = 6.5

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("a yard block has an empty name")
        _finite(self.start_m, f"yard block {self.name}: start_m")
        _finite(self.bay_length_m, f"yard block {self.name}: bay_length_m", positive=True)

    def bay_x_m(self, bay: int) -> float:
        """Position along the track of the centre of ``bay`` (1-based)."""
        return self.start_m + (bay - 0.5) * self.bay_length_m


@dataclass(frozen=True, slots=True)
class RailBox:
    """A candidate box for the train.

    ``must_go`` boxes are booked on this train; the others fill spare room, by
    ``priority`` (1 lowest). ``dg_class`` is the IMDG class or division of its
    dangerous goods (the most restrictive one), None if it carries none.

    Raises
    ------
    InvalidValue
        An empty id, a length other than 20, 40, 45, a weight outside 1..36,000 kg,
        a priority outside 1..10, an unknown IMDG class, a bay below 1.
    """

    box_id: str
    length_ft: int
    gross_kg: int
    yard_block: str
    yard_bay: int
    must_go: bool = False
    priority: int = 1
    dg_class: str | None = None
    destination: str | None = None

    def __post_init__(self) -> None:
        if not self.box_id.strip():
            raise InvalidValue("a box has an empty id")
        if self.length_ft not in BOX_LENGTHS_FT:
            raise InvalidValue(f"box {self.box_id}: length {self.length_ft!r}' is not 20, 40 or 45")
        _positive_int(self.gross_kg, f"box {self.box_id}: gross_kg")
        if self.gross_kg > MAX_BOX_KG:
            raise InvalidValue(
                f"box {self.box_id}: gross_kg {self.gross_kg} is above {MAX_BOX_KG} kg"
            )
        if (
            isinstance(self.priority, bool)
            or not isinstance(self.priority, int)
            or not (1 <= self.priority <= 10)
        ):
            raise InvalidValue(f"box {self.box_id}: priority {self.priority!r} is not in 1..10")
        if self.dg_class is not None and not _IMDG_CLASS.fullmatch(self.dg_class):
            raise InvalidValue(
                f"box {self.box_id}: dg_class {self.dg_class!r} is not an IMDG class or division"
            )
        _positive_int(self.yard_bay, f"box {self.box_id}: yard_bay")

    @property
    def is_dg(self) -> bool:
        """True when the box carries dangerous goods."""
        return self.dg_class is not None


@dataclass(frozen=True, slots=True)
class DgRules:
    """Dangerous-goods rules of the train (an assumption inspired by RID 7.5.3 and IMDG 7.2.4).

    ``same_wagon_code``: two DG boxes whose IMDG segregation code is at least this
    may not share a wagon. ``adjacent_code``: at least this, not on neighbouring
    wagons either. ``free_first`` / ``free_last``: so many wagons at the front
    (next to the locomotive) and at the end carry no DG box.

    Raises
    ------
    InvalidValue
        A code outside 1..5 (5 switches the rule off), ``adjacent_code`` below
        ``same_wagon_code``, a negative number of free wagons.
    """

    same_wagon_code: int = 1
    adjacent_code: int = 3
    free_first: int = 1
    free_last: int = 1

    def __post_init__(self) -> None:
        for name in ("same_wagon_code", "adjacent_code"):
            value = getattr(self, name)
            if not 1 <= value <= 5:
                raise InvalidValue(f"DG rule {name} {value!r} is not in 1..5 (5: no rule)")
        if self.adjacent_code < self.same_wagon_code:
            raise InvalidValue(
                f"DG rule adjacent_code {self.adjacent_code} is below same_wagon_code "
                f"{self.same_wagon_code}: neighbours cannot be stricter than one wagon"
            )
        for name in ("free_first", "free_last"):
            value = getattr(self, name)
            if value < 0:
                raise InvalidValue(f"DG rule {name} {value!r} is negative")


@dataclass(frozen=True, slots=True)
class ObjectiveWeights:
    """Weights of the cost a plan minimises (see ``docs/rail.md``).

    cost = ``must_go`` × must-go boxes left + ``per_foot`` × Σ priority × length of
    boxes left + ``setup`` × platforms set to a new pattern + ``per_metre`` × yard
    crane travel (m). The defaults make one more 20' box (4,000) worth more than
    a set-up and 3.5 km of travel, and a must-go box worth more than any others.

    Raises
    ------
    InvalidValue
        A negative weight.
    """

    must_go: int = 1_000_000
    per_foot: int = 200
    setup: int = 500
    per_metre: int = 1

    def __post_init__(self) -> None:
        for name in ("must_go", "per_foot", "setup", "per_metre"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValue(f"objective weight {name} {value!r} is not a whole number >= 0")


@dataclass(frozen=True, slots=True)
class RailLoadProblem:
    """A train to load: its wagons in order, the candidate boxes, the yard blocks, the rules.

    Raises
    ------
    InvalidValue
        No wagon, a wagon or box id twice, a box in a yard block that is not listed,
        a yard block twice.
    """

    wagons: tuple[Wagon, ...]
    boxes: tuple[RailBox, ...]
    yard_blocks: tuple[YardBlock, ...]
    dg_rules: DgRules = field(default_factory=DgRules)
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    train_start_m: float = 0.0

    def __post_init__(self) -> None:
        for name in ("wagons", "boxes", "yard_blocks"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.wagons:
            raise InvalidValue("the train has no wagon")
        _finite(self.train_start_m, "train_start_m")
        for what, ids in (
            ("wagon", [w.wagon_id for w in self.wagons]),
            ("box", [b.box_id for b in self.boxes]),
            ("yard block", [y.name for y in self.yard_blocks]),
        ):
            twice = sorted(i for i, n in Counter(ids).items() if n > 1)
            if twice:
                raise InvalidValue(f"{what} {twice[0]} appears twice")
        blocks = {y.name for y in self.yard_blocks}
        for b in self.boxes:
            if b.yard_block not in blocks:
                raise InvalidValue(f"box {b.box_id}: yard block {b.yard_block!r} is not listed")

    # --- geometry, shared by the planner and the validator -------------------------------

    def wagon_start_m(self, wagon: int) -> float:
        """Position along the track of wagon ``wagon``'s front buffer."""
        return self.train_start_m + sum(w.wagon_type.length_m for w in self.wagons[:wagon])

    def platform_x_m(self, wagon: int, platform: int) -> float:
        """Position along the track of the centre of a platform."""
        t = self.wagons[wagon].wagon_type
        return self.wagon_start_m(wagon) + t.length_m * (platform + 0.5) / len(t.platforms)

    def box_x_m(self, box: RailBox) -> float:
        """Position along the track of the centre of the box's yard bay."""
        block = next(y for y in self.yard_blocks if y.name == box.yard_block)
        return block.bay_x_m(box.yard_bay)

    @property
    def capacity_ft(self) -> int:
        """The train's loading length."""
        return sum(w.wagon_type.length_ft for w in self.wagons)


@dataclass(frozen=True, slots=True)
class Placement:
    """Box ``box_id`` in slot ``slot`` of the chosen pattern of a platform of a wagon."""

    box_id: str
    wagon: int
    platform: int
    slot: int


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """The train's load plan: a pattern per platform, the placements, the boxes left.

    ``patterns[w][p]`` indexes wagon ``w``'s platform ``p``'s patterns.
    ``objective`` is the cost the planner reports (see :class:`ObjectiveWeights`).
    """

    patterns: tuple[tuple[int, ...], ...]
    placements: tuple[Placement, ...]
    left: tuple[str, ...]
    objective: int
