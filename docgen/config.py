"""Settings: embedded defaults, then ``instance/config.py`` (web), then ``DOCGEN_*`` variables.

The CLI and library code read settings through :func:`settings`; the Flask app layers the
same defaults with ``app.config.from_prefixed_env("DOCGEN")``. Every key is documented in
the README.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(os.environ.get("DOCGEN_PROJECT_ROOT", Path.cwd()))

DEFAULTS: dict[str, Any] = {
    # Where the DOCX templates live (templates/<lang>/<kind>.docx).
    "TEMPLATES_DIR": "templates",
    # Where the form specs and their built PDFs live (forms/<id>.yaml, forms/<id>.pdf).
    "FORMS_DIR": "forms",
    # Extra rate tables (YAML) beside the ones shipped in docgen/rules/data/rates.
    "RATES_DIR": "",
    # LibreOffice pool: instances (0 = one per core), job timeout (s), jobs before recycling
    # an instance, queue bound (waiting jobs beyond the busy instances).
    "PDF_INSTANCES": 0,
    "PDF_TIMEOUT": 60,
    "PDF_MAX_JOBS": 200,
    # Keep PDF_INSTANCES + PDF_QUEUE below the service's request threads (WORKERS x 4), so
    # that a PDF request past the bound is refused at once (503) instead of waiting for a
    # thread in the socket's backlog.
    "PDF_QUEUE": 4,
    # The Python that runs the pool's servers (needs `import uno`; empty = .venv-uno beside
    # docgen's virtual environment) and the soffice binary (empty = soffice on PATH).
    "PDF_PYTHON": "",
    "PDF_SOFFICE": "",
    # Parsing returned forms: wall-clock limit (s), memory limit (MiB), input cap (MB).
    "PARSE_TIMEOUT": 15,
    "PARSE_MEMORY_MB": 1024,
    "PARSE_MAX_MB": 20,
    # Seconds an upload request waits for the reading before answering 202 (the record
    # still "received", read in the background); and how many times a parse that ran out
    # of time because the machine was loaded is tried again (with a longer limit each time).
    "PARSE_WAIT": 2,
    "PARSE_RETRIES": 2,
    # Scanned pages: most pixels one image may have (a decompression bomb is refused before
    # it is decoded), most pages of a scan, and the resolution PDFs of images are read at.
    "PARSE_MAX_PIXELS": 60_000_000,
    "SCAN_MAX_PAGES": 60,
    "SCAN_DPI": 200,
    # Trust roots (PEM files, separated by os.pathsep) for digital signatures.
    "TRUST_ROOTS": "",
    # --- the HTTP service (docgen serve, docgen db, docgen apikeys) ---
    # Folder for what the service keeps on this machine (database, files, secret key).
    "INSTANCE_DIR": "instance",
    # SQLAlchemy URL; empty = SQLite file docgen.sqlite3 in the instance folder.
    "DATABASE_URL": "",
    # Content-addressed file store; empty = files/ in the instance folder.
    "STORAGE_DIR": "",
    # Largest request body (MB): uploads and JSON alike; beyond it 413.
    "MAX_UPLOAD_MB": 20,
    # Batches up to this many items answer a ZIP at once; more become a job (202).
    "BATCH_SYNC_LIMIT": 50,
    # Largest batch accepted at all.
    "BATCH_MAX_ITEMS": 2000,
    # Background batch jobs: the percentage of the LibreOffice pool they may hold at once
    # (at least one instance; interactive conversions go first), and per API key or user
    # the jobs queued or running and the items they still hold (beyond: 429).
    "JOB_PDF_SHARE": 50,
    "JOB_MAX_QUEUED": 2,
    "JOB_MAX_ITEMS": 4000,
    # A job whose process gave no sign of life for this many seconds is failed (its worker
    # died); each process renews its jobs' heartbeat every quarter of it (at most 10 s).
    "JOB_HEARTBEAT_TIMEOUT": 45,
    # Requests per minute per API key (0 = no limit), and the burst allowed above the pace.
    "RATE_LIMIT": 600,
    "RATE_BURST": 60,
    # Flask's secret; empty = a random one kept in instance/secret_key (created once).
    "SECRET_KEY": "",
    # Converter service of `docgen serve` (unix:/PATH, a Unix socket); empty = in process.
    "PDF_URL": "",
    # Form-parsing child processes per web worker.
    "PARSE_WORKERS": 1,
    # gunicorn workers (0 = cores + 1) and their request timeout (s).
    "WORKERS": 0,
    "WORKER_TIMEOUT": 120,
    # A request must arrive whole (head and body) within this many seconds, plus one second
    # per REQUEST_MIN_RATE bytes of announced body; else 408. Until then it holds no thread.
    "REQUEST_READ_TIMEOUT": 15,
    "REQUEST_MIN_RATE": 64000,
    # Log level of the service (DEBUG, INFO, WARNING, ...).
    "LOG_LEVEL": "INFO",
    # --- the staff's web pages ---
    # Send the session cookie only over HTTPS. Set it to false only for plain-http use on
    # this machine (http://127.0.0.1, as `make run` does).
    "SESSION_COOKIE_SECURE": True,
    # Hours a sign-in lasts (signing out, a new password or a disabled account end it sooner).
    "SESSION_HOURS": 12,
    # Reverse proxies in front of docgen whose X-Forwarded-For / -Proto are believed (0 =
    # none: the client's address is the socket's). Sign-in throttling counts per address,
    # so behind a proxy set it, or every client shares the proxy's address.
    "TRUSTED_PROXIES": 0,
    # Time zone in which the pages show dates and times.
    "BABEL_DEFAULT_TIMEZONE": "Europe/Bucharest",
}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, (list, dict)):
        return json.loads(raw)
    return raw


def settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then ``DOCGEN_<KEY>`` variables, then ``overrides``."""
    values = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"DOCGEN_{key}")
        if raw is not None:
            try:
                values[key] = _coerce(raw, default)
            except ValueError as exc:
                raise SystemExit(f"DOCGEN_{key}: cannot read {raw!r} ({exc})") from exc
    if overrides:
        values.update(overrides)
    return values


def project_path(value: str | Path) -> Path:
    """Resolve a configured path against the project root (the working directory)."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def instance_secret(values: dict[str, Any]) -> str:
    """Return the instance's secret: ``SECRET_KEY``, else ``<instance>/secret_key``.

    The file is created once, with a random value, and read by every process after that
    (web workers, the CLI, parsing workers), so that codes printed by one are verified by
    all.
    """
    if values.get("SECRET_KEY"):
        return str(values["SECRET_KEY"])
    folder = project_path(values["INSTANCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return secret_file(folder / "secret_key")


def secret_file(path: Path) -> str:
    """Read a secret kept in ``path``, creating it once (the same for every process)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_text().strip()
