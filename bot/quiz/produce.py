"""Terms a learner must *produce* at their next question: type the term, not pick it.

A role-play marks the target terms the learner missed or misused: finding the word in a meeting
is the hard part, and practising production makes it stick (Webb 2009). The mark lives in the
learner's settings and is cleared once the term was asked that way.
"""

from __future__ import annotations

from bot.context import TurnContext
from storage import turns

PRODUCE_KEY = "produce"
MAX_MARKED = 50


def to_produce(ctx: TurnContext) -> set[str]:
    """Terms to ask as *produce the term* at their next question."""
    return set(ctx.learner.settings.get(PRODUCE_KEY, []))


async def mark(ctx: TurnContext, term_ids: list[str]) -> None:
    """Ask these terms as *produce the term* next time."""
    settings = dict(ctx.learner.settings)
    marked = list(dict.fromkeys([*settings.get(PRODUCE_KEY, []), *term_ids]))
    settings[PRODUCE_KEY] = marked[-MAX_MARKED:]
    await turns.update_learner(ctx.session, ctx.learner.id, settings=settings)
    ctx.learner.settings = settings


async def produced(ctx: TurnContext, term_id: str) -> None:
    """The learner was asked to produce the term: clear its mark."""
    settings = dict(ctx.learner.settings)
    left = [t for t in settings.get(PRODUCE_KEY, []) if t != term_id]
    if left != settings.get(PRODUCE_KEY, []):
        settings[PRODUCE_KEY] = left
        await turns.update_learner(ctx.session, ctx.learner.id, settings=settings)
        ctx.learner.settings = settings
