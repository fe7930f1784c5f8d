"""Settings: embedded defaults, then ``instance/config.py`` (web), then ``DOCGEN_*`` variables.

The CLI and library code read settings through :func:`settings`; the Flask app layers the
same defaults with ``app.config.from_prefixed_env("DOCGEN")``. Every key is documented in
the README.
"""

from __future__ import annotations

import json
import os
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
    # A job whose worker gave no sign of life for this many seconds is taken as lost (its
    # worker died) and queued again, or failed after JOB_ATTEMPTS runs; each worker renews
    # its jobs' heartbeat every quarter of it (at most 10 s).
    "JOB_HEARTBEAT_TIMEOUT": 45,
    # The queue of batch jobs (huey): empty = a SQLite file (queue.sqlite3) in the instance
    # folder, consumed by `docgen serve` itself; redis://HOST:PORT/DB = Redis, shared by
    # several nodes, consumed by `docgen worker` on any machine (set the same DATABASE_URL,
    # QUEUE_URL, SECRET_KEY and STORAGE_DIR everywhere).
    "QUEUE_URL": "",
    # Jobs a consumer runs at once (its threads; `docgen worker --jobs` overrides it).
    "JOB_WORKERS": 1,
    # Runs of a job in all: one whose worker died (no heartbeat) is queued again after
    # JOB_RETRY_DELAY s, doubled at each run, and resumes from its finished items; after
    # JOB_ATTEMPTS runs it fails with the reason.
    "JOB_ATTEMPTS": 3,
    "JOB_RETRY_DELAY": 5,
    # Run the queued jobs on a thread of the process that queued them instead of in a
    # consumer (the tests' Flask client and `flask run`; never with several processes).
    "QUEUE_IN_PROCESS": False,
    # Requests per minute per API key (0 = no limit), and the burst allowed above the pace.
    "RATE_LIMIT": 600,
    "RATE_BURST": 60,
    # Flask's secret; empty = a random one kept in instance/secret_key (created once).
    "SECRET_KEY": "",
    # Converter service of `docgen serve` (unix:/PATH, a Unix socket); empty = in process.
    "PDF_URL": "",
    # Conversion on other machines: `docgen convert-server` addresses, separated by commas
    # (http://h1:8100,http://h2:8100); empty = the LibreOffice pool of this machine. With a
    # list, `docgen serve` starts no pool of its own.
    "CONVERTERS": "",
    # The shared token every node sends to the converters (`docgen convert-server` refuses
    # to start without one and refuses requests without it). Keep it secret.
    "CONVERTER_TOKEN": "",
    # Seconds a converter that failed is skipped before it is checked again.
    "CONVERTER_RETRY": 5,
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
