"""DCSA Track & Trace 2.2 event subscriptions and their signed notifications.

A subscriber (a shipping line, or terminal staff) registers a callback URL, a
shared secret and the 2.2 filters; :func:`notify` then POSTs the new events
that match, as the 2.2 callback body (a JSON array of events), signed with the
``Notification-Signature`` header the 2.2 callback defines::

    Notification-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>

keyed with the subscription's secret (the bytes the base64 ``secret`` encodes).
The secret is stored so that the server can sign with it, and no function
here returns it.

Scope, as for the events (:mod:`opentos.operations.track_trace`): a line (its
SMDG code) sees and changes only its own subscriptions, and is notified only of
the events it may read; another line's subscription is :class:`NotFound`,
exactly like an unknown one. ``None`` (terminal staff) sees every subscription.

Callback URLs must name a host of the allow-list (``OPENTOS_CALLBACK_HOSTS``,
empty by default: no callback is allowed) and use ``https``; plain ``http`` is
accepted only for the loopback host (127.0.0.1, ::1, localhost), for tests.
URLs with user information, other schemes, fragments, or hosts that are neither
a DNS name nor an IP address are refused. The server sends nothing to any other
address: notifications follow no redirects, and the URL is checked again
against the allow-list before each one.

Position: each subscription remembers the ledger sequence number up to which
its subscriber has been told; a new one starts at the ledger's head, so it
hears of moves recorded after it was made. :func:`notify` advances it only
after a 2xx answer, so a failed delivery is sent again next time. Only actual
equipment events (the ledger's) are pushed: planned and estimated equipment
events and the vessels' transport events are derived from visits and work
instructions that change in place and have no ledger position; subscribers
read those with ``GET /v2/events``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from opentos.config import settings
from opentos.errors import InvalidValue, NotFound, OpenTosError
from opentos.model.container import JsonValue
from opentos.operations.track_trace import (
    DEFAULT_LIMIT,
    EquipmentEventTypeCode,
    Event,
    EventQuery,
    EventType,
    Facility,
    TransportEventTypeCode,
    ledger_events,
    matches,
)
from opentos.storage import subscriptions as rows
from opentos.storage.store import Store
from opentos.storage.subscriptions import StoredFilters, StoredSubscription

API_VERSION = "2.2.0"
SIGNATURE_HEADER = "Notification-Signature"
MIN_SECRET_BYTES = 32
"""A secret shorter than SHA-256's output would weaken the HMAC."""
MAX_SECRET_BYTES = 1024
MAX_URL_LENGTH = 2000
DEFAULT_BATCH = 100
"""Events per notification at most; more are sent in further notifications."""
TIMEOUT = httpx.Timeout(5.0, connect=2.0)
"""A slow subscriber must not hold up the others for long."""

SHIPMENT_EVENT_TYPE_CODES = frozenset(
    {"RECE", "DRFT", "PENA", "PENU", "REJE", "APPR", "ISSU", "SURR", "SUBM", "VOID", "CONF",
     "REQS", "CMPL", "HOLD", "RELS"}
)  # fmt: skip
DOCUMENT_TYPE_CODES = frozenset(
    {"CBR", "BKG", "SHI", "SRM", "TRD", "ARN", "VGM", "CAS", "CUS", "DGD", "OOG"}
)
_LOOPBACK_NAMES = frozenset({"localhost"})
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
_TEXT_LIMITS = {
    "carrier_booking_reference": 35,
    "transport_document_reference": 20,
    "transport_call_id": 100,
    "vessel_imo_number": 7,
    "carrier_voyage_number": 50,
    "export_voyage_number": 50,
    "carrier_service_code": 5,
    "un_location_code": 5,
    "equipment_reference": 15,
}


# -- callback URLs ---------------------------------------------------------------------------


def check_callback_url(url: str, hosts: Collection[str] | None = None) -> str:
    """``url`` if the server may POST notifications to it (see the module docstring).

    Parameters
    ----------
    url
        The callback URL.
    hosts
        The allowed hosts, lower case; by default ``OPENTOS_CALLBACK_HOSTS``.

    Raises
    ------
    InvalidValue
        The URL is malformed or not allowed; the message names it and why.
    """
    allowed = settings().callback_hosts if hosts is None else hosts

    def refuse(why: str) -> InvalidValue:
        return InvalidValue(f"callback URL {url!r} {why}")

    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url) or "\\" in url:
        raise refuse("holds white space, control characters or a backslash")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise refuse(f"is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"}:
        raise refuse(f"has scheme {scheme!r}; only https is allowed")
    if "@" in parts.netloc:
        raise refuse("carries user information (user:password@host)")
    if parts.fragment:
        raise refuse("has a fragment")
    host = parts.hostname
    if not host:
        raise refuse("names no host")
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is None and (not _HOSTNAME.fullmatch(host) or not host.rsplit(".", 1)[-1][:1].isalpha()):
        raise refuse(f"has host {host!r}, which is neither a DNS name nor an IP address")
    loopback = host in _LOOPBACK_NAMES or (ip is not None and ip.is_loopback)
    if host not in allowed:
        what = "IP address" if ip is not None else "host"
        raise refuse(f"names {what} {host!r}, which is not in OPENTOS_CALLBACK_HOSTS")
    if scheme == "http" and not loopback:
        raise refuse("must use https (plain http only for 127.0.0.1 or localhost)")
    return url


# -- secrets and signatures ---------------------------------------------------------------------


def decode_secret(secret: str) -> bytes:
    """The key a base64 ``secret`` (the 2.2 ``format: byte``) encodes.

    Raises
    ------
    InvalidValue
        Not base64, or shorter than 32 or longer than 1024 bytes (the value is not repeated).
    """
    try:
        key = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidValue("secret is not base64") from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise InvalidValue(
            f"secret encodes {len(key)} bytes; it must encode {MIN_SECRET_BYTES}-{MAX_SECRET_BYTES}"
        )
    return key


def sign(key: bytes, body: bytes) -> str:
    """The ``Notification-Signature`` value of ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(key: bytes, body: bytes, header: str) -> bool:
    """Whether a ``Notification-Signature`` header signs ``body`` with ``key``."""
    kind, _, signature = header.strip().partition("=")
    if kind != "sha256":
        return False
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


# -- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionFilters:
    """The 2.2 subscription filters: every one given must hold (AND), each list is OR.

    OpenTOS publishes no shipment events and knows no services, so a subscription
    with a shipment filter or ``carrierServiceCode`` matches nothing (as the same
    filters of ``GET /v2/events``).
    """

    event_types: frozenset[EventType] = frozenset()
    equipment_event_type_codes: frozenset[EquipmentEventTypeCode] = frozenset()
    transport_event_type_codes: frozenset[TransportEventTypeCode] = frozenset()
    shipment_event_type_codes: frozenset[str] = frozenset()
    document_type_codes: frozenset[str] = frozenset()
    carrier_booking_reference: str | None = None
    transport_document_reference: str | None = None
    transport_call_id: str | None = None
    vessel_imo_number: str | None = None
    carrier_voyage_number: str | None = None
    export_voyage_number: str | None = None
    carrier_service_code: str | None = None
    un_location_code: str | None = None
    equipment_reference: str | None = None

    def __post_init__(self) -> None:
        for code in sorted(self.shipment_event_type_codes - SHIPMENT_EVENT_TYPE_CODES):
            raise InvalidValue(f"shipmentEventTypeCode {code!r} is not a 2.2 code")
        for code in sorted(self.document_type_codes - DOCUMENT_TYPE_CODES):
            raise InvalidValue(f"documentTypeCode {code!r} is not a 2.2 code")
        for name, limit in _TEXT_LIMITS.items():
            value = getattr(self, name)
            if value is not None and not 1 <= len(value) <= limit:
                raise InvalidValue(f"{name} {value!r} must be 1-{limit} characters")

    @property
    def shipment_only(self) -> bool:
        """Whether a filter only shipment events (or services) could pass is set."""
        return bool(
            self.shipment_event_type_codes
            or self.document_type_codes
            or self.carrier_booking_reference
            or self.transport_document_reference
            or self.carrier_service_code
        )

    def query(self) -> EventQuery:
        """The events query of these filters (not the shipment ones)."""
        return EventQuery(
            event_types=self.event_types,
            equipment_event_type_codes=self.equipment_event_type_codes,
            transport_event_type_codes=self.transport_event_type_codes,
            equipment_reference=self.equipment_reference,
            transport_call_id=self.transport_call_id,
            vessel_imo_number=self.vessel_imo_number,
            carrier_voyage_number=self.carrier_voyage_number,
            export_voyage_number=self.export_voyage_number,
            un_location_code=self.un_location_code,
        )

    def matches(self, event: Event) -> bool:
        """Whether ``event`` passes every filter."""
        return not self.shipment_only and matches(event, self.query())

    def stored(self) -> StoredFilters:
        return StoredFilters(
            event_types=tuple(sorted(self.event_types)),
            equipment_event_type_codes=tuple(sorted(self.equipment_event_type_codes)),
            transport_event_type_codes=tuple(sorted(self.transport_event_type_codes)),
            shipment_event_type_codes=tuple(sorted(self.shipment_event_type_codes)),
            document_type_codes=tuple(sorted(self.document_type_codes)),
            carrier_booking_reference=self.carrier_booking_reference,
            transport_document_reference=self.transport_document_reference,
            transport_call_id=self.transport_call_id,
            vessel_imo_number=self.vessel_imo_number,
            carrier_voyage_number=self.carrier_voyage_number,
            export_voyage_number=self.export_voyage_number,
            carrier_service_code=self.carrier_service_code,
            un_location_code=self.un_location_code,
            equipment_reference=self.equipment_reference,
        )

    @classmethod
    def of_stored(cls, f: StoredFilters) -> SubscriptionFilters:
        return cls(
            event_types=frozenset(EventType(c) for c in f.event_types),
            equipment_event_type_codes=frozenset(
                EquipmentEventTypeCode(c) for c in f.equipment_event_type_codes
            ),
            transport_event_type_codes=frozenset(
                TransportEventTypeCode(c) for c in f.transport_event_type_codes
            ),
            shipment_event_type_codes=frozenset(f.shipment_event_type_codes),
            document_type_codes=frozenset(f.document_type_codes),
            carrier_booking_reference=f.carrier_booking_reference,
            transport_document_reference=f.transport_document_reference,
            transport_call_id=f.transport_call_id,
            vessel_imo_number=f.vessel_imo_number,
            carrier_voyage_number=f.carrier_voyage_number,
            export_voyage_number=f.export_voyage_number,
            carrier_service_code=f.carrier_service_code,
            un_location_code=f.un_location_code,
            equipment_reference=f.equipment_reference,
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as its owner may see it: everything but the secret."""

    id: uuid.UUID
    owner: str | None
    """The line that made it (SMDG code), ``None`` for terminal staff."""
    callback_url: str
    filters: SubscriptionFilters
    position: int
    """The ledger sequence number up to which the subscriber has been notified."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_stored(cls, s: StoredSubscription) -> Subscription:
        return cls(
            s.id, s.owner, s.callback_url, SubscriptionFilters.of_stored(s.filters),
            s.position, s.created_at, s.updated_at,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SubscriptionPage:
    """A page of subscriptions and the cursor of the next one (``None`` on the last)."""

    subscriptions: list[Subscription]
    next_cursor: str | None


def _now(now: datetime | None) -> datetime:
    at = now or datetime.now(UTC)
    if at.tzinfo is None:
        raise InvalidValue(f"time {at.isoformat()} has no time zone")
    return at


def _owned(store: Store, scope: str | None, subscription_id: uuid.UUID) -> StoredSubscription:
    found = rows.get(store, subscription_id)
    if found is None or (scope is not None and found.owner != scope):
        raise NotFound(f"no subscription {subscription_id}")
    return found


def create(
    store: Store,
    scope: str | None,
    callback_url: str,
    secret: str,
    filters: SubscriptionFilters | None = None,
    *,
    hosts: Collection[str] | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Register a subscription of ``scope``'s, notified of moves from now on.

    ``secret`` is base64 (see :func:`decode_secret`); ``hosts`` the allowed callback
    hosts (default ``OPENTOS_CALLBACK_HOSTS``).

    Raises
    ------
    InvalidValue
        The callback URL is not allowed, the secret or a filter is not valid.
    """
    url = check_callback_url(callback_url, hosts)
    key = decode_secret(secret)
    at = _now(now)
    stored = StoredSubscription(
        uuid.uuid4(), scope, url, (filters or SubscriptionFilters()).stored(), key,
        store.head(), at, at,
    )  # fmt: skip
    rows.add(store, stored)
    return Subscription.of_stored(stored)


def get(store: Store, scope: str | None, subscription_id: uuid.UUID) -> Subscription:
    """One of ``scope``'s subscriptions.

    Raises
    ------
    NotFound
        No such subscription, or not ``scope``'s.
    """
    return Subscription.of_stored(_owned(store, scope, subscription_id))


def _encode_cursor(s: StoredSubscription) -> str:
    text = f"1|{s.created_at.astimezone(UTC).isoformat()}|{s.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, at, last = text.split("|", 2)
        created = datetime.fromisoformat(at)
        if version != "1" or created.tzinfo is None:
            raise ValueError(text)
        return created, uuid.UUID(last)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidValue(f"cursor {cursor!r} is not one this server gave") from None


def find(
    store: Store, scope: str | None, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> SubscriptionPage:
    """A page of ``scope``'s subscriptions (every one for ``None``), oldest first.

    Raises
    ------
    InvalidValue
        ``limit`` is below 1, or the cursor is not one this server gave.
    """
    if limit < 1:
        raise InvalidValue(f"limit {limit} must be at least 1")
    after = None if cursor is None else _decode_cursor(cursor)
    found = rows.find(store, scope, every_owner=scope is None, after=after, limit=limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return SubscriptionPage(
        [Subscription.of_stored(s) for s in page], _encode_cursor(page[-1]) if more else None
    )


def update(
    store: Store,
    scope: str | None,
    subscription_id: uuid.UUID,
    callback_url: str,
    filters: SubscriptionFilters,
    *,
    hosts: Collection[str] | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Replace a subscription's callback URL and filters (the 2.2 ``PUT``); the position stays.

    Raises
    ------
    NotFound
        No such subscription, or not ``scope``'s.
    InvalidValue
        The callback URL is not allowed.
    """
    _owned(store, scope, subscription_id)
    url = check_callback_url(callback_url, hosts)
    if not rows.change(
        store, subscription_id, _now(now), callback_url=url, filters=filters.stored()
    ):
        raise NotFound(f"no subscription {subscription_id}")
    return get(store, scope, subscription_id)


def reset_secret(
    store: Store,
    scope: str | None,
    subscription_id: uuid.UUID,
    secret: str,
    *,
    now: datetime | None = None,
) -> None:
    """Give a subscription a new secret (base64); later notifications are signed with it.

    Raises
    ------
    NotFound
        No such subscription, or not ``scope``'s.
    InvalidValue
        The secret is not valid.
    """
    _owned(store, scope, subscription_id)
    key = decode_secret(secret)
    if not rows.change(store, subscription_id, _now(now), secret=key):
        raise NotFound(f"no subscription {subscription_id}")


def delete(store: Store, scope: str | None, subscription_id: uuid.UUID) -> None:
    """Stop a subscription.

    Raises
    ------
    NotFound
        No such subscription, or not ``scope``'s.
    """
    _owned(store, scope, subscription_id)
    if not rows.remove(store, subscription_id):
        raise NotFound(f"no subscription {subscription_id}")


# -- notifications ---------------------------------------------------------------------------

Send = Callable[[str, bytes, Mapping[str, str]], int]
"""POST ``body`` with ``headers`` to a URL, return the HTTP status; network errors raise."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification tried: to whom, how many events, the answer, and any error."""

    subscription_id: uuid.UUID
    events: int
    status: int | None
    error: str | None = None
    position: int = field(default=0)
    """The subscription's position after the attempt."""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def encode_body(events: list[JsonValue]) -> bytes:
    """The notification body: the events as compact UTF-8 JSON (the bytes that are signed)."""
    return json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _httpx_send(client: httpx.Client) -> Send:
    def send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        return client.post(url, content=body, headers=dict(headers)).status_code

    return send


def notify(
    store: Store,
    send: Send | None = None,
    *,
    hosts: Collection[str] | None = None,
    facility: Facility | None = None,
    batch: int = DEFAULT_BATCH,
) -> list[Delivery]:
    """Send each subscription the new ledger events that match it, and advance it.

    For each subscription, the actual equipment events recorded after its
    position (up to the ledger head read at the start) that its owner may see
    and its filters pass are POSTed, oldest first and at most ``batch`` a time,
    signed with its secret. A 2xx answer moves the position on; anything else,
    a refused callback URL or a network error leaves it, and the events are
    sent again by the next call. A subscription with nothing new is moved to
    the head without a request.

    Parameters
    ----------
    send
        How to POST; by default an ``httpx`` client with short timeouts that
        follows no redirects and reads no proxy or credentials from the environment.
    hosts
        The allowed callback hosts (default ``OPENTOS_CALLBACK_HOSTS``), checked again here.
    """
    if batch < 1:
        raise InvalidValue(f"batch {batch} must be at least 1")
    allowed = settings().callback_hosts if hosts is None else hosts
    if send is not None:
        return _notify(store, send, allowed, facility, batch)
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
        return _notify(store, _httpx_send(client), allowed, facility, batch)


def _notify(
    store: Store,
    send: Send,
    hosts: Collection[str],
    facility: Facility | None,
    batch: int,
) -> list[Delivery]:
    head = store.head()
    facility = facility or Facility.of(store)
    pending = [s for s in rows.find(store, None, every_owner=True) if s.position < head]
    # Each owner's events are read once, from the earliest position among its subscriptions.
    since: dict[str | None, int] = {}
    for sub in pending:
        since[sub.owner] = min(since.get(sub.owner, sub.position), sub.position)
    seen = {
        owner: list(ledger_events(store, owner, position, head, facility))
        for owner, position in since.items()
    }
    out: list[Delivery] = []
    for sub in pending:
        filters = SubscriptionFilters.of_stored(sub.filters)
        new = [
            e
            for e in seen[sub.owner]
            if e.seq is not None and sub.position < e.seq <= head and filters.matches(e)
        ]
        out.extend(_deliver(store, send, hosts, sub, new, head, batch))
    return out


def _deliver(
    store: Store,
    send: Send,
    hosts: Collection[str],
    sub: StoredSubscription,
    new: list[Event],
    head: int,
    batch: int,
) -> list[Delivery]:
    position = sub.position
    if not new:
        rows.advance(store, sub.id, position, head)
        return []
    try:
        check_callback_url(sub.callback_url, hosts)
    except InvalidValue as exc:
        return [Delivery(sub.id, len(new), None, str(exc), position)]
    out: list[Delivery] = []
    for start in range(0, len(new), batch):
        chunk = new[start : start + batch]
        to = head if start + batch >= len(new) else (chunk[-1].seq or position)
        body = encode_body([e.body for e in chunk])
        headers = {
            "Content-Type": "application/json",
            "API-Version": API_VERSION,
            "Subscription-ID": str(sub.id),
            SIGNATURE_HEADER: sign(sub.secret, body),
        }
        try:
            status = send(sub.callback_url, body, headers)
        except (httpx.HTTPError, OSError) as exc:
            out.append(Delivery(sub.id, len(chunk), None, f"{type(exc).__name__}: {exc}", position))
            break
        if not 200 <= status < 300:
            out.append(
                Delivery(sub.id, len(chunk), status, f"callback answered {status}", position)
            )
            break
        if not rows.advance(store, sub.id, position, to):
            out.append(Delivery(sub.id, len(chunk), status, "position moved meanwhile", position))
            break
        position = to
        out.append(Delivery(sub.id, len(chunk), status, None, position))
    return out


_log = logging.getLogger("opentos.notify")


class Notifier:
    """:func:`notify` every ``interval_s`` seconds in a thread, on its own store.

    ``opentos serve`` runs one beside its workers (one per server, however many
    workers it has), so each new event is sent once. A round that fails (the
    database unreachable) is logged and tried again at the next interval;
    deliveries that fail are sent again by the next round (see :func:`notify`).
    """

    def __init__(
        self,
        url: str,
        interval_s: float,
        *,
        send: Send | None = None,
        hosts: Collection[str] | None = None,
    ) -> None:
        if interval_s <= 0:
            raise InvalidValue(f"notification interval {interval_s} s must be more than 0")
        self.url = url
        self.interval_s = interval_s
        self._send = send
        self._hosts = hosts
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opentos-notify", daemon=True)
        self.rounds = 0
        """Rounds completed (for tests and monitoring)."""

    def start(self) -> None:
        """Start sending in the background."""
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the round in progress, if any."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        store: Store | None = None
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    store = store or Store.open(self.url)
                    deliveries = notify(store, self._send, hosts=self._hosts)
                except OpenTosError as exc:
                    _log.warning("notifications not sent this round: %s", exc)
                    continue
                self.rounds += 1
                for d in deliveries:
                    if d.delivered:
                        _log.info("subscription %s: %d events delivered", d.subscription_id,
                                  d.events)  # fmt: skip
                    else:
                        _log.warning("subscription %s: %d events not delivered: %s",
                                     d.subscription_id, d.events, d.error)  # fmt: skip
        finally:
            if store is not None:
                store.close()
