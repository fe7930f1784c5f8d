"""A token bucket per API key, in the database: shared by every process of every node.

gunicorn runs several processes and a large installation several machines: a counter in
each would let a key through N times its limit. The bucket of a key is one row of
``rate_limits`` (tokens, when they were counted, whether the last request passed), taken
by one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement: the database locks
the row for the statement, so two nodes taking a token at once queue and neither sees a
stale count. The same statement runs on SQLite (3.35 and later) and PostgreSQL. It is
committed on a connection of its own, at once: a refused request rolls its own
transaction back, not the count.

The time is each node's clock (keep the nodes on NTP); a clock going back adds nothing.
"""

from __future__ import annotations

import math
import time

from sqlalchemy import Engine, text

# One statement, the same on SQLite and PostgreSQL. In ON CONFLICT DO UPDATE every SET
# expression reads the row as it was before the statement: ``allowed`` and ``tokens`` see
# the same count. The refill is min(burst, tokens + max(0, now - stamp) * rate), written
# with CASE (SQLite's MIN of two values is PostgreSQL's LEAST).
_REFILL = (
    "(CASE WHEN rate_limits.tokens + (CASE WHEN :now > rate_limits.stamp "
    "THEN :now - rate_limits.stamp ELSE 0 END) * :rate > :burst THEN :burst "
    "ELSE rate_limits.tokens + (CASE WHEN :now > rate_limits.stamp "
    "THEN :now - rate_limits.stamp ELSE 0 END) * :rate END)"
)
_TAKE = text(
    "INSERT INTO rate_limits (key, tokens, stamp, allowed) VALUES (:key, :burst - 1, :now, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    f"tokens = CASE WHEN {_REFILL} >= 1 THEN {_REFILL} - 1 ELSE {_REFILL} END, "
    "stamp = CASE WHEN rate_limits.stamp > :now THEN rate_limits.stamp ELSE :now END, "
    f"allowed = CASE WHEN {_REFILL} >= 1 THEN 1 ELSE 0 END "
    "RETURNING tokens, allowed"
)


class RateLimiter:
    """``per_minute`` requests a minute on average, with bursts up to ``burst``."""

    def __init__(self, engine: Engine, per_minute: int, burst: int):
        self.engine = engine
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.enabled = per_minute > 0

    def hit(self, key: str, now: float | None = None) -> int:
        """Take one token for ``key``; return 0 if allowed, else seconds to wait."""
        if not self.enabled:
            return 0
        now = time.time() if now is None else now
        values = {"key": key, "now": float(now), "rate": self.rate, "burst": float(self.burst)}
        with self.engine.begin() as connection:
            left, allowed = connection.execute(_TAKE, values).one()
        if allowed:
            return 0
        return max(1, math.ceil((1 - float(left)) / self.rate))
