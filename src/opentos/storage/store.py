"""The ledger store: the terminal's state in a database, every change checked.

A :class:`Store` opens one database holding one terminal. Changes go through
:meth:`Store.transaction`, a unit of work that is committed whole or not at
all::

    with store.transaction() as tx:
        tx.register(container)
        tx.record([MoveEvent(number, None, place, at)])

Every event is checked by the same :class:`~opentos.model.ledger.Inventory`
the in-memory model uses, against the state the transaction read; the events
are appended to ``move_events`` and the ``inventory`` projection is updated in
the same database transaction.

Writers are serialised by optimistic concurrency on one row: every writing
transaction moves ``ledger_head.version`` on from the value it read, with a
conditional update. If another transaction committed in between, the update
matches nothing (PostgreSQL) or the snapshot is stale (SQLite), and the
transaction fails with :class:`~opentos.errors.Conflict`, changing nothing.
A terminal records a few moves a second at most, so one writer at a time
costs nothing and keeps the invariants simple to prove; ``run_with_retry``
re-runs a unit of work that conflicted.

A ``Store`` keeps a checked copy of the inventory in memory between
transactions and reloads it when another writer has moved the version on. It
runs one transaction at a time; open one ``Store`` per worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Self, TypeVar, cast

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from opentos.config import settings
from opentos.errors import Conflict, IllegalMove, InvalidSlot, NotFound, OpenTosError, StorageError
from opentos.model.appointments import Appointment
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import (
    Inventory,
    LengthChange,
    LengthReplay,
    MoveEvent,
    check_registration,
)
from opentos.model.moves import WorkInstruction
from opentos.model.places import (
    Place,
    StackPlace,
    VesselPlace,
    YardPlace,
    parse_place,
    place_or_outside,
)
from opentos.model.stacking import StackArea
from opentos.model.terminal import stack_area
from opentos.model.visits import Visit, VisitKind, visit_from_dict
from opentos.storage import migrate, schema
from opentos.storage.engine import is_sqlite, make_engine, read_engine
from opentos.storage.reads import CompiledRead

T = TypeVar("T")
JsonDoc = dict[str, object]

_LOAD_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_SNAPSHOT: ContextVar[tuple[Store, Connection] | None] = ContextVar(
    "opentos_snapshot", default=None
)
"""The store and connection of the snapshot open in this context, if any."""


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What rebuilding the inventory from the ledger found."""

    events: int
    containers: int
    differences: tuple[str, ...]
    seconds: float
    repaired: bool

    @property
    def consistent(self) -> bool:
        """True when the live inventory equals the one rebuilt from the ledger."""
        return not self.differences


@dataclass(frozen=True, slots=True)
class ImportedInterchange:
    """An interchange already imported: its key, content digest, messages and when."""

    key: str
    digest: str
    messages: str
    imported_at: datetime
    summary: dict[str, object]


@dataclass(frozen=True, slots=True)
class Amendment:
    """A change of a known box's size-type, made after ledger event ``after_seq``."""

    container: ContainerNumber
    old_iso_type: str
    new_iso_type: str
    after_seq: int
    at: datetime
    source: str


def _interchange_query(key: str) -> Select[Any]:
    t = schema.edi_interchanges.c
    return select(t.key, t.digest, t.messages, t.imported_at, t.summary).where(t.key == key)


def _interchange_row(row: RowMapping | None) -> ImportedInterchange | None:
    if row is None:
        return None
    summary = row["summary"] if isinstance(row["summary"], dict) else {}
    return ImportedInterchange(
        row["key"], row["digest"], row["messages"], row["imported_at"], summary
    )


class _State:
    """The store's checked in-memory copy of the terminal at one ledger version."""

    def __init__(self, layout: TerminalLayout, version: int, seq: int) -> None:
        self.layout = layout
        self.version = version
        self.seq = seq
        self.lengths: dict[ContainerNumber, int] = {}
        self.visits: dict[str, Visit] = {}
        self.connection: Connection | None = None
        self.pending_containers: dict[ContainerNumber, Container] = {}
        self.pending_visits: dict[str, Visit] = {}
        self.inventory = Inventory(self.area, self.length_of)

    def visit(self, visit_id: str) -> Visit | None:
        found = self.pending_visits.get(visit_id) or self.visits.get(visit_id)
        if found is None and self.connection is not None:
            row = self.connection.execute(
                select(schema.visits.c.data).where(schema.visits.c.id == visit_id)
            ).first()
            if row is not None:
                found = visit_from_dict(row.data)
                self.visits[visit_id] = found
        return found

    def area(self, place: StackPlace) -> StackArea:
        if isinstance(place, YardPlace):
            return stack_area(self.layout, {}, place)
        visit = self.visit(place.visit)
        if visit is None:
            raise InvalidSlot(f"{place}: no visit {place.visit!r}")
        return stack_area(self.layout, {place.visit: visit}, place)

    def length_of(self, number: ContainerNumber) -> int:
        pending = self.pending_containers.get(number)
        if pending is not None:
            return pending.length_ft
        length = self.lengths.get(number)
        if length is None and self.connection is not None:
            length = self.connection.execute(
                select(schema.containers.c.length_ft).where(
                    schema.containers.c.number == str(number)
                )
            ).scalar()
        if length is None:
            raise NotFound(f"container {number} is not registered (register it first)")
        self.lengths[number] = length
        return length


def _db_errors(what: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn driver errors into the OpenTOS error tree."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        def inner(*args: object, **kwargs: object) -> T:
            try:
                return fn(*args, **kwargs)
            except DBAPIError as exc:
                raise _translate(exc, what) from exc

        inner.__doc__ = fn.__doc__
        inner.__name__ = fn.__name__
        return inner

    return wrap


def _translate(exc: DBAPIError, what: str) -> OpenTosError:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = message.lower()
    if isinstance(exc, IntegrityError) or "could not serialize" in lowered:
        return Conflict(f"{what}: a concurrent transaction got there first ({message.strip()})")
    if isinstance(exc, OperationalError) and "locked" in lowered:
        return Conflict(f"{what}: the database was changed by a concurrent transaction; retry")
    return StorageError(f"{what}: {message.strip()}")


class Store:
    """One terminal's state in a database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = read_engine(engine)
        self._snapshots = (
            self._reader.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            if engine.dialect.name == "postgresql"
            else self._reader
        )
        self._hot: dict[str, CompiledRead] = {}
        self._listeners: list[CommitListener] = []
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._layout: TerminalLayout | None = None

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None) -> Self:
        """Open the terminal in the database at ``url`` (default: ``OPENTOS_DATABASE_URL``).

        Raises
        ------
        StorageError
            The database cannot be reached, has no OpenTOS schema, or its schema
            is older or newer than this version of OpenTOS.
        """
        url = url or settings().database_url
        engine = make_engine(url)
        try:
            current = migrate.current_revision(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise _translate(exc, f"opening {engine.url!r}") from exc
        head = migrate.head_revision()
        if current is None:
            engine.dispose()
            raise StorageError(
                f"database {engine.url!r} holds no OpenTOS terminal; run `opentos init` first"
            )
        if current != head:
            engine.dispose()
            raise StorageError(
                f"database {engine.url!r} is at schema {current}, this OpenTOS needs {head}; "
                "run `opentos init --upgrade`"
            )
        store = cls(engine)
        store.layout  # noqa: B018 - fails early when the terminal row is missing
        return store

    @classmethod
    def create(cls, url: str | None, layout: TerminalLayout, preset: str) -> Self:
        """Create the schema in an empty database at ``url`` and store the terminal's layout.

        Raises
        ------
        StorageError
            The database already holds a terminal, or cannot be reached.
        """
        url = url or settings().database_url
        engine = make_engine(url)
        store = cls(engine)
        try:
            if migrate.current_revision(engine) is not None:
                with engine.connect() as connection:
                    name = connection.execute(select(schema.terminal.c.name)).scalar()
                if name is not None:
                    raise StorageError(
                        f"database {engine.url!r} already holds terminal {name!r}; "
                        "use a new database"
                    )
            migrate.upgrade(engine)
            with engine.begin() as connection:
                connection.execute(
                    insert(schema.terminal).values(
                        id=1,
                        name=layout.name,
                        preset=preset,
                        layout=layout.to_dict(),
                        created_at=datetime.now(UTC),
                    )
                )
        except DBAPIError as exc:
            engine.dispose()
            raise _translate(exc, f"creating the terminal in {engine.url!r}") from exc
        except OpenTosError:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        if self._reader is not self.engine:
            self._reader.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def layout(self) -> TerminalLayout:
        """The terminal's layout, as stored by :meth:`create`."""
        if self._layout is None:
            with self.reading() as connection:
                row = connection.execute(select(schema.terminal.c.layout)).first()
            if row is None:
                raise StorageError(f"database {self.engine.url!r} holds no terminal")
            self._layout = TerminalLayout.from_dict(row.layout)
        return self._layout

    @property
    def preset(self) -> str:
        """Name of the preset the terminal was created from."""
        with self.reading() as connection:
            return str(connection.execute(select(schema.terminal.c.preset)).scalar_one())

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A unit of work, committed when the block ends without an error.

        Raises
        ------
        Conflict
            Another transaction committed a change after this one began.
        """
        with self._lock:
            try:
                connection = self.engine.connect()
            except DBAPIError as exc:
                raise _translate(exc, "opening a transaction") from exc
            tx: Transaction | None = None
            try:
                with connection.begin():
                    state = self._current_state(connection)
                    tx = Transaction(self, connection, state)
                    state.connection = connection
                    yield tx
                    tx._flush_version()
                tx._committed()
            except DBAPIError as exc:
                if tx is not None:
                    tx._rolled_back()
                raise _translate(exc, "committing the transaction") from exc
            except BaseException:
                if tx is not None:
                    tx._rolled_back()
                raise
            finally:
                if self._state is not None:
                    self._state.connection = None
                connection.close()

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener(version, keys)`` after each transaction of this store commits
        (in the committing thread; it must not raise or block)."""
        self._listeners.append(listener)

    def _committed(self, version: int, keys: tuple[str, ...]) -> None:
        for listener in self._listeners:
            listener(version, keys)

    def version(self) -> int:
        """The terminal's version: how many writing transactions it has committed."""
        with self.reading() as connection:
            return int(connection.execute(select(schema.ledger_head.c.version)).scalar_one())

    def changes(self, after: int) -> tuple[int, list[tuple[int, tuple[str, ...]]]]:
        """The terminal's version now and, oldest first, what each writing transaction
        after version ``after`` changed (see ``changes`` in :mod:`opentos.storage.schema`).

        A version after ``after`` with no row (pruned, or written by a release before the
        change log) means: anything may have changed.
        """
        c = schema.changes.c
        with self.snapshot(), self.reading() as connection:
            version = int(connection.execute(select(schema.ledger_head.c.version)).scalar_one())
            if version <= after:
                return version, []
            rows = connection.execute(
                select(c.version, c["keys"]).where(c.version > after).order_by(c.version)
            ).all()
        return version, [(int(v), tuple(str(k) for k in keys)) for v, keys in rows]

    def run_with_retry(self, work: Callable[[Transaction], T], attempts: int = 3) -> T:
        """Run ``work`` in a transaction, again on :class:`Conflict`, at most ``attempts`` times."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as tx:
                    return work(tx)
            except Conflict:
                if attempt == attempts:
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _current_state(self, connection: Connection) -> _State:
        seq, version = connection.execute(
            select(schema.ledger_head.c.seq, schema.ledger_head.c.version)
        ).one()
        state = self._state
        if state is None or state.version != version:
            state = self._load_state(connection, version, seq)
            self._state = state
        return state

    def _load_state(self, connection: Connection, version: int, seq: int) -> _State:
        state = _State(self.layout, version, seq)
        state.connection = connection
        rows = connection.execute(
            select(
                schema.inventory.c.container,
                schema.inventory.c.place,
                schema.containers.c.length_ft,
            ).join(schema.containers, schema.containers.c.number == schema.inventory.c.container)
        ).all()
        placed = []
        for number_text, place_text, length in rows:
            number = ContainerNumber.parse(number_text)
            place = parse_place(place_text)
            state.lengths[number] = length
            tier = place.slot.tier if isinstance(place, YardPlace | VesselPlace) else 0
            placed.append((tier, place_text, number, place))
        placed.sort(key=lambda t: (t[0], t[1]))
        try:
            for _tier, _text, number, place in placed:
                state.inventory.apply(MoveEvent(number, None, place, _LOAD_TIME))
        except IllegalMove as exc:
            raise StorageError(
                f"the inventory table breaks an invariant ({exc}); run `opentos ledger rebuild "
                "--repair`"
            ) from None
        return state

    # -- reading ---------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection to read with: the open :meth:`snapshot`'s, else a pooled one.

        Outside a snapshot each statement reads the latest committed state on its
        own (PostgreSQL autocommit: no ``BEGIN``/``ROLLBACK`` round trips).
        """
        bound = _SNAPSHOT.get()
        if bound is not None and bound[0] is self:
            yield bound[1]
            return
        with self._reader.connect() as connection:
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read in the block (in this thread or task) sees one committed state.

        PostgreSQL reads in one ``REPEATABLE READ READ ONLY`` transaction, SQLite in
        one WAL read transaction. Nested snapshots share the outer one.
        """
        bound = _SNAPSHOT.get()
        if bound is not None and bound[0] is self:
            yield
            return
        with self._snapshots.connect() as connection, connection.begin():
            token = _SNAPSHOT.set((self, connection))
            try:
                yield
            finally:
                _SNAPSHOT.reset(token)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A driver cursor on the snapshot's connection, else on a pooled reading one.

        Driver errors become :class:`StorageError`; a pooled connection that failed is
        dropped from the pool rather than handed out again.
        """
        driver_error = self._reader.dialect.loaded_dbapi.Error
        bound = _SNAPSHOT.get()
        pooled = None
        try:
            if bound is not None and bound[0] is self:
                cursor = bound[1].connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            else:
                pooled = self._reader.raw_connection()
                cursor = pooled.cursor()
        except DBAPIError as exc:
            raise _translate(exc, "reading the terminal") from exc
        except driver_error as exc:
            if pooled is not None:
                pooled.invalidate()
                pooled.close()
            raise StorageError(f"reading the terminal: {str(exc).strip()}") from exc
        try:
            yield cursor
        except driver_error as exc:
            if pooled is not None:
                pooled.invalidate()
            raise StorageError(f"reading the terminal: {str(exc).strip()}") from exc
        finally:
            cursor.close()
            if pooled is not None:
                pooled.close()

    def _read(self, name: str, **values: object) -> list[tuple[Any, ...]]:
        """Rows of the hot read ``name`` (see :data:`_HOT_READS`) with ``values``."""
        compiled = self._hot.get(name)
        if compiled is None:
            compiled = CompiledRead(_HOT_READS[name](), self._reader.dialect)
            self._hot[name] = compiled
        with self._cursor() as cursor:
            return compiled.rows(cursor, **values)

    def status(self, number: ContainerNumber) -> tuple[Container, Place | None]:
        """A container's master data and where it is now, read in one statement.

        Raises
        ------
        NotFound
            No container with that number was ever registered.
        """
        rows = self._read("status", number=str(number))
        if not rows:
            raise NotFound(f"container {number} is not known to this terminal")
        data, place = rows[0]
        return Container.from_dict(data), place_or_outside(place)

    def where(self, number: ContainerNumber) -> Place | None:
        """Where a container is now; ``None`` when it is not in the terminal."""
        with self.reading() as connection:
            text = connection.execute(
                select(schema.inventory.c.place).where(schema.inventory.c.container == str(number))
            ).scalar()
        return place_or_outside(text)

    def container(self, number: ContainerNumber) -> Container:
        """A container's master data.

        Raises
        ------
        NotFound
            No container with that number was ever registered.
        """
        return self.status(number)[0]

    def containers(self, numbers: Sequence[ContainerNumber]) -> dict[ContainerNumber, Container]:
        """Master data of many containers at once (unknown numbers are left out)."""
        found: dict[ContainerNumber, Container] = {}
        if len(numbers) == 1:
            try:
                return {numbers[0]: self.status(numbers[0])[0]}
            except NotFound:
                return {}
        texts = [str(n) for n in numbers]
        c = schema.containers.c
        with self.reading() as connection:
            for start in range(0, len(texts), 500):
                rows = connection.execute(
                    select(c.data).where(c.number.in_(texts[start : start + 500]))
                ).scalars()
                for data in rows:
                    container = Container.from_dict(data)
                    found[container.number] = container
        return found

    def visit(self, visit_id: str) -> Visit:
        """A visit by id (:class:`NotFound` if there is none)."""
        with self.reading() as connection:
            data = connection.execute(
                select(schema.visits.c.data).where(schema.visits.c.id == visit_id)
            ).scalar()
        if data is None:
            raise NotFound(f"no visit {visit_id!r}")
        return visit_from_dict(data)

    def visits(
        self, kind: VisitKind | None = None, *, ids: Collection[str] | None = None
    ) -> list[Visit]:
        """Every visit, by planned arrival; only those of ``kind`` and with ``ids`` when given."""
        v = schema.visits.c
        query = select(v.data).order_by(v.planned_arrival, v.id)
        if kind is not None:
            query = query.where(v.kind == str(kind))
        if ids is not None:
            if not ids:
                return []
            query = query.where(v.id.in_(sorted(ids)))
        with self.reading() as connection:
            rows = connection.execute(query).scalars()
            return [visit_from_dict(data) for data in rows]

    def _placed(self, prefix: str) -> list[tuple[ContainerNumber, Place]]:
        with self.reading() as connection:
            rows = connection.execute(
                select(schema.inventory.c.container, schema.inventory.c.place).where(
                    schema.inventory.c.place.startswith(prefix, autoescape=True)
                )
            ).all()
        found = [(ContainerNumber.parse(c), parse_place(p)) for c, p in rows]
        # one kind of place: their order (a key each, not a comparison of two places each)
        return sorted(found, key=lambda cp: cp[1]._order())

    def in_block(self, block: str) -> list[tuple[ContainerNumber, Place]]:
        """Containers in a yard block, in slot order (:class:`NotFound` for an unknown block)."""
        self.layout.block(block)
        return self._placed(f"yard:{block}.")

    def on_visit(self, visit_id: str) -> list[tuple[ContainerNumber, Place]]:
        """Containers on board a vessel visit, in slot order."""
        self.visit(visit_id)
        return self._placed(f"vessel:{visit_id}:")

    def inventory_places(self) -> dict[ContainerNumber, Place]:
        """Every container in the terminal and its place, from the inventory table."""
        with self.reading() as connection:
            rows = connection.execute(
                select(schema.inventory.c.container, schema.inventory.c.place)
            ).all()
        return {ContainerNumber.parse(c): parse_place(p) for c, p in rows}

    def head(self) -> int:
        """Sequence number of the last event in the ledger (0 when empty)."""
        return int(self._read("head")[0][0])

    def events(
        self,
        container: ContainerNumber | None = None,
        since: int = 0,
        limit: int | None = None,
        *,
        place_prefix: str | None = None,
        from_or_to_outside: bool = False,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[MoveEvent]:
        """Ledger events after ``since``, in order.

        Only ``container``'s when given; only those leaving or reaching a place whose
        text starts with ``place_prefix`` (``vessel:V1:`` for a visit's slots); only
        those coming from or going to outside the terminal when ``from_or_to_outside``;
        only those at ``start`` or later and before ``end`` when given.
        """
        e = schema.move_events.c
        plain = place_prefix is None and not from_or_to_outside and start is None and end is None
        if container is not None and plain:
            found = self._read(
                "box events", container=str(container), since=since, limit=limit or _NO_LIMIT
            )
            return [_move_event(*row) for row in found]
        query = select(
            e.seq, e.at, e.container, e.from_place, e.to_place, e.equipment, e.work_instruction
        ).where(e.seq > since)
        if container is not None:
            query = query.where(e.container == str(container))
        if place_prefix is not None:
            query = query.where(
                or_(
                    e.from_place.startswith(place_prefix, autoescape=True),
                    e.to_place.startswith(place_prefix, autoescape=True),
                )
            )
        if from_or_to_outside:
            query = query.where(or_(e.from_place.is_(None), e.to_place.is_(None)))
        if start is not None:
            query = query.where(e.at >= start)
        if end is not None:
            query = query.where(e.at < end)
        query = query.order_by(e.seq).limit(limit)
        with self.reading() as connection:
            rows = connection.execute(query).all()
        return [
            _move_event(
                r.seq, r.at, r.container, r.from_place, r.to_place, r.equipment,
                r.work_instruction,
            )
            for r in rows
        ]  # fmt: skip

    def event_times(self) -> tuple[datetime, datetime] | None:
        """The times of the ledger's earliest and latest events (``None`` when it is empty)."""
        e = schema.move_events.c
        with self.reading() as connection:
            first, last = connection.execute(select(func.min(e.at), func.max(e.at))).one()
        return None if first is None else (first, last)

    def counts(self) -> dict[str, int]:
        """Row counts: containers known, in the terminal, events, visits."""
        with self.snapshot(), self.reading() as connection:
            return {
                "containers_known": connection.execute(
                    select(func.count()).select_from(schema.containers)
                ).scalar_one(),
                "in_terminal": connection.execute(
                    select(func.count()).select_from(schema.inventory)
                ).scalar_one(),
                "events": connection.execute(select(schema.ledger_head.c.seq)).scalar_one(),
                "visits": connection.execute(
                    select(func.count()).select_from(schema.visits)
                ).scalar_one(),
            }

    def amendments(self, number: ContainerNumber | None = None) -> list[Amendment]:
        """Size-type amendments, of one box when given, in the order they were made."""
        a = schema.container_amendments.c
        query = select(
            a.after_seq, a.container, a.old_iso_type, a.new_iso_type, a.at, a.source
        ).order_by(a.id)
        if number is not None:
            query = query.where(a.container == str(number))
        with self.reading() as connection:
            return [
                Amendment(ContainerNumber.parse(r.container), r.old_iso_type, r.new_iso_type,
                          r.after_seq, r.at, r.source)
                for r in connection.execute(query)
            ]  # fmt: skip

    def interchange(self, key: str) -> ImportedInterchange | None:
        """The record of an imported interchange, or None if it was never imported."""
        with self.reading() as connection:
            return _interchange_row(connection.execute(_interchange_query(key)).mappings().first())

    def documents(self, kind: str | None = None, visit: str | None = None) -> list[JsonDoc]:
        """Documents received (bookings, releases, orders, instructions), by id."""
        d = schema.documents.c
        query = select(d.data).order_by(d.id)
        if kind is not None:
            query = query.where(d.kind == kind)
        if visit is not None:
            query = query.where(d.visit == visit)
        with self.reading() as connection:
            return [cast(JsonDoc, data) for data in connection.execute(query).scalars()]

    def appointments(
        self,
        *,
        haulier: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[Appointment]:
        """Truck appointments by slot then id, of one haulier and in ``[start, end)`` if
        given."""
        a = schema.appointments.c
        query = select(a.data).order_by(a.slot, a.id)
        if haulier is not None:
            query = query.where(a.haulier == haulier)
        if start is not None:
            query = query.where(a.slot >= start)
        if end is not None:
            query = query.where(a.slot < end)
        with self.reading() as connection:
            return [Appointment.from_dict(data) for data in connection.execute(query).scalars()]

    def appointment(self, appointment_id: str) -> Appointment:
        """One truck appointment.

        Raises
        ------
        NotFound
            No appointment has that id.
        """
        a = schema.appointments.c
        with self.reading() as connection:
            data = connection.execute(select(a.data).where(a.id == appointment_id)).scalar()
        if data is None:
            raise NotFound(f"appointment {appointment_id!r} is not known to this terminal")
        return Appointment.from_dict(data)

    def instructions(
        self, visit: str | None = None, *, container: ContainerNumber | None = None
    ) -> list[WorkInstruction]:
        """Work instructions, of one visit and of one container when given, in sequence order."""
        if visit is None and container is not None:
            found = self._read("box instructions", container=str(container))
            return [_instruction_from_dict(data) for (data,) in found]
        w = schema.work_instructions.c
        query = select(w.data).order_by(w.visit, w.sequence, w.id)
        if visit is not None:
            query = query.where(w.visit == visit)
        if container is not None:
            query = query.where(w.container == str(container))
        with self.reading() as connection:
            return [_instruction_from_dict(d) for d in connection.execute(query).scalars()]

    # -- rebuilding ------------------------------------------------------------

    def rebuild(self, *, repair: bool = False, batch: int = 50_000) -> RebuildReport:
        """Replay the whole ledger into a fresh inventory and compare it with the live one.

        Every event is checked again. The live inventory and the ledger's head
        are read in one snapshot, and events up to that head are replayed, so
        writers may go on meanwhile. With ``repair``, the inventory table is
        rewritten from the replay when they differ.

        Raises
        ------
        StorageError
            An event in the ledger breaks an invariant (the ledger itself is damaged).
        """
        started = time.perf_counter()
        engine = self.engine
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        with engine.connect() as connection, connection.begin():
            head = int(connection.execute(select(schema.ledger_head.c.seq)).scalar_one())
            live = {
                ContainerNumber.parse(c): parse_place(p)
                for c, p in connection.execute(
                    select(schema.inventory.c.container, schema.inventory.c.place)
                )
            }
            lengths = {
                ContainerNumber.parse(n): length
                for n, length in connection.execute(
                    select(schema.containers.c.number, schema.containers.c.length_ft)
                )
            }
            a = schema.container_amendments.c
            changes = [
                LengthChange(ContainerNumber.parse(n), after, old, new)
                for after, n, old, new in connection.execute(
                    select(a.after_seq, a.container, a.old_length_ft, a.new_length_ft)
                    .where(a.old_length_ft != a.new_length_ft)
                    .order_by(a.id)
                )
            ]
        state = _State(self.layout, -1, 0)
        state.lengths = lengths
        inventory = state.inventory
        move = inventory.move
        amendments = LengthReplay(inventory, lengths, changes)
        upcoming = amendments.next_after
        numbers: dict[str, ContainerNumber] = {}
        places: dict[str | None, Place | None] = {None: None}
        count = 0
        with self.engine.connect() as connection:
            state.connection = connection  # for visits' vessel profiles
            for rows in _ledger_rows(self.engine, head, batch):
                for seq, number_text, src_text, dst_text in rows:
                    try:
                        number = numbers[number_text]
                    except KeyError:
                        number = numbers[number_text] = ContainerNumber.parse(number_text)
                    try:
                        src = places[src_text]
                    except KeyError:
                        src = places[src_text] = parse_place(src_text)
                    try:
                        dst = places[dst_text]
                    except KeyError:
                        dst = places[dst_text] = parse_place(dst_text)
                    try:
                        if seq > upcoming:
                            upcoming = amendments.until(seq)
                        move(number, src, dst)
                    except OpenTosError as exc:
                        raise StorageError(
                            f"ledger event {seq} breaks an invariant: {exc}"
                        ) from None
                count += len(rows)
            try:
                amendments.until(head + 1)
            except OpenTosError as exc:
                raise StorageError(f"the ledger breaks an invariant: {exc}") from None
        replayed = inventory.positions()
        differences = _differences(live, replayed)
        repaired = False
        if differences and repair:
            self._rewrite_inventory(inventory, head)
            repaired = True
        return RebuildReport(
            count, len(replayed), tuple(differences), time.perf_counter() - started, repaired
        )

    def _rewrite_inventory(self, inventory: Inventory, head: int) -> None:
        """Replace the inventory table with ``inventory``, replayed up to event ``head``.

        The damaged table is never loaded (it may break every invariant). The
        rewrite claims the ledger like any writer and is refused with
        :class:`Conflict` if events were appended after ``head`` meanwhile.
        """
        h = schema.ledger_head.c
        with self._lock:
            try:
                with self.engine.begin() as connection:
                    seq, version = connection.execute(select(h.seq, h.version)).one()
                    claimed = connection.execute(
                        update(schema.ledger_head)
                        .where(and_(h.id == 1, h.version == version, h.seq == head))
                        .values(version=version + 1)
                    )
                    if seq != head or claimed.rowcount != 1:
                        raise Conflict(
                            f"the ledger moved on from event {head} during the rebuild; "
                            "nothing was repaired, run it again"
                        )
                    connection.execute(delete(schema.inventory))
                    rows = [
                        {"container": str(c), "place": str(p), "seq": 0}
                        for c, p in inventory.positions().items()
                    ]
                    if rows:
                        connection.execute(insert(schema.inventory), rows)
                    _log_change(connection, version + 1, ("*",))
            except DBAPIError as exc:
                raise _translate(exc, "repairing the inventory") from exc
            finally:
                self._state = None
            self._committed(version + 1, ("*",))

    # -- EDI exports -----------------------------------------------------------

    def export_reference(
        self, message: str, version: str, visit: str | None, digest: str, prefix: str, at: datetime
    ) -> ExportedInterchange:
        """The UNB reference of an export, in one transaction of its own.

        The same message, version and content (``digest``) gets its earlier record back;
        anything else gets the next number, and ``prefix`` + that number as its reference,
        with ``at`` as its time.
        """
        e = schema.edi_exports.c
        for attempt in (1, 2):
            try:
                with self.engine.begin() as connection:
                    row = (
                        connection.execute(
                            select(e.number, e.reference, e.exported_at).where(
                                e.message == message, e.version == version, e.digest == digest
                            )
                        )
                        .mappings()
                        .first()
                    )
                    if row is not None:
                        return ExportedInterchange(
                            row["number"], message, version, visit, digest,
                            row["reference"], row["exported_at"],
                        )  # fmt: skip
                    inserted = connection.execute(
                        insert(schema.edi_exports).values(
                            message=message,
                            version=version,
                            visit=visit,
                            digest=digest,
                            exported_at=at,
                        )
                    ).inserted_primary_key
                    assert inserted is not None
                    number = int(inserted[0])
                    reference = f"{prefix}{number}"
                    if len(reference) > 14:
                        raise StorageError(
                            f"export reference {reference!r} is longer than the 14 characters "
                            "ISO 9735 allows (UNB 0020)"
                        )
                    connection.execute(
                        update(schema.edi_exports)
                        .where(e.number == number)
                        .values(reference=reference)
                    )
                    return ExportedInterchange(
                        number, message, version, visit, digest, reference, at
                    )
            except IntegrityError as exc:
                # a concurrent export of the same content got there first: read its record
                if attempt == 2:
                    raise _translate(exc, "recording an EDI export") from exc
            except DBAPIError as exc:
                raise _translate(exc, "recording an EDI export") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def exported_interchanges(self) -> list[ExportedInterchange]:
        """Every interchange exported, in the order of their numbers."""
        e = schema.edi_exports.c
        query = select(
            e.number, e.message, e.version, e.visit, e.digest, e.reference, e.exported_at
        ).order_by(e.number)
        with self.reading() as connection:
            return [ExportedInterchange(*row) for row in connection.execute(query)]


_NO_LIMIT = 2**62

CHANGE_KEYS = 1_000
"""The most ids of one kind a change-log row names; more are logged as ``kind:*``."""

CHANGES_KEPT = 10_000
"""Change-log rows kept: a reader that falls further behind drops everything it keeps."""

CommitListener = Callable[[int, tuple[str, ...]], None]
"""Called after a transaction of this store commits: the version and the keys it changed."""


def _block_of(place: Place | None) -> str | None:
    return place.slot.block if isinstance(place, YardPlace) else None


def _move_event(
    seq: int,
    at: datetime,
    container: str,
    from_place: str | None,
    to_place: str | None,
    equipment: str | None,
    work_instruction: str | None,
) -> MoveEvent:
    return MoveEvent(
        ContainerNumber.parse(container),
        place_or_outside(from_place),
        place_or_outside(to_place),
        at,
        equipment,
        work_instruction,
        seq,
    )


def _status_read() -> Select[Any]:
    c, i = schema.containers.c, schema.inventory.c
    return (
        select(c.data, i.place)
        .select_from(schema.containers.outerjoin(schema.inventory, i.container == c.number))
        .where(c.number == bindparam("number"))
    )


def _box_events_read() -> Select[Any]:
    e = schema.move_events.c
    return (
        select(e.seq, e.at, e.container, e.from_place, e.to_place, e.equipment, e.work_instruction)
        .where(e.container == bindparam("container"), e.seq > bindparam("since"))
        .order_by(e.seq)
        .limit(bindparam("limit"))
    )


def _box_instructions_read() -> Select[Any]:
    w = schema.work_instructions.c
    return (
        select(w.data)
        .where(w.container == bindparam("container"))
        .order_by(w.visit, w.sequence, w.id)
    )


_HOT_READS: dict[str, Callable[[], Select[Any]]] = {
    "status": _status_read,
    "head": lambda: select(schema.ledger_head.c.seq),
    "box events": _box_events_read,
    "box instructions": _box_instructions_read,
}
"""The reads an inquiry server makes most, compiled once per store (:class:`CompiledRead`)."""


_Row = tuple[int, str, str | None, str | None]


def _ledger_rows(engine: Engine, head: int, batch: int) -> Iterator[list[_Row]]:
    """Ledger rows up to ``head``, in batches, straight from the driver (no Row objects)."""
    with engine.connect() as connection:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        sql = (
            "SELECT seq, container, from_place, to_place FROM move_events "
            f"WHERE seq > {mark} AND seq <= {mark} ORDER BY seq LIMIT {mark}"
        )
        cursor = connection.connection.cursor()
        try:
            last = 0
            while True:
                cursor.execute(sql, (last, head, batch))
                rows = cast(list[_Row], cursor.fetchall())
                if not rows:
                    return
                yield rows
                last = rows[-1][0]
        finally:
            cursor.close()


def _sqlite_time(at: datetime) -> str:
    """An aware time as SQLAlchemy's SQLite dialect stores a UTC DATETIME."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _differences(
    live: dict[ContainerNumber, Place], replayed: dict[ContainerNumber, Place]
) -> list[str]:
    differing = [c for c in set(live) | set(replayed) if live.get(c) != replayed.get(c)]
    return [
        f"{c}: inventory says {live.get(c) or 'outside'}, "
        f"ledger says {replayed.get(c) or 'outside'}"
        for c in sorted(differing)
    ]


def _instruction_from_dict(data: dict[str, object]) -> WorkInstruction:
    from opentos.model.moves import MoveKind, MoveState

    def when(key: str) -> datetime | None:
        value = data.get(key)
        return None if value is None else datetime.fromisoformat(str(value))

    sequence = data.get("sequence")
    return WorkInstruction(
        id=str(data["id"]),
        kind=MoveKind(str(data["kind"])),
        container=ContainerNumber.parse(str(data["container"])),
        from_place=place_or_outside(_opt(data.get("from_place"))),
        to_place=place_or_outside(_opt(data.get("to_place"))),
        visit=_opt(data.get("visit")),
        state=MoveState(str(data["state"])),
        sequence=int(str(sequence)) if sequence is not None else None,
        planned_start=when("planned_start"),
        actual_start=when("actual_start"),
        actual_end=when("actual_end"),
        equipment=_opt(data.get("equipment")),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _instruction_to_dict(wi: WorkInstruction) -> dict[str, object]:
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": wi.id,
        "kind": str(wi.kind),
        "container": str(wi.container),
        "from_place": None if wi.from_place is None else str(wi.from_place),
        "to_place": None if wi.to_place is None else str(wi.to_place),
        "visit": wi.visit,
        "state": str(wi.state),
        "sequence": wi.sequence,
        "planned_start": iso(wi.planned_start),
        "actual_start": iso(wi.actual_start),
        "actual_end": iso(wi.actual_end),
        "equipment": wi.equipment,
    }


def _log_change(connection: Connection, version: int, keys: tuple[str, ...]) -> None:
    """Add the change-log row of ``version`` and drop the rows older than the kept ones."""
    connection.execute(insert(schema.changes).values(version=version, keys=list(keys)))
    if version % 100 == 0:
        connection.execute(
            delete(schema.changes).where(schema.changes.c.version <= version - CHANGES_KEPT)
        )


class Transaction:
    """A unit of work on a :class:`Store`; see :meth:`Store.transaction`."""

    def __init__(self, store: Store, connection: Connection, state: _State) -> None:
        self.store = store
        self.connection = connection
        self._state = state
        self._read_version = state.version
        self._bumped = False
        # what to undo in memory on a rollback, in order: events, and amended
        # boxes in the terminal with their former length
        self._undo: list[MoveEvent | tuple[ContainerNumber, int]] = []
        self._seq = state.seq
        self._changed: dict[str, set[str]] = {}  # kind -> ids, for the change log

    def _change(self, kind: str, ids: Iterable[str | None]) -> None:
        self._changed.setdefault(kind, set()).update(i for i in ids if i is not None)

    def _changed_keys(self) -> tuple[str, ...]:
        keys: list[str] = []
        for kind, ids in sorted(self._changed.items()):
            if len(ids) > CHANGE_KEYS:
                keys.append(f"{kind}:*")
            else:
                keys.extend(f"{kind}:{i}" for i in sorted(ids))
        return tuple(keys)

    # -- reading inside the transaction ----------------------------------------

    def where(self, number: ContainerNumber) -> Place | None:
        """Where a container is, with this transaction's own changes."""
        return self._state.inventory.where(number)

    def at(self, place: Place) -> ContainerNumber | None:
        """The container at a place, with this transaction's own changes."""
        return self._state.inventory.at(place)

    @property
    def inventory(self) -> Inventory:
        """The checked inventory, with this transaction's own changes (do not modify)."""
        return self._state.inventory

    def visit(self, visit_id: str) -> Visit:
        """A visit by id, with this transaction's own changes.

        Raises
        ------
        NotFound
            No visit has that id.
        """
        found = self._state.visit(visit_id)
        if found is None:
            raise NotFound(f"no visit {visit_id!r}")
        return found

    def visits(self) -> list[Visit]:
        """Every visit, with this transaction's own changes, by planned arrival."""
        rows = self.connection.execute(select(schema.visits.c.data)).scalars()
        found = {v.id: v for v in (visit_from_dict(data) for data in rows)}
        found.update(self._state.pending_visits)
        return sorted(
            found.values(),
            key=lambda v: (v.planned_arrival is not None, v.planned_arrival or _LOAD_TIME, v.id),
        )

    def container(self, number: ContainerNumber) -> Container:
        """A container's master data, with this transaction's own changes.

        Raises
        ------
        NotFound
            No container with that number was ever registered.
        """
        return self._known_container(number)

    # -- writing ----------------------------------------------------------------

    def _bump_version(self) -> None:
        """Claim the ledger for this transaction (see the module docstring)."""
        if self._bumped:
            return
        result = self.connection.execute(
            update(schema.ledger_head)
            .where(
                and_(
                    schema.ledger_head.c.id == 1,
                    schema.ledger_head.c.version == self._read_version,
                )
            )
            .values(version=self._read_version + 1)
        )
        if result.rowcount != 1:
            raise Conflict(
                f"the terminal was changed by another transaction after this one began "
                f"(version {self._read_version}); nothing was changed, retry"
            )
        self._bumped = True

    def register(self, container: Container, *, source: str = "registration") -> None:
        """Add or update a container's master data; see :meth:`register_many`."""
        self.register_many([container], source=source)

    def register_many(
        self, containers: Sequence[Container], *, source: str = "registration"
    ) -> None:
        """Add or update many containers' master data in one statement.

        A new size-type of a known box is recorded as an amendment (from
        ``source``), so that a replay of the ledger knows each box's length at
        each event. Registration may not change the length of a box in the
        terminal: that is a checked amendment of its own (:meth:`amend_size_type`).

        Raises
        ------
        IllegalMove
            A box in the terminal would change length (``index`` names it in
            ``containers``); nothing was changed.
        """
        if not containers:
            return
        known = self._known_types([c.number for c in containers])
        inventory = self._state.inventory
        amendments: list[tuple[Container, str, int]] = []
        for index, c in enumerate(containers):
            text = str(c.number)
            before = known.get(text)
            known[text] = (c.iso_type.code, c.length_ft)
            try:
                amends = check_registration(inventory, c, before)
            except IllegalMove as exc:
                raise IllegalMove(str(exc), index) from None
            if amends:
                assert before is not None
                amendments.append((c, *before))
        self._bump_version()
        rows = [
            {
                "number": str(c.number),
                "iso_type": c.iso_type.code,
                "length_ft": c.length_ft,
                "operator": c.operator,
                "full_empty": str(c.full_empty),
                "data": c.to_dict(),
            }
            for c in containers
        ]
        self._upsert(schema.containers, rows, "number")
        for c in containers:
            self._state.pending_containers[c.number] = c
        self._change("container", (str(c.number) for c in containers))
        self._change("block", (_block_of(inventory.where(c.number)) for c in containers))
        for c, code, length in amendments:
            self._record_amendment(c, code, length, source)

    def amend_size_type(
        self, number: ContainerNumber, iso_type: SizeType, *, source: str = "amendment"
    ) -> Container:
        """Change a known box's size-type, checked and recorded; returns the amended box.

        A box in the terminal keeps its place: the place must hold the new
        length and everything standing on it must stay supported (see
        :meth:`~opentos.model.ledger.Inventory.change_length`).

        Raises
        ------
        NotFound
            The box was never registered.
        IllegalMove
            Its place cannot hold the new length; nothing was changed.
        InvalidValue
            The box's other data do not fit the new type (a reefer set-point on a dry box).
        """
        before = self._known_container(number)
        if before.iso_type.code == iso_type.code:
            return before
        after = replace(before, iso_type=iso_type)
        inventory = self._state.inventory
        inventory.change_length(number, after.length_ft)
        if inventory.where(number) is not None and after.length_ft != before.length_ft:
            self._undo.append((number, before.length_ft))
        self._bump_version()
        self._upsert(
            schema.containers,
            [
                {
                    "number": str(number),
                    "iso_type": iso_type.code,
                    "length_ft": after.length_ft,
                    "operator": after.operator,
                    "full_empty": str(after.full_empty),
                    "data": after.to_dict(),
                }
            ],
            "number",
        )
        self._state.pending_containers[number] = after
        self._record_amendment(after, before.iso_type.code, before.length_ft, source)
        self._change("container", [str(number)])
        self._change("block", [_block_of(inventory.where(number))])
        return after

    def _known_container(self, number: ContainerNumber) -> Container:
        pending = self._state.pending_containers.get(number)
        if pending is not None:
            return pending
        data = self.connection.execute(
            select(schema.containers.c.data).where(schema.containers.c.number == str(number))
        ).scalar()
        if data is None:
            raise NotFound(f"container {number} is not known to this terminal")
        return Container.from_dict(data)

    def _known_types(self, numbers: Sequence[ContainerNumber]) -> dict[str, tuple[str, int]]:
        """Size-type and length of the boxes already registered, by number text."""
        found: dict[str, tuple[str, int]] = {}
        pending = self._state.pending_containers
        texts = sorted({str(n) for n in numbers if n not in pending})
        c = schema.containers.c
        for start in range(0, len(texts), 500):
            for number, code, length in self.connection.execute(
                select(c.number, c.iso_type, c.length_ft).where(
                    c.number.in_(texts[start : start + 500])
                )
            ):
                found[number] = (code, length)
        for n in numbers:
            box = pending.get(n)
            if box is not None:
                found[str(n)] = (box.iso_type.code, box.length_ft)
        return found

    def _record_amendment(self, after: Container, code: str, length: int, source: str) -> None:
        self.connection.execute(
            insert(schema.container_amendments).values(
                after_seq=self._seq,
                container=str(after.number),
                old_iso_type=code,
                new_iso_type=after.iso_type.code,
                old_length_ft=length,
                new_length_ft=after.length_ft,
                at=datetime.now(UTC),
                source=source[:120],
            )
        )

    def add_visit(self, visit: Visit) -> None:
        """Add or replace a visit."""
        self._bump_version()
        row = {
            "id": visit.id,
            "kind": str(visit.kind),
            "phase": str(visit.phase),
            "planned_arrival": visit.planned_arrival,
            "actual_arrival": visit.actual_arrival,
            "data": visit.to_dict(),
        }
        self._upsert(schema.visits, [row], "id")
        self._state.pending_visits[visit.id] = visit
        self._change("visit", [visit.id])

    def save_instruction(self, instruction: WorkInstruction) -> None:
        """Add or replace a work instruction."""
        self._bump_version()
        row = {
            "id": instruction.id,
            "kind": str(instruction.kind),
            "state": str(instruction.state),
            "container": str(instruction.container),
            "from_place": None if instruction.from_place is None else str(instruction.from_place),
            "to_place": None if instruction.to_place is None else str(instruction.to_place),
            "visit": instruction.visit,
            "sequence": instruction.sequence,
            "data": _instruction_to_dict(instruction),
        }
        self._upsert(schema.work_instructions, [row], "id")
        self._change("instruction", [str(instruction.container)])

    def save_appointment(self, appointment: Appointment) -> None:
        """Add or replace a truck appointment."""
        self._bump_version()
        row = {
            "id": appointment.id,
            "haulier": appointment.haulier,
            "slot": appointment.slot,
            "move": str(appointment.move),
            "state": str(appointment.state),
            "data": appointment.to_dict(),
        }
        self._upsert(schema.appointments, [row], "id")
        self._change("appointment", [appointment.id])

    def appointments(self, slot: datetime) -> list[Appointment]:
        """The appointments of one slot, as this transaction sees them, by id."""
        a = schema.appointments.c
        rows = self.connection.execute(
            select(a.data).where(a.slot == slot).order_by(a.id)
        ).scalars()
        return [Appointment.from_dict(data) for data in rows]

    def appointment(self, appointment_id: str) -> Appointment:
        """One appointment, as this transaction sees it.

        Raises
        ------
        NotFound
            No appointment has that id.
        """
        a = schema.appointments.c
        data = self.connection.execute(select(a.data).where(a.id == appointment_id)).scalar()
        if data is None:
            raise NotFound(f"appointment {appointment_id!r} is not known to this terminal")
        return Appointment.from_dict(data)

    def document(self, kind: str, reference: str) -> JsonDoc | None:
        """The document ``kind:reference``, as this transaction sees it (``None``: none)."""
        d = schema.documents.c
        data = self.connection.execute(select(d.data).where(d.id == f"{kind}:{reference}")).scalar()
        return None if data is None else cast(JsonDoc, data)

    def interchange(self, key: str) -> ImportedInterchange | None:
        """The record of an imported interchange, as this transaction sees it."""
        return _interchange_row(self.connection.execute(_interchange_query(key)).mappings().first())

    def record_interchange(
        self, key: str, digest: str, messages: str, at: datetime, summary: JsonDoc
    ) -> None:
        """Note that an interchange was imported (in the same transaction as its content)."""
        self._bump_version()
        self.connection.execute(
            insert(schema.edi_interchanges).values(
                key=key, digest=digest, messages=messages, imported_at=at, summary=summary
            )
        )
        self._change("interchange", [key])

    def save_document(self, kind: str, reference: str, visit: str | None, data: JsonDoc) -> None:
        """Add or replace a received document (``kind:reference`` is its id)."""
        self._bump_version()
        row = {
            "id": f"{kind}:{reference}",
            "kind": kind,
            "reference": reference,
            "visit": visit,
            "data": data,
        }
        self._upsert(schema.documents, [row], "id")
        self._change("document", [kind])

    def _upsert(self, table: Table, rows: Sequence[Mapping[str, object]], key: str) -> None:
        dialect = self.connection.dialect.name
        stmt = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
        columns = {c: stmt.excluded[c] for c in rows[0] if c != key}
        self.connection.execute(
            stmt.on_conflict_do_update(index_elements=[key], set_=columns), rows
        )

    def record(self, events: Sequence[MoveEvent]) -> list[MoveEvent]:
        """Check and append ``events``, all or nothing; returns them with sequence numbers.

        Raises
        ------
        IllegalMove
            An event breaks an invariant (the message names it); nothing of this
            call was applied, and the transaction can go on.
        """
        if not events:
            return []
        numbered = [
            MoveEvent(
                e.container, e.from_place, e.to_place, e.at, e.equipment, e.work_instruction, seq
            )
            for seq, e in enumerate(events, start=self._seq + 1)
        ]
        inventory = self._state.inventory
        inventory.apply_all(numbered)
        try:
            self._bump_version()
            self._write(numbered)
        except BaseException:
            for event in reversed(numbered):
                inventory.revert(event)
            raise
        self._undo.extend(numbered)
        self._seq = numbered[-1].seq
        self._change("place", (e.container._text for e in numbered))
        self._change("block", (_block_of(p) for e in numbered for p in (e.from_place, e.to_place)))
        return numbered

    def _write(self, events: list[MoveEvent]) -> None:
        """Append the events and update the inventory projection.

        These two statements carry every event, so they go to the driver's
        ``executemany`` with plain tuples: SQLAlchemy's per-row parameter
        processing would cost more than the checks themselves.
        """
        connection = self.connection
        sqlite = connection.dialect.name == "sqlite"
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(
                "INSERT INTO move_events (seq, at, container, from_place, to_place, equipment, "
                f"work_instruction) VALUES ({', '.join([mark] * 7)})",
                [
                    (
                        e.seq,
                        _sqlite_time(e.at) if sqlite else e.at,
                        e.container._text,
                        None if e.from_place is None else e.from_place._text,
                        None if e.to_place is None else e.to_place._text,
                        e.equipment,
                        e.work_instruction,
                    )
                    for e in events
                ],
            )
            final: dict[str, MoveEvent] = {}
            for event in events:
                final[event.container._text] = event
            cursor.executemany(
                f"DELETE FROM inventory WHERE container = {mark}", [(c,) for c in final]
            )
            rows = [
                (c, e.to_place._text, e.seq) for c, e in final.items() if e.to_place is not None
            ]
            if rows:
                cursor.executemany(
                    "INSERT INTO inventory (container, place, seq) "
                    f"VALUES ({mark}, {mark}, {mark})",
                    rows,
                )
        finally:
            cursor.close()

    def _flush_version(self) -> None:
        if self._bumped:
            self.connection.execute(
                update(schema.ledger_head).where(schema.ledger_head.c.id == 1).values(seq=self._seq)
            )
            _log_change(self.connection, self._read_version + 1, self._changed_keys())

    def _committed(self) -> None:
        state = self._state
        if self._bumped:
            state.version = self._read_version + 1
            state.seq = self._seq
            self.store._committed(state.version, self._changed_keys())
        for number, container in state.pending_containers.items():
            state.lengths[number] = container.length_ft
        state.visits.update(state.pending_visits)
        state.pending_containers.clear()
        state.pending_visits.clear()

    def _rolled_back(self) -> None:
        state = self._state
        state.pending_containers.clear()
        state.pending_visits.clear()
        try:
            for done in reversed(self._undo):
                if isinstance(done, MoveEvent):
                    state.inventory.revert(done)
                else:
                    state.inventory.revert_length(*done)
        except Exception:
            self.store._state = None  # reload from the database next time
        self._undo.clear()


@dataclass(frozen=True, slots=True)
class ExportedInterchange:
    """An interchange the terminal wrote: its number, what it was and its UNB reference."""

    number: int
    message: str
    version: str
    visit: str | None
    digest: str
    reference: str
    exported_at: datetime


__all__ = [
    "Amendment",
    "ExportedInterchange",
    "ImportedInterchange",
    "RebuildReport",
    "Store",
    "Transaction",
    "is_sqlite",
]
