"""Mistakes come back: terms missed or misused in a role-play, and phrases kept from a debrief.

A target term the learner did not use, or misused, counts as a failed review (FSRS rating Again)
and is marked to be asked as *produce the term* next time: a learner who could not find the word
in the conversation must practise finding it, not recognising it (Webb 2009). Phrases saved from
the debrief get review cards of their own.
"""

from __future__ import annotations

from fsrs import Rating

from bot import progress
from bot.coach.feedback import Feedback
from bot.context import TurnContext
from bot.quiz import produce, srs
from storage import cards, phrases


async def _fail(ctx: TurnContext, card_id: str) -> None:
    before = await progress.load_card(ctx.session, ctx.learner.id, card_id)
    card = before or srs.new_card(card_id, ctx.now)
    after, _log = srs.review(card, Rating.Again, ctx.now)
    before_reps = before.reps if before is not None else None
    await cards.save_card(ctx.session, ctx.learner.id, before_reps, after.row(), ctx.now)
    await cards.add_review_log(
        ctx.session, ctx.learner.id, card_id, int(Rating.Again), ctx.now, None
    )


async def bring_back(ctx: TurnContext, feedback: Feedback) -> list[str]:
    """Fail the cards of the terms missed or misused; returns their ids, in feedback order."""
    failed = [t.id for t in feedback.terms if t.status != "used" and t.id in ctx.pack.terms]
    for term_id in failed:
        await _fail(ctx, term_id)
    if failed:
        await produce.mark(ctx, failed)
    return failed


async def keep_phrases(ctx: TurnContext, texts: list[str], source: str) -> int:
    """Save phrases for review (a card due now for each new one); returns how many are kept."""
    ids = await phrases.save(ctx.session, ctx.learner.id, texts, source, ctx.now)
    known = {c.term_id for c in (await progress.load_cards(ctx.session, ctx.learner.id)).values()}
    for phrase_id in ids:
        card_id = phrases.card_id(phrase_id)
        if card_id not in known:
            # A first review today: "Again" puts it on the learning steps, minutes away.
            await _fail(ctx, card_id)
    return len(ids)
