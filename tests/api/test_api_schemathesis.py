"""Schemathesis against the running server's own OpenAPI document: no server error, and every
response as the document says (status code, content type, headers, body schema)."""

from __future__ import annotations

import schemathesis
from api_helpers import Server
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12
"""Generated requests per operation (the same ones every run: derandomised)."""
SLOW = {"/twin-studies": (2, 120.0)}
"""Operations that take seconds each (a twin run): fewer requests, a longer timeout (s)."""


def test_the_server_keeps_to_its_openapi_document(scratch_server: Server) -> None:
    """Generated requests to every operation get no 5xx and a response as documented.

    They run on a server of their own: generated writes would change the terminal that
    the other tests read.
    """
    server = scratch_server
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    cases: dict[str, int] = {}
    operations = [found.ok() for found in schema.get_all_operations()]
    for operation in operations:

        @settings(
            max_examples=SLOW.get(operation.path, (EXAMPLES, 0.0))[0],
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            cases[case.operation.label] = cases.get(case.operation.label, 0) + 1
            timeout = SLOW.get(case.operation.path, (0, 10.0))[1]
            case.call_and_validate(
                base_url=server.url, headers=headers, checks=CHECKS, timeout=timeout
            )

        check()
    assert len(operations) >= 18
    assert len(cases) == len(operations), sorted(cases)
    print(f"schemathesis: {sum(cases.values())} cases over {len(cases)} operations")
