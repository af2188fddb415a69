"""Tests for equipment kinematics: motion profiles, cycles, the dict form, range checks."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import InvalidSlot, InvalidValue
from opentos.model.equipment import (
    BOX_HEIGHT_M,
    AgvKinematics,
    Kinematics,
    MotionProfile,
    QuayCraneKinematics,
    TruckKinematics,
    Variation,
    YardCraneKinematics,
)
from opentos.model.layout import YardBlock
from opentos.model.vessel_classes import vessel_class

# --- tiny named fixtures: round numbers that are easy to check by hand -----------------------

UNIT = MotionProfile(max_speed_m_s=1.0, accel_m_s2=1.0, decel_m_s2=1.0)
"""Ramps of 0.5 m and 1 s each way: 2 m take 1 + 1 + 1 = 3 s."""


def easy_quay_crane(**changes: object) -> QuayCraneKinematics:
    """A quay crane with round numbers: 2 m/s trolley, 1 m/s loaded and 2 m/s empty hoist."""
    qc = QuayCraneKinematics(
        main_trolley=MotionProfile(2.0, 0.5, 0.5),
        main_hoist_loaded=MotionProfile(1.0, 0.5, 0.5),
        main_hoist_empty=MotionProfile(2.0, 0.5, 0.5),
        portal_trolley=MotionProfile(2.0, 0.5, 0.5),
        portal_hoist_loaded=MotionProfile(1.0, 0.5, 0.5),
        portal_hoist_empty=MotionProfile(2.0, 0.5, 0.5),
        gantry=MotionProfile(0.75, 0.15, 0.15),
        spreader_lock_s=5.0,
        spreader_unlock_s=4.0,
        platform_handling_s=20.0,
        hoist_trolley_overlap=0.0,
        boom_clearance_m=3.0,
        platform_height_m=12.0,
        apron_height_m=5.0,
        waterside_rail_to_fender_m=4.5,
        platform_x_m=15.0,
        agv_lane_x_m=(5.0, 10.0, 20.0, 25.0),
        agv_deck_height_m=1.5,
        portal_clearance_m=1.0,
        qc_width_m=26.0,
        min_gap_m=1.0,
        spreader_variation=Variation(0.8, 1.0, 1.5),
    )
    return dataclasses.replace(qc, **changes)  # type: ignore[arg-type]


def easy_agv(**changes: object) -> AgvKinematics:
    """An AGV at 6 m/s (3 m/s in bends) with 1 m/s2 ramps and a 100 kWh battery."""
    agv = AgvKinematics(
        straight=MotionProfile(6.0, 1.0, 1.0),
        bend_speed_m_s=3.0,
        battery_kwh=100.0,
        consumption_kwh_per_km_empty=1.0,
        consumption_kwh_per_km_loaded=2.0,
        idle_kw=2.0,
        charge_kw=100.0,
        charge_start_pct=40.0,
        charge_stop_pct=80.0,
        min_pct=20.0,
        handover_s=10.0,
        length_m=15.0,
    )
    return dataclasses.replace(agv, **changes)  # type: ignore[arg-type]


def easy_yard_crane(**changes: object) -> YardCraneKinematics:
    """A yard crane with unit motions, 2 m slots, 1 m rows and 1 m tiers."""
    crane = YardCraneKinematics(
        gantry=MotionProfile(2.0, 1.0, 1.0),
        trolley=UNIT,
        hoist_loaded=UNIT,
        hoist_empty=MotionProfile(2.0, 1.0, 1.0),
        lock_s=5.0,
        unlock_s=5.0,
        tier_height_m=1.0,
        slot_length_m=2.0,
        row_width_m=1.0,
        clearance_m=0.5,
        vehicle_deck_height_m=0.5,
        safety_bays=4,
        waterside_handover_s=10.0,
        landside_handover_s=30.0,
    )
    return dataclasses.replace(crane, **changes)  # type: ignore[arg-type]


def easy_kinematics() -> Kinematics:
    """The easy fixtures under one root, with two sources."""
    return Kinematics(
        name="easy",
        quay_crane=easy_quay_crane(),
        agv=easy_agv(),
        yard_crane=easy_yard_crane(),
        truck=TruckKinematics(7.0, 60.0, 45.0, 60.0, Variation(0.7, 1.0, 2.0)),
        sources=(("agv.straight", "made up"), ("truck.speed_m_s", "made up too")),
    )


# --- MotionProfile ---------------------------------------------------------------------------


def test_zero_distance_takes_no_time() -> None:
    """Moving 0 m takes 0 s."""
    assert UNIT.time_for(0.0) == 0.0


def test_trapezoidal_time() -> None:
    """A move longer than the ramps: ramp times plus the rest at top speed."""
    profile = MotionProfile(max_speed_m_s=4.0, accel_m_s2=0.5, decel_m_s2=1.0)
    # ramps: 16 m in 8 s up, 8 m in 4 s down; 76 m more at 4 m/s is 19 s
    assert profile.ramp_distance_m == pytest.approx(24.0)
    assert profile.time_for(100.0) == pytest.approx(8.0 + 4.0 + 19.0)


def test_triangular_time_when_top_speed_is_not_reached() -> None:
    """A move shorter than the ramps is triangular: peak speed sqrt(2 d a b / (a + b))."""
    assert UNIT.time_for(0.5) == pytest.approx(2 * math.sqrt(0.5))
    profile = MotionProfile(max_speed_m_s=10.0, accel_m_s2=1.0, decel_m_s2=2.0)
    peak = math.sqrt(2 * 12.0 * 1.0 * 2.0 / 3.0)
    assert profile.time_for(12.0) == pytest.approx(peak / 1.0 + peak / 2.0)


def test_profiles_meet_at_the_ramp_distance() -> None:
    """Triangular and trapezoidal times agree where the move just reaches top speed."""
    profile = MotionProfile(max_speed_m_s=3.0, accel_m_s2=0.6, decel_m_s2=0.4)
    d = profile.ramp_distance_m
    assert profile.time_for(d) == pytest.approx(profile.ramp_time_s)
    assert profile.time_for(d * (1 - 1e-9)) == pytest.approx(profile.ramp_time_s)
    assert profile.time_for(d * (1 + 1e-9)) == pytest.approx(profile.ramp_time_s)


@pytest.mark.parametrize("distance_m", [0.1, 1.0, 7.5, 30.0, 500.0])
def test_swapping_accel_and_decel_gives_the_same_time(distance_m: float) -> None:
    """Time depends on accel and decel symmetrically (run the move backwards)."""
    forward = MotionProfile(2.5, 0.3, 0.9)
    backward = MotionProfile(2.5, 0.9, 0.3)
    assert forward.time_for(distance_m) == pytest.approx(backward.time_for(distance_m))


@pytest.mark.parametrize("distance_m", [0.0, 0.2, 2.0, 3.3, 50.0])
def test_distance_for_inverts_time_for(distance_m: float) -> None:
    """distance_for(time_for(d)) == d, on both sides of the ramp distance."""
    profile = MotionProfile(2.0, 0.5, 0.8)
    assert profile.distance_for(profile.time_for(distance_m)) == pytest.approx(distance_m)


def test_flying_starts_and_stops() -> None:
    """A move that enters or leaves at cruise speed saves that end's ramp time."""
    assert UNIT.run_time_s(10.0, starts=False, stops=False) == pytest.approx(10.0)
    assert UNIT.run_time_s(10.0, starts=True, stops=False) == pytest.approx(10.5)
    assert UNIT.run_time_s(10.0, starts=False, stops=True) == pytest.approx(10.5)
    assert UNIT.run_time_s(0.125, starts=True, stops=False) == pytest.approx(0.5)
    assert UNIT.run_time_s(10.0, speed_m_s=0.5) == pytest.approx(0.5 + 0.5 + 9.75 / 0.5)


positive = st.floats(min_value=0.05, max_value=10.0, allow_nan=False)
distances = st.floats(min_value=0.0, max_value=2_000.0, allow_nan=False)


@given(positive, positive, positive, distances, distances)
def test_time_is_increasing_and_subadditive(
    v: float, a: float, b: float, d1: float, d2: float
) -> None:
    """time_for grows with distance, and one move is never slower than two stop-start moves."""
    profile = MotionProfile(v, a, b)
    short, long = sorted((d1, d2))
    assert profile.time_for(short) <= profile.time_for(long) + 1e-9
    if long > short:
        assert profile.time_for(short) < profile.time_for(long + 1e-3)
    together = profile.time_for(d1 + d2)
    assert together <= profile.time_for(d1) + profile.time_for(d2) + 1e-9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_speed_m_s": 0.0}, "max_speed_m_s must be a positive number, got 0.0"),
        ({"accel_m_s2": -1.0}, "accel_m_s2 must be a positive number"),
        ({"decel_m_s2": math.inf}, "decel_m_s2 must be a positive number"),
        ({"accel_m_s2": True}, "accel_m_s2 must be a positive number, got True"),
        ({"max_speed_m_s": "4"}, "max_speed_m_s must be a positive number, got '4'"),
    ],
)
def test_motion_profile_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    """A speed or ramp that is not a positive finite number is refused, naming the field."""
    values: dict[str, object] = {"max_speed_m_s": 1.0, "accel_m_s2": 1.0, "decel_m_s2": 1.0}
    values.update(kwargs)
    with pytest.raises(InvalidValue, match=message):
        MotionProfile(**values)  # type: ignore[arg-type]


def test_motion_rejects_bad_distances_and_speeds() -> None:
    """Negative or infinite distances and cruise speeds above top speed are refused."""
    with pytest.raises(InvalidValue, match="distance_m must be a number >= 0, got -1"):
        UNIT.time_for(-1.0)
    with pytest.raises(InvalidValue, match="distance_m"):
        UNIT.time_for(math.nan)
    with pytest.raises(InvalidValue, match="above the top speed"):
        UNIT.run_time_s(1.0, speed_m_s=2.0)
    with pytest.raises(InvalidValue, match="time_s"):
        UNIT.distance_for(-0.5)


def test_motion_profile_normalises_integers() -> None:
    """Integer values are kept as floats, so equal profiles compare and print alike."""
    assert MotionProfile(1, 2, 3) == MotionProfile(1.0, 2.0, 3.0)
    assert isinstance(MotionProfile(1, 2, 3).max_speed_m_s, float)


# --- Variation -------------------------------------------------------------------------------


def test_variation_samples_within_its_range_and_repeats_with_the_seed() -> None:
    """Samples lie in [low, high]; the same seed gives the same samples."""
    variation = Variation(0.8, 1.0, 1.5)
    first = [variation.sample(random.Random(7)) for _ in range(3)]
    rng = random.Random(42)
    samples = [variation.sample(rng) for _ in range(2_000)]
    assert all(0.8 <= s <= 1.5 for s in samples)
    assert sum(samples) / len(samples) == pytest.approx(variation.mean_factor, abs=0.02)
    assert first == [variation.sample(random.Random(7)) for _ in range(3)]


def test_a_fixed_variation_still_draws_once() -> None:
    """Variation() returns 1 but draws one number, so streams do not depend on which times vary."""
    rng, twin = random.Random(3), random.Random(3)
    assert Variation().sample(rng) == 1.0
    twin.random()
    assert rng.random() == twin.random()


def test_variation_apply_without_rng_is_nominal() -> None:
    """With no rng a time stays nominal."""
    assert Variation(0.5, 1.0, 3.0).apply(12.0, None) == 12.0


@pytest.mark.parametrize("factors", [(1.2, 1.0, 1.5), (0.8, 1.6, 1.5), (0.0, 1.0, 1.0)])
def test_variation_rejects_unordered_or_zero_factors(factors: tuple[float, float, float]) -> None:
    """Factors must be positive and low <= mode <= high."""
    with pytest.raises(InvalidValue, match="variation"):
        Variation(*factors)


# --- quay crane ------------------------------------------------------------------------------


def test_slot_geometry_starboard_alongside() -> None:
    """Starboard rows are nearest the quay; deck tiers above the quay, low hold tiers below."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    near, _ = qc.slot_geometry(vessel, 20, 17, 88)
    far, _ = qc.slot_geometry(vessel, 20, 18, 88)
    assert 4.5 < near < far < 4.5 + vessel.beam_m
    stack = vessel.stack(20, 17, True)
    assert near == pytest.approx(4.5 + vessel.beam_m / 2 - stack.tcg_m)
    _, deck = qc.slot_geometry(vessel, 20, 1, 82)
    _, hold = qc.slot_geometry(vessel, 20, 1, 2)
    assert hold < 0 < deck
    assert hold == pytest.approx(vessel.vcg_m(2) - vessel.design_draft_m - 5.0)


def test_a_deeper_draft_lowers_the_slot() -> None:
    """A vessel 1 m deeper in the water has every slot 1 m lower."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    _, design = qc.slot_geometry(vessel, 20, 1, 88)
    _, deep = qc.slot_geometry(vessel, 20, 1, 88, draft_m=vessel.design_draft_m + 1.0)
    assert deep == pytest.approx(design - 1.0)


def test_slot_geometry_rejects_missing_slots() -> None:
    """A row or tier the vessel does not have is an InvalidSlot."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    with pytest.raises(InvalidSlot, match="no row 00"):
        qc.slot_geometry(vessel, 20, 0, 88)
    with pytest.raises(InvalidSlot, match="no tier 99"):
        qc.slot_geometry(vessel, 20, 1, 99)


def test_travel_height_clears_the_highest_deck_stack() -> None:
    """The trolley carries a box boom_clearance_m above the top of the highest stack."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    _, top = qc.slot_geometry(vessel, 20, 1, 96)
    expected = top + vessel.tier_height_mm / 2000 + 3.0 + BOX_HEIGHT_M / 2
    assert qc.travel_height_m(vessel) == pytest.approx(expected)


def test_main_cycle_by_hand() -> None:
    """Sequential legs: hoist, trolley, hoist, plus lock and unlock; loading equals discharge."""
    qc = easy_quay_crane()
    platform = qc.platform_box_height_m
    travel = platform + 4.0  # 4 m lift at the platform, 12 m at the slot
    # trolley 25 m at 2 m/s, 0.5 m/s2: 8 m of ramps in 8 s, 17 m in 8.5 s
    trolley = 16.5
    loaded_4, loaded_12 = 4.0 + 2.0, 4.0 + 10.0  # 1 m/s: ramps 2 m in 4 s
    empty_4, empty_12 = 4 * math.sqrt(2), 8.0 + 4.0 / 2  # 2 m/s: ramps 8 m in 8 s
    cycle = qc.main_cycle(10.0, travel - 12.0, travel, loaded_out=False)
    assert cycle.out_s == pytest.approx(empty_4 + trolley + empty_12)
    assert cycle.far_s == 5.0  # lock at the slot
    assert cycle.back_s == pytest.approx(loaded_12 + trolley + loaded_4)
    assert cycle.home_s == 4.0  # unlock on the platform
    assert cycle.loaded_s == pytest.approx(5.0 + loaded_12 + trolley + loaded_4 + 4.0)
    loading = qc.main_cycle(10.0, travel - 12.0, travel, loaded_out=True)
    assert loading.total_s == pytest.approx(cycle.total_s)


def test_overlap_shortens_the_cycle_but_not_below_its_longest_motions() -> None:
    """Overlapping hoist and trolley saves time; at 0.5 each leg still takes its hoists."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    times = [qc.vessel_cycle(vessel, 20, 2, 8, loaded_out=False, overlap=f) for f in (0, 0.25, 0.5)]
    assert times[0].total_s > times[1].total_s > times[2].total_s
    with pytest.raises(InvalidValue, match=r"overlap must be a number from 0 to 0\.5"):
        qc.vessel_cycle(vessel, 20, 2, 8, loaded_out=False, overlap=0.6)


def test_main_cycle_grows_with_outreach_and_depth() -> None:
    """A slot further out or deeper down takes longer."""
    qc = easy_quay_crane()
    vessel = vessel_class(10000)
    near = qc.vessel_cycle(vessel, 20, 17, 88, loaded_out=False).total_s
    far = qc.vessel_cycle(vessel, 20, 18, 88, loaded_out=False).total_s
    deep = qc.vessel_cycle(vessel, 20, 16, 6, loaded_out=False).total_s
    assert near < far < deep


def test_main_cycle_varies_only_by_lock_times_with_an_rng() -> None:
    """With an rng only lock and unlock vary (within spreader_variation), the same per seed."""
    qc = easy_quay_crane()
    nominal = qc.main_cycle(20.0, 0.0, 30.0, loaded_out=True)
    varied = qc.main_cycle(20.0, 0.0, 30.0, loaded_out=True, rng=random.Random(1))
    again = qc.main_cycle(20.0, 0.0, 30.0, loaded_out=True, rng=random.Random(1))
    assert varied == again
    assert (varied.out_s, varied.back_s) == (nominal.out_s, nominal.back_s)
    assert 0.8 * 5.0 <= varied.home_s <= 1.5 * 5.0
    assert 0.8 * 4.0 <= varied.far_s <= 1.5 * 4.0


def test_main_cycle_rejects_a_slot_behind_the_platform() -> None:
    """A slot landward of the transfer platform is refused."""
    with pytest.raises(InvalidValue, match="landward of the platform"):
        easy_quay_crane().main_cycle(-20.0, 0.0, 30.0, loaded_out=True)


def test_portal_cycle_is_symmetric_around_the_platform() -> None:
    """Lanes equally far from the platform take equally long; nearer lanes are faster."""
    qc = easy_quay_crane()  # platform at 15 m, lanes at 5, 10, 20, 25 m
    times = [qc.portal_cycle_s(i) for i in range(4)]
    assert times[0] == pytest.approx(times[3])
    assert times[1] == pytest.approx(times[2])
    assert times[1] < times[0]
    discharge = qc.portal_cycle(1, loaded_out=True)
    assert discharge.total_s == pytest.approx(times[1])
    with pytest.raises(InvalidValue, match="no AGV lane 4"):
        qc.portal_cycle_s(4)


def test_gantry_time_either_way() -> None:
    """Gantry travel takes as long east as west."""
    qc = easy_quay_crane()
    assert qc.gantry_time_s(-30.0) == qc.gantry_time_s(30.0) == pytest.approx(45.0)
    assert qc.min_spacing_m == 27.0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hoist_trolley_overlap": 0.7}, "hoist_trolley_overlap must be a number from 0 to 0.5"),
        ({"platform_height_m": 1.0}, "agv_deck_height_m 1.5 must be below platform_height_m 1"),
        ({"agv_lane_x_m": ()}, "agv_lane_x_m lists no lane"),
        ({"agv_lane_x_m": (3.0, -1.0)}, r"agv_lane_x_m\[1\] must be a number >= 0"),
        ({"spreader_lock_s": -1.0}, "spreader_lock_s must be a number >= 0"),
        ({"qc_width_m": 0}, "qc_width_m must be a positive number"),
    ],
)
def test_quay_crane_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    """Out-of-range quay crane values are refused, naming the field."""
    with pytest.raises(InvalidValue, match=message):
        easy_quay_crane(**changes)


# --- AGV -------------------------------------------------------------------------------------


def test_agv_edge_times() -> None:
    """Edges: cruise through, start, stop, or bend at the bend speed."""
    agv = easy_agv()
    assert agv.edge_time_s(60.0) == pytest.approx(10.0)
    assert agv.edge_time_s(60.0, starts=True) == pytest.approx(13.0)
    assert agv.edge_time_s(60.0, starts=True, stops=True) == pytest.approx(16.0)
    assert agv.edge_time_s(30.0, bend=True) == pytest.approx(10.0)
    assert agv.edge_time_s(30.0, bend=True, stops=True) == pytest.approx(11.5)
    assert agv.trip_time_s(300.0) == pytest.approx(56.0)


def test_agv_energy_and_charging() -> None:
    """Energy is linear in distance and idle time; charging at constant power."""
    agv = easy_agv()
    assert agv.drive_energy_kwh(500.0, loaded=True) == pytest.approx(1.0)
    assert agv.drive_energy_kwh(500.0, loaded=False) == pytest.approx(0.5)
    assert agv.idle_energy_kwh(1800.0) == pytest.approx(1.0)
    assert agv.pct_of(1.0) == pytest.approx(1.0)
    assert agv.charge_time_s(40.0) == pytest.approx(0.4 * 3600)
    assert agv.charge_time_s(90.0) == 0.0
    assert agv.usable_kwh == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bend_speed_m_s": 7.0}, "bend_speed_m_s 7 is above the straight top speed 6"),
        ({"consumption_kwh_per_km_loaded": 0.5}, "is below consumption_kwh_per_km_empty"),
        ({"charge_start_pct": 90.0}, "needs min_pct < charge_start_pct < charge_stop_pct"),
        ({"min_pct": 40.0}, "needs min_pct < charge_start_pct"),
        ({"charge_stop_pct": 120.0}, "charge_stop_pct must be a number from 0 to 100"),
        ({"battery_kwh": 0.0}, "battery_kwh must be a positive number"),
    ],
)
def test_agv_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    """Inconsistent AGV values are refused, naming the field."""
    with pytest.raises(InvalidValue, match=message):
        easy_agv(**changes)


# --- yard crane ------------------------------------------------------------------------------


def test_yard_crane_move_by_hand() -> None:
    """Hoist up over the stacks, gantry and trolley together (the longer counts), hoist down."""
    crane = easy_yard_crane()
    # stacks of 4 tiers (1 m each), 0.5 m clearance: travel box centre at 5 m
    # from tier 2 (centre 1.5 m) up 3.5 m loaded: ramps of 1 s (0.5 m) each and 2.5 s between
    # gantry bays 1 -> 21: 20 m at 2 m/s, 1 m/s2: 2 + 2 + 16/2 = 12 s; trolley 3 rows: 4 s
    # down to tier 1 (centre 0.5 m), 4.5 m: 2 + 3.5 s
    t = crane.move_time_s(1, 1, 2, 21, 4, 1, True, 4)
    assert t == pytest.approx(4.5 + 12.0 + 5.5)


def test_yard_crane_trolley_only_and_same_stack() -> None:
    """A longer trolley run counts instead of the gantry; within a stack it only hoists."""
    crane = easy_yard_crane()
    t = crane.move_time_s(5, 1, 4, 5, 8, 4, True, 4)  # 7 m trolley: 8 s; 1.5 m up and down
    assert t == pytest.approx(8.0 + 2 * UNIT.time_for(1.5))
    assert crane.move_time_s(5, 2, 4, 5, 2, 1, True, 4) == pytest.approx(UNIT.time_for(3.0))


def test_yard_crane_handover_tier_zero_is_on_a_vehicle() -> None:
    """Tier 0 is a box on a vehicle's deck."""
    crane = easy_yard_crane()
    assert crane.box_height_m(0) == pytest.approx(1.0)
    assert crane.box_height_m(3) == pytest.approx(2.5)


def test_yard_crane_safety_separation() -> None:
    """Two cranes of a block keep safety_bays 20' bays apart."""
    crane = easy_yard_crane()
    assert crane.keeps_clear(1, 9)
    assert not crane.keeps_clear(1, 7)
    assert crane.min_separation_m == 8.0


def test_yard_crane_takes_a_blocks_dimensions() -> None:
    """for_block copies the block's slot length and row width."""
    block = YardBlock("A01", 0.0, 130.0, 40, 10, 5, slot_length_m=6.1, row_width_m=2.8)
    crane = easy_yard_crane().for_block(block)
    assert (crane.slot_length_m, crane.row_width_m) == (6.1, 2.8)


def test_yard_crane_rejects_bad_values() -> None:
    """Negative bays or tiers and non-integer safety_bays are refused."""
    crane = easy_yard_crane()
    with pytest.raises(InvalidValue, match="to_tier must be an integer >= 0"):
        crane.move_time_s(1, 1, 1, 3, 1, -1, True, 4)
    with pytest.raises(InvalidValue, match="from_bay must be an integer >= 0"):
        crane.move_time_s(-1, 1, 1, 3, 1, 1, True, 4)
    with pytest.raises(InvalidValue, match=r"safety_bays must be an integer >= 0, got 2\.5"):
        easy_yard_crane(safety_bays=2.5)


# --- truck and the root ----------------------------------------------------------------------


def test_truck_drives_at_constant_speed() -> None:
    """Truck drive time is distance over speed."""
    truck = TruckKinematics(speed_m_s=7.0, gate_in_s=60.0, gate_out_s=45.0, handover_s=60.0)
    assert truck.drive_time_s(700.0) == pytest.approx(100.0)
    with pytest.raises(InvalidValue, match="speed_m_s must be a positive number"):
        TruckKinematics(speed_m_s=0.0, gate_in_s=60.0, gate_out_s=45.0, handover_s=60.0)


def test_kinematics_round_trips_through_json() -> None:
    """to_dict -> JSON -> from_dict rebuilds an equal value."""
    kinematics = easy_kinematics()
    data = json.loads(json.dumps(kinematics.to_dict()))
    assert data["sources"] == {
        "agv": {"straight": "made up"},
        "truck": {"speed_m_s": "made up too"},
    }
    assert Kinematics.from_dict(data) == kinematics


def test_sources_cover_tables_and_values() -> None:
    """A table's source covers its values; unsourced lists the rest."""
    kinematics = easy_kinematics()
    assert kinematics.source_of("agv.straight.accel_m_s2") == "made up"
    assert kinematics.source_of("agv.bend_speed_m_s") is None
    missing = kinematics.unsourced()
    assert "agv.bend_speed_m_s" in missing
    assert "agv.straight.accel_m_s2" not in missing
    assert "truck.speed_m_s" not in missing


def test_sources_must_name_values() -> None:
    """A source for a key that is not a value, or for a table and one of its values, is refused."""
    with pytest.raises(InvalidValue, match=r"sources names 'agv\.speed', which is not a value"):
        dataclasses.replace(easy_kinematics(), sources=(("agv.speed", "typo"),))
    both = {"agv.straight": "a", "agv.straight.accel_m_s2": "b"}
    with pytest.raises(InvalidValue, match=r"sources give both 'agv\.straight' and"):
        dataclasses.replace(easy_kinematics(), sources=both)  # type: ignore[arg-type]


def test_from_dict_names_the_key_path() -> None:
    """A bad value read from a dict is reported with its key path; unknown keys are refused."""
    data = easy_kinematics().to_dict()
    agv = data["agv"]
    assert isinstance(agv, dict)
    agv["straight"]["accel_m_s2"] = 0
    with pytest.raises(InvalidValue, match=r"^kinematics: agv\.straight: .*accel_m_s2"):
        Kinematics.from_dict(data)
    agv["straight"]["accel_m_s2"] = 1.0
    agv["top_speed"] = 9.0
    with pytest.raises(InvalidValue, match=r"agv: unknown key\(s\) top_speed"):
        Kinematics.from_dict(data)
