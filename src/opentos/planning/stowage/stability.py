"""A simplified hydrostatic model: displacement, draft, GM, trim and list of a loaded vessel.

The model and its constants are described in ``docs/stowage.md`` ("Stability").
It treats the hull as a prism with fixed block and waterplane coefficients, so
it is meant for checking and steering a load plan, not for a ship's loading
computer. Ballast water goes in three groups of double-bottom tanks (aft,
midships, forward), whose contents the load plan sets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opentos.errors import InvalidValue
from opentos.model.vessel import VesselProfile
from opentos.planning.stowage.problem import StabilityLimits

RHO_T_M3 = 1.025
"""Density of sea water."""


def block_coefficient(profile: VesselProfile) -> float:
    """Cb such that the vessel floats at its maximum draft with its full deadweight."""
    full = profile.lightship_t + profile.deadweight_t
    return full / (RHO_T_M3 * lpp_m(profile) * profile.beam_m * profile.max_draft_m)


CW = 0.80
"""Waterplane area coefficient."""
LPP_SHARE = 0.955
"""Length between perpendiculars as a share of the length over all."""
LCB_SHARE = 0.48
"""Longitudinal centre of buoyancy, as a share of Lpp from the aft perpendicular."""
LIGHTSHIP_LCG_SHARE = 0.43
LIGHTSHIP_VCG_SHARE = 0.50
"""Lightship VCG as a share of the height of the deck stacks' base."""
CONSUMABLES_SHARE = 0.06
"""Fuel, water and stores, as a share of the deadweight."""
CONSUMABLES_LCG_SHARE = 0.43
CONSUMABLES_VCG_SHARE = 0.25
BALLAST_SHARE = 0.30
"""Ballast capacity, as a share of the deadweight."""
BALLAST_TANKS: dict[str, tuple[float, float, float]] = {
    "aft": (0.15, 0.0, 0.25),
    "mid": (0.50, 0.0, 0.30),
    "fwd": (0.85, 0.0, 0.25),
    "port": (0.50, -0.40, 0.10),
    "stbd": (0.50, 0.40, 0.10),
}
"""Ballast tank groups: LCG as a share of Lpp, TCG as a share of the beam, share of capacity.

``aft``, ``mid`` and ``fwd`` are double-bottom tanks; ``port`` and ``stbd`` the
heeling (wing) tanks.
"""
BALLAST_VCG_SHARE = 0.5
"""Double-bottom ballast VCG, as a share of the height of hold tier 02's base."""
WING_VCG_SHARE = 0.4
"""Wing-tank ballast VCG, as a share of the height of the deck stacks' base."""
HALF_BAY_M = 3.25
"""From a bay section's centre to the centre of either of its 20' bays."""


@dataclass(frozen=True, slots=True)
class Mass:
    """A mass in tonnes and its centre: LCG from the aft perpendicular, VCG, TCG (starboard +)."""

    t: float
    lcg_m: float
    vcg_m: float
    tcg_m: float = 0.0


@dataclass(frozen=True, slots=True)
class Condition:
    """The loaded condition the model gives."""

    displacement_t: float
    cargo_t: float
    ballast_t: float
    draft_m: float
    draft_aft_m: float
    draft_fwd_m: float
    kg_m: float
    km_m: float
    gm_m: float
    trim_m: float
    """By the stern positive."""
    list_deg: float
    """To starboard positive; infinite when GM is not positive."""
    lcg_m: float
    tcg_m: float

    def problems(self, profile: VesselProfile, limits: StabilityLimits) -> list[str]:
        """The limits this condition breaks, each as a sentence with the figures."""
        out: list[str] = []
        if self.gm_m < limits.min_gm_m:
            out.append(f"GM {self.gm_m:.2f} m is below the minimum {limits.min_gm_m:.2f} m")
        if abs(self.trim_m) > limits.max_trim_m:
            out.append(f"trim {self.trim_m:+.2f} m is beyond ±{limits.max_trim_m:.2f} m")
        if not abs(self.list_deg) <= limits.max_list_deg:
            out.append(f"list {self.list_deg:+.2f}° is beyond ±{limits.max_list_deg:.2f}°")
        deepest = max(self.draft_aft_m, self.draft_fwd_m)
        if deepest > profile.max_draft_m:
            out.append(f"draft {deepest:.2f} m is over the maximum {profile.max_draft_m:.2f} m")
        dead = self.displacement_t - profile.lightship_t
        if dead > profile.deadweight_t:
            out.append(
                f"deadweight {dead:,.0f} t is over the vessel's {profile.deadweight_t:,.0f} t"
            )
        return out


def lpp_m(profile: VesselProfile) -> float:
    """Length between perpendiculars."""
    return LPP_SHARE * profile.loa_m


def fixed_masses(profile: VesselProfile) -> tuple[Mass, Mass]:
    """The lightship and the consumables."""
    lpp = lpp_m(profile)
    return (
        Mass(
            profile.lightship_t,
            LIGHTSHIP_LCG_SHARE * lpp,
            LIGHTSHIP_VCG_SHARE * profile.deck_base_m,
        ),
        Mass(
            CONSUMABLES_SHARE * profile.deadweight_t,
            CONSUMABLES_LCG_SHARE * lpp,
            CONSUMABLES_VCG_SHARE * profile.deck_base_m,
        ),
    )


def ballast_capacity_t(profile: VesselProfile, tank: str) -> float:
    """Capacity of a ballast tank group in tonnes."""
    return BALLAST_SHARE * profile.deadweight_t * BALLAST_TANKS[tank][2]


def ballast_masses(profile: VesselProfile, ballast: Mapping[str, float]) -> list[Mass]:
    """The ballast water as masses.

    Raises
    ------
    InvalidValue
        An unknown tank group, or an amount below zero or over the group's capacity.
    """
    out: list[Mass] = []
    for tank, t in ballast.items():
        if tank not in BALLAST_TANKS:
            raise InvalidValue(
                f"ballast tank group {tank!r} is not one of {', '.join(BALLAST_TANKS)}"
            )
        cap = ballast_capacity_t(profile, tank)
        if not (math.isfinite(t) and 0 <= t <= cap + 1e-6):
            raise InvalidValue(f"ballast {tank} {t!r} t is not within 0-{cap:,.0f} t")
        out.append(Mass(t, *ballast_centre(profile, tank)))
    return out


def ballast_centre(profile: VesselProfile, tank: str) -> tuple[float, float, float]:
    """LCG, VCG and TCG of a ballast tank group."""
    lcg_share, tcg_share, _ = BALLAST_TANKS[tank]
    vcg = (
        WING_VCG_SHARE * profile.deck_base_m
        if tcg_share
        else BALLAST_VCG_SHARE * profile.hold_base_m
    )
    return lcg_share * lpp_m(profile), vcg, tcg_share * profile.beam_m


def slot_lcg_m(profile: VesselProfile, bay: int) -> float:
    """Longitudinal centre of a box in ``bay``: forward 20' bay +3.25 m, aft one -3.25 m."""
    section = profile.section_of(bay)
    if section.bay40 is None or bay == section.bay40:
        return section.lcg_m
    return section.lcg_m + (HALF_BAY_M if bay < section.bay40 else -HALF_BAY_M)


@dataclass(frozen=True, slots=True)
class Hull:
    """The displacement-dependent figures of the prismatic hull."""

    draft_m: float
    kb_m: float
    bm_m: float
    bml_m: float
    lcb_m: float


def hull(profile: VesselProfile, displacement_t: float) -> Hull:
    """Draft, KB, BM, BM_L and LCB at ``displacement_t``."""
    lpp = lpp_m(profile)
    b = profile.beam_m
    volume = displacement_t / RHO_T_M3
    cb = block_coefficient(profile)
    draft = volume / (cb * lpp * b)
    kb = draft * (5 / 6 - cb / (3 * CW))
    bm = CW**2 * lpp * b**3 / (12 * volume)
    bml = CW**2 * b * lpp**3 / (12 * volume)
    return Hull(draft, kb, bm, bml, LCB_SHARE * lpp)


def condition(
    profile: VesselProfile, cargo: Iterable[Mass], ballast: Mapping[str, float] | None = None
) -> Condition:
    """The loaded condition with ``cargo`` and ``ballast`` (tonnes per tank group) on board."""
    water = ballast_masses(profile, ballast or {})
    masses = list(fixed_masses(profile)) + water
    cargo_t = 0.0
    total = lm = vm = tm = 0.0
    for m in (*masses, *cargo):
        total += m.t
        lm += m.t * m.lcg_m
        vm += m.t * m.vcg_m
        tm += m.t * m.tcg_m
    cargo_t = total - sum(m.t for m in masses)
    h = hull(profile, total)
    lcg, kg, tcg = lm / total, vm / total, tm / total
    gm = h.kb_m + h.bm_m - kg
    gml = h.kb_m + h.bml_m - kg
    lpp = lpp_m(profile)
    trim = (h.lcb_m - lcg) * lpp / gml
    heel = math.degrees(math.atan(tcg / gm)) if gm > 0 else math.copysign(math.inf, tcg or 1.0)
    return Condition(
        displacement_t=total,
        cargo_t=cargo_t,
        ballast_t=sum(m.t for m in water),
        draft_m=h.draft_m,
        draft_aft_m=h.draft_m + trim / 2,
        draft_fwd_m=h.draft_m - trim / 2,
        kg_m=kg,
        km_m=h.kb_m + h.bm_m,
        gm_m=gm,
        trim_m=trim,
        list_deg=heel,
        lcg_m=lcg,
        tcg_m=tcg,
    )
