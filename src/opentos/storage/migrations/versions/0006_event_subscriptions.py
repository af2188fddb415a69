"""DCSA Track & Trace 2.2 event subscriptions, with their filters, secret and position.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opentos.storage.schema import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_LISTS = (
    "event_types",
    "equipment_event_type_codes",
    "transport_event_type_codes",
    "shipment_event_type_codes",
    "document_type_codes",
)


def upgrade() -> None:
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.Uuid(as_uuid=True), primary_key=True),
        sa.Column("owner", sa.String(10)),
        sa.Column("callback_url", sa.String(2000), nullable=False),
        *(sa.Column(name, sa.JSON, nullable=False) for name in _LISTS),
        sa.Column("carrier_booking_reference", sa.String(35)),
        sa.Column("transport_document_reference", sa.String(20)),
        sa.Column("transport_call_id", sa.String(100)),
        sa.Column("vessel_imo_number", sa.String(7)),
        sa.Column("carrier_voyage_number", sa.String(50)),
        sa.Column("export_voyage_number", sa.String(50)),
        sa.Column("carrier_service_code", sa.String(5)),
        sa.Column("un_location_code", sa.String(5)),
        sa.Column("equipment_reference", sa.String(15)),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_event_subscriptions_owner", "event_subscriptions", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_event_subscriptions_owner", "event_subscriptions")
    op.drop_table("event_subscriptions")
