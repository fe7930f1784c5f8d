"""The service's tables: api_keys, blobs, jobs, documents, records, record_changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("name", name="uq_api_keys_name"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("format", sa.String(5), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("items_sha256", sa.String(64), nullable=False),
        sa.Column("result_sha256", sa.String(64), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_jobs_api_key_id_api_keys"
        ),
        sa.ForeignKeyConstraint(
            ["items_sha256"], ["blobs.sha256"], name="fk_jobs_items_sha256_blobs"
        ),
        sa.ForeignKeyConstraint(
            ["result_sha256"], ["blobs.sha256"], name="fk_jobs_result_sha256_blobs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("format", sa.String(5), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("output_sha256", sa.String(64), nullable=False),
        sa.Column("template_version", sa.String(64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(32), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_documents_api_key_id_api_keys"
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_documents_job_id_jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )
    op.create_index("ix_documents_kind_reference", "documents", ["kind", "reference"])
    op.create_index("ix_documents_payload_sha256", "documents", ["payload_sha256"])
    op.create_index("ix_documents_output_sha256", "documents", ["output_sha256"])
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("form", sa.String(64), nullable=True),
        sa.Column("version", sa.String(16), nullable=True),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("reference", sa.String(120), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("grant", sa.JSON(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name="fk_records_sha256_blobs"),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["api_keys.id"], name="fk_records_uploaded_by_api_keys"
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["api_keys.id"], name="fk_records_approved_by_api_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("sha256", name="uq_records_sha256"),
    )
    op.create_index("ix_records_status", "records", ["status"])
    op.create_index("ix_records_form", "records", ["form"])
    op.create_index("ix_records_reference", "records", ["reference"])
    op.create_table(
        "record_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("who", sa.String(80), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_changes_record_id_records"
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_record_changes_api_key_id_api_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_record_changes"),
    )
    op.create_index("ix_record_changes_record_id", "record_changes", ["record_id"])


def downgrade() -> None:
    for index, table in [
        ("ix_record_changes_record_id", "record_changes"),
        ("ix_records_reference", "records"),
        ("ix_records_form", "records"),
        ("ix_records_status", "records"),
        ("ix_documents_output_sha256", "documents"),
        ("ix_documents_payload_sha256", "documents"),
        ("ix_documents_kind_reference", "documents"),
    ]:
        op.drop_index(index, table_name=table)
    for table in ("record_changes", "records", "documents", "jobs", "blobs", "api_keys"):
        op.drop_table(table)
