"""Is a message English? A learner rehearsing in English sometimes slips into their own language.

A message counts as English when enough of its words are English words (lemminflect's lexicon,
plus the function words it leaves out). Acronyms, numbers and the pack's own terms count for
nothing either way, so "PSI 0.3, KS ok" is not called foreign.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "so",
        "because",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "we",
        "you",
        "they",
        "i",
        "he",
        "she",
        "me",
        "us",
        "them",
        "my",
        "our",
        "your",
        "their",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "must",
        "may",
        "might",
        "not",
        "no",
        "yes",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "into",
        "over",
        "after",
        "before",
        "when",
        "where",
        "why",
        "how",
        "what",
        "which",
        "who",
        "there",
        "here",
        "all",
        "some",
        "any",
        "more",
        "most",
        "very",
        "also",
        "just",
        "only",
        "still",
        "now",
        "ok",
        "okay",
    ]
)
MIN_WORDS = 4
ENGLISH_SHARE = 0.4


@lru_cache(maxsize=20_000)
def _english_word(word: str) -> bool:
    return word in FUNCTION_WORDS or bool(getAllLemmas(word))


def is_english(text: str) -> bool:
    """False only for a message of several words that are mostly not English."""
    words = [w.lower() for w in _WORD.findall(text) if not w.isupper() and len(w) > 1]
    if len(words) < MIN_WORDS:
        return True
    english = sum(_english_word(w) for w in words)
    return english / len(words) >= ENGLISH_SHARE
