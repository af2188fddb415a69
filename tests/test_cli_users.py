"""`opentos users`: a new user's secret is printed once and works; bad roles are refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from opentos.operations.users import Role, check_api_key, check_password, users
from opentos.presets import load_preset
from opentos.storage.store import Store


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opentos", "-d", url, "users", *args],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_users_add_prints_a_working_secret(tmp_path: Path) -> None:
    """The printed password and API key authenticate; the list shows roles, never secrets."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    person = run(url, "add", "ann", "--role", "line", "--party", "MSC")
    client = run(url, "add", "gw", "--role", "customs", "--api-key")
    assert person.returncode == client.returncode == 0, person.stderr + client.stderr
    password = person.stdout.splitlines()[-1]
    key = client.stdout.splitlines()[-1]
    with Store.open(url) as store:
        ann = check_password(store, "ann", password)
        assert (ann.role, ann.party) == (Role.LINE, "MSC")
        assert check_api_key(store, key).name == "gw"
        assert [u.name for u in users(store)] == ["ann", "gw"]
    listed = run(url, "list")
    assert "MSC" in listed.stdout
    assert password not in listed.stdout
    assert key not in listed.stdout


def test_users_add_refuses_bad_roles_and_scopes(tmp_path: Path) -> None:
    """An unknown role, a line without its code and a duplicate name exit 1 with one line."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    Store.create(url, load_preset("tiny"), "tiny").close()
    assert run(url, "add", "a", "--role", "planner").returncode == 0
    for args, message in (
        (("add", "b", "--role", "boss"), "role 'boss' is not one of"),
        (("add", "c", "--role", "line"), "SMDG line code"),
        (("add", "d", "--role", "planner", "--party", "MSC"), "not scoped"),
        (("add", "a", "--role", "gate"), "exists already"),
    ):
        done = run(url, *args)
        assert done.returncode == 1, args
        assert message in done.stderr, (args, done.stderr)
