"""Rail load problems refuse bad input with a message naming the value; the generator."""

from __future__ import annotations

import pytest
from rail_cases import BLOCK, SGNS, box

from opentos.errors import InvalidValue
from opentos.planning.rail.generate import WAGON_TYPES, generate
from opentos.planning.rail.problem import (
    DgRules,
    LoadingPattern,
    ObjectiveWeights,
    PlatformType,
    RailBox,
    RailLoadProblem,
    Wagon,
    WagonType,
    YardBlock,
)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: LoadingPattern(()), "a loading pattern has no slot"),
        (lambda: LoadingPattern((20, 30)), "loading pattern 20\\+30: slot length 30 is not 20"),
        (lambda: LoadingPattern((40,), max_payload_kg=0), "max_payload_kg 0 is not a positive"),
        (
            lambda: PlatformType(40, 30_000, (LoadingPattern((40, 20)),)),
            "pattern 40\\+20 \\(60'\\) is longer than its 40' platform",
        ),
        (lambda: PlatformType(40, 30_000, ()), "40' platform has no loading pattern"),
        (
            lambda: PlatformType(40, 30_000, (LoadingPattern((40,)), LoadingPattern((40,)))),
            "40' platform lists pattern 40 twice",
        ),
        (lambda: WagonType("X", 0.0, 1, 1, SGNS.platforms), "wagon type X: length_m 0.0"),
        (lambda: WagonType("X", 10.0, 1, 1, ()), "wagon type X has no platform"),
        (lambda: WagonType(" ", 10.0, 1, 1, SGNS.platforms), "empty code"),
        (lambda: Wagon("W1", SGNS, (5,)), "wagon W1 platform 0: current pattern 5 is not in 0..4"),
        (lambda: Wagon("W1", SGNS, (0, 0)), "wagon W1: 2 current patterns for 1 platforms"),
        (lambda: YardBlock("R1", -1.0), "yard block R1: start_m -1.0"),
        (lambda: box("A", 30), "box A: length 30' is not 20, 40 or 45"),
        (lambda: box("A", kg=0), "box A: gross_kg 0 is not a positive"),
        (lambda: box("A", kg=40_000), "box A: gross_kg 40000 is above 36000 kg"),
        (lambda: box("A", priority=11), "box A: priority 11 is not in 1..10"),
        (lambda: box("A", dg_class="10"), "box A: dg_class '10' is not an IMDG class"),
        (lambda: box("A", bay=0), "box A: yard_bay 0 is not a positive"),
        (lambda: DgRules(same_wagon_code=0), "DG rule same_wagon_code 0 is not in 1..5"),
        (lambda: DgRules(same_wagon_code=3, adjacent_code=2), "adjacent_code 2 is below"),
        (lambda: DgRules(free_first=-1), "DG rule free_first -1 is negative"),
        (lambda: ObjectiveWeights(setup=-1), "objective weight setup -1"),
        (lambda: RailLoadProblem((), (), (BLOCK,)), "the train has no wagon"),
        (
            lambda: RailLoadProblem((Wagon("W1", SGNS), Wagon("W1", SGNS)), (), (BLOCK,)),
            "wagon W1 appears twice",
        ),
        (
            lambda: RailLoadProblem((Wagon("W1", SGNS),), (box("A"), box("A")), (BLOCK,)),
            "box A appears twice",
        ),
        (
            lambda: RailLoadProblem(
                (Wagon("W1", SGNS),), (RailBox("A", 20, 1_000, "Q9", 1),), (BLOCK,)
            ),
            "box A: yard block 'Q9' is not listed",
        ),
        (lambda: generate(0, 10, seed=1), "wagons >= 1"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(make: object, message: str) -> None:
    """Each bad value is refused with InvalidValue naming it."""
    with pytest.raises(InvalidValue, match=message):
        make()  # type: ignore[operator]


def test_generator_is_deterministic_and_realistic() -> None:
    """Same arguments, same problem; the wagon types and box mix are the documented ones."""
    a, b = generate(40, 200, seed=7), generate(40, 200, seed=7)
    assert a == b
    assert a != generate(40, 200, seed=8)
    assert len(a.wagons) == 40
    assert len(a.boxes) == 200
    codes = {w.wagon_type.code for w in a.wagons}
    assert codes <= {t.code for t in WAGON_TYPES.values()}
    assert len(codes) >= 4
    assert {b.length_ft for b in a.boxes} == {20, 40, 45}
    assert all(2_000 <= b.gross_kg <= 30_000 for b in a.boxes)
    assert any(b.is_dg for b in a.boxes)
    assert any(b.must_go for b in a.boxes)
    assert WAGON_TYPES["Sgns"].length_ft == 60
    assert WAGON_TYPES["Sggrss"].length_ft == 80
