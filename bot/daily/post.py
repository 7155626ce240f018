"""The daily post (a term card with three buttons) and what its buttons do.

Building the post is the engine's side of a proactive message: `daily_post` returns neutral
`Reply` objects that the sender hands to the adapter's `send()`, like botbuilder's
``continue_conversation``. The buttons come back as ordinary `ChoiceIn` turns with payloads
``daily:quiz:<term>``, ``daily:knew:<term>`` and ``daily:new:<term>``, handled here for whoever
pressed them, never for the channel.
"""

from __future__ import annotations

import dataclasses
import logging

from bot.cards import term_card
from bot.context import TurnContext
from bot.daily.srs_feed import rate_term
from bot.messages import Choice, CommandIn, ConversationRef, Reply, escape
from bot.wording import day_phrase, sentence_case
from content.index import PackIndex
from storage.subscriptions import SubscriptionRow

log = logging.getLogger(__name__)

ACTION_PREFIX = "daily"
QUIZ, KNEW, NEW = "quiz", "knew", "new"


def post_choices(term_id: str) -> tuple[Choice, ...]:
    """The three buttons under a daily post (payloads well within Telegram's 64 bytes)."""
    return (
        Choice("Quiz me", f"{ACTION_PREFIX}:{QUIZ}:{term_id}"),
        Choice("I knew it", f"{ACTION_PREFIX}:{KNEW}:{term_id}"),
        Choice("New to me", f"{ACTION_PREFIX}:{NEW}:{term_id}"),
    )


def daily_post(pack: PackIndex, term_id: str, sequence: int) -> list[Reply]:
    """The post for one subscription and day: one message, the term card with the buttons."""
    term = pack.terms[term_id]
    card = term_card(pack, term, with_buttons=False)
    total = len(pack.terms)
    number = sequence % total + 1
    header = f"*Term of the day* · {number} of {total}"
    return [dataclasses.replace(card, text=f"{header}\n{card.text}", choices=post_choices(term_id))]


async def daily_action(ctx: TurnContext, rest: str) -> list[Reply]:
    """Handle a daily-post button for the learner who pressed it; every reply is private."""
    verb, _, term_id = rest.partition(":")
    term = ctx.pack.terms.get(term_id)
    if term is None:
        return [
            Reply(
                "That term is no longer in the course. Type /term to see a new one.",
                private=True,
            )
        ]
    if verb == QUIZ:
        replies = await _quiz(ctx, term_id)
    elif verb in (KNEW, NEW):
        replies = await _rate(ctx, term_id, knew=verb == KNEW)
    else:
        replies = [Reply("That button has expired. Type /help to see what you can do.")]
    return [dataclasses.replace(r, private=True) for r in replies]


def post_ref(sub: SubscriptionRow) -> ConversationRef:
    """Where a subscription's posts go; the user is empty: a post is for the whole chat."""
    thread = sub.thread_key or None
    return ConversationRef(
        sub.platform, sub.workspace, sub.chat, "", thread, thread_is_place=thread is not None
    )


async def _quiz(ctx: TurnContext, term_id: str) -> list[Reply]:
    # A quiz is multi-step: pressed under a group's post, it goes on in the presser's private
    # chat (`bot.handoff`), and the group's own state is left alone.
    return await ctx.run_command(CommandIn(ref=ctx.ref, name="quiz", args=f"term:{term_id}"))


async def _rate(ctx: TurnContext, term_id: str, knew: bool) -> list[Reply]:
    term = ctx.pack.terms[term_id]
    outcome = await rate_term(ctx, term_id, knew)
    when = day_phrase(outcome.due, ctx.now.astimezone(outcome.due.tzinfo))
    if outcome.already:
        return [
            Reply(
                f"You already told me about *{escape(term.term)}* today. "
                f"It comes back for review {when}."
            )
        ]
    if knew:
        text = (
            f"Nice. *{escape(sentence_case(term.term))}* is on your review list; "
            "I'll check you still know it "
            f"{when}."
        )
    else:
        text = (
            f"Added *{escape(term.term)}* to your reviews; it comes back {when}, "
            "and I'll ask you about it then."
        )
    return [Reply(text, choices=(Choice("Quiz me", f"{ACTION_PREFIX}:{QUIZ}:{term_id}"),))]
