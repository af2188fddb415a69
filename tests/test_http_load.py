"""The benchmark's load generator: every request scheduled is sent, answered and counted."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.http_load import Target, run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[int]:
    """Python's own HTTP server on 127.0.0.1 serving one file (it closes each connection)."""
    (tmp_path / "box.json").write_text('{"container": "MSCU1234566"}')
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_scheduled_request_is_answered_and_classified(file_server: int) -> None:
    """At a rate the server can take, sent = completed, and only unexpected statuses count."""
    targets = [
        Target("found", 3, ["/box.json"]),
        Target("unknown", 1, ["/nothing.json"], ok=frozenset({404})),
        Target("wrong", 1, ["/missing.json"]),
    ]
    outcome = run(file_server, targets, rate=100, duration_s=1.0, max_connections=8)
    assert outcome.sent == 100
    assert outcome.completed == 100
    assert sum(outcome.by_target.values()) == 100
    assert outcome.statuses == {
        200: outcome.by_target["found"],
        404: 100 - outcome.by_target["found"],
    }
    assert outcome.errors == outcome.by_target["wrong"] > 0
    assert len(outcome.latencies_s) == 100
    assert 0 < outcome.percentile_ms(50) <= outcome.percentile_ms(99)


def test_refuses_a_rate_that_is_not_positive() -> None:
    """A rate or duration of zero is a mistake, not an empty run."""
    with pytest.raises(ValueError, match="rate 0"):
        run(1, [Target("x", 1, ["/"])], rate=0, duration_s=1)
