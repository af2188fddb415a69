"""Tests for the terminal layout: yard block geometry, layout invariants, JSON form."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import IllegalMove, InvalidLocode, InvalidSlot, InvalidValue, NotFound
from opentos.model.layout import (
    Agv,
    AgvApron,
    Berth,
    Charger,
    GateLane,
    Quay,
    QuayCrane,
    RailTrack,
    TerminalLayout,
    YardBlock,
    YardCrane,
)
from opentos.model.slots import YardSlot
from opentos.model.stacking import StackArea


def small_block(block_id: str = "A01", x_m: float = 100.0, y_m: float = 60.0) -> YardBlock:
    """A block of 6 twenty-foot bays x 4 rows x 4 tiers, reefer plugs on bay 11."""
    return YardBlock(block_id, x_m, y_m, bays=6, rows=4, tiers=4, reefer_bays=frozenset({11}))


def tiny_layout(**changes: object) -> TerminalLayout:
    """1 berth, 2 quay cranes, 1 block, 2 AGVs, 2 yard cranes; ``changes`` replace fields."""
    fields: dict[str, object] = {
        "name": "tiny",
        "un_locode": "ZZTNY",
        "quay": Quay(300.0, (Berth("B01", 0.0, 300.0, 16.0),)),
        "quay_cranes": (QuayCrane("QC01", 100.0), QuayCrane("QC02", 200.0)),
        "apron": AgvApron(50.0, 2, 2),
        "blocks": (small_block(),),
        "gate_lanes": (GateLane("GI01", "in"), GateLane("GO01", "out")),
        "rail_tracks": (RailTrack("R01", 300.0, 20),),
        "agvs": (Agv("AGV01"), Agv("AGV02", twin_carry=False)),
        "yard_cranes": (
            YardCrane("A01-W", "A01", "waterside"),
            YardCrane("A01-L", "A01", "landside"),
        ),
        "chargers": (Charger("CH01", 90.0, 55.0),),
        "notes": ("for tests",),
    }
    fields.update(changes)
    return TerminalLayout(**fields)  # type: ignore[arg-type]


blocks = st.builds(
    YardBlock,
    id=st.just("B7"),
    x_m=st.just(0.0),
    y_m=st.just(0.0),
    bays=st.integers(1, 30),
    rows=st.integers(1, 12),
    tiers=st.integers(1, 7),
)


# --- yard block geometry ---------------------------------------------------------------------


def test_yard_block_is_a_stack_area() -> None:
    """A yard block satisfies the StackArea protocol and is named by its id."""
    area: StackArea = small_block()
    assert area.area_id == "A01"


@given(blocks)
def test_every_20ft_slot_takes_one_cell(block: YardBlock) -> None:
    """Every slot of slots(20) is accepted by cells() for a 20' box, as one cell at that bay."""
    slots = list(block.slots(20))
    assert len(slots) == block.capacity_teu
    for slot in slots:
        assert block.cells(slot.bay, slot.row, slot.tier, 20) == ((slot.bay, slot.row, slot.tier),)


@given(blocks, st.sampled_from([40, 45]))
def test_every_40ft_slot_takes_two_cells(block: YardBlock, length_ft: int) -> None:
    """Every slot of slots(40) takes a 40' or 45' box as the two 20' cells either side."""
    slots = list(block.slots(length_ft))
    assert len(slots) == (block.bays - 1) * block.rows * block.tiers
    for slot in slots:
        b, r, t = slot.bay, slot.row, slot.tier
        assert block.cells(b, r, t, length_ft) == ((b - 1, r, t), (b + 1, r, t))


@given(blocks, st.integers(-3, 70), st.integers(-2, 15), st.integers(-2, 10))
def test_out_of_range_slots_are_invalid(block: YardBlock, bay: int, row: int, tier: int) -> None:
    """A bay, row or tier outside the block raises InvalidSlot; inside, no InvalidSlot."""
    inside = 1 <= bay <= 2 * block.bays - 1 and 1 <= row <= block.rows and 1 <= tier <= block.tiers
    length_ft = 20 if bay % 2 else 40
    if inside:
        assert block.cells(bay, row, tier, length_ft)
    else:
        with pytest.raises(InvalidSlot, match=r"outside block B7"):
            block.cells(bay, row, tier, length_ft)


def test_out_of_range_message_names_slot_and_limits() -> None:
    """The InvalidSlot message names the yard slot and the block's limits."""
    block = YardBlock("A01", 0.0, 130.0, bays=40, rows=10, tiers=5)
    with pytest.raises(InvalidSlot) as info:
        block.cells(81, 5, 2, 20)
    assert str(info.value) == (
        "yard slot A01.081.05.2 is outside block A01 (bays 1-79, rows 1-10, tiers 1-5)"
    )


@given(blocks.filter(lambda b: b.bays >= 2), st.data())
def test_length_must_fit_bay_parity(block: YardBlock, data: st.DataObject) -> None:
    """A 20' box in an even bay, or a 40'/45' box in an odd bay, is an IllegalMove."""
    row = data.draw(st.integers(1, block.rows))
    tier = data.draw(st.integers(1, block.tiers))
    even = data.draw(st.integers(1, block.bays - 1)) * 2
    odd = data.draw(st.integers(1, block.bays)) * 2 - 1
    with pytest.raises(IllegalMove, match="needs an odd bay"):
        block.cells(even, row, tier, 20)
    for length_ft in (40, 45):
        with pytest.raises(IllegalMove, match="needs an even bay"):
            block.cells(odd, row, tier, length_ft)


@pytest.mark.parametrize("length_ft", [10, 30, 48, 53])
def test_other_lengths_are_illegal(length_ft: int) -> None:
    """Lengths other than 20, 40 and 45 feet fit no yard position."""
    block = small_block()
    with pytest.raises(IllegalMove, match=f"not {length_ft}'"):
        block.cells(2, 1, 1, length_ft)
    with pytest.raises(InvalidValue):
        list(block.slots(length_ft))


@given(blocks, st.data())
def test_below_and_above_are_consistent(block: YardBlock, data: st.DataObject) -> None:
    """below() and above() step one tier within 1..tiers and undo each other."""
    bay = data.draw(st.integers(1, block.bays)) * 2 - 1
    row = data.draw(st.integers(1, block.rows))
    tier = data.draw(st.integers(1, block.tiers))
    cell = (bay, row, tier)
    below, above = block.below(cell), block.above(cell)
    assert (below is None) == (tier == 1)
    assert (above is None) == (tier == block.tiers)
    if below is not None:
        assert below == (bay, row, tier - 1)
        assert block.above(below) == cell
    if above is not None:
        assert above == (bay, row, tier + 1)
        assert block.below(above) == cell


def test_block_figures() -> None:
    """Capacity counts 20' positions: ground bays x rows, times tiers; size follows the slots."""
    block = small_block()
    assert block.ground_slots_teu == 24
    assert block.capacity_teu == 96
    assert block.reefer_ground_slots == 4
    assert block.length_m == pytest.approx(39.0)
    assert block.width_m == pytest.approx(11.6)
    assert block.has_reefer_plug(11)
    assert not block.has_reefer_plug(10)  # over bays 9 and 11; 9 has no plug
    assert block.slot_centre(1, 1) == pytest.approx((101.45, 63.25))
    assert next(block.slots(40)) == YardSlot("A01", 2, 1, 1)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"id": "a.1"}, "block id 'a.1'"),
        ({"bays": 0}, "bays must be an integer from 1 to 500, got 0"),
        ({"rows": "ten"}, "rows must be an integer from 1 to 99, got 'ten'"),
        ({"tiers": True}, "tiers must be an integer from 1 to 99, got True"),
        ({"reefer_bays": frozenset({2})}, "reefer bay 2 is not an odd 20' bay from 1 to 11"),
        ({"reefer_bays": frozenset({13})}, "reefer bay 13 is not an odd 20' bay"),
        ({"slot_length_m": 0.0}, "slot_length_m must be a positive number, got 0.0"),
        ({"y_m": -1.0}, "y_m must be >= 0"),
    ],
)
def test_invalid_blocks_are_rejected(changes: dict[str, object], match: str) -> None:
    """A block with a malformed id, size or reefer bay is rejected, naming the value."""
    with pytest.raises(InvalidValue, match=match):
        dataclasses.replace(small_block(), **changes)  # type: ignore[arg-type]


# --- layout invariants -----------------------------------------------------------------------


def test_tiny_layout_is_valid() -> None:
    """The tiny layout builds; lookups and totals work."""
    layout = tiny_layout()
    assert layout.block("A01") is layout.blocks[0]
    assert layout.berth("B01").length_m == 300.0
    assert layout.yard_capacity_teu == 96
    assert layout.ground_slots_teu == 24
    assert layout.reefer_ground_slots == 4


def test_unknown_block_and_berth_are_not_found() -> None:
    """Looking up an unknown block or berth raises NotFound naming it and the known ids."""
    layout = tiny_layout()
    with pytest.raises(NotFound, match=r"no block 'Z9' .*\(blocks: A01\)"):
        layout.block("Z9")
    with pytest.raises(NotFound, match=r"no berth 'B9' .*\(berths: B01\)"):
        layout.berth("B9")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        (
            {"blocks": (small_block(), small_block(x_m=200.0))},
            "block id 'A01' is used twice",
        ),
        (
            {"agvs": (Agv("AGV01"), Agv("AGV01"))},
            "equipment id 'AGV01' is used twice",
        ),
        (
            {"agvs": (Agv("QC01"),)},
            "equipment id 'QC01' is used twice",
        ),
        (
            {"gate_lanes": (GateLane("G1", "in"), GateLane("G1", "out"))},
            "gate lane id 'G1' is used twice",
        ),
        (
            {"blocks": (small_block(), small_block("A02", x_m=105.0, y_m=80.0))},
            r"block A02 \(x 105-116.6 m, y 80-119 m\) overlaps block A01",
        ),
        (
            {"blocks": (small_block(y_m=40.0),)},
            "block A01 starts at y 40 m, inside the AGV apron",
        ),
        (
            {"yard_cranes": (YardCrane("Y1", "B9", "waterside"),)},
            r"yard crane Y1 works block 'B9', which is not in the layout \(blocks: A01\)",
        ),
        (
            {
                "yard_cranes": (
                    YardCrane("Y1", "A01", "landside"),
                    YardCrane("Y2", "A01", "landside"),
                )
            },
            "yard cranes Y1 and Y2 are both on the landside side of block A01",
        ),
        (
            {"quay_cranes": (QuayCrane("QC01", 310.0),)},
            "quay crane QC01 at 310 m is off the 300 m quay",
        ),
        (
            {"quay_cranes": (QuayCrane("QC01", 200.0), QuayCrane("QC02", 100.0))},
            "list quay cranes in rail order",
        ),
        (
            {"quay_cranes": (QuayCrane("QC01", 100.0), QuayCrane("QC02", 120.0))},
            "QC02 at 120 m is 20 m from QC01 at 100 m",
        ),
        (
            {"chargers": (Charger("CH01", 101.0, 61.0),)},
            "charger CH01 at .* is inside block A01",
        ),
    ],
)
def test_invalid_layouts_are_rejected(changes: dict[str, object], match: str) -> None:
    """A layout that breaks an invariant is rejected with a message naming the value."""
    with pytest.raises(InvalidValue, match=match):
        tiny_layout(**changes)


def test_touching_blocks_are_allowed() -> None:
    """Blocks side by side that only share an edge do not overlap."""
    layout = tiny_layout(blocks=(small_block(), small_block("A02", x_m=111.6)))
    assert [b.id for b in layout.blocks] == ["A01", "A02"]


@pytest.mark.parametrize(
    ("berths", "match"),
    [
        ((Berth("B01", 100.0, 250.0, 16.0),), r"berth B01 \(100-350 m\) runs past the end"),
        (
            (Berth("B01", 0.0, 200.0, 16.0), Berth("B02", 150.0, 150.0, 16.0)),
            r"berth B02 \(150-300 m\) overlaps berth B01 \(0-200 m\)",
        ),
        (
            (Berth("B01", 0.0, 100.0, 16.0), Berth("B01", 100.0, 100.0, 16.0)),
            "berth id 'B01' is used twice",
        ),
        ((), "needs at least one berth"),
    ],
)
def test_invalid_quays_are_rejected(berths: tuple[Berth, ...], match: str) -> None:
    """Berths must lie on the quay, not overlap, and have unique ids."""
    with pytest.raises(InvalidValue, match=match):
        Quay(300.0, berths)


@pytest.mark.parametrize("code", ["CNTA", "cntao", "CNTA0", "CNTA1", "1NTAO", "CNTAOX"])
def test_un_locode_is_checked(code: str) -> None:
    """The UN/LOCODE is 5 characters: two letters, then letters or digits 2-9."""
    with pytest.raises(InvalidLocode, match=repr(code)):
        tiny_layout(un_locode=code)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: QuayCrane("QC01", 0.0, kind="gantry"), "kind must be one of double_trolley"),  # type: ignore[arg-type]
        (lambda: GateLane("G1", "sideways"), "direction must be one of in, out, reversible"),  # type: ignore[arg-type]
        (lambda: YardCrane("Y1", "A01", "middle"), "side must be one of waterside, landside"),  # type: ignore[arg-type]
        (lambda: RailTrack("R1", 500.0, 0), "wagons must be an integer >= 1, got 0"),
        (lambda: Agv("AGV 1"), "AGV id 'AGV 1'"),
        (lambda: AgvApron(0.0, 1, 1), "width_m must be a positive number, got 0.0"),
    ],
)
def test_invalid_equipment_is_rejected(make: object, match: str) -> None:
    """Equipment with an unknown kind, side or direction, or a bad id or count, is rejected."""
    with pytest.raises(InvalidValue, match=match):
        make()  # type: ignore[operator]


# --- JSON form -------------------------------------------------------------------------------


def test_to_dict_round_trips_through_json() -> None:
    """from_dict(to_dict()) rebuilds an equal layout, also after a trip through JSON text."""
    layout = tiny_layout()
    data = layout.to_dict()
    assert TerminalLayout.from_dict(data) == layout
    text = json.dumps(data, sort_keys=True)
    again = TerminalLayout.from_dict(json.loads(text))
    assert again == layout
    assert json.dumps(again.to_dict(), sort_keys=True) == text


def test_from_dict_names_the_bad_key() -> None:
    """from_dict rejects a missing, unknown or malformed key, naming its path."""
    data = tiny_layout().to_dict()
    blocks = data["blocks"]
    assert isinstance(blocks, list)
    bad = {**data, "blocks": [{**blocks[0], "rows": "ten"}]}
    with pytest.raises(InvalidValue, match=r"layout.blocks\[0\]: block A01: rows .* got 'ten'"):
        TerminalLayout.from_dict(bad)
    del bad["apron"]
    with pytest.raises(InvalidValue, match="layout: missing key 'apron'"):
        TerminalLayout.from_dict(bad)
    with pytest.raises(InvalidValue, match="layout: unknown key"):
        TerminalLayout.from_dict({**data, "colour": "blue"})
