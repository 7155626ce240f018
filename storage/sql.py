"""Small statement helpers shared by the repositories (portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.session import Session

_INSERT_IGNORE: dict[tuple[str, str, frozenset[str]], Insert] = {}


def _insert_ignore_stmt(dialect: str, table: Table, columns: frozenset[str]) -> Insert:
    # Built once per (dialect, table, columns): constructing statements per call costs more than
    # running them on SQLite, and a reused statement hits SQLAlchemy's compiled cache.
    key = (dialect, table.name, columns)
    stmt = _INSERT_IGNORE.get(key)
    if stmt is None:
        if dialect == "postgresql":
            stmt = postgresql.insert(table).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(table).on_conflict_do_nothing()
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"unsupported database dialect {dialect}")
        _INSERT_IGNORE[key] = stmt
    return stmt


async def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted."""
    stmt = _insert_ignore_stmt(session.dialect, table, frozenset(values))
    result = await session.execute(stmt, values)
    return bool(result.rowcount)
