"""Users of the web pages, and who (user or API key) generated, uploaded, changed, approved.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# (table, column): a nullable reference to users.id
USER_COLUMNS = [
    ("documents", "user_id"),
    ("jobs", "user_id"),
    ("records", "uploaded_by_user"),
    ("records", "approved_by_user"),
    ("record_changes", "user_id"),
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.Column("disabled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    for table, column in USER_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_{table}_{column}_users", "users", [column], ["id"])
    with op.batch_alter_table("record_changes") as batch:
        batch.alter_column(
            "who", existing_type=sa.String(80), type_=sa.String(254), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("record_changes") as batch:
        batch.alter_column(
            "who", existing_type=sa.String(254), type_=sa.String(80), existing_nullable=False
        )
    for table, column in reversed(USER_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_{column}_users", type_="foreignkey")
            batch.drop_column(column)
    op.drop_table("users")
