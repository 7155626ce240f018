"""Judging a *use it in a sentence* answer with the coach: the term used right, and the English.

The coach's offline judge (`ctx.services.quick_judge`, run off the event loop) reads the sentence
against a one-term brief (`bot.coach.brief.term_brief`): the term used correctly, misused (one
of the pack's misuse cues), or missing. Its English corrections are shown, at most three, so the
feedback stays readable for a B1-B2 learner.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coach.brief import term_brief
from bot.coach.sentences import words
from bot.context import TurnContext
from bot.messages import escape
from bot.quiz.checking import Check, find_named_term
from bot.quiz.question import short_name
from content.models import Term

MAX_CORRECTIONS_SHOWN = 3
MIN_WORDS = 4


@dataclass(frozen=True)
class SentenceVerdict:
    """The check to score (None: ask again, nothing scored) and the lines to show."""

    check: Check | None
    lines: tuple[str, ...] = ()


async def judge_sentence(ctx: TurnContext, term: Term, text: str) -> SentenceVerdict:
    """Judge one sentence that should use `term`."""
    name = escape(short_name(term))
    if len(words(text)) < MIN_WORDS:
        named = find_named_term(ctx.pack, text)
        if named == term.id:
            return SentenceVerdict(
                None, (f"Good: now put *{name}* in a whole sentence, as you would say it at work.",)
            )
        return SentenceVerdict(None, (f"Please write a whole sentence that uses *{name}*.",))
    feedback = await ctx.services.quick_judge.assess(term_brief(ctx.pack, term.id), [text])
    result = next((t for t in feedback.terms if t.id == term.id), None)
    lines: list[str] = []
    for c in feedback.corrections[:MAX_CORRECTIONS_SHOWN]:
        lines.append(f"✏️ {escape(c.rule)}: _{escape(c.wrong)}_ → *{escape(c.right)}*")
    if result is None or result.status == "missing":
        other = _other_term(ctx, term, text)
        if other is not None:
            return SentenceVerdict(Check("other-term", other_term=other), tuple(lines))
        return SentenceVerdict(
            None,
            (f"Your sentence does not use *{name}*. Try again with the term in it.",),
        )
    if result.status == "misused":
        return SentenceVerdict(Check("wrong"), (f"🔎 {escape(result.why)}", *lines))
    return SentenceVerdict(Check("correct"), tuple(lines))


def _other_term(ctx: TurnContext, term: Term, text: str) -> str | None:
    """A confusable of `term` that the sentence names instead (data drift for concept drift)."""
    low = f" {text.lower()} "
    for other in ctx.pack.confusables(term):
        if any(f" {n.lower()} " in low for n in other.names):
            return other.id
    return None
