"""Tests for the kinematics presets: loading, sources, and plausible cycle times for qianwan-1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opentos.errors import ConfigError, NotFound
from opentos.model.equipment import Kinematics
from opentos.model.vessel_classes import vessel_class
from opentos.presets import load_preset
from opentos.presets.kinematics import (
    kinematics_names,
    load_kinematics,
    load_kinematics_file,
    parse_kinematics,
)

PRESET_FILE = (
    Path(__file__).parents[1] / "src" / "opentos" / "presets" / "kinematics-qianwan-1.toml"
)

# The generic single-hoist QC cycle of the reference (qianwan.md, "QC cycle, single-hoist,
# generic"): tri(70, 90, 130) s, hand-over to the AGV not included.
QC_CYCLE_BAND_S = (70.0, 130.0)


@pytest.fixture(scope="module")
def kinematics() -> Kinematics:
    """The qianwan-1 kinematics preset."""
    return load_kinematics("qianwan-1")


def test_kinematics_names_lists_qianwan_1() -> None:
    """kinematics_names() lists the shipped kinematics presets."""
    assert "qianwan-1" in kinematics_names()


def test_default_preset_is_qianwan_1(kinematics: Kinematics) -> None:
    """load_kinematics() with no name reads qianwan-1."""
    assert load_kinematics() == kinematics
    assert kinematics.name == "qianwan-1"


def test_unknown_preset_is_not_found() -> None:
    """An unknown name raises NotFound listing the known ones."""
    with pytest.raises(NotFound, match=r"no kinematics preset 'atlantis'; .*qianwan-1"):
        load_kinematics("atlantis")


def test_preset_round_trips(kinematics: Kinematics) -> None:
    """The preset's JSON form rebuilds an equal value."""
    assert Kinematics.from_dict(json.loads(json.dumps(kinematics.to_dict()))) == kinematics


def test_every_value_has_a_source(kinematics: Kinematics) -> None:
    """Every value of the preset has a reference row or a reasoned assumption as its source."""
    assert kinematics.unsourced() == []
    for key, text in kinematics.sources:
        assert text.startswith(("ref: ", "ref (generic): ", "assumption: ")), key


def test_preset_follows_the_reference_table(kinematics: Kinematics) -> None:
    """Speeds lie in the ranges of the reference's equipment kinematics table."""
    qc, agv, armg = kinematics.quay_crane, kinematics.agv, kinematics.yard_crane
    per_min = 60.0
    assert 240 <= qc.main_trolley.max_speed_m_s * per_min <= 300
    assert qc.main_hoist_loaded.max_speed_m_s * per_min == pytest.approx(90)
    assert qc.main_hoist_empty.max_speed_m_s * per_min == pytest.approx(180)
    assert agv.straight.max_speed_m_s == 6.0
    assert agv.bend_speed_m_s == 3.0
    assert 1.0 <= agv.straight.accel_m_s2 <= 2.0
    assert armg.gantry.max_speed_m_s * per_min == pytest.approx(240)
    assert 48 <= armg.trolley.max_speed_m_s * per_min <= 150
    assert 36 <= armg.hoist_loaded.max_speed_m_s * per_min <= 60
    assert 60 <= armg.hoist_empty.max_speed_m_s * per_min <= 130
    for motion in (armg.gantry, armg.trolley, armg.hoist_loaded, armg.hoist_empty):
        assert 0.25 <= motion.accel_m_s2 <= 0.6
        assert 0.25 <= motion.decel_m_s2 <= 0.6


def test_preset_agrees_with_the_layout(kinematics: Kinematics) -> None:
    """Crane spacing, AGV lanes and block dimensions match the qianwan-1 layout preset."""
    layout = load_preset("qianwan-1")
    assert kinematics.quay_crane.min_spacing_m == layout.quay.qc_min_gap_m
    assert len(kinematics.quay_crane.agv_lane_x_m) == layout.apron.qc_lanes
    for block in layout.blocks:
        assert block.slot_length_m == kinematics.yard_crane.slot_length_m
        assert block.row_width_m == kinematics.yard_crane.row_width_m


@pytest.mark.parametrize(
    ("bay", "row", "tier", "where"),
    [
        (20, 1, 88, "mid-deck, centre"),
        (20, 18, 88, "mid-deck, far port side"),
        (20, 1, 2, "bottom of the hold, centre"),
        (20, 16, 6, "bottom of the hold, port side"),
    ],
)
@pytest.mark.parametrize("loaded_out", [False, True], ids=["discharge", "load"])
def test_qc_main_cycle_lands_in_the_generic_band(
    kinematics: Kinematics, bay: int, row: int, tier: int, where: str, loaded_out: bool
) -> None:
    """Main-trolley cycles on a 10,000 TEU vessel lie in 70-130 s; ship to platform < 2 min."""
    vessel = vessel_class(10000)
    cycle = kinematics.quay_crane.vessel_cycle(vessel, bay, row, tier, loaded_out=loaded_out)
    low, high = QC_CYCLE_BAND_S
    assert low <= cycle.total_s <= high, where
    assert cycle.loaded_s < 120.0, where  # ref: handover, "ship-to-platform under 2 min"


def test_qc_deck_cycles_are_faster_than_hold_cycles(kinematics: Kinematics) -> None:
    """On average over a bay, deck slots take less than hold slots, and both average near 90 s."""
    qc = kinematics.quay_crane
    vessel = vessel_class(10000)
    section = vessel.section_of(20)
    deck = [
        qc.vessel_cycle(vessel, 20, s.row, t, loaded_out=False).total_s
        for s in section.deck.stacks
        for t in s.tiers
    ]
    hold = [
        qc.vessel_cycle(vessel, 20, s.row, t, loaded_out=False).total_s
        for s in section.hold.stacks
        for t in s.tiers
    ]
    mean_deck, mean_hold = sum(deck) / len(deck), sum(hold) / len(hold)
    assert mean_deck < mean_hold
    assert 75.0 <= (sum(deck) + sum(hold)) / (len(deck) + len(hold)) <= 105.0


def test_portal_cycle_keeps_up_with_the_main_trolley(kinematics: Kinematics) -> None:
    """Every portal-trolley cycle is shorter than the fastest main-trolley cycle on deck."""
    qc = kinematics.quay_crane
    vessel = vessel_class(10000)
    fastest_main = qc.vessel_cycle(vessel, 20, 17, 96, loaded_out=False).total_s
    portal = [qc.portal_cycle_s(i) for i in range(len(qc.agv_lane_x_m))]
    assert max(portal) < fastest_main
    assert min(portal) > 20.0


def test_armg_move_times_are_plausible(kinematics: Kinematics) -> None:
    """An ARMG move over 20 bays and 5 rows across stacks of 5 tiers takes 40-90 s."""
    armg = kinematics.yard_crane
    loaded = armg.move_time_s(1, 1, 1, 41, 6, 1, True, 5)
    empty = armg.move_time_s(1, 1, 5, 41, 6, 5, False, 5)
    assert 40.0 <= empty < loaded <= 90.0
    from_agv = armg.move_time_s(0, 3, 0, 41, 3, 5, True, 5)  # waterside hand-over to bay 41
    assert 40.0 <= from_agv <= 90.0


def test_agv_trip_times(kinematics: Kinematics) -> None:
    """A 300 m straight AGV trip takes about 56 s; a 20 m bend at 3 m/s under 7 s."""
    agv = kinematics.agv
    assert agv.trip_time_s(300.0) == pytest.approx(56.0)
    assert agv.edge_time_s(20.0, bend=True) == pytest.approx(20.0 / 3.0)


def test_agv_battery_lasts_a_shift(kinematics: Kinematics) -> None:
    """The shallow-charge window covers hours of work, and a 1 h charge gives about 12 h of work."""
    agv = kinematics.agv
    # a busy hour: 7 km driven (about 2 m/s on average), half of it loaded; 30 min standing
    hourly_kwh = (
        agv.drive_energy_kwh(3_500, loaded=True)
        + agv.drive_energy_kwh(3_500, loaded=False)
        + agv.idle_energy_kwh(1_800)
    )
    assert agv.usable_kwh / hourly_kwh > 5  # hours between charges
    assert 8 <= agv.charge_kw / hourly_kwh <= 16  # ref (generic): Tianjin, 1 h charge, 12 h work


def test_malformed_text_names_the_key_path() -> None:
    """A bad value raises ConfigError naming the file and the key path."""
    text = PRESET_FILE.read_text(encoding="utf-8")
    bad = text.replace("bend_speed_m_s = 3.0", "bend_speed_m_s = 9.0", 1)
    with pytest.raises(ConfigError, match=r"^k\.toml: agv: .*bend_speed_m_s 9 is above"):
        parse_kinematics(bad, "k.toml")
    typo = text.replace("[truck]\n", "[truck]\nspeed_kmh = 25\n", 1)
    with pytest.raises(ConfigError, match=r"^k\.toml: truck: unknown key\(s\) speed_kmh"):
        parse_kinematics(typo, "k.toml")
    with pytest.raises(ConfigError, match=r"^k\.toml: not valid TOML"):
        parse_kinematics("name = ", "k.toml")
    missing = text.replace("gate_out_s = 45.0\n", "", 1)
    with pytest.raises(ConfigError, match=r"^k\.toml: truck: missing key 'gate_out_s'"):
        parse_kinematics(missing, "k.toml")


def test_user_files_load(tmp_path: Path) -> None:
    """A user's kinematics file in the preset schema loads; a missing file is a ConfigError."""
    path = tmp_path / "mine.toml"
    path.write_text(PRESET_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_kinematics_file(path) == load_kinematics("qianwan-1")
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_kinematics_file(tmp_path / "absent.toml")
