"""The debrief after a role-play or a written exercise, in three parts.

1. A summary of two lines: the score and the one thing to fix (at most 600 characters, so it
   reads at a glance on a phone). The model answer and the score's parts are one tap away.
2. What worked and what to fix, each with the learner's own words as evidence.
3. Practice: the learner's weakest sentence, to rewrite; the coach checks the rewrite and says
   what changed (`rewrite_reply`). Prompting learners to fix their own error teaches more than
   the teacher restating it (Lyster & Saito 2010).
"""

from __future__ import annotations

from bot.coach.brief import Brief
from bot.coach.feedback import Feedback, Score
from bot.coach.judge import shown_corrections
from bot.coach.render import english_lines, parts_line, points_lines, terms_lines
from bot.messages import Choice, Folded, Reply, escape
from content.index import PackIndex

SUMMARY_MAX = 600
ACTION = "rpd"
MAX_PHRASES = 5
MODEL_LABEL = "Show a model answer"


def _term(pack: PackIndex, term_id: str) -> str:
    term = pack.terms.get(term_id)
    return term.term if term else term_id


def one_thing(brief: Brief, feedback: Feedback, pack: PackIndex) -> str:
    """The single most useful thing to fix, in one sentence."""
    for term in feedback.terms:
        if term.status == "misused":
            return f"how you used *{escape(_term(pack, term.id))}*: {escape(term.why)}"
    missed = feedback.missed
    if missed:
        point = brief.point(missed[0].id)
        if point is not None:
            return f"say this too: {escape(point.point)}"
    for note in feedback.jargon:
        if not note.explained:
            return f"explain *{escape(note.word)}* the first time you use it, in everyday words."
    corrections = shown_corrections(feedback)
    if corrections:
        c = corrections[0]
        return f"{escape(c.rule)}: _{escape(c.wrong)}_ → *{escape(c.right)}*."
    missing = [t for t in feedback.terms if t.status == "missing"]
    if missing:
        return f"use the term *{escape(_term(pack, missing[0].id))}* where it fits."
    if feedback.audience.long_sentences:
        return "split your long sentences in two."
    return "nothing big. Try it once more, a little shorter."


def summary_reply(
    brief: Brief, feedback: Feedback, score: Score, pack: PackIndex, token: str
) -> Reply:
    """Part 1: the score and the one thing to fix, with the model answer a tap away."""
    stated = len(feedback.covered)
    slips = len(feedback.corrections)
    english = f", {slips} English slip{'s' if slips != 1 else ''}" if slips else ""
    text = (
        f"*Score: {score.total}/100* · {stated} of {len(brief.key_points)} key points{english}\n"
        f"*One thing to fix:* {one_thing(brief, feedback, pack)}"
    )
    if feedback.note:
        text += f"\n_{escape(feedback.note)}_"
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
    # The score first; the model answer folded under it (or a button where nothing folds).
    model = Folded(MODEL_LABEL, escape(brief.model_answer.strip()), f"{ACTION}:model:{token}")
    choices = (Choice("Score parts", f"{ACTION}:parts:{token}"),)
    return Reply(
        text, choices=choices, kind="feedback", title=f"Debrief: {brief.title}", folded=model
    )


def details_reply(brief: Brief, feedback: Feedback, pack: PackIndex, token: str) -> Reply:
    """Part 2: what worked and what to fix, with evidence; saving phrases is one tap."""
    lines = ["*What worked and what to fix*", *points_lines(brief, feedback)]
    terms = terms_lines(pack, feedback)
    if terms:
        lines += ["", *terms]
    unexplained = [j.word for j in feedback.jargon if not j.explained]
    if unexplained:
        lines += [
            "",
            f"❌ Not explained for {escape(brief.audience)}: {escape(', '.join(unexplained))}",
        ]
    english = english_lines(feedback)
    if english:
        lines += ["", "*Your English*", *english]
    phrases = phrases_to_save(brief, feedback)
    choices: tuple[Choice, ...] = ()
    if phrases:
        lines += ["", "*Phrases to keep*", *(f"- {escape(p)}" for p in phrases)]
        label = f"Save {len(phrases)} phrase{'s' if len(phrases) > 1 else ''} for review"
        choices = (Choice(label, f"{ACTION}:save:{token}"),)
    return Reply("\n".join(lines), choices=choices, kind="feedback")


def weakest(feedback: Feedback) -> tuple[str, str] | None:
    """The sentence to practise and what to fix in it: the one with the most corrections."""
    if feedback.rewrite is None:
        return None
    rules = [c.rule for c in feedback.corrections if c.wrong in feedback.rewrite.sentence]
    return feedback.rewrite.sentence, ", ".join(dict.fromkeys(rules))


def practice_reply(feedback: Feedback) -> Reply | None:
    """Part 3: the weakest sentence, to rewrite; None when there is nothing to practise."""
    found = weakest(feedback)
    if found is None:
        return None
    sentence, rules = found
    hint = f" (look at: {escape(rules)})" if rules else ""
    return Reply(
        f"*Practice:* rewrite this sentence of yours{hint}:\n“{escape(sentence)}”\n\n"
        "Type your new version, or *skip*.",
        kind="question",
    )


def rewrite_reply(original: str, before: Feedback, after: Feedback) -> Reply:
    """What changed between the learner's sentence and their rewrite."""
    fixed = [c for c in before.corrections if c.wrong in original and c.wrong not in _joined(after)]
    still = after.corrections
    lines: list[str] = []
    for c in fixed:
        lines.append(f"✅ Fixed: _{escape(c.wrong)}_ → *{escape(c.right)}*")
    for c in still[:3]:
        lines.append(f"➖ Still: {escape(c.rule)}: _{escape(c.wrong)}_ → *{escape(c.right)}*")
    if not still:
        lines.insert(0, "✅ *Your new sentence reads well.*" if fixed else "✅ No mistakes found.")
    return Reply("\n".join(lines), kind="feedback")


def _joined(feedback: Feedback) -> str:
    return " ".join(c.wrong for c in feedback.corrections)


def model_reply(brief: Brief, score: Score | None) -> Reply:
    """The model answer and (when known) the score's parts."""
    lines = ["*Model answer*", escape(brief.model_answer.strip())]
    if score is not None:
        lines += ["", "*Score parts*", parts_line(score), f"Score: {score.total}/100"]
    return Reply("\n".join(lines), title=brief.title)


def phrases_to_save(brief: Brief, feedback: Feedback) -> list[str]:
    """Up to five sentences worth keeping: what to say for missed points, then the rewrite."""
    out: list[str] = []
    for result in feedback.missed:
        point = brief.point(result.id)
        if point is not None:
            out.append(point.example)
    if feedback.rewrite is not None:
        out.append(feedback.rewrite.better)
    return list(dict.fromkeys(out))[:MAX_PHRASES]
