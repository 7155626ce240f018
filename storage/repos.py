"""Repository functions the engine calls inside one turn's transaction (Core statements, portable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Conversation,
    Learner,
    QuizAttempt,
    ReviewCard,
    TermSeen,
)


class VersionConflict(Exception):
    """Another writer saved the conversation since we loaded it; the turn must run again."""


_INSERT_IGNORE: dict[tuple[str, str, frozenset[str]], Any] = {}


def _insert_ignore_stmt(dialect: str, table: Table, columns: frozenset[str]) -> Any:
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


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted."""
    dialect = session.get_bind().dialect.name
    stmt = _insert_ignore_stmt(dialect, table, frozenset(values))
    result = await session.execute(stmt, values)
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass
class LearnerRow:
    """A learner as the engine sees it (plain data, no ORM session attached)."""

    id: int
    platform: str
    workspace: str
    user_id: str
    display_name: str | None
    timezone: str
    new_per_day: int
    quiz_mode: str
    settings: dict[str, Any]


_LEARNER_COLS = (
    Learner.id,
    Learner.platform,
    Learner.workspace,
    Learner.user_id,
    Learner.display_name,
    Learner.timezone,
    Learner.new_per_day,
    Learner.quiz_mode,
    Learner.settings,
)


async def get_learner(
    session: AsyncSession,
    key: tuple[str, str, str],
    now: datetime,
    display_name: str | None = None,
    default_timezone: str = "UTC",
) -> LearnerRow:
    """Load the learner for (platform, workspace, user), creating it on first contact."""
    platform, workspace, user = key
    cond = (
        (Learner.platform == platform)
        & (Learner.workspace == workspace)
        & (Learner.user_id == user)
    )
    row = (await session.execute(select(*_LEARNER_COLS).where(cond))).first()
    if row is None:
        await insert_ignore(
            session,
            Learner.__table__,  # type: ignore[arg-type]
            {
                "platform": platform,
                "workspace": workspace,
                "user_id": user,
                "display_name": (display_name or None) and display_name[:200],
                "timezone": default_timezone,
                "new_per_day": 5,
                "quiz_mode": "buttons",
                "settings": {},
                "created_at": now,
            },
        )
        row = (await session.execute(select(*_LEARNER_COLS).where(cond))).one()
    return LearnerRow(*row)


async def update_learner(session: AsyncSession, learner_id: int, **values: Any) -> None:
    """Change learner settings (timezone, new_per_day, quiz_mode, settings)."""
    await session.execute(update(Learner).where(Learner.id == learner_id).values(**values))


_CONV_COLS = (
    Conversation.id,
    Conversation.key,
    Conversation.state,
    Conversation.pack_version,
    Conversation.version,
    Conversation.recent_ids,
)
_TURN_STMT = (
    select(*_LEARNER_COLS, *_CONV_COLS)
    .select_from(Learner)
    .outerjoin(Conversation, Conversation.key == bindparam("key"))
    .where(
        Learner.platform == bindparam("platform"),
        Learner.workspace == bindparam("workspace"),
        Learner.user_id == bindparam("user"),
    )
)


async def load_turn(
    session: AsyncSession,
    key: str,
    learner_key: tuple[str, str, str],
    chat: str,
    thread: str | None,
    now: datetime,
    display_name: str | None = None,
    default_timezone: str = "UTC",
) -> tuple[LearnerRow, ConversationRow]:
    """The learner and the conversation of a turn in one query (creating either on first contact)."""
    platform, workspace, user = learner_key
    row = (
        await session.execute(
            _TURN_STMT, {"key": key, "platform": platform, "workspace": workspace, "user": user}
        )
    ).first()
    n = len(_LEARNER_COLS)
    if row is None or row[n] is None:
        learner = await get_learner(session, learner_key, now, display_name, default_timezone)
        conv = await get_conversation(session, key, platform, workspace, chat, thread, now)
        return learner, conv
    learner = LearnerRow(*row[:n])
    conv = ConversationRow(
        row[n], row[n + 1], dict(row[n + 2] or {}), row[n + 3], row[n + 4], list(row[n + 5] or [])
    )
    return learner, conv


@dataclass
class ConversationRow:
    """A conversation's stored state, the version it was loaded at, and recent message ids."""

    id: int
    key: str
    state: dict[str, Any]
    pack_version: str | None
    version: int
    recent_ids: list[str]


async def get_conversation(
    session: AsyncSession,
    key: str,
    platform: str,
    workspace: str,
    chat: str,
    thread: str | None,
    now: datetime,
) -> ConversationRow:
    """Load the conversation by key, creating an empty one on first contact."""
    row = (await session.execute(select(*_CONV_COLS).where(Conversation.key == key))).first()
    if row is None:
        await insert_ignore(
            session,
            Conversation.__table__,  # type: ignore[arg-type]
            {
                "key": key,
                "platform": platform,
                "workspace": workspace,
                "chat": chat,
                "thread": thread,
                "state": {},
                "recent_ids": [],
                "pack_version": None,
                "version": 1,
                "updated_at": now,
            },
        )
        row = (await session.execute(select(*_CONV_COLS).where(Conversation.key == key))).one()
    return ConversationRow(row[0], row[1], dict(row[2] or {}), row[3], row[4], list(row[5] or []))


_SAVE_STMT = (
    update(Conversation)
    .where(Conversation.id == bindparam("conv_id"), Conversation.version == bindparam("expected"))
    .values(
        state=bindparam("new_state"),
        recent_ids=bindparam("new_recent_ids"),
        pack_version=bindparam("new_pack_version"),
        version=bindparam("new_version"),
        updated_at=bindparam("new_updated_at"),
    )
)


async def save_conversation(
    session: AsyncSession,
    conv: ConversationRow,
    state: dict[str, Any],
    pack_version: str | None,
    now: datetime,
    recent_ids: list[str] | None = None,
) -> None:
    """Save new state if nobody else did since we loaded it; raise `VersionConflict` otherwise."""
    result = await session.execute(
        _SAVE_STMT,
        {
            "conv_id": conv.id,
            "expected": conv.version,
            "new_state": state,
            "new_recent_ids": conv.recent_ids if recent_ids is None else recent_ids,
            "new_pack_version": pack_version,
            "new_version": conv.version + 1,
            "new_updated_at": now,
        },
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise VersionConflict(conv.key)


async def record_attempt(session: AsyncSession, **values: Any) -> bool:
    """Store an answer; False when this question was already answered (scored once)."""
    return await insert_ignore(session, QuizAttempt.__table__, values)  # type: ignore[arg-type]


async def mark_seen(session: AsyncSession, learner_id: int, term_id: str, now: datetime) -> None:
    """Remember that the learner has been shown this term's card."""
    await insert_ignore(
        session,
        TermSeen.__table__,  # type: ignore[arg-type]
        {"learner_id": learner_id, "term_id": term_id, "seen_at": now},
    )


_SEEN = union(
    select(TermSeen.term_id).where(TermSeen.learner_id == bindparam("learner_id")),
    select(ReviewCard.term_id).where(ReviewCard.learner_id == bindparam("learner_id")),
)


async def seen_terms(session: AsyncSession, learner_id: int) -> set[str]:
    """Ids of the terms the learner has seen: shown as a card, or answered (a review card)."""
    rows = await session.execute(_SEEN, {"learner_id": learner_id})
    return {r[0] for r in rows}


async def insert_row(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Plain insert (for logs and transcripts)."""
    await session.execute(insert(table).values(**values))
