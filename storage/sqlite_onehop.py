"""An aiosqlite dialect whose statements cost one thread hop instead of three or four.

SQLAlchemy's aiosqlite adapter creates, executes, fetches and closes each cursor in separate trips
to aiosqlite's worker thread. On SQLite those trips cost more than the SQL itself, so a turn of five
statements paid about twenty hops. This adapter runs execute + fetch + close as one call on the
worker thread; everything else (pooling, transactions, errors) is SQLAlchemy's own code.
URL: ``sqlite+aiosqlite_onehop:///file.db`` (`storage.db.make_engine` uses it for ``sqlite+aiosqlite``).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, int, int | None, list[Any], bool]


def _run(raw: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    # Runs on aiosqlite's worker thread: the whole statement in one trip.
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows, raw.in_transaction
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor that executes and fetches in a single worker-thread call."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._rows = collections.deque()
        self._soft_closed_memoized = EMPTY_DICT
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        """Column description of the last statement (None for DML)."""
        return self._description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        """The rowid of the last inserted row."""
        return self._lastrowid or 0

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        """Drop buffered rows; there is no driver cursor to close."""
        self._rows.clear()

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            conn = self._connection
            outcome: Outcome = await conn._execute(_run, conn._conn, operation, parameters, many)
        self._store(outcome)

    def _store(self, outcome: Outcome) -> None:
        self._description, self._rowcount, self._lastrowid, rows, in_tx = outcome
        self._rows = collections.deque(rows)
        if in_tx:
            self._adapt_connection._in_tx = True  # type: ignore[attr-defined]

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Execute one statement and buffer its rows."""
        try:
            await_(self._call(operation, parameters, False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        """Execute a statement for many parameter sets."""
        try:
            await_(self._call(operation, seq_of_parameters, True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's adapted aiosqlite connection with the one-hop cursor.

    It remembers whether a statement opened a transaction, so the pool's reset-on-return
    rollback after a commit costs no trip to the worker thread.
    """

    __slots__ = ("_in_tx",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._in_tx = True  # unknown at first: be safe

    def commit(self) -> None:
        """Commit, then note that no transaction is open."""
        super().commit()
        self._in_tx = False

    def rollback(self) -> None:
        """Roll back only when a transaction may be open."""
        if self._in_tx:
            super().rollback()
            self._in_tx = False


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim handing out connections of `connection_cls`."""

    connection_cls: type[OneHopConnection] = OneHopConnection
    connect_kw: dict[str, Any] = {}  # noqa: RUF012

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        """Open an aiosqlite connection wrapped in `connection_cls`."""
        adapted = super().connect(*arg, **{**kw, **self.connect_kw})
        return self.connection_cls(self, adapted._connection)


class OneHopDialect(SQLiteDialect_aiosqlite):
    """``sqlite+aiosqlite_onehop``: SQLAlchemy's aiosqlite dialect with one-hop statements."""

    driver = "aiosqlite_onehop"
    supports_statement_cache = True
    dbapi_cls: type[OneHopDbapi] = OneHopDbapi

    @classmethod
    def import_dbapi(cls) -> OneHopDbapi:
        """The DBAPI shim."""
        return cls.dbapi_cls(__import__("aiosqlite"), __import__("sqlite3"))


DRIVERNAME = "sqlite+aiosqlite_onehop"
registry.register("sqlite.aiosqlite_onehop", "storage.sqlite_onehop", "OneHopDialect")
