"""Every route declares its roles through one gate; credentials are checked everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api_helpers import IN_YARD, SECRET, UNKNOWN, USERS, Server
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from opentos.api.app import create_app
from opentos.api.security import RoleGate, issue_token
from opentos.config import Settings
from opentos.operations.users import Role, User

ROLE_OF_USER = {role: name for name, (role, _party) in USERS.items() if name != "other-line"}
# routes FastAPI itself adds: the documentation, open to anyone by design
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/static"}
SAMPLE_PATHS = {
    "number": str(IN_YARD),
    "visit_id": "V1",
    "block": "A01",
    "eventID": "00000000-0000-5000-8000-000000000000",
    "subscriptionID": "00000000-0000-4000-8000-000000000000",
    "kind": "quarantine",
    "appointment_id": "AP-NO-SUCH",
}
WRITE_SAMPLE_PATHS = {**SAMPLE_PATHS, "number": str(UNKNOWN), "visit_id": "NO-SUCH-VISIT"}
"""A write probe names no box or visit of the terminal (and sends an empty body): a role
that gets past the gate is refused further on (404, 422), and the data stay as they are."""
SAMPLE_QUERIES = {
    "/berth-plan": {"from": "2026-03-01T00:00:00Z", "to": "2026-03-05T00:00:00Z"},
    "/kpis": {"from": "2026-03-01T00:00:00Z", "to": "2026-03-05T00:00:00Z"},
}


def _gates(dependant: Dependant) -> list[RoleGate]:
    found = [dependant.call] if isinstance(dependant.call, RoleGate) else []
    for sub in dependant.dependencies:
        found.extend(_gates(sub))
    return found


def _routes() -> list[tuple[str, str, frozenset[Role]]]:
    app = create_app(Settings(secret_key=SECRET, environment="production"))
    routes = []
    # included routers are flattened the way FastAPI itself walks them for OpenAPI
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            assert context.path in FRAMEWORK_ROUTES, context.path
            continue
        gates = _gates(route.dependant)
        assert len(gates) == 1, f"{context.path} has {len(gates)} role gates; it needs one"
        for method in sorted(context.methods or ()):
            routes.append((method, str(context.path), gates[0].roles))
    return routes


ROUTES = _routes()


def _url(method: str, path: str) -> str:
    samples = SAMPLE_PATHS if method == "GET" else WRITE_SAMPLE_PATHS
    for name, value in samples.items():
        path = path.replace("{" + name + "}", value)
    return path


def _call(server: Server, method: str, path: str, headers: dict[str, str]) -> int:
    body = {} if method == "POST" else None
    params = SAMPLE_QUERIES.get(path)
    response = server.http.request(
        method, _url(method, path), headers=headers, params=params, json=body
    )
    return response.status_code


def test_every_route_has_one_gate() -> None:
    """Each route of the app declares its roles through exactly one RoleGate."""
    assert len(ROUTES) >= 15
    writes = {(m, p) for m, p, _ in ROUTES if m != "GET"}
    assert {("POST", "/visits"), ("POST", "/moves/discharge"), ("POST", "/interchanges"),
            ("DELETE", "/containers/{number}/holds/{kind}")} <= writes  # fmt: skip
    assert all(roles for _m, _p, roles in ROUTES)


@pytest.mark.parametrize(
    ("method", "path", "roles"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_credentials_are_checked(
    server: Server, method: str, path: str, roles: frozenset[Role]
) -> None:
    """No token is 401 unless public; bad, foreign or expired tokens and bad keys are 401."""
    public = Role.PUBLIC in roles
    expired = issue_token(
        User("admin", Role.ADMIN), SECRET, 60, datetime.now(UTC) - timedelta(hours=1)
    )
    foreign = issue_token(User("admin", Role.ADMIN), "another-secret-" + "x" * 32, 600)
    unsigned = jwt.encode(
        {"sub": "admin", "iss": "opentos", "iat": 0, "exp": 2**33}, None, algorithm="none"
    )
    assert (_call(server, method, path, {}) == 401) is not public
    for bad in ("not-a-token", expired, foreign, unsigned):
        assert _call(server, method, path, {"Authorization": f"Bearer {bad}"}) == 401, bad
    assert _call(server, method, path, {"X-API-Key": "otk_000000000000_" + "A" * 43}) == 401
    assert _call(server, method, path, {"X-API-Key": "garbage"}) == 401


@pytest.mark.parametrize(
    ("method", "path", "roles"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_roles_are_enforced(server: Server, method: str, path: str, roles: frozenset[Role]) -> None:
    """Each role outside a route's roles gets 403; each role inside gets past the gate."""
    for role, user in ROLE_OF_USER.items():
        status = _call(server, method, path, {"Authorization": f"Bearer {server.tokens[user]}"})
        if role in roles or Role.PUBLIC in roles:
            assert status not in (401, 403), (role, status)
        else:
            assert status == 403, (role, status)


PLANNERS = frozenset({Role.ADMIN, Role.PLANNER})
GATE = PLANNERS | {Role.GATE}
CUSTOMS = PLANNERS | {Role.CUSTOMS}
BOOKERS = GATE | {Role.HAULIER}
WRITE_ROLES = {
    ("POST", "/visits"): PLANNERS,
    ("PATCH", "/visits/{visit_id}"): PLANNERS,
    ("POST", "/visits/{visit_id}/arrival"): PLANNERS,
    ("POST", "/visits/{visit_id}/departure"): PLANNERS,
    ("PUT", "/visits/{visit_id}/berth"): PLANNERS,
    ("POST", "/visits/{visit_id}/stowage-plan"): PLANNERS,
    ("POST", "/visits/{visit_id}/crane-plan"): PLANNERS,
    ("POST", "/truck-visits"): GATE,
    ("PATCH", "/truck-visits/{visit_id}"): GATE,
    ("POST", "/truck-visits/{visit_id}/arrival"): GATE,
    ("POST", "/truck-visits/{visit_id}/departure"): GATE,
    ("POST", "/moves/discharge"): PLANNERS,
    ("POST", "/moves/load"): PLANNERS,
    ("POST", "/moves/relocation"): PLANNERS,
    ("POST", "/moves/gate-in"): GATE,
    ("POST", "/moves/gate-out"): GATE,
    ("POST", "/containers/{number}/holds"): CUSTOMS,
    ("DELETE", "/containers/{number}/holds/{kind}"): CUSTOMS,
    ("POST", "/customs-responses/apply"): CUSTOMS,
    ("POST", "/interchanges"): PLANNERS,
    ("POST", "/twin-studies"): PLANNERS,
    ("PUT", "/slot-rules"): PLANNERS,
    ("POST", "/appointments"): BOOKERS,
    ("PATCH", "/appointments/{appointment_id}"): BOOKERS,
    ("DELETE", "/appointments/{appointment_id}"): BOOKERS,
    ("POST", "/appointments/{appointment_id}/close"): GATE,
    ("POST", "/appointments/{appointment_id}/check-in"): GATE,
}
HAULIERS_WRITE = {"/appointments", "/appointments/{appointment_id}"}
"""Hauliers book, change and cancel their own truck appointments; they write nothing else."""


def test_writes_allow_the_roles_of_the_work() -> None:
    """Planners write visits, plans, quay and yard moves and interchanges; the gate its
    trucks; customs holds; hauliers only their truck appointments; lines and the public
    write nothing."""
    gates = {(m, p): roles for m, p, roles in ROUTES}
    assert {key: gates.get(key) for key in WRITE_ROLES} == WRITE_ROLES
    for (method, path), roles in gates.items():
        if method != "GET" and path not in ("/token", "/users") and "/v2/" not in path:
            assert (method, path) in WRITE_ROLES, (method, path)
            assert not roles & {Role.LINE, Role.PUBLIC}, (method, path)
            assert Role.HAULIER not in roles or path in HAULIERS_WRITE, (method, path)
