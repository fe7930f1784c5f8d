"""Prometheus metrics: every counter of the service, in one place, for other code to call.

- ``docgen_http_requests_total{method, route, status}`` and
  ``docgen_http_request_duration_seconds{method, route}``: the route is the URL rule's
  template (``/api/v1/records/<int:record_id>``), never the path itself, which may carry a
  reference or a name; a path that matched no rule is counted as ``<unmatched>``.
- ``docgen_conversions_total{outcome}`` (ok, busy, failed) and
  ``docgen_conversion_duration_seconds``: DOCX to PDF, wherever the converter runs.
- ``docgen_parses_total{status}`` and ``docgen_parse_errors_total{status}``: returned
  forms read (an error or an unrecognised form counts as a parse error).
- ``docgen_jobs{status}``: batch jobs in the job table by status (queued, running, done,
  failed), counted from the database at each scrape, so the same on every node.
- ``docgen_uploads_waiting``: uploads kept but not read yet (records ``received``: in the
  queue of uploads or being read), from the database at each scrape too.

gunicorn runs several worker processes: ``docgen serve`` calls :func:`enable_multiprocess`
before any worker exists, and each process then writes its counters to files in a folder
of the instance (``METRICS_DIR``), which :func:`exposition` adds up. Elsewhere (tests, one
process) the counters live in the process. The metrics are made on first use, after that
choice.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_made: dict[str, Any] = {}
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


def enable_multiprocess(directory: Path) -> None:
    """Count in files under ``directory`` (emptied: the counters of a previous run go),
    shared by the processes forked after this call."""
    from prometheus_client import values

    if _made:
        raise RuntimeError("metrics.enable_multiprocess: called after a metric was made")
    directory = Path(directory)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    values.ValueClass = values.MultiProcessValue()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_dead(pid: int) -> None:
    """A worker process ended (gunicorn's child_exit): drop its live gauges' files."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def _metrics() -> dict[str, Any]:
    if not _made:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        registry = CollectorRegistry(auto_describe=True)
        _made.update(
            registry=registry,
            requests=Counter(
                "docgen_http_requests",
                "HTTP requests answered",
                ["method", "route", "status"],
                registry=registry,
            ),
            latency=Histogram(
                "docgen_http_request_duration_seconds",
                "Time to answer an HTTP request",
                ["method", "route"],
                buckets=_BUCKETS,
                registry=registry,
            ),
            conversions=Counter(
                "docgen_conversions", "DOCX to PDF conversions", ["outcome"], registry=registry
            ),
            conversion_time=Histogram(
                "docgen_conversion_duration_seconds",
                "Time of a DOCX to PDF conversion",
                buckets=_BUCKETS,
                registry=registry,
            ),
            parses=Counter("docgen_parses", "Returned forms read", ["status"], registry=registry),
            parse_errors=Counter(
                "docgen_parse_errors",
                "Returned forms that could not be read",
                ["status"],
                registry=registry,
            ),
        )
    return _made


def request(method: str, route: str, status: int, seconds: float) -> None:
    m = _metrics()
    m["requests"].labels(method, route, str(status)).inc()
    m["latency"].labels(method, route).observe(seconds)


def conversion(outcome: str, seconds: float) -> None:
    m = _metrics()
    m["conversions"].labels(outcome).inc()
    m["conversion_time"].observe(seconds)


PARSE_ERRORS = frozenset({"error", "unrecognized"})


def parsed(status: str) -> None:
    """A returned form was read, with the record's status."""
    m = _metrics()
    m["parses"].labels(status).inc()
    if status in PARSE_ERRORS:
        m["parse_errors"].labels(status).inc()


class CountedConverter:
    """A converter whose conversions are counted; anything else goes to the one inside."""

    def __init__(self, inner: Any):
        self.inner = inner

    def convert(self, docx: bytes, **options: Any) -> bytes:
        from docgen.errors import Busy

        started = time.perf_counter()
        outcome = "failed"
        try:
            pdf = self.inner.convert(docx, **options)
            outcome = "ok"
            return pdf  # type: ignore[no-any-return]
        except Busy:
            outcome = "busy"
            raise
        finally:
            conversion(outcome, time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def exposition(
    job_counts: Callable[[], dict[str, int]] | None = None,
    uploads_waiting: Callable[[], int] | None = None,
) -> tuple[bytes, str]:
    """The text Prometheus reads, and its content type; ``job_counts`` gives the jobs by
    status and ``uploads_waiting`` the uploads not read yet (asked at each scrape)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    m = _metrics()
    registry: Any
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = m["registry"]
    text = generate_latest(registry)
    counts_of, waiting = job_counts, uploads_waiting

    class FromDatabase:
        def collect(self) -> Iterator[GaugeMetricFamily]:
            if counts_of is not None:
                family = GaugeMetricFamily("docgen_jobs", "Batch jobs by status", labels=["status"])
                counts = {"queued": 0, "running": 0, "done": 0, "failed": 0}
                counts.update(counts_of())
                for status, count in sorted(counts.items()):
                    family.add_metric([status], count)
                yield family
            if waiting is not None:
                yield GaugeMetricFamily(
                    "docgen_uploads_waiting", "Uploads kept but not read yet", value=waiting()
                )

    if counts_of is not None or waiting is not None:
        extra = CollectorRegistry(auto_describe=False)
        extra.register(FromDatabase())
        text += generate_latest(extra)
    return text, CONTENT_TYPE_LATEST
