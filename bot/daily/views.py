"""Read-only views of the daily term for the CLI.

Every subscription with its next post and last delivery, and which term each gets on a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.daily.order import term_at
from bot.daily.schedule import (
    local_date,
    next_post_at,
    posting_days,
    posts_on,
    schedule_of,
    window_closed,
)
from content.index import PackIndex
from storage import subscriptions as store
from storage.db import Database


@dataclass(frozen=True)
class ListedSubscription:
    """A subscription with its next post time and its last delivery."""

    sub: store.SubscriptionRow
    next_post: datetime | None
    last: store.DeliveryRow | None


async def list_subscriptions(db: Database, now: datetime) -> list[ListedSubscription]:
    """Every subscription, with when it posts next and what it posted last."""
    async with db.session() as session:
        subs = await store.all_subscriptions(session)
        last = await store.last_deliveries(session)
    out = []
    for sub in subs:
        latest = last.get(sub.id)
        nxt = None
        if sub.active:
            today = local_date(schedule_of(sub), now)
            done = (
                latest is not None and latest.local_date == today and latest.status != store.CLAIMED
            )
            nxt = next_post_at(schedule_of(sub), now, done_today=done)
        out.append(ListedSubscription(sub, nxt, latest))
    return out


@dataclass(frozen=True)
class PreviewRow:
    """Which term a subscription gets on a local date, or why it gets none."""

    sub: store.SubscriptionRow
    day: date
    term_id: str | None
    note: str


async def preview_terms(
    db: Database, pack: PackIndex, day: date | None, now: datetime
) -> list[PreviewRow]:
    """The term each active subscription gets on local date `day` (default: its own today).

    Days with a log entry show what was (or is being) posted. Later days are a forecast: the walk
    advances one term per post sent, so a post that fails on an earlier day shifts later terms.
    """
    rows: list[PreviewRow] = []
    async with db.session() as session:
        subs = await store.active_subscriptions(session)
        targets = {sub.id: day or local_date(schedule_of(sub), now) for sub in subs}
        logged = await store.deliveries_on(session, set(targets.values()))
        for sub in subs:
            schedule, target = schedule_of(sub), targets[sub.id]
            entry = logged.get((sub.id, target))
            if entry is not None:
                rows.append(PreviewRow(sub, target, entry.term_id, entry.status))
                continue
            today = local_date(schedule, now)
            if target < today:
                rows.append(PreviewRow(sub, target, None, "past day, nothing was posted"))
                continue
            if not posts_on(schedule, target):
                rows.append(PreviewRow(sub, target, None, "no post (weekend)"))
                continue
            base = await store.next_sequence(session, sub.id)
            today_row = await store.delivery_for(session, sub.id, today)
            if today_row is not None and today_row.status == store.CLAIMED:
                base += 1  # today's post is in flight and holds the current position
            pending_today = (
                today_row is None
                and posts_on(schedule, today)
                and not window_closed(schedule, today, now)
            )
            start = today if pending_today else today + timedelta(days=1)
            if target < start:
                rows.append(PreviewRow(sub, target, None, "today's window has passed"))
                continue
            sequence = base + posting_days(schedule, start, target)
            term_id = term_at(pack.term_order, sub.order_seed, sequence)
            rows.append(PreviewRow(sub, target, term_id, "planned"))
    return rows
