"""Container amendments: every change of a known box's size-type, in ledger order.

A replay of the ledger needs each box's length as it was when each event
happened; ``after_seq`` places an amendment between the events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opentos.storage.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "container_amendments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("after_seq", sa.BigInteger, nullable=False),
        sa.Column("container", sa.String(11), nullable=False),
        sa.Column("old_iso_type", sa.String(4), nullable=False),
        sa.Column("new_iso_type", sa.String(4), nullable=False),
        sa.Column("old_length_ft", sa.Integer, nullable=False),
        sa.Column("new_length_ft", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Index("ix_container_amendments_container", "container"),
    )


def downgrade() -> None:
    op.drop_table("container_amendments")
