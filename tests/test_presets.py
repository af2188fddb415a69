"""Tests for the preset terminals and the preset file reader."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from opentos.errors import ConfigError, NotFound
from opentos.model.layout import TerminalLayout
from opentos.presets import load_preset, load_preset_file, parse_preset, preset_names

TINY_TOML = """
name = "t"
un_locode = "ZZTNY"

[quay]
length_m = 300.0

[[quay.berths]]
id = "B01"
start_m = 0.0
length_m = 300.0
depth_m = 16.0

[[quay_cranes]]
id = "QC01"
rail_position_m = 100.0

[apron]
width_m = 50.0
qc_lanes = 2
travel_lanes = 2

[[blocks]]
id = "A01"
x_m = 0.0
y_m = 60.0
bays = 6
rows = 4
tiers = 4
"""


def test_preset_names_lists_the_shipped_presets() -> None:
    """preset_names() lists every shipped preset, sorted."""
    names = preset_names()
    assert {"qianwan-1", "tiny"} <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("name", ["qianwan-1", "tiny"])
def test_presets_load_and_round_trip(name: str) -> None:
    """Every preset loads, and its JSON form rebuilds an equal layout."""
    layout = load_preset(name)
    assert TerminalLayout.from_dict(json.loads(json.dumps(layout.to_dict()))) == layout


def test_qianwan_1_matches_the_reference() -> None:
    """qianwan-1 has phase 1's published quay, berths, cranes and fleet (reference qianwan.md)."""
    layout = load_preset("qianwan-1")
    assert layout.un_locode == "CNTAO"
    assert layout.quay.length_m == 660.0
    assert len(layout.quay.berths) == 2
    assert all(b.depth_m == 20.0 for b in layout.quay.berths)
    assert len(layout.quay_cranes) == 7
    assert all(qc.kind == "double_trolley" for qc in layout.quay_cranes)
    assert len(layout.agvs) == 38
    assert len(layout.yard_cranes) == 38
    assert len(layout.blocks) == 19
    assert 120.0 <= layout.apron.width_m <= 130.0


def test_qianwan_1_yard_figures() -> None:
    """qianwan-1's yard: 19 blocks of 40 x 10 x 5, two cranes each, reefers at landside ends."""
    layout = load_preset("qianwan-1")
    assert [b.id for b in layout.blocks] == [f"A{n:02d}" for n in range(1, 20)]
    assert layout.ground_slots_teu == 7_600
    assert layout.yard_capacity_teu == 38_000
    assert layout.reefer_ground_slots == 400
    for block in layout.blocks:
        sides = sorted(c.side for c in layout.yard_cranes if c.block == block.id)
        assert sides == ["landside", "waterside"]
        assert all(bay > block.bays for bay in block.reefer_bays)  # landside half


def test_tiny_preset_is_tiny() -> None:
    """tiny has 1 berth, 2 QCs, 1 block of 6 x 4 x 4, 4 AGVs, 2 ARMGs, a gate lane each way."""
    layout = load_preset("tiny")
    assert len(layout.quay.berths) == 1
    assert len(layout.quay_cranes) == 2
    assert [(b.bays, b.rows, b.tiers) for b in layout.blocks] == [(6, 4, 4)]
    assert len(layout.agvs) == 4
    assert len(layout.yard_cranes) == 2
    assert sorted(g.direction for g in layout.gate_lanes) == ["in", "out"]
    assert layout.rail_tracks == ()


def test_unknown_preset_is_not_found() -> None:
    """An unknown preset name raises NotFound listing the valid names."""
    with pytest.raises(NotFound, match=r"no preset 'atlantis'; presets: .*qianwan-1.*tiny"):
        load_preset("atlantis")


def test_count_entries_expand_with_ids_and_pitch() -> None:
    """An entry with count stands for numbered items, positions stepping by pitch_m."""
    text = TINY_TOML.replace(
        '[[quay_cranes]]\nid = "QC01"\nrail_position_m = 100.0',
        '[[quay_cranes]]\ncount = 3\nprefix = "Q"\nfirst_number = 7\ndigits = 3\n'
        "rail_position_m = 50.0\npitch_m = 40.0",
    )
    layout = parse_preset(text + '\n[[agvs]]\ncount = 2\nprefix = "AGV"\n')
    assert [(q.id, q.rail_position_m) for q in layout.quay_cranes] == [
        ("Q007", 50.0),
        ("Q008", 90.0),
        ("Q009", 130.0),
    ]
    assert [a.id for a in layout.agvs] == ["AGV01", "AGV02"]


def test_block_entries_make_yard_cranes_and_reefer_bays() -> None:
    """yard_cranes in a block entry adds <block>-W/-L; reefer_landside_bays plugs the last bays."""
    text = TINY_TOML + 'yard_cranes = ["waterside", "landside"]\nreefer_landside_bays = 2\n'
    layout = parse_preset(text)
    assert [(c.id, c.side) for c in layout.yard_cranes] == [
        ("A01-W", "waterside"),
        ("A01-L", "landside"),
    ]
    assert layout.blocks[0].reefer_bays == {9, 11}


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("rows = 4", "rows = 'ten'", r"blocks\[0\]\.rows: expected a positive integer, got 'ten'"),
        ("rows = 4", "rows = 0", r"blocks\[0\]\.rows: expected a positive integer, got 0"),
        ("rows = 4", "rowz = 4", r"blocks\[0\]\.rows: missing"),
        ("tiers = 4", "tiers = 4\ncolour = 'red'", r"blocks\[0\]\.colour: unknown key"),
        ("length_m = 300.0\n\n", "length_m = '300'\n\n", r"quay\.length_m: expected a positive"),
        ("depth_m = 16.0", "depth_m = -1.0", r"quay\.berths\[0\]\.depth_m: expected a positive"),
        ("qc_lanes = 2", "", r"apron\.qc_lanes: missing"),
        ('un_locode = "ZZTNY"', 'un_locode = "ZZ"', r"UN/LOCODE 'ZZ'"),
        ('id = "A01"', 'id = "a.01"', r"blocks\[0\]: block id 'a.01'"),
        ('id = "QC01"', 'id = "QC01"\ncount = 2', r"quay_cranes\[0\]: give id .* or count"),
        ("y_m = 60.0", "y_m = 10.0", r"block A01 starts at y 10 m, inside the AGV apron"),
        ("[apron]", "[[apron]]", r"apron: expected a table"),
        ("bays = 6", "bays = 6\nreefer_bays = [2]", r"blocks\[0\]: block A01: reefer bay 2"),
        ("bays = 6", "bays = 6\nreefer_landside_bays = 7", r"reefer_landside_bays: expected at"),
        ("[quay]", "stray = 1\n[quay]", r"stray: unknown key"),
        ("[quay]", "[quay", r"not valid TOML"),
    ],
)
def test_malformed_files_raise_config_error(tmp_path: Path, old: str, new: str, match: str) -> None:
    """A malformed layout file raises ConfigError naming the file and the key path."""
    assert old in TINY_TOML
    path = tmp_path / "broken.toml"
    path.write_text(TINY_TOML.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}: ") as info:
        load_preset_file(path)
    assert info.match(match)


def test_user_file_loads(tmp_path: Path) -> None:
    """load_preset_file reads a valid user file in the preset schema."""
    path = tmp_path / "mine.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    layout = load_preset_file(path)
    assert layout.block("A01").capacity_teu == 96


def test_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    """A user file that cannot be read raises ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read"):
        load_preset_file(tmp_path / "nope.toml")
