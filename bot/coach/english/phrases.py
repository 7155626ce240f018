"""A finding as the learner reads it: the phrase with one word of context, and its correction.

`a alert -> an alert` says little; `received a alert -> received an alert` shows where. Short
findings get one word of context; spelling needs none.
"""

from __future__ import annotations

import re

from bot.coach.english.finding import Finding
from bot.coach.feedback import Correction

# Correction's limits (bot.coach.feedback): a longer phrase is shown without context, or not at all.
MAX_PHRASE = 200
# How far to look for the neighbouring word: bounded, so a text without spaces stays linear.
_WINDOW = 100
_TRAILING = ".,;:!?"


def correction(text: str, finding: Finding) -> Correction | None:
    """The learner-facing correction for `finding`, or None when it cannot be shown.

    Args:
        text: The learner's text.
        finding: A finding in `text`.

    Returns:
        `wrong` (the learner's phrase), `right` (the phrase corrected) and the rule's name; None
        when the phrase is empty, too long, or unchanged once tidied.
    """
    for start, end in (_with_context(text, finding), (finding.start, finding.end)):
        wrong = text[start:end].strip().rstrip(_TRAILING)
        fixed = text[start : finding.start] + finding.replacement + text[finding.end : end]
        # Removing a word leaves two spaces (`can you  check`); the learner sees one.
        right = re.sub(r"\s{2,}", " ", fixed).strip().rstrip(_TRAILING)
        if wrong and wrong != right and len(wrong) <= MAX_PHRASE and len(right) <= MAX_PHRASE:
            return Correction(wrong=wrong, right=right, rule=finding.rule)
    return None


def _with_context(text: str, finding: Finding) -> tuple[int, int]:
    """The finding's span widened by one word on the left, and on the right where needed.

    The right-hand word is added when the fix is about the next word (`a` -> `an`), when the
    finding is only a space (`explain me` + ` to `), when the fix inserts after the flagged
    word (`need` -> `need to`), or when it deletes the word (`you to check` -> `you check`).
    """
    start, end = finding.start, finding.end
    flagged = text[start:end]
    if finding.is_spelling_lint or len(flagged.split()) >= 2:
        return start, end
    blank = not flagged.strip()
    left = re.search(r"(\S+)$" if blank else r"(\S+\s+)$", text[max(0, start - _WINDOW) : start])
    wants_right = (
        blank
        or flagged.lower() in {"a", "an"}
        or finding.replacement.startswith(flagged + " ")
        or not finding.replacement.strip()
    )
    right = None
    if wants_right:
        right = re.match(r"(\S+)" if blank else r"(\s+\S+)", text[end : end + _WINDOW])
    return (
        start - (len(left.group(1)) if left else 0),
        end + (len(right.group(1)) if right else 0),
    )
