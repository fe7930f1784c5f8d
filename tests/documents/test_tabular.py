"""Batch files: what a normal spreadsheet gives, and what a hostile one is refused for."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import hostile
import pytest

from docgen.documents.tabular import read_batch
from docgen.documents.xlsxguard import Limits
from docgen.errors import MalformedInput
from docgen.forms.isolation import WorkerPool


def refused(content: bytes, filename: str, limits: Limits | None = None) -> str:
    started = time.monotonic()
    with pytest.raises(MalformedInput) as caught:
        read_batch(content, filename, *([limits] if limits else []))
    assert time.monotonic() - started < 5, "refused, but not early"
    return "; ".join(p.message for p in caught.value.problems)


def test_a_normal_workbook_and_csv_are_read():
    rows = read_batch(hostile.workbook([["id", "scores.grade", "n"], ["c1", 9.5, 3]]), "c.xlsx")
    assert [r.data for r in rows] == [{"id": "c1", "scores": {"grade": Decimal("9.5")}, "n": 3}]
    rows = read_batch(b"id;name\nc1;Ana\n\nc2;Ion\n", "c.csv")
    assert [(r.where, r.data["name"]) for r in rows] == [("row 2", "Ana"), ("row 4", "Ion")]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (hostile.lying_dimension, "row 200000: a sheet may use rows 1 to 20001"),
        (lambda: hostile.huge_inline_string(300_000), "row 2, column A: a cell may hold at most"),
        (hostile.far_column, "row 1, column XFD: a sheet may have at most 1024 columns"),
        (hostile.with_doctype, "xl/sharedStrings.xml: holds a DOCTYPE declaration"),
        (hostile.malformed_xml, "xl/worksheets/sheet1.xml is not well-formed XML"),
        (hostile.missing_sheet, "the workbook has no sheet"),
        (lambda: hostile.bomb(300), "xl/worksheets/sheet1.xml unpacks to more than 64 MB"),
        (lambda: b"PK\x03\x04 not really", "not a readable XLSX workbook"),
    ],
    ids=[
        "dimension",
        "inline-string",
        "far-column",
        "doctype",
        "malformed",
        "missing-sheet",
        "bomb",
        "not-a-zip",
    ],
)
def test_hostile_workbooks_are_refused_early_naming_where(build, expected):
    assert expected in refused(build(), "candidates.xlsx")


def test_shared_strings_are_bounded():
    strings = f'<?xml version="1.0"?><sst {hostile.NS}>' + "<si><t>x</t></si>" * 50 + "</sst>"
    content = hostile.replace_members(hostile.workbook(), {"xl/sharedStrings.xml": strings})
    assert "more than 20 shared strings" in refused(content, "c.xlsx", Limits(cells=20))
    long = f'<?xml version="1.0"?><sst {hostile.NS}><si><t>{"y" * 200}</t></si></sst>'
    content = hostile.replace_members(hostile.workbook(), {"xl/sharedStrings.xml": long})
    assert "shared string 1: a cell may hold at most 100" in refused(
        content, "c.xlsx", Limits(cell_chars=100)
    )


def test_rows_and_members_are_bounded():
    many = hostile.workbook([["id"], *[[f"c{n}"] for n in range(30)]])
    assert "more than 10 rows" in refused(many, "c.xlsx", Limits(rows=10, last_row=100))
    assert "more than 10 rows" in refused(
        ("id\n" + "".join(f"c{n}\n" for n in range(30))).encode(),
        "c.csv",
        Limits(rows=10, last_row=100),
    )
    assert "holds" in refused(many, "c.xlsx", Limits(members=3))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a,b\n" + "x" * 200_000 + ",y\n", "row 2: cannot be read (field larger than field"),
        ("a,b\nz,y\n" + "x" * 20_000 + ",y\n", "row 3, column A: a cell may hold at most 10000"),
        ("a" + ",a" * 2000 + "\n", "the header has 2001 columns; at most 1024"),
        ("a,b\n" + "1," * 1500 + "\n", "row 2, column AMK: a sheet may have at most 1024"),
    ],
    ids=["csv-field-limit", "long-cell", "wide-header", "wide-row"],
)
def test_hostile_csv_is_refused_naming_the_row(content, expected):
    assert expected in refused(content.encode(), "c.csv")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[" * 5000 + "]" * 5000, "nests deeper than 64 levels"),
        ('[{"a": ' + "[" * 100 + "]" * 100 + "}]", "nests deeper than 64 levels"),
        ("[" + "9" * 5000 + "]", "a number has more than 4300 digits"),
    ],
    ids=["deep-list", "deep-in-item", "huge-integer"],
)
def test_hostile_json_batch_is_refused(content, expected):
    assert expected in refused(content.encode(), "batch.json")


def test_batch_files_are_read_in_a_bounded_worker(tmp_path):
    good = hostile.workbook([["id", "grade"], ["c1", 8.25]])
    with WorkerPool(1, timeout=30, memory_mb=1024, max_bytes=1_000_000, forms_dir=tmp_path) as pool:
        answer = pool.read_batch(good, "c.xlsx")
        assert answer == {
            "rows": [
                {"number": 2, "where": "row 2", "data": {"id": "c1", "grade": Decimal("8.25")}}
            ]
        }
        answer = pool.read_batch(hostile.lying_dimension(), "c.xlsx")
        assert answer["error"]["code"] == "invalid"
        assert answer["error"]["problems"][0][1].startswith("row 200000")
        too_big = pool.read_batch(io.BytesIO(b"x" * 1_000_001).getvalue(), "c.csv")
        assert too_big["error"]["code"] == "too_large"
    # A read that outlasts the wall clock is stopped, and the pool goes on answering.
    with WorkerPool(1, timeout=0.001, memory_mb=1024, forms_dir=tmp_path) as pool:
        pool.warm_up()
        assert pool.read_batch(good, "c.xlsx")["error"]["code"] == "timeout"
        pool.timeout = 30
        assert "rows" in pool.read_batch(good, "c.xlsx")


def test_numbers_keep_their_digits_through_the_worker(tmp_path):
    content = b'[{"grade": 9.25, "exact": 0.12345678901234567890123}]'
    with WorkerPool(1, timeout=30, memory_mb=1024, forms_dir=tmp_path) as pool:
        data = pool.read_batch(content, "batch.json")["rows"][0]["data"]
    assert data["grade"] == Decimal("9.25")
    assert Decimal(data["exact"]) == Decimal("0.12345678901234567890123")
