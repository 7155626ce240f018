"""Feed "I knew it" / "New to me" into the presser's own spaced-repetition card for the term.

Uses the quiz's FSRS functions (`bot.quiz.srs.review`, `storage.cards`), so a self-rating and a
quiz answer move the same card the same way: "I knew it" is Good, "New to me" is Again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Rating

from bot import progress
from bot.context import TurnContext
from bot.quiz import srs
from storage import cards, terms_seen

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
    before = await progress.load_card(session, learner_id, term_id)
    if before is not None and await cards.reviewed_since(
        session, learner_id, term_id, now - RATE_ONCE_WITHIN
    ):
        return RateOutcome(_local(ctx, before.due), already=True)
    card = before or srs.new_card(term_id, now)
    rating = Rating.Good if knew else Rating.Again
    after, _log = srs.review(card, rating, now)
    # save_card raises Conflict when a parallel turn moved the card; the engine reruns us.
    before_reps = before.reps if before is not None else None
    await cards.save_card(session, learner_id, before_reps, after.row(), now)
    await cards.add_review_log(session, learner_id, term_id, int(rating), now, None)
    await terms_seen.mark_seen(session, learner_id, term_id, now)
    return RateOutcome(_local(ctx, after.due))
