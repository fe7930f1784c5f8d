"""The registry: institutions, agreements and the audit trail of their changes.

Revision ID: 0010_registry
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_registry"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasmus_code", sa.String(20), nullable=True),
        sa.Column("schac", sa.String(100), nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("city", sa.String(300), nullable=False),
        sa.Column("is_home", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_institutions"),
        sa.UniqueConstraint("erasmus_code", name="uq_institutions_erasmus_code"),
        sa.UniqueConstraint("schac", name="uq_institutions_schac"),
    )
    op.create_index("ix_institutions_country", "institutions", ["country"])
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name="fk_agreements_institution_id_institutions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
    )
    op.create_index("ix_agreements_institution_id", "agreements", ["institution_id"])
    op.create_index("ix_agreements_type", "agreements", ["type"])
    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("who", sa.String(254), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_registry_changes_api_key_id_api_keys"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_registry_changes_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registry_changes"),
    )
    op.create_index("ix_registry_changes_entity", "registry_changes", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_changes_entity", table_name="registry_changes")
    op.drop_table("registry_changes")
    op.drop_index("ix_agreements_type", table_name="agreements")
    op.drop_index("ix_agreements_institution_id", table_name="agreements")
    op.drop_table("agreements")
    op.drop_index("ix_institutions_country", table_name="institutions")
    op.drop_table("institutions")
