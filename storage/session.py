"""The one session type every repository takes, with two implementations and one error translator.

A `Session` runs Core statements in one transaction that begins with the first statement;
`commit()` ends it and hands the connection back, and a later statement begins a new one (a turn
may commit its reads before a slow LLM call). Repositories only use this small API, so the same
code runs on:
- `ConnectionSession`: an `AsyncConnection` from the async engine (PostgreSQL, and SQLite work
  outside turns such as the daily broadcast);
- `InlineSession`: a plain pysqlite connection used on the event-loop thread for SQLite turns.
  A turn's statements take microseconds on a local file, less than a trip to a worker thread,
  and a busy file fails fast (`Busy`) so the loop never waits on a lock.

Every statement goes through `guard()`, the only place that reads driver exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, Protocol, TypeAlias

from sqlalchemy import CursorResult, Executable, ScalarResult
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from storage.errors import Busy, Conflict, StorageError, Unavailable

Params: TypeAlias = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
OneParams: TypeAlias = Mapping[str, Any] | None


class Session(Protocol):
    """What repositories need: execute Core statements in one transaction, then commit."""

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    async def execute(
        self, statement: Executable, params: Params = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run a statement in the transaction (begun by the first statement)."""
        ...

    async def scalar(self, statement: Executable, params: OneParams = None) -> Any:
        """The first column of the first row, or None."""
        ...

    async def scalars(self, statement: Executable, params: OneParams = None) -> ScalarResult[Any]:
        """The first column of every row."""
        ...

    async def commit(self) -> None:
        """Commit what was done so far and hand the connection back."""
        ...

    async def rollback(self) -> None:
        """Undo the open transaction, if any, and hand the connection back."""
        ...


def _is_busy(exc: OperationalError) -> bool:
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in message or "database is busy" in message


# PostgreSQL SQLSTATEs: read-only transaction, disk full, out of memory, query cancelled
# (statement_timeout), and the connection exception class.
_PG_CAUSES = {"25006": "read_only", "53100": "full", "53200": "full", "57014": "timeout"}


def cause_of(exc: BaseException) -> str:
    """What a driver error says is wrong: read_only, full, timeout, unreachable or other."""
    orig = getattr(exc, "orig", None) or exc
    state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    if state in _PG_CAUSES:
        return _PG_CAUSES[state]
    if state.startswith("08"):
        return "unreachable"
    text = f"{type(orig).__name__} {orig}".lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read_only"
    if "disk is full" in text or "no space" in text or "diskfull" in text:
        return "full"
    if isinstance(orig, TimeoutError) or "timeout" in text or "timed out" in text:
        return "timeout"
    if isinstance(orig, OSError) or any(w in text for w in ("connect", "closed", "unable to open")):
        return "unreachable"
    return "other"


@contextmanager
def guard() -> Iterator[None]:
    """Translate driver and pool errors into `Conflict`, `Busy` or `Unavailable`."""
    try:
        yield
    except StorageError:
        raise
    except IntegrityError as exc:
        # A unique key taken by a concurrent writer (two first answers on one card): the
        # caller's whole transaction is rolled back and runs again on fresh state.
        raise Conflict(type(exc.orig).__name__ if exc.orig is not None else "integrity") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable("connection lost", reconnect=True) from exc
        if isinstance(exc, OperationalError) and _is_busy(exc):
            raise Busy("database is busy") from exc
        raise Unavailable(type(exc.orig or exc).__name__, cause=cause_of(exc)) from exc
    except PoolTimeout as exc:
        raise Unavailable("no free connection", cause="timeout") from exc
    except (TimeoutError, OSError) as exc:
        raise Unavailable(type(exc).__name__, cause=cause_of(exc)) from exc


class ConnectionSession:
    """`Session` over the async engine: one pooled connection while a transaction is open."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            self._conn = await self._engine.connect()
        if self._tx is None:
            self._tx = await self._conn.begin()
        return self._conn

    async def execute(
        self, statement: Executable, params: Params = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run a statement in the transaction."""
        try:
            with guard():
                conn = await self._connection()
                return await conn.execute(statement, params)
        except Unavailable:
            await self._discard()
            raise

    async def scalar(self, statement: Executable, params: OneParams = None) -> Any:
        """The first column of the first row, or None."""
        try:
            with guard():
                conn = await self._connection()
                return await conn.scalar(statement, params)
        except Unavailable:
            await self._discard()
            raise

    async def scalars(self, statement: Executable, params: OneParams = None) -> ScalarResult[Any]:
        """The first column of every row."""
        try:
            with guard():
                conn = await self._connection()
                return await conn.scalars(statement, params)
        except Unavailable:
            await self._discard()
            raise

    async def _discard(self) -> None:
        # A connection that failed this way (read-only, full, timed out, broken) may keep that
        # state while pooled: the next turn gets a new one, so recovery needs no restart.
        conn, self._conn, self._tx = self._conn, None, None
        if conn is not None:
            # Already unusable: dropping it is all that matters.
            with suppress(Exception):
                await conn.invalidate()

    async def commit(self) -> None:
        """Commit what was done so far and hand the connection back."""
        try:
            if self._tx is not None:
                tx, self._tx = self._tx, None
                with guard():
                    await tx.commit()
        except Unavailable:
            await self._discard()
            raise
        finally:
            await self._release()

    async def rollback(self) -> None:
        """Undo the open transaction, if any, and hand the connection back."""
        try:
            if self._tx is not None:
                tx, self._tx = self._tx, None
                with guard():
                    await tx.rollback()
        finally:
            await self._release()

    async def _release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with guard():
                await conn.close()


class InlineSession:
    """`Session` for SQLite turns: a sync pysqlite connection used on the event-loop thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    @property
    def dialect(self) -> str:
        """Always ``sqlite``."""
        return self._engine.dialect.name

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        if not self._conn.in_transaction():
            self._conn.begin()
        return self._conn

    async def execute(
        self, statement: Executable, params: Params = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run a statement in the transaction."""
        with self._guard():
            return self._connection().execute(statement, params)

    async def scalar(self, statement: Executable, params: OneParams = None) -> Any:
        """The first column of the first row, or None."""
        with self._guard():
            return self._connection().scalar(statement, params)

    async def scalars(self, statement: Executable, params: OneParams = None) -> ScalarResult[Any]:
        """The first column of every row."""
        with self._guard():
            return self._connection().scalars(statement, params)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            with guard():
                yield
        except Unavailable:
            # As in ConnectionSession: a connection that failed this way is not pooled again.
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.invalidate()
            raise

    async def commit(self) -> None:
        """Commit what was done so far and hand the connection back."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with guard():
                try:
                    if conn.in_transaction():
                        conn.commit()
                except DBAPIError as exc:
                    if not (isinstance(exc, OperationalError) and _is_busy(exc)):
                        conn.invalidate()
                    raise
                finally:
                    conn.close()

    async def rollback(self) -> None:
        """Undo the open transaction, if any, and hand the connection back."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with guard():
                conn.close()  # closing rolls back what was not committed
