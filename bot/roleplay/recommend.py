"""Which scenario to practise next: the learner's next meeting, else their weakest terms."""

from __future__ import annotations

from bot import progress
from bot.context import TurnContext
from bot.quiz import produce
from bot.quiz.srs import retrievability
from bot.roleplay import catalog
from content.models import Scenario
from storage import attempts

MEETING_KEY = "meeting"


async def recommended(ctx: TurnContext, scenarios: list[Scenario]) -> tuple[Scenario, str] | None:
    """The scenario to suggest first, with a one-line reason; None before any practice."""
    meeting = ctx.learner.settings.get(MEETING_KEY)
    if isinstance(meeting, dict) and meeting.get("audience"):
        fits = catalog.audience_scenarios(ctx.pack, str(meeting["audience"]))
        if fits:
            return fits[0], f"For your meeting with {meeting['audience']}."
    weak = await _weak_terms(ctx)
    if not weak:
        return None

    def weight(scenario: Scenario) -> float:
        return sum(weak.get(t, 0.0) for t in scenario.target_terms)

    best = max(scenarios, key=weight, default=None)
    if best is None or weight(best) <= 0:
        return None
    names = [
        ctx.pack.terms[t].term for t in best.target_terms if weak.get(t) and t in ctx.pack.terms
    ]
    return best, "It practises terms you find hard: " + ", ".join(names[:3]) + "."


async def _weak_terms(ctx: TurnContext) -> dict[str, float]:
    """Term id -> how weak it is: wrong answers, to-produce marks, cards likely forgotten."""
    weak: dict[str, float] = {}
    for term_id, (right, total) in (
        await attempts.counts_by_term(ctx.session, ctx.learner.id)
    ).items():
        if total > right:
            weak[term_id] = weak.get(term_id, 0.0) + (total - right) / total
    for term_id in produce.to_produce(ctx):
        weak[term_id] = weak.get(term_id, 0.0) + 1.0
    for card in (await progress.load_cards(ctx.session, ctx.learner.id)).values():
        if not card.is_new and retrievability(card, ctx.now) < 0.7:
            weak[card.term_id] = weak.get(card.term_id, 0.0) + 0.5
    return weak
