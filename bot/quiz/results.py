"""The learner-facing result of one answer: right or wrong, the answer, and why."""

from __future__ import annotations

from bot.context import TurnContext
from bot.messages import Reply, escape
from bot.quiz.checking import Check
from bot.quiz.questions import Question, contrast, linked, short_name
from content.index import PackIndex
from content.models import Term

ALREADY_ANSWERED = "You already answered that question."
ANSWERED_IN_GROUP = "That question was already answered."


def result_reply(
    ctx: TurnContext,
    question: Question,
    verdict: Check,
    chosen: int | None,
    gave_up: bool = False,
) -> Reply:
    """Feedback on one answer: right or wrong, the correct answer, and a one-line explanation."""
    pack = ctx.pack
    term = pack.terms.get(question.term_id)
    lines: list[str] = []
    if verdict.typo and verdict.spelling:
        lines.append(f"✅ Correct; watch the spelling: *{escape(verdict.spelling)}*")
    elif verdict.correct:
        lines.append("✅ *Correct!*")
    elif gave_up:
        lines.append("📖 No problem, here is the answer.")
    else:
        lines.append("❌ *Not quite.*")
    who = ctx.inbound.display_name
    if ctx.inbound.is_group and who:
        # Several people share a group's quiz: say whose answer this was.
        lines[0] = f"{escape(who[:60])}: {lines[0]}"
    lines.append(f"*Answer:* {escape(question.answer_text)}")
    lines.append(question.explanation)
    if not verdict.correct and term is not None:
        other: Term | None = None
        if verdict.other_term:
            other = pack.terms.get(verdict.other_term)
        elif chosen is not None and question.option_terms:
            other = pack.terms.get(question.option_terms[chosen])
        if other is not None and other.id != term.id:
            lines.append(chosen_line(pack, question, term, other))
    return Reply("\n".join(lines), kind="result", replaces=question.id)


def chosen_line(pack: PackIndex, question: Question, term: Term, other: Term) -> str:
    """One line on the wrong term the learner chose: how it differs, or what it is."""
    name = f"*{escape(short_name(other))}*"
    if linked(term, other):
        return f"You chose {name}. {contrast(pack, term, other)}"
    if question.kind == "term-to-definition":
        # The learner has just read that definition: naming its term is enough.
        return f"You chose the definition of {name}."
    return contrast(pack, term, other)


def already_answered(ctx: TurnContext) -> Reply:
    """The notice for a press on a question that has its answer (in a group, maybe not yours)."""
    text = ANSWERED_IN_GROUP if ctx.inbound.is_group else ALREADY_ANSWERED
    return Reply(text, kind="notice", private=True)
