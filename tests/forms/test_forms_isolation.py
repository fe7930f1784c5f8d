"""Whatever the input, a record or a documented error, within the limits."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from docgen.forms.isolation import WorkerPool
from docgen.forms.parse import ERROR_CODES

FORMS = Path(__file__).resolve().parents[2] / "forms"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.pdf"))
STATUSES = {"valid", "needs_review", "unrecognized"}


def assert_answer(answer: dict) -> None:
    if "error" in answer:
        assert set(answer) == {"error"}
        assert answer["error"]["code"] in ERROR_CODES
        assert answer["error"]["message"]
    else:
        assert answer["status"] in STATUSES
        assert answer["method"] in {"acroform", "flattened"}
        assert set(answer["source"]) >= {"sha256", "pages", "filename"}


def test_filled_form_through_the_pool(pool, fill, values):
    answer = pool.parse(
        fill("certificate_of_attendance", values["certificate_of_attendance"]), "c.pdf"
    )
    assert answer["status"] == "valid"
    assert answer["source"]["filename"] == "c.pdf"


@pytest.mark.skipif(not CORPUS_FILES, reason="no corpus")
def test_every_corpus_file_gives_a_record_or_a_documented_error(pool):
    slowest = 0.0
    for path in CORPUS_FILES:
        start = time.monotonic()
        answer = pool.parse(path.read_bytes(), path.name)
        slowest = max(slowest, time.monotonic() - start)
        assert_answer(answer)
        if "error" not in answer:
            assert answer["source"]["filename"] == path.name
    # the timeout (6 s here) plus the cost of killing a worker
    assert slowest < pool.timeout + 3


def test_fuzzed_copies_never_crash_the_parser(pool, fill, values):
    original = fill("certificate_of_attendance", values["certificate_of_attendance"])
    rng = random.Random(20260307)
    for case in range(40):
        data = bytearray(original)
        if case % 4 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.choice([1, 4, 32])):
                pos = rng.randrange(len(data))
                data[pos] ^= 1 << rng.randrange(8)
        assert_answer(pool.parse(bytes(data), f"fuzz-{case}.pdf"))


def test_size_cap():
    with WorkerPool(1, max_bytes=1000, forms_dir=FORMS) as small:
        answer = small.parse(b"%PDF-1.7" + b" " * 2000)
    assert answer["error"]["code"] == "too_large"


def test_timeout_kills_and_the_pool_recovers(fill, values):
    data = fill("learning_agreement", values["learning_agreement"])
    with WorkerPool(1, timeout=0.001, forms_dir=FORMS) as pool:
        pool.warm_up()
        assert pool.parse(data)["error"]["code"] == "timeout"
        pool.timeout = 10
        assert pool.parse(data)["form"] == "learning_agreement"


def test_worker_runs_under_a_memory_limit():
    with WorkerPool(1, memory_mb=700, forms_dir=FORMS) as pool:
        pool.warm_up()
        worker = pool._all[0]
        limits = Path(f"/proc/{worker.proc.pid}/limits").read_text()
    line = next(row for row in limits.splitlines() if row.startswith("Max address space"))
    assert str(700 * 1024 * 1024) in line
