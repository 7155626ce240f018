"""Word classes for the inflection layer: closed word lists, and lemminflect's lexicon.

There is no tagger. A word counts as a noun or a verb when lemminflect's lexicon lists it as one;
unknown lowercase words of four letters or more are guessed to be nouns (`detector`, `backfill`).
lemminflect is imported on the first look-up, not with this module: with numpy and its tables it
costs about 0.3 s and 50 MB, which only a process that checks English should pay.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType
from typing import cast

NUMERAL = re.compile(r"\d+(?:[.,]\d+)*%?")
# A word (with inner apostrophes, hyphens, `&`), a number (`0.12`, `1,000`, `95%`), or one
# other character.
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'’&-]*|\d+(?:[.,]\d+)*%?|[^\sA-Za-z\d]")

DETS = frozenset(
    {
        "the",
        "this",
        "that",
        "each",
        "every",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "a",
        "an",
        "one",
    }
)
# Words after which a determiner starts a new clause (and so, maybe, a subject).
CLAUSE_OPENERS = frozenset({
    ",", ";", ":", "(", "and", "but", "because", "when", "if", "so", "that", "why", "where",
    "while", "since", "after", "before", "think", "believe", "guess", "hope", "know", "say",
    "says", "said", "yesterday", "today", "tomorrow", "now", "then", "also", "week", "month",
    "year", "morning", "night", "sprint", "quarter", "release", "opinion", "fact", "meanwhile",
    "however", "unfortunately",
})  # fmt: skip
PREPS = frozenset({
    "of", "in", "on", "at", "for", "from", "with", "to", "by", "about", "into", "between",
    "across", "per", "than", "like", "over", "under", "during", "without", "through", "after",
    "before", "via", "within",
})  # fmt: skip
# A word that may start the object of a verb.
OBJ_START = frozenset({
    "the", "a", "an", "this", "these", "those", "all", "some", "any", "no", "every", "each", "our",
    "my", "your", "their", "his", "her", "its", "it", "them", "us", "me", "him", "more", "less",
    "much", "many", "two", "three", "several",
})  # fmt: skip
# After a real verb we expect an object, a complement or an adjunct.
_FOLLOW_WORDS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "all", "some", "any", "no", "every",
    "each", "our", "my", "your", "their", "his", "her", "its", "it", "them", "us", "me", "him",
    "more", "less", "much", "many", "too", "very", "well", "wrong", "badly", "why", "how",
    "what", "if", "because", "when", "so", "again", "only", "already", "always", "never",
    "often", "twice", "two", "three", "new", "old", "up", "down", "out", "back", "a lot", ".",
    ",", "!", "?", ";",
})  # fmt: skip
FOLLOW = _FOLLOW_WORDS | PREPS
# Uncountable (or already plural) nouns: no singular/plural agreement to check.
MASS = frozenset({
    "data", "information", "feedback", "software", "hardware", "equipment", "advice", "research",
    "news", "staff", "people", "police", "series", "analytics", "metadata", "traffic", "latency",
    "memory", "code",
})  # fmt: skip
NUMS = frozenset({
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "several", "many", "few",
})  # fmt: skip
# A finished time in the sentence asks for the past simple.
# Not `as last year`, `than last week`, `since last month` (a comparison, or a present perfect),
# nor `the last year` (the twelve months up to now).
PAST_MARKERS = re.compile(
    r"\b(yesterday|(?<!\bas )(?<!\bthan )(?<!\bsince )(?<!\bthe )last (?:week|month|year|night|"
    r"sprint|quarter|time|release|friday|monday|tuesday|wednesday|thursday|weekend)|ago)\b",
    re.IGNORECASE,
)
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
# Verbs that take no object: `is depend on` means `depends on`, not a passive.
INTRANSITIVE = frozenset(
    {
        "depend",
        "exist",
        "happen",
        "consist",
        "belong",
        "seem",
        "agree",
        "matter",
        "differ",
        "rely",
        "last",
    }
)
SUBJ_PRON = frozenset({"i", "we", "they", "you", "he", "she", "it"})
INDEF_PRON = frozenset({
    "nobody", "everybody", "everyone", "someone", "somebody", "anyone", "anybody", "nothing",
    "everything", "something", "nobody's",
})  # fmt: skip
# Lexicon quirks: `loose` is a typo for `lose`, not a verb to inflect.
# Adverbs that may stand between a subject or a modal and its verb: "can slowly become",
# "the copies now drift".
MID_ADVERBS = frozenset(
    {
        "now",
        "still",
        "also",
        "actually",
        "only",
        "often",
        "always",
        "never",
        "usually",
        "really",
        "just",
        "slowly",
        "quickly",
        "suddenly",
        "already",
        "sometimes",
        "then",
        "not",
        "easily",
        "probably",
        "even",
        "soon",
        "first",
    }
)
STOP_VERBS = frozenset({"loose", "need", "wrong"})
AUX = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has",
    "had", "can", "could", "will", "would", "shall", "should", "may", "might", "must", "to", "not",
    "don't", "doesn't", "didn't", "won't", "can't", "cannot", "couldn't", "wouldn't", "shouldn't",
    "mustn't", "isn't", "aren't", "wasn't", "weren't", "hasn't", "haven't",
})  # fmt: skip
# Words that are never a noun or a verb of the clause, whatever the lexicon says.
_PRONOUNS_AND_JOINERS = frozenset({
    "these", "those", "all", "it", "its", "it's", "they", "we", "you", "he", "she", "i", "me",
    "us", "them", "some", "any", "no", "not", "and", "or", "but", "so", "because", "when", "if",
    "then", "than", "there", "here", "who", "which", "what", "above", "below",
})  # fmt: skip
FUNCTION = DETS | PREPS | AUX | _PRONOUNS_AND_JOINERS


@dataclass(frozen=True, slots=True)
class Tok:
    """A token of a sentence: its text, lower case, and position."""

    t: str
    lo: str
    s: int
    e: int

    @classmethod
    def of(cls, match: re.Match[str]) -> Tok:
        """The token for a `TOKEN` match."""
        text = match.group(0)
        return cls(text, text.lower(), match.start(), match.end())


_LOAD_LOCK = threading.Lock()
_LOADED = threading.Event()


@cache
def _lemminflect() -> ModuleType:
    # Loaded on the first look-up: numpy plus lemminflect's tables, about 0.3 s and 50 MB.
    import lemminflect  # noqa: PLC0415

    return cast(ModuleType, lemminflect)


def load() -> None:
    """Load lemminflect's tables now (under a lock, so threads do not load them twice)."""
    with _LOAD_LOCK:
        if _LOADED.is_set():
            return
        li = _lemminflect()
        li.getAllLemmas("models")
        li.getAllLemmasOOV("detectors", "NOUN")
        li.getInflection("model", "NNS")
        _LOADED.set()


Lemmas = Mapping[str, tuple[str, ...]]


@lru_cache(maxsize=65536)
def lemmas(word: str) -> Lemmas:
    """The lemmas of `word` by part of speech (`{"NOUN": ("model",), "VERB": ("model",)}`)."""
    lo = word.lower()
    if lo in FUNCTION:
        return {}
    found = cast(Lemmas, _lemminflect().getAllLemmas(lo))
    if not found and lo.isalpha() and len(lo) > 3:  # out of vocabulary: guess a noun
        guessed = cast(Lemmas, _lemminflect().getAllLemmasOOV(lo, "NOUN"))
        return {"NOUN": guessed["NOUN"]} if "NOUN" in guessed else {}
    return found


@lru_cache(maxsize=65536)
def inflections(lemma: str, tag: str) -> tuple[str, ...]:
    """Every form of `lemma` for the Penn tag (`VBZ`, `VBD`, `VBN`, `VBG`, `NNS`)."""
    return cast(tuple[str, ...], _lemminflect().getInflection(lemma, tag))


def inflect(lemma: str, tag: str) -> str:
    """The first form of `lemma` for the Penn tag, or `lemma` itself when there is none."""
    forms = inflections(lemma, tag)
    return forms[0] if forms else lemma


def is_nounish(tok: Tok) -> bool:
    """Whether the token can be part of a noun phrase (noun, adjective, name, number)."""
    if tok.lo in FUNCTION:
        return False
    if tok.t[0].isupper() or "-" in tok.t:  # product names, acronyms, compounds: KS, on-call
        return True
    found = lemmas(tok.t)
    return bool(re.search(r"\d", tok.t)) or "NOUN" in found or "ADJ" in found


def plural_noun(tok: Tok) -> bool:
    """Whether the token is a regular countable plural noun (`models`, not `data`)."""
    if not tok.t.islower() or tok.lo in MASS:
        return False
    noun = lemmas(tok.t).get("NOUN")
    if not noun:
        return False
    return noun[0] != tok.lo and tok.lo.endswith("s")


def counts_nouns(word: str) -> bool:
    """Whether `word` is a plural or mass noun, which `more` can count (`more customers`)."""
    tok = Tok(word, word.lower(), 0, len(word))
    return tok.lo in MASS or plural_noun(tok)


def singular_noun(tok: Tok) -> bool:
    """Whether the token is a countable singular noun (or a name that is not plural)."""
    if tok.lo in MASS:
        return False
    if NUMERAL.fullmatch(tok.t):  # `the other 45 were`: a count, plural unless it is one
        return tok.t == "1"
    if tok.t[0].isupper() or re.search(r"\d", tok.t):
        return tok.lo not in DETS and not tok.t.endswith("s")
    noun = lemmas(tok.t).get("NOUN")
    if not noun:
        return False
    return noun[0] == tok.lo and not tok.lo.endswith("ss")


def base_verb(tok: Tok) -> str | None:
    """The lemma if the token is a verb in its base form (not an auxiliary), else None."""
    if not tok.t.islower() or tok.lo in AUX:
        return None
    verb = lemmas(tok.t).get("VERB")
    return verb[0] if verb and verb[0] == tok.lo else None


def vbz_verb(tok: Tok) -> str | None:
    """The lemma if the token is a verb's -s form (`predicts`), else None."""
    if not tok.t.islower() or tok.lo in AUX:
        return None
    verb = lemmas(tok.t).get("VERB")
    forms = inflections(verb[0], "VBZ") if verb else ()
    if verb and forms and forms[0] == tok.lo:
        return verb[0]
    return None


_PUNCT = ".,;:!?()\"'"


def same_lemma(a: str, b: str) -> bool:
    """Whether two words are forms of one word (`run`, `runs`, `ran`; `canary`, `canaries`)."""
    lemmas_a = {lemma for found in lemmas(a.strip(_PUNCT)).values() for lemma in found}
    return any(lemma in lemmas_a for found in lemmas(b.strip(_PUNCT)).values() for lemma in found)


def is_simple_past(word: str) -> bool:
    """Whether `word` is the past simple of a verb (`went`), as opposed to its participle."""
    return any(inflect(v, "VBD") == word.lower() for v in lemmas(word).get("VERB", ()))


def match_case(source: str, replacement: str) -> str:
    """`replacement` capitalised like `source`'s first letter."""
    if source[:1].isupper() and replacement:
        return replacement[0].upper() + replacement[1:]
    return replacement
