"""Answers to hot inquiries kept in memory, each dropped when what it was read from changes.

A server answers the same questions again and again (where is this box, its
Track & Trace events, the schedule, a block's drawing) while the terminal
changes a few boxes a second. A :class:`ReadCache` keeps each answer with the
*keys* it depends on (``container:…``, ``place:…``, ``block:…``, ``visit:…``,
``instruction:…``, ``document:…``; ``kind:*`` for every id of a kind) and drops
it when a transaction changes one of them:

- transactions of this process's store drop their keys as they commit;
- a watcher thread follows the database's change log (``changes``, written by
  every writing transaction of every process) every ``poll_s`` seconds, so
  other workers' and other processes' changes are dropped within that time.
  A version the log has no row for (pruned, or written by a tool that does not
  log) drops everything.

An answer is never kept if one of its keys changed after the reader looked at
the cache's version (:meth:`ReadCache.stamp`): a reader that raced a writer
keeps nothing, so a kept answer is at most ``poll_s`` behind the database.
The cache is bounded (least recently used answers go first).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from opentos.errors import StorageError
from opentos.storage.store import Store

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

log = logging.getLogger("opentos.readcache")

EVERYTHING = "*"
"""The key that every answer depends on: a change of it drops everything."""

_TRACKED = 200_000
"""Keys whose last change is remembered (for the race with readers), before forgetting."""


@dataclass(frozen=True, slots=True)
class Read(Generic[T_co]):
    """An answer and the keys it was read from."""

    value: T_co
    keys: Collection[str]


def kind_of(key: str) -> str:
    """``container`` for ``container:MSCU1234565`` (and ``*`` for ``*``)."""
    return key.partition(":")[0]


class ReadCache:
    """Answers kept in memory, following the store's changes (see the module docstring).

    Parameters
    ----------
    store
        The terminal; the cache listens to its commits and reads its change log.
    entries
        The most answers kept.
    poll_s
        How often the watcher reads the change log (:meth:`start`).
    """

    def __init__(self, store: Store, entries: int, poll_s: float) -> None:
        if entries < 1:
            raise ValueError(f"a read cache keeps at least 1 answer, not {entries}")
        self.store = store
        self.entries = entries
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, tuple[object, tuple[str, ...]]] = OrderedDict()
        self._by_key: dict[str, set[Hashable]] = {}
        self._by_kind: dict[str, set[Hashable]] = {}
        self._changed_at: dict[str, int] = {}  # key or "kind:*" -> version it last changed
        self._floor = 0  # answers read before this version may not be kept
        self._version = store.version()  # the newest change applied: readers' stamp
        self._followed = self._version  # how far the change log has been read
        self.hits = 0
        self.misses = 0
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        store.on_commit(self.changed)

    # -- answers ---------------------------------------------------------------

    def stamp(self) -> int:
        """The version the cache has followed up to: take it before reading an answer."""
        return self._version

    def get(self, key: Hashable) -> object | None:
        """The answer kept under ``key``, or ``None``."""
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, read: Read[object], stamp: int) -> None:
        """Keep ``read`` under ``key``, unless one of its keys changed after ``stamp``."""
        keys = tuple(read.keys)
        with self._lock:
            if stamp < self._floor or any(self._newer(k, stamp) for k in keys):
                return
            self._drop(key)
            self._answers[key] = (read.value, keys)
            for k in keys:
                self._by_key.setdefault(k, set()).add(key)
                self._by_kind.setdefault(kind_of(k), set()).add(key)
            while len(self._answers) > self.entries:
                self._drop(next(iter(self._answers)))

    def answer(self, key: Hashable, read: Callable[[], Read[T]]) -> T:
        """The answer under ``key``, read (and kept) if there is none."""
        found = self.get(key)
        if found is not None:
            return found  # type: ignore[return-value]  # kept by this call's type
        stamp = self.stamp()
        fresh = read()
        self.put(key, fresh, stamp)
        return fresh.value

    def __len__(self) -> int:
        return len(self._answers)

    def _newer(self, key: str, stamp: int) -> bool:
        changed = self._changed_at
        kind = kind_of(key)
        return (
            changed.get(key, -1) > stamp
            or changed.get(f"{kind}:*", -1) > stamp
            or changed.get(EVERYTHING, -1) > stamp
        )

    def _drop(self, key: Hashable) -> None:
        found = self._answers.pop(key, None)
        if found is None:
            return
        for k in found[1]:
            for index, name in ((self._by_key, k), (self._by_kind, kind_of(k))):
                held = index.get(name)
                if held is not None:
                    held.discard(key)
                    if not held:
                        del index[name]

    # -- changes ---------------------------------------------------------------

    def changed(self, version: int, keys: Collection[str]) -> None:
        """Drop every answer that depends on one of ``keys``, changed at ``version``."""
        with self._lock:
            if len(self._changed_at) > _TRACKED:
                self._changed_at.clear()
                self._floor = max(self._floor, version)
            for key in keys:
                self._changed_at[key] = max(self._changed_at.get(key, -1), version)
                kind, _, ident = key.partition(":")
                if key == EVERYTHING:
                    doomed: set[Hashable] = set(self._answers)
                elif ident == "*":
                    doomed = set(self._by_kind.get(kind, ()))
                else:
                    doomed = set(self._by_key.get(key, ()))
                    doomed |= self._by_key.get(f"{kind}:*", set())
                doomed |= self._by_key.get(EVERYTHING, set())
                for answer in doomed:
                    self._drop(answer)
            self._version = max(self._version, version)

    def poll(self) -> int:
        """Read the change log once and drop what changed; returns the versions applied."""
        after = self._followed
        version, rows = self.store.changes(after)
        if version <= after:
            return 0
        expected = after + 1
        for row_version, keys in rows:
            if row_version != expected:
                break
            self.changed(row_version, keys)
            expected += 1
        if expected <= version:  # a version without its row: anything may have changed
            self.changed(version, (EVERYTHING,))
        self._followed = version
        return version - after

    def start(self) -> None:
        """Follow the change log in a daemon thread until :meth:`stop`."""
        if self._watcher is not None:
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="opentos-readcache", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Stop following the change log (and wait for the watcher)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _watch(self) -> None:
        failing = False
        while not self._stop.wait(self.poll_s):
            try:
                self.poll()
            except StorageError as exc:
                if not failing:
                    log.warning("read cache: the change log cannot be read (%s)", exc)
                failing = True
                with self._lock:  # nothing kept can be trusted until the log is read again
                    self._drop_all()
                continue
            if failing:
                log.info("read cache: the change log is read again")
            failing = False

    def _drop_all(self) -> None:
        self._answers.clear()
        self._by_key.clear()
        self._by_kind.clear()
