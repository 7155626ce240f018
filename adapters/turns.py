"""The turn machinery every adapter shares: the engine contract, turn runner, command menu.

An adapter translates a platform event to an `Inbound` (with its own delivery context), then
`TurnRunner.commit` has the engine run the turn, store its replies in the outbox in the turn's
transaction and hand them to the outbox's sender, which shows them through the adapter's
courier (`deliver_stored`), each conversation's in order. `TurnRunner.run` is the direct path
(the console): the replies go to a `deliver` function under the conversation's lock. No adapter
keeps a lock, a redelivery check or a command list of its own: the engine has them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from bot.engine import Committed
from bot.messages import Inbound, QuizLimits, Reply
from bot.outbox import Outbox
from bot.overview import Overview

log = logging.getLogger(__name__)

T = TypeVar("T")
_MENU_NAME = re.compile(r"[a-z0-9_]{1,32}")


class Engine(Protocol):
    """What adapters need from the dialogue engine (`bot.engine.DialogueEngine`)."""

    @property
    def commands(self) -> list[tuple[str, str]]:
        """(name, summary) of every visible command, for platform command menus."""
        ...

    def command_names(self) -> frozenset[str]:
        """Every word that works as a command."""
        ...

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Run one turn and return its replies."""
        ...

    async def turn(self, inbound: Inbound, deliver: Callable[[list[Reply]], Awaitable[T]]) -> T:
        """Run one turn and deliver its replies under the conversation's lock."""
        ...

    async def commit(self, inbound: Inbound) -> Committed:
        """Run one turn whose replies go through the outbox (sent after the commit)."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The sender of stored replies; adapters register their courier with it."""
        ...

    async def overview(self, learner_key: tuple[str, str, str]) -> Overview:
        """A learner's progress, today's term and next meeting, outside a turn."""
        ...

    def declare_quiz_limits(self, platform: str, limits: QuizLimits) -> None:
        """Record how long a native quiz's parts may be on `platform`."""
        ...


# The menu in the order people use it: practice first, then what they check, then help.
MENU_ORDER = ("quiz", "term", "review", "roleplay", "daily", "stats", "settings", "help", "cancel")
# In a group the menu is shorter: what a group does together, and what it needs to run it.
GROUP_MENU = ("quiz", "term", "daily", "help", "cancel")
# What a platform shows before the first message ("What can this bot do?") and in the bot's
# profile; Telegram allows 512 and 120 characters.
DESCRIPTION = (
    "termcoach helps you with the English of ML platform engineering: feature stores, model "
    "registries, drift, experiment tracking, inference and governance.\n\n"
    "Short quizzes with spaced review, a term card a day, and role-plays where you explain a "
    "topic to a product manager, a VP or an SRE and get feedback. Press Start to begin."
)
SHORT_DESCRIPTION = "The English of ML platform work: quizzes, a term a day and meeting role-plays."


def command_menu(
    engine: Engine, limit: int = 100, order: tuple[str, ...] = MENU_ORDER
) -> list[tuple[str, str]]:
    """The engine's menu commands named in `order`, in that order: summaries cut to 256.

    A name the engine does not have is left out, so the menu never offers a dead command.
    """
    summaries = {
        name: (summary or name)[:256]
        for name, summary in engine.commands
        if _MENU_NAME.fullmatch(name)
    }
    return [(name, summaries[name]) for name in order if name in summaries][:limit]


class TurnRunner:
    """Runs an adapter's turns, inline or as tracked background tasks, and drains them on stop."""

    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = engine
        self.platform = platform
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, inbound: Inbound, deliver: Callable[[list[Reply]], Awaitable[T]]) -> T:
        """One turn: the engine's replies handed to `deliver` under the conversation's lock."""
        started = time.perf_counter()
        try:
            return await self.engine.turn(inbound, deliver)
        finally:
            log.debug(
                "%s turn done",
                self.platform,
                extra={
                    "platform": self.platform,
                    "conversation": inbound.ref.key,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                },
            )

    async def commit(self, inbound: Inbound) -> Committed:
        """One turn, its replies stored in the outbox and sent after the commit by the outbox.

        Returns once the turn committed: a webhook can answer at once, and sending, retrying
        and pacing are the outbox's business from here.
        """
        started = time.perf_counter()
        try:
            return await self.engine.commit(inbound)
        finally:
            log.debug(
                "%s turn committed",
                self.platform,
                extra={
                    "platform": self.platform,
                    "conversation": inbound.ref.key,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                },
            )

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `work` in a background task that is tracked until it ends; errors are logged."""

        async def guarded() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: a background turn failed", self.platform)

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def pending(self) -> int:
        """How many background turns are still running."""
        return len(self._tasks)

    async def drain(self, seconds: float | None = None) -> None:
        """Wait until every background turn started so far (and any it started) has ended."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while self._tasks:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            await asyncio.wait(set(self._tasks), timeout=remaining)

    async def stop(self, grace_s: float) -> None:
        """Let running turns finish for `grace_s` seconds, then cancel the rest."""
        await self.drain(grace_s)
        pending = list(self._tasks)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
