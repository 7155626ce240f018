"""The broadcast lock: only one process sends the daily posts at a time, so rate limits hold.

`hold()` is an async context manager that tries to become the broadcaster without waiting and
yields whether it did. Claims in the delivery log already prevent double posts; this lock keeps
two replicas from both sending at 25 messages per second on one bot token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.session import guard

log = logging.getLogger(__name__)

# A fixed 64-bit key in PostgreSQL's advisory lock space, derived from a name so it is readable.
ADVISORY_KEY = int.from_bytes(
    hashlib.blake2b(b"termcoach:daily-broadcast", digest_size=8).digest(), "big", signed=True
)


class BroadcastLock(Protocol):
    """Try to become the broadcaster; yields True when this process holds the lock."""

    def hold(self) -> AbstractAsyncContextManager[bool]:
        """Try once, without waiting."""
        ...


class InProcessLock:
    """One broadcaster per process (SQLite serves one process; claims cover the rest)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        """Yield True and hold the lock, or False at once if a pass is already running."""
        if self._lock.locked():
            yield False
            return
        async with self._lock:
            yield True


class PostgresAdvisoryLock:
    """One broadcaster across replicas: ``pg_try_advisory_lock`` on a dedicated connection.

    The lock belongs to the database session, so it is released when the pass ends or when the
    replica dies and its connection drops; the connection runs in autocommit so it never sits
    "idle in transaction" during a long pass.
    """

    def __init__(self, db: Database, key: int = ADVISORY_KEY) -> None:
        self.db = db
        self.key = key
        self._local = asyncio.Lock()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        """Yield True while holding the advisory lock, or False if another session holds it."""
        if self._local.locked():
            yield False
            return
        async with self._local:
            # A database that cannot be reached is the storage layer's `Unavailable`, like
            # any other session's, not a driver error for the caller to guess at.
            with guard():
                raw = await self.db.engine.connect()
            try:
                with guard():
                    conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
                    query = text("SELECT pg_try_advisory_lock(:k)")
                    got = bool(await conn.scalar(query, {"k": self.key}))
                if not got:
                    yield False
                    return
                async with self._held(conn):
                    yield True
            finally:
                await _close_quietly(raw)

    @asynccontextmanager
    async def _held(self, conn: AsyncConnection) -> AsyncIterator[None]:
        """Release the advisory lock when the pass ends; a lost connection released it."""
        try:
            yield
        finally:
            try:
                await conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            except Exception as exc:
                # The connection is closed next (or is already gone), which releases a
                # session lock anyway: one line, no traceback.
                log.warning(
                    "could not release the broadcast lock explicitly (%s); closing its "
                    "connection releases it",
                    type(exc).__name__,
                )


async def _close_quietly(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception as exc:
        log.debug("broadcast lock connection closed with %s", type(exc).__name__)


def broadcast_lock(db: Database) -> BroadcastLock:
    """The right lock for this database: advisory on PostgreSQL, in-process on SQLite."""
    if db.dialect == "postgresql":
        return PostgresAdvisoryLock(db)
    return InProcessLock()
