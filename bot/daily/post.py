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
from bot.messages import Choice, CommandIn, ConversationRef, Reply, escape
from bot.wording import day_phrase, sentence_case
from content.index import PackIndex
from storage import repos

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


def private_ref(ref: ConversationRef) -> ConversationRef | None:
    """The presser's one-to-one conversation with the bot, when the platform has a known one.

    On Telegram a private chat's id is the user's id, so a quiz started from a group post can
    live in the DM where its private questions are shown and answered. On Slack the private
    replies are ephemeral messages in the channel itself, whose buttons come back from the
    channel, so the quiz stays in the channel's conversation (None here).
    """
    if ref.platform == "telegram" and ref.user and ref.chat != ref.user:
        return ConversationRef(ref.platform, ref.workspace, ref.user, ref.user)
    return None


async def _quiz(ctx: TurnContext, term_id: str) -> list[Reply]:
    spec = ctx.engine.registry.get("quiz")
    dm = private_ref(ctx.ref)
    if dm is None or spec is None:
        return await spec.handler(ctx, f"term:{term_id}") if spec else []
    # Run the quiz command in the presser's DM conversation, inside this turn's transaction, so
    # the answers they give there find it; the group's own state is left alone.
    conv = await repos.get_conversation(
        ctx.session, dm.key, dm.platform, dm.workspace, dm.chat, dm.thread, ctx.now
    )
    command = CommandIn(ref=dm, name="quiz", args=f"term:{term_id}")
    dm_ctx = TurnContext(
        engine=ctx.engine,
        session=ctx.session,
        inbound=command,
        learner=ctx.learner,
        state=dict(conv.state),
        now=ctx.now,
        rng=ctx.rng,
    )
    replies = await ctx.engine.run_command(dm_ctx, command)
    # Always bump the DM's version, as the engine does for every turn: a concurrent turn in the
    # DM then raises VersionConflict here, and the engine reruns this whole turn on fresh state.
    await repos.save_conversation(ctx.session, conv, dm_ctx.state, ctx.pack.version, ctx.now)
    return replies


async def _rate(ctx: TurnContext, term_id: str, knew: bool) -> list[Reply]:
    from bot.daily.srs_feed import rate_term

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
