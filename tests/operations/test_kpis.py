"""KPIs from the stored ledger and visits, against values worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.kpi import per_hour, quay_move, ratio, turn_time_summary
from opentos.model.ledger import MoveEvent
from opentos.model.places import parse_place
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import RailVisit, TruckVisit, VesselVisit, VisitPhase
from opentos.operations.kpis import NEEDS_MACHINE_LOG, terminal_kpis, visit_kpis
from opentos.presets import load_preset
from opentos.storage.store import Store

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PROFILE = vessel_class(1000)
_BOTTOMS = {}
for _slot in sorted(PROFILE.slots(20), key=lambda s: s.tier):
    _BOTTOMS.setdefault((_slot.bay, _slot.row), _slot)
S = [f"vessel:V1:{s}" for s in list(_BOTTOMS.values())[:5]]
"""Five vessel slots at the bottom of five stacks."""


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def n(serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts("KPI", "U", serial)


B1, B2, B3, B4, Y1, Y2, G1 = (n(i) for i in range(1, 8))


def yard(k: int) -> str:
    """The k-th odd 20' ground slot of block A01 (bays 1-11, then the next row)."""
    return f"yard:A01.{(k - 1) % 12 + 1:03d}.{1 + (k - 1) // 12:02d}.1"


def ev(box: ContainerNumber, src: str | None, dst: str | None, hours: float,
       equipment: str | None = None) -> MoveEvent:  # fmt: skip
    return MoveEvent(
        box,
        None if src is None else parse_place(src),
        None if dst is None else parse_place(dst),
        at(hours),
        equipment,
    )


# The call, hour by hour (T0 = 0): vessel V1 alongside 0-4, trucks T1 in 1-1.5 and T2 2-2.75.
MOVES = [
    *(ev(b, None, s, 0) for b, s in zip((B1, B2, B3, B4), S, strict=False)),  # on board
    ev(Y1, None, yard(1), 0),  # stock-take: no yard move
    ev(Y2, None, yard(3), 0),
    ev(B1, S[0], yard(5), 1.0, "QC01"),  # DISC straight to the yard: productive
    ev(G1, None, "equipment:T1", 1.0, "T1"),  # gate-in
    ev(G1, "equipment:T1", yard(7), 1.2, "A01-L"),  # stacked from the truck: productive
    ev(B2, S[1], "equipment:AGV01", 1.5, "QC01"),  # DISC onto an AGV
    ev(B2, "equipment:AGV01", yard(9), 1.6, "A01-W"),  # stacked: productive
    ev(B3, S[2], yard(11), 2.0, "QC02"),  # DISC: productive
    ev(B4, S[3], "equipment:QC01", 2.0, "QC01"),  # restow, first lift
    ev(B4, "equipment:QC01", S[4], 2.5, "QC01"),  # restow, second lift
    ev(B3, yard(11), "equipment:T2", 2.5, "A01-L"),  # retrieved for a truck: productive
    ev(B3, "equipment:T2", None, 2.75, "T2"),  # gate-out
    ev(Y1, yard(1), S[0], 3.0, "QC02"),  # LOAD straight from the yard: productive
    ev(Y2, yard(3), yard(13), 3.0, "A01-W"),  # relocation
    ev(B1, yard(5), "equipment:AGV02", 3.5, "A01-W"),  # relocation through an AGV ...
    ev(B1, "equipment:AGV02", yard(15), 3.6, "A01-W"),  # ... counted once
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The tiny terminal after the call above."""
    with Store.create(f"sqlite:///{tmp_path / 'kpi.db'}", load_preset("tiny"), "tiny") as built:
        v1 = VesselVisit(id="V1", vessel_name="KPI ONE", profile=PROFILE, operator="AAA").advance(
            VisitPhase.ARRIVED, at(0)
        )
        t1 = TruckVisit(id="T1", licence_plate="KPI 1").advance(VisitPhase.ARRIVED, at(1))
        t2 = TruckVisit(id="T2", licence_plate="KPI 2").advance(VisitPhase.ARRIVED, at(2))
        with built.transaction() as tx:
            for visit in (v1, t1, t2):
                tx.add_visit(visit)
            tx.register_many(
                [
                    Container(number=b, iso_type=SizeType.parse("22G1"), operator="AAA",
                              full_empty=FullEmpty.FULL)
                    for b in (B1, B2, B3, B4, Y1, Y2, G1)
                ]
            )  # fmt: skip
            tx.record(MOVES)
            tx.add_visit(v1.advance(VisitPhase.DEPARTED, at(4)))
            tx.add_visit(t1.advance(VisitPhase.DEPARTED, at(1.5)))
            tx.add_visit(t2.advance(VisitPhase.DEPARTED, at(2.75)))
        yield built


def test_the_whole_call(store: Store) -> None:
    """6 quay moves in 2.5 crane hours and 4 hours alongside; 2 relocations to 6 productive."""
    k = terminal_kpis(store, at(0), at(5))
    assert k["moves"] == 6
    assert k["quay_cranes"] == {
        "QC01": {"moves": 4, "hours": 1.5, "gross_moves_per_hour": 2.67},
        "QC02": {"moves": 2, "hours": 1.0, "gross_moves_per_hour": 2.0},
    }
    assert k["moves_per_qc_hour"] == 2.4
    assert k["berth_hours"] == 4.0
    assert k["berth_moves_per_hour"] == 1.5
    assert (k["relocations"], k["productive_yard_moves"], k["rehandle_ratio"]) == (2, 6, 0.3333)
    assert k["truck_turn_time_min"] == {"trucks": 2, "mean": 37.5, "p95": 45.0, "max": 45.0}
    capacity = store.layout.yard_capacity_teu
    assert k["yard_occupancy"] == {
        "boxes": 4, "teu": 4.0, "capacity_teu": capacity, "share": round(4 / capacity, 4),
    }  # fmt: skip
    assert k["duration_h"] == 5.0


def test_a_window_counts_only_what_happened_in_it(store: Store) -> None:
    """From hour 2: 4 quay moves, 2 h alongside, 2 relocations to 3 productive, truck T2."""
    k = terminal_kpis(store, at(2), at(5))
    assert k["moves"] == 4
    assert k["quay_cranes"] == {
        "QC01": {"moves": 2, "hours": 0.5, "gross_moves_per_hour": 4.0},
        "QC02": {"moves": 2, "hours": 1.0, "gross_moves_per_hour": 2.0},
    }
    assert k["moves_per_qc_hour"] == 2.67
    assert k["berth_hours"] == 2.0
    assert k["berth_moves_per_hour"] == 2.0
    assert (k["relocations"], k["productive_yard_moves"], k["rehandle_ratio"]) == (2, 3, 0.6667)
    assert k["truck_turn_time_min"] == {"trucks": 1, "mean": 45.0, "p95": 45.0, "max": 45.0}


def test_yard_occupancy_is_the_yard_at_the_end(store: Store) -> None:
    """At hour 1.1 the yard holds Y1, Y2 and B1; G1 is still on its truck."""
    k = terminal_kpis(store, at(0), at(1.1))
    occupancy = k["yard_occupancy"]
    assert isinstance(occupancy, dict)
    assert (occupancy["boxes"], occupancy["teu"]) == (3, 3.0)
    assert k["truck_turn_time_min"] is None


def test_a_vessel_visit(store: Store) -> None:
    """V1: 6 moves, 2.4 moves per crane hour, 1.5 per hour alongside (berthing to departure)."""
    k = visit_kpis(store, "V1")
    assert (k["moves"], k["moves_per_qc_hour"], k["berth_hours"], k["berth_moves_per_hour"]) == (
        6, 2.4, 4.0, 1.5,
    )  # fmt: skip
    assert set(k["quay_cranes"]) == {"QC01", "QC02"}  # type: ignore[arg-type]


def test_a_vessel_still_alongside_counts_to_its_last_move(store: Store) -> None:
    """A visit that has not left is alongside from berthing to its last quay move."""
    with store.transaction() as tx:
        tx.add_visit(
            VesselVisit(id="V2", vessel_name="KPI TWO", profile=PROFILE, operator="AAA").advance(
                VisitPhase.ARRIVED, at(1)
            )
        )
        tx.record(
            [ev(G1, yard(7), "vessel:V2:" + S[0].split(":")[2], 2.0, "QC03"),
             ev(Y2, yard(13), "vessel:V2:" + S[1].split(":")[2], 3.0, "QC03")]
        )  # fmt: skip
    k = visit_kpis(store, "V2")
    assert (k["moves"], k["moves_per_qc_hour"], k["berth_hours"], k["berth_moves_per_hour"]) == (
        2, 2.0, 2.0, 1.0,
    )  # fmt: skip


def test_a_truck_visit(store: Store) -> None:
    """A truck's turn time is gate-in to gate-out, with the boxes it brought or took."""
    assert visit_kpis(store, "T1") == {
        "visit": "T1", "kind": "truck", "boxes": 1, "truck_turn_time_min": 30.0,
    }  # fmt: skip
    assert visit_kpis(store, "T2")["truck_turn_time_min"] == 45.0


def test_refusals(store: Store) -> None:
    """Unknown visits, rail visits, naive times and empty windows are refused by name."""
    with pytest.raises(NotFound):
        visit_kpis(store, "NOPE")
    with store.transaction() as tx:
        tx.add_visit(RailVisit(id="R1", train="TRAIN 1"))
    with pytest.raises(InvalidValue, match="R1 is a rail visit"):
        visit_kpis(store, "R1")
    with pytest.raises(InvalidValue, match="no time zone"):
        terminal_kpis(store, datetime(2026, 3, 2), at(5))
    with pytest.raises(InvalidValue, match="not after its start"):
        terminal_kpis(store, at(5), at(5))


def test_the_twin_only_kpis_are_named() -> None:
    """The KPIs that need the machine log are listed and absent from the ledger's figures."""
    assert {"net_moves_per_hour", "agv_time_split", "armg_utilisation"} <= set(NEEDS_MACHINE_LOG)


def test_shared_rules() -> None:
    """Quay moves name their crane; rates and ratios are 0.0 with no divisor; turn summaries."""
    assert quay_move(ev(B1, S[0], yard(5), 1, "QC01")) == ("QC01", "V1")
    assert quay_move(ev(B1, S[0], "equipment:QC09", 1)) == ("QC09", "V1")
    assert quay_move(ev(B1, S[0], yard(5), 1)) == ("?", "V1")
    assert quay_move(ev(B1, None, S[0], 1)) is None
    assert quay_move(ev(B1, S[0], None, 1)) is None
    assert quay_move(ev(B1, yard(3), yard(5), 1, "A01-W")) is None
    assert (per_hour(3, 0.0), per_hour(3, 2.0), ratio(1, 0), ratio(1, 3)) == (0.0, 1.5, 0.0, 0.3333)
    assert turn_time_summary([]) is None
    assert turn_time_summary([10.0, 30.0, 20.0]) == {
        "trucks": 3, "mean": 20.0, "p95": 30.0, "max": 30.0,
    }  # fmt: skip


def test_a_visits_move_counts_are_its_cranes_moves(call: Store) -> None:
    """Discharges and loads are counted; boxes that came on board (and go on board out of
    the terminal) are not moves of this call."""
    from operations_helpers import T0 as CALL_T0

    from opentos.model.places import YardPlace
    from opentos.model.slots import YardSlot
    from opentos.operations.inquiry import visit_move_counts

    number, slot = max(call.on_visit("V1"), key=lambda np: str(np[1])[-2:])  # a top box
    yard = YardPlace(YardSlot("A01", 1, 1, 1))
    at = CALL_T0 + timedelta(hours=1)
    with call.transaction() as tx:
        tx.record([MoveEvent(number, slot, yard, at)])  # discharged
        tx.record([MoveEvent(number, yard, slot, at + timedelta(minutes=5))])  # loaded
    counts = visit_move_counts(call, "V1")
    assert (counts.moves.discharged, counts.moves.loaded, counts.moves.restowed) == (1, 1, 0)
    assert counts.moves.moves == 2
    assert sum(p.moves for p in counts.per_hour) == 2
