"""Settings, read once from ``OPENTOS_*`` environment variables.

``OPENTOS_DATABASE_URL`` names the database: unset, OpenTOS uses an embedded
SQLite file ``opentos.db`` in the working directory; a
``postgresql+psycopg://user@host/db`` URL selects PostgreSQL.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opentos.db"


class Settings(BaseSettings):
    """OpenTOS settings; each field is read from ``OPENTOS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="OPENTOS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL


def settings() -> Settings:
    """The settings as the environment gives them now."""
    return Settings()
