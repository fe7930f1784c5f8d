"""Durable batch jobs: runs, lease and the file being written on ``jobs``; the finished
items in ``job_items``.

Revision ID: 0020_jobs_durable
Revises: 0010_registry
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_jobs_durable"
down_revision = "0015_scans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease", sa.String(32), nullable=True))
        batch.add_column(sa.Column("pending_sha256", sa.String(64), nullable=True))
    op.create_table(
        "job_items",
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name="fk_job_items_job_id_jobs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name="fk_job_items_sha256_blobs"),
        sa.PrimaryKeyConstraint("job_id", "idx", name="pk_job_items"),
    )


def downgrade() -> None:
    op.drop_table("job_items")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("pending_sha256")
        batch.drop_column("lease")
        batch.drop_column("attempts")
