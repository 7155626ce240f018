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
from storage import cards, terms_seen, turns

# One self-rating per term per learner within this window; a second press is only acknowledged.
RATE_ONCE_WITHIN = timedelta(hours=12)
# Learner settings: when they last rated each term themselves (ISO times, pruned to the window).
RATED_KEY = "daily_rated"


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


def _rated_recently(ctx: TurnContext, term_id: str) -> bool:
    """True when the learner pressed "I knew it" or "New to me" for this term lately.

    Only their own presses count: a quiz answer or a role-play that failed the card today is
    no "you already told me" (a first press after a role-play got that answer).
    """
    stamp = ctx.learner.settings.get(RATED_KEY, {}).get(term_id)
    if not isinstance(stamp, str):
        return False
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return False
    return ctx.now - when < RATE_ONCE_WITHIN


async def _remember_rating(ctx: TurnContext, term_id: str) -> None:
    settings = dict(ctx.learner.settings)
    rated = {
        t: w
        for t, w in dict(settings.get(RATED_KEY, {})).items()
        if isinstance(w, str) and w >= (ctx.now - RATE_ONCE_WITHIN).isoformat()
    }
    rated[term_id] = ctx.now.isoformat()
    settings[RATED_KEY] = rated
    await turns.update_learner(ctx.session, ctx.learner.id, settings=settings)
    ctx.learner.settings = settings


async def rate_term(ctx: TurnContext, term_id: str, knew: bool) -> RateOutcome:
    """Review the learner's card for `term_id`: Good when they knew it, Again when it was new."""
    session, learner_id, now = ctx.session, ctx.learner.id, ctx.now
    before = await progress.load_card(session, learner_id, term_id)
    if before is not None and _rated_recently(ctx, term_id):
        return RateOutcome(_local(ctx, before.due), already=True)
    card = before or srs.new_card(term_id, now)
    rating = Rating.Good if knew else Rating.Again
    after, _log = srs.review(card, rating, now)
    # save_card raises Conflict when a parallel turn moved the card; the engine reruns us.
    before_reps = before.reps if before is not None else None
    await cards.save_card(session, learner_id, before_reps, after.row(), now)
    await cards.add_review_log(session, learner_id, term_id, int(rating), now, None)
    await terms_seen.mark_seen(session, learner_id, term_id, now)
    await _remember_rating(ctx, term_id)
    return RateOutcome(_local(ctx, after.due))
