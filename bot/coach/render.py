"""A `Feedback` as chat text (neutral markup): evidence for every point, English, the score.

Every ✅ key point quotes the learner's own sentence that earned it; every ❌ gets a "You could
say …" line. Nothing is praised in an answer that states no key point.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.coach.brief import Brief
from bot.coach.feedback import PART_LABELS, Feedback, Score
from bot.coach.judge import shown_corrections
from bot.messages import escape
from content.index import PackIndex

SAME_SENTENCE = 85


def _term(pack: PackIndex, term_id: str) -> str:
    term = pack.terms.get(term_id)
    return term.term if term else term_id


def points_lines(brief: Brief, feedback: Feedback) -> list[str]:
    """One line per key point: ✅ with the learner's words, or ❌ with a sentence to say."""
    covered = {p.id: p for p in feedback.points}
    lines = []
    for point in brief.key_points:
        result = covered.get(point.id)
        if result is not None and result.covered:
            lines.append(f"✅ {escape(point.point)}")
            if result.evidence:
                lines.append(f"    _You said:_ “{escape(result.evidence)}”")
        else:
            # Where the point is already a sentence to say, it is shown once, as one.
            if fuzz.ratio(point.point, point.example) < SAME_SENTENCE:
                lines.append(f"❌ {escape(point.point)}")
                lines.append(f"    _You could say:_ “{escape(point.example)}”")
            else:
                lines.append(f"❌ _You could say:_ “{escape(point.example)}”")
    return lines


def terms_lines(pack: PackIndex, feedback: Feedback) -> list[str]:
    """Terms used well, misused (and why), and not used."""
    lines = []
    used = [_term(pack, t.id) for t in feedback.terms if t.status == "used"]
    if used and feedback.on_topic:
        lines.append(f"✅ Used: {escape(', '.join(used))}")
    for term in feedback.terms:
        if term.status == "misused":
            lines.append(
                f"⚠️ Check how you used *{escape(_term(pack, term.id))}*: {escape(term.why)}"
            )
    missing = [_term(pack, t.id) for t in feedback.terms if t.status == "missing"]
    if missing:
        lines.append(f"➖ Not used: {escape(', '.join(missing))}")
    return lines


def english_lines(feedback: Feedback) -> list[str]:
    """Up to five corrections with the rule, and the weakest sentence rewritten."""
    lines = []
    for c in shown_corrections(feedback):
        lines.append(f"- {escape(c.rule)}: _{escape(c.wrong)}_ → *{escape(c.right)}*")
    more = len(feedback.corrections) - len(shown_corrections(feedback))
    if more > 0:
        lines.append(f"- … and {more} more.")
    if feedback.rewrite is not None:
        lines.append(f"Try: “{escape(feedback.rewrite.better)}”")
    return lines


def audience_lines(brief: Brief, feedback: Feedback) -> list[str]:
    """Jargon left unexplained for this audience, and long sentences."""
    lines = []
    unexplained = [j.word for j in feedback.jargon if not j.explained]
    if unexplained:
        lines.append(
            f"❌ Not explained for {escape(brief.audience)}: {escape(', '.join(unexplained))}. "
            "Explain a word the first time you use it (“…, which means …”) or use an everyday word."
        )
    explained = [j.word for j in feedback.jargon if j.explained]
    if explained and feedback.on_topic:
        lines.append(f"✅ Explained: {escape(', '.join(explained))}")
    if feedback.audience.long_sentences:
        n = feedback.audience.long_sentences
        lines.append(
            f"➖ {n} long sentence{'s' if n > 1 else ''} for {escape(brief.audience)}: "
            "split them in two."
        )
    return lines


def parts_line(score: Score) -> str:
    """``Key points 30/40 · Terms 10/10 · …``."""
    return " · ".join(
        f"{PART_LABELS.get(name, name)} {got}/{top}"  # type: ignore[call-overload]
        for name, (got, top) in score.parts.items()
    )


def feedback_text(brief: Brief, feedback: Feedback, score: Score, pack: PackIndex) -> str:
    """The whole feedback; its last line is ``Score: N/100``."""
    covered = len(feedback.covered)
    lines = [f"*Feedback: {escape(brief.title)}*", ""]
    if feedback.note:
        lines += [f"_{escape(feedback.note)}_", ""]
    lines.append(f"*Key points: {covered} of {len(brief.key_points)} stated*")
    lines += points_lines(brief, feedback)
    terms = terms_lines(pack, feedback)
    if terms:
        lines += ["", "*Terms*", *terms]
    audience = audience_lines(brief, feedback)
    if audience:
        lines += ["", f"*For {escape(brief.audience)}*", *audience]
    english = english_lines(feedback)
    if english:
        lines += ["", "*Your English*", *english]
    elif feedback.on_topic:
        lines += ["", "*Your English:* no mistakes found."]
    if score.delivery < 1:
        lines += [
            "",
            "Terms, audience, English and length count in full once you state half of the key "
            f"points; with {covered} of {len(brief.key_points)} stated, they count "
            f"{score.delivery:.0%}.",
        ]
    lines += ["", parts_line(score), f"Score: {score.total}/100"]
    return "\n".join(lines)
