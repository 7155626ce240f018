"""Meaning, not key words: does a sentence of the learner's STATE a key point?

A key point lists its *concepts*: the ideas a sentence must contain to state it, each with the
ways a learner may say it ("customers | users | incoming data", "look different | changed").
A point is stated by up to three sentences in a row (a learner spreads an idea over short
sentences) when:

- it contains enough of the concepts (all of them unless the point says fewer are needed),
  matched on word stems, in order within each phrase, forgiving a typo in a long word;
- it is a claim (`bot.coach.sentences.is_claim`): a list of terms, a heading or a question
  states nothing;
- it is not negated: a "not", "never" or "no" among the matched words that is not part of a
  concept itself (as in "an alert does not mean the feature is broken") cancels it.

Pure functions of the text; the compiled concepts of a scenario are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.coach.sentences import NEGATORS, Sentence, shorten, stem, words


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
            parts = [s.text for s in found[start:end]]
            # Sentences are cut without their full stops; put them back between two.
            ended = [p if p[-1:] in ".!?:;" else f"{p}." for p in parts[:-1]]
            return shorten(" ".join([*ended, parts[-1]]))
    return None
