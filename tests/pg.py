"""PostgreSQL for tests: one throw-away database per test run, migrated once, truncated per test."""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from storage.db import Database

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    """The server to use (TERMCOACH_TEST_PG_URL, default the local `test` database)."""
    return os.environ.get("TERMCOACH_TEST_PG_URL", DEFAULT_URL)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _probe(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(_dsn(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL server answers at {make_url(url).render_as_string()}: {exc}"
    await conn.close()
    return None


def unavailable_reason() -> str | None:
    """Why PostgreSQL tests must skip, or None when a server answers."""
    return asyncio.run(_probe(admin_url()))


class PgTestDatabase:
    """A database created for this test run and dropped at its end."""

    def __init__(self) -> None:
        self.name = f"termcoach_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.url = (
            make_url(admin_url()).set(database=self.name).render_as_string(hide_password=False)
        )

    async def create(self) -> None:
        """Create the database and apply the migrations."""

        conn = await asyncpg.connect(_dsn(admin_url()))
        try:
            await conn.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await conn.close()
        db = Database(self.url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    async def truncate(self) -> None:
        """Empty every table (fast isolation between tests)."""
        conn = await asyncpg.connect(_dsn(self.url))
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
            names = ", ".join(f'"{r["tablename"]}"' for r in tables)
            if names:
                await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    async def drop(self) -> None:
        """Drop the database, ending any connection left open."""
        conn = await asyncpg.connect(_dsn(admin_url()))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()
