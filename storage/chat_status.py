"""Platform-side state of a chat (`chat_status`): inactive (blocked, gone) or migrated to a new id.

Active is the default, so an active chat needs no row until it once was inactive or migrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Table, select, update

from storage.models import ChatStatus
from storage.session import Session
from storage.sql import insert_ignore

CHAT_STATUS: Table = ChatStatus.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ChatStatusRow:
    """Whether a chat can be written to, why not, and where it moved."""

    active: bool
    reason: str | None
    migrated_to: str | None


def _where(platform: str, workspace: str, chat: str) -> tuple[ColumnElement[bool], ...]:
    return (
        ChatStatus.platform == platform,
        ChatStatus.workspace == workspace,
        ChatStatus.chat == chat,
    )


async def get_status(
    session: Session, platform: str, workspace: str, chat: str
) -> ChatStatusRow | None:
    """The chat's recorded status, or None (an active chat with no history)."""
    row = (
        await session.execute(
            select(ChatStatus.active, ChatStatus.reason, ChatStatus.migrated_to).where(
                *_where(platform, workspace, chat)
            )
        )
    ).first()
    return ChatStatusRow(bool(row[0]), row[1], row[2]) if row is not None else None


async def set_status(
    session: Session,
    platform: str,
    workspace: str,
    chat: str,
    *,
    active: bool,
    reason: str | None,
    now: datetime,
    migrated_to: str | None = None,
    record: bool = False,
) -> None:
    """Record the chat as active or inactive (with the reason), and where it migrated.

    With `record`, an active chat gets a row too: the bot knows it may write there (a user who
    opened a private chat with it), which a chat with no row does not tell.
    """
    values: dict[str, object] = {
        "active": active,
        "reason": reason[:300] if reason else None,
        "updated_at": now,
    }
    if migrated_to is not None:
        values["migrated_to"] = migrated_to
    if active and migrated_to is None and not record:
        # Active is the default: touch only a row that exists.
        await session.execute(
            update(ChatStatus).where(*_where(platform, workspace, chat)).values(**values)
        )
        return
    row = {"platform": platform, "workspace": workspace, "chat": chat, **values}
    if not await insert_ignore(session, CHAT_STATUS, row):
        await session.execute(
            update(ChatStatus).where(*_where(platform, workspace, chat)).values(**values)
        )
