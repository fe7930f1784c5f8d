"""State shared by every node: the rate limit per API key, and files kept in the database.

``rate_limits`` holds one token bucket per API key, updated by one atomic statement per
request, so that a key at its limit on one node is refused on every node. ``blob_data`` and
``blob_chunks`` hold the files of the database blob store (``STORAGE_URL=database``),
addressed by SHA-256 and cut in pieces of 1 MiB.

Revision ID: 0025_shared_state
Revises: 0010_registry
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_shared_state"
down_revision = "0020_jobs_durable"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    op.create_table(
        "blob_data",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blob_data"),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["blob_data.sha256"],
            ondelete="CASCADE",
            name="fk_blob_chunks_sha256_blob_data",
        ),
        sa.PrimaryKeyConstraint("sha256", "seq", name="pk_blob_chunks"),
    )


def downgrade() -> None:
    op.drop_table("blob_chunks")
    op.drop_table("blob_data")
    op.drop_table("rate_limits")
