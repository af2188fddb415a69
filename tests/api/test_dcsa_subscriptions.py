"""The DCSA 2.2 subscription routes in a minimal app, driven in-process over ASGI transport."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI

from dcsa_helpers import TNT, Terminal, build_terminal, dcsa_app
from opentos.api.dcsa import models
from opentos.api.dcsa.subscriptions import router
from opentos.storage import subscriptions as rows
from opentos.storage.store import Store

SECRET = base64.b64encode(b"s" * 32).decode()
URL = "https://tracking.example.com/callback?ref=7"
BASE = "/v2/event-subscriptions"


def _validator(component: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{component}", "components": TNT["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


SUBSCRIPTION = _validator("subscription")
WITH_SECRET = _validator("subscriptionBodyWithSecret")


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    """The DCSA scenario in a fresh SQLite file, with tracking.example.com allowed."""
    monkeypatch.setenv("OPENTOS_CALLBACK_HOSTS", "tracking.example.com")
    built = build_terminal(f"sqlite:///{tmp_path / 'dcsa.db'}")
    yield built
    built.store.close()


def app_for(store: Store) -> FastAPI:
    return dcsa_app(store, router)


def call(
    store: Store, method: str, url: str, line: str | None = None, body: object = None
) -> httpx.Response:
    headers = {} if line is None else {"X-Line": line}

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app_for(store))
        async with httpx.AsyncClient(transport=transport, base_url="http://tos.test") as client:
            return await client.request(method, url, headers=headers, json=body)

    return asyncio.run(run())


def new_body(**filters: object) -> dict[str, object]:
    body: dict[str, object] = {"callbackUrl": URL, "secret": SECRET, **filters}
    assert list(WITH_SECRET.iter_errors(body)) == []
    return body


def create(store: Store, line: str | None = "AAA", **filters: object) -> dict[str, Any]:
    response = call(store, "POST", BASE, line, new_body(**filters))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_post_answers_the_subscription_without_its_secret(terminal: Terminal) -> None:
    """POST is a 201 with a 2.2 subscription body, the filters given and no secret."""
    response = call(
        terminal.store, "POST", BASE, "AAA",
        new_body(eventType=["EQUIPMENT"], equipmentEventTypeCode=["LOAD", "DISC"]),
    )  # fmt: skip
    assert response.status_code == 201
    assert response.headers["API-Version"] == "2.2.0"
    body = response.json()
    assert list(SUBSCRIPTION.iter_errors(body)) == []
    assert "secret" not in body
    assert SECRET not in response.text
    assert body["callbackUrl"] == URL
    assert body["eventType"] == ["EQUIPMENT"]
    assert body["equipmentEventTypeCode"] == ["DISC", "LOAD"]
    stored = rows.get(terminal.store, uuid.UUID(body["subscriptionID"]))
    assert stored is not None
    assert stored.owner == "AAA"


def test_get_and_list_never_show_the_secret(terminal: Terminal) -> None:
    """GET of one subscription and of the list answer the subscription schema, without secret."""
    made = create(terminal.store)
    one = call(terminal.store, "GET", f"{BASE}/{made['subscriptionID']}", "AAA")
    assert one.status_code == 200
    assert one.headers["API-Version"] == "2.2.0"
    assert one.json() == made
    listed = call(terminal.store, "GET", BASE, "AAA")
    assert listed.status_code == 200
    assert listed.json() == [made]
    assert listed.headers["Current-Page"] == f"http://tos.test{BASE}"
    for text in (one.text, listed.text):
        assert "secret" not in text
        assert SECRET not in text


def test_another_lines_subscription_is_a_404_like_an_unknown_one(terminal: Terminal) -> None:
    """Every route answers 404 with the error body for another line's subscription."""
    made = create(terminal.store)
    mine = made["subscriptionID"]
    put_body = {"callbackUrl": URL}
    for method, suffix, body in (
        ("GET", "", None),
        ("PUT", "", put_body),
        ("DELETE", "", None),
        ("PUT", "/secret", {"secret": SECRET}),
    ):
        theirs = call(terminal.store, method, f"{BASE}/{mine}{suffix}", "BBB", body)
        unknown = call(terminal.store, method, f"{BASE}/{uuid.uuid4()}{suffix}", "BBB", body)
        assert theirs.status_code == unknown.status_code == 404, (method, suffix)
        error = models.Error.model_validate(theirs.json())
        assert error.errors[0].message == f"no subscription {mine}"
    assert call(terminal.store, "GET", BASE, "BBB").json() == []
    assert call(terminal.store, "GET", f"{BASE}/{mine}", "AAA").json() == made


def test_put_replaces_the_filters_and_refuses_a_secret(terminal: Terminal) -> None:
    """PUT replaces URL and filters; a secret in its body is refused (POST only)."""
    made = create(terminal.store, equipmentEventTypeCode=["LOAD"])
    url = f"{BASE}/{made['subscriptionID']}"
    new = {"callbackUrl": URL + "&v=2", "transportEventTypeCode": ["ARRI"]}
    changed = call(terminal.store, "PUT", url, "AAA", new)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"subscriptionID": made["subscriptionID"], **new}
    with_secret = call(terminal.store, "PUT", url, "AAA", {**new, "secret": SECRET})
    assert with_secret.status_code == 422
    other_id = call(terminal.store, "PUT", url, "AAA", {**new, "subscriptionID": str(uuid.uuid4())})
    assert other_id.status_code == 400


def test_put_secret_changes_the_key_and_answers_nothing(terminal: Terminal) -> None:
    """PUT .../secret is a 204 with no body; the stored key is the new one."""
    made = create(terminal.store)
    new = base64.b64encode(b"t" * 32).decode()
    response = call(
        terminal.store, "PUT", f"{BASE}/{made['subscriptionID']}/secret", "AAA", {"secret": new}
    )
    assert response.status_code == 204
    assert response.headers["API-Version"] == "2.2.0"
    assert response.content == b""
    stored = rows.get(terminal.store, uuid.UUID(made["subscriptionID"]))
    assert stored is not None
    assert stored.secret == b"t" * 32


def test_delete_stops_the_subscription(terminal: Terminal) -> None:
    """DELETE is a 204, after which the subscription is a 404."""
    made = create(terminal.store)
    url = f"{BASE}/{made['subscriptionID']}"
    response = call(terminal.store, "DELETE", url, "AAA")
    assert response.status_code == 204
    assert response.headers["API-Version"] == "2.2.0"
    assert call(terminal.store, "GET", url, "AAA").status_code == 404


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"callbackUrl": "https://evil.example.net/cb", "secret": SECRET}, "evil.example.net"),
        ({"callbackUrl": "http://tracking.example.com/cb", "secret": SECRET}, "https"),
        ({"callbackUrl": URL, "secret": "c2hvcnQ="}, "secret encodes 5 bytes"),
        ({"callbackUrl": URL, "secret": SECRET, "scheduleID": str(uuid.uuid4())}, "scheduleID"),
    ],
)
def test_bad_subscriptions_are_400_naming_the_value(
    terminal: Terminal, body: dict[str, object], needle: str
) -> None:
    """A refused callback URL, a bad secret or an unsupported filter is a 400 that says why."""
    response = call(terminal.store, "POST", BASE, "AAA", body)
    assert response.status_code == 400
    error = models.Error.model_validate(response.json())
    assert needle in error.errors[0].message
    assert call(terminal.store, "GET", BASE).json() == []


def test_a_body_outside_the_schema_is_a_422(terminal: Terminal) -> None:
    """An unknown event code or a missing secret breaks the request model."""
    body = {"callbackUrl": URL, "secret": SECRET, "eventType": ["PARCEL"]}
    assert list(WITH_SECRET.iter_errors(body)) != []
    bad_code = call(terminal.store, "POST", BASE, "AAA", body)
    assert bad_code.status_code == 422
    no_secret = call(terminal.store, "POST", BASE, "AAA", {"callbackUrl": URL})
    assert no_secret.status_code == 422


def test_the_list_pages_with_next_page_links(terminal: Terminal) -> None:
    """Next-Page links walk every subscription once."""
    made = {create(terminal.store)["subscriptionID"] for _ in range(3)}
    seen: list[str] = []
    url: str | None = f"{BASE}?limit=2"
    while url is not None:
        response = call(terminal.store, "GET", url, "AAA")
        assert response.status_code == 200
        seen += [s["subscriptionID"] for s in response.json()]
        url = response.headers.get("Next-Page")
    assert sorted(seen) == sorted(made)
    bad = call(terminal.store, "GET", f"{BASE}?cursor=nonsense", "AAA")
    assert bad.status_code == 400


def test_openapi_shows_the_subscription_paths(terminal: Terminal) -> None:
    """The app's OpenAPI document has the 2.2 subscription paths and models."""
    spec = app_for(terminal.store).openapi()
    paths = spec["paths"]
    assert set(paths[BASE]) == {"get", "post"}
    assert set(paths[BASE + "/{subscriptionID}"]) == {"get", "put", "delete"}
    assert set(paths[BASE + "/{subscriptionID}/secret"]) == {"put"}
    schemas = spec["components"]["schemas"]
    assert {"Subscription", "SubscriptionBodyWithSecret", "SecretBody"} <= set(schemas)
    assert "secret" not in schemas["Subscription"]["properties"]
