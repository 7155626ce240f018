"""Questions on phrases a learner kept from a debrief: complete the phrase from memory.

A kept phrase ("An alert does not stop the feature; we first check for a data bug.") comes back
with its most telling word blanked, and the learner types it: producing the phrase, not reading
it again.
"""

from __future__ import annotations

import random
import re

from rapidfuzz import fuzz

from bot.messages import escape
from bot.quiz.checking import Check
from bot.quiz.questions import Question, new_question_id

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_COMMON = frozenset(
    [
        "this",
        "that",
        "with",
        "from",
        "have",
        "they",
        "their",
        "there",
        "when",
        "what",
        "which",
        "will",
        "would",
        "could",
        "should",
        "about",
        "into",
        "been",
        "were",
        "than",
        "then",
        "also",
        "only",
        "more",
        "most",
        "some",
        "very",
        "just",
        "like",
        "does",
        "doesn't",
        "don't",
        "because",
        "every",
        "first",
    ]
)
KIND = "phrase-gap"


def phrase_question(card_id: str, text: str, rng: random.Random) -> Question:
    """A typed question: the phrase with one of its longest words blanked."""
    candidates = [m for m in _WORD.finditer(text) if m.group(0).lower() not in _COMMON]
    if not candidates:
        candidates = list(_WORD.finditer(text)) or [re.search(r"\S+", text or "phrase")]  # type: ignore[list-item]
    longest = sorted(candidates, key=lambda m: -len(m.group(0)))[:3]
    hidden = rng.choice(longest)
    assert hidden is not None
    gap = text[: hidden.start()] + "_____" + text[hidden.end() :]
    answer = hidden.group(0)
    return Question(
        id=new_question_id(rng),
        kind=KIND,
        term_id=card_id,
        prompt=f"Complete the phrase you kept:\n“{escape(gap)}”",
        answer_text=answer,
        explanation=f"“{escape(text)}”",
        hint=f"It starts with “{escape(answer[:2])}” ({len(answer)} letters).",
        typed=True,
        fast_seconds=15.0,
    )


def check_phrase(question: Question, text: str) -> Check:
    """Right when the typed word is the blanked one (a small typo is forgiven)."""
    typed = text.strip().strip(".!?\"'“”").lower()
    if not typed:
        return Check("empty")
    want = question.answer_text.lower()
    if typed == want:
        return Check("correct")
    if len(want) >= 5 and fuzz.ratio(typed, want) >= 85:
        return Check("typo", spelling=question.answer_text)
    return Check("wrong")
