"""Settings, read once from ``OPENTOS_*`` environment variables.

``OPENTOS_DATABASE_URL`` names the database: unset, OpenTOS uses an embedded
SQLite file ``opentos.db`` in the working directory; a
``postgresql+psycopg://user@host/db`` URL selects PostgreSQL.

``OPENTOS_SECRET_KEY`` signs the server's access tokens. Outside
``OPENTOS_ENVIRONMENT=development`` the server refuses to start without one of
at least 32 characters (:meth:`Settings.signing_key`); in development an
unset key falls back to a fixed, published one, fit for nothing else.

``OPENTOS_CREDENTIAL_CACHE_S`` (default 5) is how long a server worker
trusts a user or API key it has checked before it reads it again: a changed
role or a removed user takes effect within that time; 0 reads it on every
request.

``OPENTOS_READ_CACHE_ENTRIES`` (default 100,000; 0 turns it off) is how many
answers to hot inquiries a server worker keeps in memory, and
``OPENTOS_READ_CACHE_POLL_S`` (default 0.1) how often it reads the database's
change log to drop those another process changed: an answer is at most that
much behind a change made elsewhere (see :mod:`opentos.operations.readcache`).

``OPENTOS_CALLBACK_HOSTS`` lists, comma-separated, the hosts that DCSA event
subscriptions may name in their callback URLs; unset, no callback is allowed
(the server makes requests to those hosts only).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from opentos.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///opentos.db"

DEVELOPMENT_SECRET_KEY = "opentos-development-only-secret-key-do-not-deploy"
"""The signing key used in development when none is set; refused everywhere else."""

MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    """OpenTOS settings; each field is read from ``OPENTOS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="OPENTOS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    environment: Literal["development", "production"] = "production"
    secret_key: SecretStr = SecretStr("")
    access_token_expiry_s: int = 900
    """Lifetime of a person's access token (JWT): short, a user logs in again."""
    credential_cache_s: float = 5.0
    """How long a worker trusts a checked user or API key before reading it again."""
    read_cache_entries: int = 100_000
    """Answers to hot inquiries a worker keeps in memory (0: none, every answer is read)."""
    read_cache_poll_s: float = 0.1
    """How often a worker reads the change log to drop answers changed elsewhere."""
    notify_interval_s: float = 5.0
    """How often the server sends DCSA subscriptions their new events (0: never)."""
    twin: str | None = None
    """A twin scenario the server runs live against its terminal (``opentos serve --twin``)."""
    twin_speed: float = 60.0
    """How many times faster than real time the live twin runs."""
    twin_seed: int = 2017
    """The live twin's seed: the same seed, the same run."""

    def signing_key(self) -> str:
        """The key that signs access tokens.

        Raises
        ------
        ConfigError
            Outside development, the key is unset, the published development
            key, or shorter than 32 characters.
        """
        key = self.secret_key.get_secret_value()
        if self.environment == "development":
            return key or DEVELOPMENT_SECRET_KEY
        if not key or key == DEVELOPMENT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "OPENTOS_SECRET_KEY must be set to a secret of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (not the development key) outside "
                "OPENTOS_ENVIRONMENT=development"
            )
        return key

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
