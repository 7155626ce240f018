"""Pure schedule arithmetic, the walk order and the pacer: no database, no waiting."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.telegram import PACING as TELEGRAM_PACING
from bot.daily.order import term_at
from bot.daily.schedule import (
    Schedule,
    ScheduleError,
    due_date,
    next_post_at,
    parse_on_args,
    parse_time,
    parse_timezone,
    posting_days,
    scheduled_at,
    window_closed,
)
from bot.pacing import Pacer, Rate
from tests.daily_support import PLATFORM_PACING, VirtualTime

NY = Schedule("09:00", "America/New_York", False)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_parse_on_args_any_order_and_canonical_names() -> None:
    change = parse_on_args("europe/berlin 8:30 weekdays")
    assert (change.local_time, change.timezone, change.weekdays_only) == (
        "08:30",
        "Europe/Berlin",
        True,
    )
    assert parse_on_args("every day").weekdays_only is False
    assert parse_on_args("").local_time is None
    assert parse_time("7.05") == "07:05"
    assert parse_timezone("utc") == "UTC"


@pytest.mark.parametrize("bad", ["25:00", "9:61", "9am", "noon"])
def test_bad_times_and_words_get_an_example(bad: str) -> None:
    with pytest.raises(ScheduleError) as err:
        parse_on_args(bad)
    assert "/daily on 09:00 Europe/Berlin weekdays" in str(err.value)


def test_a_city_or_an_offset_is_a_timezone() -> None:
    assert parse_on_args("09:00 Berlin").timezone == "Europe/Berlin"
    assert parse_on_args("09:00 UTC+2").timezone == "Etc/GMT-2"  # two hours ahead of UTC
    with pytest.raises(ScheduleError) as err:
        parse_on_args("09:00 Pacific")
    assert "Did you mean Canada/Pacific?" in str(err.value)


def test_due_at_local_time_in_two_timezones() -> None:
    berlin = Schedule("09:00", "Europe/Berlin", False)
    assert due_date(berlin, utc(2026, 1, 5, 7, 59)) is None
    assert due_date(berlin, utc(2026, 1, 5, 8, 0)) == date(2026, 1, 5)
    assert due_date(NY, utc(2026, 1, 5, 13, 59)) is None
    assert due_date(NY, utc(2026, 1, 5, 14, 0)) == date(2026, 1, 5)


def test_catch_up_is_six_hours_and_never_a_past_day() -> None:
    assert due_date(NY, utc(2026, 1, 5, 20, 0)) == date(2026, 1, 5)
    assert due_date(NY, utc(2026, 1, 5, 20, 1)) is None
    late = Schedule("22:00", "UTC", False)
    # 22:00 + 6 h would be 04:00 the next day, but that post belongs to a past day by then.
    assert due_date(late, utc(2026, 1, 6, 0, 30)) is None
    assert window_closed(late, date(2026, 1, 5), utc(2026, 1, 6, 0, 30))


def test_weekdays_only() -> None:
    wk = Schedule("09:00", "UTC", True)
    assert due_date(wk, utc(2026, 1, 10, 9, 30)) is None  # Saturday
    assert due_date(wk, utc(2026, 1, 12, 9, 30)) == date(2026, 1, 12)
    assert next_post_at(wk, utc(2026, 1, 9, 10, 0), done_today=True) == utc(2026, 1, 12, 9, 0)
    assert posting_days(wk, date(2026, 1, 5), date(2026, 1, 19)) == 10
    assert posting_days(Schedule(), date(2026, 1, 5), date(2026, 1, 19)) == 14


def test_spring_forward_post_time_that_does_not_exist() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist, the post goes at 03:30 EDT.
    sched = Schedule("02:30", "America/New_York", False)
    assert scheduled_at(sched, date(2026, 3, 8)) == utc(2026, 3, 8, 7, 30)
    assert scheduled_at(sched, date(2026, 3, 7)) == utc(2026, 3, 7, 7, 30)
    assert scheduled_at(sched, date(2026, 3, 9)) == utc(2026, 3, 9, 6, 30)


def test_fall_back_post_time_that_happens_twice() -> None:
    # 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens twice; the first one counts.
    sched = Schedule("01:30", "America/New_York", False)
    assert scheduled_at(sched, date(2026, 11, 1)) == utc(2026, 11, 1, 5, 30)
    # The second 01:30 (06:30 UTC) is the same local date: still that one post's window.
    assert due_date(sched, utc(2026, 11, 1, 6, 30)) == date(2026, 11, 1)


def test_walk_has_no_repeats_within_a_cycle_and_reshuffles() -> None:
    ids = [f"t{i}" for i in range(67)]
    first = [term_at(ids, 42, n) for n in range(67)]
    second = [term_at(ids, 42, n) for n in range(67, 134)]
    assert sorted(first) == sorted(ids) == sorted(second)
    assert first != second
    assert first != [term_at(ids, 43, n) for n in range(67)]
    # Independent of the order the pack lists its terms in.
    assert term_at(list(reversed(ids)), 42, 5) == first[5]


def test_pacer_keeps_every_rate_without_bursting() -> None:
    vt = VirtualTime()
    rules = dataclasses.replace(TELEGRAM_PACING, sender=Rate(25, 1.0, burst=2))
    pacer = Pacer({"telegram": rules}, monotonic=vt.monotonic, sleep=vt.sleep)

    async def run() -> list[float]:
        stamps = []
        for i in range(200):
            await pacer.wait("telegram", "bot", f"c{i}", False)
            stamps.append(vt.t)
        return stamps

    stamps = asyncio.run(run())
    window = max(sum(1 for s in stamps if t <= s < t + 1.0) for t in stamps)
    assert window <= 27  # 25/s plus the burst of 2, well under Telegram's ~30/s
    assert stamps[-1] - stamps[0] == pytest.approx(199 / 25, rel=0.02)


def test_pacer_per_chat_per_group_and_429_pause() -> None:
    vt = VirtualTime()
    pacer = Pacer(PLATFORM_PACING, monotonic=vt.monotonic, sleep=vt.sleep)

    async def run() -> None:
        start = vt.t
        for _ in range(3):
            await pacer.wait("telegram", "bot", "-100", True)
        # 20 per minute in a group: three posts need two 3-second gaps.
        assert vt.t - start == pytest.approx(6.0)
        start = vt.t
        await pacer.wait("slack", "T1", "C1", True)
        await pacer.wait("slack", "T1", "C1", True)
        assert vt.t - start == pytest.approx(1.0)
        pacer.pause("telegram", "bot", 5.0)
        start = vt.t
        await pacer.wait("telegram", "bot", "other", False)
        assert vt.t - start == pytest.approx(5.0, abs=0.05)

    asyncio.run(run())


def test_next_post_at_handles_done_and_pending() -> None:
    now = utc(2026, 1, 5, 10, 0)
    sched = Schedule("09:00", "UTC", False)
    assert next_post_at(sched, now, done_today=False) == now
    assert next_post_at(sched, now, done_today=True) == utc(2026, 1, 6, 9, 0)
    early = utc(2026, 1, 5, 8, 0)
    assert next_post_at(sched, early, done_today=False) == utc(2026, 1, 5, 9, 0)
    assert next_post_at(sched, now + timedelta(hours=7), done_today=False) == utc(2026, 1, 6, 9)
