"""Equipment kinematics as data, and the pure motion-time math built on it.

The digital twin and the equipment control (ECS) both need to know how long a
machine takes for a motion: the twin to advance its clock, the ECS to estimate
and sequence jobs. Both use the functions here, so the two can never disagree.
Everything is a frozen value that checks its ranges when built
(:class:`~opentos.errors.InvalidValue` naming the field and value); nothing
here does I/O, and randomness comes only from a ``random.Random`` passed in.
The values for a terminal live in a preset (``kinematics-<name>.toml``, read
by :mod:`opentos.presets.kinematics`), each with its source.

Modelling simplifications, all deliberate and all in one place:

- **Motions** (:class:`MotionProfile`) have constant acceleration up to a top
  speed, constant travel, constant deceleration (a trapezoidal speed profile;
  triangular when the distance is too short to reach top speed). No jerk
  limit, no sway damping time, no dependence on the load's weight beyond the
  separate loaded/empty hoist profiles.
- **Quay crane, main trolley** (:meth:`QuayCraneKinematics.main_cycle`): each
  leg is *hoist up to the travel height, trolley, hoist down*, done one after
  the other, except that the trolley travel overlaps each of the two hoist
  motions by ``overlap`` (0 to 0.5) times the shorter of the two motions, so a
  leg never takes less than its hoisting or its trolley travel. The travel
  height is one fixed height for the whole vessel: ``boom_clearance_m`` above
  the highest deck stack at its full height (or above the platform, if that
  is higher). The trolley profile is
  the same loaded and empty. Lock and unlock times include landing and fine
  positioning; a hold slot gets no extra time for the cell guides.
- **Vessel geometry** (:meth:`QuayCraneKinematics.slot_geometry`): the vessel
  lies *starboard side alongside* with its side at the fender line, upright
  (no heel or trim), at its *design draft* unless a draft is given, and the
  water level is ``apron_height_m`` below the quay (no tide). Heights are of
  the box's centre, from the profile's ``vcg_m`` (standard 8'6" tiers; high
  cubes are not taken into account).
- **Quay crane, portal trolley** (:meth:`QuayCraneKinematics.portal_cycle`):
  lifts the box ``portal_clearance_m`` off the platform, travels to the AGV
  lane, lowers it onto the AGV; same sequential-with-overlap legs.
- **Yard crane** (:meth:`YardCraneKinematics.move_time_s`): gantry and
  trolley run at the same time (the longer one counts), between a hoist up to
  ``clearance_m`` above the highest stack on the way and a hoist down; no
  overlap of hoisting with travel. The hand-over points at the block ends are
  addressed as bay ``0`` (waterside edge) or ``2 * bays`` (landside edge),
  tier ``0`` (a vehicle's deck).
- **AGV** (:meth:`AgvKinematics.edge_time_s`): an edge is driven at the
  straight top speed, or at the bend speed on a bend; an edge enters and
  leaves at that cruise speed unless the AGV starts or stops on it (speed
  changes between a straight and a bend are not modelled). Energy is linear
  in distance (loaded or empty) plus an idle draw; charging runs at constant
  power (no taper near full).
- **Truck**: constant speed on the terminal roads.
- **Random variation** (:class:`Variation`): operator- and robot-dependent
  times (spreader lock/unlock, platform twistlock handling, hand-overs, gate
  transactions) are a nominal (most likely) time times a triangular factor;
  motion times are deterministic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass, replace
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from opentos.errors import InvalidSlot, InvalidValue
from opentos.model.dictread import DictReader
from opentos.model.layout import YardBlock
from opentos.model.slots import DECK_TIER_MIN
from opentos.model.vessel import TIER_HEIGHT_MM, VesselProfile

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "BOX_HEIGHT_M",
    "AgvKinematics",
    "CraneCycle",
    "Kinematics",
    "MotionProfile",
    "QuayCraneKinematics",
    "TruckKinematics",
    "Variation",
    "YardCraneKinematics",
]

BOX_HEIGHT_M = TIER_HEIGHT_MM / 1000
"""Height of a standard 8'6" box, for the quay crane's heights (as the vessel profile's tiers)."""

# --- value checks ----------------------------------------------------------------------------


def _number(
    owner: str,
    name: str,
    value: object,
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """``value`` as a float if it is a finite number in range; else InvalidValue naming it."""
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    number = float(cast("float", value)) if ok else math.nan
    if ok and positive and number <= 0:
        ok = False
    if ok and minimum is not None and number < minimum:
        ok = False
    if ok and maximum is not None and number > maximum:
        ok = False
    if not ok:
        if positive:
            what = "a positive number"
        elif minimum is not None and maximum is not None:
            what = f"a number from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            what = f"a number >= {minimum:g}"
        else:
            what = "a finite number"
        raise InvalidValue(f"{owner}: {name} must be {what}, got {value!r}")
    return number


def _int(owner: str, name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidValue(f"{owner}: {name} must be an integer >= {minimum}, got {value!r}")
    return value


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


class _Range(NamedTuple):
    """What a float field accepts (see :func:`_number`)."""

    positive: bool = False
    minimum: float | None = None
    maximum: float | None = None


_POSITIVE = _Range(positive=True)
_NON_NEGATIVE = _Range(minimum=0.0)
_ANY = _Range()


def _numbers_in(obj: object, owner: str, **ranges: _Range) -> None:
    """Check and normalise (ints to floats) each named float field of ``obj``."""
    for name, rng in ranges.items():
        value = _number(
            owner,
            name,
            getattr(obj, name),
            positive=rng.positive,
            minimum=rng.minimum,
            maximum=rng.maximum,
        )
        _set(obj, name, value)


# --- random variation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variation:
    """A triangular random factor for times that depend on an operator or a robot.

    A time is its nominal (most likely) value times :meth:`sample`; with the
    default ``(1, 1, 1)`` it does not vary. The factor's mean is
    :attr:`mean_factor`, so a nominal time ``t`` averages ``t * mean_factor``.
    """

    low_factor: float = 1.0
    mode_factor: float = 1.0
    high_factor: float = 1.0

    def __post_init__(self) -> None:
        _numbers_in(self, "variation", low_factor=_POSITIVE, mode_factor=_ANY, high_factor=_ANY)
        if not self.low_factor <= self.mode_factor <= self.high_factor:
            raise InvalidValue(
                f"variation: needs low_factor <= mode_factor <= high_factor, got "
                f"{self.low_factor:g}, {self.mode_factor:g}, {self.high_factor:g}"
            )

    @property
    def mean_factor(self) -> float:
        """Mean of the triangular factor."""
        return (self.low_factor + self.mode_factor + self.high_factor) / 3

    def sample(self, rng: random.Random) -> float:
        """One factor drawn from ``rng``.

        Always draws exactly one number from ``rng``, also when the factor does not
        vary, so that a run's random stream does not depend on which times vary.
        """
        return rng.triangular(self.low_factor, self.high_factor, self.mode_factor)

    def apply(self, nominal_s: float, rng: random.Random | None) -> float:
        """``nominal_s`` times a sampled factor, or ``nominal_s`` itself when ``rng`` is None."""
        return nominal_s if rng is None else nominal_s * self.sample(rng)


# --- motion profile --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MotionProfile:
    """One drive: top speed, acceleration and deceleration (a trapezoidal speed profile)."""

    max_speed_m_s: float
    accel_m_s2: float
    decel_m_s2: float

    def __post_init__(self) -> None:
        _numbers_in(
            self,
            "motion profile",
            max_speed_m_s=_POSITIVE,
            accel_m_s2=_POSITIVE,
            decel_m_s2=_POSITIVE,
        )

    @property
    def ramp_distance_m(self) -> float:
        """Distance to reach top speed from rest and stop again: shorter moves are triangular."""
        v = self.max_speed_m_s
        return v * v / (2 * self.accel_m_s2) + v * v / (2 * self.decel_m_s2)

    @property
    def ramp_time_s(self) -> float:
        """Time to reach top speed from rest plus time to stop from it."""
        return self.max_speed_m_s / self.accel_m_s2 + self.max_speed_m_s / self.decel_m_s2

    def time_for(self, distance_m: float) -> float:
        """Time to move ``distance_m`` from rest to rest; 0 for 0 m.

        Raises
        ------
        InvalidValue
            ``distance_m`` is negative or not finite.
        """
        return self.run_time_s(distance_m)

    def run_time_s(
        self,
        distance_m: float,
        *,
        starts: bool = True,
        stops: bool = True,
        speed_m_s: float | None = None,
    ) -> float:
        """Time to move ``distance_m`` at cruise speed ``speed_m_s`` (default: top speed).

        The move starts from rest if ``starts`` (else it enters at cruise speed) and
        ends at rest if ``stops`` (else it leaves at cruise speed). A move too short
        to reach cruise speed is triangular; one that only starts (or only stops)
        accelerates (or brakes) over its whole length.

        Raises
        ------
        InvalidValue
            ``distance_m`` is negative or not finite, or ``speed_m_s`` is not in
            ``(0, max_speed_m_s]``.
        """
        d = _number("motion", "distance_m", distance_m, minimum=0.0)
        v = self.max_speed_m_s
        if speed_m_s is not None:
            v = _number("motion", "speed_m_s", speed_m_s, positive=True)
            if v > self.max_speed_m_s:
                raise InvalidValue(
                    f"motion: speed_m_s {v:g} is above the top speed {self.max_speed_m_s:g}"
                )
        if d == 0:
            return 0.0
        a, b = self.accel_m_s2, self.decel_m_s2
        s_acc = v * v / (2 * a) if starts else 0.0
        s_dec = v * v / (2 * b) if stops else 0.0
        if d >= s_acc + s_dec:
            ramps = (v / a if starts else 0.0) + (v / b if stops else 0.0)
            return ramps + (d - s_acc - s_dec) / v
        if starts and stops:
            peak = math.sqrt(2 * d * a * b / (a + b))
            return peak / a + peak / b
        return math.sqrt(2 * d / (a if starts else b))

    def distance_for(self, time_s: float) -> float:
        """Inverse of :meth:`time_for`: the distance a rest-to-rest move covers in ``time_s``.

        Raises
        ------
        InvalidValue
            ``time_s`` is negative or not finite.
        """
        t = _number("motion", "time_s", time_s, minimum=0.0)
        if t >= self.ramp_time_s:
            return self.ramp_distance_m + (t - self.ramp_time_s) * self.max_speed_m_s
        k = 1 / self.accel_m_s2 + 1 / self.decel_m_s2
        peak = t / k
        return peak * peak * k / 2


# --- quay crane ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CraneCycle:
    """The parts of one trolley cycle between a *home* end and a *far* end.

    For the main trolley, home is the transfer platform and far is the vessel slot;
    for the portal trolley, home is the platform and far is the AGV in its lane.
    ``loaded_out`` is True when the box travels home -> far: loading a vessel for
    the main trolley, a discharge for the portal trolley.
    """

    out_s: float
    """Home to far: hoist up, trolley, hoist down."""
    far_s: float
    """Unlock (``loaded_out``) or lock at the far end."""
    back_s: float
    """Far to home: hoist up, trolley, hoist down."""
    home_s: float
    """Lock (``loaded_out``) or unlock at the home end."""
    loaded_out: bool

    @property
    def total_s(self) -> float:
        """The whole cycle, home to home."""
        return self.out_s + self.far_s + self.back_s + self.home_s

    @property
    def loaded_s(self) -> float:
        """From locking the box to unlocking it: for a main-trolley discharge, ship to platform."""
        if self.loaded_out:
            return self.home_s + self.out_s + self.far_s
        return self.far_s + self.back_s + self.home_s


def _leg(up_s: float, trolley_s: float, down_s: float, overlap: float) -> float:
    """Hoist up, trolley, hoist down; the trolley overlaps ``overlap`` of each hoist motion."""
    return up_s + trolley_s + down_s - overlap * (min(up_s, trolley_s) + min(down_s, trolley_s))


@dataclass(frozen=True, slots=True)
class QuayCraneKinematics:
    """A dual-trolley ship-to-shore crane: drives, hand-over times and geometry.

    Horizontal positions (``*_x_m``) are measured landward from the waterside rail,
    outreach seaward from it; heights are measured up from the quay (apron) level.
    """

    main_trolley: MotionProfile
    main_hoist_loaded: MotionProfile
    main_hoist_empty: MotionProfile
    portal_trolley: MotionProfile
    portal_hoist_loaded: MotionProfile
    portal_hoist_empty: MotionProfile
    gantry: MotionProfile
    spreader_lock_s: float
    """Land, fine-position and lock the spreader on a box (main or portal trolley)."""
    spreader_unlock_s: float
    """Land a box, unlock and lift the spreader clear."""
    platform_handling_s: float
    """The twistlock robot on the transfer platform removes (or fits) a box's cones."""
    hoist_trolley_overlap: float
    """Share (0 to 0.5) of the shorter of a hoist motion and the trolley travel that overlap."""
    boom_clearance_m: float
    """Gap under a carried box over the highest obstacle while the trolley travels."""
    platform_height_m: float
    """Height of the transfer platform's deck (where the box stands)."""
    apron_height_m: float
    """Height of the quay (apron) above the water line."""
    waterside_rail_to_fender_m: float
    """From the waterside rail seaward to the fender line, where the vessel's side lies."""
    platform_x_m: float
    """From the waterside rail landward to the transfer platform, inside the portal."""
    agv_lane_x_m: tuple[float, ...]
    """From the waterside rail landward to each AGV lane under the crane, lane 0 first."""
    agv_deck_height_m: float
    """Height of an AGV's deck (where the box stands)."""
    portal_clearance_m: float
    """How high the portal trolley lifts a box off the platform before travelling."""
    qc_width_m: float
    """Width of the crane along the quay, over its bumpers."""
    min_gap_m: float
    """Least clear gap between the bumpers of neighbouring cranes."""
    spreader_variation: Variation = Variation()
    platform_handling_variation: Variation = Variation()

    def __post_init__(self) -> None:
        owner = "quay crane kinematics"
        _numbers_in(
            self,
            owner,
            spreader_lock_s=_NON_NEGATIVE,
            spreader_unlock_s=_NON_NEGATIVE,
            platform_handling_s=_NON_NEGATIVE,
            hoist_trolley_overlap=_Range(minimum=0.0, maximum=0.5),
            boom_clearance_m=_NON_NEGATIVE,
            platform_height_m=_POSITIVE,
            apron_height_m=_NON_NEGATIVE,
            waterside_rail_to_fender_m=_NON_NEGATIVE,
            platform_x_m=_NON_NEGATIVE,
            agv_deck_height_m=_NON_NEGATIVE,
            portal_clearance_m=_NON_NEGATIVE,
            qc_width_m=_POSITIVE,
            min_gap_m=_NON_NEGATIVE,
        )
        lanes = self.agv_lane_x_m
        if isinstance(lanes, str | bytes | Mapping) or not isinstance(lanes, tuple | list):
            raise InvalidValue(f"{owner}: agv_lane_x_m must be a list of numbers, got {lanes!r}")
        if not lanes:
            raise InvalidValue(f"{owner}: agv_lane_x_m lists no lane")
        _set(
            self,
            "agv_lane_x_m",
            tuple(
                _number(owner, f"agv_lane_x_m[{i}]", x, minimum=0.0) for i, x in enumerate(lanes)
            ),
        )
        if self.agv_deck_height_m >= self.platform_height_m:
            raise InvalidValue(
                f"{owner}: agv_deck_height_m {self.agv_deck_height_m:g} must be below "
                f"platform_height_m {self.platform_height_m:g}"
            )

    @property
    def min_spacing_m(self) -> float:
        """Least distance between the positions of two neighbouring cranes on one rail."""
        return self.qc_width_m + self.min_gap_m

    @property
    def platform_box_height_m(self) -> float:
        """Height of the centre of a box standing on the transfer platform."""
        return self.platform_height_m + BOX_HEIGHT_M / 2

    @property
    def agv_box_height_m(self) -> float:
        """Height of the centre of a box standing on an AGV."""
        return self.agv_deck_height_m + BOX_HEIGHT_M / 2

    # --- vessel geometry ----------------------------------------------------------------------

    def _keel_height_m(self, profile: VesselProfile, draft_m: float | None) -> float:
        """Height of the keel above the quay (negative): the draft and the quay's freeboard."""
        draft = profile.design_draft_m if draft_m is None else draft_m
        draft = _number(f"vessel {profile.name}", "draft_m", draft, positive=True)
        return -(draft + self.apron_height_m)

    def slot_geometry(
        self,
        profile: VesselProfile,
        bay: int,
        row: int,
        tier: int,
        draft_m: float | None = None,
    ) -> tuple[float, float]:
        """Where a box at ``bay``/``row``/``tier`` of a berthed vessel is, seen from the crane.

        The vessel lies starboard side alongside at ``draft_m`` (default: its design
        draft); see the module docstring for the other simplifications.

        Returns
        -------
        tuple[float, float]
            ``(outreach_m, height_m)``: the box's centre seaward of the waterside rail
            and above the quay (negative deep in the hold).

        Raises
        ------
        InvalidSlot
            The vessel has no such stack or tier.
        """
        spec = profile.stack(bay, row, tier >= DECK_TIER_MIN)
        if tier not in spec.tiers:
            raise InvalidSlot(
                f"bay {bay:02d} row {row:02d} of {profile.name} has no tier {tier:02d} "
                f"(tiers {spec.tiers[0]:02d}-{spec.tiers[-1]:02d})"
            )
        # Starboard side alongside: starboard rows (positive tcg) are nearest the quay.
        outreach = self.waterside_rail_to_fender_m + profile.beam_m / 2 - spec.tcg_m
        height = self._keel_height_m(profile, draft_m) + profile.vcg_m(tier)
        return outreach, height

    def travel_height_m(self, profile: VesselProfile, draft_m: float | None = None) -> float:
        """Height of a carried box's centre while the main trolley travels over ``profile``.

        ``boom_clearance_m`` above the top of the highest deck stack at its full height,
        or above the platform when that is higher (small vessels, deep drafts).
        """
        half = profile.tier_height_mm / 2000
        tops = [
            profile.vcg_m(stack.tiers[-1]) + half
            for section in profile.sections
            for part in (section.deck, section.hold)
            for stack in part.stacks
        ]
        vessel_top = self._keel_height_m(profile, draft_m) + max(tops)
        obstacle = max(vessel_top, self.platform_height_m)
        return obstacle + self.boom_clearance_m + BOX_HEIGHT_M / 2

    # --- cycles -------------------------------------------------------------------------------

    def main_cycle(
        self,
        outreach_m: float,
        slot_height_m: float,
        travel_height_m: float,
        *,
        loaded_out: bool,
        overlap: float | None = None,
        rng: random.Random | None = None,
    ) -> CraneCycle:
        """One main-trolley cycle: platform -> vessel slot -> platform.

        Parameters
        ----------
        outreach_m, slot_height_m
            The slot, as :meth:`slot_geometry` gives it.
        travel_height_m
            Height of the box's centre during trolley travel (:meth:`travel_height_m`);
            raised to the slot's or the platform's height if it is below either.
        loaded_out
            True for loading (the box goes platform -> slot), False for discharge.
        overlap
            Overrides ``hoist_trolley_overlap`` (0 to 0.5) for this cycle.
        rng
            If given, lock and unlock times vary by ``spreader_variation`` (two draws:
            the platform end, then the slot end); otherwise they are nominal.

        Raises
        ------
        InvalidValue
            The slot is landward of the platform, or a value is not finite.
        """
        owner = "main trolley cycle"
        out = _number(owner, "outreach_m", outreach_m)
        slot_h = _number(owner, "slot_height_m", slot_height_m)
        travel = _number(owner, "travel_height_m", travel_height_m)
        trolley_m = self.platform_x_m + out
        if trolley_m < 0:
            raise InvalidValue(
                f"{owner}: outreach_m {out:g} puts the slot landward of the platform "
                f"({self.platform_x_m:g} m landward of the waterside rail)"
            )
        f = self._overlap(overlap)
        platform_h = self.platform_box_height_m
        travel = max(travel, slot_h, platform_h)
        return self._cycle(
            self.main_trolley.time_for(trolley_m),
            (self.main_hoist_loaded, self.main_hoist_empty),
            travel - platform_h,
            travel - slot_h,
            loaded_out,
            f,
            rng,
        )

    def main_cycle_s(
        self,
        outreach_m: float,
        slot_height_m: float,
        travel_height_m: float,
        *,
        loaded_out: bool,
        overlap: float | None = None,
    ) -> float:
        """Nominal time of one main-trolley cycle (see :meth:`main_cycle`)."""
        cycle = self.main_cycle(
            outreach_m, slot_height_m, travel_height_m, loaded_out=loaded_out, overlap=overlap
        )
        return cycle.total_s

    def vessel_cycle(
        self,
        profile: VesselProfile,
        bay: int,
        row: int,
        tier: int,
        *,
        loaded_out: bool,
        draft_m: float | None = None,
        overlap: float | None = None,
        rng: random.Random | None = None,
    ) -> CraneCycle:
        """:meth:`main_cycle` for a slot of a berthed vessel (geometry from the profile)."""
        outreach, height = self.slot_geometry(profile, bay, row, tier, draft_m)
        travel = self.travel_height_m(profile, draft_m)
        return self.main_cycle(
            outreach, height, travel, loaded_out=loaded_out, overlap=overlap, rng=rng
        )

    def portal_cycle(
        self,
        lane_index: int,
        *,
        loaded_out: bool = False,
        overlap: float | None = None,
        rng: random.Random | None = None,
    ) -> CraneCycle:
        """One portal-trolley cycle: platform -> AGV in lane ``lane_index`` -> platform.

        ``loaded_out`` is True for a discharge (the box goes platform -> AGV) and False
        for loading; the total is the same either way. Lock and unlock vary as in
        :meth:`main_cycle`.

        Raises
        ------
        InvalidValue
            No lane has that index.
        """
        lanes = self.agv_lane_x_m
        if isinstance(lane_index, bool) or not isinstance(lane_index, int):
            raise InvalidValue(f"portal trolley cycle: lane_index {lane_index!r} is not an integer")
        if not 0 <= lane_index < len(lanes):
            raise InvalidValue(
                f"portal trolley cycle: no AGV lane {lane_index} (lanes 0-{len(lanes) - 1})"
            )
        platform_h = self.platform_box_height_m
        travel = platform_h + self.portal_clearance_m
        return self._cycle(
            self.portal_trolley.time_for(abs(lanes[lane_index] - self.platform_x_m)),
            (self.portal_hoist_loaded, self.portal_hoist_empty),
            travel - platform_h,
            travel - self.agv_box_height_m,
            loaded_out,
            self._overlap(overlap),
            rng,
        )

    def portal_cycle_s(self, lane_index: int, *, overlap: float | None = None) -> float:
        """Nominal time of one portal-trolley cycle (see :meth:`portal_cycle`)."""
        return self.portal_cycle(lane_index, overlap=overlap).total_s

    def gantry_time_s(self, distance_m: float) -> float:
        """Time to gantry ``distance_m`` along the quay rail (either way), rest to rest."""
        return self.gantry.time_for(abs(_number("gantry", "distance_m", distance_m)))

    def _overlap(self, overlap: float | None) -> float:
        if overlap is None:
            return self.hoist_trolley_overlap
        return _number("quay crane cycle", "overlap", overlap, minimum=0.0, maximum=0.5)

    def _cycle(
        self,
        trolley_s: float,
        hoists: tuple[MotionProfile, MotionProfile],
        home_lift_m: float,
        far_lift_m: float,
        loaded_out: bool,
        overlap: float,
        rng: random.Random | None,
    ) -> CraneCycle:
        """Legs out and back; each hoist distance is run once loaded and once empty."""
        loaded, empty = hoists
        out_hoist, back_hoist = (loaded, empty) if loaded_out else (empty, loaded)
        up, down = out_hoist.time_for(home_lift_m), out_hoist.time_for(far_lift_m)
        out_s = _leg(up, trolley_s, down, overlap)
        up, down = back_hoist.time_for(far_lift_m), back_hoist.time_for(home_lift_m)
        back_s = _leg(up, trolley_s, down, overlap)
        home_nominal = self.spreader_lock_s if loaded_out else self.spreader_unlock_s
        far_nominal = self.spreader_unlock_s if loaded_out else self.spreader_lock_s
        home_s = self.spreader_variation.apply(home_nominal, rng)
        far_s = self.spreader_variation.apply(far_nominal, rng)
        return CraneCycle(out_s, far_s, back_s, home_s, loaded_out)


# --- AGV -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgvKinematics:
    """An automated guided vehicle: drive, battery and hand-over."""

    straight: MotionProfile
    """Top speed and ramps on straight track."""
    bend_speed_m_s: float
    battery_kwh: float
    consumption_kwh_per_km_empty: float
    consumption_kwh_per_km_loaded: float
    idle_kw: float
    """Draw while standing (controls, sensors, radio)."""
    charge_kw: float
    charge_start_pct: float
    """Send the AGV to charge at or below this state of charge."""
    charge_stop_pct: float
    """Stop charging at this state of charge."""
    min_pct: float
    """Never plan below this state of charge."""
    handover_s: float
    """Positioning under a crane and the crane's landing or pick-up on the AGV."""
    length_m: float
    handover_variation: Variation = Variation()

    def __post_init__(self) -> None:
        owner = "AGV kinematics"
        percent = _Range(minimum=0.0, maximum=100.0)
        _numbers_in(
            self,
            owner,
            bend_speed_m_s=_POSITIVE,
            battery_kwh=_POSITIVE,
            consumption_kwh_per_km_empty=_POSITIVE,
            consumption_kwh_per_km_loaded=_POSITIVE,
            idle_kw=_NON_NEGATIVE,
            charge_kw=_POSITIVE,
            charge_start_pct=percent,
            charge_stop_pct=percent,
            min_pct=percent,
            handover_s=_NON_NEGATIVE,
            length_m=_POSITIVE,
        )
        if self.bend_speed_m_s > self.straight.max_speed_m_s:
            raise InvalidValue(
                f"{owner}: bend_speed_m_s {self.bend_speed_m_s:g} is above the straight top "
                f"speed {self.straight.max_speed_m_s:g}"
            )
        if self.consumption_kwh_per_km_loaded < self.consumption_kwh_per_km_empty:
            raise InvalidValue(
                f"{owner}: consumption_kwh_per_km_loaded {self.consumption_kwh_per_km_loaded:g} "
                f"is below consumption_kwh_per_km_empty {self.consumption_kwh_per_km_empty:g}"
            )
        if not self.min_pct < self.charge_start_pct < self.charge_stop_pct:
            raise InvalidValue(
                f"{owner}: needs min_pct < charge_start_pct < charge_stop_pct, got "
                f"{self.min_pct:g}, {self.charge_start_pct:g}, {self.charge_stop_pct:g}"
            )

    def edge_time_s(
        self, length_m: float, bend: bool = False, starts: bool = False, stops: bool = False
    ) -> float:
        """Time to drive one edge of the guide-path network.

        At the straight top speed, or at ``bend_speed_m_s`` on a bend; from rest if
        the AGV ``starts`` on the edge, to rest if it ``stops`` on it, otherwise
        entering and leaving at that cruise speed.
        """
        speed = self.bend_speed_m_s if bend else None
        return self.straight.run_time_s(length_m, starts=starts, stops=stops, speed_m_s=speed)

    def trip_time_s(self, distance_m: float) -> float:
        """Time for a straight trip of ``distance_m``, rest to rest."""
        return self.straight.time_for(distance_m)

    def drive_energy_kwh(self, distance_m: float, loaded: bool) -> float:
        """Energy to drive ``distance_m``, loaded or empty."""
        d = _number("AGV drive", "distance_m", distance_m, minimum=0.0)
        per_km = self.consumption_kwh_per_km_loaded if loaded else self.consumption_kwh_per_km_empty
        return d / 1000 * per_km

    def idle_energy_kwh(self, duration_s: float) -> float:
        """Energy drawn standing for ``duration_s``."""
        return self.idle_kw * _number("AGV idle", "duration_s", duration_s, minimum=0.0) / 3600

    def pct_of(self, energy_kwh: float) -> float:
        """``energy_kwh`` as a share of the battery, in percent."""
        return energy_kwh / self.battery_kwh * 100

    def charge_time_s(self, from_pct: float, to_pct: float | None = None) -> float:
        """Time to charge from ``from_pct`` to ``to_pct`` (default: ``charge_stop_pct``)."""
        start = _number("AGV charge", "from_pct", from_pct, minimum=0.0, maximum=100.0)
        stop = self.charge_stop_pct if to_pct is None else to_pct
        stop = _number("AGV charge", "to_pct", stop, minimum=0.0, maximum=100.0)
        return max(0.0, stop - start) / 100 * self.battery_kwh / self.charge_kw * 3600

    @property
    def usable_kwh(self) -> float:
        """Energy between a full shallow charge and the floor: ``charge_stop_pct - min_pct``."""
        return (self.charge_stop_pct - self.min_pct) / 100 * self.battery_kwh


# --- yard crane ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YardCraneKinematics:
    """An automated rail-mounted gantry crane (ARMG) over one block.

    Positions follow the yard bay convention of :class:`~opentos.model.layout.YardBlock`:
    bay ``b``'s centre lies ``b / 2`` slot lengths from the block's waterside edge
    (odd bays 20', even bays 40'), row ``r``'s centre ``r - 0.5`` row widths from its
    first side, tier ``t``'s box centre ``t - 0.5`` tier heights above the ground;
    tier 0 is a box on a vehicle's deck.
    """

    gantry: MotionProfile
    trolley: MotionProfile
    hoist_loaded: MotionProfile
    hoist_empty: MotionProfile
    lock_s: float
    """Land, position and lock the spreader on a box."""
    unlock_s: float
    """Land a box, unlock and lift the spreader clear."""
    tier_height_m: float
    slot_length_m: float
    """Length of one 20' ground position, gap included (as the block's)."""
    row_width_m: float
    """Width of one row, gap included (as the block's)."""
    clearance_m: float
    """Gap under a carried box over the highest stack on the way."""
    vehicle_deck_height_m: float
    """Height of an AGV's or a truck chassis's deck at the hand-over points."""
    safety_bays: int
    """Least separation between the two cranes of a block, in 20' bays."""
    waterside_handover_s: float
    """Extra time to set down on or pick up from an AGV at the waterside end."""
    landside_handover_s: float
    """Extra time to set down on or pick up from a truck at the landside end."""
    spreader_variation: Variation = Variation()
    handover_variation: Variation = Variation()

    def __post_init__(self) -> None:
        owner = "yard crane kinematics"
        _numbers_in(
            self,
            owner,
            lock_s=_NON_NEGATIVE,
            unlock_s=_NON_NEGATIVE,
            tier_height_m=_POSITIVE,
            slot_length_m=_POSITIVE,
            row_width_m=_POSITIVE,
            clearance_m=_NON_NEGATIVE,
            vehicle_deck_height_m=_NON_NEGATIVE,
            waterside_handover_s=_NON_NEGATIVE,
            landside_handover_s=_NON_NEGATIVE,
        )
        _int(owner, "safety_bays", self.safety_bays, 0)

    def for_block(self, block: YardBlock) -> YardCraneKinematics:
        """A copy with ``block``'s slot length and row width."""
        return replace(self, slot_length_m=block.slot_length_m, row_width_m=block.row_width_m)

    def box_height_m(self, tier: int) -> float:
        """Height of the centre of a box at ``tier`` (0: on a vehicle)."""
        t = _int("yard crane", "tier", tier, 0)
        if t == 0:
            return self.vehicle_deck_height_m + self.tier_height_m / 2
        return (t - 0.5) * self.tier_height_m

    def _top_m(self, tier: int) -> float:
        """Height of the top of a box at ``tier`` (0: on a vehicle)."""
        return self.box_height_m(tier) + self.tier_height_m / 2

    def gantry_time_s(self, from_bay: int, to_bay: int) -> float:
        """Time to gantry between two bays, rest to rest."""
        return self.gantry.time_for(self.gantry_distance_m(from_bay, to_bay))

    def gantry_distance_m(self, from_bay: int, to_bay: int) -> float:
        """Distance along the block between two bays' centres."""
        a = _int("yard crane", "from_bay", from_bay, 0)
        b = _int("yard crane", "to_bay", to_bay, 0)
        return abs(b - a) / 2 * self.slot_length_m

    def move_time_s(
        self,
        from_bay: int,
        from_row: int,
        from_tier: int,
        to_bay: int,
        to_row: int,
        to_tier: int,
        loaded: bool,
        stack_height_tiers: int,
    ) -> float:
        """Time for the spreader to go from one position to another, lock/unlock excluded.

        The spreader (with the box if ``loaded``) hoists up until the box clears
        ``stack_height_tiers`` (the highest stack on the way) by ``clearance_m``,
        then gantry and trolley run together (the longer counts), then it lowers.
        Within one stack it only hoists.
        """
        owner = "yard crane move"
        a_row = _int(owner, "from_row", from_row, 0)
        b_row = _int(owner, "to_row", to_row, 0)
        _int(owner, "from_tier", from_tier, 0)
        _int(owner, "to_tier", to_tier, 0)
        stack = _int(owner, "stack_height_tiers", stack_height_tiers, 0)
        hoist = self.hoist_loaded if loaded else self.hoist_empty
        start_h, end_h = self.box_height_m(from_tier), self.box_height_m(to_tier)
        gantry_m = self.gantry_distance_m(from_bay, to_bay)
        trolley_m = abs(b_row - a_row) * self.row_width_m
        if gantry_m == 0 and trolley_m == 0:
            return hoist.time_for(abs(end_h - start_h))
        obstacle = max(stack * self.tier_height_m, self._top_m(from_tier), self._top_m(to_tier))
        travel_h = obstacle + self.clearance_m + self.tier_height_m / 2
        travel_s = max(self.gantry.time_for(gantry_m), self.trolley.time_for(trolley_m))
        return hoist.time_for(travel_h - start_h) + travel_s + hoist.time_for(travel_h - end_h)

    @property
    def min_separation_m(self) -> float:
        """Least distance between the two cranes of a block."""
        return self.safety_bays * self.slot_length_m

    def keeps_clear(self, bay_a: int, bay_b: int) -> bool:
        """True if cranes working at ``bay_a`` and ``bay_b`` keep the safety separation."""
        return abs(bay_a - bay_b) / 2 >= self.safety_bays


# --- truck -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TruckKinematics:
    """An external truck: road speed, gate transactions and the hand-over at a block."""

    speed_m_s: float
    gate_in_s: float
    gate_out_s: float
    handover_s: float
    """At the block's landside transfer point: position, open or close the twistlocks."""
    variation: Variation = Variation()
    """Driver-dependent spread of the gate and hand-over times."""

    def __post_init__(self) -> None:
        owner = "truck kinematics"
        _numbers_in(
            self,
            owner,
            speed_m_s=_POSITIVE,
            gate_in_s=_NON_NEGATIVE,
            gate_out_s=_NON_NEGATIVE,
            handover_s=_NON_NEGATIVE,
        )

    def drive_time_s(self, distance_m: float) -> float:
        """Time to drive ``distance_m`` on terminal roads at constant speed."""
        return _number("truck drive", "distance_m", distance_m, minimum=0.0) / self.speed_m_s


# --- the root --------------------------------------------------------------------------------

_PARTS = ("quay_crane", "agv", "yard_crane", "truck")


@dataclass(frozen=True, slots=True)
class Kinematics:
    """The kinematics of one terminal's equipment, with the source of each value.

    ``sources`` maps key paths of :meth:`to_dict`'s form (``"agv.straight.accel_m_s2"``,
    or a table such as ``"agv.straight"`` for all its values) to where the value
    comes from. Every key path must name a value or a table of the form, and a table
    and its values do not both have a source. A mapping is accepted for ``sources``
    and kept as sorted ``(key path, text)`` pairs.
    """

    name: str
    quay_crane: QuayCraneKinematics
    agv: AgvKinematics
    yard_crane: YardCraneKinematics
    truck: TruckKinematics
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidValue(f"kinematics: name {self.name!r} must be a non-empty text")
        owner = f"kinematics {self.name!r}"
        sources = self.sources
        if isinstance(sources, Mapping):
            sources = tuple(sources.items())
        try:
            pairs = tuple(sorted((str(k), v) for k, v in sources))
        except (TypeError, ValueError):
            raise InvalidValue(f"{owner}: sources must be (key path, text) pairs") from None
        known = set(_paths(self._values()))
        for key, text in pairs:
            if key not in known:
                raise InvalidValue(f"{owner}: sources names {key!r}, which is not a value")
            if not isinstance(text, str) or not text.strip():
                raise InvalidValue(f"{owner}: source of {key!r} must be a non-empty text")
        keys = {k for k, _ in pairs}
        if len(keys) != len(pairs):
            raise InvalidValue(f"{owner}: sources name a key path twice")
        for key in sorted(keys):
            parts = key.split(".")
            table = next(
                (t for n in range(1, len(parts)) if (t := ".".join(parts[:n])) in keys), None
            )
            if table is not None:
                raise InvalidValue(
                    f"{owner}: sources give both {table!r} and {key!r}; give a table's source "
                    "or its values' sources, not both"
                )
        _set(self, "sources", pairs)

    def source_of(self, key_path: str) -> str | None:
        """The source of a value: its own, else its nearest table's; None if it has none."""
        by_key = dict(self.sources)
        parts = key_path.split(".")
        for end in range(len(parts), 0, -1):
            found = by_key.get(".".join(parts[:end]))
            if found is not None:
                return found
        return None

    def unsourced(self) -> list[str]:
        """Key paths of the values that have no source, sorted."""
        return sorted(
            key for key in _paths(self._values(), leaves_only=True) if self.source_of(key) is None
        )

    def _values(self) -> dict[str, object]:
        return {name: _to_json(getattr(self, name)) for name in _PARTS}

    def to_dict(self) -> dict[str, object]:
        """A JSON-compatible form, the same as the preset files; :meth:`from_dict` reads it."""
        nested: dict[str, object] = {}
        for key, text in self.sources:
            *tables, leaf = key.split(".")
            node = nested
            for table in tables:
                node = cast("dict[str, object]", node.setdefault(table, {}))
            node[leaf] = text
        return {"name": self.name, **self._values(), "sources": nested}

    @classmethod
    def from_dict(cls, data: object, where: str = "kinematics") -> Kinematics:
        """Read :meth:`to_dict`'s form (or a preset file's parsed TOML).

        Raises
        ------
        InvalidValue
            A key is missing or unknown, or a value is malformed or out of range;
            the message starts with ``where`` and the key path.
        """
        r = DictReader(data, label=where)
        sources = _flatten_sources(r.dict_("sources")) if r.has("sources") else []
        return r.build(
            cls,
            name=r.str_("name"),
            quay_crane=_read(QuayCraneKinematics, r.dict_("quay_crane")),
            agv=_read(AgvKinematics, r.dict_("agv")),
            yard_crane=_read(YardCraneKinematics, r.dict_("yard_crane")),
            truck=_read(TruckKinematics, r.dict_("truck")),
            sources=tuple(sources),
        )


# --- the dict form ---------------------------------------------------------------------------

D = TypeVar("D", bound="DataclassInstance")

_NESTED: dict[str, Callable[[DictReader], object]] = {
    "MotionProfile": lambda r: _read(MotionProfile, r),
    "Variation": lambda r: _read(Variation, r),
}


def _to_json(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _read(cls: type[D], r: DictReader) -> D:
    """Build ``cls`` from its fields' keys; nested profiles and variations are read in turn.

    Values are passed on as they are: the constructors check their types and ranges.
    """
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        if f.default is not MISSING and not r.has(f.name):
            continue
        kind = str(f.type)
        if kind in _NESTED:
            kwargs[f.name] = _NESTED[kind](r.dict_(f.name))
        elif kind.startswith("tuple["):
            kwargs[f.name] = tuple(r.list_(f.name))
        else:
            kwargs[f.name] = r.raw(f.name)
    return r.build(cast("Callable[..., D]", cls), **kwargs)


def _flatten_sources(r: DictReader) -> list[tuple[str, str]]:
    """The nested ``sources`` tables as ``(key path, text)`` pairs."""
    pairs: list[tuple[str, str]] = []
    for key in r.data:
        name = str(key)
        if isinstance(r.data[key], Mapping):
            inner = r.dict_(name)
            pairs += [(f"{name}.{k}", text) for k, text in _flatten_sources(inner)]
        else:
            pairs.append((name, r.str_(name)))
    return pairs


def _paths(
    tree: Mapping[str, object], prefix: str = "", *, leaves_only: bool = False
) -> Iterator[str]:
    """Key paths of a nested dict: every table and value, or only the values."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if not leaves_only:
                yield path
            yield from _paths(
                cast("Mapping[str, object]", value), f"{path}.", leaves_only=leaves_only
            )
        else:
            yield path
