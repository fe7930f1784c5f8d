"""Users of the web pages: create (with a generated password), authenticate, find, list.

Passwords are kept only as salted, slow hashes (werkzeug's scrypt). E-mail addresses are
compared in lower case. Operations flush; the caller commits.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from docgen.errors import InvalidInput, NotFound
from docgen.store.models import ApiKey, User, utcnow

ROLES = ("admin", "officer", "viewer")
# What each role may do: viewers read; officers and admins also change.
WRITERS = frozenset({"admin", "officer"})
MIN_PASSWORD = 10
# Checked against when the e-mail is unknown, so that both answers take as long.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


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
        raise InvalidInput.at("/email", f"a user {email} exists already")
    user = User(email=email, role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, email: str, password: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"no user {normalise_email(email)}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput.at("/password", f"must be at least {MIN_PASSWORD} characters")
    user.password_hash = generate_password_hash(password)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User | None:
    """The live user of a session, or None (unknown or disabled)."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    return user if user is not None and user.disabled_at is None else None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user when the password is right (and the user not disabled), else None."""
    user = find_user(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
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
