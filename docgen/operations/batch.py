"""Batch jobs as the doors show them: a job's progress and errors, and its ZIP.

The job itself (queued, run, kept alive) is :mod:`docgen.web.jobs`; rendering is the batch
engine, :func:`docgen.documents.batch.write_zip`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from docgen.errors import NotFound
from docgen.store.blobs import BlobStore
from docgen.store.models import Job


@dataclass
class JobZip:
    stream: IO[bytes]
    filename: str
    media_type: str = "application/zip"


def job_status(job: Job) -> dict[str, Any]:
    """Where a job stands: status, items done out of the total, per-item errors, detail."""
    return {
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "errors": (job.errors or {}).get("items", []),
        "detail": job.detail,
    }


def job_zip(blobs: BlobStore, job: Job) -> JobZip:
    """The ZIP a finished job wrote; NotFound while it has none."""
    if not job.result_sha256:
        raise NotFound(f"job {job.id} has no result yet (status {job.status})")
    return JobZip(blobs.open(job.result_sha256), f"{job.kind}-{job.lang}.zip")
