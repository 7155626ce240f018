"""The daily broadcast: find due subscriptions, claim each post, send it paced, record the outcome.

`DailyService.run_pass()` is one pass; the APScheduler job (`bot.daily.scheduler`) and
``termcoach daily run-due`` both call it. Exactly-once comes from the delivery log, not from the
scheduler: a post is claimed with an insert that does nothing on conflict before it is sent, and a
claim whose sender died is taken over only after its lease has expired.

Each platform is sent by one sequential worker (Slack and Telegram run side by side). One message
in flight per bot token is what bounds a crash to at most one duplicate post (sent, but killed
before it was recorded); the pacer, not concurrency, sets the rate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import secrets
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from bot import observe
from bot.clock import Clock
from bot.daily.order import term_at
from bot.daily.post import daily_post, post_ref
from bot.daily.refresh import refresh_counts
from bot.daily.schedule import (
    CATCH_UP,
    due_date,
    schedule_of,
    scheduled_at,
    window_closed,
)
from bot.engine import DialogueEngine
from bot.messages import ConversationRef, Reply, SendResult
from bot.pacing import Pacer, PacingRules
from content.index import PackIndex
from storage import subscriptions as store
from storage.broadcast_lock import BroadcastLock, broadcast_lock
from storage.db import Database
from storage.errors import StorageError

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


class Sender(Protocol):
    """What the broadcaster needs of an adapter: its platform, its limits and `send()`."""

    platform: str
    pacing: PacingRules

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Deliver replies outside of a turn."""
        ...


@dataclass
class PassReport:
    """What one pass did."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deactivated: int = 0
    moved: int = 0
    taken: int = 0
    expired: int = 0
    received_429: int = 0
    locked_out: bool = False
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        if self.locked_out:
            return "another process is broadcasting; nothing done"
        return (
            f"{self.due} due, {self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
            f"{self.deactivated} deactivated, {self.moved} moved, {self.taken} taken by others, "
            f"{self.expired} expired"
        )


def _worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Policy:
    """Timings of the delivery protocol (tests and the bench shorten them)."""

    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=30)
    backoff_factor: float = 4.0
    max_429_in_pass: int = 5
    max_wait_in_pass_s: float = 60.0
    catch_up: timedelta = CATCH_UP

    def retry_delay(self, attempts: int) -> timedelta:
        """Backoff before attempt `attempts + 1`: 30 s, 2 min, 8 min, 32 min by default."""
        return self.backoff * (self.backoff_factor ** max(0, attempts - 1))


class DailyService:
    """Sends the daily term to every due subscription, once per subscription and local date."""

    def __init__(
        self,
        engine: DialogueEngine,
        senders: Mapping[str, Sender] | Iterable[Sender],
        *,
        pacer: Pacer | None = None,
        lock: BroadcastLock | None = None,
        clock: Clock | None = None,
        policy: Policy | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.db: Database = engine.db
        self.pack: PackIndex = engine.pack
        self.senders: dict[str, Sender] = (
            dict(senders) if isinstance(senders, Mapping) else {s.platform: s for s in senders}
        )
        self.pacer = pacer or Pacer({s.platform: s.pacing for s in self.senders.values()})
        self.lock = lock or broadcast_lock(engine.db)
        self.clock: Clock = clock or engine.clock
        self.policy = policy or Policy()
        self.worker = worker_id or _worker_id()

    # -- the pass -------------------------------------------------------------------------------

    async def run_pass(self, progress: ProgressFn | None = None) -> PassReport:
        """One pass: become the broadcaster, then deliver everything due now.

        Never raises for a platform failure; database errors end the pass (the next one resumes it).
        """
        report = PassReport()
        try:
            return await self._pass(report, progress)
        finally:
            observe.daily_pass(not report.locked_out)

    async def _pass(self, report: PassReport, progress: ProgressFn | None) -> PassReport:
        async with self.lock.hold() as leader:
            if not leader:
                report.locked_out = True
                log.debug("daily pass skipped: another process holds the broadcast lock")
                return report
            work = await self.due_work(report)
            report.due = len(work)
            done = 0
            total = len(work)
            if progress:
                progress(0, total)

            def tick() -> None:
                nonlocal done
                done += 1
                if progress:
                    progress(done, total)

            by_platform: dict[str, list[tuple[store.SubscriptionRow, date]]] = {}
            for sub, day in work:
                by_platform.setdefault(sub.platform, []).append((sub, day))
            await asyncio.gather(
                *(self._worker(items, report, tick) for items in by_platform.values())
            )
            await refresh_counts(self)
        if report.due or report.expired:
            log.info("daily pass: %s", report.summary())
        return report

    async def due_work(
        self, report: PassReport | None = None
    ) -> list[tuple[store.SubscriptionRow, date]]:
        """The (subscription, local date) posts due now and not yet done or claimed by a live sender.

        Also closes claims whose window has passed (failed, with the reason), so a post of a past
        day is never sent.
        """
        now = self.clock.now()
        async with self.db.session() as session:
            subs = await store.active_subscriptions(session, self.senders)
            due = [
                (s, d) for s in subs if (d := due_date(schedule_of(s), now, self.policy.catch_up))
            ]
            existing = await store.deliveries_on(session, {d for _, d in due})
            stale = await store.expired_claims(session, now)
            by_id = {s.id: s for s in subs}
            for row in stale:
                sub = by_id.get(row.subscription_id)
                if sub is None or window_closed(
                    schedule_of(sub), row.local_date, now, self.policy.catch_up
                ):
                    reason = "not sent before its window closed"
                    if row.error:
                        reason += f" (last error: {row.error})"
                    await store.mark_failed(session, row.id, reason, now)
                    log.warning("daily post %s of %s expired: %s", row.id, row.local_date, reason)
                    if report is not None:
                        report.expired += 1
        work: list[tuple[store.SubscriptionRow, date]] = []
        lag = 0.0
        for sub, day in due:
            logged = existing.get((sub.id, day))
            if logged is None or (logged.status == store.CLAIMED and logged.lease_until <= now):
                work.append((sub, day))
                lag = max(lag, (now - scheduled_at(schedule_of(sub), day)).total_seconds())
        # How late the oldest waiting post is: near zero when the scheduler keeps up.
        observe.scheduler_lag(lag)
        return work

    async def _worker(
        self,
        items: list[tuple[store.SubscriptionRow, date]],
        report: PassReport,
        tick: Callable[[], None],
    ) -> None:
        for sub, day in items:
            try:
                await self.deliver(sub, day, report)
            except asyncio.CancelledError:
                raise
            except StorageError as exc:
                # A database hiccup on one post must not stop the others; the claim's lease
                # brings this one back in a later pass. A known fault: one line.
                log.warning("daily post for subscription %s stopped: %s", sub.id, exc)
                report.errors.append(f"{sub.id}: {type(exc).__name__}")
            except Exception as exc:
                log.exception("daily post for subscription %s failed unexpectedly", sub.id)
                report.errors.append(f"{sub.id}: {type(exc).__name__}")
            tick()

    # -- one post -------------------------------------------------------------------------------

    async def deliver(self, sub: store.SubscriptionRow, day: date, report: PassReport) -> str:
        """Claim, send and record one post; returns the final status for this pass."""
        sender = self.senders[sub.platform]
        async with self.db.session() as session:
            sequence = await store.next_sequence(session, sub.id)
        term_id = term_at(self.pack.term_order, sub.order_seed, sequence)
        await self.pacer.wait(sub.platform, sub.workspace, sub.chat, sub.is_group)
        now = self.clock.now()
        async with self.db.session() as session:
            claim = await store.claim(
                session,
                sub_id=sub.id,
                day=day,
                sequence=sequence,
                term_id=term_id,
                worker=self.worker,
                now=now,
                lease_until=now + self.policy.lease,
            )
        if claim is None:
            report.taken += 1
            return "taken"
        if claim.term_id not in self.pack.terms:
            # The pack changed since the claim was made; post today's term from the current pack.
            claim = dataclasses.replace(claim, term_id=term_id)
        replies = daily_post(self.pack, claim.term_id)
        hits_429 = 0
        moves = 0
        while True:
            result = await self._send(sender, post_ref(sub), replies)
            now = self.clock.now()
            if result.new_chat and result.new_chat != sub.chat and moves < 2:
                moves += 1
                sub = await self._move(sub, result.new_chat, report)
                if not sub.active:
                    await self._finish(claim, sub, f"chat migrated: {result.reason}", report)
                    return "failed"
                if not result.ok:
                    continue
            if result.ok:
                await self._record_sent(claim, sub, day, now, result.message_ids)
                report.sent += 1
                self._emit(sub.platform, "sent")
                return "sent"
            if result.status == "retry" and result.retry_after is not None:
                # Rate limited (a 429 the adapter's own retries did not absorb). A "retry"
                # without retry_after is a network failure and takes the backoff path below.
                report.received_429 += 1
                hits_429 += 1
                wait = result.retry_after
                self.pacer.pause(sub.platform, sub.workspace, wait)
                log.warning(
                    "daily: %s asked us to slow down (retry after %.1f s)", sub.platform, wait
                )
                if (
                    hits_429 <= self.policy.max_429_in_pass
                    and wait <= self.policy.max_wait_in_pass_s
                ):
                    await self.pacer.wait(sub.platform, sub.workspace, sub.chat, sub.is_group)
                    await self._extend_lease(claim)
                    continue
                reason = f"rate limited: {result.reason}"
                return await self._retry_later(claim, sub, reason, now, report, wait)
            if result.status in ("blocked", "gone"):
                reason = f"{result.status}: {result.reason}" if result.reason else result.status
                await self._finish(claim, sub, reason, report)
                async with self.db.session() as session:
                    await store.deactivate(session, sub.id, reason, now)
                report.deactivated += 1
                self._emit(sub.platform, "deactivated")
                log.warning(
                    "daily: subscription %s (%s) deactivated: %s", sub.id, sub.platform, reason
                )
                return "deactivated"
            reason = result.reason or result.status
            if claim.attempts >= self.policy.max_attempts:
                reason = f"gave up after {claim.attempts} attempts: {reason}"
                await self._finish(claim, sub, reason, report)
                return "failed"
            return await self._retry_later(claim, sub, reason, now, report)

    async def _extend_lease(self, claim: store.Claim) -> None:
        # Waiting out 429s can take a while; keep the claim ours so nobody else takes it over.
        now = self.clock.now()
        async with self.db.session() as session:
            await store.extend_lease(
                session, claim.delivery_id, self.worker, now + self.policy.lease
            )

    async def _send(self, sender: Sender, ref: ConversationRef, replies: list[Reply]) -> SendResult:
        try:
            return await sender.send(ref, replies)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Adapters should report failures as SendResult; an exception is one we did not expect.
            log.warning(
                "daily: %s send raised %s", sender.platform, type(exc).__name__, exc_info=True
            )
            return SendResult("failed", reason=f"{type(exc).__name__}: {exc}"[:300])

    async def _record_sent(
        self,
        claim: store.Claim,
        sub: store.SubscriptionRow,
        day: date,
        now: datetime,
        ids: Sequence[str],
    ) -> None:
        # The post is out: recording it is what prevents a second one, so try hard. Its last
        # message (the one with the buttons) is where its counts are edited in later.
        for attempt in range(5):
            try:
                async with self.db.session() as session:
                    await store.mark_sent(session, claim.delivery_id, now, ids[-1] if ids else None)
                return
            except Exception:
                if attempt == 4:
                    raise
                log.warning("daily: recording post %s as sent failed; retrying", claim.delivery_id)
                await asyncio.sleep(0.2 * (attempt + 1))
        log.debug("daily: sent %s to subscription %s for %s", claim.term_id, sub.id, day)

    async def _finish(
        self, claim: store.Claim, sub: store.SubscriptionRow, reason: str, report: PassReport
    ) -> None:
        now = self.clock.now()
        async with self.db.session() as session:
            await store.mark_failed(session, claim.delivery_id, reason, now)
        report.failed += 1
        log.warning(
            "daily post %s (subscription %s, %s, %s) failed: %s",
            claim.delivery_id,
            claim.subscription_id,
            sub.platform,
            claim.local_date,
            reason,
        )
        self._emit(sub.platform, "failed")

    async def _retry_later(
        self,
        claim: store.Claim,
        sub: store.SubscriptionRow,
        reason: str,
        now: datetime,
        report: PassReport,
        at_least_s: float = 0.0,
    ) -> str:
        delay = max(self.policy.retry_delay(claim.attempts), timedelta(seconds=at_least_s))
        async with self.db.session() as session:
            await store.mark_retry(session, claim.delivery_id, reason, now + delay)
        report.retrying += 1
        log.warning(
            "daily post %s (subscription %s) attempt %d failed, retrying in %s: %s",
            claim.delivery_id,
            claim.subscription_id,
            claim.attempts,
            delay,
            reason,
        )
        self._emit(sub.platform, "retry")
        return "retry"

    async def _move(
        self, sub: store.SubscriptionRow, new_chat: str, report: PassReport
    ) -> store.SubscriptionRow:
        now = self.clock.now()
        async with self.db.session() as session:
            moved = await store.move_subscription(session, sub, new_chat, now)
        report.moved += 1
        log.info("daily: subscription %s moved from chat %s to %s", sub.id, sub.chat, new_chat)
        return dataclasses.replace(sub, chat=new_chat, active=moved)

    def _emit(self, platform: str, status: str) -> None:
        observe.delivery(platform, status)
