"""No input answers 5xx (issue 12, point 6): the reported cases, then hypothesis.

The app runs with TESTING on, so an unexpected exception is raised into the test rather
than answered 500: a failure here shows the traceback of the bug.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "documents"))
import hostile

from docgen.documents.tabular import read_batch
from docgen.errors import DocgenError

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FUZZ = settings(
    max_examples=int(os.environ.get("DOCGEN_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(value)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return out


# What an attacker or a careless script puts where a value should be.
ODD = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "9999-12-31T23:59:59",
            "Timi\x0bsoara",
            "a\x00b",
            "\ufffe",
            '=HYPERLINK("x")',
            "",
            " ",
            "1e999",
            "NaN",
            10**30,
            -(10**30),
            10**4000,
            -1,
            0,
            2**63,
            1.5e308,
            True,
            None,
            [],
            {},
            [[[[]]]],
            {"a": {"b": {}}},
        ]
    ),
    st.integers(),
    st.text(max_size=30),
    st.floats(allow_nan=False),
    st.dates().map(str),
    st.lists(st.integers(), max_size=3),
)


def mutated(sample: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The sample with a few values replaced, and maybe its whole timeline moved so that
    its last date is the last day Python knows (or its first the first day, or into a
    year out of the range): order and durations stay, only the years are hostile."""
    paths = _paths(sample)[1:]
    changes = st.lists(st.tuples(st.sampled_from(paths), ODD), max_size=3)
    moves = st.sampled_from(
        [None, date.max, date.min, date(1899, 12, 31), date(2200, 1, 1), date(2199, 12, 31)]
    )
    return st.tuples(changes, moves).map(lambda drawn: _apply(_moved(sample, drawn[1]), drawn[0]))


_DATE = re.compile(r"^(\d{4}-\d\d-\d\d)")


def _dates(value: Any) -> list[date]:
    if isinstance(value, dict):
        return [d for v in value.values() for d in _dates(v)]
    if isinstance(value, list):
        return [d for v in value for d in _dates(v)]
    match = _DATE.match(value) if isinstance(value, str) else None
    return [date.fromisoformat(match.group(1))] if match else []


def _moved(sample: dict[str, Any], anchor: date | None) -> dict[str, Any]:
    found = _dates(sample)
    if anchor is None or not found:
        return sample
    shift = anchor - (max(found) if anchor >= max(found) else min(found))

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        match = _DATE.match(value) if isinstance(value, str) else None
        if match:
            return (date.fromisoformat(match.group(1)) + shift).isoformat() + value[10:]
        return value

    return move(sample)


def _apply(sample: dict[str, Any], changes: list[tuple[tuple, Any]]) -> dict[str, Any]:
    out = sample
    for path, value in changes:
        try:
            out = _replace(out, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the path
    return out


def _no_5xx(response) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data()[:500])
    if response.status_code >= 400:
        assert response.content_type == "application/problem+json"
        body = response.json
        assert body["status"] == response.status_code and body["detail"]


# --- the cases of the report ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "sample", "field", "pointer"),
    [
        ("/api/v1/grants/quote", "quote-incoming-sta", ("start",), "/start"),
        ("/api/v1/selection/rank", "selection-incoming", ("published_at",), "/published_at"),
    ],
)
def test_year_9999_is_422_naming_the_field(client, admin, path, sample, field, pointer):
    data = _replace(
        _sample(sample), field, "9999-12-31T00:00:00" if "published" in pointer else "9999-12-01"
    )
    if "quote" in path:
        data["end"] = "9999-12-31"
    response = client.post(path, headers=admin, json=data)
    assert response.status_code == 422, response.json
    assert pointer in {e["pointer"] for e in response.json["errors"]}


def test_minutes_in_year_9999_are_422(client, admin):
    data = _sample("selection_minutes")
    data["meeting_date"] = "9999-12-31"
    data["selection"]["published_at"] = "9999-12-31T12:00:00"
    response = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "selection_minutes", "lang": "ro", "data": data},
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json["errors"]}
    assert "/data/meeting_date" in pointers


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"start": ' + "9" * 5000 + "}", 400),
        ("[" * 5000 + "]" * 5000, 400),
        ('{"a":' * 200 + "1" + "}" * 200, 400),
    ],
    ids=["5000-digit-integer", "nested-5000", "nested-200"],
)
def test_hostile_json_bodies_are_4xx(client, admin, body, status):
    response = client.post(
        "/api/v1/grants/quote", data=body, headers=admin, content_type="application/json"
    )
    assert response.status_code == status
    assert response.content_type == "application/problem+json"


def test_a_huge_page_number_is_422_naming_it(client, admin):
    response = client.get("/api/v1/records?page=369934881474191032", headers=admin)
    assert response.status_code == 422 and response.json["errors"][0]["pointer"] == "/page"


# --- property-based: mutated samples to every JSON endpoint ---------------------------------


@FUZZ
@given(
    sample=st.sampled_from(["quote-outgoing-sms", "quote-incoming-sta", "quote-visiting"]),
    data=st.data(),
)
def test_quotes_never_answer_5xx(client, admin, sample, data):
    payload = data.draw(mutated(_sample(sample)))
    _no_5xx(client.post("/api/v1/grants/quote", headers=admin, json=payload))


@FUZZ
@given(data=mutated(_sample("selection-incoming")))
def test_rankings_never_answer_5xx(client, admin, data):
    _no_5xx(client.post("/api/v1/selection/rank", headers=admin, json=data))


@FUZZ
@given(
    kind=st.sampled_from(
        [
            "certificate_of_attendance",
            "financial_contract",
            "selection_minutes",
            "learning_agreement",
        ]
    ),
    data=st.data(),
)
def test_documents_never_answer_5xx(client, admin, kind, data):
    payload = data.draw(mutated(_sample(kind)))
    _no_5xx(
        client.post(
            "/api/v1/documents",
            headers=admin,
            json={"kind": kind, "lang": "ro", "format": "docx", "data": payload},
        )
    )


@FUZZ
@given(items=st.lists(mutated(_sample("certificate_of_attendance")), min_size=1, max_size=2))
def test_batches_never_answer_5xx(client, admin, items):
    response = client.post(
        "/api/v1/documents/batch",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "en", "format": "docx", "items": items},
    )
    _no_5xx(response)
    response.close()


@FUZZ
@given(
    body=st.recursive(
        ODD,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_any_json_to_the_endpoints_never_answers_5xx(client, admin, body):
    for path in (
        "/api/v1/grants/quote",
        "/api/v1/selection/rank",
        "/api/v1/documents",
        "/api/v1/documents/batch",
        "/api/v1/forms/certificate_of_attendance/prefill",
    ):
        _no_5xx(client.post(path, headers=admin, json=body))
    _no_5xx(client.patch("/api/v1/records/1", headers=admin, json=body))


@FUZZ
@given(
    page=st.one_of(st.integers(), st.text(max_size=25)),
    per_page=st.one_of(st.integers(), st.text(max_size=5)),
)
def test_record_lists_never_answer_5xx(client, admin, page, per_page):
    response = client.get(
        "/api/v1/records", headers=admin, query_string={"page": page, "per_page": per_page}
    )
    _no_5xx(response)


# --- property-based: the batch readers ------------------------------------------------------


def _read(content: bytes, filename: str) -> None:
    try:
        read_batch(content, filename)
    except DocgenError as exc:
        assert 400 <= exc.status < 500


@FUZZ
@given(text=st.text(alphabet=st.sampled_from([*'ab,;"\t\n\r\x00=.0', "ș"]), max_size=300))
def test_the_csv_reader_raises_only_input_errors(backend, text):
    _read(text.encode(), "batch.csv")
    _read(text.encode("utf-16"), "batch.csv")


@FUZZ
@given(
    body=st.recursive(
        ODD,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=10,
    ),
    raw=st.binary(max_size=40),
)
def test_the_json_reader_raises_only_input_errors(backend, body, raw):
    _read(json.dumps(body).encode(), "batch.json")
    _read(raw, "batch.json")


WORKBOOK = hostile.workbook([["id", "scores.grade", "when"], ["c1", 9.5, "2026-01-01"]])


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=4
    ),
    member=st.sampled_from(
        ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
    ),
    xml=st.text(alphabet=st.sampled_from(list("<>/=\"' abcrvt&;!DOCTYPE123")), max_size=200),
)
def test_the_xlsx_reader_raises_only_input_errors(backend, flips, member, xml):
    broken = bytearray(WORKBOOK)
    for index, value in flips:
        broken[index] = value
    _read(bytes(broken), "batch.xlsx")
    _read(hostile.replace_members(WORKBOOK, {member: xml}), "batch.xlsx")
    _read(io.BytesIO(WORKBOOK[: len(WORKBOOK) // 2]).getvalue(), "batch.xlsx")
