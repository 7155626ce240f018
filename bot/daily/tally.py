"""The daily post's counts: who knew the term and who met it new, edited into the shared post.

A press of "I knew it" or "New to me" is counted once per learner and post, in the press's own
transaction (`count_press`). The post is edited at most once a minute across all replicas: the
edit goes with the press that claims the minute (`storage.daily_posts.claim_edit`); presses
in between only mark the post as changed, and the broadcaster's next pass edits them in once
the minute is over (`bot.daily.refresh`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.context import TurnContext
from storage import daily_posts, subscriptions
from storage.daily_posts import Counts

log = logging.getLogger(__name__)

# The post shows counts, never who: edited at most this often.
EDIT_EVERY = timedelta(minutes=1)
# Presses on posts older than this no longer change them.
EDITABLE_FOR = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class DueEdit:
    """A post to edit now: its platform id and its counts."""

    message_id: str
    counts: Counts


async def count_press(ctx: TurnContext, term_id: str, verb: str, thread_key: str) -> DueEdit | None:
    """Count the presser's answer to the chat's post of `term_id`; the edit when one is due.

    None when the post is unknown (an old post, a press in another chat), when the learner was
    counted already, or when the post was edited less than a minute ago (the broadcaster
    edits the new count in later).
    """
    ref = ctx.ref
    sub = await subscriptions.get_subscription(
        ctx.session, ref.platform, ref.workspace, ref.chat, thread_key
    )
    if sub is None:
        return None
    post = await daily_posts.latest_post(ctx.session, sub.id, term_id)
    if post is None:
        return None
    counted = await daily_posts.record_response(
        ctx.session, post.delivery_id, ctx.learner.id, verb, ctx.now
    )
    if not counted or not await daily_posts.claim_edit(
        ctx.session, post.delivery_id, ctx.now, EDIT_EVERY
    ):
        return None
    return DueEdit(post.message_id, await daily_posts.counts(ctx.session, post.delivery_id))
