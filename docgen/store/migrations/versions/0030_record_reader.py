"""The reader holding an upload's reading: ``records.read_lease``.

A reader claims a ``received`` record before reading it (a lease of its own, renewed with
``updated_at``), so that the same reading queued twice (the sweep queues again the records
nobody renews) is read by one reader at a time, and a record whose reader died is taken
up once its lease has gone stale.

Revision ID: 0030_record_reader
Revises: 0025_shared_state
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_record_reader"
down_revision = "0025_shared_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("read_lease", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("read_lease")
