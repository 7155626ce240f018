"""The review activity: the cards FSRS says are due, plus a few new terms a day.

New terms are introduced up to the learner's `new_per_day` (default 5) per local calendar day;
a term counts as introduced on the day its card is created (its first answer, in a quiz or here).
"""

from __future__ import annotations

from typing import ClassVar

from bot import progress
from bot.context import TurnContext
from bot.messages import Choice, Reply
from bot.quiz.activity import RETRY_NOTE, QuestionRound
from bot.quiz.plan import RoundState, parse_mode, planned, space_pairs
from bot.quiz.srs import plan_session
from bot.quiz.streaks import day_start, local_date, zone
from bot.wording import count
from storage import cards as stored_cards
from storage import terms_seen

REVIEW_LIMIT = 15
PAYLOAD_PREFIX = "r"
DEFAULT_NEW_PER_DAY = 5


def new_candidates(term_order: list[str], seen: set[str]) -> list[str]:
    """New terms in the order to introduce them: ones already met on a term card first."""
    return [t for t in term_order if t in seen] + [t for t in term_order if t not in seen]


class ReviewActivity(QuestionRound):
    """Runs the due cards, most urgent first, then today's new terms."""

    name: ClassVar[str] = "review"
    title: ClassVar[str] = "review"
    noun: ClassVar[str] = "review"
    payload_prefix: ClassVar[str] = PAYLOAD_PREFIX

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """Plan today's review (due cards and new terms) and ask the first question."""
        poll_flag, _ = parse_mode(args)
        poll = poll_flag if poll_flag is not None else ctx.learner.quiz_mode == "poll"
        tz = zone(ctx.learner.timezone)
        today_start = day_start(local_date(ctx.now, tz), tz)
        introduced = await stored_cards.introduced_since(ctx.session, ctx.learner.id, today_start)
        per_day = ctx.learner.new_per_day if ctx.learner.new_per_day >= 0 else DEFAULT_NEW_PER_DAY
        quota = max(0, per_day - introduced)
        cards = await progress.load_cards(ctx.session, ctx.learner.id)
        seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
        candidates = [t for t in new_candidates(ctx.pack.term_order, seen) if t in ctx.pack.terms]
        fresh_ids = [t for t in candidates if t not in cards or cards[t].is_new]
        candidates = space_pairs(ctx.pack, fresh_ids, cards)
        # The same cards that /stats and every "due" line count (progress.review_cards).
        reviewable = await progress.review_cards(ctx.session, ctx.pack, ctx.learner.id)
        due, fresh = plan_session(
            list(reviewable.values()),
            candidates,
            ctx.now,
            new_quota=quota,
            limit=REVIEW_LIMIT,
        )
        if not due and not fresh:
            more = (
                f"You have met all {per_day} new terms for today."
                if per_day
                else "New terms are off (/settings new 5 turns them on)."
            )
            upcoming = progress.next_review_line(cards.values(), ctx.now, ctx.learner.timezone)
            return [
                Reply(
                    f"Nothing is due right now. {more}\n{upcoming}\n"
                    "Want more practice? Try /quiz TOPIC.",
                    choices=(Choice("Quiz me anyway", "cmd:quiz"),),
                )
            ]
        state = RoundState(
            label="review",
            items=planned([*due, *fresh], cards, seen),
            poll=poll,
        )
        soon = progress.due_soon(reviewable.values(), ctx.now)
        parts = []
        if due:
            parts.append(f"{count(len(due), 'term')} due for review{progress.soon_phrase(soon)}")
        if fresh:
            parts.append(f"{count(len(fresh), 'new term')}")
        intro = f"Today's review: {' and '.join(parts)}."
        if soon and not due:
            intro += f" {count(soon, 'more term')} will be due in a few minutes."
        intro += f" {RETRY_NOTE} /cancel stops."
        return await self.begin(ctx, state, intro)
