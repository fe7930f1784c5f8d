"""Scanned records keep what each field's box showed (``records.scan``), and a stack of
several documents in one file gives one record each (``records.part``: 0 for the file's
first document, 1, 2... for the others; unique with ``sha256``).

``{"fields": {name: {"read", "confidence", "page", "flagged", "crop"}}}``, ``crop`` being
the SHA-256 of the box's PNG in the blob store (see docgen.operations.records.complete_record).

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
        batch.add_column(sa.Column("part", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_records_sha256", type_="unique")
        batch.create_unique_constraint("uq_records_sha256_part", ["sha256", "part"])


def downgrade() -> None:
    op.execute(
        "DELETE FROM record_changes WHERE record_id IN (SELECT id FROM records WHERE part > 0)"
    )
    op.execute("DELETE FROM records WHERE part > 0")
    with op.batch_alter_table("records") as batch:
        batch.drop_constraint("uq_records_sha256_part", type_="unique")
        batch.create_unique_constraint("uq_records_sha256", ["sha256"])
        batch.drop_column("part")
        batch.drop_column("scan")
