"""One exception tree for docgen.

Every error knows its HTTP status and a short title; errors about input carry the
problems found, each naming its field by JSON pointer. Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a JSON pointer) and why, in plain words."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def pointer(*parts: str | int) -> str:
    """Join path parts into a JSON pointer (RFC 6901), escaping ``~`` and ``/``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class DocgenError(Exception):
    """Base of every error docgen raises on purpose."""

    status = 500
    title = "Internal error"
    slug = "internal-error"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DocgenError):
    """The input is wrong; ``problems`` lists every field at fault and why."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"

    def __init__(self, problems: Iterable[Problem], detail: str | None = None):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InvalidInput needs at least one problem")
        super().__init__(detail or "; ".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, where: str, message: str) -> InvalidInput:
        """Build the error for a single field."""
        return cls([Problem(where, message)])


class MalformedInput(InvalidInput):
    """The input cannot even be read (not JSON, not a spreadsheet, ...)."""

    status = 400
    title = "Malformed input"
    slug = "malformed-input"


class NotFound(DocgenError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Busy(DocgenError):
    """Every worker is busy and the queue is full: retry later."""

    status = 503
    title = "Busy, retry later"
    slug = "busy"

    def __init__(self, detail: str, retry_after: int = 5):
        super().__init__(detail)
        self.retry_after = retry_after


class ConversionFailed(DocgenError):
    """An external converter (LibreOffice) failed or timed out."""

    status = 502
    title = "Conversion failed"
    slug = "conversion-failed"


class TemplateError(DocgenError):
    """A document template is broken: the office must fix the template, not the data."""

    status = 500
    title = "Template error"
    slug = "template-error"


class Unauthorized(DocgenError):
    """No valid API key or session."""

    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(DocgenError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class RateLimited(DocgenError):
    """Past the API key's rate; retry after ``retry_after`` seconds."""

    status = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class UnsupportedMedia(DocgenError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class TooLarge(DocgenError):
    status = 413
    title = "Content too large"
    slug = "too-large"
