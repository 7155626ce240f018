"""Daily streaks in the learner's timezone, across midnight, days off and timezone changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.engine import DialogueEngine
from bot.quiz.streaks import (
    current_streak,
    day_end,
    day_start,
    local_date,
    longest_streak,
    streak_at,
    zone,
)
from tests.chatflow import Chat
from tests.quiz_support import answer

BERLIN = ZoneInfo("Europe/Berlin")
D = date(2026, 3, 10)


def test_current_streak_counts_back_from_today_or_yesterday() -> None:
    assert current_streak([], D) == 0
    assert current_streak([D], D) == 1
    assert current_streak([D - timedelta(days=i) for i in range(4)], D) == 4
    # Not practised yet today: yesterday's streak is still alive.
    assert current_streak([D - timedelta(days=1), D - timedelta(days=2)], D) == 2
    # A whole day missed: the streak is over.
    assert current_streak([D - timedelta(days=2), D - timedelta(days=3)], D) == 0
    assert current_streak([D, D - timedelta(days=2)], D) == 1


def test_longest_streak() -> None:
    days = [D, D + timedelta(days=1), D + timedelta(days=2), D + timedelta(days=5)]
    assert longest_streak(days) == 3
    assert longest_streak([]) == 0


def test_the_same_moments_are_one_day_in_berlin_and_two_in_utc() -> None:
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin; 22:30 UTC on 10 March is 23:30 there.
    times = [
        datetime(2026, 3, 9, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 22, 30, tzinfo=UTC),
    ]
    now = datetime(2026, 3, 10, 22, 45, tzinfo=UTC)
    assert streak_at(times, now, BERLIN) == 1
    assert streak_at(times, now, ZoneInfo("UTC")) == 2


def test_a_gap_in_berlin_that_utc_does_not_see() -> None:
    # 22:30 UTC 9 March = 23:30 Berlin 9 March; 23:30 UTC 10 March = 00:30 Berlin 11 March.
    times = [
        datetime(2026, 3, 9, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
    ]
    now = datetime(2026, 3, 10, 23, 45, tzinfo=UTC)
    assert streak_at(times, now, ZoneInfo("UTC")) == 2
    assert streak_at(times, now, BERLIN) == 1


def test_day_bounds_across_daylight_saving() -> None:
    # Berlin moves its clocks forward on 29 March 2026: that local day has 23 hours.
    day = date(2026, 3, 29)
    assert day_end(day, BERLIN) - day_start(day, BERLIN) == timedelta(hours=23)
    assert day_start(day, BERLIN) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC), BERLIN) == day


def test_zone_falls_back_to_utc() -> None:
    assert zone("Not/AZone") == ZoneInfo("UTC")
    assert zone(None) == ZoneInfo("UTC")


async def test_streak_in_a_conversation_across_midnight_in_the_learners_timezone(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/settings timezone Europe/Berlin")
    assert "Europe/Berlin" in chat.text
    clock.set(datetime(2026, 3, 9, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    await chat.send("/quiz drift")
    await answer(engine, chat)
    await chat.send("/cancel")
    clock.set(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))  # 00:30 next day in Berlin
    await chat.send("/quiz drift")
    await answer(engine, chat)
    await chat.send("/cancel")
    await chat.send("/stats")
    assert "Streak: 2 days" in chat.text
    # A learner in UTC answering at the same moments has a one-day streak.
    other = Chat(engine, user="bob")
    await other.send("/settings timezone UTC")
    clock.set(datetime(2026, 3, 9, 22, 30, tzinfo=UTC))
    await other.send("/quiz drift")
    await answer(engine, other)
    clock.set(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    await answer(engine, other)
    await other.send("/stats")
    assert "Streak: 1 day " in other.text


async def test_the_round_summary_shows_the_streak(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    for _ in range(3):
        await chat.send("/quiz psi")
        while "finished" not in chat.text:
            await answer(engine, chat)
        clock.advance(days=1)
    assert "Streak: 3 days in a row" in chat.text
