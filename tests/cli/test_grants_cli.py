"""The CLI contract of ``docgen grants quote``, through a real subprocess."""

import json

import pytest

CONTRACT_INPUT = {
    "activity": "STA",
    "direction": "incoming",
    "call": "incoming-2015",
    "origin": {"city": "Novi Sad", "country": "RS"},
    "destination": {"city": "Timișoara", "country": "RO"},
    "start": "2026-11-30",
    "end": "2026-12-08",
    "travel_days": 2,
    "green_travel": False,
    "fewer_opportunities": False,
    "teaching_hours": 12,
    "exceptional_approval": False,
}


def test_quote_from_stdin_prints_the_contract(run_cli):
    result = run_cli("grants", "quote", "--data", "-", stdin=json.dumps(CONTRACT_INPUT))
    assert result.code == 0, result.stderr
    out = result.json()
    assert out["currency"] == "EUR"
    assert out["duration"] == {
        "days": 5,
        "travel_days": 2,
        "months": 0,
        "extra_days": 0,
        "method": "working-days",
    }
    assert out["travel"]["distance_km"] == 121.8
    assert out["travel"]["band"] == "100-499" and out["travel"]["amount"] == "180.00"
    assert out["individual_support"]["amount"] == "980.00"
    assert out["individual_support"]["basis"] == "5 x 140.00 + 2 x 140.00"
    assert out["top_ups"] == []
    assert out["total"] == "1160.00"
    assert out["prefinancing"] == "1160.00" and out["balance"] == "0.00"
    assert out["in_words"]["ro"] == "o mie o sută șaizeci de euro"
    assert "final" not in out


def test_quote_with_coordinates_and_actual_dates(run_cli, tmp_path):
    data = dict(
        CONTRACT_INPUT,
        origin={"lat": 45.2671, "lon": 19.8335},
        destination={"lat": 45.75, "lon": 21.23},
        host_country="RO",
        actual={"start": "2026-12-02", "end": "2026-12-08", "teaching_hours": 12},
    )
    path = tmp_path / "q.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("grants", "quote", "--data", str(path))
    assert result.code == 0, result.stderr
    out = result.json()
    assert out["travel"]["amount"] == "180.00"
    # 5 working days and 2 travel days, as planned: nothing to pay or recover.
    assert out["final"]["total"] == "1160.00" and out["final"]["to_recover"] == "0.00"


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (
            "{not json",
            [
                "/: not valid JSON: Expecting property name enclosed in double quotes "
                "at line 1, column 2"
            ],
        ),
        ("[1, 2]", ["/: must be a JSON object"]),
        (
            json.dumps({**CONTRACT_INPUT, "call": "nope", "teaching_hours": "many"}),
            ["/teaching_hours: must be a whole number"],
        ),
        (json.dumps({**CONTRACT_INPUT, "call": "nope"}), None),
        (json.dumps({**CONTRACT_INPUT, "end": "2027-03-01"}), None),
    ],
)
def test_bad_input_exits_2_with_one_problem_per_line(run_cli, stdin, expected):
    result = run_cli("grants", "quote", "--data", "-", stdin=stdin)
    assert result.code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("/") and ": " in line for line in lines)
    if expected is not None:
        assert lines == expected


def test_missing_fields_each_on_a_line(run_cli):
    result = run_cli("grants", "quote", "--data", "-", stdin=json.dumps({"activity": "STA"}))
    assert result.code == 2
    assert set(result.stderr.strip().splitlines()) == {
        "/direction: is required",
        "/call: is required",
        "/destination: is required",
        "/start: is required",
        "/end: is required",
    }


def test_missing_file_is_a_clear_error(run_cli):
    result = run_cli("grants", "quote", "--data", "/nonexistent/q.json")
    assert result.code == 2
    assert result.stderr.strip() == "/: file not found: /nonexistent/q.json"


def test_unknown_flag_is_a_usage_error(run_cli):
    result = run_cli("grants", "quote", "--dta", "x")
    assert result.code == 2
    assert "No such option '--dta'" in result.stderr
    assert "Traceback" not in result.stderr


def test_calls_lists_the_rate_tables(run_cli):
    result = run_cli("grants", "calls", "--json")
    assert result.code == 0
    ids = {t["id"]: t for t in result.json()}
    assert set(ids) >= {"incoming-2015", "ka131-2023", "ka131-2024", "visiting-upt"}
    assert ids["ka131-2024"]["example_rates"] is True
    assert all(t["source"] for t in ids.values())
