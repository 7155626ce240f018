"""The broadcaster's part of the daily post's counts: edit in what changed since the last edit.

A press that could not edit the post (it was edited less than a minute ago) only marked it as
changed; each pass of the broadcaster (one replica at a time) edits those posts once their
minute is over, paced like the posts themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.daily.post import daily_post, post_ref
from bot.daily.tally import EDIT_EVERY, EDITABLE_FOR
from bot.messages import ConversationRef, Reply, SendResult
from bot.pacing import Pacer
from content.index import PackIndex
from storage import daily_posts
from storage.db import Database
from storage.errors import StorageError

log = logging.getLogger(__name__)


class CountsSender(Protocol):
    """What refreshing needs of an adapter: its platform and `send()`."""

    platform: str

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Deliver replies outside of a turn."""
        ...


class Broadcaster(Protocol):
    """What refreshing needs of the daily broadcaster (`bot.daily.service.DailyService`)."""

    db: Database
    pack: PackIndex
    pacer: Pacer
    clock: Clock

    @property
    def senders(self) -> Mapping[str, CountsSender]:
        """The adapters by platform."""
        ...


async def refresh_counts(service: Broadcaster) -> int:
    """Edit the counts into every post whose counts changed since its last edit a minute ago.

    Run by the broadcaster's pass, which one replica at a time holds. Returns how many posts
    were edited; a failure is logged and never stops the broadcast.
    """
    try:
        return await _refresh(service, service.clock.now())
    except StorageError as exc:
        # The database is read-only or gone for a moment: the next pass tries again.
        log.warning("daily: the posts' counts wait for the database (%s)", exc)
        return 0
    except Exception:
        # Counts are a nicety: the posts themselves matter more.
        log.exception("daily: refreshing the posts' counts failed")
        return 0


async def _refresh(service: Broadcaster, now: datetime) -> int:
    async with service.db.session() as session:
        stale = await daily_posts.stale_posts(session, now, EDIT_EVERY, EDITABLE_FOR)
    edited = 0
    for item in stale:
        sub, post = item.sub, item.post
        sender = service.senders.get(sub.platform)
        if sender is None or post.term_id not in service.pack.terms:
            continue
        async with service.db.session() as session:
            if not await daily_posts.claim_edit(session, post.delivery_id, now, EDIT_EVERY):
                continue  # a press took this minute's edit
            counts = await daily_posts.counts(session, post.delivery_id)
        await service.pacer.wait(sub.platform, sub.workspace, sub.chat, sub.is_group)
        edit = daily_post(service.pack, post.term_id, counts, edits=post.message_id)
        result = await sender.send(post_ref(sub), edit)
        if result.ok:
            edited += 1
        else:
            log.info("daily: counts of post %s not edited: %s", post.delivery_id, result.reason)
    return edited
