"""The composition root: settings, database, content, engine, adapters and the HTTP server.

This is the one place that reads platform credentials and builds adapters from them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from lemminflect import getAllLemmas
from sqlalchemy.engine import make_url

from adapters.base import Adapter
from adapters.console import ConsoleAdapter
from bot.daily.scheduler import run_scheduler
from bot.daily.service import DailyService
from bot.engine import DialogueEngine
from bot.features import build_engine
from bot.limits import Bucket, FloodGuard
from bot.llm import LlmClient
from bot.outbox import OutboxPolicy
from content.loader import DEFAULT_PACK, load_default_pack
from storage.db import Database
from termcoach.http import build_app
from termcoach.metrics import Metrics
from termcoach.settings import Settings

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
    db = Database(
        settings.database_url,
        connect_timeout_s=settings.db_connect_timeout_s,
        command_timeout_s=settings.db_command_timeout_s,
    )
    if migrate:
        await db.upgrade()
    pack = load_default_pack(settings.content_path or DEFAULT_PACK)
    engine = build_engine(db, pack, config=settings.engine_config, llm=llm_client(settings))
    engine.outbox.policy = OutboxPolicy(
        lease_s=settings.outbox_lease_s, poll_s=settings.outbox_poll_s
    )
    learner = Bucket(burst=settings.flood_burst, per_s=settings.flood_rate)
    engine.flood = FloodGuard(learner, Bucket(burst=2 * learner.burst, per_s=2.5 * learner.per_s))
    return Runtime(settings=settings, db=db, engine=engine)


def llm_client(settings: Settings) -> LlmClient | None:
    """The LLM client when ``TERMCOACH_LLM_*`` are all set, else None."""
    if not settings.llm_enabled or settings.llm_api_key is None:
        return None
    return LlmClient.connect(
        str(settings.llm_base_url),
        settings.llm_api_key.get_secret_value(),
        str(settings.llm_model),
        settings.llm_timeout_s,
    )


def _secret(value: Any) -> str | None:
    return str(value.get_secret_value()) or None if value is not None else None


def telegram_adapter(settings: Settings, engine: DialogueEngine, db: Database) -> Adapter:
    """The Telegram adapter: token, optional webhook URL and secret, API base URL."""
    # Imported when configured: each platform SDK takes a noticeable time to import, and a
    # bot that runs only one platform (or the console) never needs the other.
    from adapters.telegram import TelegramAdapter  # noqa: PLC0415

    token = _secret(settings.telegram_bot_token)
    if token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    if not settings.telegram_webhook_url and settings.replicas > 1:
        # Telegram serves getUpdates to one client at a time; the others get 409 Conflict.
        log.warning(
            "telegram long polling with %d replicas: set TELEGRAM_WEBHOOK_URL", settings.replicas
        )
    return TelegramAdapter.create(
        engine,
        db,
        token=token,
        api_base_url=settings.telegram_api_base_url,
        webhook_url=settings.telegram_webhook_url or None,
        webhook_secret=_secret(settings.telegram_webhook_secret),
        timeout_s=settings.platform_timeout_s,
    )


def slack_adapter(settings: Settings, engine: DialogueEngine, db: Database) -> Adapter:
    """The Slack adapter: one workspace (bot token) or many (OAuth), HTTP or Socket Mode."""
    from adapters.slack import SlackAdapter  # noqa: PLC0415  (see telegram_adapter)

    admins = [a for a in re.split(r"[\s,]+", settings.slack_admins) if a]
    return SlackAdapter(
        engine,
        db,
        signing_secret=_secret(settings.slack_signing_secret) or "",
        bot_token=_secret(settings.slack_bot_token),
        app_token=_secret(settings.slack_app_token),
        client_id=settings.slack_client_id or None,
        client_secret=_secret(settings.slack_client_secret),
        secret_key=_secret(settings.secret_key),
        api_url=settings.slack_api_url,
        admins=admins,
        http_timeout_s=settings.platform_timeout_s,
    )


def configured_adapters(runtime: Runtime) -> list[Adapter]:
    """The platform adapters whose credentials are set."""
    settings, engine, db = runtime.settings, runtime.engine, runtime.db
    adapters: list[Adapter] = []
    if settings.telegram_enabled:
        adapters.append(telegram_adapter(settings, engine, db))
    if settings.slack_enabled:
        adapters.append(slack_adapter(settings, engine, db))
    return adapters


def daily_background(runtime: Runtime) -> Callable[[], Coroutine[Any, Any, None]]:
    """The background job `termcoach run` starts: the scheduler over the runtime's adapters."""

    def start() -> Coroutine[Any, Any, None]:
        service = DailyService(runtime.engine, runtime.adapters)
        return run_scheduler(service, runtime.settings.scheduler_interval_s)

    return start


async def warm_up(engine: DialogueEngine) -> None:
    """Load what the coach would load lazily on a first learner's turn, off the event loop.

    lemminflect reads its lemma tables (about a second of CPU) on first use, which happens
    inside a role-play turn, on the loop: every other conversation and /healthz would wait.
    The judge's grammar checker loads in its own worker thread.
    """
    await asyncio.to_thread(getAllLemmas, "warming")
    judge_warm_up = getattr(engine.services.judge, "warm_up", None)
    if callable(judge_warm_up):
        judge_warm_up()


def _metrics_server(settings: Settings) -> Metrics | None:
    """Prometheus /metrics on a port of its own (TERMCOACH_METRICS_PORT; 0: none)."""
    if not settings.metrics_port:
        return None
    metrics = Metrics()
    metrics.install()
    metrics.serve(settings.metrics_host or settings.http_host, settings.metrics_port)
    return metrics


async def run_console(runtime: Runtime, user: str) -> int:
    """The console chat on stdin/stdout."""
    if runtime.settings.log_level.upper() == "INFO":
        # Per-turn INFO lines would interleave with the chat itself; warnings still show.
        logging.getLogger().setLevel(logging.WARNING)
    adapter = ConsoleAdapter(runtime.engine, user=user)
    runtime.adapters = [adapter]
    # The daily term of a console subscription is printed while the chat runs.
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
        runtime.background.append(daily_background(runtime))
    if not runtime.adapters:
        print(
            "No Slack or Telegram token is configured, so termcoach starts in the console.",
            file=sys.stderr,
        )
        return await run_console(runtime, console_user)
    app = build_app(
        runtime.adapters,
        runtime.db,
        worker=runtime.engine.outbox.worker,
        ready_timeout_s=settings.ready_timeout_s,
    )
    config = uvicorn.Config(
        app, host=settings.http_host, port=settings.http_port, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    metrics_server = _metrics_server(settings)
    await warm_up(runtime.engine)
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
        if metrics_server is not None:
            metrics_server.close()
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
