"""The stowage plan validator: every hard rule of docs/stowage.md caught, every measure counted."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.model.container import Container, DangerousGoods, FullEmpty, OutOfGauge
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.slots import BayRowTier
from opentos.model.vessel_classes import vessel_class
from opentos.planning.stowage.problem import (
    NO_ROOM,
    NO_VGM,
    StabilityLimits,
    StowagePlan,
    StowageProblem,
    Stowed,
    weight_kg,
)
from opentos.planning.stowage.rules import segregation_code
from opentos.planning.stowage.validate import StowageReport, validate_stowage

PROFILE = vessel_class(1000)
"""The feeder: bay 01, then sections 04 (03, 05), 08 (07, 09) ... 32 (31, 33); one cover each."""
HERE = UnLocode.parse("NLRTM")
FIRST, SECOND, THIRD = "DEHAM", "GBFXT", "BEANR"
"""The rotation: discharge orders 0, 1 and 2."""
ROTATION = tuple(UnLocode.parse(p) for p in (FIRST, SECOND, THIRD))

_serials = itertools.count(1)


def box(
    iso: str = "22G1",
    pod: str = FIRST,
    t: float = 10.0,
    *,
    vgm: bool = True,
    dg: Sequence[str] = (),
    oog: OutOfGauge | None = None,
) -> Container:
    """A full box of ``t`` tonnes (VGM and gross mass alike, unless ``vgm`` is False)."""
    kg = round(t * 1000)
    un = {"1.1D": 81, "2.2": 1066, "3": 1203, "5.1": 1942, "6.2": 2814, "9": 3082}
    return Container(
        ContainerNumber.from_parts("TST", "U", next(_serials)),
        SizeType.parse(iso),
        "TST",
        FullEmpty.FULL,
        gross_weight_kg=kg,
        vgm_kg=kg if vgm else None,
        port_of_discharge=UnLocode.parse(pod),
        dangerous_goods=tuple(DangerousGoods(c, un[c]) for c in dg),
        oog=oog,
    )


# --- the base case: a valid plan whose measures are worked out by hand ----------------------------
# Section 16 (bays 15, 17), hold: R1 (first port) under R2 (second port) in row 00, a 40' stack;
# D1 and D2 in row 01 are discharged here. Deck: R3 (third port, gross mass only) in row 00.
# Loads: L1 on R2; L2, L3 into the cells D1 left; L4 on R3 on deck. Section 20 hold, row 00 of
# bay 19: L5 (first port) under L6 (third) under L7 (second). L8 has no VGM, L9 finds no room.

R1 = box("42G1", FIRST, 15)
R2 = box("42G1", SECOND, 12)
R3 = box("42G1", THIRD, 8, vgm=False)
D1 = box("22G1", str(HERE), 10)
D2 = box("22G1", str(HERE), 10)
ON_BOARD = (
    Stowed(R1, BayRowTier.parse("0160002")),
    Stowed(R2, BayRowTier.parse("0160004")),
    Stowed(D1, BayRowTier.parse("0150102")),
    Stowed(D2, BayRowTier.parse("0170102")),
    Stowed(R3, BayRowTier.parse("0160082")),
)
L1 = box("42G1", FIRST, 20)
L2 = box("22G1", THIRD, 9)
L3 = box("22G1", SECOND, 10)
L4 = box("42G1", SECOND, 7)
L5 = box("22G1", FIRST, 12)
L6 = box("22G1", THIRD, 11)
L7 = box("22G1", SECOND, 10)
L8 = box("22G1", FIRST, 10, vgm=False)
L9 = box("22G1", FIRST, 10)
LOAD = (L1, L2, L3, L4, L5, L6, L7, L8, L9)
PLACEMENTS = (
    (L1, "0160006"),
    (L2, "0150102"),
    (L3, "0150104"),
    (L4, "0160084"),
    (L5, "0190002"),
    (L6, "0190004"),
    (L7, "0190006"),
)
REFUSED = ((L8.number, NO_VGM), (L9.number, NO_ROOM))


def make(
    extra: Sequence[tuple[Container, str]] = (),
    *,
    placements: Sequence[tuple[Container, str]] = PLACEMENTS,
    refused: Sequence[tuple[ContainerNumber, str]] = REFUSED,
    limits: StabilityLimits | None = None,
    ballast: Sequence[tuple[str, float]] = (),
) -> tuple[StowageProblem, StowagePlan]:
    """The base problem and plan, with ``extra`` boxes added to the load list and placed."""
    problem = StowageProblem(
        PROFILE,
        HERE,
        ROTATION,
        ON_BOARD,
        (*LOAD, *(c for c, _ in extra)),
        limits if limits is not None else StabilityLimits(),
    )
    plan = StowagePlan(
        tuple((c.number, BayRowTier.parse(s)) for c, s in (*placements, *extra)),
        tuple(refused),
        tuple(ballast),
    )
    return problem, plan


def check(
    extra: Sequence[tuple[Container, str]] = (),
    *,
    placements: Sequence[tuple[Container, str]] = PLACEMENTS,
    refused: Sequence[tuple[ContainerNumber, str]] = REFUSED,
    limits: StabilityLimits | None = None,
    ballast: Sequence[tuple[str, float]] = (),
) -> StowageReport:
    """Validate the base case changed as :func:`make` says."""
    problem, plan = make(
        extra, placements=placements, refused=refused, limits=limits, ballast=ballast
    )
    return validate_stowage(problem, plan)


def only(report: StowageReport, *needles: str) -> str:
    """The one violation of ``report``, checked to contain every needle."""
    assert len(report.violations) == 1, report.violations
    message = report.violations[0]
    for needle in needles:
        assert needle in message, message
    return message


def test_valid_plan_and_its_measures() -> None:
    """The base plan keeps every hard rule; its measures are those worked out by hand."""
    report = check()
    assert report.ok, report.violations
    assert (report.placed, report.refused_no_vgm, report.refused_no_room) == (7, 1, 1)
    assert report.overstows == 3  # R2 on R1; L6 on L5; L7 on L5
    assert report.overstow_bound == 1  # R2 on R1
    assert report.hatch_cover_restows == 2  # R3 and L4 on cover 16 over R1 and L1 (first port)
    assert report.hatch_openings == 6  # cover 16 and cover 20: three ports each
    assert report.max_section_moves == 6  # section 16: D1, D2 out; L1-L4 in
    assert report.mean_section_moves == pytest.approx(9 / len(PROFILE.sections))
    assert report.weight_inversions == 1  # L1 (20 t) on R2 (12 t); L3 on L2 is exactly 1 t more
    assert report.condition.cargo_t == pytest.approx(15 + 12 + 8 + 20 + 9 + 10 + 7 + 12 + 11 + 10)


def test_no_loads_overstows_equal_the_bound() -> None:
    """With everything refused, the overstows are the on-board ones: the bound."""
    refused = tuple((c.number, NO_VGM if c.vgm_kg is None else NO_ROOM) for c in LOAD)
    report = check(placements=(), refused=refused)
    assert report.ok, report.violations
    assert report.overstows == report.overstow_bound == 1
    assert report.placed == 0
    assert (report.refused_no_vgm, report.refused_no_room) == (1, 8)
    assert report.max_section_moves == 2


# --- rule 1: the whole load list ----------------------------------------------------------------


def test_missing_box() -> None:
    """A load-list box neither placed nor refused is a violation."""
    report = check(refused=REFUSED[:1])
    only(report, str(L9.number), "neither placed nor refused")
    assert report.refused_no_room == 1


def test_double_placement() -> None:
    """A box placed twice is a violation naming both slots."""
    report = check(placements=(*PLACEMENTS, (L5, "0210002")))
    only(report, str(L5.number), "placed twice", "0190002", "0210002")


def test_unknown_box() -> None:
    """A placement of a box that is not on the load list is a violation."""
    stranger = box()
    problem, plan = make()
    plan = StowagePlan(
        (*plan.placements, (stranger.number, BayRowTier.parse("0210002"))), plan.refused
    )
    only(validate_stowage(problem, plan), str(stranger.number), "neither on the load list")


@pytest.mark.parametrize(
    ("refused", "needles"),
    [
        pytest.param(((L8.number, NO_VGM), (L9.number, NO_VGM)), ["has a VGM"], id="no VGM, has"),
        pytest.param(
            ((L8.number, NO_ROOM), (L9.number, NO_ROOM)), ["no VGM"], id="no room, no VGM"
        ),
        pytest.param(((L8.number, NO_VGM), (L9.number, "too heavy")), ["'too heavy'"], id="reason"),
        pytest.param((*REFUSED, (L9.number, NO_ROOM)), ["refused twice"], id="twice"),
    ],
)
def test_wrong_refusal(
    refused: tuple[tuple[ContainerNumber, str], ...], needles: list[str]
) -> None:
    """Refused for "no VGM" exactly when there is no VGM; one known reason, once."""
    report = check(refused=refused)
    number = L8.number if "no VGM" in needles else L9.number
    only(report, str(number), *needles)


def test_refused_unknown_box() -> None:
    """Refusing a box that is not on the load list is a violation."""
    stranger = box()
    only(check(refused=(*REFUSED, (stranger.number, NO_ROOM))), str(stranger.number), "not on")


def test_placed_and_refused() -> None:
    """A box both placed and refused is a violation."""
    report = check(placements=(*PLACEMENTS, (L9, "0210002")))
    only(report, str(L9.number), "both placed", "0210002")


def test_box_without_vgm_placed() -> None:
    """A box without VGM is never loaded."""
    only(check(placements=(*PLACEMENTS, (L8, "0210002")), refused=REFUSED[1:]), str(L8.number))


# --- rule 2: slot capability --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iso", "slot", "needle"),
    [
        ("22G1", "0200082", "cannot take a 20' box"),
        ("42G1", "0210082", "cannot take a 40' box"),
        ("42G1", "0010082", "lone 20' bay"),
        ("L5G1", "0200002", "takes no 45' box"),
        ("22G1", "0990082", "does not exist"),
        ("22G1", "0150502", "does not exist"),
        ("22G1", "0219082", "does not exist"),
    ],
)
def test_slot_must_exist_and_take_the_length(iso: str, slot: str, needle: str) -> None:
    """A slot that does not exist or does not take the length is reported, not raised."""
    extra = box(iso)
    only(check([(extra, slot)]), str(extra.number), slot, needle)


def test_45_on_deck_is_fine() -> None:
    """A 45' box goes where the stack accepts 45' boxes (deck of a 40' section)."""
    assert check([(box("L5G1"), "0200082")]).ok


def test_reefer_needs_a_plug() -> None:
    """A reefer stands in a reefer tier of its stack."""
    reefer = box("22R1")
    only(check([(reefer, "0210002")]), str(reefer.number), "0210002", "no reefer plugs")
    assert check([(box("22R1"), "0210082")]).ok
    high = box("22R1")
    only(
        check([(box(), "0210082"), (high, "0210084")]),
        str(high.number),
        "tier(s) 82 only",
    )


def test_oog_on_deck_only() -> None:
    """An out-of-gauge box stands on deck."""
    rack = box("42P1", oog=OutOfGauge(over_height_mm=300))
    only(check([(rack, "0240002")]), str(rack.number), "in the hold")
    assert check([(box("42P1", oog=OutOfGauge(over_height_mm=300)), "0200082")]).ok


def test_oog_nothing_above() -> None:
    """Nothing stands above an out-of-gauge box, a 20' on part of a 40' rack included."""
    rack = box("42P1", oog=OutOfGauge(over_height_mm=300))
    top = box("42G1")
    only(check([(rack, "0200082"), (top, "0200084")]), str(rack.number), str(top.number), "above")
    rack = box("42P1", oog=OutOfGauge(over_height_mm=300))
    top = box("22G1")
    # The 20' on a 40' box also breaks rule 3, so two violations.
    report = check([(rack, "0200082"), (top, "0210084")])
    assert len(report.violations) == 2, report.violations
    assert any(
        str(rack.number) in v and str(top.number) in v and "above" in v for v in report.violations
    )


def test_oog_over_width_neighbours() -> None:
    """An over-width box has the cells beside it, at its tier, in both next rows empty."""
    for side in ("0200282", "0210182"):  # row 02 (port of 00), a 20' in row 01 (starboard)
        rack = box("42P1", oog=OutOfGauge(over_left_mm=200))
        other = box("22G1" if side.startswith("021") else "42G1")
        only(
            check([(rack, "0200082"), (other, side)]), str(rack.number), str(other.number), "beside"
        )
    rack = box("42P1", oog=OutOfGauge(over_right_mm=200))
    assert check([(rack, "0200082"), (box("42G1"), "0200482")]).ok  # row 04 is not next to 00
    rack = box("42P1", oog=OutOfGauge(over_right_mm=200))
    below = [(box("42G1"), "0200082"), (box("42G1"), "0200282"), (box("42G1"), "0200182")]
    assert check([*below, (rack, "0200084")]).ok  # the neighbours are one tier lower


# --- rule 1 and 3: cells and stacking -----------------------------------------------------------


def test_two_in_one_cell() -> None:
    """No cell is taken twice, by a loaded box or by a remaining one; a discharged one is gone."""
    extra = box()
    only(check([(extra, "0190002")]), str(extra.number), str(L5.number), "0190002")
    long = box("42G1")
    only(check([(long, "0160082")]), str(long.number), str(R3.number), "both take cell")
    short = box()
    only(check([(box("42G1"), "0200082"), (short, "0210082")]), str(short.number), "0210082")


def test_floating() -> None:
    """Every cell of a box has a box under it, or is the bottom of its stack."""
    extra = box()
    only(check([(extra, "0210006")]), str(extra.number), "floats", "0210004")
    long = box("42G1")
    only(check([(box(), "0190082"), (long, "0200084")]), str(long.number), "floats", "0210082")
    assert check([(box(), "0190082"), (box(), "0210082"), (box("42G1"), "0200084")]).ok


def test_twenty_on_forty() -> None:
    """No 20' box stands on a 40' or 45' box."""
    extra = box()
    only(check([(extra, "0150086")]), str(extra.number), str(L4.number), "stands on the 40'")
    long = box("L5G1")
    short = box()
    only(check([(long, "0200082"), (short, "0190084")]), str(short.number), "45'")


def test_forty_on_forty_five() -> None:
    """No 40' box stands on a 45' box (the ledger's rule); a 45' on a 40' is fine."""
    long, forty = box("L5G1"), box("42G1")
    only(check([(long, "0200082"), (forty, "0200084")]), str(forty.number), "on the 45'")
    assert check([(box("42G1"), "0200082"), (box("L5G1"), "0200084")]).ok


# --- rules 4 and 5: stack weight and height -----------------------------------------------------


def test_stack_weight_20() -> None:
    """In one 20' bay, its 20' boxes plus half the 40'/45' boxes weigh at most the 20' limit."""
    heavy = [box("22G1", t=21) for _ in range(3)]  # 63 t over the deck's 60 t
    report = check([(c, f"02100{tier}") for c, tier in zip(heavy, (82, 84, 86), strict=True)])
    only(report, "20' limit", "60,000", "63,000", *(str(c.number) for c in heavy))
    # 2 x 24 t in bay 23, 2 x 5 t in bay 25, a 30 t 40' on top: bay 23 carries 63 t, the
    # row 88 t (under the 40' limit of 90 t).
    a, b, c, d = box(t=24), box(t=24), box(t=5), box(t=5)
    top = box("42G1", t=30)
    extra = [(a, "0230082"), (b, "0230084"), (c, "0250082"), (d, "0250084"), (top, "0240086")]
    only(check(extra), "bay 23", "63,000 kg", "20' limit", str(a.number), str(top.number))
    assert check([(box(t=20), "0210082"), (box(t=20), "0210084"), (box(t=20), "0210086")]).ok


def test_stack_weight_40() -> None:
    """A row and part with 40' boxes weighs at most the 40' limit in all."""
    boxes = [box("42G1", t=24) for _ in range(4)]  # 96 t over 90 t; 48 t per 20' bay
    report = check([(c, f"02400{t}") for c, t in zip(boxes, (82, 84, 86, 88), strict=True)])
    only(report, "40' limit", "96,000", "90,000", *(str(c.number) for c in boxes))
    ok = [box("42G1", t=22.5) for _ in range(4)]
    assert check([(c, f"02400{t}") for c, t in zip(ok, (82, 84, 86, 88), strict=True)]).ok


def test_stack_height() -> None:
    """The heights in a 20' column add up to at most the stack's limit (hold: 5 tiers + 610 mm)."""
    tiers = ("02", "04", "06", "08", "10")
    # 3 x 2,895 + 2 x 2,591 = 13,867 mm, over 13,565 mm
    over = [box("25G1") for _ in range(3)] + [box() for _ in range(2)]
    report = check([(c, f"02100{t}") for c, t in zip(over, tiers, strict=True)])
    only(report, "stack height", "13,867", "13,565", "bay 21")
    fits = [box("25G1"), box("25G1"), box(), box(), box()]  # 13,563 mm
    assert check([(c, f"02100{t}") for c, t in zip(fits, tiers, strict=True)]).ok


def test_stack_height_of_forty_counts_in_both_columns() -> None:
    """A 40' box takes a cell of two 20' columns and counts in both."""
    tiers = ("02", "04", "06", "08", "10")
    boxes = [box("45G1") for _ in range(3)] + [box("42G1"), box("42G1")]
    report = check([(c, f"02400{t}") for c, t in zip(boxes, tiers, strict=True)])
    # Section 24 hold row 00 has 5 tiers; both bays 23 and 25 are over.
    assert len(report.violations) == 2, report.violations
    assert "bay 23" in report.violations[0]
    assert "bay 25" in report.violations[1]


# --- rule 6: IMDG segregation -------------------------------------------------------------------

# Class 3 against: 2.2 "away from" (1), 5.1 "separated from" (2), 6.2 "separated by a complete
# compartment or hold from" (3), 1.1 "separated longitudinally by an intervening complete
# compartment or hold from" (4). Sections 20 (bays 19, 21), 24 (23, 25), 28 (27, 29).
IMDG_CASES = [
    # code 1: same part needs a cell between along some axis; different parts always do
    ("2.2", "0190082", "0190282", [], False),  # dy 1
    ("2.2", "0190082", "0190482", [], True),  # dy 2
    ("2.2", "0190082", "0190084", [], False),  # dz 1
    ("2.2", "0190082", "0190086", ["0190084"], True),  # dz 2
    ("2.2", "0210082", "0230082", [], False),  # dx 1 across two sections
    ("2.2", "0210082", "0250082", [], True),  # dx 2
    ("2.2", "0210082", "0210002", [], True),  # hold and deck
    # code 2
    ("5.1", "0190082", "0190282", [], False),  # same section and part, dy 1
    ("5.1", "0190082", "0190482", [], True),  # dy 2
    ("5.1", "0210082", "0210002", [], False),  # same section, hold and deck, same row
    ("5.1", "0210082", "0210102", [], True),  # same section, hold and deck, other row
    ("5.1", "0210082", "0230082", [], True),  # other section, dx 1
    # code 3
    ("6.2", "0190082", "0210882", [], False),  # same section, far apart
    ("6.2", "0210082", "0230082", [], True),  # next section
    # code 4
    ("1.1D", "0190082", "0230082", [], False),  # next section
    ("1.1D", "0190082", "0270082", [], True),  # one whole section between
    ("1.1D", "0200082", "0240002", [], False),  # 40' boxes, next section
]


@pytest.mark.parametrize(("other", "slot_a", "slot_b", "fill", "ok"), IMDG_CASES)
def test_imdg_segregation(other: str, slot_a: str, slot_b: str, fill: list[str], ok: bool) -> None:
    """Each segregation code against a too-small and a big-enough distance."""
    length = "42G1" if slot_a[2] in "02468" else "22G1"
    a = box(length, dg=["3"])
    b = box("42G1" if slot_b[2] in "02468" else "22G1", dg=[other])
    report = check([(a, slot_a), (b, slot_b), *((box(), s) for s in fill)])
    if ok:
        assert report.ok, report.violations
    else:
        only(report, "IMDG", str(a.number), str(b.number), slot_a, slot_b)


def test_imdg_class_9_needs_nothing() -> None:
    """Class 9 needs no segregation, even side by side."""
    a, b = box(dg=["3"]), box(dg=["9"])
    assert check([(a, "0190082"), (b, "0190182")]).ok


# --- rule 7: stability --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "needle"),
    [
        (StabilityLimits(min_gm_m=50.0), "GM"),
        (StabilityLimits(max_trim_m=0.1), "trim"),
        (StabilityLimits(max_list_deg=0.001), "list"),
    ],
)
def test_stability_limits(limits: StabilityLimits, needle: str) -> None:
    """The loaded condition keeps the problem's limits."""
    only(check(limits=limits), "stability", needle)


def test_heavy_lopsided_load_lists_the_ship() -> None:
    """Heavy boxes in the starboard outer rows list the ship beyond 1 degree."""
    extra = [
        (box("42G1", t=22.5), f"{bay:03d}{row:02d}{tier}")
        for bay in (20, 24)
        for row in (5, 7)
        for tier in (82, 84, 86, 88)
    ]
    report = check(extra)
    only(report, "stability", "list")
    assert report.condition.list_deg > 1.0


# --- restows ------------------------------------------------------------------------------------
# Section 28, hold row 00 of bay 29: D3 (discharged here) under R4 (second port, 14 t) under R5
# (first port): R4 and R5 come off and are placed again, on the load L10 (third port, 10 t).

D3 = box("22G1", str(HERE), 10)
R4 = box("22G1", SECOND, 14)
R5 = box("22G1", FIRST, 10)
L10 = box("22G1", THIRD, 10)


def restow_case(
    placements: Sequence[tuple[Container, str]] = (
        (L10, "0290002"),
        (R4, "0290004"),
        (R5, "0290006"),
    ),
    refused: Sequence[tuple[ContainerNumber, str]] = (),
) -> StowageReport:
    """Validate the restow case with the given placements and refusals."""
    on_board = tuple(
        Stowed(c, BayRowTier.parse(s))
        for c, s in ((D3, "0290002"), (R4, "0290004"), (R5, "0290006"))
    )
    problem = StowageProblem(PROFILE, HERE, ROTATION, on_board, (L10,))
    plan = StowagePlan(
        tuple((c.number, BayRowTier.parse(s)) for c, s in placements), tuple(refused)
    )
    return validate_stowage(problem, plan)


def test_restows_placed_again() -> None:
    """Boxes above a box discharged here are placed again; they count as moves twice."""
    report = restow_case()
    assert report.ok, report.violations
    assert report.placed == 1  # the load list only
    assert report.max_section_moves == 6  # D3, R4, R5 off; L10, R4, R5 on
    assert report.mean_section_moves == pytest.approx(6 / len(PROFILE.sections))
    assert report.weight_inversions == 1  # R4 (14 t) on L10 (10 t)
    assert (report.overstows, report.overstow_bound) == (0, 0)
    assert report.hatch_openings == 3


def test_restow_must_be_placed() -> None:
    """A restow that is not placed again is a violation."""
    report = restow_case(placements=((L10, "0290002"), (R4, "0290004")))
    only(report, str(R5.number), "restow", "not placed again")


def test_restow_cannot_be_refused() -> None:
    """A restow cannot be refused."""
    report = restow_case(refused=((R5.number, NO_ROOM),))
    only(report, str(R5.number), "cannot be refused")


def test_restow_left_in_place_floats() -> None:
    """A restow is not where it was: the cell of the discharged box under it is empty."""
    report = restow_case(placements=((R4, "0290004"), (R5, "0290006"), (L10, "0270002")))
    only(report, str(R4.number), "floats", "0290002")


# --- ballast ------------------------------------------------------------------------------------


def test_ballast_trims_the_ship() -> None:
    """The plan's ballast counts in the condition: forward ballast takes the stern trim off."""
    limits = StabilityLimits(max_trim_m=1.0)
    only(check(limits=limits), "stability", "trim")
    report = check(limits=limits, ballast=(("fwd", 400.0),))
    assert report.ok, report.violations
    assert report.condition.ballast_t == pytest.approx(400.0)


@pytest.mark.parametrize(
    ("ballast", "needle"),
    [
        ((("bow", 10.0),), "'bow' is not one of"),
        ((("aft", -1.0),), "not within"),
        ((("aft", 5_000.0),), "not within"),
        ((("aft", 10.0), ("aft", 20.0)), "given twice"),
    ],
)
def test_ballast_must_be_valid(ballast: tuple[tuple[str, float], ...], needle: str) -> None:
    """Each tank group is known, given once and within its capacity."""
    only(check(ballast=ballast), "ballast", needle)


# --- properties ---------------------------------------------------------------------------------

_ALLOWED = ("stack weight", "stack height", "reefer", "IMDG", "stability")
"""What a plan built by stacking boxes bottom-up can still break."""
_NUMBER = re.compile(r"[A-Z]{3}U\d{7}")
_FIGURES = re.compile(r"(?:carries|is) ([\d,.]+) (?:kg|mm).*limit of ([\d,]+)")


def assert_real(message: str, boxes: dict[str, Stowed]) -> None:
    """The problem ``message`` reports is there: figures recomputed from the boxes it names."""
    named = [boxes[n] for n in _NUMBER.findall(message)]
    if message.startswith("reefer"):
        s = named[0]
        spec = PROFILE.stack(s.slot.bay, s.slot.row, s.slot.on_deck)
        assert s.container.is_reefer
        assert s.slot.tier not in spec.reefer_tiers
    elif message.startswith("IMDG"):
        assert segregation_code(named[0].container, named[1].container) > 0
    elif message.startswith("stack"):
        m = _FIGURES.search(message)
        assert m is not None, message
        total, limit = (float(x.replace(",", "")) for x in m.groups())
        figure: float
        if "height" in message:
            figure = sum(s.container.iso_type.height_mm for s in named)
        elif "20' limit" in message:
            figure = sum(weight_kg(s.container) / (1 if s.slot.bay % 2 else 2) for s in named)
        else:
            figure = sum(weight_kg(s.container) for s in named)
        assert figure == pytest.approx(total), message
        assert total > limit, message


@st.composite
def stacked(draw: st.DrawFn) -> tuple[StowageProblem, StowagePlan]:
    """Random boxes stacked bottom-up in random stacks: on board first, then the load list."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    sections = [PROFILE.section_of(16), PROFILE.section_of(20)]  # few stacks: tall ones
    top: dict[tuple[int, int, bool], int] = {}  # next free tier index per 20' column
    long_top: set[tuple[int, int, bool]] = set()  # columns topped by a 40'/45' box
    on_board: list[Stowed] = []
    load: list[Container] = []
    placements: list[tuple[ContainerNumber, BayRowTier]] = []
    boxes = draw(st.integers(1, 40))
    for i in range(boxes):
        section = rng.choice(sections)
        on_deck = rng.random() < 0.5
        spec = rng.choice((section.deck if on_deck else section.hold).stacks[:3])
        bays = section.bays20
        long = rng.random() < 0.5
        heights = [top.get((b, spec.row, on_deck), 0) for b in bays]
        if long and heights[0] == heights[1] and heights[0] < len(spec.tiers):
            iso, bay, level = rng.choice(("42G1", "45G1", "42R1")), section.bay, heights[0]
            used = bays
        else:
            j = rng.randrange(2)
            if heights[j] >= len(spec.tiers) or (bays[j], spec.row, on_deck) in long_top:
                continue
            iso, bay, level, used = (
                rng.choice(("22G1", "25G1", "22R1")),
                bays[j],
                heights[j],
                (bays[j],),
            )
        pod = rng.choice((FIRST, SECOND, THIRD))
        dg = [rng.choice(("3", "5.1", "2.2"))] if rng.random() < 0.1 else []
        c = box(iso, pod, rng.uniform(2, 32), dg=dg)
        for b in used:
            top[(b, spec.row, on_deck)] = level + 1
            if len(used) == 2:
                long_top.add((b, spec.row, on_deck))
        slot = BayRowTier(bay, spec.row, spec.tiers[level])
        if i < boxes // 2:
            on_board.append(Stowed(c, slot))
        else:
            load.append(c)
            placements.append((c.number, slot))
    problem = StowageProblem(PROFILE, HERE, ROTATION, tuple(on_board), tuple(load))
    return problem, StowagePlan(tuple(placements))


@settings(max_examples=60, deadline=None)
@given(stacked(), st.randoms(use_true_random=False))
def test_stacked_plans_break_only_what_stacking_does_not_keep(
    case: tuple[StowageProblem, StowagePlan], shuffle: random.Random
) -> None:
    """A bottom-up plan is ok or every violation names a real problem; order does not matter."""
    problem, plan = case
    report = validate_stowage(problem, plan)
    by_number = {c.number: c for c in problem.load}
    boxes = {str(s.container.number): s for s in problem.on_board} | {
        str(n): Stowed(by_number[n], slot) for n, slot in plan.placements
    }
    for message in report.violations:
        assert message.startswith(_ALLOWED), message
        if not message.startswith("stability"):
            named = set(_NUMBER.findall(message))
            assert named, message
            assert named <= boxes.keys(), message
            assert_real(message, boxes)
    assert report.ok == (not report.violations)
    assert report.placed == len(problem.load)
    assert (
        0 <= report.overstow_bound <= report.overstows <= len(problem.on_board) + len(problem.load)
    )
    assert report.max_section_moves == max(
        sum(1 for _, s in plan.placements if PROFILE.section_of(s.bay) is section)
        for section in PROFILE.sections
    )
    placements = list(plan.placements)
    shuffle.shuffle(placements)
    again = validate_stowage(problem, StowagePlan(tuple(placements)))
    assert sorted(again.violations) == sorted(report.violations)
    assert (again.overstows, again.hatch_cover_restows, again.weight_inversions) == (
        report.overstows,
        report.hatch_cover_restows,
        report.weight_inversions,
    )
