"""The daily pass with an injected clock: due-finding, exactly-once claims, failures, pacing."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from bot.clock import FakeClock
from bot.daily.refresh import refresh_counts
from bot.daily.scheduler import JOB_ID, build_scheduler, run_scheduler
from bot.daily.service import DailyService, Policy
from bot.daily.views import preview_terms
from bot.engine import DialogueEngine
from bot.features import build_engine
from bot.messages import ConversationRef, Reply, SendResult
from content.index import PackIndex
from storage import subscriptions as store
from storage.broadcast_lock import InProcessLock, PostgresAdvisoryLock, broadcast_lock
from storage.db import Database
from termcoach.settings import Settings
from tests.daily_support import (
    RecordingSender,
    VirtualTime,
    deliveries,
    log_for,
    make_service,
    subscribe,
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def service(engine: DialogueEngine, sender: RecordingSender, clock: FakeClock) -> DailyService:
    return make_service(engine, [sender], clock)


async def test_posts_at_local_time_in_two_timezones(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    await subscribe(db, "berlin", tz="Europe/Berlin")
    await subscribe(db, "newyork", tz="America/New_York")
    clock.set(utc(2026, 1, 5, 7, 59))
    assert (await service.run_pass()).sent == 0
    clock.set(utc(2026, 1, 5, 8, 0))
    report = await service.run_pass()
    assert report.sent == 1 and len(sender.sent_to("berlin")) == 1
    clock.set(utc(2026, 1, 5, 13, 59, 30))
    assert (await service.run_pass()).sent == 0
    clock.set(utc(2026, 1, 5, 14, 0, 10))
    assert (await service.run_pass()).sent == 1
    assert len(sender.sent_to("newyork")) == 1 and len(sender.calls) == 2
    post = sender.calls[0][1]
    assert len(post) == 1 and post[0].kind == "card"
    assert [c.label for c in post[0].choices] == ["Quiz me", "I knew it", "New to me", "More"]
    assert all(len(c.payload.encode()) <= 64 for c in post[0].choices)


async def test_weekdays_honoured(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    sub = await subscribe(db, "team", weekdays=True, is_group=True)
    for day in range(5, 13):  # Monday 5 January to Monday 12 January 2026
        clock.set(utc(2026, 1, day, 9, 0, 5))
        await service.run_pass()
    posted = sorted(await log_for(db, sub.id))
    assert [d.weekday() for d in posted] == [0, 1, 2, 3, 4, 0]
    assert len(sender.calls) == 6


async def test_restart_after_the_post_sends_nothing_more(
    db: Database,
    pack: PackIndex,
    clock: FakeClock,
    settings: Settings,
    sender: RecordingSender,
    service: DailyService,
) -> None:
    await subscribe(db, "dm")
    clock.set(utc(2026, 1, 5, 9, 0, 20))
    assert (await service.run_pass()).sent == 1
    # A new process on the same database (new engine, new service, new worker id).
    engine2 = build_engine(db=db, pack=pack, clock=clock, config=settings.engine_config)
    restarted = make_service(engine2, [sender], clock, worker="w-restarted")
    for minutes in (0, 1, 30, 300):
        clock.set(utc(2026, 1, 5, 9, 0, 20) + timedelta(minutes=minutes))
        report = await restarted.run_pass()
        assert report.due == 0 and report.sent == 0
    assert len(sender.calls) == 1


async def test_downtime_over_the_post_time_is_caught_up(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    sub = await subscribe(db, "dm")
    late = await subscribe(db, "too-late", at="03:00")
    clock.set(utc(2026, 1, 5, 2, 0))
    await service.run_pass()
    clock.set(utc(2026, 1, 5, 13, 30))  # down from 02:00 to 13:30: 4.5 h late, still sent
    report = await service.run_pass()
    assert report.sent == 1
    assert date(2026, 1, 5) in await log_for(db, sub.id)
    assert await log_for(db, late.id) == {}  # 03:00 + 6 h passed at 09:00: not sent today
    assert len(sender.sent_to("too-late")) == 0


async def test_downtime_over_midnight_skips_the_past_day(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    sub = await subscribe(db, "dm", at="21:00")
    clock.set(utc(2026, 1, 5, 20, 0))
    await service.run_pass()
    clock.set(utc(2026, 1, 6, 0, 30))  # back after midnight: Monday's 21:00 post is gone
    assert (await service.run_pass()).sent == 0
    clock.set(utc(2026, 1, 6, 21, 0, 1))
    assert (await service.run_pass()).sent == 1
    assert sorted(await log_for(db, sub.id)) == [date(2026, 1, 6)]


async def _walk(
    service: DailyService, clock: FakeClock, start: datetime, hours: int, step_min: int
) -> None:
    t = start
    while t <= start + timedelta(hours=hours):
        clock.set(t)
        await service.run_pass()
        t += timedelta(minutes=step_min)


async def test_spring_forward_exactly_one_post_including_0230(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    early = await subscribe(db, "at-0230", at="02:30", tz="America/New_York")
    normal = await subscribe(db, "at-0900", at="09:00", tz="America/New_York")
    # From Saturday 7 March 00:00 EST to Monday 9 March ~04:00 EDT, a pass every 10 minutes.
    await _walk(service, clock, utc(2026, 3, 7, 5, 0), 52, 10)
    log = await log_for(db, early.id)
    assert sorted(log) == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]
    assert log[date(2026, 3, 8)].sent_at == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert sorted(await log_for(db, normal.id)) == [date(2026, 3, 7), date(2026, 3, 8)]
    assert len(sender.sent_to("at-0230")) == 3


async def test_fall_back_exactly_one_post(
    db: Database, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    twice = await subscribe(db, "at-0130", at="01:30", tz="America/New_York")
    await _walk(service, clock, utc(2026, 10, 31, 4, 0), 52, 10)
    log = await log_for(db, twice.id)
    assert sorted(log) == [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
    assert log[date(2026, 11, 1)].sent_at == utc(2026, 11, 1, 5, 30)  # the first 01:30 (EDT)
    assert len(sender.sent_to("at-0130")) == 3


async def test_two_schedulers_racing_on_one_database(
    db_url: str, pack: PackIndex, clock: FakeClock, settings: Settings
) -> None:
    setup = Database(db_url)
    subs = [await subscribe(setup, f"chat{i}", seed=i) for i in range(30)]
    await setup.dispose()
    sender = RecordingSender()
    services = []
    dbs = []
    for n in range(2):
        database = Database(db_url)  # two connection pools: two processes as far as SQLite knows
        dbs.append(database)
        engine = build_engine(
            database, pack, clock=clock, config=settings.engine_config, rng=random.Random(n)
        )
        service = make_service(engine, [sender], clock, worker=f"w{n}")
        # Each its own in-process lock: this is about the claims, not about the broadcast lock.
        service.lock = InProcessLock()
        services.append(service)
    clock.set(utc(2026, 1, 5, 9, 0, 3))
    reports = await asyncio.gather(*(s.run_pass() for s in services))
    try:
        assert sum(r.sent for r in reports) == 30
        assert all(r.sent > 0 for r in reports) or sum(r.taken for r in reports) > 0
        for sub in subs:
            assert len(sender.sent_to(sub.chat)) == 1, sub.chat
        rows = await deliveries(dbs[0])
        assert len(rows) == 30 and {r.status for r in rows} == {"sent"}
        # And again a minute later: nothing more from either.
        clock.advance(minutes=1)
        again = await asyncio.gather(*(s.run_pass() for s in services))
        assert sum(r.sent for r in again) == 0 and len(sender.calls) == 30
    finally:
        for database in dbs:
            await database.dispose()


class HangingSender(RecordingSender):
    """Sends hang forever: the process dies (is cancelled) with the claim taken."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        self.entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_crashed_claim_is_retried_after_its_lease(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    sub = await subscribe(db, "dm")
    clock.set(utc(2026, 1, 5, 9, 1))
    hanging = HangingSender()
    dying = make_service(engine, [hanging], clock, worker="dies")
    task = asyncio.create_task(dying.run_pass())
    await asyncio.wait_for(hanging.entered.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (row,) = await deliveries(db)
    assert row.status == "claimed" and row.claimed_by == "dies"
    assert row.lease_until == utc(2026, 1, 5, 9, 6)

    sender = RecordingSender()
    survivor = make_service(engine, [sender], clock, worker="survivor")
    clock.advance(minutes=4)
    assert (await survivor.run_pass()).due == 0  # the lease still holds
    clock.advance(minutes=1)
    report = await survivor.run_pass()
    assert report.sent == 1 and len(sender.calls) == 1
    (row,) = (await log_for(db, sub.id)).values()
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "survivor")
    # The retry posts the term the crashed claim had chosen.
    assert row.term_id in sender.calls[0][1][0].choices[0].payload


async def test_blocked_telegram_chat_deactivates_the_subscription(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.always["555"] = SendResult("blocked", reason="Forbidden: bot was blocked by the user")
    service = make_service(engine, [tg], clock)
    blocked = await subscribe(db, "555", platform="telegram")
    fine = await subscribe(db, "556", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 30))
    report = await service.run_pass()
    assert (report.sent, report.deactivated, report.retrying) == (1, 1, 0)
    async with db.session() as session:
        gone = await store.subscription_by_id(session, blocked.id)
        ok = await store.subscription_by_id(session, fine.id)
    assert gone is not None and not gone.active and "blocked" in (gone.inactive_reason or "")
    assert ok is not None and ok.active
    row = (await log_for(db, blocked.id))[date(2026, 1, 5)]
    assert row.status == "failed" and "blocked by the user" in (row.error or "")
    clock.advance(days=1)
    await service.run_pass()
    assert len(tg.sent_to("555")) == 1  # never tried again


async def test_slack_channel_not_found_deactivates(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    slack = RecordingSender("slack")
    slack.always["C404"] = SendResult("gone", reason="channel_not_found")
    service = make_service(engine, [slack], clock)
    sub = await subscribe(db, "C404", platform="slack", workspace="T1", is_group=True)
    clock.set(utc(2026, 1, 5, 9, 0, 30))
    report = await service.run_pass()
    assert report.deactivated == 1
    async with db.session() as session:
        row = await store.subscription_by_id(session, sub.id)
    assert row is not None and not row.active and "channel_not_found" in (row.inactive_reason or "")


async def test_429_is_honoured_and_retried_in_the_pass(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.script["7"].append(SendResult("retry", reason="Too Many Requests", retry_after=3.0))
    vt = VirtualTime()
    service = make_service(engine, [tg], clock, vt=vt)
    await subscribe(db, "7", platform="telegram")
    await subscribe(db, "8", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 30))
    report = await service.run_pass()
    assert (report.sent, report.received_429) == (2, 1)
    assert len(tg.sent_to("7")) == 2 and len(tg.sent_to("8")) == 1
    assert vt.slept >= 3.0  # the pause was waited out before anything else was sent


async def test_other_failures_back_off_then_fail_with_the_reason(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.always["9"] = SendResult("failed", reason="Bad Gateway")
    service = make_service(engine, [tg], clock)
    sub = await subscribe(db, "9", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 0))
    statuses = []
    for _ in range(200):  # a pass every 30 s for 100 minutes
        await service.run_pass()
        statuses.append((await log_for(db, sub.id))[date(2026, 1, 5)].status)
        clock.advance(seconds=30)
    row = (await log_for(db, sub.id))[date(2026, 1, 5)]
    assert row.status == "failed" and row.attempts == 5
    assert "gave up after 5 attempts: Bad Gateway" in (row.error or "")
    assert len(tg.calls) == 5  # 0 s, 30 s, 2 min, 8 min, 32 min later: the backoff held
    async with db.session() as session:
        still = await store.subscription_by_id(session, sub.id)
    assert still is not None and still.active  # a transient failure does not unsubscribe


async def test_a_transient_failure_then_success(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.script["10"].append(SendResult("failed", reason="Bad Gateway"))
    service = make_service(engine, [tg], clock)
    sub = await subscribe(db, "10", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 0))
    assert (await service.run_pass()).retrying == 1
    clock.advance(seconds=29)
    assert (await service.run_pass()).due == 0
    clock.advance(seconds=1)
    assert (await service.run_pass()).sent == 1
    row = (await log_for(db, sub.id))[date(2026, 1, 5)]
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)


async def test_chat_migrated_moves_the_subscription(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.always["-100"] = SendResult("failed", reason="migrated", new_chat="-1009")
    service = make_service(engine, [tg], clock)
    sub = await subscribe(db, "-100", platform="telegram", is_group=True)
    clock.set(utc(2026, 1, 5, 9, 0, 30))
    report = await service.run_pass()
    assert (report.sent, report.moved) == (1, 1)
    assert len(tg.sent_to("-1009")) == 1
    async with db.session() as session:
        moved = await store.subscription_by_id(session, sub.id)
    assert moved is not None and moved.chat == "-1009" and moved.active


async def test_a_claim_past_its_window_is_closed_not_sent(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.script["11"].append(SendResult("failed", reason="Bad Gateway"))
    service = make_service(engine, [tg], clock, policy=Policy(backoff=timedelta(hours=7)))
    sub = await subscribe(db, "11", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 0))
    await service.run_pass()
    clock.set(utc(2026, 1, 5, 16, 1))
    report = await service.run_pass()
    assert report.expired == 1 and report.sent == 0
    row = (await log_for(db, sub.id))[date(2026, 1, 5)]
    assert row.status == "failed" and "window closed" in (row.error or "")


async def test_each_subscription_walks_the_pack_without_repeats(
    db: Database, pack: PackIndex, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:
    sub = await subscribe(db, "walker", seed=99)
    other = await subscribe(db, "other", seed=100)
    n = len(pack.terms)
    for day in range(n + 1):
        clock.set(utc(2026, 1, 5, 9, 0, 5) + timedelta(days=day))
        await service.run_pass()
    log = await log_for(db, sub.id)
    terms = [log[d].term_id for d in sorted(log)]
    assert len(terms) == n + 1
    assert sorted(terms[:n]) == sorted(pack.terms)  # every term once before any repeats
    assert [r.sequence for r in (log[d] for d in sorted(log))] == list(range(n + 1))
    other_terms = [r.term_id for r in (await log_for(db, other.id)).values()]
    assert other_terms[:10] != terms[:10]  # another channel walks in another order


async def test_a_failed_day_does_not_skip_a_term(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.always["12"] = SendResult("failed", reason="down")
    service = make_service(engine, [tg], clock, policy=Policy(max_attempts=1))
    sub = await subscribe(db, "12", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 0))
    await service.run_pass()
    del tg.always["12"]
    clock.advance(days=1)
    await service.run_pass()
    log = await log_for(db, sub.id)
    assert log[date(2026, 1, 5)].status == "failed"
    assert log[date(2026, 1, 6)].term_id == log[date(2026, 1, 5)].term_id


async def test_one_pass_at_a_time_per_process(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    hanging = HangingSender()
    service = make_service(engine, [hanging], clock)
    await subscribe(db, "dm")
    clock.set(utc(2026, 1, 5, 9, 0, 30))
    first = asyncio.create_task(service.run_pass())
    await asyncio.wait_for(hanging.entered.wait(), 5)
    second = await service.run_pass()
    assert second.locked_out
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_network_retry_takes_the_backoff_path_not_the_429_one(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:
    tg = RecordingSender("telegram")
    tg.script["13"].append(SendResult("retry", reason="network: ReadTimeout"))
    service = make_service(engine, [tg], clock)
    sub = await subscribe(db, "13", platform="telegram")
    clock.set(utc(2026, 1, 5, 9, 0, 0))
    report = await service.run_pass()
    assert (report.received_429, report.retrying) == (0, 1)
    row = (await log_for(db, sub.id))[date(2026, 1, 5)]
    assert row.status == "claimed" and row.lease_until == utc(2026, 1, 5, 9, 0, 30)
    assert row.error == "network: ReadTimeout"


async def test_preview_matches_what_is_sent(
    db: Database, pack: PackIndex, clock: FakeClock, sender: RecordingSender, service: DailyService
) -> None:

    sub = await subscribe(db, "weekdays", weekdays=True, seed=5)
    clock.set(utc(2026, 1, 5, 8, 0))  # Monday, before the post
    planned = {}
    for offset in range(8):
        day = date(2026, 1, 5) + timedelta(days=offset)
        [row] = await preview_terms(db, pack, day, clock.now())
        planned[day] = row.term_id
    assert planned[date(2026, 1, 10)] is None and planned[date(2026, 1, 11)] is None  # weekend
    for offset in range(8):
        clock.set(utc(2026, 1, 5, 9, 0, 5) + timedelta(days=offset))
        await service.run_pass()
    log = await log_for(db, sub.id)
    assert {d: r.term_id for d, r in log.items()} == {
        d: t for d, t in planned.items() if t is not None
    }
    [today] = await preview_terms(db, pack, None, clock.now())
    assert (today.day, today.note) == (date(2026, 1, 12), "sent")


async def test_the_scheduler_runs_one_interval_job(
    db: Database, engine: DialogueEngine, clock: FakeClock
) -> None:

    class Signalling(RecordingSender):
        def __init__(self) -> None:
            super().__init__()
            self.got = asyncio.Event()

        async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
            result = await super().send(ref, replies)
            self.got.set()
            return result

    sender = Signalling()
    await subscribe(db, "dm")
    clock.set(utc(2026, 1, 5, 9, 0, 10))
    service = make_service(engine, [sender], clock)
    scheduler = build_scheduler(service, 30)
    [job] = scheduler.get_jobs()
    assert job.id == JOB_ID and job.max_instances == 1 and job.coalesce
    assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == timedelta(
        seconds=30
    )

    runner = asyncio.create_task(run_scheduler(service, 30))
    await asyncio.wait_for(sender.got.wait(), 5)  # the first pass runs at once
    for _ in range(500):  # until that pass has recorded the post
        if [r.status for r in await deliveries(db)] == ["sent"]:
            break
        await asyncio.sleep(0.01)
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    assert len(sender.calls) == 1
    assert [r.status for r in await deliveries(db)] == ["sent"]
    with pytest.raises(ValueError, match="every 30 seconds"):
        build_scheduler(make_service(engine, [sender], clock), 60)


async def test_stopping_during_a_pass_logs_no_error(
    db: Database, engine: DialogueEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:

    class Stuck(RecordingSender):
        def __init__(self) -> None:
            super().__init__()
            self.entered = asyncio.Event()

        async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
            self.entered.set()
            await asyncio.Event().wait()  # a platform that never answers
            raise AssertionError("unreachable")

    sender = Stuck()
    await subscribe(db, "dm")
    clock.set(utc(2026, 1, 5, 9, 0, 10))
    service = make_service(engine, [sender], clock)
    runner = asyncio.create_task(run_scheduler(service, 30, finish_s=0.2))
    await asyncio.wait_for(sender.entered.wait(), 5)
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    # A shutdown is not a failure: APScheduler must not log the cancelled pass as an error.
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert [r.status for r in await deliveries(db)] == ["claimed"]


async def test_broadcast_lock_has_one_holder(db_url: str, backend: str) -> None:

    first, second = Database(db_url), Database(db_url)
    try:
        lock_a, lock_b = broadcast_lock(first), broadcast_lock(second)
        assert isinstance(lock_a, PostgresAdvisoryLock) == (backend == "postgresql")
        async with lock_a.hold() as got_a:
            assert got_a
            async with lock_a.hold() as again_a:
                assert not again_a  # the same process never runs two passes at once
            async with lock_b.hold() as got_b:
                # PostgreSQL: one broadcaster across replicas. SQLite: one per process only.
                assert got_b == (backend == "sqlite")
        async with lock_b.hold() as after:
            assert after  # released when the holder's pass ended
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_lost_lock_connection_ends_the_pass_in_one_warning_line(
    db_url: str, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if backend != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's lock lives in the process")
    db, other = Database(db_url), Database(db_url)
    try:
        lock = broadcast_lock(db)
        with caplog.at_level(logging.WARNING, logger="storage.broadcast_lock"):
            async with lock.hold() as got:
                assert got
                # The database drops the lock's connection mid-pass (a restart, a failover).
                async with other.engine.connect() as conn:
                    await conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_locks "
                            "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                        )
                    )
                    await conn.commit()
        warnings = [r for r in caplog.records if "broadcast lock" in r.getMessage()]
        assert warnings and all(r.exc_info is None for r in warnings)
        async with broadcast_lock(other).hold() as again:
            assert again  # the lock died with its connection
    finally:
        await db.dispose()
        await other.dispose()


async def test_a_pass_stopped_by_the_database_is_one_warning_and_the_job_lives_on(
    pack: PackIndex, clock: FakeClock, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A database nobody answers: the pass cannot even claim its work.
    gone = Database("postgresql+asyncpg://postgres@127.0.0.1:1/termcoach")
    engine = build_engine(
        db=gone, pack=pack, clock=clock, rng=random.Random(7), config=settings.engine_config
    )
    try:
        [job] = build_scheduler(make_service(engine, [RecordingSender()], clock), 30).get_jobs()
        with caplog.at_level(logging.WARNING):
            await job.func()  # returns: the job stays scheduled for the next tick
    finally:
        await gone.dispose()
    said = [r for r in caplog.records if "daily pass" in r.getMessage()]
    assert [r.levelname for r in said] == ["WARNING"], [r.getMessage() for r in said]
    assert said[0].exc_info is None and "unavailable" in said[0].getMessage()


async def test_counts_wait_for_the_database_in_one_warning_line(
    pack: PackIndex, clock: FakeClock, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    gone = Database("postgresql+asyncpg://postgres@127.0.0.1:1/termcoach")
    engine = build_engine(
        db=gone, pack=pack, clock=clock, rng=random.Random(7), config=settings.engine_config
    )
    try:
        with caplog.at_level(logging.WARNING):
            assert await refresh_counts(make_service(engine, [RecordingSender()], clock)) == 0
    finally:
        await gone.dispose()
    said = [r for r in caplog.records if "counts" in r.getMessage()]
    assert [r.levelname for r in said] == ["WARNING"] and said[0].exc_info is None
