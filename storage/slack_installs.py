"""Slack workspace installations (bot tokens, encrypted by the caller) and one-time OAuth states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update

from storage.models import OAuthState, SlackInstallation
from storage.session import Session
from storage.sql import insert_ignore

INSTALLATIONS: Table = SlackInstallation.__table__  # type: ignore[assignment]
STATES: Table = OAuthState.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class InstallationRow:
    """One workspace's bot installation; the token is still encrypted."""

    enterprise_id: str
    team_id: str
    team_name: str | None
    bot_user_id: str | None
    bot_id: str | None
    bot_token_encrypted: bytes
    bot_scopes: str
    installer_user_id: str | None
    installed_at: datetime


_COLS = (
    SlackInstallation.enterprise_id,
    SlackInstallation.team_id,
    SlackInstallation.team_name,
    SlackInstallation.bot_user_id,
    SlackInstallation.bot_id,
    SlackInstallation.bot_token_encrypted,
    SlackInstallation.bot_scopes,
    SlackInstallation.installer_user_id,
    SlackInstallation.installed_at,
)


async def save_installation(session: Session, row: InstallationRow) -> None:
    """Store or replace the workspace's installation (an empty installer keeps the old one)."""
    values = {
        "team_name": row.team_name,
        "bot_user_id": row.bot_user_id,
        "bot_id": row.bot_id,
        "bot_token_encrypted": row.bot_token_encrypted,
        "bot_scopes": row.bot_scopes,
        "installed_at": row.installed_at,
    }
    if row.installer_user_id:
        values["installer_user_id"] = row.installer_user_id
    key = {"enterprise_id": row.enterprise_id, "team_id": row.team_id}
    if not await insert_ignore(session, INSTALLATIONS, {**key, **values}):
        await session.execute(
            update(SlackInstallation)
            .where(
                SlackInstallation.enterprise_id == row.enterprise_id,
                SlackInstallation.team_id == row.team_id,
            )
            .values(**values)
        )


async def find_installation(
    session: Session, enterprise_id: str | None, team_id: str | None
) -> InstallationRow | None:
    """The workspace's installation (any enterprise when `enterprise_id` is empty)."""
    query = select(*_COLS).where(SlackInstallation.team_id == (team_id or ""))
    if enterprise_id:
        query = query.where(SlackInstallation.enterprise_id == enterprise_id)
    row = (await session.execute(query.limit(1))).first()
    return InstallationRow(*row) if row is not None else None


async def delete_installation(
    session: Session, enterprise_id: str | None, team_id: str | None
) -> None:
    """Remove the workspace's installation and its token."""
    query = delete(SlackInstallation).where(SlackInstallation.team_id == (team_id or ""))
    if enterprise_id:
        query = query.where(SlackInstallation.enterprise_id == enterprise_id)
    await session.execute(query)


async def issue_state(session: Session, state: str, expires_at: datetime, now: datetime) -> None:
    """Store a new OAuth state; expired ones are swept here so the table never grows unbounded."""
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    await insert_ignore(session, STATES, {"state": state, "expires_at": expires_at})


async def consume_state(session: Session, state: str, now: datetime) -> bool:
    """True once for a state that was issued and has not expired; it is deleted either way."""
    # One DELETE decides: of two callbacks racing with the same state, only one wins.
    result = await session.execute(
        delete(OAuthState).where(OAuthState.state == state, OAuthState.expires_at >= now)
    )
    if result.rowcount == 1:
        return True
    await session.execute(delete(OAuthState).where(OAuthState.state == state))
    return False


async def use_state(session: Session, state: str, expires_at: datetime, now: datetime) -> bool:
    """Record a (signed) OAuth state as used; True the first time, False for a replay.

    Expired records are swept here, so the table holds only the last few minutes' states.
    """
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
    return await insert_ignore(session, STATES, {"state": state, "expires_at": expires_at})


async def encrypted_tokens(session: Session) -> list[tuple[str, str, bytes]]:
    """(enterprise id, team id, encrypted token) of every installation."""
    rows = await session.execute(
        select(
            SlackInstallation.enterprise_id,
            SlackInstallation.team_id,
            SlackInstallation.bot_token_encrypted,
        )
    )
    return [(str(e), str(t), bytes(b)) for e, t, b in rows]


async def replace_token(session: Session, enterprise_id: str, team_id: str, blob: bytes) -> None:
    """Store a re-encrypted token (key rotation)."""
    await session.execute(
        update(SlackInstallation)
        .where(
            SlackInstallation.enterprise_id == enterprise_id, SlackInstallation.team_id == team_id
        )
        .values(bot_token_encrypted=blob)
    )
