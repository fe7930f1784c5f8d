"""The converter pool's gate: batch jobs keep to their share, interactive jobs go first."""

from __future__ import annotations

import threading
import time

import pytest

from docgen.convert.gate import Gate
from docgen.convert.pool import batch_instances
from docgen.errors import Busy


def test_the_share_is_a_percentage_of_the_instances_at_least_one():
    assert batch_instances(2, 50) == 1
    assert batch_instances(4, 50) == 2
    assert batch_instances(1, 50) == 1
    assert batch_instances(3, 100) == 3
    assert batch_instances(8, 1) == 1


def test_batches_hold_at_most_their_share():
    gate = Gate(["a", "b", "c", "d"], queue=4, batch_share=2)
    first, second = gate.acquire(1, batch=True), gate.acquire(1, batch=True)
    with pytest.raises(Busy):
        gate.acquire(0.2, batch=True)  # two instances are still idle: not for batches
    assert gate.idle == 2 and gate.batch_active == 2
    interactive = [gate.acquire(0.2), gate.acquire(0.2)]  # the rest serve single requests
    assert sorted([first, second, *interactive]) == ["a", "b", "c", "d"]
    gate.release(first)
    assert gate.acquire(1, batch=True) == first


def test_batch_waiters_do_not_fill_the_interactive_queue():
    gate = Gate(["a", "b"], queue=1, batch_share=1)
    held = gate.acquire(1, batch=True)
    waiting = [threading.Thread(target=lambda: _quietly(gate, batch=True)) for _ in range(5)]
    for thread in waiting:
        thread.start()
    time.sleep(0.2)
    single = gate.acquire(0.5)  # the other instance, although five batch jobs wait
    assert single != held
    gate.release(single)
    gate.release(held)
    for thread in waiting:
        thread.join(10)


def test_an_interactive_job_goes_before_waiting_batches():
    gate = Gate(["a"], queue=2, batch_share=1)
    held = gate.acquire(1, batch=True)
    order: list[str] = []
    batch = threading.Thread(target=lambda: order.append(_quietly(gate, batch=True, name="b")))
    batch.start()
    time.sleep(0.2)  # the batch job waits first
    single = threading.Thread(target=lambda: order.append(_quietly(gate, name="i")))
    single.start()
    time.sleep(0.2)
    gate.release(held)
    batch.join(10)
    single.join(10)
    assert order == ["i", "b"]


def _quietly(gate: Gate, *, batch: bool = False, name: str = "") -> str:
    worker = gate.acquire(5, batch=batch)
    time.sleep(0.1)
    gate.release(worker)
    return name
