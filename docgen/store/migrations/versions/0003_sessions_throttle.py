"""Sessions that the server can end, sign-in throttling, and the reason of an audited change.

``users.session_version`` is copied into each session cookie at sign-in and compared on
every request: raising it (sign-out, new password, disabled account) ends every session
of the user at once. ``login_throttle`` holds the failed sign-ins per account and per
client address, in the database so that every gunicorn worker sees the same counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("record_changes") as batch:
        batch.add_column(sa.Column("reason", sa.String(500), nullable=True))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttle"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("record_changes") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
