"""The learner's text as sentences: words, stems, and whether a sentence states anything.

A sentence is a *claim* when it can state something: it has a verb, or it is a command ("Roll
back the model."). A list of terms, a heading or a question states nothing. `bot.coach.meaning`
matches key points only in claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from lemminflect import getAllLemmas

_STEMMER = snowballstemmer.stemmer("english")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Sentence ends: . ! ? ; and line breaks, but not the dot of a decimal number or "e.g.".
_SENTENCE_END = re.compile(r"(?<!\d)(?<!\be\.g)(?<!\bi\.e)[.!?;]+(?=\s|$)|\n+|(?<=\s)[-•*]\s")
# British and American spellings stem alike.
_SPELLING = (
    (re.compile(r"isation"), "ization"),
    (re.compile(r"is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"yse(d|s)?$"), r"yze\1"),
    (re.compile(r"our$"), "or"),
    (re.compile(r"ll(ed|ing)$"), r"l\1"),
)
NEGATORS = frozenset(
    {
        "not",
        "never",
        "no",
        "nothing",
        "none",
        "neither",
        "nor",
        "without",
        "cannot",
        "hardly",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "wouldn't",
        "shouldn't",
        "can't",
        "couldn't",
        "haven't",
        "hasn't",
        "mustn't",
    }
)
# Words that make a clause a claim whatever else it holds: auxiliaries, modals, copulas and the
# verbs learners use most to state a definition.
CLAIM_WORDS = frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "means",
        "mean",
        "meant",
        "it's",
        "that's",
        "there's",
        "we're",
        "they're",
        "we'll",
        "it'll",
        "we've",
        "let's",
        "need",
        "needs",
        "get",
        "gets",
        "got",
        "keep",
        "keeps",
        "kept",
        "make",
        "makes",
        "made",
        "use",
        "uses",
        "used",
    }
    | NEGATORS
)
SUBJECTS = frozenset(
    {"i", "we", "you", "it", "they", "he", "she", "this", "that", "these", "those", "which", "who"}
)
# Words that may come before a command's verb: "First, roll back the model."
COMMAND_OPENERS = frozenset(
    {
        "first",
        "then",
        "next",
        "also",
        "now",
        "finally",
        "please",
        "so",
        "and",
        "after",
        "last",
        "second",
        "third",
        "immediately",
        "always",
        "only",
        "just",
        "quickly",
    }
)
# Words that start a verb's object (or its particle): "run the job", "roll back", "tell them".
OBJECT_OPENERS = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "our",
        "your",
        "my",
        "more",
        "all",
        "every",
        "each",
        "some",
        "any",
        "no",
        "this",
        "that",
        "these",
        "those",
        "it",
        "them",
        "us",
        "out",
        "back",
        "up",
        "down",
        "off",
    }
)
MAX_EVIDENCE = 180


def _spelled(word: str) -> str:
    if len(word) > 5:
        for pattern, repl in _SPELLING:
            word = pattern.sub(repl, word)
    return word


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem that matching compares: "changed", "changes", "changing" give "chang"."""
    word = word.replace("'s", "") if word.endswith("'s") else word
    return str(_STEMMER.stemWord(_spelled(word)))


def words(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes straightened, contractions kept whole)."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=20_000)
def _can_be_verb(word: str) -> tuple[bool, bool]:
    """(may be a verb, is only a verb) by the word's possible lemmas."""
    lemmas = getAllLemmas(word)
    verb = "VERB" in lemmas or "AUX" in lemmas
    return verb, verb and not ({"NOUN", "ADJ", "ADV", "PROPN"} & set(lemmas))


def _is_command(tokens: Sequence[str]) -> bool:
    """A command ("Run the backfill", "First, roll back the model"): a verb, then its object.

    The object word is required: "feature store, online store" starts with a verb's base form
    too, and a list of terms states nothing.
    """
    i = 0
    while i < len(tokens) and tokens[i] in COMMAND_OPENERS:
        i += 1
    if i + 1 >= len(tokens):
        return False
    base = getAllLemmas(tokens[i]).get("VERB", ())
    return tokens[i] in base and tokens[i + 1] in OBJECT_OPENERS


def _noun_then_verb(tokens: Sequence[str]) -> bool:
    """A noun, a verb, then its object: "the data scientists query the offline store"."""
    for j in range(1, len(tokens) - 1):
        if tokens[j + 1] not in OBJECT_OPENERS or "VERB" not in getAllLemmas(tokens[j]):
            continue
        if "NOUN" in getAllLemmas(tokens[j - 1]):
            return True
    return False


def is_claim(tokens: Sequence[str]) -> bool:
    """True when the words can state something: a verb, not just a list of terms or a heading.

    Commands count ("Roll back the model."): a runbook is mostly commands.
    """
    if _is_command(tokens) or _noun_then_verb(tokens):
        return True
    for i, token in enumerate(tokens):
        if token in CLAIM_WORDS:
            return True
        verb, only_verb = _can_be_verb(token)
        if only_verb and not token.endswith("ing"):
            # "-ing" alone is no finite verb: "retraining trigger" names a thing.
            return True
        if verb and any(t in SUBJECTS for t in tokens[max(0, i - 2) : i]):
            return True
        if verb and token.endswith(("ed", "es")) and i > 0 and len(token) > 4:
            # "the model predicted", "the inputs changes": a noun, then an inflected verb.
            return True
    return False


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the learner's: its text, words and their stems."""

    text: str
    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    # True when the sentence states something (see `is_claim`).
    claim: bool


def sentences(text: str) -> list[Sentence]:
    """The text cut into sentences (bullets and line breaks end one too)."""
    out = []
    start = 0
    for end in [*_SENTENCE_END.finditer(text), None]:
        part = text[start : end.start() if end else len(text)]
        # A question states nothing: "Should we query the offline store?" is not the point.
        asked = end is not None and "?" in end.group(0)
        start = end.end() if end else len(text)
        clean = part.strip(" \t-•*,")
        tokens = tuple(words(clean))
        if tokens:
            claim = is_claim(tokens) and not asked
            out.append(Sentence(clean, tokens, tuple(stem(t) for t in tokens), claim))
    return out


def shorten(text: str, limit: int = MAX_EVIDENCE) -> str:
    """A quote of the learner's sentence, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
