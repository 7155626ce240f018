"""Jargon the audience may not know, and whether the learner explained it where they used it.

A word counts as explained when, near its first use:
- one of the scenario's `explained_by` phrases is in the same, previous or next sentence; or
- it is named right after one: "… This we call data drift", "…, this is concept drift"; or
- it is followed by an explanation: "which means …", "that is …", "i.e. …", "is when …", a
  dash, or an apposition ("ground-truth labels, the real outcomes, …", "(the real outcomes)"),
  in at least two plain words. A formula is not an explanation: "concept drift is a change in
  P(y|x)" explains nothing to a product manager.

For a non-technical audience every multi-word glossary name and every acronym that is not a
target term counts as jargon too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.coach.feedback import Level
from bot.coach.meaning import find
from bot.coach.sentences import Sentence, stem, words
from bot.coach.terms import term_names
from content.index import PackIndex
from content.models import Jargon, Term

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}$")
_EXPLAIN = re.compile(
    r"^\s*(?:[,(–—-]|:)?\s*(?:which|that|this)?\s*"
    r"(?:means|meaning|is when|is where|is how|is a|is an|is the|are the|is what|refers to|"
    r"i\.?\s?e\.?|that is|in other words|in plain words|simply put|we call|basically|"
    r"a kind of|a way to)\b",
    re.IGNORECASE,
)
# An apposition: a short noun phrase set off by commas, brackets or a dash, right after the
# word ("ground-truth labels, the real outcomes, ..."); not a new clause ("…, and we …").
_APPOSITION = re.compile(
    r"^\s*(?:,|\(|–|—|-|:)(?!\s*(?:and|but|so|or|then|because|we|i|it|they|you|he|she|this|"
    r"that|which|who|if|when|while|where|since|as)\b)\s*([^,()–—]{6,80}?)\s*(?:[,)–—.;]|$)",
    re.IGNORECASE,
)
# The word named right after its explanation: "… This we call data drift", "…, this is concept
# drift", "we call this skew", "that is what we call drift".
_NAMING = re.compile(
    r"(?:\b(?:this|that|it)\s+(?:is\s+)?(?:what\s+)?(?:we\s+)?(?:call(?:ed)?|is|are)\s+"
    r"|\bwe\s+call\s+(?:this|that|it)\s+|\bthis\s+we\s+call\s+)(?:the\s+|a\s+|an\s+)?$",
    re.IGNORECASE,
)
_FORMULA = re.compile(r"[=|^∑σμ]|\b[A-Za-z]\s*\(\s*[A-Za-z]")


@dataclass(frozen=True)
class JargonUse:
    """A jargon word found in the answer, whether it was explained, and where."""

    word: str
    explained: bool
    sentence: str


def _is_explanation(after: str) -> bool:
    """True when the text right after a word explains it in plain words (not a formula)."""
    head = after[:120]
    marker = _EXPLAIN.match(head)
    apposition = _APPOSITION.match(head)
    if marker is None and apposition is None:
        return False
    rest = head[marker.end() :] if marker is not None else apposition.group(1) if apposition else ""
    plain = [w for w in words(rest) if w.isalpha()]
    return len(plain) >= 2 and not _FORMULA.search(rest[:40])


def _named_after_explanation(before: str, previous: str) -> bool:
    """True when the word is named right after the learner explained it in plain words."""
    naming = _NAMING.search(before)
    if naming is None:
        return False
    explanation = before[: naming.start()] or previous
    plain = [w for w in words(explanation) if w.isalpha()]
    return len(plain) >= 5 and not _FORMULA.search(explanation[-60:])


def _mentions(sentence: Sentence, name: str) -> list[re.Match[str]]:
    pattern = r"(?<![\w-])" + re.escape(name) + r"s?(?![\w-])"
    return list(re.finditer(pattern, sentence.text, re.IGNORECASE))


def _phrase_near(found: Sequence[Sentence], i: int, phrases: Iterable[str]) -> bool:
    for near in found[max(0, i - 1) : i + 2]:
        for phrase in phrases:
            if find(near.stems, [stem(w) for w in words(phrase)], gap=1) is not None:
                return True
    return False


def _use(
    word: str, names: Sequence[str], explained_by: Sequence[str], found: Sequence[Sentence]
) -> JargonUse | None:
    first: str | None = None
    for i, sentence in enumerate(found):
        for name in names:
            for hit in _mentions(sentence, name):
                first = first or sentence.text
                previous = found[i - 1].text if i else ""
                if (
                    _phrase_near(found, i, explained_by)
                    or _is_explanation(sentence.text[hit.end() :])
                    or _named_after_explanation(sentence.text[: hit.start()], previous)
                ):
                    return JargonUse(word, True, sentence.text)
    return JargonUse(word, False, first) if first is not None else None


def _lay_names(term: Term) -> tuple[str, ...]:
    """Glossary names a non-technical reader would not know: multi-word names and acronyms."""
    return tuple(
        n
        for n in term_names(term)
        if " " in n.strip() or _ACRONYM.match(n.strip()) or n.lower() in {"onnx", "triton"}
    )


def find_jargon(
    pack: PackIndex,
    listed: Sequence[Jargon],
    level: Level,
    target_terms: Sequence[str],
    found: Sequence[Sentence],
) -> list[JargonUse]:
    """Jargon used in the learner's sentences.

    The item's own list, plus glossary names for a non-technical audience.
    """
    uses: list[JargonUse] = []
    covered: set[str] = set()
    for item in listed:
        covered.update(n.lower() for n in item.names)
        use = _use(item.word, item.names, item.explained_by, found)
        if use is not None:
            uses.append(use)
    if level != "low":
        return uses
    targets = set(target_terms)
    for term in pack.pack.terms:
        names = _lay_names(term)
        if term.id in targets or not names or any(n.lower() in covered for n in term_names(term)):
            continue
        shown = names[0] if len(names) == 1 else re.sub(r"\s*\(.*\)\s*$", "", term.term)
        use = _use(shown, names, (), found)
        if use is not None:
            uses.append(use)
    return uses
