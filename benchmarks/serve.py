"""Server benchmark: a constant-rate mix of inquiries against ``opentos serve --workers 2``.

The terminal is qianwan-1 on a throwaway PostgreSQL holding 100,000 containers
(the yard half full, the rest registered as boxes that have left) and
1,000,000 ledger events: the yard's arrivals, each brought in by a truck visit
of its own (a gate-in onto the truck, then off it into the yard), then moves
shuffling the yard.
The server runs as a user runs it, ``opentos serve --workers 2``, in its own
processes; the load generator (:mod:`benchmarks.http_load`) drives it from
this process over 127.0.0.1 with an open loop, so latencies count from when
each request was due. The mix:

- 60 % the status of a container by number (``GET /containers/{number}``),
- 25 % its Track & Trace events (``GET /v2/events?equipmentReference=``),
- 10 % the vessel schedule (``GET /schedule``, public),
- 5 % a block's bay view (``GET /yard/blocks/{block}.svg``),

as a planner with a bearer token, while a writer relocates ``WRITES_PER_S``
boxes a second in the yard through :func:`opentos.operations.moves.relocate`
(one transaction each, as an operator confirms a move), so that answers the
workers keep are dropped and read again as they would be in a terminal at work.
Each rate runs for ``DURATION_S``; the figures are the achieved rate,
p50/p95/p99 latency and the errors (any status but 200, or no answer).
Target: 2,000 inquiries/s with p99 <= 50 ms and no errors. A fresh server
(nothing kept in memory yet) is measured first, at ``COLD_RATE``; the rates
then run after a warm-up. Building the database is timed too (it is what a user waits for
before the first request).
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine

from benchmarks.http_load import Outcome, Target
from benchmarks.http_load import run as drive
from benchmarks.workload import workload
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace
from opentos.model.visits import TruckVisit, VisitPhase
from opentos.presets import load_preset
from opentos.storage.pgserver import PostgresServer, find_pg_bindir
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory

Row = tuple[str, str, str]

CONTAINERS = 100_000
EVENTS = 1_000_000
RATES = (500, 750, 1_000, 1_500, 2_000)
QUICK_RATES = (500, 1_000, 2_000)
DURATION_S = 15.0
WARM_RATE = 800
COLD_RATE, COLD_S = 1_000, 15.0
WRITES_PER_S = 5.0
SECRET = "benchmark-signing-key-" + "x" * 32


def _chunks(events: Iterator[MoveEvent], size: int) -> Iterator[list[MoveEvent]]:
    while chunk := list(itertools.islice(events, size)):
        yield chunk


def _trucks(arrivals: list[MoveEvent]) -> list[TruckVisit]:
    """One truck visit per arrival, come and gone, 400 trucks taking turns."""
    return [
        TruckVisit(
            id=f"T{i:06d}",
            phase=VisitPhase.DEPARTED,
            planned_arrival=arrival.at,
            actual_arrival=arrival.at,
            actual_departure=arrival.at + timedelta(minutes=20),
            licence_plate=f"QD-{i % 400:04d}",
        )
        for i, arrival in enumerate(arrivals)
    ]


def _through_the_gate(arrivals: list[MoveEvent]) -> Iterator[MoveEvent]:
    """Each arrival as its truck brings it: in at the gate on the truck (a DCSA GTIN), then
    off the truck into its yard slot."""
    for i, arrival in enumerate(arrivals):
        truck = f"T{i:06d}"
        on = EquipmentPlace(truck)
        yield MoveEvent(arrival.container, None, on, arrival.at, equipment=truck)
        yield MoveEvent(
            arrival.container, on, arrival.to_place, arrival.at + timedelta(milliseconds=500)
        )


@dataclass(frozen=True, slots=True)
class Terminal:
    """What :func:`build` made: every box, the boxes in the yard, the block ids, and the
    yard moves that continue the ledger (for the writer)."""

    numbers: list[ContainerNumber]
    in_yard: list[ContainerNumber]
    blocks: list[str]
    next_moves: list[MoveEvent]


def build(url: str, containers: int, events: int, spare_moves: int = 0) -> Terminal:
    """The terminal: ``containers`` boxes, ``events`` ledger events, and ``spare_moves``
    valid moves after them, not recorded."""
    layout = load_preset("qianwan-1")
    work = workload(layout, occupancy=0.5, seed=11)
    factory = ContainerFactory(random.Random(12))
    taken = {c.number for c in work.containers}
    others: list[Container] = []
    while len(work.containers) + len(others) < containers:
        box = factory.make()
        if box.number not in taken:
            taken.add(box.number)
            others.append(box)
    store = Store.create(url, layout, "qianwan-1")
    try:
        with store.transaction() as tx:
            tx.register_many(work.containers + others)
            for truck in _trucks(work.arrivals):
                tx.add_visit(truck)
        gate_ins = list(_through_the_gate(work.arrivals))
        recorded = max(0, events - len(gate_ins))
        moves = work.moves(recorded + spare_moves)
        for chunk in _chunks(itertools.chain(gate_ins, itertools.islice(moves, recorded)), 20_000):
            with store.transaction() as tx:
                tx.record(chunk)
        from opentos.operations.users import Role, add_user

        add_user(store, "planner", Role.PLANNER)
    finally:
        store.close()
    _vacuum(url)
    in_yard = [c.number for c in work.containers]
    return Terminal(sorted(taken, key=str), in_yard, [b.id for b in layout.blocks], list(moves))


class Writer:
    """Relocations recorded at a steady rate in a thread of its own, one transaction each."""

    def __init__(self, url: str, moves: list[MoveEvent], per_s: float) -> None:
        self.url, self.moves, self.per_s = url, iter(moves), per_s
        self.done = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Writer:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        from opentos.operations.moves import relocate

        store = Store.open(self.url)
        try:
            due = time.monotonic()
            while not self._stop.wait(max(0.0, due - time.monotonic())):
                move = next(self.moves, None)
                if move is None:
                    return
                assert move.to_place is not None
                relocate(store, move.container, move.to_place, at=move.at)
                self.done += 1
                due += 1 / self.per_s
        finally:
            store.close()


def _vacuum(url: str) -> None:
    """``VACUUM ANALYZE``: the statistics and visibility a database in use has, so that
    the autovacuum after the bulk load does not run during the measurement."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OPENTOS_DATABASE_URL": url,
        "OPENTOS_SECRET_KEY": SECRET,
        "OPENTOS_ACCESS_TOKEN_EXPIRY_S": "86400",
    }
    command = [sys.executable, "-m", "opentos", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"opentos serve exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("opentos serve did not start within 60 s")


def _token(url: str) -> str:
    """A planner's bearer token, signed as the server signs them."""
    from opentos.api.security import issue_token
    from opentos.operations.users import Role, User

    del url
    return issue_token(User("planner", Role.PLANNER), SECRET, 86_400)


def targets(
    numbers: list[ContainerNumber], in_yard: list[ContainerNumber], blocks: list[str], token: str
) -> list[Target]:
    """The mix of inquiries: the status of any of 2,000 boxes, the events of 2,000 boxes that
    have some (those in the yard), the schedule, the view of any block."""
    rng = random.Random(3)
    sample = rng.sample(numbers, min(2_000, len(numbers)))
    moved = rng.sample(in_yard, min(2_000, len(in_yard)))
    gzip = ("Accept-Encoding", "gzip, deflate")  # as browsers and HTTP libraries send
    auth = (("Authorization", f"Bearer {token}"), gzip)
    return [
        Target("container status", 60, [f"/containers/{n}" for n in sample], auth),
        Target("T&T events", 25, [f"/v2/events?equipmentReference={n}" for n in moved], auth),
        Target("schedule", 10, ["/schedule"], (gzip,)),
        Target("block view", 5, [f"/yard/blocks/{b}.svg" for b in blocks], auth),
    ]


def _warm(port: int, mix: list[Target]) -> None:
    """Bring both workers to how a server is after some use: every block drawn, each box's
    status and events asked about four times or so (so that most answers are kept by both
    workers), database connections opened and their statements prepared, worker threads
    started."""
    for target in mix:
        if target.name == "block view":
            drive(port, [target], rate=20, duration_s=len(target.paths) * 4 / 20)
        elif target.name in ("container status", "T&T events"):
            drive(port, [target], rate=WARM_RATE, duration_s=len(target.paths) * 4 / WARM_RATE)


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux ``/proc``)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found = [pid]
    for candidate in sorted(parents):
        if parents[candidate] in found:
            found.append(candidate)
    return found


def _cpu_s(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of ``pids`` still running."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings: a process started meanwhile counts whole; one
    that ended meanwhile is not counted (its last seconds are lost, so this is a floor)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass(frozen=True, slots=True)
class Measured:
    """One rate's outcome and the CPU each part used for it."""

    outcome: Outcome
    server_cpu_s: float
    database_cpu_s: float
    generator_cpu_s: float
    writes: int = 0

    def per_inquiry_ms(self, cpu_s: float) -> float:
        return cpu_s / max(self.outcome.completed, 1) * 1000


def measure(port: int, mix: list[Target], rate: float, duration_s: float,
            server: int, database: int, writer: Writer | None = None) -> Measured:  # fmt: skip
    """Drive ``rate`` inquiries/s (with ``writer`` writing meanwhile) and count the CPU of
    the server's and the database's processes and of this one (the load generator and the
    writer)."""
    servers, databases = _cpu_s(_descendants(server)), _cpu_s(_descendants(database))
    generator = time.process_time()
    written = 0 if writer is None else writer.done
    outcome = drive(port, mix, rate=rate, duration_s=duration_s)
    written = 0 if writer is None else writer.done - written
    generator = time.process_time() - generator
    return Measured(
        outcome,
        _used(servers, _cpu_s(_descendants(server))),
        _used(databases, _cpu_s(_descendants(database))),
        generator,
        written,
    )


def _row(m: Measured) -> Row:
    o = m.outcome
    return (
        f"serve --workers 2, {o.rate_asked:,.0f} inquiries/s asked for {o.duration_s:.0f} s",
        f"{o.achieved_rate:,.0f}/s answered, p50 {o.percentile_ms(50):.1f} ms, "
        f"p95 {o.percentile_ms(95):.1f} ms, p99 {o.percentile_ms(99):.1f} ms, "
        f"{o.errors} errors ({o.unanswered} unanswered), {o.retried} sent again on a new "
        f"connection, {o.late_start} waited for a "
        f"connection; CPU per inquiry: server {m.per_inquiry_ms(m.server_cpu_s):.2f} ms, "
        f"PostgreSQL {m.per_inquiry_ms(m.database_cpu_s):.2f} ms, load generator "
        f"{m.per_inquiry_ms(m.generator_cpu_s):.2f} ms; {m.writes} moves written meanwhile"
        + (f"; statuses {dict(sorted(o.statuses.items()))}" if set(o.statuses) - {200} else ""),
        ">= 2,000/s, p99 <= 50 ms, 0 errors",
    )


def run(quick: bool = False) -> list[Row]:
    """Build the terminal, serve it, drive each rate; rows of (figure, value, target)."""
    bindir = find_pg_bindir()
    if bindir is None:
        return [("serve benchmark", "skipped: no PostgreSQL server binaries", "")]
    containers, events = (10_000, 100_000) if quick else (CONTAINERS, EVENTS)
    duration = 5.0 if quick else DURATION_S
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder, PostgresServer(bindir) as pg:
        pg.create_database("serve")
        url = pg.socket_url("serve")  # a database on the same machine: its Unix socket
        started = time.perf_counter()
        spare = int(WRITES_PER_S * (duration * len(RATES) + COLD_S + 60))
        terminal = build(url, containers, events, spare)
        rows.append(
            (
                f"build the terminal: {containers:,} containers, {events:,} events (PostgreSQL)",
                f"{time.perf_counter() - started:.0f} s",
                "",
            )
        )
        port = _free_port()
        server = _serve(url, port, Path(folder) / "serve.log")
        try:
            mix = targets(terminal.numbers, terminal.in_yard, terminal.blocks, _token(url))
            with Writer(url, terminal.next_moves, WRITES_PER_S) as writer:
                cold = measure(port, mix, COLD_RATE, COLD_S, server.pid, pg.pid, writer)
                figure, value, _target = _row(cold)
                rows.append((figure.replace("serve", "a fresh serve") + ", nothing kept yet",
                             value, ""))  # fmt: skip
                _warm(port, mix)
                for rate in QUICK_RATES if quick else RATES:
                    measured = measure(port, mix, rate, duration, server.pid, pg.pid, writer)
                    rows.append(_row(measured))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return rows


def main() -> None:
    """``python -m benchmarks.serve [--quick]``: this benchmark alone."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller terminal, 5 s per rate")
    args = parser.parse_args()
    for row in run(args.quick):
        print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
