"""Tables, as SQLAlchemy Core metadata; the Alembic migrations create them.

Master data (containers, visits, the layout) is stored as JSON documents next
to the columns that queries filter on. The ledger (``move_events``) is
append-only; ``inventory`` is its projection, kept in the same transaction and
rebuildable from it; ``ledger_head`` holds the sequence number of the last
event and serialises writers (see :mod:`opentos.storage.store`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)

PLACE_LENGTH = 64


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"datetime {value} has no time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

terminal = Table(
    "terminal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("preset", String(100), nullable=False),
    Column("layout", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

containers = Table(
    "containers",
    metadata,
    Column("number", String(11), primary_key=True),
    Column("iso_type", String(4), nullable=False),
    Column("length_ft", Integer, nullable=False),
    Column("operator", String(4), nullable=False),
    Column("full_empty", String(1), nullable=False),
    Column("data", JSON, nullable=False),
)

visits = Table(
    "visits",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("phase", String(12), nullable=False),
    Column("planned_arrival", UtcDateTime),
    Column("actual_arrival", UtcDateTime),
    Column("data", JSON, nullable=False),
)

work_instructions = Table(
    "work_instructions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("state", String(12), nullable=False),
    Column("container", String(11), nullable=False, index=True),
    Column("from_place", String(PLACE_LENGTH)),
    Column("to_place", String(PLACE_LENGTH)),
    Column("visit", String(40), index=True),
    Column("sequence", Integer),
    Column("data", JSON, nullable=False),
)

move_events = Table(
    "move_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("container", String(11), nullable=False),
    Column("from_place", String(PLACE_LENGTH)),
    Column("to_place", String(PLACE_LENGTH)),
    Column("equipment", String(40)),
    Column("work_instruction", String(40)),
    Index("ix_move_events_container_seq", "container", "seq"),
    Index("ix_move_events_at", "at"),
)

inventory = Table(
    "inventory",
    metadata,
    Column("container", String(11), primary_key=True),
    Column("place", String(PLACE_LENGTH), nullable=False, unique=True),
    Column("seq", BigInteger, nullable=False),
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
)

edi_interchanges = Table(
    "edi_interchanges",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("messages", String(200), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("summary", JSON, nullable=False),
)
"""Interchanges imported, by sender and UNB reference (by digest when there is no UNB)."""

documents = Table(
    "documents",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("reference", String(80), nullable=False),
    Column("visit", String(40), index=True),
    Column("data", JSON, nullable=False),
)
"""Business documents received: bookings, releases, stowage instructions, load and discharge
orders (``id`` is ``kind:reference``); the latest version of each is kept."""

container_amendments = Table(
    "container_amendments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("after_seq", BigInteger, nullable=False),
    Column("container", String(11), nullable=False),
    Column("old_iso_type", String(4), nullable=False),
    Column("new_iso_type", String(4), nullable=False),
    Column("old_length_ft", Integer, nullable=False),
    Column("new_length_ft", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(120), nullable=False),
    Index("ix_container_amendments_container", "container"),
)
"""Changes of a known box's size-type, in ledger order: ``after_seq`` is the ledger head
when the amendment was made, so a replay uses each box's length as it was at each event."""

edi_exports = Table(
    "edi_exports",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("message", String(10), nullable=False),
    Column("version", String(20), nullable=False),
    Column("visit", String(40)),
    Column("digest", String(64), nullable=False),
    Column("reference", String(14), unique=True),
    Column("exported_at", UtcDateTime, nullable=False),
    UniqueConstraint("message", "version", "digest", name="uq_edi_exports_content"),
    sqlite_autoincrement=True,
)
"""Interchanges the terminal wrote: each message, version and content has one UNB reference
(ISO 9735 0020, an..14) made from ``number``; the same export again gets it back."""

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("role", String(12), nullable=False),
    Column("party", String(35)),
    Column("kind", String(8), nullable=False),
    Column("key_id", String(16), unique=True),
    Column("secret_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)
"""People (``kind`` password: an argon2 hash of the password) and machine clients (``kind``
api_key: ``key_id`` is the key's public prefix, the argon2 hash is of its secret part);
``party`` scopes a role: the SMDG line code of a line, the company of a haulier."""

event_subscriptions = Table(
    "event_subscriptions",
    metadata,
    Column("id", Uuid(as_uuid=True), primary_key=True),
    Column("owner", String(10), index=True),
    Column("callback_url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("equipment_event_type_codes", JSON, nullable=False),
    Column("transport_event_type_codes", JSON, nullable=False),
    Column("shipment_event_type_codes", JSON, nullable=False),
    Column("document_type_codes", JSON, nullable=False),
    Column("carrier_booking_reference", String(35)),
    Column("transport_document_reference", String(20)),
    Column("transport_call_id", String(100)),
    Column("vessel_imo_number", String(7)),
    Column("carrier_voyage_number", String(50)),
    Column("export_voyage_number", String(50)),
    Column("carrier_service_code", String(5)),
    Column("un_location_code", String(5)),
    Column("equipment_reference", String(15)),
    Column("secret", LargeBinary, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""DCSA Track & Trace 2.2 event subscriptions: ``owner`` is the line (SMDG code) that made
one, ``NULL`` for terminal staff; the filters as the 2.2 subscription body names them (lists
as JSON arrays, empty = no filter); ``secret`` the key of the notifications' HMAC, which the
API never returns; ``position`` the ledger sequence number up to which the subscriber has
been notified."""

changes = Table(
    "changes",
    metadata,
    Column("version", BigInteger, primary_key=True, autoincrement=False),
    Column("keys", JSON, nullable=False),
)
"""What each writing transaction changed, by the ``ledger_head.version`` it committed:
``keys`` is a list of ``kind:id`` strings (``container:MSCU1234565``, ``place:…``,
``block:A01``, ``visit:…``, ``instruction:…`` for the box it moves, ``document:…`` for
its kind), ``kind:*`` when one transaction changed more than
:data:`~opentos.storage.store.CHANGE_KEYS` of a kind. Processes that keep answers in memory
follow it to drop exactly what changed (see :mod:`opentos.operations.readcache`). Only
the last :data:`~opentos.storage.store.CHANGES_KEPT` rows are kept; a reader that fell
further behind, or sees a version with no row, drops everything."""

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("haulier", String(35), nullable=False, index=True),
    Column("slot", UtcDateTime, nullable=False, index=True),
    Column("move", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("data", JSON, nullable=False),
)
"""Truck appointments (:class:`~opentos.model.appointments.Appointment`), by id; the slot,
haulier and state beside the document for the queries of a slot and of a haulier."""
