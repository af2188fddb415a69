"""Settings, read once from ``OPENTOS_*`` environment variables.

``OPENTOS_DATABASE_URL`` names the database: unset, OpenTOS uses an embedded
SQLite file ``opentos.db`` in the working directory; a
``postgresql+psycopg://user@host/db`` URL selects PostgreSQL.

``OPENTOS_SECRET_KEY`` signs the server's access tokens. Outside
``OPENTOS_ENVIRONMENT=development`` the server refuses to start without one of
at least 32 characters (:meth:`Settings.signing_key`); in development an
unset key falls back to a fixed, published one, fit for nothing else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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


def settings() -> Settings:
    """The settings as the environment gives them now."""
    return Settings()
