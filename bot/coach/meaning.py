"""Meaning, not key words: does a sentence of the learner's STATE a key point?

A key point lists its *concepts*: the ideas a sentence must contain to state it, each with the
ways a learner may say it ("customers | users | incoming data", "look different | changed").
A point is stated by one sentence (or a sentence and the next one that goes on with "it",
"this", "so"...) when:

- it contains enough of the concepts (all of them unless the point says fewer are needed),
  matched on word stems, in order within each phrase, forgiving a typo in a long word;
- it is a claim: it has a verb (a list of terms or a heading states nothing);
- it is not negated: a "not", "never" or "no" among the matched words that is not part of a
  concept itself (as in "an alert does not mean the feature is broken") cancels it.

Pure functions of the text; the compiled concepts of a scenario are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from lemminflect import getAllLemmas
from rapidfuzz import fuzz

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
# A sentence that starts with one of these goes on with the previous one's subject.
CONTINUERS = frozenset(
    {"it", "this", "that", "they", "these", "so", "because", "which", "then", "and", "but", "also"}
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
        if only_verb:
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


@dataclass(frozen=True, slots=True)
class Phrase:
    """One way to say a concept, as stems; `negative` when it carries its own "not"."""

    stems: tuple[str, ...]
    negative: bool


@dataclass(frozen=True, slots=True)
class Concept:
    """One idea of a key point, with the ways of saying it; `required` ones must be there."""

    text: str
    phrases: tuple[Phrase, ...]
    required: bool = False
    forbidden: bool = False


@dataclass(frozen=True, slots=True)
class PointConcepts:
    """A key point's concepts, how many a sentence must state, and the term it is about."""

    id: str
    concepts: tuple[Concept, ...]
    need: int
    about: str | None = None


Lexicon = Mapping[str, Sequence[str]]


def alternatives(text: str, lexicon: Lexicon) -> list[str]:
    """The ``|``-separated ways of saying a concept, with ``@name`` expanded from the lexicon."""
    out: list[str] = []
    for part in text.split("|"):
        phrase = part.strip()
        ref = re.search(r"@([a-z0-9_]+)", phrase)
        if ref is None:
            if phrase:
                out.append(phrase)
            continue
        # "not @stop": every word of the class, in its place in the phrase.
        head, tail = phrase[: ref.start()], phrase[ref.end() :]
        out.extend(f"{head}{word}{tail}".strip() for word in lexicon.get(ref.group(1), ()))
    return out


def compile_concept(text: str, lexicon: Lexicon | None = None) -> Concept:
    """A concept from its text: alternatives split on ``|``, ``@name`` taken from the lexicon.

    A leading ``!`` marks a concept every statement needs; a leading ``-`` one that must not be
    there (data drift is not "customers behave differently").
    """
    stripped = text.lstrip()
    required = stripped.startswith("!")
    forbidden = stripped.startswith("-")
    body = stripped.lstrip("!-")
    phrases = []
    for alternative in alternatives(body, lexicon or {}):
        tokens = words(alternative)
        if tokens:
            negative = any(t in NEGATORS for t in tokens)
            phrases.append(Phrase(tuple(stem(t) for t in tokens), negative))
    return Concept(body.strip(), tuple(phrases), required, forbidden)


def compile_point(
    point_id: str,
    concepts: Sequence[str],
    need: int | None,
    about: str | None = None,
    lexicon: Lexicon | None = None,
) -> PointConcepts:
    """A key point's concepts, compiled once."""
    compiled = tuple(compile_concept(c, lexicon) for c in concepts if c.strip(" !-"))
    positive = sum(not c.forbidden for c in compiled)
    wanted = positive if need is None else max(1, min(need, positive))
    return PointConcepts(point_id, compiled, wanted, about)


def _same(a: str, b: str) -> bool:
    # Learners write in a second language: forgive one slip in a long word. The cheap tests
    # first: this runs for every word of every phrase of every concept.
    if a == b:
        return True
    if len(a) < 5 or len(b) < 5 or a[0] != b[0] or abs(len(a) - len(b)) > 2:
        return False
    return fuzz.ratio(a, b) >= 85


def find(stems: Sequence[str], phrase: Sequence[str], gap: int = 2) -> tuple[int, int] | None:
    """(start, end) of `phrase` in `stems`: in order, at most `gap` other words between two."""
    if not phrase:
        return None
    for start, word in enumerate(stems):
        if not _same(word, phrase[0]):
            continue
        at, k = start, 1
        while k < len(phrase):
            nxt = next(
                (
                    j
                    for j in range(at + 1, min(len(stems), at + 2 + gap))
                    if _same(stems[j], phrase[k])
                ),
                None,
            )
            if nxt is None:
                break
            at, k = nxt, k + 1
        if k == len(phrase):
            return start, at + 1
    return None


@dataclass(frozen=True, slots=True)
class Match:
    """Where one concept was found in a window of sentences, and by which phrase."""

    start: int
    end: int
    negative: bool


def _match(stems: Sequence[str], concept: Concept) -> Match | None:
    for phrase in concept.phrases:
        span = find(stems, phrase.stems)
        if span is not None:
            return Match(span[0], span[1], phrase.negative)
    return None


def _negated(tokens: Sequence[str], matches: Iterable[Match], after: int = 0) -> bool:
    """A negator just before (or, with `after`, just after) the matched words, not their own."""
    spans = list(matches)
    if not spans:
        return False
    own = {i for m in spans if m.negative for i in range(m.start, m.end)}
    low = max(0, min(m.start for m in spans) - 4)
    high = min(len(tokens), max(m.end for m in spans) + after)
    return any(tokens[i] in NEGATORS and i not in own for i in range(low, high))


WINDOW = 3
DefinesFn = Callable[[Sentence], set[str]]


@dataclass(frozen=True, slots=True)
class _Hits:
    """What one sentence says of one point: the concepts it states, and whether it forbids it."""

    stated: frozenset[int]
    forbids: bool


def _hits(sentence: Sentence, point: PointConcepts, defines: DefinesFn | None) -> _Hits:
    """Which of the point's concepts this sentence states, and whether it forbids the point.

    A concept counts in a claim that does not negate it and does not define another term.
    """
    forbids = any(c.forbidden and _says(sentence, c) for c in point.concepts)
    usable = sentence.claim and not (
        point.about and defines is not None and _defines_other(sentence, point.about, defines)
    )
    stated: set[int] = set()
    if usable:
        for n, concept in enumerate(point.concepts):
            if concept.forbidden:
                continue
            match = _match(sentence.stems, concept)
            if match is not None and not _negated(sentence.tokens, [match]):
                stated.add(n)
    return _Hits(frozenset(stated), forbids)


def _run_states(hits: Sequence[_Hits], point: PointConcepts) -> bool:
    if any(h.forbids for h in hits):
        return False
    stated = frozenset().union(*(h.stated for h in hits))
    required = {n for n, c in enumerate(point.concepts) if c.required}
    return required <= stated and len(stated) >= point.need


def states(run: Sequence[Sentence], point: PointConcepts, defines: DefinesFn | None = None) -> bool:
    """True when this run of sentences states the point.

    Each concept must be found in a sentence that is a claim and does not negate it; a sentence
    that defines another term ("Concept drift means ...") cannot state a point about this one.
    """
    return bool(point.concepts) and _run_states([_hits(s, point, defines) for s in run], point)


def _says(sentence: Sentence, concept: Concept) -> bool:
    """True when the sentence says the concept and does not deny it ("habits haven't changed")."""
    match = _match(sentence.stems, concept)
    return match is not None and not _negated(sentence.tokens, [match], after=3)


def _defines_other(sentence: Sentence, about: str, defines: DefinesFn) -> bool:
    named = defines(sentence)
    return bool(named) and about not in named


def shorten(text: str, limit: int = MAX_EVIDENCE) -> str:
    """A quote of the learner's sentence, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def windows(count: int, size: int = WINDOW) -> list[tuple[int, int]]:
    """(start, end) of every run of up to `size` consecutive sentences, shortest runs first.

    A point may take a learner two or three sentences ("An alert fires. Nothing stops. We check").
    """
    return [(i, i + n) for n in range(1, size + 1) for i in range(count - n + 1)]


def evidence_for(
    found: Sequence[Sentence], point: PointConcepts, defines: DefinesFn | None = None
) -> str | None:
    """The learner's sentences that state the point, shortened, or None."""
    if not point.concepts:
        return None
    hits = [_hits(s, point, defines) for s in found]
    for start, end in windows(len(found)):
        if _run_states(hits[start:end], point):
            return shorten(" ".join(s.text for s in found[start:end]))
    return None
