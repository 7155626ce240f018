"""`not_distractors`: a term the pack says also fits is never offered as a wrong option."""

from __future__ import annotations

import random

from bot.quiz.questions import (
    definition_to_term,
    false_neighbour,
    fill_gap_choice,
    term_to_definition,
)
from content.index import PackIndex

CHOICE = (definition_to_term, term_to_definition, fill_gap_choice)


def _with_exclusions(pack: PackIndex, term_id: str, excluded: tuple[str, ...]) -> PackIndex:
    """The same pack with one term's `not_distractors` replaced."""
    terms = tuple(
        t.model_copy(update={"not_distractors": excluded}) if t.id == term_id else t
        for t in pack.pack.terms
    )
    return PackIndex(pack.pack.model_copy(update={"terms": terms}))


def _offered(pack: PackIndex, term_id: str, other: str, seeds: range) -> bool:
    """True when some question about `term_id` offers `other` as a wrong answer."""
    term = pack.terms[term_id]
    for seed in seeds:
        rng = random.Random(seed)
        for make in CHOICE:
            question = make(pack, term, rng)
            if question is not None and other in question.option_terms:
                return True
        neighbour = false_neighbour(pack, term, random.Random(seed))
        if neighbour is not None and neighbour.id == other:
            return True
    return False


def test_an_excluded_term_is_never_offered_though_it_would_be_otherwise(pack: PackIndex) -> None:
    # PSI on the score distribution is the classic way to watch prediction drift, so it must
    # not be a "wrong" answer there. Without the exclusion the generator does offer it ...
    bare = _with_exclusions(pack, "prediction-distribution-shift", ())
    assert _offered(bare, "prediction-distribution-shift", "psi", range(40))
    # ... and with it, never.
    assert "psi" in pack.terms["prediction-distribution-shift"].not_distractors
    assert not _offered(pack, "prediction-distribution-shift", "psi", range(40))


def test_every_exclusion_in_the_pack_holds(pack: PackIndex) -> None:
    pairs = [(t.id, other) for t in pack.pack.terms for other in t.not_distractors]
    assert pairs
    for term_id, other in pairs:
        assert not _offered(pack, term_id, other, range(15)), (term_id, other)
