"""The learner-facing result of one answer: right or wrong, the answer, and why."""

from __future__ import annotations

from bot.context import TurnContext
from bot.messages import Reply, escape
from bot.quiz.checking import Check
from bot.quiz.distractors import contrast, linked
from bot.quiz.question import Question, in_use, short_name
from bot.wording import after_colon
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
    notes: tuple[str, ...] = (),
) -> Reply:
    """Feedback on one answer: right or wrong, the correct answer, and a one-line explanation.

    `notes` are extra lines from the coach (a sentence's English corrections). After "I don't
    know" the answer always comes with its example sentence; after a contrast question, with
    why the other term of the pair was tempting.
    """
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
    if ctx.inbound.seen_by_others and who:
        # Several people share a group's quiz: say whose answer this was (not in a private
        # conversation inside a channel, which only the learner sees).
        lines[0] = f"{escape(who[:60])}: {lines[0]}"
    if question.kind != "use-in-sentence" or not verdict.correct:
        lines.append(f"*Answer:* {escape(answer_label(question))}")
    head = len(lines)
    lines.append(question.explanation)
    if gave_up and term is not None and escape(term.example) not in question.explanation:
        lines.append(in_use(term))
    lines.extend(notes)
    tempting = tempting_line(pack, question, term) if term is not None else ""
    if question.kind == "confusable-pair" and tempting:
        lines.append(tempting)
    elif not verdict.correct and term is not None:
        other: Term | None = None
        if verdict.other_term:
            other = pack.terms.get(verdict.other_term)
        elif chosen is not None and question.option_terms:
            other = pack.terms.get(question.option_terms[chosen])
        if other is not None and other.id != term.id:
            lines.append(chosen_line(pack, question, term, other))
    return Reply(
        "\n".join(lines),
        kind="result",
        replaces=question.id,
        flash=flash_line(question, verdict, gave_up),
        # A native quiz showed right or wrong, the answer and the explanation: only the
        # lines after those are new.
        native_text="\n".join(lines[head + 1 :]) if question.is_choice else None,
    )


# A long option (a definition) is named by its number and its first words in feedback: the
# question above lists it in full.
SHORT_ANSWER = 40
# A clause break this early would name nothing ("The real" of "The real, confirmed outcome").
SHORTEST_CUT = 20


def short_label(label: str, limit: int = SHORT_ANSWER) -> str:
    """The first words of an option, up to a clause break or `limit` characters."""
    label = " ".join(label.split())
    for mark in (": ", "; ", " — ", " - ", ", ", " ("):
        cut = label.find(mark)
        if SHORTEST_CUT <= cut <= limit:
            return label[:cut]
    if len(label) <= limit:
        return label
    return label[: limit - 1].rsplit(" ", 1)[0] + "…"


def answer_label(question: Question) -> str:
    """The right answer as feedback names it: "2 — dependency pinning" for a choice question."""
    if not question.is_choice or not 0 <= question.answer_index < len(question.options):
        return question.answer_text
    return f"{question.answer_index + 1} — {short_label(question.options[question.answer_index])}"


def flash_line(question: Question, verdict: Check, gave_up: bool) -> str:
    """The one line a pressed button's pop-up shows: right, or what the answer was."""
    if verdict.correct:
        return "✅ Correct" + (" (watch the spelling)" if verdict.typo else "")
    return f"{'📖' if gave_up else '❌'} It was {answer_label(question)}"


def tempting_line(pack: PackIndex, question: Question, term: Term) -> str:
    """Why the other term of a pair was tempting, and what tells them apart (markup)."""
    other_id = next((t for t in question.option_terms if t != term.id), "")
    other = pack.terms.get(other_id)
    if other is None:
        return ""
    shared = pack.categories.get(term.category)
    about = f"both are terms of *{escape(shared.title)}*" if shared else "they look alike"
    return (
        f"*Why {escape(short_name(other))} is tempting:* {about}. "
        f"What tells them apart: {after_colon(contrast(pack, term, other))}"
    )


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
