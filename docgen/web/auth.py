"""API keys as Bearer tokens, scopes per view, and the rate limit per key.

``@require("documents")`` on a view: 401 without a valid key, 403 without the scope (the
``admin`` scope holds them all), 429 with Retry-After past the key's rate. The scope is
noted on the view for the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from docgen.errors import Forbidden, RateLimited, Unauthorized
from docgen.store.database import db
from docgen.store.keys import find_key
from docgen.store.models import ApiKey

F = TypeVar("F", bound=Callable[..., Any])


def current_key() -> ApiKey | None:
    return g.get("api_key")


def _authenticate() -> ApiKey:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key: Authorization: Bearer <key>")
    key = find_key(db.session, token.strip())
    # End the read at once: on SQLite a transaction holds the write lock, and the view may
    # work for seconds (rendering, converting) before it writes anything.
    db.session.commit()
    if key is None:
        raise Unauthorized("the API key is unknown or revoked")
    return key


def require(scope: str | None) -> Callable[[F], F]:
    """Let the view run only for a key holding ``scope`` (None: any valid key)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _authenticate()
            if scope and scope not in key.scope_set and "admin" not in key.scope_set:
                raise Forbidden(f"this API key lacks the scope '{scope}'")
            wait = current_app.extensions["docgen.ratelimit"].hit(f"key{key.id}")
            if wait:
                raise RateLimited(f"rate limit of this API key reached; retry in {wait} s", wait)
            g.api_key = key
            return view(*args, **kwargs)

        wrapper.docgen_scope = scope or ""  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
