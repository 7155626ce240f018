"""What one engine turn loads and saves: the learner and the conversation (Core statements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from storage.errors import Conflict
from storage.models import Conversation, Learner
from storage.session import Session
from storage.sql import insert_ignore

LEARNERS: Table = Learner.__table__  # type: ignore[assignment]
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]


class VersionConflict(Conflict):
    """Another writer saved the conversation since we loaded it; the turn must run again."""


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
_FIND_LEARNER = select(*_LEARNER_COLS).where(
    Learner.platform == bindparam("platform"),
    Learner.workspace == bindparam("workspace"),
    Learner.user_id == bindparam("user"),
)


async def find_learner(session: Session, key: tuple[str, str, str]) -> LearnerRow | None:
    """The learner for (platform, workspace, user), or None before their first message."""
    platform, workspace, user = key
    row = (
        await session.execute(
            _FIND_LEARNER, {"platform": platform, "workspace": workspace, "user": user}
        )
    ).first()
    return LearnerRow(*row) if row is not None else None


async def get_learner(
    session: Session,
    key: tuple[str, str, str],
    now: datetime,
    display_name: str | None = None,
    default_timezone: str = "UTC",
) -> LearnerRow:
    """Load the learner for (platform, workspace, user), creating it on first contact."""
    found = await find_learner(session, key)
    if found is not None:
        return found
    platform, workspace, user = key
    await insert_ignore(
        session,
        LEARNERS,
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
    created = await find_learner(session, key)
    if created is None:  # pragma: no cover - the insert above or a concurrent one made it
        raise Conflict(f"learner {key} vanished")
    return created


async def update_learner(session: Session, learner_id: int, **values: Any) -> None:
    """Change learner settings (timezone, new_per_day, quiz_mode, settings)."""
    await session.execute(update(Learner).where(Learner.id == learner_id).values(**values))


@dataclass
class ConversationRow:
    """A conversation's stored state, the version it was loaded at, and recent message ids."""

    id: int
    key: str
    state: dict[str, Any]
    pack_version: str | None
    version: int
    recent_ids: list[str]


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


def _conversation(row: Any) -> ConversationRow:
    return ConversationRow(row[0], row[1], dict(row[2] or {}), row[3], row[4], list(row[5] or []))


async def load_turn(
    session: Session,
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
    return LearnerRow(*row[:n]), _conversation(row[n:])


async def get_conversation(
    session: Session,
    key: str,
    platform: str,
    workspace: str,
    chat: str,
    thread: str | None,
    now: datetime,
) -> ConversationRow:
    """Load the conversation by key, creating an empty one on first contact."""
    query = select(*_CONV_COLS).where(Conversation.key == key)
    row = (await session.execute(query)).first()
    if row is None:
        await insert_ignore(
            session,
            CONVERSATIONS,
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
        row = (await session.execute(query)).one()
    return _conversation(row)


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
    session: Session,
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
    if result.rowcount != 1:
        raise VersionConflict(conv.key)
