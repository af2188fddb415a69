"""The server: settings refuse default secrets, API keys work, a SIGKILL loses no commit."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from api_helpers import Server, login, start_server, stop_server

from opentos.api.app import create_app
from opentos.config import DEVELOPMENT_SECRET_KEY, Settings
from opentos.errors import ConfigError


@pytest.mark.parametrize("key", ["", DEVELOPMENT_SECRET_KEY, "short-secret"])
def test_production_refuses_default_secrets(key: str) -> None:
    """Outside development the app refuses an empty, the published or a short signing key."""
    with pytest.raises(ConfigError, match="OPENTOS_SECRET_KEY"):
        create_app(Settings(secret_key=key, environment="production"))


def test_development_falls_back_to_its_key() -> None:
    """In development an unset signing key is the published development key."""
    assert Settings(environment="development").signing_key() == DEVELOPMENT_SECRET_KEY


def test_serve_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    """`opentos serve` without a signing key exits with one line naming the setting."""
    env = {"PATH": "/usr/bin:/bin", "OPENTOS_ENVIRONMENT": "production"}
    url = f"sqlite:///{tmp_path / 'none.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "opentos", "-d", url, "serve", "--port", "1"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "OPENTOS_SECRET_KEY" in done.stderr


def test_openapi_and_docs(server: Server) -> None:
    """The OpenAPI document and the docs page are served, with title, version and tags."""
    spec = server.get(None, "/openapi.json").json()
    assert (spec["info"]["title"], spec["info"]["version"]) == ("OpenTOS", "0.1.0")
    assert {"containers", "visits", "yard", "public", "identity"} <= {
        t["name"] for t in spec["tags"]
    }
    assert "/containers/{number}" in spec["paths"]
    assert server.get(None, "/docs").status_code == 200


def test_unknown_path_is_a_problem(server: Server) -> None:
    """An unknown path answers 404 as problem details, like every error."""
    response = server.get(None, "/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_login_refuses_a_wrong_password(server: Server) -> None:
    """A wrong password gets 401 and no token."""
    response = server.http.post("/token", data={"username": "admin", "password": "wrong"})
    assert response.status_code == 401
    assert "access_token" not in response.json()


def test_machine_client_with_an_api_key(server: Server) -> None:
    """An admin adds a machine client; its API key works and a person's login does not."""
    response = server.http.post(
        "/users",
        headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        json={"name": "customs-gateway", "role": "customs", "api_key": True},
    )
    assert response.status_code == 201
    key = response.json()["secret"]
    me = server.http.get("/me", headers={"X-API-Key": key})
    assert me.json() == {"name": "customs-gateway", "role": "customs", "party": None}
    assert server.http.get("/yard/blocks", headers={"X-API-Key": key}).status_code == 403
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert server.http.get("/me", headers={"X-API-Key": tampered}).status_code == 401
    refused = server.http.post("/token", data={"username": "customs-gateway", "password": key})
    assert refused.status_code == 401


def test_a_line_user_needs_its_line_code(server: Server) -> None:
    """Adding a line without its SMDG code is 400; adding a name twice is 409."""
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    no_party = server.http.post("/users", headers=headers, json={"name": "x", "role": "line"})
    assert no_party.status_code == 400
    twice = server.http.post("/users", headers=headers, json={"name": "admin", "role": "admin"})
    assert twice.status_code == 409


def test_sigkill_loses_no_committed_user(server: Server, tmp_path: Path) -> None:
    """Users added before the server is killed with SIGKILL are there after a restart."""
    second = start_server(server.database_url, tmp_path / "second.log")
    added = {}
    try:
        headers = {"Authorization": f"Bearer {login(second, 'admin', server.passwords['admin'])}"}
        with httpx.Client(base_url=second.url, headers=headers, timeout=10) as client:
            for i in range(3):
                body = {"name": f"planner-{i}", "role": "planner"}
                response = client.post("/users", json=body)
                assert response.status_code == 201
                added[body["name"]] = response.json()["secret"]
        second.process.send_signal(signal.SIGKILL)
        assert second.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop_server(second)
    third = start_server(server.database_url, tmp_path / "third.log")
    try:
        for name, password in added.items():
            token = login(third, name, password)
            me = httpx.get(
                f"{third.url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            assert me.json()["name"] == name
    finally:
        stop_server(third)


def test_workers_share_the_database(server: Server, tmp_path: Path) -> None:
    """With --workers 2 each worker opens the store and honours the same tokens."""
    workers = start_server(server.database_url, tmp_path / "workers.log", "--workers", "2")
    try:
        token = login(workers, "planner", server.passwords["planner"])
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=workers.url, headers=headers, timeout=10) as client:
            for _ in range(6):
                assert (
                    client.get("/yard/blocks", headers={"Connection": "close"}).status_code == 200
                )
    finally:
        stop_server(workers)
    assert (tmp_path / "workers.log").read_text().count("Started server process") == 2


def test_wrong_method_names_the_allowed_ones(server: Server) -> None:
    """A method a path does not serve answers 405 with an Allow header (RFC 9110)."""
    response = server.http.delete("/schedule")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


def test_problems_are_in_the_openapi_document(server: Server) -> None:
    """Every route documents its problem responses as application/problem+json; the DCSA
    routes answer a bad filter (400) and an unknown event (404) in DCSA's own error body."""
    spec = server.get(None, "/openapi.json").json()
    for path, operations in spec["paths"].items():
        dcsa = path.startswith(("/v2/", "/v3/"))
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "422"):
                content = operation["responses"][status]["content"]
                if "application/problem+json" not in content:
                    assert dcsa, (method, path, status)
                    assert status in ("400", "404"), (method, path, status)
                    schema = content["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path)
