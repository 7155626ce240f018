"""Telegram adapter throughput beside a bare python-telegram-bot echo bot, on one fake Bot API.

Both runs use the same PTB application settings (`adapters.telegram.build_application`: polling,
concurrent updates, AIORateLimiter with its flood limits off) against the same local fake server
(`tests.fakes.telegram_server.FakeTelegram`): first a bare echo handler, then the real
`TelegramAdapter` with the real engine on a fresh SQLite database, driven by learners who quiz
themselves, answer by number, look terms up and ask for help.
A third run puts the adapter around an echo engine (no database) to show the adapter's own cost,
and a fourth makes that echo engine send as many messages as the real run needed
(`free_engine_ratio`): the ratio an engine that cost nothing would reach.
Handling time is measured per update from the first to the last PTB handler group. The last line
is one JSON object: updates_per_s, bare_ptb_updates_per_s, ratio (target >= 0.7) and p99_ms.

The fake server runs in a child process of its own (`bench/telegram_fake_proc.py`, on an ephemeral
port of 127.0.0.1), started once and used by every run; this process runs only the PTB
applications under test. Real Telegram answers from elsewhere, so the bench measures the bot's own
process as it would be against Telegram. With the fake in the same event loop, its request
handling, HTML checks and JSON answers were charged to the bot in proportion to the Bot API calls
made, so most to the adapter (an answer edits the question into its result and sends the next
question: about 1.7 calls per update against the echo bot's 1.0). Updates are built in the child
before each measurement and queued for getUpdates at once. Each phase line also shows this
process's CPU time per update, which is steadier than wall time on a shared machine.

    .venv/bin/python bench/telegram_throughput.py --updates 1000 --users 50 --rounds 3

The four runs repeat in rounds (bare, adapter+echo, adapter, adapter with a free engine); each
ratio is taken within its round and the medians are reported, as the machine's speed drifts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
# Run as a script, this file's folder comes first on sys.path and this module would shadow the
# `telegram` package; drop the folder and put the project root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from adapters.telegram import (
    SQLITE_CONCURRENT_UPDATES,
    TelegramAdapter,
    build_application,
)
from bench.telegram_fake_proc import FakeTelegramProcess
from bot import observe
from bot.engine import Committed
from bot.features import build_engine
from bot.messages import Inbound, QuizLimits, Reply, TextIn, escape
from bot.outbox import Outbox
from bot.outgoing import Outgoing
from content.loader import load_default_pack
from storage.db import Database
from termcoach.settings import Settings

# What a learner types, in order, over and over: a quiz answered by number, look-ups, help.
SCRIPT = ("/quiz", "1", "2", "3", "4", "1", "concept drift", "/term psi", "/help", "/topics")
CONCURRENCY = SQLITE_CONCURRENT_UPDATES  # what TelegramAdapter.create uses on SQLite
WARMUP = 50
T = TypeVar("T")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Timer:
    """PTB handlers in the first and last groups: per-update handling time and a done count."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}
        self.durations: list[float] = []
        self.done = 0
        self.event = asyncio.Event()
        self.target = 0

    def install(self, app: Application) -> None:
        """Add the timing handlers around the handlers under test (groups -1 and 1)."""

        async def first(update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
            if isinstance(update, Update):
                self.started[update.update_id] = time.perf_counter()

        async def last(update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
            if isinstance(update, Update):
                begun = self.started.pop(update.update_id, None)
                if begun is not None:
                    self.durations.append(time.perf_counter() - begun)
                self.done += 1
                if self.done >= self.target:
                    self.event.set()

        app.add_handler(TypeHandler(Update, first), group=-1)
        app.add_handler(TypeHandler(Update, last), group=1)

    def expect(self, count: int) -> None:
        """Reset and wait for `count` updates next."""
        self.durations.clear()
        self.done = 0
        self.target = count
        self.event.clear()


def make_messages(count: int, users: int, offset: int) -> list[tuple[str, int]]:
    """`count` (text, chat_id) messages from `users` learners, each following SCRIPT, interleaved.

    The fake process turns each into a text update (`FakeTelegram.text_update`).
    """
    messages = []
    for i in range(count):
        user = 10_000 + offset + i % users
        step = (i // users) % len(SCRIPT)
        messages.append((SCRIPT[step], user))
    return messages


def quiet_limiter() -> AIORateLimiter:
    # The fake has no flood limits; throttling would measure the limiter's clock, not the code.
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


async def drive(
    fake: FakeTelegramProcess,
    timer: Timer,
    messages: list[tuple[str, int]],
    timeout_s: float,
    settle: Callable[[], Awaitable[Any]] | None = None,
) -> tuple[float, float]:
    """Queue the updates at once and wait until every one went through the last handler group,
    and (`settle`) until the outbox sent their replies.

    They are built in the fake's process first, outside the measured time. Returns the wall time
    and this process's CPU time (all threads: PTB's, aiosqlite's) in seconds.
    """
    await fake.prepare(messages)
    timer.expect(len(messages))
    started, cpu = time.perf_counter(), time.process_time()
    await fake.release()
    await asyncio.wait_for(timer.event.wait(), timeout_s)
    if settle is not None:
        await asyncio.wait_for(settle(), timeout_s)
    return time.perf_counter() - started, time.process_time() - cpu


@dataclass
class Phase:
    """One measured run: wall time, per-update handling times, Bot API calls made."""

    elapsed: float
    durations: list[float]
    api_calls: int


async def run_phase(
    name: str,
    fake: FakeTelegramProcess,
    app: Application,
    start: Callable[[], Any],
    stop: Callable[[], Any],
    count: int,
    users: int,
    timeout_s: float,
    settle: Callable[[], Awaitable[Any]] | None = None,
) -> Phase:
    """Warm up, then measure `count` updates (until their replies are out, with `settle`)."""
    timer = Timer()
    timer.install(app)
    await start()
    try:
        await drive(fake, timer, make_messages(WARMUP, users, 50_000), timeout_s, settle)
        before = await fake.api_calls()
        messages = make_messages(count, users, 0)
        elapsed, cpu = await drive(fake, timer, messages, timeout_s, settle)
        phase = Phase(elapsed, list(timer.durations), await fake.api_calls() - before)
    finally:
        await stop()
    print(
        f"{name:>12}: {count} updates in {elapsed:.2f}s = {count / elapsed:,.0f}/s, "
        f"p50 {percentile(phase.durations, 50) * 1000:.1f} ms, "
        f"p99 {percentile(phase.durations, 99) * 1000:.1f} ms, "
        f"{phase.api_calls / count:.2f} Bot API calls and {cpu / count * 1000:.2f} ms of this "
        "process's CPU per update"
    )
    return phase


def application(fake: FakeTelegramProcess, concurrency: int) -> Application:
    """The PTB application both runs use: termcoach's settings, flood limits off."""
    return build_application(
        fake.token,
        fake.base_url,
        rate_limiter=quiet_limiter(),
        poll_timeout=1.0,
        concurrent_updates=concurrency,
    )


async def bare(
    fake: FakeTelegramProcess, count: int, users: int, timeout_s: float, concurrency: int
) -> Phase:
    """The baseline: PTB polling with one echo handler, same application settings."""
    app = application(fake, concurrency)

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.text is not None
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))

    async def start() -> None:
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return await run_phase("bare PTB", fake, app, start, stop, count, users, timeout_s)


async def adapter_run(
    fake: FakeTelegramProcess,
    count: int,
    users: int,
    timeout_s: float,
    folder: Path,
    concurrency: int,
) -> tuple[Phase, list[float]]:
    """The real adapter and engine on a fresh, migrated SQLite database."""
    db = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await db.upgrade()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    engine = build_engine(
        db=db, pack=load_default_pack(), rng=random.Random(7), config=settings.engine_config
    )
    turns: list[float] = []
    observe.OBSERVERS.turn.append(lambda _platform, _outcome, seconds: turns.append(seconds))
    app = application(fake, concurrency)
    adapter = TelegramAdapter(engine, db, app, poll_timeout=1.0)
    try:
        phase = await run_phase(
            "adapter",
            fake,
            app,
            adapter.start,
            adapter.stop,
            count,
            users,
            timeout_s,
            engine.outbox.idle,
        )
        return phase, turns[-count:]
    finally:
        await db.dispose()


class EchoEngine:
    """An engine that answers every message with its own text: the adapter's own cost alone.

    With `calls_per_update` above 1 it adds a second message to that share of the updates, so
    the adapter makes as many Bot API calls as around the real engine, at no engine cost.
    """

    def __init__(self, calls_per_update: float = 1.0) -> None:
        self.extra = max(0.0, calls_per_update - 1.0)
        self._owed = 0.0
        self.outbox = Outbox(None)

    commands: ClassVar[list[tuple[str, str]]] = [("help", "what I can do")]

    def command_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.commands)

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Echo the text (or the command) back, as the bare PTB handler does."""
        text = inbound.text if isinstance(inbound, TextIn) else getattr(inbound, "name", "?")
        replies = [Reply(escape(text))]
        self._owed += self.extra
        if self._owed >= 1.0:
            self._owed -= 1.0
            replies.append(Reply("Next question?"))
        return replies

    async def turn(self, inbound: Inbound, deliver: Callable[[list[Reply]], Awaitable[T]]) -> T:
        """The echo's replies handed to the adapter's `deliver`, as the engine does (no lock)."""
        return await deliver(await self.handle(inbound))

    async def commit(self, inbound: Inbound) -> Committed:
        """The echo's replies handed to the outbox's sender, as the engine does (not stored)."""
        replies = await self.handle(inbound)
        self.outbox.kick(Outgoing(None, inbound.ref, tuple(replies), inbound.delivery))
        return Committed(replies, "ok")

    def declare_quiz_limits(self, platform: str, limits: QuizLimits) -> None:
        """The echo asks no quizzes: limits are noted and unused."""


async def echo_adapter_run(
    fake: FakeTelegramProcess,
    count: int,
    users: int,
    timeout_s: float,
    concurrency: int,
    calls_per_update: float = 1.0,
) -> Phase:
    """The real adapter around the echo engine: translation, rendering, sending, no database."""
    app = application(fake, concurrency)
    echo = EchoEngine(calls_per_update)
    adapter = TelegramAdapter(echo, None, app, poll_timeout=1.0)
    name = "adapter+echo" if calls_per_update <= 1.0 else "adapter+echo, real call count"
    return await run_phase(
        name, fake, app, adapter.start, adapter.stop, count, users, timeout_s, echo.outbox.idle
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000, help="updates per run")
    parser.add_argument("--users", type=int, default=50, help="distinct learners (chats)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run at most")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="PTB concurrent_updates, both runs"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the four runs; figures are medians"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    logging.basicConfig(level=logging.WARNING)

    n = args.updates
    rounds: list[dict[str, float]] = []
    durations: list[float] = []
    turns: list[float] = []
    async with FakeTelegramProcess() as fake:
        # The four runs repeat in rounds: this machine's speed drifts by tens of percent within
        # a minute, so each ratio is taken within one round and the medians are reported.
        for _ in range(args.rounds):
            base = await bare(fake, n, args.users, args.timeout, args.concurrency)
            echo = await echo_adapter_run(fake, n, args.users, args.timeout, args.concurrency)
            with tempfile.TemporaryDirectory() as tmp:
                real, real_turns = await adapter_run(
                    fake, n, args.users, args.timeout, Path(tmp), args.concurrency
                )
            # The ceiling: the adapter making the real run's Bot API calls around a free engine.
            ceiling = await echo_adapter_run(
                fake,
                n,
                args.users,
                args.timeout,
                args.concurrency,
                calls_per_update=real.api_calls / n,
            )
            durations += real.durations
            turns += real_turns
            rounds.append(
                {
                    "rate": n / real.elapsed,
                    "bare_rate": n / base.elapsed,
                    "ratio": base.elapsed / real.elapsed,
                    "echo_rate": n / echo.elapsed,
                    "echo_ratio": base.elapsed / echo.elapsed,
                    "free_ratio": base.elapsed / ceiling.elapsed,
                    "calls": real.api_calls / n,
                    "bare_calls": base.api_calls / n,
                    "free_calls": ceiling.api_calls / n,
                }
            )
            print(f"round {len(rounds)}: ratio {rounds[-1]['ratio']:.3f}", flush=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    result = {
        "updates": n,
        "users": args.users,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "updates_per_s": round(median("rate"), 1),
        "bare_ptb_updates_per_s": round(median("bare_rate"), 1),
        "ratio": round(median("ratio"), 3),
        "p50_ms": round(percentile(durations, 50) * 1000, 2),
        "p99_ms": round(percentile(durations, 99) * 1000, 2),
        # Where the time goes: the engine's own turn time, the Bot API calls its replies need,
        # and the adapter around a do-nothing engine (translation and rendering alone).
        "engine_turn_p50_ms": round(percentile(turns, 50) * 1000, 2),
        "api_calls_per_update": round(median("calls"), 2),
        "bare_api_calls_per_update": round(median("bare_calls"), 2),
        "adapter_echo_updates_per_s": round(median("echo_rate"), 1),
        "adapter_echo_ratio": round(median("echo_ratio"), 3),
        # With the real engine's Bot API calls but no engine work: the most `ratio` can reach.
        "free_engine_ratio": round(median("free_ratio"), 3),
        "free_engine_api_calls_per_update": round(median("free_calls"), 2),
        "fake_server": "separate process",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
