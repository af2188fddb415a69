"""Which database the command works on: ``--database``, else ``OPENTOS_DATABASE_URL``."""

from __future__ import annotations

from opentos.config import settings
from opentos.storage.store import Store


class _Chosen:
    url: str | None = None


chosen = _Chosen()
"""Set by the ``opentos`` callback from ``--database``."""


def database_url() -> str:
    """The URL given with ``--database``, else the configured one."""
    return chosen.url or settings().database_url


def open_store() -> Store:
    """The terminal in the chosen database."""
    return Store.open(database_url())
