"""Vessel bay structure, BBBRRTT notation and the generator of vessel classes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import IllegalMove, InvalidSlot, InvalidValue, NotFound
from opentos.model.slots import DECK_TIER_MIN, BayRowTier
from opentos.model.stacking import StackArea
from opentos.model.vessel import BayPart, BaySection, HatchCover, StackSpec, VesselProfile
from opentos.model.vessel_classes import (
    REFERENCE_POINTS,
    STANDARD_CLASSES,
    standard_class,
    vessel_class,
)

CLASSES = list(STANDARD_CLASSES)


def _stack(row: int, tiers: range, **kw: object) -> StackSpec:
    return StackSpec(row, tuple(tiers), 100_000, 150_000, 20_000, **kw)  # type: ignore[arg-type]


@pytest.fixture
def tiny_vessel() -> VesselProfile:
    """A 40' bay 02 (3 rows, hold 02-04, deck 82-86, 45' on deck) and a lone 20' bay 05."""
    hold = BayPart(tuple(_stack(r, range(2, 6, 2)) for r in (0, 1, 2)))
    deck = BayPart(tuple(_stack(r, range(82, 88, 2), accepts_45=True) for r in (0, 1, 2)))
    covers = (HatchCover("02", frozenset({0, 1, 2})),)
    return VesselProfile(
        name="TINY",
        loa_m=60.0,
        beam_m=10.0,
        design_draft_m=4.0,
        max_draft_m=4.5,
        deadweight_t=1500.0,
        lightship_t=600.0,
        sections=(
            BaySection(2, (1, 3), hold, deck, 40.0, covers),
            BaySection(None, (5,), BayPart(), BayPart((_stack(0, range(82, 84, 2)),)), 30.0),
        ),
        hold_base_m=1.0,
        deck_base_m=7.0,
    )


# --- BBBRRTT notation ---------------------------------------------------------------------------


@given(st.integers(1, 999), st.integers(0, 99), st.integers(1, 99))
def test_bay_row_tier_round_trips(bay: int, row: int, tier: int) -> None:
    """Every valid bay-row-tier prints as 7 digits and parses back to itself."""
    slot = BayRowTier(bay, row, tier)
    text = str(slot)
    assert len(text) == 7
    assert BayRowTier.parse(text) == slot


@given(st.integers(1, 99), st.integers(0, 99), st.integers(1, 99))
def test_six_digit_bay_row_tier_is_read(bay: int, row: int, tier: int) -> None:
    """The older 6-digit BBRRTT form reads as the same slot and prints in 7 digits."""
    slot = BayRowTier.parse(f"{bay:02d}{row:02d}{tier:02d}")
    assert slot == BayRowTier(bay, row, tier)
    assert str(slot) == f"{bay:03d}{row:02d}{tier:02d}"


# --- the profile as a stack area ----------------------------------------------------------------


def test_profile_is_a_stack_area(tiny_vessel: VesselProfile) -> None:
    """A vessel profile satisfies the StackArea protocol and is named by its class."""
    area: StackArea = tiny_vessel
    assert area.area_id == "TINY"


def test_cells_of_20_and_40_foot_boxes(tiny_vessel: VesselProfile) -> None:
    """A 20' box fills its odd bay's cell; a 40' or 45' box both cells of its even bay."""
    assert tiny_vessel.cells(1, 2, 84, 20) == ((1, 2, 84),)
    assert tiny_vessel.cells(2, 1, 82, 40) == ((1, 1, 82), (3, 1, 82))
    assert tiny_vessel.cells(2, 1, 82, 45) == ((1, 1, 82), (3, 1, 82))
    assert tiny_vessel.cells(5, 0, 82, 20) == ((5, 0, 82),)


def test_missing_slot_is_invalid_slot_naming_it(tiny_vessel: VesselProfile) -> None:
    """A bay, row or tier the vessel lacks raises InvalidSlot naming the slot, class and limits."""
    with pytest.raises(InvalidSlot, match=r"slot 0020188 does not exist on TINY: .*tiers 82-86"):
        tiny_vessel.cells(2, 1, 88, 40)
    with pytest.raises(InvalidSlot, match=r"no row 03 on deck \(rows 00-02\)"):
        tiny_vessel.cells(1, 3, 82, 20)
    with pytest.raises(InvalidSlot, match=r"no bay 07 \(bays 01-03, 05\)"):
        tiny_vessel.cells(7, 0, 82, 20)
    with pytest.raises(InvalidSlot, match=r"no row 00 in the hold"):
        tiny_vessel.cells(5, 0, 2, 20)


def test_even_bays_reject_20_foot_boxes(tiny_vessel: VesselProfile) -> None:
    """A 20' box in an even (40') bay is an illegal move."""
    with pytest.raises(IllegalMove, match="goes in bay 01 or 03"):
        tiny_vessel.cells(2, 0, 2, 20)


def test_odd_bays_reject_40_foot_boxes(tiny_vessel: VesselProfile) -> None:
    """A 40' or 45' box in an odd (20') bay is an illegal move, also at a lone 20' bay."""
    with pytest.raises(IllegalMove, match="goes in bay 02"):
        tiny_vessel.cells(3, 0, 82, 40)
    with pytest.raises(IllegalMove, match="lone 20' bay"):
        tiny_vessel.cells(5, 0, 82, 40)


def test_45_foot_boxes_rejected_in_the_hold(tiny_vessel: VesselProfile) -> None:
    """A 45' box where the stack does not take 45' boxes is an illegal move."""
    with pytest.raises(IllegalMove, match="takes no 45' box"):
        tiny_vessel.cells(2, 0, 2, 45)


def test_below_stops_at_the_hatch_cover(tiny_vessel: VesselProfile) -> None:
    """The lowest deck tier and the lowest hold tier have nothing below; top tiers nothing above."""
    assert tiny_vessel.below((1, 0, 82)) is None
    assert tiny_vessel.below((1, 0, 2)) is None
    assert tiny_vessel.above((1, 0, 4)) is None
    assert tiny_vessel.above((1, 0, 86)) is None
    assert tiny_vessel.below((1, 0, 84)) == (1, 0, 82)
    with pytest.raises(InvalidSlot):
        tiny_vessel.below((1, 0, 6))


def test_structure_lookups(tiny_vessel: VesselProfile) -> None:
    """stack() and section_of() find odd and even bays; slots() lists every position per length."""
    assert tiny_vessel.stack(2, 1, on_deck=True).tiers == (82, 84, 86)
    assert tiny_vessel.stack(3, 1, on_deck=False).tiers == (2, 4)
    assert tiny_vessel.section_of(3).bay40 == 2
    with pytest.raises(InvalidSlot):
        tiny_vessel.section_of(4)
    with pytest.raises(InvalidSlot, match="no row 00 in the hold"):
        tiny_vessel.stack(5, 0, on_deck=False)
    assert tiny_vessel.teu_capacity == 2 * 15 + 1
    assert len(list(tiny_vessel.slots(20))) == 31
    assert len(list(tiny_vessel.slots(40))) == 15
    assert len(list(tiny_vessel.slots(45))) == 9
    assert len(list(tiny_vessel.slots())) == 46
    assert str(next(tiny_vessel.slots())) == "0010002"


def test_vcg_counts_tiers_from_hold_and_deck_base(tiny_vessel: VesselProfile) -> None:
    """A box's vertical centre is half a tier above the bottom of its tier."""
    assert tiny_vessel.vcg_m(2) == pytest.approx(1.0 + 2.591 / 2)
    assert tiny_vessel.vcg_m(84) == pytest.approx(7.0 + 1.5 * 2.591)


# --- invariants of hand-built profiles ----------------------------------------------------------


@pytest.mark.parametrize(
    "tiers",
    [(), (3, 5), (2, 6), (4, 2), (0, 2), (46, 48, 50), (96, 98, 100)],
    ids=["empty", "odd", "gap", "descending", "tier-00", "hold-and-deck", "beyond-98"],
)
def test_bad_tiers_rejected(tiers: tuple[int, ...]) -> None:
    """Stack tiers must be even, ascending in steps of 2, all hold or all deck, at most 98."""
    with pytest.raises(InvalidValue):
        StackSpec(1, tiers, 100_000, 150_000, 20_000)


def test_stack_rules_rejected() -> None:
    """Reefer tiers outside the stack, rows beyond 99 and non-positive limits are refused."""
    with pytest.raises(InvalidValue, match="reefer tiers"):
        _stack(1, range(82, 86, 2), reefer_tiers=frozenset({90}))
    with pytest.raises(InvalidValue, match="row"):
        _stack(100, range(2, 6, 2))
    with pytest.raises(InvalidValue, match="max_height_mm"):
        StackSpec(1, (2,), 1, 1, 0)


def test_duplicate_rows_rejected() -> None:
    """A bay part has one stack per row."""
    with pytest.raises(InvalidValue, match="rows 01 appear twice"):
        BayPart((_stack(1, range(2, 4, 2)), _stack(1, range(4, 8, 2))))


def test_bad_sections_rejected() -> None:
    """A 40' bay is even over its two neighbours; holds hold hold tiers; covers share rows once."""
    hold = BayPart((_stack(1, range(2, 6, 2)),))
    deck = BayPart((_stack(1, range(82, 86, 2)),))
    with pytest.raises(InvalidValue, match="must be even"):
        BaySection(3, (2, 4), hold, deck, 10.0)
    with pytest.raises(InvalidValue, match="must be even"):
        BaySection(2, (1, 5), hold, deck, 10.0)
    with pytest.raises(InvalidValue, match="lone 20' bay"):
        BaySection(None, (2,), hold, deck, 10.0)
    with pytest.raises(InvalidValue, match="not deck tiers"):
        BaySection(2, (1, 3), hold, hold, 10.0)
    with pytest.raises(InvalidValue, match="no stacks"):
        BaySection(2, (1, 3), BayPart(), BayPart(), 10.0)
    two = (HatchCover("A", frozenset({1})), HatchCover("B", frozenset({1})))
    with pytest.raises(InvalidValue, match="hatch covers"):
        BaySection(2, (1, 3), hold, deck, 10.0, two)


def test_duplicate_bays_rejected(tiny_vessel: VesselProfile) -> None:
    """No bay belongs to two sections, and sections go in bay order."""
    first = tiny_vessel.sections[0]
    with pytest.raises(InvalidValue, match="bay 01 is in bay sections 02 and 02"):
        replace(tiny_vessel, sections=(first, first))
    overlapping = replace(first, bay40=4, bays20=(3, 5))
    with pytest.raises(InvalidValue, match="bay 03 is in bay sections 02 and 04"):
        replace(tiny_vessel, sections=(first, overlapping))
    with pytest.raises(InvalidValue, match="bay order"):
        replace(tiny_vessel, sections=tuple(reversed(tiny_vessel.sections)))


def test_bad_dimensions_rejected(tiny_vessel: VesselProfile) -> None:
    """Main dimensions are positive, the maximum draft is not below the design draft."""
    with pytest.raises(InvalidValue, match="max_draft_m"):
        replace(tiny_vessel, max_draft_m=3.0)
    with pytest.raises(InvalidValue, match="beam_m"):
        replace(tiny_vessel, beam_m=0.0)
    with pytest.raises(InvalidValue, match="deck_base_tier"):
        replace(tiny_vessel, deck_base_tier=84)


def test_from_dict_names_the_bad_key(tiny_vessel: VesselProfile) -> None:
    """A malformed plain form is refused with the key path of the bad value."""
    data = tiny_vessel.to_dict()
    sections = data["sections"]
    assert isinstance(sections, list)
    assert isinstance(sections[0], dict)
    deck = sections[0]["deck"]
    assert isinstance(deck, list)
    assert isinstance(deck[0], dict)
    deck[0]["tiers"] = ["82"]
    with pytest.raises(InvalidValue, match=r"sections\[0\]\.deck\[0\]\.tiers"):
        VesselProfile.from_dict(data)
    del data["name"]
    with pytest.raises(InvalidValue, match="missing key 'name'"):
        VesselProfile.from_dict(data)


def test_tiny_profile_round_trips_through_json(tiny_vessel: VesselProfile) -> None:
    """to_dict/from_dict round-trip exactly through JSON, lone 20' bays and open hatches too."""
    assert VesselProfile.from_dict(json.loads(json.dumps(tiny_vessel.to_dict()))) == tiny_vessel


# --- generated classes --------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSES)
def test_standard_class_capacity_near_nominal(name: str) -> None:
    """Every standard class holds its nominal TEU within 5 %."""
    vessel = standard_class(name)
    assert vessel.name == name
    assert abs(vessel.teu_capacity - STANDARD_CLASSES[name]) <= 0.05 * STANDARD_CLASSES[name]


@pytest.mark.parametrize("name", CLASSES)
def test_row_numbering(name: str) -> None:
    """Row 00 only with an odd row count; odd rows to starboard, even to port, mirrored."""
    vessel = standard_class(name)
    across = vessel.rows_on_deck
    full = set(range(across)) if across % 2 else set(range(1, across + 1))
    for section in vessel.sections:
        for part in (section.hold, section.deck):
            assert part.rows <= full
            tcg = {s.row: s.tcg_m for s in part.stacks}
            for row, y in tcg.items():
                assert (y > 0) if row % 2 else (y < 0) if row else (y == 0)
                mirror = row + 1 if row % 2 else row - 1
                if row and mirror in tcg:
                    assert tcg[mirror] == -y
    assert max(len(s.deck.rows) for s in vessel.sections) == len(full)
    assert {r for s in vessel.sections for r in s.deck.rows} == full


@pytest.mark.parametrize("name", CLASSES)
def test_tiers_contiguous_hold_below_deck(name: str) -> None:
    """Tiers are contiguous even numbers; hold tiers are below 50, deck tiers from 50 up."""
    vessel = standard_class(name)
    for section in vessel.sections:
        for part, on_deck in ((section.hold, False), (section.deck, True)):
            for stack in part.stacks:
                t = stack.tiers
                assert t == tuple(range(t[0], t[-1] + 1, 2))
                assert t[0] % 2 == 0
                assert all((tier >= DECK_TIER_MIN) == on_deck for tier in t)
                assert t[-1] <= 98
                assert stack.accepts_45 == (on_deck and section.bay40 is not None)


@pytest.mark.parametrize("name", CLASSES)
def test_every_slot_takes_its_length(name: str) -> None:
    """Every position slots() lists is accepted by cells() with 1 cell (20') or 2 (40', 45')."""
    vessel = standard_class(name)
    for length in (20, 40, 45):
        count = 0
        for slot in vessel.slots(length):
            cells = vessel.cells(slot.bay, slot.row, slot.tier, length)
            assert len(cells) == (1 if length == 20 else 2)
            assert all(bay % 2 == 1 and (r, t) == (slot.row, slot.tier) for bay, r, t in cells)
            count += 1
        if length == 20:
            assert count == vessel.teu_capacity
    for slot in vessel.slots(20):
        with pytest.raises(IllegalMove):
            vessel.cells(slot.bay, slot.row, slot.tier, 40)
    for slot in vessel.slots(40):
        with pytest.raises(IllegalMove):
            vessel.cells(slot.bay, slot.row, slot.tier, 20)
        if not slot.on_deck:
            with pytest.raises(IllegalMove):
                vessel.cells(slot.bay, slot.row, slot.tier, 45)


@pytest.mark.parametrize("name", CLASSES)
def test_below_and_above_are_inverse(name: str) -> None:
    """below(above(c)) == c and above(below(c)) == c; each stack has one bottom and one top."""
    vessel = standard_class(name)
    bottoms = tops = 0
    for slot in vessel.slots(20):
        cell = (slot.bay, slot.row, slot.tier)
        up, down = vessel.above(cell), vessel.below(cell)
        if up is None:
            tops += 1
        else:
            assert vessel.below(up) == cell
            assert up[2] == cell[2] + 2
        if down is None:
            bottoms += 1
            assert cell[2] == vessel.stack(slot.bay, slot.row, slot.on_deck).tiers[0]
        else:
            assert vessel.above(down) == cell
    stacks = sum(len(s.bays20) * (len(s.hold.stacks) + len(s.deck.stacks)) for s in vessel.sections)
    assert bottoms == tops == stacks


@pytest.mark.parametrize("name", CLASSES)
def test_profile_round_trips_through_json(name: str) -> None:
    """to_dict/from_dict round-trip a generated class exactly through JSON."""
    vessel = standard_class(name)
    data = json.loads(json.dumps(vessel.to_dict()))
    assert data == vessel.to_dict()
    again = VesselProfile.from_dict(data)
    assert again == vessel
    assert list(again.slots()) == list(vessel.slots())


@pytest.mark.parametrize("name", CLASSES)
def test_reefer_plugs_hatch_covers_and_layout(name: str) -> None:
    """About 10 % of the cells have a plug; covers suit the width; bays go bow to stern."""
    vessel = standard_class(name)
    assert 0.08 <= vessel.reefer_plugs / vessel.teu_capacity <= 0.12
    covers = {len(s.hatch_covers) for s in vessel.sections}
    assert covers == (
        {1} if vessel.rows_on_deck <= 10 else {2} if vessel.rows_on_deck == 12 else {3}
    )
    lcgs = [s.lcg_m for s in vessel.sections]
    assert lcgs == sorted(lcgs, reverse=True)
    assert 0 < lcgs[-1] < lcgs[0] < vessel.loa_m
    assert vessel.hold_base_m < vessel.vcg_m(2) < vessel.deck_base_m < vessel.vcg_m(92)


@pytest.mark.parametrize("name", CLASSES)
def test_ends_are_tapered(name: str) -> None:
    """Bay 01 is a lone 20' bay; the bow bays and the aft-most hold are smaller than midship."""
    sections = standard_class(name).sections
    middle = sections[len(sections) // 2]
    assert sections[0].teu < middle.teu
    assert sections[0].bay40 is None
    assert sections[0].bays20 == (1,)
    assert sections[1].bays == (3, 4, 5)
    for bow in sections[:2]:
        assert bow.hold.cell_count < middle.hold.cell_count
        assert bow.deck.cell_count < middle.deck.cell_count
    assert sections[-1].hold.cell_count < middle.hold.cell_count


def test_standard_classes_follow_the_reference_table() -> None:
    """A standard class has the rows and tiers of its reference point."""
    for point in REFERENCE_POINTS:
        vessel = vessel_class(point.teu)
        assert vessel.rows_on_deck == point.rows_deck
        assert vessel.rows_in_hold == point.rows_deck - 2
        assert vessel.tiers_in_hold == point.tiers_hold
        assert vessel.tiers_on_deck == point.tiers_deck
        assert (vessel.loa_m, vessel.beam_m) == (point.loa_m, point.beam_m)


def test_capacity_monotone_in_requested_teu() -> None:
    """Capacity and rows never fall as the requested TEU rises over 1,000-24,000."""
    previous = (0, 0)
    for teu in sorted({*range(1000, 2001, 111), *range(2000, 24001, 500), 1001, 23999}):
        vessel = vessel_class(teu)
        assert teu <= vessel.teu_capacity <= teu + 1
        figures = (vessel.teu_capacity, vessel.rows_on_deck)
        assert figures[0] >= previous[0]
        assert figures[1] >= previous[1]
        previous = figures


def test_generator_is_deterministic() -> None:
    """The same TEU gives the same sections, built twice."""
    assert vessel_class(7321, name="a").sections == vessel_class(7321, name="b").sections


def test_generator_rejects_capacity_out_of_range() -> None:
    """TEU outside 1,000-24,000 is refused."""
    for teu in (999, 24001, 0):
        with pytest.raises(InvalidValue, match=f"teu {teu}"):
            vessel_class(teu)


def test_unknown_standard_class_lists_the_names() -> None:
    """An unknown class name raises NotFound listing the standard names."""
    with pytest.raises(NotFound, match=r"feeder-1000, feeder-2500, .* ulcv-24000"):
        standard_class("ulcv-30000")
    assert standard_class(" ULCV-24000 ").name == "ulcv-24000"


def test_example_message_on_ulcv() -> None:
    """A deck tier above the stack names the slot, the class and the stack's tiers."""
    vessel = standard_class("ulcv-24000")
    message = "slot 0120394 does not exist on ulcv-24000: row 03 on deck of bay 12 has tiers 72-92"
    with pytest.raises(InvalidSlot, match=message):
        vessel.cells(12, 3, 94, 40)
    assert vessel.cells(12, 3, 92, 40) == ((11, 3, 92), (13, 3, 92))
