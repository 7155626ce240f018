"""Daily streaks and local days in the learner's timezone: pure functions of times and a zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The zone for a stored timezone name, UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(when: datetime, tz: ZoneInfo) -> date:
    """The calendar date of a UTC moment in the learner's timezone."""
    return when.astimezone(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment a local calendar day begins (correct across daylight-saving changes)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_end(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment a local calendar day ends (the start of the next one)."""
    return day_start(day + timedelta(days=1), tz)


def current_streak(days: Iterable[date], today: date) -> int:
    """Consecutive practice days ending today, or yesterday when today has no practice yet.

    A streak stays alive until a whole local day passes without practice.
    """
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    count = 0
    while day in practised:
        count += 1
        day -= timedelta(days=1)
    return count


def longest_streak(days: Iterable[date]) -> int:
    """The longest run of consecutive practice days."""
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def streak_at(times: Iterable[datetime], now: datetime, tz: ZoneInfo) -> int:
    """The current streak of a learner who answered at `times` (UTC), seen at `now`."""
    return current_streak((local_date(t, tz) for t in times), local_date(now, tz))
