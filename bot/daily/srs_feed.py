"""Feed "I knew it" / "New to me" into the presser's own spaced-repetition card for the term.

Uses the quiz's FSRS functions (`bot.quiz.srs.review`, `bot.quiz.store`), so a self-rating and a
quiz answer move the same card the same way: "I knew it" is Good, "New to me" is Again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Rating
from sqlalchemy import select

from bot.context import TurnContext
from bot.quiz import srs
from bot.quiz import store as cards
from storage import repos
from storage.models import ReviewLogRow

# One self-rating per term per learner within this window; a second press is only acknowledged.
RATE_ONCE_WITHIN = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class RateOutcome:
    """When the card is due next (in the learner's timezone) and whether this was a repeat press."""

    due: datetime
    already: bool = False


def _local(ctx: TurnContext, when: datetime) -> datetime:
    try:
        return when.astimezone(ZoneInfo(ctx.learner.timezone))
    except (ValueError, KeyError):
        return when


async def rate_term(ctx: TurnContext, term_id: str, knew: bool) -> RateOutcome:
    """Review the learner's card for `term_id`: Good when they knew it, Again when it was new."""
    session, learner_id, now = ctx.session, ctx.learner.id, ctx.now
    before = await cards.load_card(session, learner_id, term_id)
    if before is not None:
        recent = await session.scalar(
            select(ReviewLogRow.id)
            .where(
                ReviewLogRow.learner_id == learner_id,
                ReviewLogRow.term_id == term_id,
                ReviewLogRow.reviewed_at > now - RATE_ONCE_WITHIN,
            )
            .limit(1)
        )
        if recent is not None:
            return RateOutcome(_local(ctx, before.due), already=True)
    card = before or srs.new_card(term_id, now)
    rating = Rating.Good if knew else Rating.Again
    after, _log = srs.review(card, rating, now)
    # save_card raises VersionConflict when a parallel turn moved the card; the engine reruns us.
    await cards.save_card(session, learner_id, before, after, now)
    await cards.add_review_log(session, learner_id, term_id, int(rating), now, None)
    await repos.mark_seen(session, learner_id, term_id, now)
    return RateOutcome(_local(ctx, after.due))
