"""``/healthz``: the process answers. ``/readyz``: every dependency answers. ``/metrics``.

``/readyz`` runs a small registry of checks, one per dependency: the database, the blob
store and the converter are registered here; other parts (the job queue, remote
converters) add theirs with :func:`register_check`. A check is a function called in the
app's context: it returns (``None`` or ``True``: ready; ``False`` or a text: not ready,
the text saying why) or raises (not ready; the exception's type is shown, never its
message, which may hold a URL with a password). The answer lists each check with its
status and latency; 200 when all are ready, else 503 with Retry-After.

``/metrics`` is Prometheus's text (:mod:`docgen.metrics`), for an API key with the admin
scope or the ``METRICS_TOKEN`` setting as a Bearer token (see SECURITY.md).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from docgen import metrics
from docgen.convert.app import converter
from docgen.errors import Forbidden
from docgen.store.database import db
from docgen.web.errors import problem

bp = Blueprint("health", __name__)

Check = Callable[[], "bool | str | None"]
_CHECKS: dict[str, Check] = {}


def register_check(name: str, fn: Check) -> None:
    """Add (or replace) the readiness check ``name``."""
    _CHECKS[name] = fn


def unregister_check(name: str) -> None:
    _CHECKS.pop(name, None)


def checks() -> dict[str, Check]:
    return dict(_CHECKS)


def _database() -> str | None:
    try:
        db.ping()
    except SQLAlchemyError as exc:
        return f"unreachable ({type(exc).__name__})"
    return None


def _storage() -> None:
    current_app.extensions["docgen.blobs"].check()


def _converter() -> bool:
    return bool(converter().ready())


def _queue() -> str | None:
    """The job queue's storage answers (the SQLite file, or Redis across machines)."""
    huey = current_app.extensions["docgen.queue"]
    try:
        huey.pending_count()
    except Exception as exc:  # redis.ConnectionError, sqlite3.OperationalError...
        return f"unreachable ({type(exc).__name__})"
    return None


register_check("database", _database)
register_check("storage", _storage)
register_check("converter", _converter)
register_check("queue", _queue)


def run_checks() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, fn in _CHECKS.items():
        started = time.perf_counter()
        try:
            answer = fn()
        except Exception as exc:  # a check that fails says so; /readyz itself never fails
            answer = f"failed ({type(exc).__name__})"
        entry: dict[str, Any] = {
            "status": "ok" if answer is None or answer is True else "down",
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if isinstance(answer, str):
            entry["detail"] = answer
        results[name] = entry
    return results


@bp.get("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> Any:
    results = run_checks()
    if all(v["status"] == "ok" for v in results.values()):
        return {"status": "ready", "checks": results}
    failing = ", ".join(k for k, v in results.items() if v["status"] != "ok")
    response = problem(503, "Not ready", f"not ready: {failing}", "not-ready", checks=results)
    response.headers["Retry-After"] = "5"
    return response


def _may_read_metrics() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    configured = str(current_app.config.get("METRICS_TOKEN") or "")
    if (
        configured
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), configured.encode())
    ):
        return
    from docgen.web.auth import _authenticate

    key = _authenticate()  # 401 without a valid API key
    if "admin" not in key.scope_set:
        raise Forbidden("the metrics need an API key with the admin scope, or METRICS_TOKEN")
    g.api_key = key  # the request's log line names the key


def _job_counts() -> dict[str, int]:
    from docgen.store.models import Job

    rows = db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    db.session.commit()
    return {status: int(count) for status, count in rows}


def _uploads_waiting() -> int:
    from docgen.store.models import Record

    count = db.session.scalar(select(func.count()).where(Record.status == "received"))
    db.session.commit()
    return int(count or 0)


@bp.get("/metrics")
def metrics_view() -> Any:
    _may_read_metrics()
    body, content_type = metrics.exposition(_job_counts, _uploads_waiting)
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response
