"""Who is signed in, what their role lets them do, and the CSRF token of every form.

The session (Flask's signed cookie) holds the user's id, their ``session_version`` at
sign-in and a fingerprint of their password hash; all three are checked against the
database on every request. Signing out, a new password and a disabled account raise the
version (or change the hash), so every cookie issued before, even one copied elsewhere,
stops working at once: the server, not the cookie's lifetime, decides when a session ends.
Roles: ``viewer`` reads, ``officer`` and ``admin`` also change, ``admin`` also manages the
users; the check is made here, on the server, whatever the page shows.

CSRF: a synchronizer token of our own rather than Flask-WTF. Only the pages need it (the
API authenticates with a Bearer header, which a browser never sends by itself), so the
check belongs to the ``ui`` blueprint alone; it is a random token kept in the signed
session, sent back in a hidden ``csrf_token`` field (or the ``X-CSRF-Token`` header for the
page's scripts) and compared in constant time on every POST. Together with SameSite=Lax
cookies that is the OWASP "synchronizer token" defence.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import g, redirect, request, session, url_for
from flask_babel import gettext as _

from docgen.errors import Forbidden
from docgen.store.database import db
from docgen.store.models import User
from docgen.store.users import WRITERS, end_sessions, get_user

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = {"ui.login", "ui.set_language"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class CsrfFailed(Forbidden):
    title = "Form expired"
    slug = "csrf"


def fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    session.clear()  # nothing from before the sign-in survives it
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version or 0
    session["auth"] = fingerprint(user)
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """End this session and, on the server, every other session of the same user."""
    user = current_user()
    if user is not None:
        end_sessions(user)
        db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_user() -> User | None:
    return g.get("user")


def can_change() -> bool:
    user = current_user()
    return user is not None and user.role in WRITERS


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed(
            _(
                "The form has expired or did not come from this site. "
                "Load the page again and repeat."
            )
        )


def safe_next(target: str | None) -> str:
    """A local path to go back to (never another site)."""
    if not target:
        return url_for("ui.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("ui.dashboard")
    return target


def before_request() -> Any:
    """Load the user; send strangers to the sign-in page; check the CSRF token."""
    g.user = None
    uid = session.get("uid")
    if isinstance(uid, int):
        user = get_user(db.session, uid)
        db.session.commit()  # end the read: on SQLite it holds the write lock
        if (
            user is not None
            and session.get("sv") == (user.session_version or 0)
            and hmac.compare_digest(session.get("auth", ""), fingerprint(user))
        ):
            g.user = user
    if request.method in UNSAFE:
        _check_csrf()
    if g.user is None and request.endpoint not in PUBLIC:
        return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
    return None


def admin_required(view: F) -> F:
    """Let only administrators run the view (others get the 403 page)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or user.role != "admin":
            raise Forbidden(_("Only an administrator may manage the users."))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def writer_required(view: F) -> F:
    """Let only officers and admins run the view (viewers get the 403 page)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can_change():
            raise Forbidden(
                _(
                    "Your role lets you read, not change. Ask an administrator "
                    "if you need to change data."
                )
            )
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
