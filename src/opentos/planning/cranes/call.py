"""Crane split and crane sequences (QCSP) for one vessel call.

A :class:`CallCraneProblem` holds the call's quay moves (a box discharged from or
loaded to a bay-row-tier, with the main trolley's cycle time), the position along
the quay of every bay, the quay cranes given to the call (west to east) with their
start positions, and the gantry. :func:`plan_call_cranes` returns, per crane, its
moves in order with planned start and end seconds (a :class:`CallCranePlan`)
that minimise the makespan, when the call's last move ends.

The rules of a plan, which :func:`validate_call_plan` checks:

- **Sections.** Bays at one position along the quay (a 40' bay and its two 20'
  bays, or a lone 20' bay) form a bay section; a crane works from a section's
  position. Positions are numbered in sections west to east, fractionally between
  section centres (and outside the ship, in steps of the end sections' pitch).
- **Moves.** Every move is done once, by one crane, one at a time, in whole
  seconds: its ``duration_s``, less ``dual_saving_s`` for a load marked ``dual``
  (dual cycling: the main trolley takes the load out and brings the next
  discharge back in one cycle; the discharge must follow in the same section's
  hold).
- **Precedence** in every section (treated as one hatch): deck discharges, then
  hold discharges, then hold loads, then deck loads; in every stack (a row of the
  section, deck or hold) discharges from the top down and loads from the bottom
  up. With ``dual_cycling`` the hold's discharges and loads may interleave: a load
  into a hold row starts only after every discharge from that row.
- **Travel.** Between moves ``d`` metres apart a crane needs
  ``travel_s = ceil(gantry_start_stop_s + d / gantry_speed_m_s)`` seconds; before
  its first move, that from its start position after its ready time.
- **Safety.** A crane stays where it worked until it must leave to reach its next
  move just in time (before its first move: at its start position); during the
  leg it is taken to occupy the whole stretch it travels. Neighbouring cranes
  never cross, and at every moment the east crane's westmost occupied point is at
  least ``min_spacing_m`` metres and ``safety_sections + 1`` sections east of the
  west crane's eastmost one.

A crane moves only to work: it stays at its start until it leaves for its first
move and where its last move was afterwards, so a crane parked in the way can make
a call infeasible.

The planner groups moves into tasks -- one per section and stage (deck discharge,
hold discharge, hold load, deck load; with dual cycling the hold is one stage) --
chained by precedence. A constructive plan comes first: the moves lined up along
the ship are cut into contiguous zones, one per crane, that balance each crane's
ready time, travel and work; every crane sweeps its zone in the same direction
(west to east or east to west, whichever ends sooner); the timing is exact
(:mod:`~opentos.planning.cranes.call_solver`). CP-SAT then improves it, with each
task open to the cranes whose zones, widened a little, hold it (to every crane on
small calls), from the constructive plan as a hint; the constructive plan is the
answer if CP-SAT finds nothing better.

``split_sections=False`` (the default) keeps a section's moves on one crane, for an
equipment control that orders each crane's own moves only. With ``True`` a zone
boundary may cut a section, even a stage: the crane ahead in the sweep works the
section's earlier part first, and the crane behind its later part at the end of
its zone.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from opentos.errors import DataImportError, InvalidValue
from opentos.model.dictread import DictReader, parse_json
from opentos.model.ids import ContainerNumber, check_digit
from opentos.model.slots import BayRowTier
from opentos.model.vessel_classes import vessel_class
from opentos.planning.cranes.call_solver import (
    Task,
    cp_sat,
    earliest,
    eligible_cranes,
    lower_bound_s,
    makespan_of,
    sweeps,
    tasks_of,
)
from opentos.planning.result import Result, Status

__all__ = [
    "STAGES",
    "CallCranePlan",
    "CallCraneProblem",
    "CallMove",
    "CraneSequence",
    "PlannedMove",
    "generate_call",
    "lower_bound_s",
    "plan_call_cranes",
    "problem_from_json",
    "problem_to_json",
    "to_json",
    "validate_call_plan",
]

_FALLBACK_PITCH_M = 13.0
"""Section pitch outside a ship of one section: about a 40' bay and its gap."""

STAGES = ("deck discharge", "hold discharge", "hold load", "deck load")
"""The stages of a section, in the order precedence imposes."""

# --- problem ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallMove:
    """One box across the quay: discharged from or loaded to ``slot``."""

    container: ContainerNumber
    kind: Literal["discharge", "load"]
    slot: BayRowTier
    duration_s: int
    """The main trolley's cycle for this box, whole seconds."""

    def __post_init__(self) -> None:
        if self.kind not in ("discharge", "load"):
            raise InvalidValue(
                f"move of {self.container}: kind {self.kind!r} is not discharge/load"
            )
        d = self.duration_s
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise InvalidValue(f"move of {self.container}: duration_s {d!r} is not an integer >= 1")

    @property
    def stage(self) -> int:
        """Index into :data:`STAGES`."""
        if self.kind == "discharge":
            return 0 if self.slot.on_deck else 1
        return 3 if self.slot.on_deck else 2


@dataclass(frozen=True, slots=True)
class CallCraneProblem:
    """A vessel call's crane split and sequencing problem (see the module docstring)."""

    moves: tuple[CallMove, ...]
    bay_x_m: Mapping[int, float]
    """Quay position of each bay's centre, kept to the millimetre (every bay of the ship,
    so that empty sections keep their places)."""
    cranes: tuple[str, ...]
    """Quay cranes given to the call, west to east."""
    start_x_m: tuple[float, ...]
    """Each crane's quay position at its ready time."""
    ready_s: tuple[int, ...] = ()
    """When each crane may start (default: all at 0)."""
    gantry_speed_m_s: float = 0.75
    gantry_start_stop_s: float = 5.0
    """Added to every gantry leg: accelerating and braking."""
    min_spacing_m: float = 0.0
    """Least distance between the positions of neighbouring cranes."""
    safety_sections: int = 1
    """Free bay sections kept between neighbouring cranes."""
    dual_cycling: bool = False
    dual_saving_s: int = 0
    """Seconds a dual cycle saves on the load it pairs with the next discharge."""
    split_sections: bool = False
    """May a zone boundary cut a section (between its stages, even within one)."""
    _sections: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _section_of: Mapping[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "moves", tuple(self.moves))
        object.__setattr__(self, "cranes", tuple(self.cranes))
        object.__setattr__(self, "start_x_m", tuple(float(x) for x in self.start_x_m))
        ready = tuple(self.ready_s) or (0,) * len(self.cranes)
        object.__setattr__(self, "ready_s", ready)
        bays = dict(sorted(self.bay_x_m.items()))
        object.__setattr__(self, "bay_x_m", MappingProxyType(bays))
        problems = _problems(self)
        if problems:
            raise InvalidValue("crane problem: " + "; ".join(problems[:10]))
        # Positions to the millimetre: bays a rounding error apart share a section.
        bays = {bay: round(float(x), 3) for bay, x in bays.items()}
        object.__setattr__(self, "bay_x_m", MappingProxyType(bays))
        sections = tuple(sorted(set(bays.values())))
        object.__setattr__(self, "_sections", sections)
        index = {x: i for i, x in enumerate(sections)}
        section_of = {bay: index[x] for bay, x in bays.items()}
        object.__setattr__(self, "_section_of", MappingProxyType(section_of))
        for k in range(len(self.cranes) - 1):
            west, east = self.start_x_m[k], self.start_x_m[k + 1]
            if not self.safe(west, east):
                raise InvalidValue(
                    f"crane problem: cranes {self.cranes[k]} at {west:g} m and "
                    f"{self.cranes[k + 1]} at {east:g} m start closer than the safety rules allow"
                )

    @property
    def sections(self) -> tuple[float, ...]:
        """Quay position of every bay section, west to east."""
        return self._sections

    def section_of(self, bay: int) -> int:
        """Index (west to east, from 0) of the section of ``bay``."""
        return self._section_of[bay]

    def position(self, x_m: float) -> float:
        """Quay position ``x_m`` in sections: 0 at the westmost section's centre."""
        xs = self._sections
        if len(xs) == 1:
            return (x_m - xs[0]) / _FALLBACK_PITCH_M
        if x_m <= xs[0]:
            return (x_m - xs[0]) / (xs[1] - xs[0])
        if x_m >= xs[-1]:
            return len(xs) - 1 + (x_m - xs[-1]) / (xs[-1] - xs[-2])
        i = bisect_right(xs, x_m) - 1
        return i + (x_m - xs[i]) / (xs[i + 1] - xs[i])

    def safe(self, west_x_m: float, east_x_m: float) -> bool:
        """True if neighbouring cranes at these positions keep the safety rules."""
        if east_x_m - west_x_m < self.min_spacing_m - 1e-6:
            return False
        return self.position(east_x_m) - self.position(west_x_m) >= self.safety_sections + 1 - 1e-9

    def travel_s(self, from_x_m: float, to_x_m: float) -> int:
        """Whole seconds of gantry from one position to another."""
        d = abs(to_x_m - from_x_m)
        if d < 1e-6:
            return 0
        return math.ceil(self.gantry_start_stop_s + d / self.gantry_speed_m_s - 1e-9)

    def planned_s(self, move: CallMove, dual: bool) -> int:
        """A move's planned duration: a dual load saves ``dual_saving_s`` (at least 1 s left)."""
        return max(1, move.duration_s - self.dual_saving_s) if dual else move.duration_s


def _problems(p: CallCraneProblem) -> list[str]:
    """Every broken input rule of ``p``, each naming the value."""
    out: list[str] = []
    q = len(p.cranes)
    if q < 1:
        out.append("no cranes")
    if len(set(p.cranes)) != q:
        out.append(f"crane ids {list(p.cranes)} are not unique")
    if len(p.start_x_m) != q:
        out.append(f"{len(p.start_x_m)} start positions for {q} cranes")
    if len(p.ready_s) != q:
        out.append(f"{len(p.ready_s)} ready times for {q} cranes")
    for crane, r in zip(p.cranes, p.ready_s, strict=False):
        if isinstance(r, bool) or not isinstance(r, int) or r < 0:
            out.append(f"crane {crane}: ready_s {r!r} is not an integer >= 0")
    for crane, x in zip(p.cranes, p.start_x_m, strict=False):
        if not math.isfinite(x):
            out.append(f"crane {crane}: start_x_m {x} is not a finite number")
    if not p.bay_x_m:
        out.append("bay_x_m gives no bay positions")
    for bay, x in p.bay_x_m.items():
        if not (isinstance(x, int | float) and math.isfinite(x)):
            out.append(f"bay {bay}: position {x!r} is not a finite number")
    if not (math.isfinite(p.gantry_speed_m_s) and p.gantry_speed_m_s > 0):
        out.append(f"gantry_speed_m_s {p.gantry_speed_m_s} is not > 0")
    if not (math.isfinite(p.gantry_start_stop_s) and p.gantry_start_stop_s >= 0):
        out.append(f"gantry_start_stop_s {p.gantry_start_stop_s} is not >= 0")
    if not (math.isfinite(p.min_spacing_m) and p.min_spacing_m >= 0):
        out.append(f"min_spacing_m {p.min_spacing_m} is not >= 0")
    s = p.safety_sections
    if isinstance(s, bool) or not isinstance(s, int) or s < 0:
        out.append(f"safety_sections {s!r} is not an integer >= 0")
    d = p.dual_saving_s
    if isinstance(d, bool) or not isinstance(d, int) or d < 0:
        out.append(f"dual_saving_s {d!r} is not an integer >= 0")
    seen: dict[ContainerNumber, int] = {}
    for i, move in enumerate(p.moves, start=1):
        if move.container in seen:
            out.append(f"move {i}: {move.container} is already move {seen[move.container]}")
        seen.setdefault(move.container, i)
        if move.slot.bay not in p.bay_x_m:
            out.append(f"move {i} ({move.container}): bay {move.slot.bay} has no position")
    return out


# --- plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedMove:
    """A move of a crane's sequence with its planned start and end (seconds)."""

    container: ContainerNumber
    kind: Literal["discharge", "load"]
    slot: BayRowTier
    start_s: int
    end_s: int
    dual: bool = False
    """A load sharing a main-trolley cycle with the discharge after it."""


@dataclass(frozen=True, slots=True)
class CraneSequence:
    """One crane's moves in the order it works them."""

    crane: str
    moves: tuple[PlannedMove, ...]


@dataclass(frozen=True, slots=True)
class CallCranePlan:
    """Each crane's sequence, west to east, and when the last move ends."""

    makespan_s: int
    cranes: tuple[CraneSequence, ...]


def to_json(plan: CallCranePlan) -> dict[str, object]:
    """``{"makespan_s", "cranes": [{"crane", "moves", "finish_s", "sequence": [...]}]}``."""
    return {
        "makespan_s": plan.makespan_s,
        "cranes": [
            {
                "crane": seq.crane,
                "moves": len(seq.moves),
                "finish_s": seq.moves[-1].end_s if seq.moves else 0,
                "sequence": [
                    {
                        "container": str(m.container),
                        "kind": m.kind,
                        "slot": str(m.slot),
                        "start_s": m.start_s,
                        "end_s": m.end_s,
                        "dual": m.dual,
                    }
                    for m in seq.moves
                ],
            }
            for seq in plan.cranes
        ],
    }


def problem_to_json(problem: CallCraneProblem) -> dict[str, object]:
    """The problem as the JSON document :func:`problem_from_json` reads."""
    p = problem
    return {
        "cranes": [
            {"id": c, "start_x_m": x, "ready_s": r}
            for c, x, r in zip(p.cranes, p.start_x_m, p.ready_s, strict=True)
        ],
        "bay_x_m": {str(bay): x for bay, x in p.bay_x_m.items()},
        "gantry_speed_m_s": p.gantry_speed_m_s,
        "gantry_start_stop_s": p.gantry_start_stop_s,
        "min_spacing_m": p.min_spacing_m,
        "safety_sections": p.safety_sections,
        "dual_cycling": p.dual_cycling,
        "dual_saving_s": p.dual_saving_s,
        "split_sections": p.split_sections,
        "moves": [
            {
                "container": str(m.container),
                "kind": m.kind,
                "slot": str(m.slot),
                "duration_s": m.duration_s,
            }
            for m in p.moves
        ],
    }


def problem_from_json(text: str, source: str = "<string>") -> CallCraneProblem:
    """Read a problem written by :func:`problem_to_json`.

    Raises
    ------
    DataImportError
        Not JSON, or a value missing, unknown or invalid (named by its key path).
    """
    data = parse_json(text, source)
    try:
        r = DictReader(data, label="crane problem")
        cranes, starts, ready = [], [], []
        for c in r.dict_list("cranes"):
            cranes.append(c.str_("id"))
            starts.append(c.float_("start_x_m"))
            ready.append(c.int_("ready_s", 0))
            c.check_all_read()
        bays = r.dict_("bay_x_m")
        bay_x: dict[int, float] = {}
        for key in sorted(str(k) for k in bays.data):
            if not key.isdigit():
                raise bays.error(f"bay {key!r} is not a bay number")
            bay_x[int(key)] = bays.float_(key)
        moves = []
        for m in r.dict_list("moves"):
            kind = m.str_("kind")
            if kind not in ("discharge", "load"):
                raise m.error(f"kind {kind!r} is not discharge or load", "kind")
            moves.append(
                CallMove(
                    m.parsed("container", ContainerNumber.parse),
                    "discharge" if kind == "discharge" else "load",
                    m.parsed("slot", BayRowTier.parse),
                    m.int_("duration_s"),
                )
            )
            m.check_all_read()
        problem = CallCraneProblem(
            tuple(moves),
            bay_x,
            tuple(cranes),
            tuple(starts),
            tuple(ready),
            gantry_speed_m_s=r.float_("gantry_speed_m_s", 0.75),
            gantry_start_stop_s=r.float_("gantry_start_stop_s", 5.0),
            min_spacing_m=r.float_("min_spacing_m", 0.0),
            safety_sections=r.int_("safety_sections", 1),
            dual_cycling=r.bool_("dual_cycling", False),
            dual_saving_s=r.int_("dual_saving_s", 0),
            split_sections=r.bool_("split_sections", False),
        )
        r.check_all_read()
    except InvalidValue as exc:
        raise DataImportError(source, [str(exc)]) from None
    return problem


def generate_call(
    teu: int,
    cranes: int,
    moves: int,
    seed: int,
    *,
    dual_cycling: bool = False,
    split_sections: bool = False,
) -> CallCraneProblem:
    """A random call: a ``teu`` vessel class, ``moves`` split between discharge and load.

    Stacks are picked at random; a stack's discharges are its top tiers, its loads
    the tiers from the bottom of those it keeps (which ones is all the planner sees).
    Cycle times grow with the distance from the deck (70-130 s); cranes start
    spread along the ship, 60 m apart or more.
    """
    if cranes < 1 or moves < 1:
        raise InvalidValue(f"Expected cranes >= 1 and moves >= 1, got {cranes} and {moves}.")
    rng = random.Random(seed)
    profile = vessel_class(teu)
    bay_x = {bay: 20.0 + s.lcg_m for s in profile.sections for bay in s.bays}
    columns = [
        (bay, stack)
        for s in profile.sections
        for part in (s.hold, s.deck)
        for stack in part.stacks
        for bay in ((s.bay40,) if s.bay40 is not None else s.bays20)
    ]
    rng.shuffle(columns)
    made: list[CallMove] = []
    discharge = moves // 2
    serial = rng.randrange(100_000)
    for bay, stack in itertools.cycle(columns):
        if len(made) >= moves:
            break
        tiers = list(stack.tiers)
        cut = rng.randint(0, len(tiers))
        kind: Literal["discharge", "load"] = "discharge" if len(made) < discharge else "load"
        chosen = tiers[cut:] if kind == "discharge" else tiers[: len(tiers) - cut]
        for tier in chosen[: moves - len(made)]:
            serial += 1
            first10 = f"GENU{serial % 1_000_000:06d}"
            number = ContainerNumber.parse(first10 + str(check_digit(first10)))
            depth = (tier - 80) if tier > 50 else (40 - tier)
            made.append(
                CallMove(number, kind, BayRowTier(bay, stack.row, tier), 70 + 2 * abs(depth))
            )
    x_lo = min(bay_x.values())
    span = max(bay_x.values()) - x_lo
    step = max(60.0, span / max(cranes - 1, 1))
    return CallCraneProblem(
        tuple(made),
        bay_x,
        tuple(f"QC{k + 1:02d}" for k in range(cranes)),
        tuple(x_lo + k * step for k in range(cranes)),
        min_spacing_m=27.0,
        dual_cycling=dual_cycling,
        dual_saving_s=30 if dual_cycling else 0,
        split_sections=split_sections,
    )


# --- validator ----------------------------------------------------------------------------------


def validate_call_plan(problem: CallCraneProblem, plan: CallCranePlan) -> list[str]:
    """Every rule of the module docstring that ``plan`` breaks; empty when it is valid.

    Independent of the planner: it works on the moves alone, replays each crane's
    occupied stretch of quay over time and checks neighbours at every change.
    """
    p = problem
    names = [seq.crane for seq in plan.cranes]
    if names != list(p.cranes):
        return [f"the plan's cranes {names} are not the problem's {list(p.cranes)}"]
    wanted = {m.container: m for m in p.moves}
    where: dict[ContainerNumber, str] = {}
    out: list[str] = []
    for seq in plan.cranes:
        for pm in seq.moves:
            m = wanted.get(pm.container)
            if m is None:
                out.append(f"{seq.crane}: {pm.container} is not a move of the call")
            elif pm.container in where:
                out.append(f"{pm.container} is planned twice ({where[pm.container]}, {seq.crane})")
            elif (pm.kind, pm.slot) != (m.kind, m.slot):
                out.append(
                    f"{seq.crane}: {pm.container} is planned as {pm.kind} at {pm.slot}, "
                    f"the call has {m.kind} at {m.slot}"
                )
            else:
                where[pm.container] = seq.crane
    out += [
        f"{m.container} ({m.kind} at {m.slot}) is not planned"
        for m in p.moves
        if m.container not in where
    ]
    if out:
        return out

    def x_of(pm: PlannedMove) -> float:
        return p.bay_x_m[pm.slot.bay]

    for k, seq in enumerate(plan.cranes):
        here, free = p.start_x_m[k], p.ready_s[k]
        for i, pm in enumerate(seq.moves):
            m = wanted[pm.container]
            if pm.dual:
                after = seq.moves[i + 1] if i + 1 < len(seq.moves) else None
                if not (
                    p.dual_cycling
                    and pm.kind == "load"
                    and after is not None
                    and after.kind == "discharge"
                    and p.section_of(after.slot.bay) == p.section_of(pm.slot.bay)
                    and not pm.slot.on_deck
                    and not after.slot.on_deck
                ):
                    out.append(
                        f"{seq.crane}: {pm.container} is marked dual but is not a hold load "
                        "followed by a discharge from the same hold (with dual cycling on)"
                    )
            duration = p.planned_s(m, pm.dual)
            if pm.end_s - pm.start_s != duration:
                out.append(
                    f"{seq.crane}: {pm.container} runs {pm.start_s}-{pm.end_s}, "
                    f"its planned duration is {duration} s"
                )
            need = free + p.travel_s(here, x_of(pm))
            if pm.start_s < need:
                out.append(
                    f"{seq.crane}: {pm.container} starts at {pm.start_s} s, the crane cannot be "
                    f"at {x_of(pm):g} m before {need} s"
                )
            here, free = x_of(pm), pm.end_s

    # Precedence in each section, and the order within each stack.
    moves_of = [(seq.crane, pm) for seq in plan.cranes for pm in seq.moves]
    by_section: dict[int, list[PlannedMove]] = defaultdict(list)
    by_stack: dict[tuple[int, int, bool, str], list[PlannedMove]] = defaultdict(list)
    for _, pm in moves_of:
        section = p.section_of(pm.slot.bay)
        by_section[section].append(pm)
        by_stack[(section, pm.slot.row, pm.slot.on_deck, pm.kind)].append(pm)
    stage_pairs = [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]
    if not p.dual_cycling:
        stage_pairs.append((1, 2))
    for section, pms in sorted(by_section.items()):
        stages: dict[int, list[PlannedMove]] = defaultdict(list)
        for pm in pms:
            stages[wanted[pm.container].stage].append(pm)
        for a, b in stage_pairs:
            if stages[a] and stages[b]:
                last = max(stages[a], key=lambda pm: pm.end_s)
                first = min(stages[b], key=lambda pm: pm.start_s)
                if first.start_s < last.end_s:
                    out.append(
                        f"section at {p.sections[section]:g} m: {STAGES[b]} {first.container} "
                        f"starts at {first.start_s} s before {STAGES[a]} {last.container} ends "
                        f"at {last.end_s} s"
                    )
    for (section, row, on_deck, kind), pms in sorted(by_stack.items()):
        down = kind == "discharge"
        if not on_deck and kind == "load" and p.dual_cycling:
            emptied = by_stack.get((section, row, False, "discharge"), [])
            if emptied and min(pm.start_s for pm in pms) < max(pm.end_s for pm in emptied):
                out.append(
                    f"section at {p.sections[section]:g} m, hold row {row:02d}: a load starts "
                    "before the row's last discharge ends"
                )
        ordered = sorted(pms, key=lambda pm: -pm.slot.tier if down else pm.slot.tier)
        for upper, lower in itertools.pairwise(ordered):
            if upper.slot.tier != lower.slot.tier and lower.start_s < upper.end_s:
                out.append(
                    f"{kind} of stack row {row:02d} at {p.sections[section]:g} m: tier "
                    f"{lower.slot.tier:02d} ({lower.container}) starts before tier "
                    f"{upper.slot.tier:02d} ({upper.container}) ends"
                )

    if not out:  # the stretches are only meaningful for sequences a crane can follow
        tracks = [_occupied(p, k, seq.moves) for k, seq in enumerate(plan.cranes)]
        for k in range(len(tracks) - 1):
            found = _first_clash(p, tracks[k], tracks[k + 1])
            if found is not None:
                t, west, east = found
                out.append(
                    f"cranes {p.cranes[k]} and {p.cranes[k + 1]} at {t} s: occupying up to "
                    f"{west:g} m and from {east:g} m, closer than the safety rules allow"
                )

    makespan = max((pm.end_s for _, pm in moves_of), default=0)
    if makespan != plan.makespan_s:
        out.append(f"makespan is {makespan} s, the plan says {plan.makespan_s} s")
    return out


_Stretch = tuple[float, float, float, float]
"""(from_s, to_s, west_m, east_m): a crane occupies [west_m, east_m] from from_s to to_s."""


def _occupied(p: CallCraneProblem, k: int, moves: Sequence[PlannedMove]) -> list[_Stretch]:
    """The stretches crane ``k`` occupies over time, in order, covering all time from 0."""
    out: list[_Stretch] = []
    here, since = p.start_x_m[k], 0.0
    for pm in moves:
        x = p.bay_x_m[pm.slot.bay]
        leave = pm.start_s - p.travel_s(here, x)
        out.append((since, leave, here, here))
        out.append((leave, pm.start_s, min(here, x), max(here, x)))
        out.append((pm.start_s, pm.end_s, x, x))
        here, since = x, pm.end_s
    out.append((since, math.inf, here, here))
    return [s for s in out if s[1] > s[0]]


def _first_clash(
    p: CallCraneProblem, west: list[_Stretch], east: list[_Stretch]
) -> tuple[float, float, float] | None:
    """The first moment two neighbours' stretches overlap in time and break the rules."""
    i = j = 0
    while i < len(west) and j < len(east):
        a, b = west[i], east[j]
        if min(a[1], b[1]) > max(a[0], b[0]) and not p.safe(a[3], b[2]):
            return max(a[0], b[0]), a[3], b[2]
        if a[1] <= b[1]:
            i += 1
        else:
            j += 1
    return None


def _plan(
    p: CallCraneProblem,
    tasks: Sequence[Task],
    routes: Sequence[Sequence[int]],
    starts: Sequence[int],
) -> CallCranePlan:
    """Each crane's moves: its tasks in route order, their moves back to back from the start."""
    sequences = []
    for crane, route in zip(p.cranes, routes, strict=True):
        moves = []
        for i in route:
            at = starts[i]
            for move, dual in tasks[i].moves:
                took = p.planned_s(move, dual)
                moves.append(PlannedMove(move.container, move.kind, move.slot, at, at + took, dual))
                at += took
        sequences.append(CraneSequence(crane, tuple(moves)))
    return CallCranePlan(makespan_of(tasks, starts), tuple(sequences))


def plan_call_cranes(
    problem: CallCraneProblem,
    time_limit_s: float = 10.0,
    seed: int = 0,
    *,
    workers: int = 1,
    reach_sections: int = 2,
) -> Result[CallCranePlan]:
    """Crane split and sequences minimising the call's makespan (see the module docstring).

    Parameters
    ----------
    time_limit_s
        CP-SAT's deterministic time limit (about seconds on a current machine); a
        wall-clock limit of five times that is a safety net. The deterministic limit
        makes the same seed give the same plan, byte for byte.
    seed
        Seed of CP-SAT's search.
    workers
        CP-SAT workers; more than one are interleaved deterministically.
    reach_sections
        When tasks times cranes exceed 60, a task may only go to a crane whose
        constructive zone, widened by this many sections, holds the task.

    Returns
    -------
    Result
        ``OPTIMAL`` when the makespan meets :func:`lower_bound_s`, or when CP-SAT
        proved it over every crane for every task (plans that work each task's moves
        together); ``bound`` is the best lower bound known.
    """
    if not time_limit_s >= 0:
        raise InvalidValue(f"Expected time_limit_s >= 0, got {time_limit_s}.")
    if workers < 1 or reach_sections < 0:
        raise InvalidValue(
            f"Expected workers >= 1 and reach_sections >= 0, got {workers}, {reach_sections}."
        )
    began = time.perf_counter()
    p = problem
    tasks, precedences = tasks_of(p)
    bound = lower_bound_s(p)
    if not tasks:
        empty = CallCranePlan(0, tuple(CraneSequence(c, ()) for c in p.cranes))
        return Result(Status.OPTIMAL, 0.0, empty, time.perf_counter() - began, 0.0, {"tasks": 0.0})
    constructive = sweeps(p, tasks)
    statistics: dict[str, float] = {"tasks": float(len(tasks)), "lower_bound_s": float(bound)}
    hint = constructive[0] if constructive else None
    if hint is not None:
        tasks, precedences = hint.tasks, hint.precedences
        statistics["tasks"] = float(len(tasks))
        statistics["constructive_makespan_s"] = float(hint.makespan_s)
    eligible = eligible_cranes(p, tasks, hint.routes if hint else None, reach_sections)
    full = all(len(e) == len(p.cranes) for e in eligible)
    status, routes, starts, more = cp_sat(
        p,
        tasks,
        precedences,
        eligible,
        (hint.routes, hint.starts) if hint else None,
        time_limit_s,
        seed,
        workers,
    )
    statistics.update(more)
    best = (hint.routes, hint.starts) if hint else None
    if routes is not None and starts is not None:
        retimed = earliest(p, tasks, precedences, routes, starts)
        if retimed is not None and makespan_of(tasks, retimed) <= makespan_of(tasks, starts):
            starts = retimed
        if best is None or makespan_of(tasks, starts) <= makespan_of(tasks, best[1]):
            best = (routes, starts)
    runtime = time.perf_counter() - began
    if best is None:
        final = status if full and status is Status.INFEASIBLE else Status.UNKNOWN
        return Result(final, None, None, runtime, float(bound), statistics)
    plan = _plan(p, tasks, *best)
    proven = full and status is Status.OPTIMAL
    if proven:
        bound = max(bound, plan.makespan_s)
    optimal = proven or plan.makespan_s <= bound
    return Result(
        Status.OPTIMAL if optimal else Status.FEASIBLE,
        float(plan.makespan_s),
        plan,
        runtime,
        float(bound),
        statistics,
    )
