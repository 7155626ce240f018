"""The outbox sender: every reply delivered at least once, shown at most once, in order.

A platform turn stores its replies in the `outbox` table in the turn's own transaction
(`Outbox.store`, called by the engine), claimed by this process with a lease. After the commit
the engine hands the batch to `kick`, and one task per conversation sends that conversation's
batches one after the other through the platform's `Courier` (the adapter). A batch counts the
replies already delivered (`done`), so a retry never sends one twice; only a crash between a
send and its record can repeat that one reply (the send-then-crash window).

Transient failures (network, 5xx, a hang, 429) are retried with backoff, honouring
``retry_after``, while a heartbeat keeps the lease; permanent ones (blocked, chat not found, a
request the platform refuses) end the batch, recorded and counted. A batch whose sender died is
taken over by any sender once its lease ran out (the poll loop), and a redelivered update whose
turn already ran hands its undelivered batches back here (`take_over`). The webhook never waits
for any of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot import observe
from bot.messages import ConversationRef, Reply, SendResult
from bot.outgoing import Courier, Outgoing, Progress
from bot.wire import ref_from_json, ref_to_json, replies_from_json, replies_to_json
from storage import outbox as store
from storage.db import Database
from storage.errors import Busy, StorageError
from storage.session import Session

log = logging.getLogger(__name__)

T = TypeVar("T")
# Refusals: sending the same thing again cannot help.
PERMANENT = frozenset({"blocked", "gone", "failed"})
# An unexpected exception from a courier is a bug, not an outage: a few tries, then give up.
MAX_CRASHES = 5


@dataclass(frozen=True)
class OutboxPolicy:
    """Timings of the sender (tests and benchmarks shorten them)."""

    lease_s: float = 15.0
    poll_s: float = 1.0
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    max_age: timedelta = timedelta(hours=24)
    keep: timedelta = timedelta(days=2)
    concurrency: int = 64
    direct_attempts: int = 3

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Seconds before the next attempt: doubling backoff, at least what the platform asked."""
        backoff = min(self.backoff_max_s, self.backoff_s * 2.0 ** max(0, attempts - 1))
        return max(backoff, float(retry_after or 0.0))


def worker_name() -> str:
    """This process's name in the outbox's claims: host, pid and a random tag."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def failure_kind(result: SendResult) -> str:
    """The platform-error kind of a failed send, for `termcoach_platform_errors_total`."""
    if result.status == "retry":
        return "rate_limited" if result.retry_after is not None else "network"
    if result.status in ("blocked", "gone"):
        return result.status
    return "auth" if "auth" in result.reason else "refused"


class Outbox:
    """Stores turns' replies and sends them through the adapters' couriers.

    Without a database (a benchmark's echo engine) it only sends what it is handed.
    """

    def __init__(
        self,
        db: Database | None,
        *,
        policy: OutboxPolicy | None = None,
        worker: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.policy = policy or OutboxPolicy()
        self.worker = worker or worker_name()
        self._now = now
        self._couriers: dict[str, list[Courier]] = {}
        self._queues: dict[str, deque[Outgoing]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._held: set[int] = set()
        self._unrecorded: dict[int, tuple[str, int, int, str | None]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._changed: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._last_sweep = 0.0
        self._stopping = False

    # -- couriers and lifecycle ---------------------------------------------------------------

    def register(self, courier: Courier) -> None:
        """Send `courier.platform`'s batches through `courier` (the newest registered wins)."""
        self._couriers.setdefault(courier.platform, []).append(courier)
        self._ensure_running()

    async def release(self, courier: Courier, grace_s: float = 5.0) -> None:
        """Stop sending through `courier`: let its platform's queues drain for `grace_s`.

        What is left stays stored and claimed; its lease runs out and a sender (this process
        after a restart, or another replica) takes it over.
        """
        await self.idle(grace_s, platform=courier.platform)
        stack = self._couriers.get(courier.platform, [])
        if courier in stack:
            stack.remove(courier)
        if not stack:
            self._couriers.pop(courier.platform, None)
            for key, task in list(self._workers.items()):
                queue = self._queues.get(key)
                if queue and queue[0].ref.platform == courier.platform:
                    task.cancel()
        if not self._couriers and self._loop_task is not None:
            # Not cancelled mid-query (that can leave an aiosqlite connection half-closed): the
            # loop sees the flag when its tick ends.
            task, self._loop_task = self._loop_task, None
            self._stopping = True
            assert self._wake is not None
            self._wake.set()
            _, late = await asyncio.wait({task}, timeout=grace_s + 1.0)
            for stuck in late:  # a database that hangs: cancelling is all that is left
                stuck.cancel()
            await asyncio.gather(task, return_exceptions=True)
            self._stopping = False
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    def _ensure_running(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.policy.concurrency)
            self._changed = asyncio.Event()
            self._wake = asyncio.Event()
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = loop.create_task(self._run(), name="outbox")

    @property
    def pending(self) -> int:
        """Batches queued or being sent in this process."""
        return sum(len(q) for q in self._queues.values())

    async def idle(self, seconds: float | None = None, *, platform: str | None = None) -> bool:
        """Wait until this process has nothing left to send (of `platform`); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if seconds is None else loop.time() + seconds
        while any(
            q and (platform is None or q[0].ref.platform == platform) for q in self._queues.values()
        ):
            assert self._changed is not None
            self._changed.clear()
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return False
        return True

    # -- storing (inside a turn's transaction) -------------------------------------------------

    async def store(
        self,
        session: Session,
        ref: ConversationRef,
        replies: Sequence[Reply],
        *,
        message_id: str | None,
        delivery: dict[str, Any] | None,
    ) -> Outgoing | None:
        """Write a batch in the caller's transaction; the `Outgoing` to `kick` after commit.

        None when it must wait for an earlier batch another sender holds (the poll sends it).
        """
        now = self._now()
        row_id, mine = await store.add(
            session,
            platform=ref.platform,
            conversation=ref.key,
            message_id=message_id,
            ref=ref_to_json(ref),
            replies=replies_to_json(replies),
            delivery=delivery,
            worker=self.worker,
            now=now,
            lease_until=now + timedelta(seconds=self.policy.lease_s),
        )
        if not mine:
            return None
        return Outgoing(row_id, ref, tuple(replies), delivery, created_at=now)

    async def undelivered(self, session: Session, key: str, message_id: str) -> list[int]:
        """Ids of the batches a message's turn stored and nobody delivered yet."""
        return [
            row_id for row_id, _, _ in await store.pending_for_message(session, key, message_id)
        ]

    # -- sending -------------------------------------------------------------------------------

    def kick(self, item: Outgoing) -> None:
        """Queue a batch behind its conversation's earlier ones and start sending."""
        self._ensure_running()
        queue_key = item.key
        if item.id is not None:
            if item.id in self._held:
                return
            self._held.add(item.id)
        self._queues.setdefault(queue_key, deque()).append(item)
        observe.outbox_pending(self.pending)
        if queue_key not in self._workers:
            task = asyncio.get_running_loop().create_task(self._drain(queue_key))
            self._workers[queue_key] = task

    def send_direct(
        self, ref: ConversationRef, replies: Sequence[Reply], delivery: dict[str, Any] | None
    ) -> None:
        """Send replies that could not be stored (the database failed), in the same order."""
        if replies:
            self.kick(Outgoing(None, ref, tuple(replies), delivery))

    async def take_over(self, ids: Iterable[int]) -> None:
        """Send these stored batches now if their sender is gone (their lease ran out)."""
        wanted = [i for i in ids if i not in self._held]
        if wanted:
            await self._claim_and_queue(wanted)

    async def send_now(
        self, ref: ConversationRef, replies: Sequence[Reply], delivery: dict[str, Any] | None = None
    ) -> SendResult:
        """Send once, now, and report; failures are counted like every other send's.

        For the daily broadcaster, whose delivery log keeps the claim, lease and retries.
        """
        courier = self._courier(ref.platform)
        if courier is None:
            return SendResult("failed", reason=f"no {ref.platform} adapter is running")
        item = Outgoing(None, ref, tuple(replies), delivery)
        result = await self._attempt(courier, item, _no_progress)
        if not result.ok:
            observe.platform_error(ref.platform, failure_kind(result))
        return result

    def _courier(self, platform: str) -> Courier | None:
        stack = self._couriers.get(platform)
        return stack[-1] if stack else None

    async def _drain(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._deliver(queue[0])
                done = queue.popleft()
                observe.outbox_pending(self.pending)
                if done.id is not None:
                    self._held.discard(done.id)
        finally:
            self._workers.pop(key, None)
            if not queue:
                self._queues.pop(key, None)
            else:  # cancelled (stopping): what is left stays claimed and is taken over later
                for item in queue:
                    if item.id is not None:
                        self._held.discard(item.id)
                self._queues.pop(key, None)
            observe.outbox_pending(self.pending)
            if self._changed is not None:
                self._changed.set()

    async def _deliver(self, item: Outgoing) -> None:
        """Send one batch until it is out, refused for good, or too old."""
        platform = item.ref.platform
        crashes = 0
        while True:
            courier = self._courier(platform)
            if courier is None:
                return  # the adapter stopped: the lease brings the batch back after a restart
            done_before = item.done

            async def progress(n: int, base: int = done_before) -> None:
                nonlocal item
                item = replace(item, done=base + n)
                if item.id is not None and item.done < len(item.replies):
                    await self._record(store.progress, item.id, item.done)

            assert self._slots is not None
            async with self._slots:
                result = await self._attempt(courier, item, progress)
            item = replace(item, attempts=item.attempts + 1)
            if result.ok:
                await self._finish(item, store.SENT, None)
                observe.reply(platform, "sent")
                return
            observe.platform_error(platform, failure_kind(result))
            crashes += result.reason.startswith("crash:")
            if result.status in PERMANENT or crashes >= MAX_CRASHES:
                log.warning(
                    "outbox: gave up on a reply to %s (%s: %s)",
                    item.key,
                    result.status,
                    result.reason,
                )
                await self._finish(item, store.FAILED, f"{result.status}: {result.reason}")
                observe.reply(platform, "failed")
                return
            if self._expired(item):
                await self._finish(item, store.EXPIRED, f"too old: {result.reason}")
                observe.reply(platform, "expired")
                return
            delay = self.policy.delay(item.attempts, result.retry_after)
            log.info(
                "outbox: a reply to %s failed (%s), retry %d in %.1fs",
                item.key,
                result.reason or result.status,
                item.attempts,
                delay,
            )
            if item.id is not None:
                await self._record(store.attempt_failed, item.id, result.reason, item.attempts)
            await asyncio.sleep(delay)

    def _expired(self, item: Outgoing) -> bool:
        if item.id is None:
            return item.attempts >= self.policy.direct_attempts
        return self._now() - item.created_at > self.policy.max_age

    async def _attempt(self, courier: Courier, item: Outgoing, progress: Progress) -> SendResult:
        try:
            return await courier.deliver_stored(item, progress)
        except asyncio.CancelledError:
            raise
        except StorageError as exc:
            # The adapter's own records (where a question was shown) wait for the database.
            log.warning(
                "outbox: the %s delivery waits for the database (%s)", courier.platform, exc
            )
            return SendResult("retry", reason=f"storage: {type(exc).__name__}")
        except Exception as exc:
            log.exception("outbox: the %s courier raised", courier.platform)
            return SendResult("retry", reason=f"crash: {type(exc).__name__}")

    async def _finish(self, item: Outgoing, status: str, reason: str | None) -> None:
        if item.id is None:
            return
        done = len(item.replies) if status == store.SENT else item.done
        try:
            await self._write(
                store.finish,
                item.id,
                status,
                self._now(),
                done=done,
                attempts=item.attempts,
                reason=reason,
            )
        except StorageError as exc:
            # Sent but not recorded: keep the claim (heartbeat) and record it when we can, so
            # nobody takes it over and sends it again.
            log.warning("outbox: could not record batch %s as %s (%s)", item.id, status, exc)
            self._unrecorded[item.id] = (status, done, item.attempts, reason)
            self._held.add(item.id)

    async def _record(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
        try:
            await self._write(fn, *args)
        except StorageError as exc:
            log.warning("outbox: could not record progress (%s)", exc)

    async def _write(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """One small write in its own transaction; a busy SQLite file is retried."""
        assert self.db is not None, "an outbox without a database stores nothing"
        for attempt in range(20):
            try:
                async with self.db.turn_session() as session:
                    return await fn(session, *args, **kwargs)
            except Busy:
                await asyncio.sleep(0.005 * (attempt + 1))
        raise Busy("database is busy")

    # -- the poll loop: heartbeat, take-overs, records, sweeping ------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except StorageError as exc:
                log.warning("outbox: poll failed (%s)", exc)
            except Exception:
                log.exception("outbox: poll failed")
            assert self._wake is not None
            if self._stopping:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.policy.poll_s)

    async def _tick(self) -> None:
        if self.db is None:
            return  # nothing stored (a benchmark's echo engine): nothing to renew or take over
        now = self._now()
        lease = now + timedelta(seconds=self.policy.lease_s)
        if self._held:
            await self._write(store.extend, self.worker, list(self._held), lease)
        for row_id, (status, done, attempts, reason) in list(self._unrecorded.items()):
            await self._write(
                store.finish, row_id, status, now, done=done, attempts=attempts, reason=reason
            )
            del self._unrecorded[row_id]
            self._held.discard(row_id)
        platforms = list(self._couriers)
        if platforms:
            async with self.db.session() as session:
                ids = await store.claimable(session, now, platforms, 200)
            ids = [i for i in ids if i not in self._held]
            if ids:
                await self._claim_and_queue(ids)
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_sweep > 600:
            self._last_sweep = loop.time()
            await self._write(store.sweep, now - self.policy.keep)

    async def _claim_and_queue(self, ids: list[int]) -> None:
        if self.db is None:
            return
        now = self._now()
        lease = now + timedelta(seconds=self.policy.lease_s)
        taken = [i for i in ids if await self._write(store.take, i, self.worker, now, lease)]
        if not taken:
            return
        async with self.db.session() as session:
            rows = await store.load(session, taken)
        for row in rows:
            item = Outgoing(
                row.id,
                ref_from_json(row.ref),
                tuple(replies_from_json(row.replies)),
                row.delivery,
                done=row.done,
                attempts=row.attempts,
                created_at=row.created_at,
            )
            log.info("outbox: took over batch %s of %s", row.id, row.conversation)
            self.kick(item)


async def _no_progress(n: int) -> None:
    return None
