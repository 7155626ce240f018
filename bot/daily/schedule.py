"""Pure schedule arithmetic for the daily term: when a subscription posts, in its own timezone.

Everything here is a plain function of (schedule, instant), so the tests can walk across DST
changes and midnights without a database. Instants are aware UTC datetimes; local dates are the
subscription's calendar dates, which key the delivery log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.timezones import find_zone, zone_label
from storage.subscriptions import SubscriptionRow

DEFAULT_TIME = "09:00"
CATCH_UP = timedelta(hours=6)
EXAMPLE = "/daily on 09:00 Europe/Berlin weekdays"

_TIME_RE = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_WEEKDAY_WORDS = {"weekdays", "weekday", "workdays", "mon-fri"}
_EVERYDAY_WORDS = {"everyday", "daily", "all", "every-day"}
_DAY_NAMES = re.compile(
    r"^(?:mon|tue|wed|thu|fri|sat|sun)(?:day|s|days)?$|^(?:tues|thur|thurs)$|^weekends?$",
    re.IGNORECASE,
)


class ScheduleError(ValueError):
    """A time, timezone or day setting that cannot be used; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a subscription posts: a wall-clock time in a timezone, every day or on weekdays."""

    local_time: str = DEFAULT_TIME
    timezone: str = "UTC"
    weekdays_only: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The timezone object (ZoneInfo caches instances)."""
        return ZoneInfo(self.timezone)

    @property
    def clock_time(self) -> time:
        """The local time of day as a `time`."""
        hours, minutes = self.local_time.split(":")
        return time(int(hours), int(minutes))

    def describe(self) -> str:
        """``09:00 Europe/Berlin, weekdays``."""
        days = "weekdays" if self.weekdays_only else "every day"
        return f"{self.local_time} {zone_label(self.timezone)}, {days}"


def parse_time(text: str) -> str:
    """``9:05`` -> ``09:05``; raise `ScheduleError` for anything that is not a 24-hour time."""
    m = _TIME_RE.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ScheduleError(
            f"I could not read “{text[:20]}” as a time. Use the 24-hour HH:MM form, "
            f"for example: {EXAMPLE}"
        )
    return f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"


def parse_timezone(text: str) -> str:
    """A canonical IANA timezone name for `text` (see `bot.timezones.find_zone`), or `ScheduleError`."""
    name, close = find_zone(text)
    if name is None:
        hint = f" Did you mean {close[0]}?" if close else ""
        raise ScheduleError(
            f"I don't know the time zone “{text[:40]}”.{hint} Use a name such as "
            f"Europe/Berlin, America/New_York or Asia/Tokyo, or UTC+2, for example: {EXAMPLE}"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata mismatch
        raise ScheduleError(f"The time zone {name} cannot be loaded here.") from exc
    return name


def schedule_of(sub: SubscriptionRow) -> Schedule:
    """A subscription's schedule (time, timezone, days)."""
    return Schedule(sub.local_time, sub.timezone, sub.weekdays_only)


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """What ``daily on ...`` asked to change; None keeps the current (or default) value."""

    local_time: str | None = None
    timezone: str | None = None
    weekdays_only: bool | None = None


def parse_on_args(args: str) -> ScheduleChange:
    """Parse the arguments of ``daily on [HH:MM] [timezone] [weekdays|every day]`` in any order."""
    words = args.replace(",", " ").split()
    local_time: str | None = None
    timezone: str | None = None
    weekdays: bool | None = None
    i = 0
    while i < len(words):
        word = words[i]
        low = word.lower()
        if low == "every" and i + 1 < len(words) and words[i + 1].lower() == "day":
            weekdays = False
            i += 2
            continue
        if _DAY_NAMES.match(low):
            raise ScheduleError(
                f"I can post every day or on weekdays (Monday to Friday), but not on chosen "
                f"days such as “{word[:20]}”. For example: {EXAMPLE}"
            )
        if low in _EVERYDAY_WORDS:
            weekdays = False
        elif low in _WEEKDAY_WORDS:
            weekdays = True
        elif local_time is None and low[:1].isdigit():
            local_time = parse_time(word)
        elif timezone is None and not low[:1].isdigit():
            # A zone may be several words ("Sao Paulo", "New York"): take the longest run of
            # words that names one, else report the first word.
            timezone, used = _zone_from(words, i)
            i += used
            continue
        else:
            raise ScheduleError(
                f"I did not understand “{word[:40]}”. The form is "
                f"/daily on [HH:MM] [timezone] [weekdays|every day], for example: {EXAMPLE}"
            )
        i += 1
    return ScheduleChange(local_time, timezone, weekdays)


def _is_setting_word(word: str) -> bool:
    low = word.lower()
    return (
        low[:1].isdigit()
        or low in _EVERYDAY_WORDS
        or low in _WEEKDAY_WORDS
        or low == "every"
        or bool(_DAY_NAMES.match(low))
    )


def _zone_from(words: list[str], start: int) -> tuple[str, int]:
    """The time zone named by the words from `start` on, and how many words it took."""
    end = start
    while end < len(words) and not _is_setting_word(words[end]) and end - start < 4:
        end += 1
    for stop in range(end, start + 1, -1):
        name, _ = find_zone(" ".join(words[start:stop]))
        if name is not None:
            return parse_timezone(" ".join(words[start:stop])), stop - start
    return parse_timezone(words[start]), 1


def local_date(schedule: Schedule, now: datetime) -> date:
    """The subscription's calendar date at `now`."""
    return now.astimezone(schedule.zone).date()


def posts_on(schedule: Schedule, day: date) -> bool:
    """True when the subscription posts on this local date (weekdays honoured)."""
    return not (schedule.weekdays_only and day.weekday() >= 5)


def scheduled_at(schedule: Schedule, day: date) -> datetime:
    """The UTC instant of the post on local date `day`.

    DST-safe by construction: a time skipped by spring-forward (02:30 when clocks jump from 02:00
    to 03:00) resolves with fold=0 to the pre-transition offset, i.e. 03:30 local, still on the same
    date; a time repeated by fall-back resolves to its first occurrence. Either way there is one
    instant per local date, and the delivery log's (subscription, local date) key does the rest.
    """
    local = datetime.combine(day, schedule.clock_time, tzinfo=schedule.zone)
    return local.astimezone(UTC)


def due_date(schedule: Schedule, now: datetime, catch_up: timedelta = CATCH_UP) -> date | None:
    """The local date whose post is due at `now`, or None.

    Due means: today's post time has come, at most `catch_up` ago, and today is a posting day.
    Only today counts, so a post missed before local midnight is never sent on a later day.
    """
    today = local_date(schedule, now)
    if not posts_on(schedule, today):
        return None
    at = scheduled_at(schedule, today)
    if at <= now <= at + catch_up:
        return today
    return None


def window_closed(
    schedule: Schedule, day: date, now: datetime, catch_up: timedelta = CATCH_UP
) -> bool:
    """True when the post of local date `day` can no longer be sent (too late, or a past day)."""
    return local_date(schedule, now) > day or now > scheduled_at(schedule, day) + catch_up


def next_post_at(schedule: Schedule, now: datetime, done_today: bool) -> datetime:
    """The next UTC instant a post will go out: today's if still pending, else the next posting day."""
    day = local_date(schedule, now)
    if not done_today and due_date(schedule, now) is not None:
        return now
    for offset in range(9):
        candidate = day + timedelta(days=offset)
        if not posts_on(schedule, candidate):
            continue
        at = scheduled_at(schedule, candidate)
        if offset == 0 and (done_today or at < now):
            continue
        return at
    raise AssertionError("a schedule posts at least on weekdays")  # pragma: no cover


def posting_days(schedule: Schedule, start: date, end: date) -> int:
    """How many posting days lie in [start, end)."""
    days = (end - start).days
    if days <= 0:
        return 0
    if not schedule.weekdays_only:
        return days
    full, rest = divmod(days, 7)
    count = full * 5
    for i in range(rest):
        if (start + timedelta(days=full * 7 + i)).weekday() < 5:
            count += 1
    return count
