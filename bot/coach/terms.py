"""The pack's terms in the learner's text: where they are named, which are defined, misused.

A target term counts as used when a sentence that is a claim names it and it is not misused; a
misuse is a cue of a typical mix-up whose nearest term is the misused one ("the online store
keeps the history"). A sentence *defines* a term when the term is followed by "is", "means" or
a colon; `bot.coach.meaning` uses that so "Concept drift means the inputs change" cannot count
as stating what data drift is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.coach.meaning import find
from bot.coach.sentences import Sentence, stem, words
from content.index import PackIndex
from content.models import Misuse, Term

# A sentence with one of these is contrasting the term, not misusing it.
CONTRAST_WORDS = frozenset(
    {"not", "no", "unlike", "whereas", "while", "instead", "rather", "different", "never"}
)
_DEFINES = re.compile(r"\s*[\"”’')]*\s*(?:is|are|means|mean|refers to|=|:)(?:\W|$)", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)


def term_names(term: Term) -> tuple[str, ...]:
    """Names that count as using a term: its name, aliases, and both halves of "PSI (…)"."""
    out: list[str] = []
    for name in term.names:
        m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
        if m:
            out.append(m.group(1))
            if len(words(m.group(2))) and len(m.group(2)) > 3:
                out.append(m.group(2))
        else:
            out.append(name)
    return tuple(n for n in out if words(n))


@dataclass(frozen=True)
class Glossary:
    """Every name of every term, indexed for finding them in sentences quickly."""

    # First stem -> (name stems, term id), longest names first.
    by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    # One pattern for every name; group names are not needed, the match text maps to the id.
    pattern: re.Pattern[str]
    ids: dict[str, str]


@lru_cache(maxsize=8)
def glossary(pack: PackIndex) -> Glossary:
    """The pack's term names, indexed (built once per pack)."""
    entries = {
        (tuple(stem(w) for w in words(n)), t.id, n.lower())
        for t in pack.pack.terms
        for n in term_names(t)
    }
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for stems, term_id, _ in sorted(entries, key=lambda e: (-len(e[0]), e[1])):
        by_first.setdefault(stems[0], []).append((stems, term_id))
    names = sorted({name for _, _, name in entries}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
    return Glossary(
        {k: tuple(v) for k, v in by_first.items()},
        pattern,
        {name: term_id for _, term_id, name in entries},
    )


def term_spans(pack: PackIndex, sentence: Sentence) -> list[tuple[int, int, str]]:
    """(start, end, term id) of every term named in a sentence; longer names win overlaps."""
    index = glossary(pack).by_first
    found: list[tuple[int, int, str]] = []
    stems = sentence.stems
    for start, first in enumerate(stems):
        for phrase, term_id in index.get(first, ()):
            end = start + len(phrase)
            if stems[start:end] == phrase:
                found.append((start, end, term_id))
                break
    # Longer names win where two overlap ("online store" over "store").
    spans: list[tuple[int, int, str]] = []
    for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= a or span[0] >= b for a, b, _ in spans):
            spans.append(span)
    return sorted(spans)


def defined_terms(pack: PackIndex, sentence: Sentence) -> set[str]:
    """The terms this sentence defines: named, then "is", "means", "refers to" or a colon."""
    index = glossary(pack)
    text = sentence.text.lower()
    return {
        index.ids[m.group(1)] for m in index.pattern.finditer(text) if _DEFINES.match(text, m.end())
    }


def used_terms(pack: PackIndex, found: Sequence[Sentence]) -> dict[str, str]:
    """Term id -> the first claim sentence that names it."""
    out: dict[str, str] = {}
    for sentence in found:
        if not sentence.claim:
            continue
        for _, _, term_id in term_spans(pack, sentence):
            out.setdefault(term_id, sentence.text)
    return out


def _clauses(sentence: Sentence) -> list[int]:
    """The clause number of each token (commas, "and", "but" start a new one)."""
    ids: list[int] = []
    for n, part in enumerate(_CLAUSE_END.split(sentence.text)):
        ids += [n] * len(words(part))
    return ids if len(ids) == len(sentence.tokens) else [0] * len(sentence.tokens)


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def misuse_in(pack: PackIndex, misuse: Misuse, sentence: Sentence) -> bool:
    """True when a cue of `misuse` in this sentence belongs to the misused term.

    "Belongs" is the nearest term, in the cue's own clause first, else the nearest before it (a
    description follows what it describes: "data drift, where the inputs change, and concept
    drift, where ..."), else the nearest after it.
    """
    spans = term_spans(pack, sentence)
    if not any(t == misuse.term for _, _, t in spans) or CONTRAST_WORDS & set(sentence.tokens):
        return False
    clause_of = _clauses(sentence)
    for cue in misuse.cues:
        span = find(sentence.stems, [stem(w) for w in words(cue)], gap=1)
        if span is None:
            continue
        # A cue may itself be a term ("model version"); it is not its own neighbour.
        others = [sp for sp in spans if sp[1] <= span[0] or sp[0] >= span[1]]
        same = [sp for sp in others if clause_of[sp[0]] == clause_of[span[0]]]
        before = [sp for sp in others if sp[1] <= span[0]]
        pool = same or before or others
        if pool and min(pool, key=lambda sp: _gap((sp[0], sp[1]), span))[2] == misuse.term:
            return True
    return False


def misuses(
    pack: PackIndex, listed: Sequence[Misuse], found: Sequence[Sentence]
) -> list[tuple[Misuse, str]]:
    """Each listed misuse found, with the sentence that shows it."""
    out = []
    for misuse in listed:
        hit = next((s.text for s in found if misuse_in(pack, misuse, s)), None)
        if hit is not None:
            out.append((misuse, hit))
    return out
