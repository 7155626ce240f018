"""A learner's question to the character instead of an answer ("what does X mean?", "sorry?").

A rehearsal partner would answer such a question and wait; the coach does the same, out of
character: it glosses the word or repeats the last line. The question uses no turn and is not
judged. Only short messages that are questions count: "Why does it matter? Because …" is an
answer that asks itself a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.lookup import asked_term
from content.index import PackIndex
from content.models import Jargon

MAX_QUESTION_WORDS = 20
# "Sorry?" or "Pardon": only a short message, or a question ("Sorry, my daughter is sick" is not).
_REPEAT_OPENER = re.compile(r"^(?:sorry|pardon|excuse me|what\?*$|come again|huh)\b", re.IGNORECASE)
_REPEAT = re.compile(
    r"\b(?:repeat|say (?:it|that) again|say again|once more|didn't (?:get|understand)|"
    r"don't understand|not understand|rephrase|slower)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|"
    r"would|will|should|shall|may|have|has)\b",
    re.IGNORECASE,
)
_MEAN = re.compile(
    r"\bwhat (?:do|does|did) (?:you|it|that|this) mean(?: by)?\s+(?P<term>[^?]+)", re.IGNORECASE
)


@dataclass(frozen=True)
class Asked:
    """What the learner asked: a word's meaning, to hear the line again, or something else."""

    kind: Literal["term", "jargon", "repeat", "other"]
    word: str = ""
    term_id: str | None = None


def _word(pack: PackIndex, jargon: tuple[Jargon, ...], asked: str) -> Asked:
    cleaned = asked.strip(" \"'“”‘’?.!")
    match = pack.find_term(cleaned)
    if match is not None:
        return Asked("term", match.term.term, match.term.id)
    for item in jargon:
        if cleaned.lower() in {n.lower() for n in item.names}:
            return Asked("jargon", item.word)
    return Asked("other", cleaned)


def asked_character(text: str, pack: PackIndex, jargon: tuple[Jargon, ...] = ()) -> Asked | None:
    """The learner's question to the character, or None when the message is an answer."""
    clean = " ".join(text.split())
    words = clean.split()
    if not words or len(words) > MAX_QUESTION_WORDS:
        return None
    meaning = _MEAN.search(clean)
    if meaning is not None:
        return _word(pack, jargon, meaning.group("term"))
    term = asked_term(clean)
    if term is not None and (clean.endswith("?") or len(words) <= 6):
        return _word(pack, jargon, term)
    if _REPEAT.search(clean) and (clean.endswith("?") or len(words) <= 8):
        return Asked("repeat")
    if _REPEAT_OPENER.search(clean) and (clean.endswith("?") or len(words) <= 3):
        return Asked("repeat")
    # A single short question and nothing else: "Which model is it?"
    single = clean.endswith("?") and clean.count("?") == 1 and "." not in clean.rstrip("?")
    if single and _QUESTION_START.match(clean):
        return Asked("other", clean)
    return None
