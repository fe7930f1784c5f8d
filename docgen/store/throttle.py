"""Sign-in throttling: failed attempts per account and per client address, in the database.

Each failure is counted under two keys, the account (``acct:`` and a hash of the e-mail
address, so that mistyped passwords in the address field are not kept) and the client
address (``addr:<ip>``). Past a number of free attempts each further failure locks the key
for a growing time (1 s, 2 s, 4 s, ...) up to a cap; the count is forgotten after
:data:`WINDOW` without a failure, and a successful sign-in clears its account. An attempt
made while a key is locked is answered at once (429, Retry-After) without checking the
password: it costs no scrypt and does not lengthen the lock.

The account's cap is short (a minute) so that an attacker cannot keep a member of staff
out for long; the address's cap is long, so one client cannot keep guessing. The state is
in the database so that every gunicorn worker sees the same counts. Operations flush;
the caller commits.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docgen.store.models import LoginThrottle
from docgen.store.users import normalise_email


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before the first lock
    cap: int  # longest lock, in seconds


ACCOUNT = Policy(free=5, cap=60)
ADDRESS = Policy(free=20, cap=900)
WINDOW = timedelta(minutes=15)


def account_key(email: str) -> str:
    return "acct:" + hashlib.sha256(normalise_email(email).encode()).hexdigest()[:40]


def address_key(address: str | None) -> str:
    return "addr:" + (address or "unknown")[:200]


def _policy(key: str) -> Policy:
    return ACCOUNT if key.startswith("acct:") else ADDRESS


def lock_seconds(policy: Policy, failures: int) -> int:
    """How long the ``failures``-th failure in a row locks its key (0: not at all)."""
    over = failures - policy.free
    if over <= 0:
        return 0
    return min(policy.cap, 2 ** min(over - 1, 20))


def wait_seconds(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until every key may try again (0: now)."""
    wait = 0.0
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None:
            wait = max(wait, (_aware(row.locked_until) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_failure(session: Session, keys: list[str], now: datetime) -> int:
    """Count a failed sign-in under each key; return how long the next attempt must wait."""
    _forget_old(session, now)
    for key in keys:
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:  # another worker counted the first failure meanwhile
                row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
                assert row is not None
        elif now - _aware(row.last_failure_at) > WINDOW:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        seconds = lock_seconds(_policy(key), row.failures)
        row.locked_until = now + timedelta(seconds=seconds) if seconds else None
    session.flush()
    return wait_seconds(session, keys, now)


def record_success(session: Session, email: str) -> None:
    """Clear the account's count (the address's count is left to expire by itself)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    session.flush()


def _forget_old(session: Session, now: datetime) -> None:
    stale = now - WINDOW
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < stale,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
