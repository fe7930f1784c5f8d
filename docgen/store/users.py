"""Users of the web pages: create, authenticate, find, list, disable, change role or password.

Passwords are kept only as salted, slow hashes (werkzeug's scrypt). E-mail addresses are
compared in lower case. A user's ``session_version`` is raised whenever their sessions must
end (sign-out, new password, disabled account). Operations flush; the caller commits.
"""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from docgen.errors import InvalidInput, NotFound
from docgen.store.models import ApiKey, User, utcnow

ROLES = ("admin", "officer", "viewer")
# What each role may do: viewers read; officers and admins also change.
WRITERS = frozenset({"admin", "officer"})
MIN_PASSWORD = 10


@cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so that both answers take as long.

    Made on the first sign-in (not at import: the CLI and the workers need not pay for it),
    before the e-mail is looked up, so that even that first answer does not tell.
    """
    return generate_password_hash("not a password of anyone")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    """A password to hand out once: about 96 random bits, easy to type."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def create_user(session: Session, email: str, role: str, password: str) -> User:
    """Add a user; the password is hashed here and never stored as such."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise InvalidInput.at("/email", "must be an e-mail address")
    if role not in ROLES:
        raise InvalidInput.at("/role", f"must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput.at("/password", f"must be at least {MIN_PASSWORD} characters")
    if find_user(session, email) is not None:
        raise InvalidInput.at("/email", f"a user {email} exists already", "user_exists")
    user = User(email=email, role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, email: str, password: str) -> User:
    """Give the user a new password; every session opened with the old one ends."""
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user {normalise_email(email)}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput.at("/password", f"must be at least {MIN_PASSWORD} characters")
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    session.flush()
    return user


def end_sessions(user: User) -> None:
    """End every session of the user, in every browser, at their next request."""
    user.session_version = (user.session_version or 0) + 1


def set_disabled(session: Session, user: User, disabled: bool) -> User:
    """Disable (ending every session at once) or enable an account."""
    if disabled and user.disabled_at is None:
        _keep_an_admin(session, user)
        user.disabled_at = utcnow()
        end_sessions(user)
    elif not disabled:
        user.disabled_at = None
    session.flush()
    return user


def set_role(session: Session, user: User, role: str) -> User:
    if role not in ROLES:
        raise InvalidInput.at("/role", f"must be one of {', '.join(ROLES)}")
    if user.role == "admin" and role != "admin":
        _keep_an_admin(session, user)
    user.role = role
    session.flush()
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    """Refuse to disable or demote the last active administrator."""
    if leaving.role != "admin" or leaving.disabled_at is not None:
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.disabled_at.is_(None), User.id != leaving.id)
    )
    if not others:
        raise InvalidInput.at("/role", "the last active administrator must stay one", "last_admin")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User | None:
    """The live user of a session, or None (unknown or disabled)."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    return user if user is not None and user.disabled_at is None else None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user when the password is right (and the user not disabled), else None."""
    dummy = _dummy_hash()
    user = find_user(session, email)
    if user is None:
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled_at is not None:
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def actor_name(actor: ApiKey | User | None) -> str:
    """How an audit trail names who acted: the user's e-mail or the API key's name."""
    if isinstance(actor, User):
        return actor.email
    if isinstance(actor, ApiKey):
        return actor.name
    return "system"


def actor_ids(actor: ApiKey | User | None) -> tuple[int | None, int | None]:
    """``(api_key_id, user_id)`` of whoever acted."""
    if isinstance(actor, User):
        return None, actor.id
    if isinstance(actor, ApiKey):
        return actor.id, None
    return None, None
