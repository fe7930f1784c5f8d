"""The Flask side of the converter: which client an app converts with, and how much a
batch keeps in flight.

``CONVERTERS`` (``http://HOST:PORT`` of ``docgen convert-server`` processes, separated by
commas) sends conversions to those machines, with ``CONVERTER_TOKEN``; else ``PDF_URL``
(set by ``docgen serve``) is the machine's own service; else the process's own pool
(tests, ``flask run``).
"""

from __future__ import annotations

from flask import Flask, current_app

from docgen import metrics
from docgen.convert.client import ConverterList, LocalConverter, RemoteConverter, local_instances
from docgen.convert.pool import batch_instances

Converter = ConverterList | RemoteConverter | LocalConverter


def converter_urls(value: object) -> list[str]:
    """The ``CONVERTERS`` setting as a list of addresses (a string with commas, or a list)."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


def check_settings(config: dict[str, object] | Flask) -> str | None:
    """What is wrong with the converter settings (a sentence naming the setting), or None."""
    values = config.config if isinstance(config, Flask) else config
    urls = converter_urls(values.get("CONVERTERS"))
    for url in urls:
        if not url.startswith("http://") or not url[len("http://") :].strip("/"):
            return f"DOCGEN_CONVERTERS: {url!r} is not http://HOST:PORT"
    if urls and not values.get("CONVERTER_TOKEN"):
        return "DOCGEN_CONVERTER_TOKEN: needed with DOCGEN_CONVERTERS (the converters' token)"
    try:
        if float(values.get("CONVERTER_RETRY") or 0) <= 0:  # type: ignore[arg-type]
            return "DOCGEN_CONVERTER_RETRY: must be above 0 (seconds)"
    except (TypeError, ValueError):
        return "DOCGEN_CONVERTER_RETRY: not a number of seconds"
    return None


def init_app(app: Flask) -> None:
    problem = check_settings(app)
    if problem:
        from docgen.web import ConfigError

        raise ConfigError(problem)
    timeout = float(app.config["PDF_TIMEOUT"]) * 2 + 10  # a wait in the queue, then the job
    urls = converter_urls(app.config.get("CONVERTERS"))
    url = app.config.get("PDF_URL") or ""
    converter: Converter
    if urls:
        converter = ConverterList(
            urls, timeout, str(app.config["CONVERTER_TOKEN"]), float(app.config["CONVERTER_RETRY"])
        )
    elif url:
        converter = RemoteConverter(url, timeout)
    else:
        converter = LocalConverter(app.config)
    app.extensions["docgen.pdf"] = metrics.CountedConverter(converter)


def converter() -> Converter:
    return current_app.extensions["docgen.pdf"]


def convert(docx: bytes) -> bytes:
    return converter().convert(docx)


def instances() -> int:
    """The instances of the converters: those the convert-servers that are up reported,
    else the machine's pool (``PDF_INSTANCES``, 0: one per core)."""
    current = getattr(converter(), "inner", converter())  # the one inside the counting
    if isinstance(current, ConverterList):
        return current.instances()
    return local_instances(current_app.config.get("PDF_INSTANCES"))


def capacity() -> int:
    """How many conversions a batch keeps in flight: one per instance of the machine's pool,
    plus one waiting in the pool's queue so that no instance idles between two jobs
    (measured: 500 contracts in 80 s instead of 106-122 s on 2 cores)."""
    return instances() + 1


def job_capacity() -> int:
    """The same for a background job: its share of the pool (``JOB_PDF_SHARE``), plus one."""
    return batch_instances(instances(), current_app.config["JOB_PDF_SHARE"]) + 1
