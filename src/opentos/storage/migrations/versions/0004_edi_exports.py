"""EDI exports: one UNB reference per message, version and content written.

An export of the same message, version and content gets its earlier
reference back; any other gets the next number, so no two interchanges the
terminal sends share a reference.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opentos.storage.schema import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edi_exports",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message", sa.String(10), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("visit", sa.String(40)),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(14), unique=True),
        sa.Column("exported_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("message", "version", "digest", name="uq_edi_exports_content"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("edi_exports")
