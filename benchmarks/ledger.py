"""Ledger benchmarks: append throughput (SQLite, PostgreSQL) and rebuild of 1,000,000 events.

Targets (issue "Foundation"): >= 20,000 events/s appended in batches on SQLite;
inventory rebuilt from 1,000,000 events in <= 10 s.
"""

from __future__ import annotations

import itertools
import resource
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from benchmarks.workload import Workload, workload
from opentos.model.ledger import MoveEvent
from opentos.presets import load_preset
from opentos.storage.pgserver import PostgresServer, find_pg_bindir
from opentos.storage.store import Store


def _chunks(events: Iterable[MoveEvent], size: int) -> Iterator[list[MoveEvent]]:
    iterator = iter(events)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _load(store: Store, work: Workload, moves: int, batch: int) -> tuple[int, float]:
    """Register the containers and fill the yard, then append ``moves`` moves in
    transactions of ``batch`` events; returns (events timed, seconds in transactions).

    With batches of 1,000 or more the fill is timed too; with smaller batches
    only the moves are (single-event transactions measure one move's cost).
    """
    with store.transaction() as tx:
        tx.register_many(work.containers)
    bulk = batch >= 1_000
    if not bulk:
        for chunk in _chunks(work.arrivals, 10_000):
            with store.transaction() as tx:
                tx.record(chunk)
    stream = itertools.chain(work.arrivals, work.moves(moves)) if bulk else work.moves(moves)
    seconds = 0.0
    count = 0
    for chunk in _chunks(stream, batch):  # the workload's own generation is not timed
        started = time.perf_counter()
        with store.transaction() as tx:
            tx.record(chunk)
        seconds += time.perf_counter() - started
        count += len(chunk)
    return count, seconds


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def append_throughput(url: str, moves: int, batch: int) -> dict[str, float]:
    """Events per second appended in transactions of ``batch`` events."""
    layout = load_preset("qianwan-1")
    work = workload(layout)
    with Store.create(url, layout, "qianwan-1") as store:
        count, seconds = _load(store, work, moves, batch)
    return {"events": count, "seconds": seconds, "events_per_s": count / seconds}


def rebuild(events_total: int, batch: int = 10_000) -> dict[str, float]:
    """Append ``events_total`` events on SQLite, then time a full rebuild from the ledger."""
    layout = load_preset("qianwan-1")
    work = workload(layout)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'rebuild.db'}"
        with Store.create(url, layout, "qianwan-1") as store:
            count, append_s = _load(store, work, events_total - len(work.arrivals), batch)
        with Store.open(url) as store:
            report = store.rebuild()
        assert report.consistent, report.differences[:3]
    return {
        "events": report.events,
        "append_events_per_s": count / append_s,
        "rebuild_s": report.seconds,
        "rebuild_events_per_s": report.events / report.seconds,
        "containers": report.containers,
    }


def _urls(tmp: Path) -> Iterator[tuple[str, Callable[[str], str]]]:
    """(backend name, database factory) for SQLite and, when installed, PostgreSQL."""
    yield "SQLite", lambda name: f"sqlite:///{tmp / name}.db"
    bindir = find_pg_bindir()
    if bindir is None:
        return
    with PostgresServer(bindir) as server:
        yield "PostgreSQL", server.create_database


def run(quick: bool = False) -> list[tuple[str, str, str]]:
    """Run the ledger benchmarks; rows of (figure, value, target)."""
    rows: list[tuple[str, str, str]] = []
    moves = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        backends = 0
        for backend, new_database in _urls(Path(tmp)):
            backends += 1
            for batch in (1_000, 1):
                r = append_throughput(
                    new_database(f"append_{batch}"), moves if batch > 1 else 2_000, batch
                )
                target = ">= 20,000 events/s" if batch > 1 and backend == "SQLite" else ""
                rows.append(
                    (
                        f"{backend} append, {batch} event(s) per transaction "
                        f"({r['events']:,.0f} events)",
                        f"{r['events_per_s']:,.0f} events/s",
                        target,
                    )
                )
        if backends == 1:
            rows.append(("PostgreSQL append", "not run: no PostgreSQL binaries", ""))
    total = 100_000 if quick else 1_000_000
    r = rebuild(total)
    rows.append(
        (
            f"SQLite append while loading {r['events']:,.0f} events (10,000 per transaction)",
            f"{r['append_events_per_s']:,.0f} events/s",
            ">= 20,000 events/s",
        )
    )
    rows.append(
        (
            f"rebuild inventory from {r['events']:,.0f} events ({r['containers']:,.0f} boxes)",
            f"{r['rebuild_s']:.2f} s ({r['rebuild_events_per_s']:,.0f} events/s)",
            "<= 10 s for 1,000,000",
        )
    )
    rows.append(("peak memory of the benchmark process", f"{peak_rss_mib():,.0f} MiB", ""))
    return rows
