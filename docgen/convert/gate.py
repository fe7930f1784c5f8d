"""A bounded waiting room in front of a fixed set of workers, interactive jobs first."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Generic, TypeVar

from docgen.errors import Busy, ConversionFailed

T = TypeVar("T")

# Batch conversions wait patiently (a job retries on Busy): a bound of their own, so that
# they can never fill the interactive queue.
BATCH_QUEUE = 32


class Gate(Generic[T]):
    """Hand out workers one job at a time; at most ``queue`` jobs wait, the rest are refused.

    A job that finds every worker busy waits (first come, first served) up to ``wait``
    seconds; one that finds ``queue`` jobs already waiting raises ``Busy`` at once.

    Batch jobs (``batch=True``) hold at most ``batch_share`` workers at a time, wait in a
    queue of their own (``BATCH_QUEUE``), and take a free worker only while no interactive
    job is waiting: a batch job in progress delays an interactive one by at most one
    conversion, and only when every worker outside the batches' share is busy too.
    """

    def __init__(self, workers: Iterable[T], queue: int, batch_share: int | None = None):
        self._idle: list[T] = list(workers)
        self._size = len(self._idle)
        self._queue = max(0, queue)
        self._share = self._size if batch_share is None else max(1, min(batch_share, self._size))
        self._waiting = 0
        self._batch_waiting = 0
        self._batch_held: dict[int, int] = {}  # id(worker) -> how many times (0 or 1)
        self._closed = False
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def batch_share(self) -> int:
        return self._share

    @property
    def batch_active(self) -> int:
        return len(self._batch_held)

    def acquire(self, wait: float, *, batch: bool = False) -> T:
        return self._acquire_batch(wait) if batch else self._acquire(wait)

    def _acquire(self, wait: float) -> T:
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
            return self._idle.pop(0)

    def _batch_may_take(self) -> bool:
        return bool(self._idle) and not self._waiting and len(self._batch_held) < self._share

    def _acquire_batch(self, wait: float) -> T:
        with self._cond:
            if not self._batch_may_take() and not self._closed:
                if self._batch_waiting >= BATCH_QUEUE:
                    raise Busy(
                        "busy, retry later: too many batch conversions are waiting",
                        retry_after=self._retry_after(),
                    )
                self._batch_waiting += 1
                try:
                    self._cond.wait_for(
                        lambda: self._batch_may_take() or self._closed, timeout=wait
                    )
                finally:
                    self._batch_waiting -= 1
            if self._closed:
                raise ConversionFailed("the PDF converter has been stopped")
            if not self._batch_may_take():
                raise Busy(
                    f"busy, retry later: no PDF converter came free for batches within {wait:g} s",
                    retry_after=self._retry_after(),
                )
            worker = self._idle.pop(0)
            self._batch_held[id(worker)] = 1
            return worker

    def release(self, worker: T) -> None:
        with self._cond:
            self._batch_held.pop(id(worker), None)
            self._idle.append(worker)
            # Two kinds of waiters wait for different things: wake them all to re-check.
            self._cond.notify_all()

    def close(self) -> None:
        """Refuse new jobs and wake the waiting ones (they fail)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _retry_after(self) -> int:
        # About one second of work per queued job per worker, at least a second.
        return max(1, round((self._waiting + 1) / max(1, self._size)))
