"""The server's access log is written in batches, every line within a second."""

from __future__ import annotations

import io
import logging
import time

from opentos.api.logs import BufferedStreamHandler, uvicorn_log_config


class _Counting(io.StringIO):
    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_lines_are_flushed_in_batches_and_on_close() -> None:
    stream = _Counting()
    handler = BufferedStreamHandler(stream, flush_s=0.2)
    logger = logging.getLogger("opentos.test.access")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        before = stream.flushes
        for i in range(200):
            logger.info("GET /containers/%d", i)
        assert stream.flushes - before <= 2  # not one flush per line
        assert stream.getvalue().count("\n") == 200
        deadline = time.monotonic() + 5
        while stream.flushes == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stream.flushes > before  # the timer flushed the lines left waiting
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert stream.flushes >= 1


def test_uvicorn_access_log_is_the_batched_handler() -> None:
    config = uvicorn_log_config(0.5)
    access = config["handlers"]["access"]
    assert access["()"] == "opentos.api.logs.BufferedStreamHandler"
    assert access["flush_s"] == 0.5
    assert "class" not in access
