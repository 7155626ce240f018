"""An ORM session on a test database, for tests that read whole rows as model objects.

The product's own sessions run Core statements only (`storage.session`); tests may still find
it handy to load `RoleplaySession` objects and read their attributes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database


@asynccontextmanager
async def orm(db: Database) -> AsyncIterator[AsyncSession]:
    """An ORM session in one transaction, committed at the end."""
    async with AsyncSession(db.engine, expire_on_commit=False) as session, session.begin():
        yield session
