"""The feedback message after a role-play or a written exercise, in the neutral markup.

One message: key points, terms, jargon, readability, length, model answer, optional comment,
the points per part, and `Score: N/100` as its last line.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.messages import escape
from bot.roleplay.rubric import FULL_DELIVERY_AT, PART_LABELS, Assessment, Rubric
from bot.wording import count
from content.index import PackIndex

MAX_CHARS = 3800


def _term(pack: PackIndex, term_id: str) -> str:
    term = pack.terms.get(term_id)
    return term.term if term else term_id


def _fmt(value: float) -> str:
    # round(), as Assessment.score sums: "{:.0f}" would agree, but say so in one place.
    return str(round(value))


def feedback_text(
    *,
    title: str,
    rubric: Rubric,
    assessment: Assessment,
    pack: PackIndex,
    model_answer: str,
    comment: str | None = None,
    commenter: str | None = None,
) -> str:
    """Render the whole feedback; the last line is always ``Score: N/100``.

    It must fit one chat message (Telegram allows 4096 characters), so when everything was
    missed only the first few missed points get a sentence to say.
    """
    for examples in (len(rubric.key_points), 2, 0):
        text = _render(title, rubric, assessment, pack, model_answer, comment, commenter, examples)
        if len(text) <= MAX_CHARS:
            break
    return text


def _render(
    title: str,
    rubric: Rubric,
    a: Assessment,
    pack: PackIndex,
    model_answer: str,
    comment: str | None,
    commenter: str | None,
    examples: int,
) -> str:
    lines = [f"*Feedback: {escape(title)}*", ""]

    total = len(a.covered) + len(a.missed)
    lines.append(f"*Key points: {len(a.covered)} of {total} covered*")
    for point in rubric.key_points:
        if point in a.covered:
            lines.append(f"✅ {escape(point.point)}")
        else:
            lines.append(f"❌ {escape(point.point)}")
            # Where the point is already a sentence to say, don't print it twice.
            if examples > 0 and fuzz.ratio(point.point, point.example) < 85:
                examples -= 1
                lines.append(f"    _You could say:_ “{escape(point.example)}”")

    lines += ["", "*Terms*"]
    if a.terms_used:
        used = ", ".join(_term(pack, t) for t in a.terms_used)
        lines.append(f"✅ Used: {escape(used)}")
    for misuse in a.misused:
        lines.append(
            f"⚠️ Check how you used *{escape(_term(pack, misuse.term))}*: {escape(misuse.why)}"
        )
    if a.terms_unused:
        unused = ", ".join(_term(pack, t) for t in a.terms_unused)
        lines.append(f"➖ Not used: {escape(unused)}")
    if not rubric.target_terms:
        lines.append("This one has no target terms, so the term points follow your key points.")

    lines += ["", f"*Jargon for {escape(rubric.audience)}*"]
    if a.unexplained:
        words = ", ".join(a.unexplained)
        first = a.unexplained[0]
        lines.append(f"❌ Not explained: {escape(words)}")
        lines.append(
            "    Explain a word the first time you use it, for example "
            f"“{escape(first)}, which means …”, or use an everyday word instead."
        )
    if a.explained:
        lines.append(f"✅ Explained: {escape(', '.join(a.explained))}")
    if not a.jargon:
        if rubric.level == "high":
            lines.append("Technical terms are fine for this audience.")
        else:
            lines.append("✅ No unexplained jargon. Good.")

    lines.append("")
    if a.grade is None:
        lines.append("*Readability:* too short to judge.")
    else:
        verdict = "good" if a.grade <= a.grade_target else "too hard"
        tip = "" if verdict == "good" else " Use shorter sentences and everyday words."
        lines.append(
            f"*Readability:* grade {a.grade:.1f} ({verdict} for {escape(rubric.audience)}: "
            f"aim for {a.grade_target:.0f} or lower; the grade is the school year a reader "
            f"needs, so lower is easier).{tip}"
        )
    low, high = a.length.min_words, a.length.max_words
    if a.words < low:
        size = "too short"
    elif a.words > high:
        size = "too long"
    else:
        size = "good"
    lines.append(f"*Length:* {count(a.words, 'word')} ({size}: aim for {low}–{high}).")

    lines += ["", "*Model answer*", escape(model_answer.strip())]
    if comment:
        who = f"{escape(commenter)} says" if commenter else "Comment"
        lines += ["", f"*{who}:* {escape(comment)}"]

    parts = " · ".join(
        f"{PART_LABELS[name]} {_fmt(got)}/{top}" for name, (got, top) in a.parts.items()
    )
    lines.append("")
    share = len(a.covered) / total if total else 0.0
    if share < FULL_DELIVERY_AT:
        # Otherwise "Good" above and 0 points below look like a contradiction.
        counted = (
            "they give no points yet"
            if not a.covered
            else f"they count {min(1.0, share / FULL_DELIVERY_AT):.0%}"
        )
        lines.append(
            f"Jargon, readability and length count in full once you cover half of the key "
            f"points; with {len(a.covered)} of {total} covered, {counted}."
        )
    lines += [parts, f"Score: {a.score}/100"]
    return "\n".join(lines)
