"""Event subscriptions in the database: rows in, records out, one transaction each.

The checks (scope, callback URL, codes) are :mod:`opentos.operations.subscriptions`'s;
this module only reads and writes ``event_subscriptions``. Every function takes the
:class:`~opentos.storage.store.Store` whose database holds the terminal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, and_, delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from opentos.storage import schema
from opentos.storage.store import Store, _translate

_LISTS = (
    "event_types",
    "equipment_event_type_codes",
    "transport_event_type_codes",
    "shipment_event_type_codes",
    "document_type_codes",
)
_TEXTS = (
    "carrier_booking_reference",
    "transport_document_reference",
    "transport_call_id",
    "vessel_imo_number",
    "carrier_voyage_number",
    "export_voyage_number",
    "carrier_service_code",
    "un_location_code",
    "equipment_reference",
)


@dataclass(frozen=True, slots=True)
class StoredFilters:
    """A subscription's filters as stored: code lists (empty = any) and single values."""

    event_types: tuple[str, ...] = ()
    equipment_event_type_codes: tuple[str, ...] = ()
    transport_event_type_codes: tuple[str, ...] = ()
    shipment_event_type_codes: tuple[str, ...] = ()
    document_type_codes: tuple[str, ...] = ()
    carrier_booking_reference: str | None = None
    transport_document_reference: str | None = None
    transport_call_id: str | None = None
    vessel_imo_number: str | None = None
    carrier_voyage_number: str | None = None
    export_voyage_number: str | None = None
    carrier_service_code: str | None = None
    un_location_code: str | None = None
    equipment_reference: str | None = None

    def columns(self) -> dict[str, object]:
        """The filters as column values."""
        out: dict[str, object] = {name: list(getattr(self, name)) for name in _LISTS}
        out.update({name: getattr(self, name) for name in _TEXTS})
        return out

    @classmethod
    def of_row(cls, row: RowMapping) -> StoredFilters:
        """The filters of a table row."""
        lists: dict[str, Any] = {name: tuple(str(v) for v in row[name]) for name in _LISTS}
        texts: dict[str, Any] = {name: row[name] for name in _TEXTS}
        return cls(**lists, **texts)


@dataclass(frozen=True, slots=True)
class StoredSubscription:
    """One ``event_subscriptions`` row."""

    id: uuid.UUID
    owner: str | None
    callback_url: str
    filters: StoredFilters
    secret: bytes = field(repr=False)
    position: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_row(cls, row: RowMapping) -> StoredSubscription:
        return cls(
            row["id"], row["owner"], row["callback_url"], StoredFilters.of_row(row),
            bytes(row["secret"]), int(row["position"]), row["created_at"], row["updated_at"],
        )  # fmt: skip


_T = schema.event_subscriptions


def add(store: Store, sub: StoredSubscription) -> None:
    """Insert a new subscription."""
    values: dict[str, Any] = {
        "id": sub.id,
        "owner": sub.owner,
        "callback_url": sub.callback_url,
        **sub.filters.columns(),
        "secret": sub.secret,
        "position": sub.position,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }
    try:
        with store.engine.begin() as connection:
            connection.execute(insert(_T).values(**values))
    except DBAPIError as exc:
        raise _translate(exc, f"adding subscription {sub.id}") from exc


def get(store: Store, subscription_id: uuid.UUID) -> StoredSubscription | None:
    """The subscription with that id, if there is one."""
    try:
        with store.reading() as connection:
            row = connection.execute(select(_T).where(_T.c.id == subscription_id)).mappings()
            found = row.first()
    except DBAPIError as exc:
        raise _translate(exc, f"reading subscription {subscription_id}") from exc
    return None if found is None else StoredSubscription.of_row(found)


def find(
    store: Store,
    owner: str | None,
    *,
    every_owner: bool,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int | None = None,
) -> list[StoredSubscription]:
    """Subscriptions in order of creation (then id): ``owner``'s, or all if ``every_owner``.

    ``after`` continues after a subscription's creation time and id.
    """
    c = _T.c
    query = select(_T).order_by(c.created_at, c.id)
    if not every_owner:
        query = query.where(c.owner.is_(None) if owner is None else c.owner == owner)
    if after is not None:
        at, last = after
        query = query.where((c.created_at > at) | and_(c.created_at == at, c.id > last))
    query = query.limit(limit)
    try:
        with store.reading() as connection:
            rows = connection.execute(query).mappings().all()
    except DBAPIError as exc:
        raise _translate(exc, "listing subscriptions") from exc
    return [StoredSubscription.of_row(r) for r in rows]


def change(
    store: Store,
    subscription_id: uuid.UUID,
    at: datetime,
    *,
    callback_url: str | None = None,
    filters: StoredFilters | None = None,
    secret: bytes | None = None,
) -> bool:
    """Change what is given of a subscription (and its ``updated_at``); whether it exists."""
    values: dict[str, Any] = {"updated_at": at}
    if callback_url is not None:
        values["callback_url"] = callback_url
    if filters is not None:
        values.update(filters.columns())
    if secret is not None:
        values["secret"] = secret
    try:
        with store.engine.begin() as connection:
            done = connection.execute(update(_T).where(_T.c.id == subscription_id).values(values))
    except DBAPIError as exc:
        raise _translate(exc, f"changing subscription {subscription_id}") from exc
    return bool(done.rowcount == 1)


def remove(store: Store, subscription_id: uuid.UUID) -> bool:
    """Delete a subscription; whether it existed."""
    try:
        with store.engine.begin() as connection:
            done = connection.execute(delete(_T).where(_T.c.id == subscription_id))
    except DBAPIError as exc:
        raise _translate(exc, f"deleting subscription {subscription_id}") from exc
    return bool(done.rowcount == 1)


def advance(store: Store, subscription_id: uuid.UUID, seen: int, to: int) -> bool:
    """Move the position from ``seen`` to ``to``; ``False`` if it was no longer ``seen``.

    The condition keeps two notifiers from moving a position back.
    """
    c = _T.c
    try:
        with store.engine.begin() as connection:
            done = connection.execute(
                update(_T)
                .where(and_(c.id == subscription_id, c.position == seen))
                .values(position=to)
            )
    except DBAPIError as exc:
        raise _translate(exc, f"advancing subscription {subscription_id}") from exc
    return bool(done.rowcount == 1)
