"""What the Telegram adapter must remember across restarts and replicas, kept in the database.

Records in `storage.platform_state`, per bot (the workspace is the bot's id), each with an expiry:

- ``poll``: poll id -> `PollInfo` (chat, topic, message, option payloads, persistent option ids,
  whether a group's poll took its first vote), for ``POLL_TTL``. A vote carries only the poll
  id, so without this record a vote that reaches another replica, or comes after a restart,
  could not be scored.
- ``long_payload``: short callback data -> the payload it stands for, for ``PAYLOAD_TTL``.
- ``question``: question id -> where its message is (`SentQuestion`), so a result can replace
  the question in place, for ``QUESTION_TTL``.

Chat status (blocked, gone, migrated to a new id) is `storage.chat_status`. In-process caches
sit in front of both; the database is the truth, and a miss is never cached (another replica
may write the record a moment later). Without a database (a benchmark around an echo engine)
the caches alone serve, as process memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cachetools import LRUCache, TTLCache
from telegram import ChatMember, ChatMemberUpdated, Message

from adapters.telegram.inbound import PLATFORM, PollInfo
from storage import chat_status, platform_state
from storage.db import Database
from storage.errors import Busy, StorageError
from storage.session import Session

log = logging.getLogger(__name__)

POLL = "poll"
LONG_PAYLOAD = "long_payload"
QUESTION = "question"
# A vote or a press days after the question is rare but real (a quiz left open over a weekend);
# a long payload sits on a button that can be pressed as long as the message is there.
POLL_TTL = timedelta(days=3)
PAYLOAD_TTL = timedelta(days=7)
QUESTION_TTL = timedelta(days=3)
CACHE_SIZE = 10_000
CACHE_TTL_S = 600.0
# Another replica may see a chat blocked or unblocked; a minute of a stale view costs at most
# one refused send (which records the status again) or one skipped daily post.
STATUS_TTL_S = 60.0
SWEEP_INTERVAL_S = 3600.0
# Records are written while a reply is delivered, beside the engine's own turns. On SQLite a
# short session runs inline like a turn (no trip to a worker thread) and, when another writer
# holds the file, yields and tries again; after that it waits in an ordinary session.
INLINE_TRIES = 3
# Records nobody waits for (where a question is) are written this much later, with others.
LINGER_S = 0.05

T = TypeVar("T")


async def _run(db: Database, work: Callable[[Session], Awaitable[T]]) -> T:
    """Run `work` in one short transaction: inline first (SQLite), retried while busy."""
    for _ in range(INLINE_TRIES):
        try:
            async with db.turn_session() as session:
                return await work(session)
        except Busy:
            await asyncio.sleep(random.uniform(0.002, 0.02))
    async with db.session() as session:
        return await work(session)


def _cache(db: Database | None, ttl: float) -> MutableMapping[str, Any]:
    # With a database the cache only saves reads, so entries expire; without one it is the store.
    if db is None:
        return LRUCache(CACHE_SIZE)
    return TTLCache(CACHE_SIZE, ttl)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SentQuestion:
    """A message that asked a question, so a later result can replace it."""

    chat_id: int
    message_id: int
    html: str
    is_poll: bool


@dataclass
class Changes:
    """The records one delivery made, in order; `urgent` when another replica needs them soon.

    A record value of None drops the record.
    """

    ops: list[tuple[str, str, dict[str, Any] | None, timedelta]] = field(default_factory=list)
    urgent: bool = False

    def __bool__(self) -> bool:
        """True when there is something to save."""
        return bool(self.ops)


class _Writer:
    """Writes records behind the deliveries, many deliveries' records in one transaction.

    While one batch commits, the next gathers (and a batch nobody waits for lingers a moment
    first), so under load a commit (an fsync on SQLite) serves many deliveries. Each `submit`
    returns a future that is done once its records are committed (or their write failed, which
    is logged). No task runs while nothing is queued.
    """

    def __init__(self, write: Callable[[list[Changes]], Awaitable[None]]) -> None:
        self._write = write
        self._queued: list[tuple[Changes, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    def submit(self, changes: Changes) -> asyncio.Future[None]:
        """Queue `changes`; the future is done when they are committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queued.append((changes, done))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return done

    async def _drain(self) -> None:
        while self._queued:
            if not any(changes.urgent for changes, _ in self._queued):
                # Nobody waits for these: gather a few more deliveries' first.
                await asyncio.sleep(LINGER_S)
            batch, self._queued = self._queued, []
            try:
                await self._write([changes for changes, _ in batch])
            except StorageError as exc:
                log.warning("could not save telegram state (%d deliveries): %s", len(batch), exc)
            except Exception:
                log.exception("could not save telegram state")
            finally:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def flush(self) -> None:
        """Wait until everything queued so far is written."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)


def _poll_from(value: dict[str, Any]) -> PollInfo | None:
    try:
        return PollInfo(
            chat=str(value["chat"]),
            thread=None if value.get("thread") is None else str(value["thread"]),
            message_id=int(value["message_id"]),
            payloads=tuple(str(p) for p in value["payloads"]),
            is_group=bool(value["is_group"]),
            option_ids=tuple(str(o) for o in value.get("option_ids") or ()),
            answered=bool(value.get("answered", False)),
        )
    except (KeyError, TypeError, ValueError):
        log.warning("unreadable telegram poll record: %r", value)
        return None


def _question_from(value: dict[str, Any]) -> SentQuestion | None:
    try:
        return SentQuestion(
            chat_id=int(value["chat_id"]),
            message_id=int(value["message_id"]),
            html=str(value["html"]),
            is_poll=bool(value["is_poll"]),
        )
    except (KeyError, TypeError, ValueError):
        log.warning("unreadable telegram question record: %r", value)
        return None


class TelegramState:
    """Polls, long payloads and sent questions: `platform_state` records behind small caches."""

    def __init__(self, db: Database | None, workspace: str = "default") -> None:
        """Keep records for the bot `workspace` in `db` (None: in this process only)."""
        self.db = db
        self.workspace = workspace
        self._polls: MutableMapping[str, PollInfo] = _cache(db, CACHE_TTL_S)
        self._payloads: MutableMapping[str, str] = _cache(db, CACHE_TTL_S)
        self._questions: MutableMapping[str, SentQuestion] = _cache(db, CACHE_TTL_S)
        self._swept = float("-inf")
        self._writer = _Writer(self._write)

    # -- reads ----------------------------------------------------------------------------

    async def poll(self, poll_id: str) -> PollInfo | None:
        """Where a poll was sent and what its options stand for, or None if unknown."""
        cached = self._polls.get(poll_id)
        if cached is not None:
            return cached
        value = await self._load(POLL, poll_id)
        info = _poll_from(value) if value is not None else None
        if info is not None:
            self._polls[poll_id] = info
        return info

    async def long_payload(self, data: str) -> str | None:
        """The payload behind a short callback data, or None if unknown (or expired)."""
        cached = self._payloads.get(data)
        if cached is not None:
            return cached
        value = await self._load(LONG_PAYLOAD, data)
        payload = value.get("payload") if value is not None else None
        if not isinstance(payload, str):
            return None
        self._payloads[data] = payload
        return payload

    async def question(self, question_id: str) -> SentQuestion | None:
        """Where the message asking `question_id` is, or None if unknown."""
        cached = self._questions.get(question_id)
        if cached is not None:
            return cached
        value = await self._load(QUESTION, question_id)
        sent = _question_from(value) if value is not None else None
        if sent is not None:
            self._questions[question_id] = sent
        return sent

    # -- writes, collected per delivery -----------------------------------------------------

    def remember_poll(self, changes: Changes, poll_id: str, info: PollInfo) -> None:
        """Record a poll we sent."""
        self._polls[poll_id] = info
        changes.ops.append((POLL, poll_id, dataclasses.asdict(info), POLL_TTL))
        changes.urgent = True  # a vote may reach another replica within seconds

    def remember_payload(self, changes: Changes, data: str, payload: str) -> None:
        """Record the long payload behind a short callback data (once: the data is its digest)."""
        if self._payloads.get(data) == payload:
            return
        self._payloads[data] = payload
        changes.ops.append((LONG_PAYLOAD, data, {"payload": payload}, PAYLOAD_TTL))
        changes.urgent = True

    def remember_question(self, changes: Changes, question_id: str, sent: SentQuestion) -> None:
        """Record where the message asking a question is."""
        self._questions[question_id] = sent
        changes.ops.append((QUESTION, question_id, dataclasses.asdict(sent), QUESTION_TTL))

    def forget_question(self, changes: Changes, question_id: str) -> None:
        """The question's message was replaced by its result: nothing to replace any more."""
        self._questions.pop(question_id, None)
        changes.ops.append((QUESTION, question_id, None, QUESTION_TTL))

    async def mark_answered(self, poll_id: str, info: PollInfo) -> None:
        """A group's poll took its first vote; later votes are not the group's answer."""
        answered = dataclasses.replace(info, answered=True)
        changes = Changes()
        self.remember_poll(changes, poll_id, answered)
        await self.save(changes)

    async def save(self, changes: Changes) -> None:
        """Save one delivery's records; wait for the commit only when they are `urgent`.

        A record only this process needs soon (where a question is) is written behind, in the
        next batch; a poll or a long payload is committed before the delivery ends, so a vote
        or a press at another replica finds it. A failure is logged, not raised.
        """
        if self.db is None or not changes:
            return
        done = self._writer.submit(changes)
        if changes.urgent:
            await done

    async def flush(self) -> None:
        """Wait until every record saved so far is committed (at shutdown)."""
        await self._writer.flush()

    async def _write(self, batch: list[Changes]) -> None:
        assert self.db is not None
        now = _now()
        sweep = time.monotonic() - self._swept > SWEEP_INTERVAL_S
        if sweep:
            self._swept = time.monotonic()

        async def write(session: Session) -> None:
            for changes in batch:
                for kind, key, value, ttl in changes.ops:
                    if value is None:
                        await platform_state.drop(session, PLATFORM, self.workspace, kind, key)
                    else:
                        await platform_state.put(
                            session, PLATFORM, self.workspace, kind, key, value, now + ttl
                        )
            if sweep:
                swept = await platform_state.sweep(session, now)
                log.debug("swept %d expired platform_state records", swept)

        await _run(self.db, write)

    async def _load(self, kind: str, key: str) -> dict[str, Any] | None:
        if self.db is None:
            return None
        now = _now()

        async def read(session: Session) -> dict[str, Any] | None:
            return await platform_state.get(session, PLATFORM, self.workspace, kind, key, now)

        try:
            return await _run(self.db, read)
        except StorageError as exc:
            log.warning("could not read telegram %s %s: %s", kind, key, exc)
            return None


@dataclass(frozen=True, slots=True)
class ChatState:
    """Whether a chat can be written to, why not, and where it moved.

    `recorded` is False for a chat with no status row: never refused, but maybe never opened
    either (a group member who never started the bot, whom Telegram will not let it write to).
    """

    active: bool = True
    reason: str | None = None
    migrated_to: str | None = None
    recorded: bool = False


ACTIVE = ChatState()


class ChatStatuses:
    """Chat status (`storage.chat_status`) behind a short-lived cache."""

    def __init__(self, db: Database | None, workspace: str = "default") -> None:
        """Read and record the statuses of the bot `workspace`'s chats in `db` (None: memory)."""
        self.db = db
        self.workspace = workspace
        self._cache: MutableMapping[str, ChatState] = _cache(db, STATUS_TTL_S)
        self._recording: set[str] = set()

    async def get(self, chat: str) -> ChatState:
        """The chat's status; active when nothing was ever recorded (or the database is down)."""
        cached = self._cache.get(chat)
        if cached is not None:
            return cached
        if self.db is None:
            return ACTIVE

        async def read(session: Session) -> chat_status.ChatStatusRow | None:
            return await chat_status.get_status(session, PLATFORM, self.workspace, chat)

        try:
            row = await _run(self.db, read)
        except StorageError as exc:
            log.warning("could not read the status of telegram chat %s: %s", chat, exc)
            return ACTIVE
        state = ACTIVE
        if row is not None:
            state = ChatState(row.active, row.reason, row.migrated_to, recorded=True)
        # What this process recorded while the row was read is newer than the row.
        return self._cache.setdefault(chat, state)

    async def record_opened(self, chat: str) -> None:
        """The user of this private chat wrote to the bot: it may write there from now on.

        Once per chat and process: a burst of messages from a new chat writes one row.
        """
        if chat in self._recording or (await self.get(chat)).recorded:
            return
        self._recording.add(chat)
        try:
            await self.set(chat, active=True, reason=None, record=True)
        finally:
            self._recording.discard(chat)

    async def reachable(self, chat: str) -> bool:
        """True when the bot may write to this private chat: its user opened it, never blocked it.

        Decided from stored state alone, before anything is sent: a user who never started the
        bot has no status row, and a send there would only be refused.
        """
        state = await self.get(chat)
        return state.active and state.recorded

    async def set(
        self,
        chat: str,
        *,
        active: bool,
        reason: str | None,
        migrated_to: str | None = None,
        record: bool = False,
    ) -> None:
        """Record the chat as active again, or inactive with the reason (and where it moved).

        `record` writes a row for an active chat too: its user opened it (a private chat).
        """
        previous = self._cache.get(chat)
        moved = migrated_to or (previous.migrated_to if previous is not None else None)
        recorded = record or not active or moved is not None
        recorded = recorded or (previous is not None and previous.recorded)
        text = None if active else reason or "inactive"
        self._cache[chat] = ChatState(active, text, moved, recorded=recorded)
        if self.db is None:
            return
        now = _now()

        async def write(session: Session) -> None:
            await chat_status.set_status(
                session,
                PLATFORM,
                self.workspace,
                chat,
                active=active,
                reason=reason,
                now=now,
                migrated_to=migrated_to,
                record=record,
            )

        try:
            await _run(self.db, write)
        except StorageError as exc:
            # A known fault (a full disk, a read-only database) with its cause: no traceback.
            log.warning("could not record the status of telegram chat %s: %s", chat, exc)
        else:
            state = "active" if active else "inactive"
            log.info("telegram chat %s is now %s (%s)", chat, state, reason)

    async def migrate(self, old: str, new: str) -> None:
        """The group became a supergroup with a new id: later sends go there."""
        await self.set(old, active=False, reason="migrated", migrated_to=new)

    async def member_changed(self, change: ChatMemberUpdated) -> None:
        """The bot's membership of a chat changed: blocked, removed, started or added."""
        status = change.new_chat_member.status
        chat = str(change.chat.id)
        private = change.chat.type == change.chat.PRIVATE
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            await self.set(chat, active=False, reason="blocked by user" if private else "removed")
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
            # A user who starts the bot: it may write to their private chat from now on.
            await self.set(chat, active=True, reason=None, record=private)

    async def migrated(self, message: Message) -> None:
        """A service message saying the group became a supergroup (from either side)."""
        if message.migrate_to_chat_id:
            old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        else:
            old, new = str(message.migrate_from_chat_id), str(message.chat.id)
        await self.migrate(old, new)
