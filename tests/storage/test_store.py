"""The ledger store on SQLite and PostgreSQL: same rules, all or nothing, conflicts detected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from opentos.errors import Conflict, DataImportError, IllegalMove, NotFound, StorageError
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.places import parse_place
from opentos.model.visits import TruckVisit
from opentos.presets import load_preset
from opentos.storage import schema
from opentos.storage.stocktake import import_stocktake, parse_stocktake
from opentos.storage.store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def n(serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts("TST", "U", serial)


def box(serial: int, iso: str = "22G1") -> Container:
    return Container(
        number=n(serial),
        iso_type=SizeType.parse(iso),
        operator="TST",
        full_empty=FullEmpty.EMPTY,
    )


def ev(serial: int, src: str | None, dst: str | None) -> MoveEvent:
    return MoveEvent(
        n(serial),
        None if src is None else parse_place(src),
        None if dst is None else parse_place(dst),
        T0,
    )


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The tiny terminal in an empty database."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as created:
        yield created


def row_counts(store: Store) -> tuple[int, int, int, int]:
    with store.engine.connect() as c:
        return (
            c.execute(select(func.count()).select_from(schema.move_events)).scalar_one(),
            c.execute(select(func.count()).select_from(schema.inventory)).scalar_one(),
            c.execute(select(func.count()).select_from(schema.containers)).scalar_one(),
            c.execute(select(schema.ledger_head.c.version)).scalar_one(),
        )


def test_record_and_read_back(store: Store) -> None:
    """Recorded events are in the ledger and the inventory, in order."""
    with store.transaction() as tx:
        tx.register_many([box(1), box(2), box(11, "42G1")])
        tx.record([ev(1, None, "yard:A01.001.01.1"), ev(2, None, "yard:A01.003.01.1")])
        tx.record([ev(11, None, "yard:A01.002.01.2")])
        assert tx.where(n(11)) == parse_place("yard:A01.002.01.2")
    assert store.where(n(11)) == parse_place("yard:A01.002.01.2")
    assert [str(c) for c, _ in store.in_block("A01")] == [str(n(1)), str(n(11)), str(n(2))]
    assert store.head() == 3
    assert [e.seq for e in store.events()] == [1, 2, 3]
    assert store.events(container=n(2))[0].to_place == parse_place("yard:A01.003.01.1")
    assert store.container(n(11)).iso_type.code == "42G1"
    with pytest.raises(NotFound):
        store.container(n(99))
    with pytest.raises(NotFound):
        store.in_block("ZZ1")


def test_events_in_a_time_window(store: Store) -> None:
    """events(start=, end=) keeps [start, end); event_times spans the ledger; in any time zone."""
    from dataclasses import replace
    from datetime import timedelta, timezone

    assert store.event_times() is None
    times = [T0 + timedelta(hours=h) for h in (0, 5, 10)]
    with store.transaction() as tx:
        tx.register_many([box(1), box(2), box(3)])
        tx.record([replace(ev(i + 1, None, f"yard:A01.{2 * i + 1:03d}.01.1"), at=t)
                   for i, t in enumerate(times)])  # fmt: skip
    assert store.event_times() == (times[0], times[2])
    east = timezone(timedelta(hours=8))
    window = store.events(start=times[1].astimezone(east), end=times[2])
    assert [e.at for e in window] == [times[1]]
    assert [e.seq for e in store.events(start=times[1])] == [2, 3]
    assert [e.seq for e in store.events(end=times[1])] == [1]
    assert store.events(container=n(3), start=times[0], end=times[2]) == []


def test_illegal_move_changes_nothing(store: Store) -> None:
    """An illegal event is rejected with a clear error and leaves every table as it was."""
    with store.transaction() as tx:
        tx.register_many([box(1), box(11, "42G1")])
        tx.record([ev(11, None, "yard:A01.002.01.1")])
    before = row_counts(store)
    with (
        pytest.raises(IllegalMove, match="no shorter box over a longer one"),
        store.transaction() as tx,
    ):
        tx.register(box(2))
        tx.record([ev(1, None, "yard:A01.001.01.2")])
    assert row_counts(store) == before
    assert store.where(n(1)) is None
    with store.transaction() as tx:  # the store's own copy was rolled back too
        tx.record([ev(11, "yard:A01.002.01.1", "equipment:AGV01")])
    assert store.where(n(11)) == parse_place("equipment:AGV01")


def test_error_in_unit_of_work_rolls_back(store: Store) -> None:
    """Any exception inside the transaction undoes its recorded events."""
    with store.transaction() as tx:
        tx.register(box(1))
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.record([ev(1, None, "yard:A01.001.01.1")])
        raise RuntimeError("operator cancelled")
    assert store.where(n(1)) is None
    assert store.head() == 0
    with store.transaction() as tx:
        tx.record([ev(1, None, "yard:A01.001.01.1")])
    assert store.head() == 1


def test_concurrent_moves_of_one_container_conflict(database_url: str) -> None:
    """Two transactions move the same box: the first commits, the second gets Conflict."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as first:
        with first.transaction() as tx:
            tx.register(box(1))
            tx.record([ev(1, None, "yard:A01.001.01.1")])
        with Store.open(database_url) as second:
            tx_a = first.transaction()
            tx_b = second.transaction()
            a = tx_a.__enter__()
            b = tx_b.__enter__()
            a.record([ev(1, "yard:A01.001.01.1", "yard:A01.003.01.1")])
            tx_a.__exit__(None, None, None)
            with pytest.raises(Conflict):
                try:
                    b.record([ev(1, "yard:A01.001.01.1", "yard:A01.005.01.1")])
                except BaseException as exc:
                    tx_b.__exit__(type(exc), exc, exc.__traceback__)
                    raise
                tx_b.__exit__(None, None, None)
            assert second.where(n(1)) == parse_place("yard:A01.003.01.1")
            assert second.head() == 2
            # The loser sees the winner's move on its next transaction.
            with second.transaction() as tx:
                assert tx.where(n(1)) == parse_place("yard:A01.003.01.1")
                tx.record([ev(1, "yard:A01.003.01.1", "yard:A01.005.01.1")])
        assert first.rebuild().consistent


def test_retry_after_conflict_sees_new_state(database_url: str) -> None:
    """run_with_retry re-runs the unit of work on the state the winner left."""
    with (
        Store.create(database_url, load_preset("tiny"), "tiny") as first,
        Store.open(database_url) as second,
    ):
        with first.transaction() as tx:
            tx.register_many([box(1), box(2)])
        calls = []

        def work(tx):  # type: ignore[no-untyped-def]
            calls.append(tx)
            if len(calls) == 1:  # someone else commits while we work
                with first.transaction() as other:
                    other.record([ev(1, None, "yard:A01.001.01.1")])
            tx.record([ev(2, None, "yard:A01.003.01.1")])

        second.run_with_retry(work)
        assert len(calls) == 2
        assert second.where(n(1)) is not None
        assert second.where(n(2)) is not None


def test_open_requires_schema(tmp_path: object) -> None:
    """Opening an empty database says to run `opentos init`."""
    with pytest.raises(StorageError, match="opentos init"):
        Store.open(f"sqlite:///{tmp_path}/empty.db")


def test_create_refuses_existing_terminal(store: Store) -> None:
    """A database holds one terminal; creating a second is refused."""
    with pytest.raises(StorageError, match="already holds terminal"):
        Store.create(
            str(store.engine.url.render_as_string(hide_password=False)), load_preset("tiny"), "tiny"
        )


def test_reopened_store_sees_everything(store: Store) -> None:
    """Another store on the same database loads the committed state and checks against it."""
    with store.transaction() as tx:
        tx.register_many([box(1), box(11, "42G1")])
        tx.record([ev(11, None, "yard:A01.002.01.1")])
    url = store.engine.url.render_as_string(hide_password=False)
    with Store.open(url) as other:
        with pytest.raises(IllegalMove), other.transaction() as tx:
            tx.record([ev(1, None, "yard:A01.001.01.2")])
        assert other.rebuild().consistent


def test_rebuild_detects_and_repairs_a_damaged_inventory(store: Store) -> None:
    """A tampered inventory table differs from the ledger's and is repaired from it."""
    with store.transaction() as tx:
        tx.register_many([box(1), box(2)])
        tx.record([ev(1, None, "yard:A01.001.01.1"), ev(2, None, "yard:A01.003.01.1")])
    with store.engine.begin() as c:
        c.execute(schema.inventory.delete().where(schema.inventory.c.container == str(n(2))))
    report = store.rebuild()
    assert not report.consistent
    assert report.differences == (f"{n(2)}: inventory says outside, ledger says yard:A01.003.01.1",)
    assert store.rebuild(repair=True).repaired
    assert store.rebuild().consistent


STOCKTAKE = """number,iso_type,operator,full_empty,place,gross_weight_kg,port_of_discharge
{a},22G1,MSC,F,yard:A01.001.01.1,12000,NLRTM
{b},22G1,MSC,E,yard:A01.001.01.2,,
{c},42G1,COS,F,yard:A01.006.02.1,20000,USLAX
"""


def test_stocktake_imports_whole(store: Store) -> None:
    """A good stock-take lands whole, stacked bottom-up whatever the row order."""
    text = STOCKTAKE.format(a=n(1), b=n(2), c=n(11))
    rows = text.splitlines()
    take = parse_stocktake("\n".join([rows[0], rows[2], rows[1], rows[3]]))
    assert import_stocktake(store, take, T0) == 3
    assert store.where(n(2)) == parse_place("yard:A01.001.01.2")
    assert store.rebuild().consistent


def test_stocktake_problems_name_line_and_column(store: Store) -> None:
    """Every malformed row is reported with its line and column; nothing is imported."""
    text = STOCKTAKE.format(a="MSCU1234567", b=n(2), c=n(11)).replace("42G1", "4XG1")
    with pytest.raises(DataImportError) as caught:
        parse_stocktake(text, "take.csv")
    problems = caught.value.problems
    assert problems[0].startswith("line 2, column number:")
    assert problems[1].startswith("line 4, column iso_type:")
    assert row_counts(store)[0] == 0


def test_stocktake_breaking_a_rule_imports_nothing(store: Store) -> None:
    """A row the ledger rejects (a floating box) fails the whole import."""
    text = STOCKTAKE.format(a=n(1), b=n(2), c=n(11)).replace("A01.001.01.2", "A01.003.01.2")
    before = row_counts(store)
    with pytest.raises(DataImportError, match="line 3"):
        import_stocktake(store, parse_stocktake(text), T0)
    assert row_counts(store) == before


def test_visits_slots_and_instructions_persist(store: Store) -> None:
    """A vessel visit, boxes on board and a work instruction are stored and read back."""
    from opentos.model.moves import MoveKind, MoveState, WorkInstruction
    from opentos.model.vessel_classes import vessel_class
    from opentos.model.visits import VesselVisit, VisitPhase

    visit = VesselVisit(
        id="V1", vessel_name="FEEDER ONE", profile=vessel_class(1000), operator="COS"
    ).advance(VisitPhase.ARRIVED, T0)
    slot = next(iter(visit.profile.slots(20)))
    with store.transaction() as tx:
        tx.add_visit(visit)
        tx.register(box(1))
        tx.record([ev(1, None, f"vessel:V1:{slot}")])
        with pytest.raises(IllegalMove, match="no visit 'V9'"):
            tx.record([ev(1, f"vessel:V1:{slot}", "vessel:V9:0010282")])
        wi = WorkInstruction(
            id="WI-1",
            kind=MoveKind.DISCHARGE,
            container=n(1),
            from_place=parse_place(f"vessel:V1:{slot}"),
            to_place=parse_place("yard:A01.001.01.1"),
            visit="V1",
            sequence=1,
        )
        tx.save_instruction(wi)
        tx.save_instruction(wi.advance(MoveState.RELEASED))
    assert store.visit("V1") == visit
    assert [v.id for v in store.visits()] == ["V1"]
    assert store.on_visit("V1") == [(n(1), parse_place(f"vessel:V1:{slot}"))]
    assert store.instructions("V1") == [wi.advance(MoveState.RELEASED)]
    with pytest.raises(NotFound):
        store.visit("V9")
    url = store.engine.url.render_as_string(hide_password=False)
    with Store.open(url) as other, other.transaction() as tx:  # loads the profile lazily
        tx.record([ev(1, f"vessel:V1:{slot}", "yard:A01.001.01.1")])
    assert store.rebuild().consistent


def test_a_transaction_reads_its_own_visits_and_boxes(store: Store) -> None:
    """Inside a transaction, visit(), visits() and container() see its own changes."""
    with store.transaction() as tx:
        tx.add_visit(TruckVisit(id="T1", licence_plate="LU-B1"))
        tx.register(box(1))
        assert tx.visit("T1").id == "T1"
        assert [v.id for v in tx.visits()] == ["T1"]
        assert tx.container(n(1)) == box(1)
        with pytest.raises(NotFound, match="no visit 'T2'"):
            tx.visit("T2")
        with pytest.raises(NotFound, match=str(n(2))):
            tx.container(n(2))
