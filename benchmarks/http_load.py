"""An open-loop HTTP load generator: requests at a constant rate, latency from the schedule.

Request ``i`` is due at ``start + i / rate`` whatever happened to the earlier
ones (an open loop, as real users arrive), so a server that falls behind shows
it in the latency instead of slowing the generator down ("coordinated
omission"): each latency is measured from the time the request was due, not
from when a connection became free to send it.

The client is deliberately small: HTTP/1.1 keep-alive over asyncio streams,
requests encoded once, responses read by ``Content-Length`` (or chunked). It
sends only to 127.0.0.1 and stops by itself after ``duration_s``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
ANSWER_TIMEOUT_S = 30.0
"""How long after the last request is sent its answers are awaited."""


@dataclass(frozen=True, slots=True)
class Target:
    """One kind of request in the mix: its share, and the paths to draw from."""

    name: str
    weight: float
    paths: Sequence[str]
    headers: Sequence[tuple[str, str]] = ()
    ok: frozenset[int] = frozenset({200})
    """Statuses that are not errors (e.g. 404 for an id that is rightly unknown)."""


@dataclass(slots=True)
class Outcome:
    """What one run measured."""

    rate_asked: float
    duration_s: float
    sent: int = 0
    completed: int = 0
    errors: int = 0
    late_start: int = 0
    """Requests that could not even be sent on time for lack of a free connection."""
    latencies_s: list[float] = field(default_factory=list)
    by_target: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    retried: int = 0
    """Requests sent again because the kept-alive connection was closed under them."""
    unanswered: int = 0
    """Requests with no answer within :data:`ANSWER_TIMEOUT_S` of the last one sent."""
    span_s: float = 0.0
    """From the first request's due time to the last answer."""

    @property
    def achieved_rate(self) -> float:
        """Answers per second over the span it took to get them all."""
        return self.completed / self.span_s if self.span_s else 0.0

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile of latency in milliseconds (nearest rank)."""
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


def _request(path: str, headers: Sequence[tuple[str, str]]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {LOOPBACK}", "Accept: */*"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status_text = lines[0].split(" ", 2)[:2]
    status = int(status_text)
    length = None
    chunked = False
    keep = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        if key == "content-length":
            length = int(value.strip())
        elif key == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif key == "connection":
            keep = value.strip().lower() == "keep-alive" or (keep and "close" not in value.lower())
    if length is not None:
        await reader.readexactly(length)
    elif chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif not keep:
        await reader.read()
    return status, keep


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False
        """Whether a response came on it already (it may since have been closed by the server)."""

    async def get(self, request: bytes) -> tuple[int, bool]:
        self.writer.write(request)
        return await _read_response(self.reader)

    def close(self) -> None:
        self.writer.close()


async def _run(
    port: int,
    targets: Sequence[Target],
    rate: float,
    duration_s: float,
    max_connections: int,
    seed: int,
) -> Outcome:
    rng = random.Random(seed)
    weights = [t.weight for t in targets]
    encoded = [[_request(p, t.headers) for p in t.paths] for t in targets]
    outcome = Outcome(rate, duration_s)
    idle: list[_Connection] = []
    opened = 0
    waiters = 0
    waiting: asyncio.Queue[_Connection | None] = asyncio.Queue()
    pending: set[asyncio.Task[None]] = set()

    async def connection() -> _Connection:
        nonlocal opened, waiters
        if idle:
            return idle.pop()
        if opened >= max_connections:
            outcome.late_start += 1
            waiters += 1
            handed = await waiting.get()
            waiters -= 1
            if handed is not None:
                return handed
        opened += 1  # a new connection: room was left, or a closed one's room was handed on
        reader, writer = await asyncio.open_connection(LOOPBACK, port)
        return _Connection(reader, writer)

    def release(conn: _Connection | None) -> None:
        """Hand a connection (None: the room of a closed one) to a waiting request, or keep it."""
        nonlocal opened
        if conn is None:
            opened -= 1
        if waiters:
            waiting.put_nowait(conn)
        elif conn is not None:
            idle.append(conn)

    async def one(due: float, which: int, request: bytes) -> None:
        conn = await connection()
        try:
            status, keep = await conn.get(request)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            conn.close()
            if not conn.used:
                release(None)
                outcome.errors += 1
                return
            # A kept-alive connection the server closed as it idled: send the (idempotent)
            # GET again on a new one, as HTTP clients do (RFC 9110, 9.2.2).
            outcome.retried += 1
            reader, writer = await asyncio.open_connection(LOOPBACK, port)
            conn = _Connection(reader, writer)
            try:
                status, keep = await conn.get(request)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                release(None)
                outcome.errors += 1
                return
        conn.used = True
        done = time.perf_counter()
        if keep:
            release(conn)
        else:
            conn.close()
            release(None)
        outcome.completed += 1
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if status not in targets[which].ok:
            outcome.errors += 1
        outcome.latencies_s.append(done - due)

    start = time.perf_counter() + 0.05
    total = int(rate * duration_s)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        which = rng.choices(range(len(targets)), weights)[0]
        request = rng.choice(encoded[which])
        name = targets[which].name
        outcome.by_target[name] = outcome.by_target.get(name, 0) + 1
        task = asyncio.create_task(one(due, which, request))
        pending.add(task)
        task.add_done_callback(pending.discard)
        outcome.sent += 1
    if pending:
        _done, unanswered = await asyncio.wait(pending, timeout=ANSWER_TIMEOUT_S)
        for task in unanswered:  # no answer in time is an error too
            task.cancel()
        outcome.errors += len(unanswered)
        outcome.unanswered = len(unanswered)
    outcome.span_s = max(time.perf_counter() - start, duration_s)
    for conn in idle:
        conn.close()
    return outcome


def run(
    port: int,
    targets: Sequence[Target],
    *,
    rate: float,
    duration_s: float,
    max_connections: int = 256,
    seed: int = 1,
) -> Outcome:
    """Send ``rate`` requests per second for ``duration_s`` to 127.0.0.1:``port``."""
    if rate <= 0 or duration_s <= 0:
        raise ValueError(f"rate {rate} and duration {duration_s} must be > 0")
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    return runner(_run(port, targets, rate, duration_s, max_connections, seed))
