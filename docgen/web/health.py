"""``/healthz``: the process answers. ``/readyz``: the database and the converter answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from docgen.convert.app import converter
from docgen.store.database import db
from docgen.web.errors import problem

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> Any:
    checks = {"database": "ok", "converter": "ok"}
    try:
        db.ping()
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    if not converter().ready():
        checks["converter"] = "down"
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks}
    failing = ", ".join(k for k, v in checks.items() if v != "ok")
    response = problem(503, "Not ready", f"not ready: {failing}", "not-ready", checks=checks)
    response.headers["Retry-After"] = "5"
    return response
