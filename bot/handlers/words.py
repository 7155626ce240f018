"""Word help outside the quiz: pronunciation on request and side-by-side comparisons.

"X vs Y" and "what is the difference between X and Y" answer with both terms side by side (what
each means, an example of each, and what tells them apart): seeing two confusable words
contrasted helps a learner keep them apart once both are known (Nakata & Suzuki 2019).
"""

from __future__ import annotations

from bot.cards import term_card
from bot.commands import Feature
from bot.context import CommandSpec, TurnContext
from bot.handlers.onboarding import learn_command
from bot.lookup import asked_pair
from bot.messages import Choice, Reply, escape
from bot.pronounce import pronounce
from bot.quiz.distractors import contrast
from bot.quiz.question import short_name
from bot.wording import after_colon, sentence_case
from content.index import PackIndex
from content.models import Term


async def say_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``say WORD``: how to pronounce a word or a term (stress and a plain respelling)."""
    word = args.strip()
    if not word:
        return [
            Reply(
                "Which word? For example `/say lineage`, `/say PSI`, or ask "
                "“how do you pronounce lineage?”."
            )
        ]
    lines = pronounce(ctx.pack, word[:120])
    text = "🔊 " + "\n🔊 ".join(escape(line) for line in lines)
    text += "\n_Capitals show the stressed syllable._"
    return [Reply(text, title="Pronunciation")]


async def compare_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``compare X and Y`` (or "X vs Y"): two terms side by side."""
    pair = asked_pair(args) or asked_pair(f"{args} vs")
    if pair is None:
        return [Reply("Name two terms, for example `/compare data drift and concept drift`.")]
    reply = compare_terms(ctx.pack, *pair)
    if reply is None:
        return [
            Reply(
                f"I know only one of “{escape(pair[0][:60])}” and “{escape(pair[1][:60])}”, "
                "or neither. Type /topics to browse the terms."
            )
        ]
    return [reply]


def comparison(pack: PackIndex, a: Term, b: Term) -> Reply:
    """Two terms side by side: meaning, example, and what tells them apart."""
    lines = [f"*{escape(sentence_case(short_name(a)))}* vs *{escape(short_name(b))}*", ""]
    for term in (a, b):
        lines.append(f"• *{escape(short_name(term))}*: {escape(term.quiz_gloss)}")
    lines.append("")
    lines.append(f"*What tells them apart:* {after_colon(contrast(pack, a, b))}")
    lines.append("")
    lines.append("*In use:*")
    for term in (a, b):
        lines.append(f"• {escape(short_name(term))}: “{escape(term.example)}”")
    choices = (
        Choice(f"Card: {short_name(a)}", f"cmd:term {a.id}"),
        Choice(f"Card: {short_name(b)}", f"cmd:term {b.id}"),
    )
    return Reply("\n".join(lines), choices=choices, title=f"{a.term} vs {b.term}")


def compare_terms(pack: PackIndex, first: str, second: str) -> Reply | None:
    """The comparison of the two terms the learner named, or None when one is unknown."""
    found = []
    for query in (first, second):
        match = pack.find_term(query)
        named = pack.terms_named_with(query) if match is None else []
        term = match.term if match is not None else (named[0] if len(named) == 1 else None)
        if term is None:
            return None
        found.append(term)
    a, b = found
    if a.id == b.id:
        return term_card(pack, a)
    return comparison(pack, a, b)


def feature() -> Feature:
    """``learn`` (five new terms, then a quiz), ``say`` (pronunciation) and ``compare``."""
    return Feature(
        name="words",
        commands=(
            CommandSpec(
                "learn",
                "five new terms: read each card, then a short quiz",
                learn_command,
                aliases=("new",),
            ),
            CommandSpec(
                "compare",
                "two easily confused terms side by side",
                compare_command,
                usage="TERM and TERM",
                aliases=("vs", "difference"),
                keeps_activity=True,
            ),
            CommandSpec(
                "say",
                "how to pronounce a word or a term",
                say_command,
                usage="WORD",
                aliases=("pronounce", "pronunciation"),
                keeps_activity=True,
            ),
        ),
    )
