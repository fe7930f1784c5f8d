"""One exception tree for docgen.

Every error knows what each door does with it: its HTTP status and title (the API's
problem+json), its exit status (the command line), and a problem ``code`` with
``params``, from which a door builds its message in the reader's language. Errors about
input carry the problems found, each naming its field by JSON pointer and giving the
reason as a code with parameters beside the English sentence. Nothing here imports Flask.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Exit status of the command line (README "Command line").
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_BUSY = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a JSON pointer) and why.

    ``message`` is the reason in plain English (what the API and the command line show);
    ``code`` names the reason and ``params`` holds the values it quotes, so that a page can
    say the same thing in its own language. A problem without a code is shown as written.
    """

    pointer: str
    message: str
    code: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"

    def at(self, where: str) -> Problem:
        """The same problem at another place (e.g. under a row or a payload's prefix)."""
        return dataclasses.replace(self, pointer=where)

    def as_json(self) -> dict[str, Any]:
        """The problem as the API shows it in ``errors``."""
        found: dict[str, Any] = {"pointer": self.pointer, "message": self.message}
        if self.code:
            found["code"] = self.code
            found["params"] = dict(self.params)
        return found


def pointer(*parts: str | int) -> str:
    """Join path parts into a JSON pointer (RFC 6901), escaping ``~`` and ``/``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class DocgenError(Exception):
    """Base of every error docgen raises on purpose.

    Class attributes tell each door what to do: ``status`` (HTTP), ``title`` (the
    problem's short English title), ``slug`` (its ``type`` in the API's documentation),
    ``exit_code`` (the command line). An instance may name a narrower ``code`` than its
    slug, with ``params``: the values a message in another language needs.
    """

    status = 500
    title = "Internal error"
    slug = "internal-error"
    exit_code = EXIT_FAILED
    # The fields at fault, when there are any (always for ``InvalidInput``).
    problems: Sequence[Problem] = ()

    def __init__(
        self, detail: str, *, code: str | None = None, params: Mapping[str, Any] | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.slug
        self.params: dict[str, Any] = dict(params or {})


class InvalidInput(DocgenError):
    """The input is wrong; ``problems`` lists every field at fault and why."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"
    exit_code = EXIT_INVALID

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem], detail: str | None = None):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InvalidInput needs at least one problem")
        super().__init__(detail or "; ".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, where: str, message: str, code: str | None = None, **params: Any) -> InvalidInput:
        """Build the error for a single field."""
        return cls([Problem(where, message, code, params)])


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
    exit_code = EXIT_BUSY

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


class MethodNotAllowed(DocgenError):
    status = 405
    title = "Method not allowed"
    slug = "method-not-allowed"


class RateLimited(DocgenError):
    """Past the API key's rate; retry after ``retry_after`` seconds."""

    status = 429
    title = "Too many requests"
    slug = "rate-limited"
    exit_code = EXIT_BUSY

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail, params={"seconds": retry_after})
        self.retry_after = retry_after


class UnsupportedMedia(DocgenError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"
    exit_code = EXIT_INVALID


class TooLarge(DocgenError):
    """More bytes than a limit allows: a request's body, an upload, a stored stream."""

    status = 413
    title = "Content too large"
    slug = "too-large"
    exit_code = EXIT_INVALID

    def __init__(self, detail: str, *, limit: int | None = None):
        super().__init__(detail, params={} if limit is None else {"limit": limit})
        self.limit = limit


class Internal(DocgenError):
    """An error docgen did not expect: it is logged, the reader gets no detail."""

    status = 500
    title = "Internal error"
    slug = "internal-error"


# What an HTTP error raised by the web framework itself is, in this tree.
BY_STATUS: dict[int, type[DocgenError]] = {
    cls.status: cls
    for cls in (
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        TooLarge,
        UnsupportedMedia,
        RateLimited,
        Internal,
        ConversionFailed,
        Busy,
    )
}


class HttpError(DocgenError):
    """An error the web framework raised itself (no such address, a method the address
    does not take, a body past the limit...): its status gives its place in the tree."""

    def __init__(self, status: int, detail: str, name: str = "Error"):
        kind = BY_STATUS.get(status)
        self.status = status
        self.title = kind.title if kind else name
        self.slug = kind.slug if kind else name.lower().replace(" ", "-")
        super().__init__(detail)
