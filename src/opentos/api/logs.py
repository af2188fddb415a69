"""The server's access log, written in batches.

Uvicorn writes one access-log line per request and flushes the stream after
each, a system call per request. :class:`BufferedStreamHandler` writes the
lines as they come but flushes at most every ``flush_s`` seconds (and on
shutdown), as web servers' buffered access logs do (nginx ``access_log ...
flush=``): a line reaches the log within that time.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any, TextIO

FLUSH_S = 1.0
"""How long an access-log line may wait in the buffer."""


class BufferedStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler that flushes at most every ``flush_s`` seconds (and on close)."""

    def __init__(self, stream: TextIO | None = None, flush_s: float = FLUSH_S) -> None:
        super().__init__(stream)
        self.flush_s = flush_s
        self._flushed = time.monotonic()
        self._closed = threading.Event()
        self._timer = threading.Thread(target=self._flush_now_and_then, daemon=True)
        self._timer.start()

    def flush(self) -> None:
        """Flush if the last flush is ``flush_s`` old (called after each record)."""
        if time.monotonic() - self._flushed >= self.flush_s:
            self._flush()

    def _flush(self) -> None:
        self._flushed = time.monotonic()
        super().flush()

    def _flush_now_and_then(self) -> None:
        while not self._closed.wait(self.flush_s):
            self._flush()

    def close(self) -> None:
        """Flush what is left and stop the timer."""
        self._closed.set()
        self._flush()
        super().close()


def uvicorn_log_config(flush_s: float = FLUSH_S) -> dict[str, Any]:
    """Uvicorn's logging configuration, with the access log written in batches."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    access = config["handlers"]["access"]
    access["()"] = f"{__name__}.BufferedStreamHandler"
    access.pop("class", None)
    access["flush_s"] = flush_s
    return config
