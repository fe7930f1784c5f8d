"""A token bucket per API key, shared by every worker process of this machine.

gunicorn runs several processes: a counter in each would let a key through N times its
limit. The bucket of a key is a 16-byte file (tokens, time) under the instance folder,
read and written under ``flock``; about 20 µs a request, no extra service to run. (Several
machines behind a proxy would need a shared store such as Redis instead.)
"""

from __future__ import annotations

import fcntl
import math
import os
import struct
import time
from pathlib import Path

_STATE = struct.Struct("<dd")


class RateLimiter:
    """``per_minute`` requests a minute on average, with bursts up to ``burst``."""

    def __init__(self, directory: Path, per_minute: int, burst: int):
        self.directory = Path(directory)
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.enabled = per_minute > 0

    def hit(self, key: str) -> int:
        """Take one token for ``key``; return 0 if allowed, else seconds to wait."""
        if not self.enabled:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / f"{key}.bucket", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, _STATE.size, 0)
            now = time.time()
            tokens, last = _STATE.unpack(raw) if len(raw) == _STATE.size else (self.burst, now)
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            if tokens >= 1:
                os.pwrite(fd, _STATE.pack(tokens - 1, now), 0)
                return 0
            os.pwrite(fd, _STATE.pack(tokens, now), 0)
            return max(1, math.ceil((1 - tokens) / self.rate))
        finally:
            os.close(fd)  # releases the lock
