"""An index on the ledger's event times, for questions about a time window (KPIs).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_move_events_at", "move_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_move_events_at", table_name="move_events")
