"""The daily term's tables: subscriptions and the delivery log (Core statements).

The delivery log's unique (subscription_id, local_date) key is what makes a post happen once:
a sender first inserts the row with ON CONFLICT DO NOTHING (the claim), and only the sender whose
insert succeeded, or who took over a claim whose lease expired, sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Table, and_, func, select, update

from storage.models import Delivery, Subscription
from storage.session import Session
from storage.sql import insert_ignore

SUBSCRIPTIONS: Table = Subscription.__table__  # type: ignore[assignment]
DELIVERIES: Table = Delivery.__table__  # type: ignore[assignment]

CLAIMED, SENT, FAILED = "claimed", "sent", "failed"


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A subscription as plain data."""

    id: int
    platform: str
    workspace: str
    chat: str
    thread_key: str
    is_group: bool
    local_time: str
    timezone: str
    weekdays_only: bool
    active: bool
    inactive_reason: str | None
    order_seed: int
    created_by: str | None


_SUB_COLS = (
    Subscription.id,
    Subscription.platform,
    Subscription.workspace,
    Subscription.chat,
    Subscription.thread_key,
    Subscription.is_group,
    Subscription.local_time,
    Subscription.timezone,
    Subscription.weekdays_only,
    Subscription.active,
    Subscription.inactive_reason,
    Subscription.order_seed,
    Subscription.created_by,
)


def _sub(row: Sequence[object]) -> SubscriptionRow:
    return SubscriptionRow(*row)  # type: ignore[arg-type]


async def get_subscription(
    session: Session, platform: str, workspace: str, chat: str, thread_key: str = ""
) -> SubscriptionRow | None:
    """The subscription of one chat (active or not)."""
    row = (
        await session.execute(
            select(*_SUB_COLS).where(
                Subscription.platform == platform,
                Subscription.workspace == workspace,
                Subscription.chat == chat,
                Subscription.thread_key == thread_key,
            )
        )
    ).first()
    return _sub(row) if row else None


async def subscription_by_id(session: Session, sub_id: int) -> SubscriptionRow | None:
    """One subscription by id."""
    row = (await session.execute(select(*_SUB_COLS).where(Subscription.id == sub_id))).first()
    return _sub(row) if row else None


async def save_subscription(
    session: Session,
    *,
    platform: str,
    workspace: str,
    chat: str,
    thread_key: str,
    is_group: bool,
    local_time: str,
    timezone: str,
    weekdays_only: bool,
    seed: int,
    user: str,
    now: datetime,
) -> SubscriptionRow:
    """Create the chat's subscription, or update and reactivate the existing one (its walk goes on)."""
    values = {
        "is_group": is_group,
        "local_time": local_time,
        "timezone": timezone,
        "weekdays_only": weekdays_only,
        "active": True,
        "inactive_reason": None,
        "updated_at": now,
    }
    key = {"platform": platform, "workspace": workspace, "chat": chat, "thread_key": thread_key}
    inserted = await insert_ignore(
        session,
        SUBSCRIPTIONS,
        {**key, **values, "order_seed": seed, "created_by": user, "created_at": now},
    )
    if not inserted:
        await session.execute(
            update(Subscription)
            .where(*(getattr(Subscription, k) == v for k, v in key.items()))
            .values(**values)
        )
    found = await get_subscription(session, platform, workspace, chat, thread_key)
    assert found is not None
    return found


async def deactivate(session: Session, sub_id: int, reason: str, now: datetime) -> None:
    """Stop a subscription (``daily off``, or the chat blocked the bot or is gone)."""
    await session.execute(
        update(Subscription)
        .where(Subscription.id == sub_id)
        .values(active=False, inactive_reason=reason[:300], updated_at=now)
    )


async def move_subscription(
    session: Session, sub: SubscriptionRow, new_chat: str, now: datetime
) -> bool:
    """Point a subscription at the chat's new id (a Telegram group became a supergroup).

    False when the new chat already has its own subscription; then this one is deactivated.
    """
    existing = await get_subscription(
        session, sub.platform, sub.workspace, new_chat, sub.thread_key
    )
    if existing is not None and existing.id != sub.id:
        await deactivate(session, sub.id, f"chat migrated to {new_chat}", now)
        return False
    await session.execute(
        update(Subscription).where(Subscription.id == sub.id).values(chat=new_chat, updated_at=now)
    )
    return True


async def active_subscriptions(
    session: Session, platforms: Iterable[str] | None = None
) -> list[SubscriptionRow]:
    """Every active subscription, optionally only of some platforms."""
    stmt = select(*_SUB_COLS).where(Subscription.active.is_(True)).order_by(Subscription.id)
    if platforms is not None:
        stmt = stmt.where(Subscription.platform.in_(list(platforms)))
    return [_sub(r) for r in await session.execute(stmt)]


async def all_subscriptions(session: Session) -> list[SubscriptionRow]:
    """Every subscription, active or not (for `termcoach daily list`)."""
    return [_sub(r) for r in await session.execute(select(*_SUB_COLS).order_by(Subscription.id))]


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One entry of the delivery log."""

    id: int
    subscription_id: int
    local_date: date
    sequence: int
    term_id: str
    status: str
    claimed_by: str | None
    lease_until: datetime
    attempts: int
    sent_at: datetime | None
    error: str | None


_DEL_COLS = (
    Delivery.id,
    Delivery.subscription_id,
    Delivery.local_date,
    Delivery.sequence,
    Delivery.term_id,
    Delivery.status,
    Delivery.claimed_by,
    Delivery.lease_until,
    Delivery.attempts,
    Delivery.sent_at,
    Delivery.error,
)


def _del(row: Sequence[object]) -> DeliveryRow:
    return DeliveryRow(*row)  # type: ignore[arg-type]


async def deliveries_on(
    session: Session, dates: Iterable[date]
) -> dict[tuple[int, date], DeliveryRow]:
    """Log entries for these local dates, by (subscription id, date).

    A pass only ever looks at two or three local dates (timezones straddle midnight), so one query
    by date is cheaper than one by subscription.
    """
    wanted = sorted(set(dates))
    if not wanted:
        return {}
    rows = await session.execute(select(*_DEL_COLS).where(Delivery.local_date.in_(wanted)))
    return {(d.subscription_id, d.local_date): d for d in map(_del, rows)}


async def next_sequence(session: Session, sub_id: int) -> int:
    """The walk position of the subscription's next post: how many posts were sent before."""
    top = await session.scalar(
        select(func.max(Delivery.sequence)).where(
            Delivery.subscription_id == sub_id, Delivery.status == SENT
        )
    )
    return 0 if top is None else int(top) + 1


async def last_deliveries(session: Session) -> dict[int, DeliveryRow]:
    """The most recent log entry of every subscription."""
    latest = (
        select(Delivery.subscription_id, func.max(Delivery.local_date).label("day"))
        .group_by(Delivery.subscription_id)
        .subquery()
    )
    rows = await session.execute(
        select(*_DEL_COLS).join(
            latest,
            and_(
                Delivery.subscription_id == latest.c.subscription_id,
                Delivery.local_date == latest.c.day,
            ),
        )
    )
    return {d.subscription_id: d for d in map(_del, rows)}


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this sender now owns: send it, then record the outcome."""

    delivery_id: int
    subscription_id: int
    local_date: date
    sequence: int
    term_id: str
    attempts: int


async def claim(
    session: Session,
    *,
    sub_id: int,
    day: date,
    sequence: int,
    term_id: str,
    worker: str,
    now: datetime,
    lease_until: datetime,
) -> Claim | None:
    """Claim the (subscription, day) post, or take over a claim whose lease ran out.

    The first statement writes, so on SQLite the transaction takes the write lock at once (and
    waits on the busy timeout) instead of failing to upgrade a read snapshot under a race.
    """
    inserted = await insert_ignore(
        session,
        DELIVERIES,
        {
            "subscription_id": sub_id,
            "local_date": day,
            "sequence": sequence,
            "term_id": term_id,
            "status": CLAIMED,
            "claimed_by": worker[:100],
            "claimed_at": now,
            "lease_until": lease_until,
            "attempts": 1,
            "sent_at": None,
            "error": None,
        },
    )
    if not inserted:
        # Someone claimed it before. Only a claim whose lease expired (its sender died, or it is
        # waiting out a backoff) may be taken over; the WHERE makes the takeover atomic.
        result = await session.execute(
            update(Delivery)
            .where(
                Delivery.subscription_id == sub_id,
                Delivery.local_date == day,
                Delivery.status == CLAIMED,
                Delivery.lease_until <= now,
            )
            .values(
                claimed_by=worker[:100],
                claimed_at=now,
                lease_until=lease_until,
                attempts=Delivery.attempts + 1,
            )
        )
        if result.rowcount != 1:
            return None
    row = (
        await session.execute(
            select(*_DEL_COLS).where(Delivery.subscription_id == sub_id, Delivery.local_date == day)
        )
    ).one()
    d = _del(row)
    # A taken-over claim keeps the term it was first given, so a retry posts the same term.
    return Claim(d.id, sub_id, day, d.sequence, d.term_id, d.attempts)


async def mark_sent(
    session: Session, delivery_id: int, now: datetime, message_id: str | None = None
) -> None:
    """Record that the post reached the platform (as message `message_id`, when known)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status=SENT, sent_at=now, lease_until=now, error=None, message_id=message_id)
    )


async def mark_failed(session: Session, delivery_id: int, reason: str, now: datetime) -> None:
    """Record that the post will not be sent (blocked, gone, out of attempts, window closed)."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == CLAIMED)
        .values(status=FAILED, error=reason[:2000], lease_until=now)
    )


async def mark_retry(session: Session, delivery_id: int, reason: str, retry_at: datetime) -> None:
    """Keep the claim but let it be taken over at `retry_at` (the backoff), noting the reason."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == CLAIMED)
        .values(lease_until=retry_at, error=reason[:2000])
    )


async def extend_lease(
    session: Session, delivery_id: int, worker: str, lease_until: datetime
) -> None:
    """Push a live claim's lease forward (only while this worker still holds it)."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == CLAIMED,
            Delivery.claimed_by == worker[:100],
        )
        .values(lease_until=lease_until)
    )


async def expired_claims(session: Session, now: datetime) -> list[DeliveryRow]:
    """Claims whose lease ran out: senders that died, or retries waiting for their backoff."""
    rows = await session.execute(
        select(*_DEL_COLS).where(Delivery.status == CLAIMED, Delivery.lease_until <= now)
    )
    return [_del(r) for r in rows]


async def delivery_for(session: Session, sub_id: int, day: date) -> DeliveryRow | None:
    """The log entry of one subscription on one local date."""
    row = (
        await session.execute(
            select(*_DEL_COLS).where(Delivery.subscription_id == sub_id, Delivery.local_date == day)
        )
    ).first()
    return _del(row) if row else None
