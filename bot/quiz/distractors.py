"""Wrong options and how they differ from the answer: plain functions of (pack, term, random).

Distractors come from the term's confusable neighbours and its category, are unique, never name
the answer under another spelling, never appear in the question text itself, and are never one of
the term's `not_distractors` (terms the pack says also fit).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from bot.messages import escape
from bot.quiz.checking import accepted_names_of
from bot.quiz.question import first_sentence, mentions, short_name, takes_an
from bot.wording import after_colon, sentence_case
from content.index import PackIndex, normalize
from content.models import Term


def related(a: Term, b: Term) -> bool:
    """True when either term lists the other as related (often a part, a whole or a kind)."""
    return b.id in a.related or a.id in b.related


def pair_partners(pack: PackIndex, term: Term) -> list[Term]:
    """The other term of each confusable pair in the pack that includes `term`."""
    out: list[Term] = []
    for pair in pack.pack.pairs:
        if term.id in pair.terms:
            out += [pack.terms[t] for t in pair.terms if t != term.id and t in pack.terms]
    return list(dict.fromkeys(out))


# Words in a "confused with" note that say one term is a kind, a part or a cause of the other:
# offering one as the wrong answer for the other would mislead (covariate shift *is* data drift).
_OVERLAP = re.compile(
    r"\b(?:loosely|one way|one specific|one cause|a kind of|a type of|special case|subset|stricter)\b",
    re.IGNORECASE,
)


def overlapping(pack: PackIndex, a: Term, b: Term) -> bool:
    """True when the pack's notes say one term is a kind, part or cause of the other.

    Curated pairs (`pairs.yaml`) are distinguishable by definition and never overlap.
    """
    if b in pair_partners(pack, a):
        return False
    return any(
        x.confused_with.term == y.id and bool(_OVERLAP.search(x.confused_with.difference))
        for x, y in ((a, b), (b, a))
    )


def _name_set(term: Term) -> frozenset[str]:
    return _names_cached(term.id, term.names)


@lru_cache(maxsize=4096)
def _names_cached(term_id: str, names: tuple[str, ...]) -> frozenset[str]:
    # Keyed by the names themselves, so two packs with one id never share an entry wrongly.
    return frozenset(normalize(n) for n in accepted_names_of(names))


Pools = tuple[tuple[Term, ...], tuple[Term, ...], tuple[Term, ...]]


def _pools(pack: PackIndex, term: Term, strict: bool) -> Pools:
    """Distractor candidates before shuffling: (near, same category, others); once per pack."""
    key = ("distractor-pools", term.id, strict)
    cached = pack.memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    # Terms the pack marks as also fitting this term's definition or example are never wrong.
    excluded = set(term.not_distractors)
    near = pair_partners(pack, term) if strict else pack.confusables(term)
    near = [t for t in near if not overlapping(pack, term, t) and t.id not in excluded]
    same = [
        t
        for t in pack.same_category(term)
        if t not in near and not related(t, term) and t.id not in excluded
    ]
    others = [
        t
        for t in pack.pack.terms
        if t.id != term.id and t.category != term.category and t not in near
    ]
    others = [t for t in others if not related(t, term) and t.id not in excluded]
    if strict:
        # A confusable outside the curated pairs may well fit the sentence: leave it out.
        linked_ids = {term.confused_with.term} | {
            t.id for t in pack.pack.terms if t.confused_with.term == term.id
        }
        same = [t for t in same if t.id not in linked_ids]
        others = [t for t in others if t.id not in linked_ids]
    pools: Pools = (tuple(near), tuple(same), tuple(others))
    pack.memo[key] = pools
    return pools


def distractors(
    pack: PackIndex,
    term: Term,
    rng: random.Random,
    count: int,
    *,
    avoid_text: str = "",
    gloss_options: bool = False,
    strict: bool = False,
    article: str | None = None,
) -> list[Term]:
    """Wrong options: confusable neighbours first, then the same category, then any term.

    Never the answer again (options are unique by id and by normalized name), never a term named
    in `avoid_text` (the question itself), never a merely related term (often a part, a whole or
    a kind of the answer, where "wrong" would mislead) and, when options are glosses, never
    one whose gloss names the answer. `strict` (fill the gap, where a neighbour may fit the
    sentence too) keeps only the pack's curated pair partners as neighbours. `article` ("a" or
    "an" before the gap) keeps only names that fit it, so the article gives nothing away.
    """
    taken = set(_name_set(term))
    near, same_pool, other_pool = _pools(pack, term, strict)
    same = list(same_pool)
    rng.shuffle(same)
    others = list(other_pool)
    rng.shuffle(others)
    picked: list[Term] = []
    for candidate in [*near[:2], *same, *near[2:], *others]:
        if len(picked) == count:
            break
        names = _name_set(candidate)
        if candidate.id == term.id or candidate in picked or names & taken:
            continue
        if normalize(candidate.quiz_gloss) == normalize(term.quiz_gloss):
            continue
        if avoid_text and mentions(avoid_text, candidate):
            continue
        if gloss_options and mentions(candidate.quiz_gloss, term):
            continue
        if article is not None and takes_an(short_name(candidate)) != (article == "an"):
            continue
        picked.append(candidate)
        taken |= names
    return picked


def linked(a: Term, b: Term) -> bool:
    """True when the pack says how the two terms differ (one's `confused_with` is the other)."""
    return a.confused_with.term == b.id or b.confused_with.term == a.id


def contrast(pack: PackIndex, answer: Term, chosen: Term) -> str:
    """One line on how a wrongly chosen term differs from the answer (markup)."""
    if answer.confused_with.term == chosen.id:
        return escape(answer.confused_with.difference)
    if chosen.confused_with.term == answer.id:
        return escape(chosen.confused_with.difference)
    return (
        f"*{escape(sentence_case(short_name(chosen)))}* is something else: "
        f"{escape(after_colon(first_sentence(chosen.definition)))}"
    )


def false_neighbour(pack: PackIndex, term: Term, rng: random.Random) -> Term | None:
    """A term whose gloss makes a clearly false statement about `term`, if there is one.

    Pair partners first (the pack curates them as distinguishable), then the same category.
    A term's `confused_with` outside a pair is skipped, and so is any term whose definition
    names the other: those are often a broader or narrower idea (covariate shift is a kind of
    data drift; PSI is a drift score), where "false" would mislead.
    """
    partners = pair_partners(pack, term)
    same = pack.same_category(term)
    rng.shuffle(same)
    for candidate in [*partners, *same]:
        if candidate.id in term.not_distractors:
            continue  # the pack says its definition also fits `term`: "false" would mislead
        is_linked = linked(candidate, term)
        if (is_linked or related(candidate, term)) and candidate not in partners:
            continue
        if mentions(candidate.definition, term) or mentions(term.definition, candidate):
            continue
        if mentions(candidate.quiz_gloss, term):
            continue
        if normalize(candidate.quiz_gloss) == normalize(term.quiz_gloss):
            continue
        return candidate
    return None
