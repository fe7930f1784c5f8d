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

from sqlalchemy import Engine, case, literal
from sqlalchemy.dialects import postgresql, sqlite

from docgen.store.models import RateLimit


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
        table = RateLimit.__table__
        dialect = self.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        elapsed = literal(now) - table.c.stamp
        refilled = table.c.tokens + case((elapsed > 0, elapsed), else_=0.0) * self.rate
        tokens = case((refilled > self.burst, float(self.burst)), else_=refilled)
        statement = (
            insert(table)
            .values(key=key, tokens=float(self.burst - 1), stamp=now, allowed=1)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "tokens": case((tokens >= 1, tokens - 1), else_=tokens),
                    "stamp": case((table.c.stamp > now, table.c.stamp), else_=now),
                    "allowed": case((tokens >= 1, 1), else_=0),
                },
            )
            .returning(table.c.tokens, table.c.allowed)
        )
        with self.engine.begin() as connection:
            left, allowed = connection.execute(statement).one()
        if allowed:
            return 0
        return max(1, math.ceil((1 - left) / self.rate))
