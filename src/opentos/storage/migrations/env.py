"""Alembic environment: runs migrations on the connection OpenTOS hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from opentos.storage.schema import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - OpenTOS always passes its connection
    raise RuntimeError("run migrations through opentos.storage.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
