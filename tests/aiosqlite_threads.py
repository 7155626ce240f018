"""Let aiosqlite's worker threads finish before a test's event loop closes."""

from __future__ import annotations

import asyncio
import threading
import time


def _join_workers(timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))


async def settle_aiosqlite_threads(timeout_s: float = 2.0) -> None:
    """Wait (off the loop) for aiosqlite worker threads that are shutting down.

    A failed `aiosqlite.connect` stops its thread without awaiting it; if the test's loop closed
    first, the thread's last callback would hit a closed loop and pytest would report it.
    """
    await asyncio.to_thread(_join_workers, timeout_s)
