"""The outbox: each turn's replies, stored in the turn's transaction until they were delivered.

A row is written claimed by the process that ran the turn (`claimed_by`, `lease_until`), so that
process sends it at once without another write; a row whose sender died is taken over by any
sender once its lease ran out (`claimable`, `take`). Rows of one conversation are sent in id
order: a row is only handed out when no earlier row of its conversation is still pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, select, update

from storage.models import OutboxEntry
from storage.session import Session

OUTBOX: Table = OutboxEntry.__table__  # type: ignore[assignment]

PENDING, SENT, FAILED, EXPIRED = "pending", "sent", "failed", "expired"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One stored batch of replies as plain data."""

    id: int
    platform: str
    conversation: str
    message_id: str | None
    ref: dict[str, Any]
    replies: list[Any]
    delivery: dict[str, Any] | None
    done: int
    attempts: int
    created_at: datetime


_COLS = (
    OutboxEntry.id,
    OutboxEntry.platform,
    OutboxEntry.conversation,
    OutboxEntry.message_id,
    OutboxEntry.ref,
    OutboxEntry.replies,
    OutboxEntry.delivery,
    OutboxEntry.done,
    OutboxEntry.attempts,
    OutboxEntry.created_at,
)


def _row(row: Sequence[Any]) -> OutboxRow:
    values = list(row)
    values[4] = dict(values[4] or {})
    values[5] = list(values[5] or [])
    values[6] = dict(values[6]) if values[6] else None
    return OutboxRow(*values)


_EARLIER_PENDING = select(OutboxEntry.claimed_by, OutboxEntry.lease_until).where(
    OutboxEntry.conversation == bindparam("conversation"),
    OutboxEntry.status == PENDING,
)


async def add(
    session: Session,
    *,
    platform: str,
    conversation: str,
    message_id: str | None,
    ref: dict[str, Any],
    replies: list[Any],
    delivery: dict[str, Any] | None,
    worker: str,
    now: datetime,
    lease_until: datetime,
) -> tuple[int, bool]:
    """Store a turn's replies; returns (row id, claimed by `worker`).

    The row is claimed by `worker` unless an earlier row of the conversation is still pending
    at another sender: then it is left for whoever sends that one, so the order holds.
    """
    earlier = (await session.execute(_EARLIER_PENDING, {"conversation": conversation})).all()
    mine = all(claimed == worker for claimed, _ in earlier)
    result = await session.execute(
        OUTBOX.insert().returning(OutboxEntry.id),
        {
            "platform": platform,
            "conversation": conversation,
            "message_id": (message_id or None) and message_id[:120],
            "ref": ref,
            "replies": replies,
            "delivery": delivery,
            "done": 0,
            "status": PENDING,
            "attempts": 0,
            "claimed_by": worker[:100] if mine else None,
            "lease_until": lease_until if mine else now,
            "created_at": now,
            "sent_at": None,
            "error": None,
        },
    )
    return int(result.scalar_one()), mine


async def pending_for_message(
    session: Session, conversation: str, message_id: str
) -> list[tuple[int, str | None, datetime]]:
    """(id, claimed_by, lease_until) of the undelivered rows a message's turn stored."""
    rows = await session.execute(
        select(OutboxEntry.id, OutboxEntry.claimed_by, OutboxEntry.lease_until)
        .where(
            OutboxEntry.conversation == conversation,
            OutboxEntry.message_id == message_id[:120],
            OutboxEntry.status == PENDING,
        )
        .order_by(OutboxEntry.id)
    )
    return [(int(i), c, lease) for i, c, lease in rows]


async def load(session: Session, ids: Iterable[int]) -> list[OutboxRow]:
    """The rows with these ids, in id order."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    rows = await session.execute(
        select(*_COLS).where(OutboxEntry.id.in_(wanted)).order_by(OutboxEntry.id)
    )
    return [_row(r) for r in rows]


async def claimable(
    session: Session, now: datetime, platforms: Iterable[str], limit: int
) -> list[int]:
    """Ids of pending rows nobody holds whose conversation's first pending row is free too.

    In id order, so a conversation's rows are handed out together and sent in order.
    """
    heads = (
        select(OutboxEntry.conversation, func.min(OutboxEntry.id).label("head"))
        .where(OutboxEntry.status == PENDING)
        .group_by(OutboxEntry.conversation)
        .subquery()
    )
    head_row = OUTBOX.alias("head_row")
    rows = await session.execute(
        select(OutboxEntry.id)
        .join(heads, heads.c.conversation == OutboxEntry.conversation)
        .join(head_row, head_row.c.id == heads.c.head)
        .where(
            OutboxEntry.status == PENDING,
            OutboxEntry.lease_until <= now,
            OutboxEntry.platform.in_(list(platforms)),
            head_row.c.lease_until <= now,
        )
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    return [int(r[0]) for r in rows]


async def take(
    session: Session, row_id: int, worker: str, now: datetime, lease_until: datetime
) -> bool:
    """Claim one row whose lease ran out; True when this worker now holds it."""
    result = await session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.id == row_id,
            OutboxEntry.status == PENDING,
            OutboxEntry.lease_until <= now,
        )
        .values(claimed_by=worker[:100], lease_until=lease_until)
    )
    return bool(result.rowcount)


async def extend(session: Session, worker: str, ids: Iterable[int], lease_until: datetime) -> None:
    """Keep the rows this worker holds (sending, or waiting out a backoff) for longer."""
    wanted = list(ids)
    if wanted:
        await session.execute(
            update(OutboxEntry)
            .where(
                OutboxEntry.id.in_(wanted),
                OutboxEntry.status == PENDING,
                OutboxEntry.claimed_by == worker[:100],
            )
            .values(lease_until=lease_until)
        )


async def progress(session: Session, row_id: int, done: int) -> None:
    """Record that the first `done` replies of a row were delivered."""
    await session.execute(update(OutboxEntry).where(OutboxEntry.id == row_id).values(done=done))


async def attempt_failed(session: Session, row_id: int, reason: str, attempts: int) -> None:
    """Record a failed attempt (the row stays pending, held by its sender)."""
    await session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == row_id)
        .values(attempts=attempts, error=reason[:2000])
    )


async def finish(
    session: Session,
    row_id: int,
    status: str,
    now: datetime,
    *,
    done: int,
    attempts: int,
    reason: str | None = None,
) -> None:
    """Record the outcome: sent, failed for good (blocked, chat gone) or expired."""
    await session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == row_id)
        .values(
            status=status,
            done=done,
            attempts=attempts,
            sent_at=now if status == SENT else None,
            lease_until=now,
            error=(reason or None) and reason[:2000],
        )
    )


async def sweep(session: Session, before: datetime, limit: int = 1000) -> int:
    """Delete up to `limit` finished rows created before `before`; returns how many."""
    ids = list(
        await session.scalars(
            select(OutboxEntry.id)
            .where(OutboxEntry.status != PENDING, OutboxEntry.created_at < before)
            .limit(limit)
        )
    )
    if ids:
        await session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(ids)))
    return len(ids)


async def counts(session: Session) -> dict[str, int]:
    """Rows per status (for tests, benchmarks and the CLI)."""
    rows = await session.execute(
        select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)
    )
    return {str(status): int(n) for status, n in rows}


async def stale_pending(session: Session, older_than: datetime) -> int:
    """How many rows are still pending though created before `older_than`."""
    n = await session.scalar(
        select(func.count())
        .select_from(OutboxEntry)
        .where(and_(OutboxEntry.status == PENDING, OutboxEntry.created_at < older_than))
    )
    return int(n or 0)
