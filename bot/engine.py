"""The dialogue engine: one entry point, `handle(inbound) -> list[Reply]`, for every platform."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from bot import observe
from bot.clock import Clock, SystemClock
from bot.coach.judge import Judge
from bot.commands import CommandRegistry, normalize_command, unknown_command
from bot.config import EngineConfig
from bot.context import Activity, Services, TurnContext
from bot.freetext import free_text
from bot.handoff import continue_in_private, stays_here
from bot.limits import SLOW_DOWN, FloodGuard, Verdict
from bot.locks import KeyLocks
from bot.messages import (
    ChoiceIn,
    CommandIn,
    Inbound,
    QuizLimits,
    Reply,
    TextIn,
    clean_text,
)
from bot.outbox import Outbox
from bot.outcome import (
    BUSY,
    DB_CAUSES,
    DB_DOWN,
    INTERNAL_ERROR,
    Committed,
    TurnResult,
    scrub,
)
from bot.outgoing import Outgoing
from bot.overview import Overview, overview
from bot.roleplay.llm import PersonaModel
from content.index import PackIndex
from content.models import Pack
from storage import turns
from storage.db import Database
from storage.errors import Busy, Conflict, StorageError, Unavailable
from storage.session import Session

# DB_DOWN and INTERNAL_ERROR are named here too: tests and callers import them from the engine.
__all__ = ["DB_DOWN", "INTERNAL_ERROR", "Committed", "DialogueEngine"]

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_ARGS = 300
MAX_CONFLICT_RETRIES = 40
# Message ids remembered per conversation. Platforms redeliver within minutes (Slack retries at
# once, after 1 and after 5 minutes; Telegram until acknowledged), long before 100 newer messages.
RECENT_IDS = 100

T = TypeVar("T")
Deliver = Callable[[list[Reply]], Awaitable[T]]


class DialogueEngine:
    """Runs one turn per inbound message: load state, drop redeliveries, route, save (versioned).

    It never sends anything itself; proactive messages are built here and sent by adapters.
    """

    def __init__(
        self,
        db: Database,
        pack: Pack | PackIndex,
        features: CommandRegistry,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        judge: Judge,
        quick_judge: Judge | None = None,
        config: EngineConfig | None = None,
        llm: PersonaModel | None = None,
    ) -> None:
        self.db = db
        self.pack = pack if isinstance(pack, PackIndex) else PackIndex(pack)
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.config = config or EngineConfig()
        self.llm = llm
        self.features = features
        self.services = Services(
            pack=self.pack,
            features=features,
            config=self.config,
            run_command=self.run_command,
            judge=judge,
            quick_judge=quick_judge or judge,
            llm=llm,
        )
        self._locks = KeyLocks()
        # Platform turns store their replies here and it sends them (`commit`).
        self.outbox = Outbox(db)
        self.flood = FloodGuard()

    def declare_quiz_limits(self, platform: str, limits: QuizLimits) -> None:
        """Record how long a native quiz's parts may be on `platform` (its adapter says)."""
        self.services.quiz_limits[platform] = limits

    @property
    def commands(self) -> list[tuple[str, str]]:
        """(name, summary) of every visible command, for platform command menus."""
        return [(s.name, s.summary) for s in self.features.visible() if s.in_menu]

    def command_names(self) -> frozenset[str]:
        """Every word that works as a command (names, aliases, an activity's own commands)."""
        return self.features.names()

    async def overview(self, learner_key: tuple[str, str, str]) -> Overview:
        """A learner's overview outside a turn (a dashboard), by (platform, workspace, user)."""
        async with self.db.session() as session:
            learner = await turns.find_learner(session, learner_key)
            return await overview(session, self.pack, learner, self.clock.now())

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one inbound message and return the replies; never raises for bad input."""
        return await self.turn(inbound, _as_is)

    async def turn(self, inbound: Inbound, deliver: Deliver[T]) -> T:
        """Run one turn and hand its replies to `deliver`, all under the conversation's lock.

        For the console and tests: replies go straight to `deliver`, inside the lock, so one
        conversation's replies leave in the order its messages came in. Platform adapters use
        `commit`, whose replies go through the outbox.
        """
        inbound = scrub(inbound)
        async with self._locks.hold(inbound.ref.key):
            result = await self._guarded(inbound)
            replies = result.replies
            for command in result.handovers:
                # The other conversation (the presser's private chat) is its own turn: loaded,
                # versioned and saved on its own. Never a group: no lock-order cycle.
                async with self._locks.hold(command.ref.key):
                    more = await self._guarded(command)
                replies += [dataclasses.replace(r, private=True) for r in more.replies]
            return await deliver(replies)

    async def commit(self, inbound: Inbound) -> Committed:
        """Run one platform turn, its replies stored in the outbox in the turn's transaction.

        `self.outbox` sends them after the commit, through the adapter's courier.

        A flood is cut short first (`FloodGuard`): one "slow down" reply, then nothing, with no
        lock taken and no database touched. A redelivered message whose turn already ran hands
        its undelivered replies back to the outbox instead of running again.
        """
        inbound = scrub(inbound)
        ref = inbound.ref
        verdict = self.flood.admit(ref.learner_key, ref.key)
        if verdict is Verdict.DROP:
            observe.turn_handled(ref.platform, "limited", 0.0)
            return Committed([], "limited")
        async with self._locks.hold(ref.key):
            if verdict is Verdict.WARN:
                log.info("flood from %s: asked to slow down", ref.key)
                result = await self._guarded(inbound, store=inbound, canned=[Reply(SLOW_DOWN)])
            else:
                result = await self._guarded(inbound, store=inbound)
            await self._dispatch(inbound, result)
            for command in result.handovers:
                # Stored as the private conversation's own replies, shown there in its order;
                # the platform turn's own replies are this conversation's alone.
                async with self._locks.hold(command.ref.key):
                    more = await self._guarded(command, store=command)
                await self._dispatch(command, more)
        return Committed(list(result.replies), result.outcome)

    async def _dispatch(self, inbound: Inbound, result: TurnResult) -> None:
        """After the commit, still under the lock (so in order): hand the batch to the sender."""
        if result.stored is not None:
            self.outbox.kick(result.stored)
        if result.resend:
            await self.outbox.take_over(result.resend)
        if result.failed:
            self.outbox.send_direct(inbound.ref, result.replies, inbound.delivery)

    async def _guarded(
        self,
        inbound: Inbound,
        *,
        store: Inbound | None = None,
        canned: list[Reply] | None = None,
    ) -> TurnResult:
        started = time.perf_counter()
        outcome = "ok"
        reconnects = 0
        try:
            for _attempt in range(MAX_CONFLICT_RETRIES):
                try:
                    result = await self._turn(inbound, store, canned)
                    outcome = result.outcome if outcome == "ok" else outcome
                    return result
                except Conflict:
                    # Another process changed this conversation first: run the turn again
                    # on fresh state (the whole transaction was rolled back).
                    outcome = "conflict"
                    await asyncio.sleep(self.rng.uniform(0.001, 0.01))
                except Busy:
                    # SQLite is busy with another writer (inline sessions fail fast rather
                    # than block the loop): yield so it can finish, then try again.
                    outcome = "busy_retry"
                    await asyncio.sleep(self.rng.uniform(0.005, 0.05))
                except Unavailable as exc:
                    if not exc.reconnect or reconnects >= 2:
                        raise
                    # A pooled connection died (a database restart) or was dropped after an
                    # error: try a fresh one, twice at most.
                    reconnects += 1
                    outcome = "reconnect"
            outcome = "busy"
            return TurnResult([Reply(BUSY, kind="error")], failed=True, outcome=outcome)
        except StorageError as exc:
            outcome = "db_error"
            cause = exc.cause if isinstance(exc, Unavailable) else "other"
            log.warning("database unavailable during a turn (%s): %s", cause, exc)
            text = DB_CAUSES.get(cause, DB_CAUSES["other"])
            return TurnResult([Reply(text, kind="error")], failed=True, outcome=outcome)
        except Exception:
            outcome = "error"
            log.exception("turn failed for %s", inbound.ref.platform)
            return TurnResult([Reply(INTERNAL_ERROR, kind="error")], failed=True, outcome=outcome)
        finally:
            elapsed = time.perf_counter() - started
            observe.turn_handled(inbound.ref.platform, outcome, elapsed)
            if log.isEnabledFor(logging.INFO):
                # Structured fields only: never the message text or tokens.
                log.info(
                    "turn %s",
                    outcome,
                    extra={
                        "request_id": inbound.message_id,
                        "platform": inbound.ref.platform,
                        "conversation": inbound.ref.key,
                        "outcome": outcome,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )

    async def _turn(
        self,
        inbound: Inbound,
        store: Inbound | None = None,
        canned: list[Reply] | None = None,
    ) -> TurnResult:
        """One transaction; with `store`, its replies are written to the outbox before the commit.

        `store` is the platform message this turn answers: its conversation and delivery context
        are where the replies go.
        """
        if canned is not None and store is not None:
            async with self.db.turn_session() as session:
                stored = await self._store(session, store, canned)
            return TurnResult(canned, stored=stored, outcome="slowed")
        now = self.clock.now()
        ref = inbound.ref
        async with self.db.turn_session() as session:
            learner, conv = await turns.load_turn(
                session,
                ref.key,
                ref.learner_key,
                ref.chat,
                ref.thread,
                now,
                inbound.display_name,
                self.config.default_timezone,
            )
            message_id = (inbound.message_id or "")[:120]
            if message_id and message_id in conv.recent_ids:
                resend: list[int] = []
                if store is not None:
                    # Its turn ran and committed; what it stored and nobody delivered yet goes
                    # out now (its sender may have died between the commit and the send).
                    resend = await self.outbox.undelivered(session, store.ref.key, message_id)
                log.debug("redelivered message %s (%d batches unsent)", message_id, len(resend))
                return TurnResult([], resend=resend, outcome="duplicate")
            recent = conv.recent_ids
            if message_id:
                recent = [*recent, message_id][-RECENT_IDS:]
            state = dict(conv.state)
            ctx = TurnContext(
                services=self.services,
                session=session,
                inbound=inbound,
                learner=learner,
                state=state,
                now=now,
                rng=random.Random(self.rng.getrandbits(64)),
            )
            replies: list[Reply] = []
            if ctx.activity and conv.pack_version and conv.pack_version != self.pack.version:
                ctx.clear_activity()
                replies.append(
                    Reply(
                        "The course content was updated, so I ended your previous activity. "
                        "Your progress is saved. Start again any time.",
                    )
                )
            replies.extend(await self._route(ctx, inbound))
            # Every turn bumps the version, even when the state did not change: a turn also reads
            # learner data (seen terms, cards), and two replicas handling one conversation at
            # once must not both act on the same snapshot. The loser retries on fresh data.
            await turns.save_conversation(session, conv, state, self.pack.version, now, recent)
            if not replies and not ctx.handovers:
                replies = [Reply("Done.")]
            stored = await self._store(session, store, replies) if store is not None else None
            return TurnResult(replies, ctx.handovers, stored=stored)

    async def _store(
        self, session: Session, store: Inbound, replies: list[Reply]
    ) -> Outgoing | None:
        if not replies:
            return None
        return await self.outbox.store(
            session,
            store.ref,
            replies,
            message_id=store.message_id,
            delivery=store.delivery,
        )

    async def _route(self, ctx: TurnContext, inbound: Inbound) -> list[Reply]:
        if isinstance(inbound, CommandIn):
            return await self.run_command(ctx, inbound)
        if isinstance(inbound, ChoiceIn):
            return await self._choice(ctx, inbound)
        if isinstance(inbound, TextIn):
            return await self._text(ctx, inbound)
        return [Reply("I can't read that kind of message yet. Type /help to see what I can do.")]

    async def run_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """Route a command: to the running activity if it owns it, else to the registry."""
        name = normalize_command(command.name)
        args = clean_text(command.args)[:MAX_ARGS]
        command = CommandIn(
            ref=command.ref,
            message_id=command.message_id,
            name=name,
            args=args,
            is_group=command.is_group,
            is_admin=command.is_admin,
        )
        running = self.features.activity(ctx.activity or "")
        if running and name in running.own_commands:
            return await running.on_command(ctx, command)
        spec = self.features.get(name)
        if spec is None:
            return [unknown_command(self.features, name)]
        if not stays_here(ctx, spec):
            # Before any running activity is touched: the shared chat's state is left alone.
            return continue_in_private(ctx, spec, args)
        prefix: list[Reply] = []
        if running and spec.name == "cancel":
            return await running.end(ctx, "cancelled")
        if running and spec.keeps_activity:
            note = (
                f"Your {running.title or running.name} is still running: go on when you are "
                "ready, or type /cancel to stop it."
            )
            # Without their buttons: a number typed next must answer the activity, not pick
            # from this side menu (the console numbers buttons), and a press would end it.
            shown = [dataclasses.replace(r, choices=()) for r in await spec.handler(ctx, args)]
            last = shown[-1] if shown else None
            if last is None or last.image is not None or last.native_quiz is not None:
                return [*shown, Reply(note)]
            # One message, not two: the note closes the reply it belongs to.
            return [*shown[:-1], dataclasses.replace(last, text=f"{last.text}\n\n_{note}_")]
        if running:
            prefix = await running.end(ctx, "interrupted")
        elif ctx.activity and not running:
            ctx.clear_activity()
        return prefix + await spec.handler(ctx, args)

    async def _choice(self, ctx: TurnContext, choice: ChoiceIn) -> list[Reply]:
        payload = choice.payload[:200]
        running = self.features.activity(ctx.activity or "")
        owner = self.features.activity_for_payload(payload)
        if owner is not None:
            if running is owner:
                return await owner.on_input(ctx, choice)
            return await owner.on_stale_choice(ctx, payload)
        head, _, rest = payload.partition(":")
        action = self.features.actions.get(head)
        if action is not None:
            return await action(ctx, rest)
        return [Reply("That button has expired. Type /help to see what you can do.")]

    async def _text(self, ctx: TurnContext, message: TextIn) -> list[Reply]:
        raw = message.text
        if len(raw) > 2 * MAX_TEXT:
            return [
                Reply(
                    f"That message is too long for me ({len(raw):,} characters). "
                    f"Please keep it under {MAX_TEXT:,} characters.",
                    kind="error",
                )
            ]
        text = clean_text(raw)[: 2 * MAX_TEXT]
        if text.startswith("/") and len(text) > 1:
            name, _, args = text[1:].partition(" ")
            return await self.run_command(
                ctx, CommandIn(ref=message.ref, message_id=message.message_id, name=name, args=args)
            )
        running = self.features.activity(ctx.activity or "")
        if running is not None:
            return await self._to_activity(ctx, running, message, text)
        if ctx.activity:
            ctx.clear_activity()
        return await free_text(ctx, self.features, message, text)

    async def _to_activity(
        self, ctx: TurnContext, running: Activity, message: TextIn, text: str
    ) -> list[Reply]:
        """Text while an activity runs: its own command, a stop word, a look-up, or an answer."""
        word = text.lower()
        if word in running.own_commands:
            return await running.on_command(ctx, CommandIn(ref=message.ref, name=word))
        if word in {"cancel", "stop", "quit", "exit"}:
            return await running.end(ctx, "cancelled")
        spec = self.features.get(word)
        if spec is not None and spec.keeps_activity and not message.is_group:
            # "stats" or "help" typed in a DM (Slack DMs have no /commands) is a look-up,
            # not an answer; it leaves the quiz running.
            return await self.run_command(
                ctx, CommandIn(ref=message.ref, message_id=message.message_id, name=word)
            )
        if not text:
            return [Reply("I got an empty message. Type your answer, or /cancel to stop.")]
        cleaned = TextIn(
            ref=message.ref,
            message_id=message.message_id,
            text=text,
            is_group=message.is_group,
            is_admin=message.is_admin,
        )
        return await running.on_input(ctx, cleaned)

    def now(self) -> datetime:
        """The engine's current time (its injected clock)."""
        return self.clock.now()


async def _as_is(replies: list[Reply]) -> list[Reply]:
    return replies
