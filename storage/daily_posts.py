"""A sent daily post's counts: who knew the term, who met it new, and when to edit them in.

The counts are rows (one per learner and post), so every replica reads the same figures. The
post is edited at most once per interval: `claim_edit` is one conditional UPDATE of the post's
`edited_at`, which only one transaction can win per interval, whichever replica runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, func, or_, select, update

from storage.models import DailyResponse, Delivery, Subscription
from storage.session import Session
from storage.sql import insert_ignore
from storage.subscriptions import _SUB_COLS, SENT, SubscriptionRow, _sub

RESPONSES: Table = DailyResponse.__table__  # type: ignore[assignment]
KNEW, NEW = "knew", "new"


@dataclass(frozen=True, slots=True)
class SentPost:
    """A daily post that reached its chat: its log row, term and platform id."""

    delivery_id: int
    term_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Counts:
    """How many learners said they knew the term, and how many met it new."""

    knew: int = 0
    new: int = 0


async def set_message_id(session: Session, delivery_id: int, message_id: str) -> None:
    """Remember the platform id of a sent post."""
    await session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(message_id=message_id[:64])
    )


async def latest_post(session: Session, sub_id: int, term_id: str) -> SentPost | None:
    """The subscription's most recent sent post of this term, if its platform id is known."""
    row = (
        await session.execute(
            select(Delivery.id, Delivery.term_id, Delivery.message_id)
            .where(
                Delivery.subscription_id == sub_id,
                Delivery.term_id == term_id,
                Delivery.status == SENT,
                Delivery.message_id.is_not(None),
            )
            .order_by(Delivery.local_date.desc())
            .limit(1)
        )
    ).first()
    return SentPost(int(row[0]), str(row[1]), str(row[2])) if row is not None else None


async def record_response(
    session: Session, delivery_id: int, learner_id: int, verb: str, now: datetime
) -> bool:
    """Count one learner's answer to a post (their first one only); True when it counted."""
    counted = await insert_ignore(
        session,
        RESPONSES,
        {"delivery_id": delivery_id, "learner_id": learner_id, "verb": verb, "at": now},
    )
    if counted:
        await session.execute(
            update(Delivery).where(Delivery.id == delivery_id).values(counted_at=now)
        )
    return counted


async def counts(session: Session, delivery_id: int) -> Counts:
    """The post's counts."""
    rows = await session.execute(
        select(DailyResponse.verb, func.count())
        .where(DailyResponse.delivery_id == delivery_id)
        .group_by(DailyResponse.verb)
    )
    by_verb = {str(verb): int(n) for verb, n in rows}
    return Counts(knew=by_verb.get(KNEW, 0), new=by_verb.get(NEW, 0))


async def claim_edit(session: Session, delivery_id: int, now: datetime, every: timedelta) -> bool:
    """Take this interval's edit of the post; False when it was edited less than `every` ago."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.message_id.is_not(None),
            or_(Delivery.edited_at.is_(None), Delivery.edited_at <= now - every),
        )
        .values(edited_at=now)
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class StalePost:
    """A post whose counts changed since they were last edited in, with its subscription."""

    post: SentPost
    sub: SubscriptionRow


async def stale_posts(
    session: Session, now: datetime, every: timedelta, within: timedelta
) -> list[StalePost]:
    """The edits the broadcaster owes: posts sent within `within` whose counts changed.

    Only posts whose last edit is at least `every` ago.
    """
    rows = await session.execute(
        select(Delivery.id, Delivery.term_id, Delivery.message_id, *_SUB_COLS)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(
            Delivery.status == SENT,
            Delivery.message_id.is_not(None),
            Delivery.counted_at.is_not(None),
            Delivery.sent_at >= now - within,
            Subscription.active.is_(True),
            or_(
                Delivery.edited_at.is_(None),
                and_(Delivery.edited_at < Delivery.counted_at, Delivery.edited_at <= now - every),
            ),
        )
        .order_by(Delivery.id)
    )
    return [StalePost(SentPost(int(r[0]), str(r[1]), str(r[2])), _sub(tuple(r[3:]))) for r in rows]
