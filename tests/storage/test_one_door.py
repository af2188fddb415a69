"""One door to the ledger: registrations, imports and amendments can never break a replay.

Every path that registers or moves boxes (stock-take, EDI imports, amendments,
recorded moves) goes through the same checks. After any sequence of them, valid
or not, the database stays writable, ``ledger rebuild`` is clean, and the live
inventory is sound by the independent checker of ``tests/invariants.py``. The
one state OpenTOS cannot rule out, an ``inventory`` table damaged from outside
(rows lost, a box misplaced, even floating), ``ledger rebuild --repair``
recovers: the random sequences damage it too.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from invariants import violations, yard_and_vessel_tiers
from opentos.edi.api import read_document
from opentos.edi.messages.baplie import baplie_interchange
from opentos.edi.messages.coprar import coprar_interchange
from opentos.errors import DataImportError, DomainError, EdiError, IllegalMove, NotFound
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.orders import LoadDischargeOrder, OrderItem, VesselCall
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace, parse_place
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit
from opentos.operations.interchange import import_document
from opentos.presets import load_preset
from opentos.storage import schema
from opentos.storage.pgserver import PostgresServer
from opentos.storage.stocktake import import_stocktake, parse_stocktake
from opentos.storage.store import Store

DATA = Path(__file__).parent.parent / "edi" / "data"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LAYOUT = load_preset("tiny")
PROFILE = vessel_class(1000)
VISIT = "V1"
TYPES = ("22G1", "42G1", "45G1", "L5G1")
BOXES = [ContainerNumber.from_parts("TST", "U", i) for i in range(1, 7)]

_section = next(s for s in PROFILE.sections if s.bay40 is not None)
_stack = _section.hold.stacks[0]
VESSEL_SLOTS = [
    BayRowTier(bay, _stack.row, tier)
    for bay in (_section.bays20[0], _section.bay40 or 0, _section.bays20[1])
    for tier in _stack.tiers[:2]
]
YARD_PLACES: list[Place] = [
    YardPlace(YardSlot("A01", bay, row, tier))
    for bay in (1, 2, 3)
    for row in (1, 2)
    for tier in (1, 2)
]
PLACES: list[Place] = [
    *YARD_PLACES,
    *(VesselPlace(VISIT, s) for s in VESSEL_SLOTS),
    EquipmentPlace("AGV01"),
    EquipmentPlace("AGV02"),
]


def _vessel_tiers(place: VesselPlace, length: int) -> tuple[int, ...]:
    slot = place.slot
    if (slot.bay % 2 == 1) != (length < 40):
        return ()
    stack = PROFILE.stack(slot.bay, slot.row, slot.on_deck)
    if length == 45 and not stack.accepts_45:
        return ()
    return stack.tiers


TIERS = yard_and_vessel_tiers(
    {b.id: (b.bays, b.rows, b.tiers) for b in LAYOUT.blocks}, _vessel_tiers
)


def container(number: ContainerNumber, code: str) -> Container:
    return Container(
        number=number, iso_type=SizeType.parse(code), operator="MSC", full_empty=FullEmpty.EMPTY
    )


def _new_store(url: str) -> Store:
    store = Store.create(url, LAYOUT, "tiny")
    with store.transaction() as tx:
        tx.add_visit(
            VesselVisit(
                id=VISIT,
                vessel_name="OPENTOS TRADER",
                profile=PROFILE,
                operator="MSC",
                voyage_in="012E",
                voyage_out="012W",
                imo="9321483",
            )
        )
    return store


StoreFactory = Callable[[], Store]


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def new_store(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    """Makes a fresh terminal with visit V1 in a new database, on SQLite or PostgreSQL."""
    made: list[Store] = []
    names: list[str] = []
    numbers = itertools.count(1)
    with tempfile.TemporaryDirectory() as folder:
        server: PostgresServer | None = None
        if request.param == "postgresql":
            server = request.getfixturevalue("pg_server")

        def make() -> Store:
            number = next(numbers)
            if server is None:
                url = f"sqlite:///{Path(folder) / f'door{number}.db'}"
            else:
                names.append(f"opentos_door_{id(made)}_{number}")
                url = server.create_database(names[-1])
            made.append(_new_store(url))
            return made[-1]

        yield make
        for store in made:
            store.close()
        if server is not None:
            for name in names:
                server.drop_database(name)


def _stocktake(rows: list[tuple[ContainerNumber, str, Place]]) -> str:
    lines = ["number,iso_type,operator,full_empty,place"]
    lines += [f"{n},{code},MSC,E,{place}" for n, code, place in rows]
    return "\n".join(lines) + "\n"


def _snapshot(store: Store) -> tuple[object, ...]:
    return store.counts(), store.head(), store.inventory_places(), len(store.amendments())


def _check(store: Store) -> None:
    """Writable, a clean rebuild, and a live inventory sound by the independent checker."""
    report = store.rebuild()
    assert report.consistent, report.differences
    places = store.inventory_places()
    lengths = {n: b.length_ft for n, b in store.containers(list(places)).items()}
    assert violations(places, lengths, TIERS) == []
    probe = container(ContainerNumber.from_parts("PRB", "U", 1), "22G1")
    with store.transaction() as tx:
        tx.register(probe)


# -- the cases found by hand ---------------------------------------------------------------


def test_a_coprar_cannot_change_the_length_of_a_box_in_the_yard(new_store: StoreFactory) -> None:
    """The golden COPRAR lists a 20' yard box as 45G1: refused naming its EQD; nothing changes."""
    store = new_store()
    with store.transaction() as tx:
        tx.add_visit(
            VesselVisit(id="QDX-2611E", vessel_name="MSC TESSA", profile=PROFILE,
                        operator="MSC", voyage_out="FA512W", imo="9839131")
        )  # fmt: skip
    take = parse_stocktake(
        "number,iso_type,operator,full_empty,place\nMSCU1234566,22G1,MSC,F,yard:A01.001.01.1\n"
    )
    import_stocktake(store, take, T0)
    before = _snapshot(store)
    document = read_document((DATA / "coprar-load.edi").read_bytes(), source="coprar-load.edi")
    with pytest.raises(EdiError, match=r"segment 8 \(EQD\), container MSCU1234566: .*amend"):
        import_document(store, document, visit_id="QDX-2611E", at=T0)
    assert _snapshot(store) == before
    assert store.container(ContainerNumber.parse("MSCU1234566")).iso_type.code == "22G1"
    _check(store)


def test_an_amendment_is_refused_where_the_place_cannot_hold_the_new_length(
    new_store: StoreFactory,
) -> None:
    """A 20' at an odd bay cannot become a 40'; no amendment puts a shorter box over a longer."""
    store = new_store()
    a, b, c, d, e = BOXES[:5]
    with store.transaction() as tx:
        codes = ("22G1", "L5G1", "L5G1", "42G1", "42G1")
        tx.register_many([container(x, code) for x, code in zip(BOXES, codes, strict=False)])
        tx.record(
            [
                MoveEvent(a, None, parse_place("yard:A01.001.01.1"), T0),
                MoveEvent(b, None, parse_place("yard:A01.004.01.1"), T0),
                MoveEvent(c, None, parse_place("yard:A01.004.01.2"), T0),
                MoveEvent(d, None, parse_place("yard:A01.004.02.1"), T0),
                MoveEvent(e, None, parse_place("yard:A01.004.02.2"), T0),
            ]
        )
    before = _snapshot(store)
    for number, code, reason in (
        (a, "42G1", "cannot change from 20' to 40': .*needs an even bay"),
        (b, "22G1", "cannot change from 45' to 20'"),
        (c, "42G1", "it would stand on the longer"),  # a 40' on the 45' b
        (d, "L5G1", r"the shorter TSTU\d+ \(40'\) .* stands on it"),  # a 45' under the 40' e
    ):
        with pytest.raises(IllegalMove, match=reason), store.transaction() as tx:
            tx.amend_size_type(number, SizeType.parse(code))
        assert _snapshot(store) == before
    with store.transaction() as tx:
        tx.amend_size_type(b, SizeType.parse("42G1"))  # a 40' under the 45' c: allowed
    assert [(x.old_iso_type, x.new_iso_type) for x in store.amendments(b)] == [("L5G1", "42G1")]
    _check(store)


def test_a_box_amended_on_a_machine_is_replayed_with_each_length(new_store: StoreFactory) -> None:
    """A 20' on an AGV becomes a 40' and goes to an even bay: the replay knows both lengths."""
    store = new_store()
    a = BOXES[0]
    with store.transaction() as tx:
        tx.register(container(a, "22G1"))
        tx.record([MoveEvent(a, None, parse_place("yard:A01.001.01.1"), T0)])
    with store.transaction() as tx:
        tx.record([MoveEvent(a, parse_place("yard:A01.001.01.1"), EquipmentPlace("AGV01"), T0)])
        tx.amend_size_type(a, SizeType.parse("42G1"), source="seal check")
        tx.record([MoveEvent(a, EquipmentPlace("AGV01"), parse_place("yard:A01.002.01.1"), T0)])
    assert store.amendments(a)[0].source == "seal check"
    _check(store)


def test_a_box_outside_may_come_back_with_another_length(new_store: StoreFactory) -> None:
    """A box that left as a 20' is registered again as a 40': recorded, and the replay holds."""
    store = new_store()
    a = BOXES[0]
    with store.transaction() as tx:
        tx.register(container(a, "22G1"))
        tx.record([MoveEvent(a, None, parse_place("yard:A01.001.01.1"), T0)])
        tx.record([MoveEvent(a, parse_place("yard:A01.001.01.1"), None, T0)])
    with store.transaction() as tx:
        tx.register(container(a, "42G1"))
        tx.record([MoveEvent(a, None, parse_place("yard:A01.002.01.1"), T0)])
    assert [x.after_seq for x in store.amendments(a)] == [2]
    _check(store)


def test_a_rolled_back_amendment_leaves_the_old_length(new_store: StoreFactory) -> None:
    """An amendment in a transaction that fails later is undone in memory as in the database."""
    store = new_store()
    a = BOXES[0]
    with store.transaction() as tx:
        tx.register(container(a, "42G1"))
        tx.record([MoveEvent(a, None, EquipmentPlace("AGV01"), T0)])
    with pytest.raises(IllegalMove), store.transaction() as tx:
        tx.amend_size_type(a, SizeType.parse("22G1"))
        tx.record([MoveEvent(a, EquipmentPlace("AGV02"), None, T0)])  # wrong from-place
    with store.transaction() as tx:  # still a 40': an even bay takes it
        tx.record([MoveEvent(a, EquipmentPlace("AGV01"), parse_place("yard:A01.002.01.1"), T0)])
    assert store.amendments() == []
    _check(store)


# -- random sequences ----------------------------------------------------------------------

boxes = st.sampled_from(BOXES)
types = st.sampled_from(TYPES)
places = st.sampled_from(PLACES)


def _fits(code: str, place: Place) -> bool:
    if isinstance(place, EquipmentPlace):
        return True
    assert isinstance(place, YardPlace | VesselPlace)
    return (place.slot.bay % 2 == 1) == (SizeType.parse(code).length_ft == 20)


# rows that stand a chance (the right bay for the length) as often as random ones
rows = st.one_of(
    st.tuples(boxes, types, places),
    types.flatmap(
        lambda code: st.tuples(
            boxes, st.just(code), st.sampled_from([p for p in PLACES if _fits(code, p)])
        )
    ),
)
steps = st.one_of(
    st.tuples(st.just("stocktake"), st.lists(rows, max_size=4)),
    st.tuples(st.just("baplie"), st.lists(rows, min_size=1, max_size=4)),
    st.tuples(st.just("coprar"), st.lists(st.tuples(boxes, types), min_size=1, max_size=3)),
    st.tuples(st.just("sent"), st.sampled_from(["coarri-load.edi", "codeco-gate-in.edi"])),
    st.tuples(st.just("amend"), st.tuples(boxes, types)),
    st.tuples(st.just("move"), st.tuples(boxes, st.one_of(st.none(), places))),
    st.tuples(st.just("tamper"), st.tuples(st.lists(boxes, max_size=3), boxes, places)),
)


def _once(
    rows: list[tuple[ContainerNumber, str, Place]],
) -> list[tuple[ContainerNumber, str, Place]]:
    """The rows naming each box and each place once (a file listing one twice is refused
    before anything else is checked, which would leave the rest of the sequence untried)."""
    seen: set[object] = set()
    out = []
    for number, code, place in rows:
        if number not in seen and place not in seen:
            seen.update((number, place))
            out.append((number, code, place))
    return out


def _apply(store: Store, step: tuple[str, object], n: int) -> None:
    """Run one step; every refusal must be one of the project's errors."""
    kind, what = step
    at = T0 + timedelta(minutes=n)
    if kind == "stocktake":
        assert isinstance(what, list)
        import_stocktake(store, parse_stocktake(_stocktake(_once(what))), at)
    elif kind == "baplie":
        assert isinstance(what, list)
        stowage = tuple(
            Stowed(place.slot, container(b, code))
            for b, code, place in _once(what)
            if isinstance(place, VesselPlace)
        )
        if not stowage:
            return
        plan = OnBoardPlan(
            f"BP{n}", vessel_name="OPENTOS TRADER", imo_number="9321483", carrier="MSC",
            voyage="012E", departure_port=UnLocode.parse("KRPUS"), departed_at=at, prepared_at=at,
            stowage=stowage,
        )  # fmt: skip
        text = baplie_interchange(
            plan, sender="MSC", recipient="OPENTOS", reference=f"B{n}", prepared=at
        )
        import_document(store, read_document(text), visit_id=VISIT, at=at)
    elif kind == "coprar":
        assert isinstance(what, list)
        unique = dict(what)
        order = LoadDischargeOrder(
            f"LO{n}", MoveKind.LOAD, VesselCall("OPENTOS TRADER", "012W", "MSC", imo="9321483"),
            tuple(OrderItem(container(b, code)) for b, code in unique.items()),
        )  # fmt: skip
        text = coprar_interchange(
            order, sender="MSC", recipient="OPENTOS", reference=f"C{n}", prepared=at
        )
        import_document(store, read_document(text), visit_id=VISIT, at=at)
    elif kind == "sent":
        assert isinstance(what, str)
        import_document(store, read_document((DATA / what).read_bytes()), at=at)
    elif kind == "amend":
        assert isinstance(what, tuple)
        number, code = what
        with store.transaction() as tx:
            tx.amend_size_type(number, SizeType.parse(code))
    elif kind == "move":
        assert isinstance(what, tuple)
        number, dst = what
        with store.transaction() as tx:
            tx.record([MoveEvent(number, tx.where(number), dst, at)])
    else:
        # the inventory table damaged behind OpenTOS's back: rows lost, a box misplaced
        assert isinstance(what, tuple)
        lost, moved, place = what
        inventory = schema.inventory.c
        with store.engine.begin() as connection:
            connection.execute(
                delete(schema.inventory).where(inventory.container.in_([str(b) for b in lost]))
            )
            if (
                connection.execute(
                    select(inventory.container).where(inventory.place == str(place))
                ).first()
                is None
            ):
                connection.execute(
                    update(schema.inventory)
                    .where(inventory.container == str(moved))
                    .values(place=str(place))
                )
        store.rebuild(repair=True)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=1, max_size=10))
@example(  # the case: a COPRAR re-typing a 20' yard box as a 40'
    sequence=[("stocktake", [(BOXES[0], "22G1", YARD_PLACES[0])]), ("coprar", [(BOXES[0], "42G1")])]
)
@example(  # the same by a bay plan, then an amendment on a machine and a move to a 40' bay
    sequence=[
        ("stocktake", [(BOXES[1], "22G1", EquipmentPlace("AGV01"))]),
        ("baplie", [(BOXES[1], "42G1", VesselPlace(VISIT, VESSEL_SLOTS[2]))]),
        ("amend", (BOXES[1], "42G1")),
        ("move", (BOXES[1], YARD_PLACES[4])),
        ("tamper", ([BOXES[1]], BOXES[1], YARD_PLACES[0])),
    ]
)
def test_random_imports_and_amendments_never_block_the_database(
    new_store: StoreFactory, sequence: list[tuple[str, object]]
) -> None:
    """After every step, valid or refused: writable, a clean rebuild, a sound inventory."""
    with new_store() as store:
        _run_steps(store, sequence)


def _run_steps(store: Store, sequence: list[tuple[str, object]]) -> None:
    for n, step in enumerate(sequence):
        before = _snapshot(store)
        try:
            _apply(store, step, n)
        except (DataImportError, DomainError, NotFound) as exc:
            assert _snapshot(store) == before, f"{step} refused ({exc}) but changed the state"
            assert step[0] != "sent" or isinstance(exc, EdiError)
        else:
            assert step[0] != "sent", "a COARRI or CODECO was imported"
            if step[0] == "tamper":
                assert _snapshot(store) == before, "ledger rebuild --repair did not recover"
        _check(store)
