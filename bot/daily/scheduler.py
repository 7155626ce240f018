"""The in-process scheduler: one APScheduler 3 interval job that runs a daily pass.

No job per subscription: the job only asks "what is due now?" and the delivery log decides the
rest, so restarts, replicas and ``termcoach daily run-due`` from a CronJob cannot double-post.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.daily.service import DailyService
from storage.errors import StorageError

log = logging.getLogger(__name__)

JOB_ID = "termcoach-daily-pass"


def build_scheduler(
    service: DailyService, interval_s: int, running: set[asyncio.Task[Any]] | None = None
) -> AsyncIOScheduler:
    """An AsyncIOScheduler with the one interval job; the first pass runs at once.

    `running` collects the task of a pass in progress, so the owner can cancel and await it on
    shutdown (APScheduler's ``shutdown(wait=False)`` leaves running coroutine jobs alone).
    """
    if not 1 <= interval_s <= 30:
        raise ValueError("the daily pass must run at least every 30 seconds")
    tasks = running if running is not None else set()

    async def job() -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        try:
            await service.run_pass()
        except asyncio.CancelledError:
            # Only our shutdown cancels a pass. Ending normally keeps APScheduler from logging
            # it as a failed job; the claimed post comes back when its lease runs out.
            log.info("daily pass stopped by shutdown")
        except StorageError as exc:
            # The database is read-only, busy or gone for a moment: a known fault, said in one
            # line (/readyz shows it too). The next pass resumes whatever this one claimed.
            log.warning("daily pass stopped: the database is unavailable (%s)", exc)
        except Exception:
            # Keep the job alive: the next pass resumes whatever this one left claimed.
            log.exception("daily pass failed")
        finally:
            if task is not None:
                tasks.discard(task)

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        job,
        "interval",
        seconds=interval_s,
        id=JOB_ID,
        # A pass that runs long (a large broadcast) is not started twice, and missed ticks
        # collapse into one run instead of a burst.
        max_instances=1,
        coalesce=True,
        misfire_grace_time=interval_s,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


# How long shutdown lets a daily pass in progress finish before cancelling it.
PASS_FINISH_S = 5.0


async def run_scheduler(
    service: DailyService, interval_s: int, finish_s: float = PASS_FINISH_S
) -> None:
    """Run the scheduler until cancelled, then stop it.

    A pass in progress may finish for up to `finish_s` seconds before it is cancelled.

    A cancelled pass leaves its current post claimed; the lease brings it back after a restart.
    """
    running: set[asyncio.Task[Any]] = set()
    scheduler = build_scheduler(service, interval_s, running)
    scheduler.start()
    log.info("daily scheduler started (every %d s)", interval_s)
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        if running:
            # Cancelling a pass inside a database call makes SQLAlchemy terminate the aiosqlite
            # connection half-way, and closing it can then wait forever: the process hung at
            # exit. A pass takes milliseconds unless a platform is slow, so let it finish.
            _, late = await asyncio.wait(list(running), timeout=finish_s)
            for task in late:
                task.cancel()
            if late:
                # Let the pass unwind (close its sessions) before the database is disposed.
                await asyncio.wait(late, timeout=10)
