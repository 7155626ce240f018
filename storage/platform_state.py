"""Keyed, expiring records that adapters share across restarts and replicas (`platform_state`).

Writes are upserts (the newest value wins); reads ignore expired rows, and `sweep()` deletes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update

from storage.models import PlatformState
from storage.session import Session
from storage.sql import insert_ignore

PLATFORM_STATE: Table = PlatformState.__table__  # type: ignore[assignment]

_WHERE = (
    PlatformState.platform == bindparam("platform"),
    PlatformState.workspace == bindparam("workspace"),
    PlatformState.kind == bindparam("kind"),
    PlatformState.key == bindparam("key"),
)
_GET = select(PlatformState.value).where(*_WHERE, PlatformState.expires_at > bindparam("now"))
# An UPDATE may not bind parameters named like its columns, so its WHERE uses ``w_`` names.
_UPDATE = (
    update(PlatformState)
    .where(
        PlatformState.platform == bindparam("w_platform"),
        PlatformState.workspace == bindparam("w_workspace"),
        PlatformState.kind == bindparam("w_kind"),
        PlatformState.key == bindparam("w_key"),
    )
    .values(value=bindparam("new_value"), expires_at=bindparam("new_expires_at"))
)
_DELETE = delete(PlatformState).where(*_WHERE)


def _key(platform: str, workspace: str, kind: str, key: str) -> dict[str, str]:
    return {"platform": platform, "workspace": workspace, "kind": kind, "key": key[:200]}


async def put(
    session: Session,
    platform: str,
    workspace: str,
    kind: str,
    key: str,
    value: dict[str, Any],
    expires_at: datetime,
) -> None:
    """Store `value` under (platform, workspace, kind, key) until `expires_at`."""
    where = _key(platform, workspace, kind, key)
    row = {**where, "value": value, "expires_at": expires_at}
    if not await insert_ignore(session, PLATFORM_STATE, row):
        renamed = {f"w_{name}": bound for name, bound in where.items()}
        await session.execute(
            _UPDATE, {**renamed, "new_value": value, "new_expires_at": expires_at}
        )


async def get(
    session: Session, platform: str, workspace: str, kind: str, key: str, now: datetime
) -> dict[str, Any] | None:
    """The stored value, or None when there is none or it expired."""
    value = await session.scalar(_GET, {**_key(platform, workspace, kind, key), "now": now})
    return dict(value) if isinstance(value, dict) else None


async def drop(session: Session, platform: str, workspace: str, kind: str, key: str) -> None:
    """Forget one record."""
    await session.execute(_DELETE, _key(platform, workspace, kind, key))


async def sweep(session: Session, now: datetime, limit: int = 1000) -> int:
    """Delete up to `limit` expired records; returns how many."""
    ids = list(
        await session.scalars(
            select(PlatformState.id).where(PlatformState.expires_at <= now).limit(limit)
        )
    )
    if ids:
        await session.execute(delete(PlatformState).where(PlatformState.id.in_(ids)))
    return len(ids)
