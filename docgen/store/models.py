"""The service's tables: API keys, users, stored files, documents, batch jobs, records.

Typed SQLAlchemy 2 models with named constraints (so that migrations name them the same on
SQLite and PostgreSQL); no serialisation here: the web layer shapes its own JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class ApiKey(Base):
    """A client's key: only its SHA-256 is kept; ``prefix`` finds it without a scan."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class User(Base):
    """A member of staff who signs in to the web pages; ``role`` says what they may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower case
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin, officer, viewer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # Copied into the session cookie at sign-in and checked on every request: raising it
    # (sign-out, new password, disabled account) ends every session of the user at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginThrottle(Base):
    """Failed sign-ins of one account (``acct:<email>``) or one client address
    (``addr:<ip>``), kept in the database so that every worker sees the same counts."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class Blob(Base):
    """A file kept in the content-addressed store, by the SHA-256 of its bytes."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateLimit(Base):
    """The token bucket of one API key, shared by every process of every node: tokens left,
    when they were counted (seconds since the epoch) and whether the last request passed."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    stamp: Mapped[float] = mapped_column(Float)
    allowed: Mapped[int] = mapped_column(Integer)


class BlobData(Base):
    """A file kept in the database (STORAGE_URL=database): present once whole (its chunks
    are written in the same transaction as this row)."""

    __tablename__ = "blob_data"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobChunk(Base):
    """One piece (1 MiB at most) of a file kept in the database, in order of ``seq``."""

    __tablename__ = "blob_chunks"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("blob_data.sha256", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Document(Base):
    """A generated document and what it came from: enough to trace it back to its data."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_kind_reference", "kind", "reference"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    format: Mapped[str] = mapped_column(String(5))
    reference: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]]
    payload_sha256: Mapped[str] = mapped_column(String(64), index=True)
    output_sha256: Mapped[str] = mapped_column(String(64), index=True)
    template_version: Mapped[str] = mapped_column(String(64))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A batch too large to answer at once: rendered in the background into a ZIP."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    format: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12))  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    items_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    result_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[str | None] = mapped_column(Text)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Renewed every few seconds by the process holding the job (queued or running); a job
    # whose heartbeat is older than JOB_HEARTBEAT_TIMEOUT lost its worker and is failed.
    heartbeat_at: Mapped[datetime | None]
    # Runs of the job so far (a worker took it); a run whose worker died is retried up to
    # JOB_ATTEMPTS in all. ``lease`` names the run holding it now: only that run may record
    # items, so a worker thought dead that wakes up cannot write twice.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease: Mapped[str | None] = mapped_column(String(32))
    # The SHA-256 of the document a run is writing to the file store, before its row is
    # recorded: a run that died in between left that file alone; the next run removes it.
    pending_sha256: Mapped[str | None] = mapped_column(String(64))


class JobItem(Base):
    """One finished item of a batch job: its document in the file store, or its error.

    A retried job skips the items already here, and its ZIP is assembled from them, in
    order: every item once, whatever the number of runs.
    """

    __tablename__ = "job_items"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    error: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Record(Base):
    """What was read from one uploaded file (one record per distinct file)."""

    __tablename__ = "records"
    # One record a document: a stack scanned into one file gives its documents parts 1, 2...
    __table_args__ = (UniqueConstraint("sha256", "part", name="uq_records_sha256_part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str | None] = mapped_column(String(255))
    # received (stored, not yet read), valid, needs_review, unrecognized, error, approved,
    # rejected
    status: Mapped[str] = mapped_column(String(16), index=True)
    form: Mapped[str | None] = mapped_column(String(64), index=True)
    version: Mapped[str | None] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(120), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    issues: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"items": [...]}
    signatures: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"items": [...]}
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"code", "message"}
    grant: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A scan's fields: {"fields": {name: {"read", "confidence", "page", "flagged", "crop"}}}
    scan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    part: Mapped[int] = mapped_column(default=0, server_default="0")
    # The reader reading it now (while ``received``): a lease renewed with ``updated_at``.
    read_lease: Mapped[str | None] = mapped_column(String(32))
    search_text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # The same, when the upload or the approval came from a signed-in user (web pages).
    uploaded_by_user: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_user: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecordChange(Base):
    """One audited change to a record: who, when, which field, the old and the new value."""

    __tablename__ = "record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    who: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(200))  # JSON pointer into the record
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"value": ...}
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))  # why, when it was not asked for


class Institution(Base):
    """A registry institution; ``data`` holds the validated ``registry.models.Institution``,
    the columns beside it are what lists search, filter and sort on."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    erasmus_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    schac: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(300))
    is_home: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]]
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Agreement(Base):
    """A registry agreement with one partner; ``data`` holds ``registry.models.Agreement``."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship()


class RegistryChange(Base):
    """One audited change to an institution or an agreement: who, when, where, old, new."""

    __tablename__ = "registry_changes"
    __table_args__ = (Index("ix_registry_changes_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # institution, agreement
    entity_id: Mapped[int] = mapped_column(Integer)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    who: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(200))  # JSON pointer into the record's data
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"value": ...}
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
