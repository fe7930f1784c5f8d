from decimal import Decimal

import pytest

from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.rules.grants import quote_grant, quote_to_json

TIMISOARA = {"city": "Timișoara", "country": "RO"}


def quote(**fields) -> dict:
    return quote_to_json(quote_grant(validate(QuoteRequest, fields)))


def problems(**fields) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        quote(**fields)
    return [str(p) for p in caught.value.problems]


def incoming_staff(**over):
    fields = dict(
        activity="STA",
        direction="incoming",
        call="incoming-2015",
        origin={"city": "Novi Sad", "country": "RS"},
        destination=TIMISOARA,
        # Monday 30 November (St Andrew) and 1 December (National Day) are public holidays:
        # 2, 3, 4, 7 and 8 December are the 5 days of activity the incoming call requires.
        start="2026-11-30",
        end="2026-12-08",
        travel_days=2,
        teaching_hours=12,
    )
    fields.update(over)
    return fields


def test_incoming_staff_week_with_public_holidays_is_paid_for_working_and_travel_days():
    out = quote(**incoming_staff())
    assert out["currency"] == "EUR"
    assert out["duration"] == {
        "days": 5,
        "travel_days": 2,
        "months": 0,
        "extra_days": 0,
        "method": "working-days",
    }
    assert out["travel"] == {
        "distance_km": 121.8,
        "band": "100-499",
        "green": False,
        "amount": "180.00",
        "basis": "121.8 km: band 100-499 km, standard travel: 180.00",
        "source": "Erasmus+ Programme Guide, travel bands of the calls 2014-2020 (one-way "
        "great-circle distance, EC distance calculator)",
    }
    assert out["individual_support"]["amount"] == "980.00"
    assert out["individual_support"]["basis"] == "5 x 140.00 + 2 x 140.00"
    assert [(line["kind"], line["quantity"]) for line in out["individual_support"]["lines"]] == [
        ("days", 5),
        ("travel_days", 2),
    ]
    assert out["total"] == "1160.00"
    assert out["total_basis"] == "980.00 + 180.00"
    assert out["in_words"] == {
        "ro": "o mie o sută șaizeci de euro",
        "en": "one thousand one hundred sixty euros",
    }
    assert "final" not in out


@pytest.mark.parametrize(
    ("city", "country", "travel"),
    [
        ("Belgrade", "RS", "180.00"),
        ("Kraljevo", "RS", "180.00"),
        ("Niš", "RS", "180.00"),
        ("Novi Sad", "RS", "180.00"),
        ("Chișinău", "MD", "275.00"),
        ("Agadir", "MA", "530.00"),
    ],
)
def test_incoming_call_travel_lump_sums(city, country, travel):
    out = quote(**incoming_staff(origin={"city": city, "country": country}))
    assert out["travel"]["amount"] == travel
    assert Decimal(out["total"]) == Decimal("980.00") + Decimal(travel)


def test_incoming_student_paid_per_calendar_day():
    out = quote(
        activity="SMS",
        direction="incoming",
        call="incoming-2015",
        origin={"city": "Chisinau", "country": "MD"},
        destination=TIMISOARA,
        start="2026-02-23",
        end="2026-06-30",
    )
    assert out["duration"]["days"] == 128
    assert out["individual_support"]["amount"] == "3200.00"  # 128 x 25
    assert out["total"] == "3475.00"


@pytest.mark.parametrize(
    ("end", "approved", "paid"),
    [("2026-11-29", False, "15000.00"), ("2026-10-14", True, "7500.00")],
)
def test_visiting_grant_is_paid_per_whole_month(end, approved, paid):
    out = quote(
        activity="VISIT",
        direction="incoming",
        call="visiting-upt",
        destination=TIMISOARA,
        start="2026-10-01",
        end=end,
        exceptional_approval=approved,
    )
    assert out["currency"] == "RON"
    assert out["travel"] is None
    assert out["total"] == paid


def test_visiting_grant_of_14_days_needs_the_boards_approval():
    found = problems(
        activity="VISIT",
        direction="incoming",
        call="visiting-upt",
        destination=TIMISOARA,
        start="2026-10-01",
        end="2026-10-14",
    )
    assert len(found) == 1
    assert found[0].startswith("/end: a VISIT mobility lasts 30 to 92 calendar days")
    assert "exceptional_approval" in found[0]


def test_visiting_words_in_lei():
    out = quote(
        activity="VISIT",
        direction="incoming",
        call="visiting-upt",
        destination=TIMISOARA,
        start="2026-10-01",
        end="2026-12-29",
    )
    assert out["total"] == "22500.00"
    assert out["in_words"]["ro"] == "douăzeci și două de mii cinci sute de lei"


def outgoing_staff(days_end: str, **over):
    fields = dict(
        activity="STT",
        direction="outgoing",
        call="ka131-2024",
        origin=TIMISOARA,
        destination={"city": "Porto", "country": "PT"},
        start="2026-05-04",
        end=days_end,
        travel_days=2,
    )
    fields.update(over)
    return fields


def test_staff_days_after_the_fourteenth_are_paid_at_seventy_percent():
    # 18 days of activity + 2 travel days = 20 paid days: 14 at 160, 6 at 112 (example rates).
    out = quote(**outgoing_staff("2026-05-21"))
    lines = out["individual_support"]["lines"]
    assert [(line["from_day"], line["to_day"], line["rate"]) for line in lines] == [
        (1, 14, "160.00"),
        (15, 20, "112.00"),
    ]
    assert out["individual_support"]["amount"] == "2912.00"
    assert out["travel"]["band"] == "2000-2999"
    assert out["total"] == "3307.00"
    assert out["prefinancing"] == "2314.90"  # 70 %
    assert out["balance"] == "992.10"


def test_long_term_student_months_and_leftover_days_with_top_ups():
    out = quote(
        activity="SMT",
        direction="outgoing",
        call="ka131-2024",
        origin=TIMISOARA,
        destination={"city": "Porto", "country": "PT"},
        start="2026-09-15",
        end="2026-12-31",
        fewer_opportunities=True,
        green_travel=True,
        travel_days=4,
    )
    assert out["duration"]["months"] == 3 and out["duration"]["extra_days"] == 16
    # 3 x 690 + 16 x 690 / 30 = 2070 + 368
    assert out["individual_support"]["amount"] == "2438.00"
    assert out["individual_support"]["basis"] == "3 x 690.00 + 16 x 23.00"
    top_ups = {t["id"]: (t["amount"], t["basis"]) for t in out["top_ups"]}
    # 3 x 250 + 16 x 250 / 30 = 883.33; 3 x 150 + 16 x 150 / 30 = 530.00. Green travel with
    # travel support (2024 call): the green band amount, no green top-up.
    assert top_ups == {
        "fewer_opportunities": ("883.33", "3 x 250.00 + 16 x 250.00 / 30"),
        "traineeship": ("530.00", "3 x 150.00 + 16 x 5.00"),
    }
    assert out["travel"]["green"] is True and out["travel"]["amount"] == "535.00"
    assert out["total"] == "4386.33"


def test_short_term_student_tiers():
    out = quote(
        activity="SMS",
        direction="outgoing",
        call="ka131-2024",
        origin=TIMISOARA,
        destination={"city": "Porto", "country": "PT"},
        start="2026-07-01",
        end="2026-07-20",
        fewer_opportunities=True,
    )
    assert [line["amount"] for line in out["individual_support"]["lines"]] == [
        "1106.00",  # 14 x 79
        "336.00",  # 6 x 56
    ]
    assert out["top_ups"][0]["amount"] == "150.00"


def test_final_amount_from_actual_dates_to_recover():
    # Planned: 30.11-11.12, 8 working days; real: 01.12-08.12, 5 working days.
    actual = {"start": "2026-12-01", "end": "2026-12-08", "teaching_hours": 12}
    out = quote(**incoming_staff(end="2026-12-11", teaching_hours=16, actual=actual))
    final = out["final"]
    assert out["total"] == "1580.00"  # 10 x 140 + 180
    assert final["duration"]["days"] == 5
    assert final["total"] == "1160.00"  # 7 x 140 + 180
    assert final["paid"] == "1580.00"
    assert final["difference"] == "-420.00"
    assert final["to_recover"] == "420.00" and final["to_pay"] == "0.00"


def test_final_amount_from_actual_dates_to_pay():
    out = quote(**outgoing_staff("2026-05-08", actual={"start": "2026-05-04", "end": "2026-05-08"}))
    final = out["final"]
    assert final["total"] == out["total"] == "1515.00"  # 7 x 160 + 395
    assert final["paid"] == out["prefinancing"] == "1060.50"
    assert final["to_pay"] == out["balance"] == "454.50"


def test_final_below_the_minimum_is_recovered_in_full():
    out = quote(**outgoing_staff("2026-05-08", actual={"start": "2026-05-04", "end": "2026-05-04"}))
    assert out["final"]["eligible"] is False
    assert "lasts 2 to 60 calendar days" in out["final"]["reason"]
    assert out["final"]["to_recover"] == out["prefinancing"]


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"call": "ka999"}, "/call: unknown call 'ka999' (known: incoming-2015, ka131-2023"),
        (
            {"end": "2027-02-28"},
            "/end: a STA mobility lasts at least 5 working days and at most 60 calendar days",
        ),
        (
            {"end": "2026-11-30"},
            "/end: a STA mobility lasts at least 5 working days and at most 60 calendar days",
        ),
        ({"teaching_hours": 6}, "/teaching_hours: a teaching mobility needs at least 8"),
        ({"activity": "VISIT"}, "/activity: the call incoming-2015 does not fund VISIT"),
        ({"origin": {"city": "Atlantis", "country": "RS"}}, "/origin/city: unknown city"),
        ({"origin": None}, "/origin: is required: the call pays a travel grant"),
        ({"travel_days": 3}, "/travel_days: at most 2 travel days with standard travel"),
        ({"end": "2026-11-01"}, "/end: must not be before start"),
    ],
)
def test_bad_requests_name_the_field(over, expected):
    found = problems(**incoming_staff(**over))
    assert any(p.startswith(expected) for p in found), found


def test_twelve_month_cap_per_study_cycle():
    found = problems(
        activity="SMS",
        direction="outgoing",
        call="ka131-2024",
        origin=TIMISOARA,
        destination={"city": "Porto", "country": "PT"},
        start="2026-09-01",
        end="2027-01-31",
        earlier_months="9",
    )
    assert found == [
        "/end: with 9 earlier Erasmus+ months in this study cycle (short-term and BIP "
        "included), at most 3 months are left (12 per cycle, erasmus-regulation-ro Art. 6b, "
        "26b); this mobility uses 5 months"
    ]


def test_host_country_without_rate_is_named():
    found = problems(**outgoing_staff("2026-05-08", destination={"lat": 40.7, "lon": -74.0}))
    assert found == [
        "/destination/country: the call ka131-2024 has no rate for host country (unknown)"
    ]
