"""Database connection: an async SQLAlchemy engine for SQLite (WAL, busy timeout) or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Delete, Executable, Insert, Select, TextClause, Update, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.elements import ColumnElement

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Inline turn sessions block the event loop while SQLite waits for a lock, so they wait only
# briefly and the engine retries the turn after yielding (another coroutine may hold the lock).
SQLITE_INLINE_BUSY_MS = 20


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or answered with an operational error."""


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


def make_engine(url: str, inline: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL mode and a busy timeout on every connection.

    `inline` (SQLite only) runs statements on the event-loop thread with a short busy timeout:
    the engine's turn sessions use it, and retry (yielding to the loop) when the file is busy.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import storage.sqlite_onehop  # noqa: F401  (registers the dialects)

        if parsed.get_driver_name() == "aiosqlite":
            driver = "aiosqlite_inline" if inline else "aiosqlite_onehop"
            parsed = parsed.set(drivername=f"sqlite+{driver}")
        timeout_ms = SQLITE_INLINE_BUSY_MS if inline else SQLITE_BUSY_TIMEOUT_MS
        kwargs.setdefault("connect_args", {"timeout": timeout_ms / 1000})
        engine = create_async_engine(parsed, **kwargs)
        pragmas = _inline_pragmas if inline else _sqlite_pragmas
        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _is_core(statement: Any) -> bool:
    # Column selects and DML run the same through a Connection; only entity selects
    # (``select(Model)``) need the ORM to build objects.
    if not isinstance(statement, Executable):
        return False
    if isinstance(statement, Select):
        # An entity select (``select(Model)``) has a table among its raw columns.
        return all(isinstance(c, ColumnElement) for c in statement._raw_columns)
    return isinstance(statement, (Insert, Update, Delete, TextClause))


class FastSession(AsyncSession):
    """An AsyncSession that runs Core-shaped statements straight on its connection.

    The ORM execution path costs about 60 µs per statement even for a plain column select; a turn
    runs several, on SQLite that is a large share of its time. Entity selects and ``add()``/flush
    still go through the ORM.
    """

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """Execute; Core-shaped statements skip the ORM layer."""
        if not kw and _is_core(statement):
            conn = await self.connection()
            return await conn.execute(statement, params)
        return await super().execute(statement, params, **kw)

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of the first row."""
        if not kw and _is_core(statement):
            conn = await self.connection()
            return await conn.scalar(statement, params)
        return await super().scalar(statement, params, **kw)

    async def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of every row."""
        if not kw and _is_core(statement):
            conn = await self.connection()
            return await conn.scalars(statement, params)
        return await super().scalars(statement, params, **kw)


class Database:
    """Owns the engine and the session factory; the only place that knows the URL."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=FastSession)
        self.turn_engine = self.engine
        if self.engine.dialect.name == "sqlite":
            self.turn_engine = make_engine(url, inline=True)
        self.turn_sessions = async_sessionmaker(
            self.turn_engine, expire_on_commit=False, class_=FastSession
        )

    @property
    def dialect(self) -> str:
        """The backend name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on success and rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def turn_session(self) -> AsyncIterator[AsyncSession]:
        """A session for one engine turn: on SQLite its statements run inline (no thread trip).

        Raises `sqlalchemy.exc.OperationalError` ("database is locked") quickly when another
        writer holds the file; the engine then retries the turn after yielding to the loop.
        """
        async with self.turn_sessions() as session:
            # No session.begin() block: a turn may commit its reads early to hand the connection
            # back during a slow call (see TurnContext.release_db); the next statement begins
            # a new transaction on its own.
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
        if self.turn_engine is not self.engine:
            await self.turn_engine.dispose()
