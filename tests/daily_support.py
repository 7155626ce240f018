"""Helpers for the daily-term tests: a recording sender, virtual time for the pacer, a service."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from adapters.slack import PACING as SLACK_PACING
from adapters.telegram import PACING as TELEGRAM_PACING
from bot.clock import FakeClock
from bot.daily.service import DailyService, Policy
from bot.engine import DialogueEngine
from bot.messages import ConversationRef, Reply, SendResult
from bot.pacing import Pacer
from storage import subscriptions as store
from storage.db import Database
from storage.models import Delivery


class VirtualTime:
    """A monotonic clock that only moves when someone sleeps on it (the pacer in tests)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.slept += seconds
        await asyncio.sleep(0)


class RecordingSender:
    """An adapter stand-in: records every send; scripted results per chat, else "sent"."""

    def __init__(self, platform: str = "test", *, yield_each: bool = True) -> None:
        self.platform = platform
        self.calls: list[tuple[ConversationRef, list[Reply]]] = []
        self.script: dict[str, deque[SendResult]] = defaultdict(deque)
        self.always: dict[str, SendResult] = {}
        self.yield_each = yield_each

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        if self.yield_each:
            await asyncio.sleep(0)  # let a racing pass interleave here
        self.calls.append((ref, list(replies)))
        if self.script[ref.chat]:
            return self.script[ref.chat].popleft()
        return self.always.get(ref.chat, SendResult("sent", message_ids=(str(len(self.calls)),)))

    def sent_to(self, chat: str) -> list[list[Reply]]:
        return [replies for ref, replies in self.calls if ref.chat == chat]


# The limits the real adapters declare.
PLATFORM_PACING = {"telegram": TELEGRAM_PACING, "slack": SLACK_PACING}


def make_service(
    engine: DialogueEngine,
    senders: Sequence[Any],
    clock: FakeClock,
    vt: VirtualTime | None = None,
    policy: Policy | None = None,
    worker: str = "w-test",
) -> DailyService:
    """A service on the fake clock with a pacer on virtual time (no real waiting)."""
    vt = vt or VirtualTime()
    pacer = Pacer(PLATFORM_PACING, monotonic=vt.monotonic, sleep=vt.sleep)
    return DailyService(engine, senders, pacer=pacer, clock=clock, policy=policy, worker_id=worker)


async def subscribe(
    db: Database,
    chat: str,
    *,
    platform: str = "test",
    at: str = "09:00",
    tz: str = "UTC",
    weekdays: bool = False,
    is_group: bool = False,
    seed: int = 1,
    now: datetime | None = None,
    workspace: str = "w1",
) -> store.SubscriptionRow:
    """Create a subscription directly (the command path has its own tests)."""
    async with db.session() as session:
        return await store.save_subscription(
            session,
            platform=platform,
            workspace=workspace,
            chat=chat,
            thread_key="",
            is_group=is_group,
            local_time=at,
            timezone=tz,
            weekdays_only=weekdays,
            seed=seed,
            user="admin",
            now=now or datetime(2026, 1, 1, tzinfo=FakeClock().now().tzinfo),
        )


async def deliveries(db: Database) -> list[store.DeliveryRow]:
    """The whole delivery log, oldest first."""
    async with db.session() as session:
        rows = await session.execute(
            select(*store._DEL_COLS).order_by(Delivery.local_date, Delivery.id)
        )
        return [store.DeliveryRow(*r) for r in rows]


async def log_for(db: Database, sub_id: int) -> dict[date, store.DeliveryRow]:
    """One subscription's log by local date."""
    return {d.local_date: d for d in await deliveries(db) if d.subscription_id == sub_id}
