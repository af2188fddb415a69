"""Initial schema: terminal, containers, visits, work instructions, ledger, inventory.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opentos.storage.schema import PLACE_LENGTH, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("preset", sa.String(100), nullable=False),
        sa.Column("layout", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "containers",
        sa.Column("number", sa.String(11), primary_key=True),
        sa.Column("iso_type", sa.String(4), nullable=False),
        sa.Column("length_ft", sa.Integer, nullable=False),
        sa.Column("operator", sa.String(4), nullable=False),
        sa.Column("full_empty", sa.String(1), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("phase", sa.String(12), nullable=False),
        sa.Column("planned_arrival", UtcDateTime),
        sa.Column("actual_arrival", UtcDateTime),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "work_instructions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("container", sa.String(11), nullable=False),
        sa.Column("from_place", sa.String(PLACE_LENGTH)),
        sa.Column("to_place", sa.String(PLACE_LENGTH)),
        sa.Column("visit", sa.String(40)),
        sa.Column("sequence", sa.Integer),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_work_instructions_container", "work_instructions", ["container"])
    op.create_index("ix_work_instructions_visit", "work_instructions", ["visit"])
    op.create_table(
        "move_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("container", sa.String(11), nullable=False),
        sa.Column("from_place", sa.String(PLACE_LENGTH)),
        sa.Column("to_place", sa.String(PLACE_LENGTH)),
        sa.Column("equipment", sa.String(40)),
        sa.Column("work_instruction", sa.String(40)),
    )
    op.create_index("ix_move_events_container_seq", "move_events", ["container", "seq"])
    op.create_table(
        "inventory",
        sa.Column("container", sa.String(11), primary_key=True),
        sa.Column("place", sa.String(PLACE_LENGTH), nullable=False, unique=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO ledger_head (id, seq, version) VALUES (1, 0, 0)")


def downgrade() -> None:
    for table in (
        "ledger_head",
        "inventory",
        "move_events",
        "work_instructions",
        "visits",
        "containers",
        "terminal",
    ):
        op.drop_table(table)
