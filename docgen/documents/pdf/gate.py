"""A bounded waiting room in front of a fixed set of workers."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from typing import Generic, TypeVar

from docgen.errors import Busy, ConversionFailed

T = TypeVar("T")


class Gate(Generic[T]):
    """Hand out workers one job at a time; at most ``queue`` jobs wait, the rest are refused.

    A job that finds every worker busy waits (first come, first served) up to ``wait``
    seconds; one that finds ``queue`` jobs already waiting raises ``Busy`` at once.
    """

    def __init__(self, workers: Iterable[T], queue: int):
        self._idle: deque[T] = deque(workers)
        self._size = len(self._idle)
        self._queue = max(0, queue)
        self._waiting = 0
        self._closed = False
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def idle(self) -> int:
        return len(self._idle)

    def acquire(self, wait: float) -> T:
        with self._cond:
            if not self._idle and not self._closed:
                if self._waiting >= self._queue:
                    raise Busy(
                        f"busy, retry later: all {self._size} PDF converters are working "
                        f"and {self._waiting} jobs are waiting",
                        retry_after=self._retry_after(),
                    )
                self._waiting += 1
                try:
                    self._cond.wait_for(lambda: self._idle or self._closed, timeout=wait)
                finally:
                    self._waiting -= 1
            if self._closed:
                raise ConversionFailed("the PDF converter has been stopped")
            if not self._idle:
                raise Busy(
                    f"busy, retry later: no PDF converter came free within {wait:g} s",
                    retry_after=self._retry_after(),
                )
            return self._idle.popleft()

    def release(self, worker: T) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def close(self) -> None:
        """Refuse new jobs and wake the waiting ones (they fail)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _retry_after(self) -> int:
        # About one second of work per queued job per worker, at least a second.
        return max(1, round((self._waiting + 1) / max(1, self._size)))
