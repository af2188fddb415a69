"""DCSA 2.2 event subscriptions: scope, callback allow-list, secrets, paging, storage."""

from __future__ import annotations

import base64
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dcsa_helpers import BOX_LOAD, Terminal, build_terminal
from opentos.errors import InvalidValue, NotFound
from opentos.operations import subscriptions as subs
from opentos.operations.subscriptions import SubscriptionFilters
from opentos.operations.track_trace import EquipmentEventTypeCode, EventType
from opentos.presets import load_preset
from opentos.storage import subscriptions as rows
from opentos.storage.store import Store

HOSTS = frozenset({"tracking.example.com", "127.0.0.1", "192.0.2.7"})
URL = "https://tracking.example.com/dcsa/callback?shipperRef=42"
SECRET = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The DCSA scenario in a fresh SQLite file."""
    built = build_terminal(f"sqlite:///{tmp_path / 'dcsa.db'}")
    yield built
    built.store.close()


def make(store: Store, scope: str | None, **filters: object) -> subs.Subscription:
    return subs.create(
        store, scope, URL, SECRET, SubscriptionFilters(**filters),  # type: ignore[arg-type]
        hosts=HOSTS,
    )  # fmt: skip


# -- scope -------------------------------------------------------------------------------


def test_another_lines_subscription_is_not_found_like_an_unknown_one(terminal: Terminal) -> None:
    """A line cannot read, change or stop another line's subscription; it is simply not there."""
    store = terminal.store
    mine = make(store, "AAA")
    unknown = uuid.uuid4()
    for scope, wanted in (("BBB", mine.id), ("AAA", unknown)):
        with pytest.raises(NotFound, match=f"^no subscription {wanted}$"):
            subs.get(store, scope, wanted)
        with pytest.raises(NotFound, match=f"^no subscription {wanted}$"):
            subs.update(store, scope, wanted, URL, SubscriptionFilters(), hosts=HOSTS)
        with pytest.raises(NotFound, match=f"^no subscription {wanted}$"):
            subs.reset_secret(store, scope, wanted, SECRET)
        with pytest.raises(NotFound, match=f"^no subscription {wanted}$"):
            subs.delete(store, scope, wanted)
    assert subs.get(store, "AAA", mine.id) == mine


def test_a_line_lists_its_own_and_staff_list_all(terminal: Terminal) -> None:
    """The list holds the scope's subscriptions; terminal staff (None) see every one."""
    store = terminal.store
    a = make(store, "AAA")
    b = make(store, "BBB")
    staff = make(store, None)
    assert [s.id for s in subs.find(store, "AAA").subscriptions] == [a.id]
    assert [s.id for s in subs.find(store, "BBB").subscriptions] == [b.id]
    assert {s.id for s in subs.find(store, None).subscriptions} == {a.id, b.id, staff.id}
    assert subs.find(store, "CCC").subscriptions == []
    assert a.owner == "AAA"
    assert staff.owner is None


def test_staff_may_change_a_lines_subscription_which_stays_the_lines(terminal: Terminal) -> None:
    """Terminal staff reach every subscription; an update keeps its owner and position."""
    store = terminal.store
    mine = make(store, "AAA")
    changed = subs.update(
        store, None, mine.id, "https://192.0.2.7/hook",
        SubscriptionFilters(event_types=frozenset({EventType.EQUIPMENT})), hosts=HOSTS,
    )  # fmt: skip
    assert changed.owner == "AAA"
    assert changed.callback_url == "https://192.0.2.7/hook"
    assert changed.filters.event_types == {EventType.EQUIPMENT}
    assert changed.position == mine.position
    assert changed.created_at == mine.created_at
    assert changed.updated_at >= mine.updated_at
    subs.delete(store, None, mine.id)
    assert subs.find(store, "AAA").subscriptions == []


def test_a_new_subscription_starts_at_the_ledger_head(terminal: Terminal) -> None:
    """A subscription hears of moves recorded after it was made, not of earlier ones."""
    assert make(terminal.store, "AAA").position == terminal.store.head() > 0


def test_paging_walks_every_subscription_once(terminal: Terminal) -> None:
    """Cursors continue after the last subscription of a page until none is left."""
    store = terminal.store
    made = [make(store, "AAA").id for _ in range(5)]
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = subs.find(store, "AAA", limit=2, cursor=cursor)
        seen += [s.id for s in page.subscriptions]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made)
    assert len(seen) == 5
    with pytest.raises(InvalidValue, match="cursor 'nonsense'"):
        subs.find(store, "AAA", cursor="nonsense")


# -- callback URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://tracking.example.com/cb", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("http://tracking.example.com/cb", "must use https"),
        ("https://user:pw@tracking.example.com/cb", "user information"),
        ("https://tracking.example.com@evil.example.net/cb", "user information"),
        ("https://evil.example.net/cb", "'evil.example.net', which is not in"),
        ("https://10.0.0.1/cb", "IP address '10.0.0.1', which is not in"),
        ("https://[::ffff:a00:1]/cb", "IP address"),
        ("https://169.254.169.254/latest/meta-data", "IP address '169.254.169.254'"),
        ("https://2130706433/cb", "neither a DNS name nor an IP address"),
        ("https://0x7f.0.0.1/cb", "neither a DNS name nor an IP address"),
        ("https:///cb", "names no host"),
        ("https://tracking.example.com:99999/cb", "not a valid URL"),
        ("https://tracking.example.com/cb#frag", "fragment"),
        ("https://tracking.example.com/c b", "white space"),
        ("https://tracking.example.com\\@evil.example.net/", "backslash"),
        ("tracking.example.com/cb", "scheme ''"),
    ],
)
def test_callback_urls_outside_the_rules_are_refused(
    terminal: Terminal, url: str, why: str
) -> None:
    """A callback URL the rules refuse is an error naming the URL, and nothing is stored."""
    with pytest.raises(InvalidValue) as caught:
        subs.create(terminal.store, "AAA", url, SECRET, hosts=HOSTS)
    assert repr(url) in str(caught.value)
    assert why in str(caught.value)
    assert subs.find(terminal.store, None).subscriptions == []


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "https://TRACKING.example.com:8443/cb",
        "https://192.0.2.7/cb",
        "http://127.0.0.1:8080/cb",
    ],
)
def test_callback_urls_on_listed_hosts_are_accepted(url: str) -> None:
    """https to a listed name or IP, and plain http to a listed loopback address, pass."""
    assert subs.check_callback_url(url, HOSTS) == url


def test_loopback_too_must_be_listed() -> None:
    """Loopback is allowed plain http, but only when listed like any other host."""
    with pytest.raises(InvalidValue, match="'localhost', which is not in"):
        subs.check_callback_url("http://localhost:8080/cb", HOSTS)


def test_the_allow_list_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset, OPENTOS_CALLBACK_HOSTS allows nothing; set, it lists hosts comma-separated."""
    monkeypatch.delenv("OPENTOS_CALLBACK_HOSTS", raising=False)
    with pytest.raises(InvalidValue, match="not in OPENTOS_CALLBACK_HOSTS"):
        subs.check_callback_url(URL)
    monkeypatch.setenv("OPENTOS_CALLBACK_HOSTS", " other.example.org , Tracking.Example.com")
    assert subs.check_callback_url(URL) == URL


def test_an_update_to_a_refused_url_changes_nothing(terminal: Terminal) -> None:
    """PUT with a callback URL outside the allow-list is refused and the old URL stays."""
    mine = make(terminal.store, "AAA")
    with pytest.raises(InvalidValue, match=r"evil\.example\.net"):
        subs.update(
            terminal.store, "AAA", mine.id, "https://evil.example.net/", SubscriptionFilters(),
            hosts=HOSTS,
        )  # fmt: skip
    assert subs.get(terminal.store, "AAA", mine.id) == mine


# -- secrets and filters ---------------------------------------------------------------------


def test_the_secret_is_kept_for_signing_and_never_returned(terminal: Terminal) -> None:
    """The stored key is the decoded secret; what operations return has no secret at all."""
    mine = make(terminal.store, "AAA")
    assert "secret" not in {f.name for f in dataclasses.fields(subs.Subscription)}
    stored = rows.get(terminal.store, mine.id)
    assert stored is not None
    assert stored.secret == b"k" * 32
    assert "kkkk" not in repr(stored)
    assert SECRET not in repr(mine)
    subs.reset_secret(terminal.store, "AAA", mine.id, base64.b64encode(b"n" * 40).decode())
    again = rows.get(terminal.store, mine.id)
    assert again is not None
    assert again.secret == b"n" * 40


@pytest.mark.parametrize(
    ("secret", "why"),
    [("not base64!", "not base64"), (base64.b64encode(b"short").decode(), "encodes 5 bytes")],
)
def test_bad_secrets_are_refused(terminal: Terminal, secret: str, why: str) -> None:
    """A secret that is not base64, or too short for HMAC-SHA256, is refused."""
    with pytest.raises(InvalidValue, match=why):
        subs.create(terminal.store, "AAA", URL, secret, hosts=HOSTS)
    mine = make(terminal.store, "AAA")
    with pytest.raises(InvalidValue, match=why):
        subs.reset_secret(terminal.store, "AAA", mine.id, secret)


def test_filters_round_trip_through_the_database(terminal: Terminal) -> None:
    """Every filter is stored and read back as given."""
    filters = SubscriptionFilters(
        event_types=frozenset({EventType.EQUIPMENT, EventType.TRANSPORT}),
        equipment_event_type_codes=frozenset({EquipmentEventTypeCode.LOAD}),
        shipment_event_type_codes=frozenset({"DRFT"}),
        document_type_codes=frozenset({"BKG"}),
        carrier_booking_reference="ABC709951",
        transport_document_reference="TD1",
        transport_call_id="V1",
        vessel_imo_number="9321483",
        carrier_voyage_number="001E",
        export_voyage_number="001E",
        carrier_service_code="FE1",
        un_location_code="CNTAO",
        equipment_reference=str(BOX_LOAD),
    )
    mine = subs.create(terminal.store, "AAA", URL, SECRET, filters, hosts=HOSTS)
    assert subs.get(terminal.store, "AAA", mine.id).filters == filters


@pytest.mark.parametrize(
    ("filters", "why"),
    [
        ({"shipment_event_type_codes": frozenset({"NOPE"})}, "shipmentEventTypeCode 'NOPE'"),
        ({"document_type_codes": frozenset({"XYZ"})}, "documentTypeCode 'XYZ'"),
        ({"vessel_imo_number": "12345678"}, "vessel_imo_number '12345678'"),
    ],
)
def test_bad_filters_are_refused(filters: dict[str, object], why: str) -> None:
    """A code the 2.2 lists do not hold, or a value too long, is refused by name."""
    with pytest.raises(InvalidValue, match=why):
        SubscriptionFilters(**filters)  # type: ignore[arg-type]


def test_storage_round_trip_on_each_backend(database_url: str) -> None:
    """Ids, binary secrets, JSON lists and times read back the same on SQLite and PostgreSQL."""
    with Store.create(database_url, load_preset("tiny"), "tiny") as store:
        made = make(store, "AAA", event_types=frozenset({EventType.EQUIPMENT}))
        assert subs.get(store, "AAA", made.id) == made
        stored = rows.get(store, made.id)
        assert stored is not None
        assert stored.secret == b"k" * 32
        assert rows.advance(store, made.id, made.position, made.position + 3)
        assert not rows.advance(store, made.id, made.position, made.position + 5)
        assert subs.get(store, "AAA", made.id).position == made.position + 3
