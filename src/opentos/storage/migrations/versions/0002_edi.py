"""EDI: the interchanges imported, and the business documents they carried.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opentos.storage.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edi_interchanges",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("messages", sa.String(200), nullable=False),
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("reference", sa.String(80), nullable=False),
        sa.Column("visit", sa.String(40), index=True),
        sa.Column("data", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("edi_interchanges")
