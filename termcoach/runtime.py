"""Wires settings, database, content, engine, adapters and the HTTP server into a running bot."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from sqlalchemy.engine import make_url

from adapters.base import Adapter
from bot.config import Settings
from bot.engine import DialogueEngine
from content.loader import DEFAULT_PACK, load_default_pack
from storage.db import Database
from termcoach.http import build_app
from termcoach.metrics import Metrics

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """The settings cannot work together; the message says what to change."""


def check_settings(settings: Settings) -> None:
    """Refuse combinations that would misbehave at run time."""
    backend = make_url(settings.database_url).get_backend_name()
    if backend == "sqlite" and settings.replicas > 1:
        raise ConfigError(
            f"TERMCOACH_REPLICAS={settings.replicas} needs PostgreSQL: SQLite cannot be shared by "
            "several replicas. Set TERMCOACH_DATABASE_URL=postgresql+asyncpg://... or use 1 replica."
        )
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"unsupported database '{backend}': use sqlite+aiosqlite or postgresql+asyncpg"
        )


@dataclass
class Runtime:
    """Everything a running termcoach holds."""

    settings: Settings
    db: Database
    engine: DialogueEngine
    adapters: list[Adapter] = field(default_factory=list)
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)


async def open_runtime(settings: Settings, migrate: bool = True) -> Runtime:
    """Open the database (applying migrations), load the pack, build the engine."""
    check_settings(settings)
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
    pack = load_default_pack(settings.content_path or DEFAULT_PACK)
    llm = None
    if settings.llm_enabled:
        from bot.roleplay.llm import LlmPersona

        llm = LlmPersona.from_settings(settings)
    engine = DialogueEngine(db=db, pack=pack, settings=settings, llm=llm)
    return Runtime(settings=settings, db=db, engine=engine)


def configured_adapters(runtime: Runtime) -> list[Adapter]:
    """The platform adapters whose credentials are set."""
    settings, engine, db = runtime.settings, runtime.engine, runtime.db
    adapters: list[Adapter] = []
    if settings.telegram_enabled:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter.from_settings(settings, engine, db))
    if settings.slack_enabled:
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter.from_settings(settings, engine, db))
    return adapters


async def run_console(runtime: Runtime, user: str) -> int:
    """The console chat on stdin/stdout."""
    from adapters.console import ConsoleAdapter

    if runtime.settings.log_level.upper() == "INFO":
        # Per-turn INFO lines would interleave with the chat itself; warnings still show.
        logging.getLogger().setLevel(logging.WARNING)
    adapter = ConsoleAdapter(runtime.engine, user=user)
    runtime.adapters = [adapter]
    # The daily term of a console subscription is printed while the chat runs.
    from bot.daily.scheduler import daily_background

    daily = asyncio.create_task(daily_background(runtime)())
    try:
        return await adapter.run()
    finally:
        daily.cancel()
        await asyncio.gather(daily, return_exceptions=True)
        await runtime.db.dispose()


async def serve(settings: Settings, console_user: str = "me") -> int:
    """Run every configured adapter and the HTTP server; the console when none is configured."""
    runtime = await open_runtime(settings)
    runtime.adapters = configured_adapters(runtime)
    if runtime.adapters:
        from bot.daily.scheduler import daily_background

        runtime.background.append(daily_background(runtime))
    if not runtime.adapters:
        print(
            "No Slack or Telegram token is configured, so termcoach starts in the console.",
            file=sys.stderr,
        )
        return await run_console(runtime, console_user)
    metrics = Metrics()
    metrics.install()
    app = build_app(runtime.adapters, runtime.db, extra_routes=[metrics.route()])
    config = uvicorn.Config(
        app, host=settings.http_host, port=settings.http_port, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    started: list[Adapter] = []
    tasks: list[asyncio.Task[None]] = []
    # The HTTP server listens first, so a webhook registered by an adapter's start() can be
    # delivered at once; /readyz says "not ready" until every adapter has started.
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                await serving  # raises why it could not listen (e.g. the port is taken)
                return 1
            await asyncio.sleep(0.05)
        for adapter in runtime.adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter started", adapter.platform)
        tasks = [asyncio.create_task(job()) for job in runtime.background]
        await serving
    finally:
        if not serving.done():
            server.should_exit = True
            await asyncio.gather(serving, return_exceptions=True)
        for task in tasks:
            task.cancel()
        # Let a pass that is still running finish its cancellation before the database closes.
        await asyncio.gather(*tasks, return_exceptions=True)
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform)
        await runtime.db.dispose()
    return 0
