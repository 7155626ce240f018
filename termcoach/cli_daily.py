"""``termcoach daily``: list subscriptions, preview the terms of a day, run one delivery pass."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bot.clock import Clock, SystemClock
from bot.daily.schedule import schedule_of
from bot.daily.service import DailyService, PassReport, Policy, ProgressFn
from bot.daily.views import list_subscriptions, preview_terms
from bot.pacing import Pacer, PacingRules
from content.index import PackIndex
from content.loader import DEFAULT_PACK, load_default_pack
from storage.db import Database
from termcoach.logs import setup_logging
from termcoach.runtime import ConfigError, configured_adapters, open_runtime
from termcoach.settings import Settings

app = typer.Typer(
    help="The daily term: subscriptions, previews, and one delivery pass.", no_args_is_help=True
)


def _settings() -> Settings:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_format)
    return settings


def _fail(message: str) -> None:
    typer.echo(f"termcoach: {message}", err=True)
    raise typer.Exit(1)


def _local(when: datetime, timezone: str) -> str:

    return when.astimezone(ZoneInfo(timezone)).strftime("%a %Y-%m-%d %H:%M")


@app.command("list")
def list_command() -> None:
    """Every subscription: where, when, whether active, its next post and its last delivery."""
    settings = _settings()

    async def main() -> list[Any]:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await list_subscriptions(db, SystemClock().now())
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    if not rows:
        typer.echo("No subscriptions yet. In a chat, type: /daily on")
        return
    table = Table(title=f"{len(rows)} daily-term subscriptions")
    for column in ("id", "where", "schedule", "status", "next post (local)", "last delivery"):
        table.add_column(column)
    for row in rows:
        sub = row.sub
        where = f"{sub.platform} {sub.workspace}/{sub.chat}" + (
            f" #{sub.thread_key}" if sub.thread_key else ""
        )
        status = "active" if sub.active else f"off: {sub.inactive_reason or ''}"
        nxt = _local(row.next_post, sub.timezone) if row.next_post else "-"
        last = "-"
        if row.last is not None:
            last = f"{row.last.local_date} {row.last.status} {row.last.term_id}"
            if row.last.error and row.last.status != "sent":
                last += f" ({row.last.error[:60]})"
        table.add_row(str(sub.id), where, schedule_of(sub).describe(), status, nxt, last)
    Console().print(table)


@app.command("preview")
def preview_command(
    day: Annotated[
        str | None,
        typer.Option("--date", help="Local date YYYY-MM-DD (default: each subscription's today)."),
    ] = None,
) -> None:
    """Which term each active subscription gets on a day."""
    settings = _settings()
    target: date | None = None
    if day is not None:
        try:
            target = date.fromisoformat(day)
        except ValueError:
            _fail(f"--date must look like 2026-01-05, not “{day}”")
    pack = PackIndex(load_default_pack(settings.content_path or DEFAULT_PACK))

    async def main() -> list[Any]:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await preview_terms(db, pack, target, SystemClock().now())
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    if not rows:
        typer.echo("No active subscriptions.")
        return
    table = Table(title=f"Daily terms for {target or 'today'}")
    for column in ("id", "where", "date", "term", "note"):
        table.add_column(column)
    for row in rows:
        sub = row.sub
        term = pack.terms[row.term_id].term if row.term_id in pack.terms else (row.term_id or "-")
        table.add_row(str(sub.id), f"{sub.platform} {sub.chat}", str(row.day), term, row.note)
    Console().print(table)


async def open_for_sending(adapter: Any) -> None:
    """Make an adapter able to `send()` without receiving anything (no polling, no socket).

    An adapter that needs a start for that offers ``start_sending()`` (Telegram logs in with
    getMe but does not poll, so a running bot's long polling is not disturbed); Slack's web
    client needs no start at all.
    """
    hook = getattr(adapter, "start_sending", None)
    if hook is not None:
        await hook()


async def close_after_sending(adapter: Any) -> None:
    """Undo `open_for_sending`: ``stop_sending()`` when the adapter offers it, else `stop()`."""
    hook = getattr(adapter, "stop_sending", None)
    if hook is not None:
        await hook()
        return
    await adapter.stop()


async def run_due_once(
    settings: Settings,
    *,
    clock: Clock | None = None,
    policy: Policy | None = None,
    rules: Mapping[str, PacingRules] | None = None,
    progress: ProgressFn | None = None,
) -> PassReport | None:
    """One pass with the real adapters from `settings`; None when no platform is configured."""
    runtime = await open_runtime(settings)
    try:
        adapters = configured_adapters(runtime)
        if not adapters:
            return None
        opened = []
        try:
            for adapter in adapters:
                await open_for_sending(adapter)
                opened.append(adapter)
            service = DailyService(
                runtime.engine,
                adapters,
                pacer=Pacer(rules) if rules is not None else None,
                clock=clock or runtime.engine.clock,
                policy=policy,
            )
            return await service.run_pass(progress)
        finally:
            for adapter in reversed(opened):
                try:
                    await close_after_sending(adapter)
                except Exception as exc:  # closing must not hide the pass's outcome
                    typer.echo(f"termcoach: closing {adapter.platform} failed: {exc}", err=True)
    finally:
        await runtime.db.dispose()


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressFn | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("daily term"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("send", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command("run-due")
def run_due_command() -> None:
    """One delivery pass now (for cron or a Kubernetes CronJob instead of the in-process job)."""
    settings = _settings()
    try:
        with _progress_bar(sys.stdout.isatty()) as progress:
            report = asyncio.run(run_due_once(settings, progress=progress))
    except ConfigError as exc:
        _fail(str(exc))
        return
    if report is None:
        _fail(
            "no platform is configured, so there is nothing to send with: "
            "set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN"
        )
        return
    typer.echo(f"daily pass: {report.summary()}")
    if report.errors:
        raise typer.Exit(1)
