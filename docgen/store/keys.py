"""API keys: create (the secret is shown once), revoke, and find the key of a token.

A key reads ``dgk_<prefix>_<secret>``; only the SHA-256 of the whole key is kept. The
secret has 256 random bits, so a fast hash is enough (nothing to brute-force); the prefix
finds the row without comparing hashes across the table.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from docgen.errors import InvalidInput, NotFound
from docgen.store.models import ApiKey, utcnow

SCOPES = ("documents", "uploads", "records:read", "records:write", "admin")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(session: Session, name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Add a key; return it with the token to hand out (never stored)."""
    name = name.strip()
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in SCOPES]
    if not name or len(name) > 80:
        raise InvalidInput.at("/name", "must be 1 to 80 characters")
    if unknown or not wanted:
        raise InvalidInput.at("/scopes", f"choose among {', '.join(SCOPES)}")
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise InvalidInput.at("/name", f"a key named {name!r} exists already")
    prefix = secrets.token_hex(4)
    token = f"dgk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, key_hash=_hash(token), scopes=" ".join(wanted))
    session.add(key)
    session.flush()
    return key, token


def revoke_key(session: Session, name: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFound(f"no API key named {name!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def find_key(session: Session, token: str) -> ApiKey | None:
    """Return the live key a token belongs to, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "dgk" or len(parts[1]) != 8:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    return key if hmac.compare_digest(key.key_hash, _hash(token)) else None
