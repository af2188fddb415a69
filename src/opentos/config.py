"""Settings, read once from ``OPENTOS_*`` environment variables.

``OPENTOS_DATABASE_URL`` names the database: unset, OpenTOS uses an embedded
SQLite file ``opentos.db`` in the working directory; a
``postgresql+psycopg://user@host/db`` URL selects PostgreSQL.

``OPENTOS_CALLBACK_HOSTS`` lists, comma-separated, the hosts that DCSA event
subscriptions may name in their callback URLs; unset, no callback is allowed
(the server makes requests to those hosts only).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opentos.db"


class Settings(BaseSettings):
    """OpenTOS settings; each field is read from ``OPENTOS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="OPENTOS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    callback_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    """Hosts a subscription's callback URL may name (exact, lower case); empty: none."""

    @field_validator("callback_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(h.strip().lower() for h in value.split(",") if h.strip())
        return value


def settings() -> Settings:
    """The settings as the environment gives them now."""
    return Settings()
