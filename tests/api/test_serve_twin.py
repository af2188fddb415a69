"""`opentos serve --twin`: the twin runs live against the served terminal, into its ledger."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from api_helpers import start_server, stop_server

from opentos.storage.store import Store


def test_serve_runs_the_twin_live_into_the_terminals_ledger(tmp_path: Path) -> None:
    """The live view's state advances and the served store's ledger grows while it runs."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    subprocess.run(
        [sys.executable, "-m", "opentos", "-d", url, "init", "--preset", "qianwan-1"],
        check=True,
        capture_output=True,
    )
    server = start_server(url, tmp_path / "serve.log", "--twin", "small-call", "--speed", "400")
    try:
        seen: list[dict[str, object]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(seen) < 2:
            response = httpx.get(f"{server.url}/live/state", timeout=5)
            if response.status_code == 200:
                state = response.json()
                if int(state["moves"]) > 0 and (not seen or state["time_s"] != seen[-1]["time_s"]):
                    seen.append(state)
            time.sleep(0.3)
        assert len(seen) == 2, (tmp_path / "serve.log").read_text()[-2000:]
        assert float(str(seen[1]["time_s"])) > float(str(seen[0]["time_s"]))
        assert httpx.get(f"{server.url}/live", timeout=5).status_code == 200
        with Store.open(url) as store:
            events = store.events()
        assert events  # the scenario's yard, loaded into the empty terminal
        assert any(e.from_place is not None for e in events)  # the twin's moves, as they happen
    finally:
        stop_server(server)


def test_a_live_twin_needs_one_worker(tmp_path: Path) -> None:
    """--twin with several workers is refused before anything starts."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "opentos", "-d", url, "serve", "--twin", "small-call",
         "--workers", "2"],
        capture_output=True,
        text=True,
        env={"OPENTOS_SECRET_KEY": "s" * 40, "PATH": ""},
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "--twin runs in one worker" in result.stderr + result.stdout
