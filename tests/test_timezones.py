"""Reading the time zone a learner types."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.timezones import find_zone, zone_label


def test_names_cities_and_offsets() -> None:
    assert find_zone("Europe/Berlin") == ("Europe/Berlin", [])
    assert find_zone("europe/berlin") == ("Europe/Berlin", [])
    assert find_zone("utc")[0] == "UTC"
    assert find_zone("America/New York")[0] == "America/New_York"
    assert find_zone("Berlin") == ("Europe/Berlin", [])  # one zone has this city
    assert find_zone("Mars/Olympus") == (None, [])
    assert find_zone("UTC+5:30") == (None, [])  # no whole-hour zone for it
    assert find_zone("GMT+0")[0] is not None


def test_an_offset_means_what_the_learner_meant() -> None:
    # Etc/GMT+2 is two hours *behind* UTC; a learner who types GMT+2 means two hours ahead.
    noon = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    for typed, hours in (("UTC+2", 2), ("GMT+2", 2), ("utc -5", -5), ("UTC+02:00", 2), ("+3", 3)):
        name, _ = find_zone(typed)
        assert name is not None, typed
        assert noon.astimezone(ZoneInfo(name)).hour == 12 + hours, typed
        assert zone_label(name) == f"UTC{hours:+d}", typed
    assert zone_label("Europe/Berlin") == "Europe/Berlin"


@given(st.text(max_size=40))
def test_any_text_gives_a_loadable_zone_or_none(text: str) -> None:
    name, suggestions = find_zone(text)
    assert len(suggestions) <= 3
    if name is not None:
        ZoneInfo(name)
