"""The database: an async SQLAlchemy engine (SQLite in WAL mode, or PostgreSQL) and its sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import storage.sqlite_onehop
from storage import health
from storage.errors import Unavailable
from storage.session import ConnectionSession, InlineSession, Session, guard

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: how long to wait for a connection, and for one statement, before giving up.
CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 10.0
# Inline turn sessions block the event loop while SQLite waits for a lock, so they wait only
# briefly and the engine retries the turn after yielding (another coroutine may hold the lock).
SQLITE_INLINE_BUSY_MS = 20


def _inline_pragmas(dbapi_conn: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_conn, record)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={SQLITE_INLINE_BUSY_MS}")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout waits instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(
    url: str,
    *,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
    command_timeout_s: float = COMMAND_TIMEOUT_S,
    **kwargs: Any,
) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL mode and a busy timeout on every connection.

    PostgreSQL gets a connect timeout, a per-statement timeout (on the client, so a server that
    accepts connections but never answers cannot hang a turn) and a pool checkout timeout.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.get_driver_name() == "aiosqlite":
            parsed = parsed.set(drivername=storage.sqlite_onehop.DRIVERNAME)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip on every checkout. A connection that died with a
    # server restart fails once, is invalidated, and the engine reruns the turn on a new one.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_timeout", connect_timeout_s)
    kwargs.setdefault(
        "connect_args", {"timeout": connect_timeout_s, "command_timeout": command_timeout_s}
    )
    return create_async_engine(url, **kwargs)


def make_inline_engine(url: str) -> Engine:
    """A plain (sync) pysqlite engine for engine turns: statements run on the event-loop thread."""
    parsed = make_url(url).set(drivername="sqlite+pysqlite")
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_INLINE_BUSY_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _inline_pragmas)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


class Database:
    """Owns the engine and hands out sessions; the only place that knows the URL."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._probe: asyncio.Task[None] | None = None
        self.inline_engine: Engine | None = None
        if self.engine.dialect.name == "sqlite":
            self.inline_engine = make_inline_engine(url)

    @property
    def dialect(self) -> str:
        """The backend name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        """A session in one transaction, committed on success and rolled back on error."""
        session = ConnectionSession(self.engine)
        try:
            yield session
            await session.commit()
        except Unavailable as exc:
            await session.rollback()
            raise await self._renewed(exc) from exc
        except BaseException:
            await session.rollback()
            raise

    async def _renewed(self, exc: Unavailable) -> Unavailable:
        """After a read-only, full or broken database: drop every pooled connection.

        Pooled connections keep the state they were opened in (a PostgreSQL session opened
        read-only stays so; a SQLite file opened read-only too), so once the database is fine
        again, a new one is what works. The error comes back with `reconnect`, so the turn runs
        once more, on a new connection.
        """
        if exc.reconnect or exc.cause in ("unreachable", "timeout"):
            return exc
        await self.engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()
        renewed = Unavailable(str(exc), reconnect=True, cause=exc.cause)
        renewed.__cause__ = exc.__cause__
        return renewed

    @asynccontextmanager
    async def turn_session(self) -> AsyncIterator[Session]:
        """A session for one engine turn: on SQLite its statements run inline (no thread trip).

        Raises `storage.errors.Busy` quickly when another writer holds the SQLite file; the engine
        then retries the turn after yielding to the loop.
        """
        session: Session
        if self.inline_engine is not None:
            session = InlineSession(self.inline_engine)
        else:
            session = ConnectionSession(self.engine)
        try:
            yield session
            await session.commit()
        except Unavailable as exc:
            await session.rollback()
            raise await self._renewed(exc) from exc
        except BaseException:
            await session.rollback()
            raise

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision`."""

        def run(conn: Connection) -> None:
            command.upgrade(alembic_config(conn), revision)

        with guard():
            async with self.engine.begin() as conn:
                await conn.run_sync(run)

    async def check_write(self, worker: str, timeout_s: float = 3.0) -> str | None:
        """None when a real write commits within `timeout_s`, else what is wrong.

        The answer names the cause (``read_only``, ``full``, ``timeout``, ``unreachable``...).
        The write runs in a task of its own: a database that hangs is reported after
        `timeout_s`, and while that write is still stuck, later checks say ``timeout`` at once
        instead of piling up more stuck writes.
        """
        if self._probe is not None and not self._probe.done():
            return "timeout"
        self._probe = asyncio.get_running_loop().create_task(self._probe_write(worker))
        done, _ = await asyncio.wait({self._probe}, timeout=timeout_s)
        if not done:
            return "timeout"
        error = self._probe.exception()
        if error is None:
            return None
        if isinstance(error, Unavailable):
            return error.cause
        return type(error).__name__

    async def _probe_write(self, worker: str) -> None:
        async with self.session() as session:
            await health.probe(session, worker, datetime.now(UTC))

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
        await self.engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()
