"""A simplified hydrostatic model: displacement, draft, GM, trim and list of a loaded vessel.

The model and its constants are described in ``docs/stowage.md`` ("Stability").
It treats the hull as a prism with fixed block and waterplane coefficients, so
it is meant for checking and steering a load plan, not for a ship's loading
computer. No ballast is modelled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from opentos.model.vessel import VesselProfile
from opentos.planning.stowage.problem import StabilityLimits

RHO_T_M3 = 1.025
"""Density of sea water."""
CB = 0.65
"""Block coefficient."""
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
    draft = volume / (CB * lpp * b)
    kb = draft * (5 / 6 - CB / (3 * CW))
    bm = CW**2 * lpp * b**3 / (12 * volume)
    bml = CW**2 * b * lpp**3 / (12 * volume)
    return Hull(draft, kb, bm, bml, LCB_SHARE * lpp)


def condition(profile: VesselProfile, cargo: Iterable[Mass]) -> Condition:
    """The loaded condition with ``cargo`` on board."""
    masses = list(fixed_masses(profile))
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
