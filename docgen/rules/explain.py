"""A call's rate table in words, so the office can check it against its National Agency
contract: rates, country groups, tiers, travel, top-ups, limits and payment, each with its
source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from docgen.rules.rates import ActivityRates, RateTable, Tier, duration_limits
from docgen.rules.travel import load_band_sets

_METHODS = {
    "30/360": "days counted by the 30/360 convention (months of 30 days)",
    "calendar": "calendar days",
    "working-days": "working days (Monday to Friday, public holidays excluded)",
}
_COUNTS = {
    "30/360": "counted by 30/360",
    "calendar": "calendar days",
    "paid": "days the call pays, at most 60 calendar days",
}
_TRAVEL = {
    "all": "every participant receives travel support",
    "fewer_opportunities": "only participants with fewer opportunities receive travel support",
    "none": "no travel support",
}


def _n(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rate(rates: ActivityRates, table: RateTable, unit: str) -> list[str]:
    if rates.rate is None:
        return []
    if isinstance(rates.rate, dict):
        return [
            f"group {g} ({', '.join(table.country_groups.get(g, ()))}): "
            f"{_n(r)} {table.currency} per {unit}"
            for g, r in sorted(rates.rate.items())
        ]
    return [f"{_n(rates.rate)} {table.currency} per {unit}"]


def _tiers(tiers: tuple[Tier, ...], currency: str) -> list[str]:
    lines, first = [], 1
    for i, tier in enumerate(tiers):
        what = (
            f"{_n(tier.rate)} {currency} a day"
            if tier.rate is not None
            else (f"{_n(tier.percent or Decimal(0))} % of the daily rate")
        )
        last = "" if i < len(tiers) - 1 else " (and the travel days after it)"
        lines.append(f"days {first}-{tier.to_day}{last}: {what}")
        first = tier.to_day + 1
    return lines


def explain_call(table: RateTable) -> dict[str, Any]:
    """The table in words, as a JSON-ready dict (the CLI prints it as text)."""
    limits = duration_limits()["activities"]
    activities = []
    for code, rates in table.activities.items():
        rule = limits.get(code, {})
        item = {
            "activity": code,
            "paid": f"per {rates.unit}, counting {_METHODS[rates.method]}",
            "rates": _rate(rates, table, rates.unit) + _tiers(rates.tiers, table.currency),
            "travel": _TRAVEL[rates.travel] if table.travel_bands else "no travel line",
            "travel_days": "paid as days of individual support"
            if rates.travel_days_paid
            else "not paid (except with the green-travel top-up)",
            "limits": [
                f"{r['min']} to {r['max']} days ({_COUNTS[r['count']]})"
                for r in rule.get("ranges", [])
            ]
            + ([f"at least {rates.min_days} days in this call"] if rates.min_days else [])
            + ([f"at most {rates.max_days} days in this call"] if rates.max_days else []),
            "limits_source": rule.get("article"),
            "source": rates.source or table.source,
        }
        if rates.short_term is not None:
            short = rates.short_term
            item["short_term"] = {
                "up_to_days": short.max_days,
                "paid": f"per day, counting {_METHODS[short.method]}",
                "rates": _tiers(short.tiers, table.currency),
                "travel": _TRAVEL[short.travel],
                "source": short.source or table.source,
            }
        activities.append(item)
    top_ups = []
    for top in table.top_ups:
        parts = []
        if top.per_month is not None:
            parts.append(f"{_n(top.per_month)} {table.currency} per month (long-term)")
        parts += [
            f"{_n(s.amount)} {table.currency} for stays of up to {s.to_day} days (short-term)"
            for s in top.short_term
        ]
        if top.amount is not None:
            parts.append(f"{_n(top.amount)} {table.currency} once")
        if top.travel_days_max is not None:
            parts.append(f"plus up to {top.travel_days_max} travel days of individual support")
        condition = {
            "fewer_opportunities": "participants with fewer opportunities",
            "green_travel": "students travelling green who receive no travel support",
            None: "every participant of these activities",
        }[top.when]
        top_ups.append(
            {
                "id": top.id,
                "label": top.label,
                "activities": list(top.activities),
                "for": condition,
                "amounts": parts,
                "source": top.source or table.source,
            }
        )
    bands = None
    if table.travel_bands:
        bands = [
            {
                "band": f"{b.label} km",
                "standard": f"{_n(b.standard)} EUR",
                "green": f"{_n(b.green)} EUR" if b.green is not None else None,
            }
            for b in load_band_sets()[table.travel_bands]
        ]
    if table.payment == "monthly":
        payment = "monthly instalments"
    else:
        payment = (
            f"pre-financing of {_n(table.prefinancing_percent or Decimal(0))} % "
            "(70 to 100 % allowed), then the balance after the final report"
        )
    return {
        "id": table.id,
        "title": table.title,
        "currency": table.currency,
        "example_rates": table.example,
        "directions": list(table.directions),
        "home_country": table.home_country,
        "activities": activities,
        "top_ups": top_ups,
        "travel_bands": {"set": table.travel_bands, "bands": bands} if bands else None,
        "payment": {"how": payment, "source": table.payment_source or table.source},
        "cycle_cap": "at most 12 months per study cycle for SMS, SMT and BIP, earlier "
        "mobilities included (erasmus-regulation-ro Art. 6b, 26b)",
        "source": table.source,
    }


def explain_text(table: RateTable) -> str:
    """The explanation as plain text, one fact a line."""
    data = explain_call(table)
    out = [f"{data['id']}: {data['title']['en']} ({data['currency']})"]
    if data["example_rates"]:
        out.append("  EXAMPLE RATES: replace them with the National Agency's before use")
    out.append(
        f"  directions: {', '.join(data['directions'])} (home country {data['home_country']})"
    )
    for a in data["activities"]:
        out.append(f"  {a['activity']}: paid {a['paid']}")
        out += [f"    {r}" for r in a["rates"]]
        out.append(f"    travel: {a['travel']}; travel days: {a['travel_days']}")
        out.append(f"    limits: {'; '.join(a['limits'])} [{a['limits_source']}]")
        if "short_term" in a:
            s = a["short_term"]
            out.append(f"    short-term (up to {s['up_to_days']} days): paid {s['paid']}")
            out += [f"      {r}" for r in s["rates"]]
            out.append(f"      travel: {s['travel']} [{s['source']}]")
        out.append(f"    source: {a['source']}")
    for t in data["top_ups"]:
        out.append(f"  top-up {t['id']} ({', '.join(t['activities'])}), for {t['for']}:")
        out += [f"    {p}" for p in t["amounts"]]
        out.append(f"    source: {t['source']}")
    if data["travel_bands"]:
        out.append(f"  travel bands ({data['travel_bands']['set']}):")
        for b in data["travel_bands"]["bands"]:
            green = f", green {b['green']}" if b["green"] else ""
            out.append(f"    {b['band']}: standard {b['standard']}{green}")
    out.append(f"  payment: {data['payment']['how']} [{data['payment']['source']}]")
    out.append(f"  {data['cycle_cap']}")
    return "\n".join(out) + "\n"
