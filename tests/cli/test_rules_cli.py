"""``docgen rules explain`` and the figures' explanations through the real CLI."""

from __future__ import annotations

import json


def test_explain_prints_the_call_in_words_with_sources(run_cli):
    result = run_cli("rules", "explain", "--call", "ka131-2023")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "EXAMPLE RATES" in text
    assert "group 2 (AT, BE, DE, FR, IT, GR, ES, CY, NL, MT, PT): 610 EUR per month" in text
    assert "days 1-14: 70 EUR a day" in text and "days 15-30" in text
    assert "only participants with fewer opportunities receive travel support" in text
    assert "50 EUR once" in text and "plus up to 4 travel days of individual support" in text
    assert "pre-financing of 70 %" in text
    assert "erasmus-regulation-ro Art. 58(4)" in text


def test_explain_as_json_and_unknown_call(run_cli):
    result = run_cli("rules", "explain", "--call", "visiting-upt", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["payment"]["how"] == "monthly instalments"
    assert data["activities"][0]["rates"] == ["7500 RON per month"]
    unknown = run_cli("rules", "explain", "--call", "ka999")
    assert unknown.code == 2
    assert "/call: unknown call 'ka999'" in unknown.stderr


def test_quote_lines_carry_their_formula_and_source(run_cli):
    quote = {
        "activity": "SMS",
        "direction": "outgoing",
        "call": "ka131-2023",
        "origin": {"city": "Timișoara", "country": "RO"},
        "destination": {"city": "Oslo", "country": "NO"},
        "start": "2026-09-15",
        "end": "2027-01-31",
        "fewer_opportunities": True,
    }
    result = run_cli("grants", "quote", "--data", "-", stdin=json.dumps(quote))
    assert result.code == 0, result.stderr
    out = result.json()
    # 670 / 30 is not a whole number of cents: the formula is shown, and it multiplies out.
    extra = out["individual_support"]["lines"][1]
    assert extra["basis"] == "16 x 670.00 / 30" and extra["amount"] == "357.33"
    assert out["individual_support"]["basis"] == "4 x 670.00 + 16 x 670.00 / 30"
    assert "Programme Guide 2023" in extra["source"]
    assert out["travel_support"]["receives"] is True
    assert out["travel"]["basis"].endswith("standard travel: 275.00")
