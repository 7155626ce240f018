"""The daily post (the term, its definition and example, four buttons) and what they do.

Building the post is the engine's side of a proactive message: `daily_post` returns neutral
`Reply` objects that the sender hands to the adapter's `send()`, like botbuilder's
``continue_conversation``. The buttons come back as ordinary `ChoiceIn` turns with payloads
``daily:quiz:<term>``, ``daily:knew:<term>``, ``daily:new:<term>`` and ``daily:more:<term>``,
handled here for whoever pressed them. The post is shared: it is never changed for one person;
it only shows how many knew the term and how many met it new (`bot.daily.tally`).
"""

from __future__ import annotations

import dataclasses
import logging

from bot.context import TurnContext
from bot.daily import tally
from bot.daily.srs_feed import rate_term
from bot.messages import Choice, CommandIn, ConversationRef, Reply, escape, strip_markup
from bot.quiz.question import first_sentence
from bot.wording import after_colon, day_phrase, sentence_case
from content.index import PackIndex
from content.models import Term
from storage.daily_posts import Counts
from storage.subscriptions import SubscriptionRow

log = logging.getLogger(__name__)

ACTION_PREFIX = "daily"
QUIZ, KNEW, NEW, MORE = "quiz", "knew", "new", "more"
# A post reads at a glance on a phone: at most this many characters, counts included.
POST_MAX = 500
COUNTS_ROOM = 40


def post_choices(term_id: str) -> tuple[Choice, ...]:
    """The four buttons under a daily post (payloads well within Telegram's 64 bytes)."""
    return (
        Choice("Quiz me", f"{ACTION_PREFIX}:{QUIZ}:{term_id}", primary=True),
        Choice("I knew it", f"{ACTION_PREFIX}:{KNEW}:{term_id}"),
        Choice("New to me", f"{ACTION_PREFIX}:{NEW}:{term_id}"),
        Choice("More", f"{ACTION_PREFIX}:{MORE}:{term_id}"),
    )


def counts_line(counts: Counts | None) -> str:
    """The counts as a line ("12 knew it · 5 new to them"), or "" before anyone answered."""
    if counts is None or not (counts.knew or counts.new):
        return ""
    parts = []
    if counts.knew:
        parts.append(f"{counts.knew} knew it")
    if counts.new:
        parts.append(f"{counts.new} new to them")
    return "_" + " · ".join(parts) + "_"


def post_text(term: Term, room: int = POST_MAX - COUNTS_ROOM) -> str:
    """The term and its label, the definition and the example, within `room` characters."""
    head = f"📅 Term of the day: *{escape(term.term)}*"
    definition = term.definition.strip()
    example = term.example.strip()
    for candidate in (definition, first_sentence(definition)):
        text = f"{head}\n\n{escape(candidate)}\n\n_Example:_ “{escape(example)}”"
        if len(strip_markup(text)) <= room:
            return text
    text = f"{head}\n\n{escape(first_sentence(definition))}"
    left = room - len(strip_markup(text)) - len("\n\nExample: “”")
    if left > 20:
        cut = example if len(example) <= left else example[: left - 1].rsplit(" ", 1)[0] + "…"
        text += f"\n\n_Example:_ “{escape(cut)}”"
    return text


def daily_post(
    pack: PackIndex, term_id: str, counts: Counts | None = None, *, edits: str | None = None
) -> list[Reply]:
    """The post for one subscription and day: one shared message with the four buttons.

    `edits` rewrites the already sent post (its platform id) with the current `counts`.
    """
    text = post_text(pack.terms[term_id])
    line = counts_line(counts)
    if line:
        text += f"\n\n{line}"
    return [Reply(text, choices=post_choices(term_id), kind="card", shared=True, edits=edits)]


def more_reply(pack: PackIndex, term: Term) -> Reply:
    """What the post leaves out: pronunciation, aliases, tool notes, related and confusables."""
    lines = [f"*{escape(term.term)}*: more"]
    if term.pronunciation:
        lines.append(f"🔊 {escape(term.pronunciation)}")
    if term.aliases:
        lines.append(f"*Also:* {escape(', '.join(term.aliases[:4]))}")
    if term.tool_notes:
        lines.append(f"*Tools differ:* {escape(term.tool_notes)}")
    related = [pack.terms[r].term for r in term.related if r in pack.terms]
    if related:
        lines.append(f"*Related:* {escape(', '.join(related))}")
    other = pack.terms.get(term.confused_with.term)
    if other is not None:
        lines.append(
            f"*Not to be confused with* {escape(other.term)}: "
            f"{escape(after_colon(term.confused_with.difference))}"
        )
    if len(lines) == 1:
        lines.append("That is all there is on this one. Press *Quiz me* to practise it.")
    choice = Choice("Quiz me", f"{ACTION_PREFIX}:{QUIZ}:{term.id}", primary=True)
    return Reply("\n".join(lines), choices=(choice,), kind="card")


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
    edit: list[Reply] = []
    if verb == QUIZ:
        replies = await _quiz(ctx, term_id)
    elif verb in (KNEW, NEW):
        replies = await _rate(ctx, term_id, knew=verb == KNEW)
        # The shared post shows the new count (a learner counts once), at most once a minute.
        due = await tally.count_press(ctx, term_id, verb, place_key(ctx.ref))
        if due is not None:
            edit = daily_post(ctx.pack, term_id, due.counts, edits=due.message_id)
    elif verb == MORE:
        replies = [
            dataclasses.replace(
                more_reply(ctx.pack, term), flash=f"More on {term.term[:60]}: sent to you privately"
            )
        ]
    else:
        replies = [Reply("That button has expired. Type /help to see what you can do.")]
    return [*(dataclasses.replace(r, private=True) for r in replies), *edit]


def place_key(ref: ConversationRef) -> str:
    """The thread part of a chat's subscription key ("" for the chat itself).

    A thread that is a place of its own (a forum topic) gets its own posts; a passing reply
    thread belongs to its channel. The adapter says which it is.
    """
    return (ref.thread or "") if ref.thread_is_place else ""


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
        # A one-line notice: the pressed button's pop-up where the platform has one.
        return [
            Reply(
                f"You already told me about *{escape(term.term)}* today. "
                f"It comes back for review {when}.",
                kind="notice",
            )
        ]
    if knew:
        text = (
            f"Nice. *{escape(sentence_case(term.term))}* is on your review list; "
            "I'll check you still know it "
            f"{when}."
        )
        flash = f"👍 Noted: {term.term[:60]} comes back for review {when}"
    else:
        text = (
            f"Added *{escape(term.term)}* to your reviews; it comes back {when}, "
            "and I'll ask you about it then."
        )
        flash = f"📌 Added {term.term[:60]} to your reviews"
    choice = Choice("Quiz me", f"{ACTION_PREFIX}:{QUIZ}:{term_id}", primary=True)
    return [Reply(text, choices=(choice,), flash=flash)]
