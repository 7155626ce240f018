"""Storage: migrations match the models and run both ways, UTC round trips, optimistic locking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from storage import cards
from storage import turns as repos
from storage.db import Database, alembic_config
from storage.models import Base, ReviewLogRow
from termcoach.runtime import ConfigError, check_settings
from termcoach.settings import Settings

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


async def test_migrations_match_the_models(db: Database) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == [], "models changed without a migration: " + repr(changes)[:2000]


async def test_migrations_go_down_to_nothing_and_up_again(db: Database) -> None:
    def tables(conn: Connection) -> set[str]:
        return set(inspect(conn).get_table_names())

    def downgrade(conn: Connection) -> None:
        command.downgrade(alembic_config(conn), "base")

    async with db.engine.begin() as conn:
        assert "processed_events" not in await conn.run_sync(tables)  # dropped by 0002
        await conn.run_sync(downgrade)
        assert await conn.run_sync(tables) <= {"alembic_version"}
    await db.upgrade()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(tables) == set(Base.metadata.tables) | {"alembic_version"}


async def test_version_conflict_is_detected(db: Database) -> None:
    async with db.session() as s:
        learner, conv = await repos.load_turn(s, "k", ("test", "w", "u"), "c", None, NOW)
        assert learner.user_id == "u"
    async with db.session() as s:
        await repos.save_conversation(s, conv, {"a": 1}, "1", NOW)
    with pytest.raises(repos.VersionConflict):
        async with db.session() as s:
            await repos.save_conversation(s, conv, {"a": 2}, "1", NOW)
    async with db.session() as s:
        _, fresh = await repos.load_turn(s, "k", ("test", "w", "u"), "c", None, NOW)
    assert fresh.state == {"a": 1}
    assert fresh.version == conv.version + 1


async def test_times_come_back_as_utc(db: Database) -> None:
    berlin = timezone(timedelta(hours=2))
    async with db.session() as s:
        learner, _ = await repos.load_turn(s, "k2", ("test", "w", "v"), "c", None, NOW)
        when = datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
        await cards.add_review_log(s, learner.id, "psi", 3, when, None)
    async with db.session() as s:
        stored = (await s.execute(select(ReviewLogRow.reviewed_at))).scalar_one()
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert stored.tzinfo is not None


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with db.session() as s:
            learner, _ = await repos.load_turn(s, "k3", ("test", "w", "x"), "c", None, NOW)
            await cards.add_review_log(s, learner.id, "psi", 3, datetime(2026, 1, 1), None)


def test_sqlite_and_several_replicas_are_refused() -> None:

    settings = Settings(_env_file=None, replicas=2)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        check_settings(settings)
    ok = Settings(
        _env_file=None,  # type: ignore[call-arg]
        replicas=2,
        database_url="postgresql+asyncpg://postgres@127.0.0.1/test",
    )
    check_settings(ok)
