"""Database connection: an async SQLAlchemy engine for SQLite (WAL, busy timeout) or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Delete,
    Executable,
    Insert,
    Select,
    TextClause,
    Update,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncTransaction,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.elements import ColumnElement

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
        import storage.sqlite_onehop  # noqa: F401  (registers the dialect)

        if parsed.get_driver_name() == "aiosqlite":
            parsed = parsed.set(drivername="sqlite+aiosqlite_onehop")
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
    """A plain (sync) pysqlite engine for engine turns: statements run on the event-loop thread.

    A turn's statements take microseconds on a local file, less than a trip to a worker thread
    or through SQLAlchemy's async bridge. A busy file fails after a short timeout and the
    engine retries the turn after yielding to the loop, so the loop never waits on a lock.
    """
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


class TurnSession:
    """The engine's database handle for one turn: AsyncSession's execute API on one connection.

    A turn only runs Core-shaped statements, so it needs no ORM session (whose setup and
    teardown cost more than a statement on SQLite). The transaction begins with the first
    statement; `commit()` ends it, and a later statement begins a new one.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None

    async def connection(self) -> AsyncConnection:
        """The connection, inside a transaction."""
        if self._conn is None:
            self._conn = await self._engine.connect()
        if self._tx is None:
            self._tx = await self._conn.begin()
        return self._conn

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """Execute a statement in the turn's transaction."""
        conn = await self.connection()
        return await conn.execute(statement, params, **kw)

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of the first row."""
        conn = await self.connection()
        return await conn.scalar(statement, params, **kw)

    async def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of every row."""
        conn = await self.connection()
        return await conn.scalars(statement, params, **kw)

    def get_bind(self) -> Any:
        """The engine (its dialect tells SQLite from PostgreSQL)."""
        return self._engine.sync_engine

    async def commit(self) -> None:
        """Commit what the turn did so far and hand the connection back."""
        if self._tx is not None:
            tx, self._tx = self._tx, None
            await tx.commit()
        await self._release()

    async def rollback(self) -> None:
        """Undo the open transaction, if any, and hand the connection back."""
        if self._tx is not None:
            tx, self._tx = self._tx, None
            await tx.rollback()
        await self._release()

    async def _release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


class InlineTurnSession:
    """`TurnSession` for SQLite: the same API over a sync connection on the event-loop thread.

    No greenlet hop and no async adapter per statement; results are the same buffered
    `CursorResult`s an `AsyncConnection` returns.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        if not self._conn.in_transaction():
            self._conn.begin()
        return self._conn

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """Execute a statement in the turn's transaction."""
        return self._connection().execute(statement, params, **kw)

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of the first row."""
        return self._connection().scalar(statement, params, **kw)

    async def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """First column of every row."""
        return self._connection().scalars(statement, params, **kw)

    def get_bind(self) -> Any:
        """The engine (its dialect tells SQLite from PostgreSQL)."""
        return self._engine

    async def commit(self) -> None:
        """Commit what the turn did so far and hand the connection back."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                if conn.in_transaction():
                    conn.commit()
            finally:
                conn.close()

    async def rollback(self) -> None:
        """Undo the open transaction, if any, and hand the connection back."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()  # closing rolls back what was not committed


class Database:
    """Owns the engine and the session factory; the only place that knows the URL."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=FastSession)
        self.inline_engine: Engine | None = None
        if self.engine.dialect.name == "sqlite":
            self.inline_engine = make_inline_engine(url)

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
        # A turn may commit its reads early to hand the connection back during a slow call
        # (see TurnContext.release_db); the next statement then begins a new transaction.
        session: TurnSession | InlineTurnSession
        if self.inline_engine is not None:
            session = InlineTurnSession(self.inline_engine)
        else:
            session = TurnSession(self.engine)
        try:
            # Turn code is typed against AsyncSession and uses only its execute/scalar API.
            yield cast(AsyncSession, session)
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
        if self.inline_engine is not None:
            self.inline_engine.dispose()
