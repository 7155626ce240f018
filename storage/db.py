"""The database: an async SQLAlchemy engine (SQLite in WAL mode, or PostgreSQL) and its sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import storage.sqlite_onehop
from storage.session import ConnectionSession, InlineSession, Session, guard

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
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


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL mode and a busy timeout on every connection."""
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
        except BaseException:
            await session.rollback()
            raise

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
        await self.engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()
