"""Read a time zone a learner typed: an IANA name in any case, a city, or a UTC offset."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

# "UTC+2", "GMT -5", "utc+02:00", "+3": whole hours only, as the tz database has no other offsets.
_OFFSET = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?00)?$", re.IGNORECASE)


# Cities people name that the tz database does not (it names one city per zone): capitals and
# big cities of our learners' countries, by their zone.
CITY_ZONES: dict[str, str] = {
    "brasilia": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "belo horizonte": "America/Sao_Paulo",
    "porto alegre": "America/Sao_Paulo",
    "curitiba": "America/Sao_Paulo",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "krakow": "Europe/Warsaw",
    "kiev": "Europe/Kyiv",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "osaka": "Asia/Tokyo",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh",
    "hanoi": "Asia/Bangkok",
    "guadalajara": "America/Mexico_City",
    "cordoba": "America/Argentina/Cordoba",
    "cape town": "Africa/Johannesburg",
    "abuja": "Africa/Lagos",
    "sydney": "Australia/Sydney",
}


def _plain(text: str) -> str:
    # "São Paulo" and "Sao Paulo" are one city: accents go, spaces become the tz "_".
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.strip()).replace(" ", "_").lower()


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    names = {name.lower(): name for name in available_timezones()}
    names.setdefault("utc", "UTC")
    return names


def find_zone(text: str) -> tuple[str | None, list[str]]:
    """An IANA zone name for what the learner typed, or (None, up to three suggestions).

    Case does not matter ("europe/berlin"). A city is taken when one zone has it ("Berlin"),
    suggested when several do. "UTC+2" becomes Etc/GMT-2: the tz database's Etc names count
    the other way round, which is why they are never suggested for a city-like word.
    """
    names = _zone_names()
    key = _plain(text)
    if key in names:
        return names[key], []
    alias = CITY_ZONES.get(key.replace("_", " ").replace(".", ""))
    if alias is not None and alias.lower() in names:
        return alias, []
    offset = _OFFSET.match(key.replace("_", ""))
    if offset:
        sign, hours = offset.group(1), int(offset.group(2))
        if hours == 0:
            return "UTC", []
        name = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        return (name, []) if name.lower() in names else (None, [])
    city = key.rsplit("/", 1)[-1]
    matches = sorted(
        name
        for low, name in names.items()
        if low.rsplit("/", 1)[-1] == city and "/" in name and not name.startswith("Etc/")
    )
    if len(matches) == 1:
        return matches[0], []
    return None, matches[:3]


def zone_label(name: str) -> str:
    """How to show a stored zone: "UTC+2" for Etc/GMT-2, whose sign misleads; else the name."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if match is None:
        return name
    sign = "-" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2))}"
