"""Scanned records keep what each field's box showed: ``records.scan``.

``{"fields": {name: {"read", "confidence", "page", "flagged", "crop"}}}``, ``crop`` being
the SHA-256 of the box's PNG in the blob store (see docgen.store.records.complete_record).

Revision ID: 0015_scans
Revises: 0010_registry
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_scans"
down_revision = "0010_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("scan", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("scan")
