"""Every key point's concepts, checked against the pack's own sentences.

A point's `example` must state it; a model answer must state every point of its item; the
point's own words as a list (no verb) and the example negated must not. These are the checks a
content author runs after writing concepts (`termcoach coach judge` tries single answers).
"""

from __future__ import annotations

import pytest
from lemminflect import getAllLemmas

from bot.coach.brief import Brief, brief_for
from bot.coach.judge import RubricJudge
from bot.coach.meaning import evidence_for
from bot.coach.sentences import sentences, words
from bot.coach.terms import defined_terms
from content.index import PackIndex
from content.loader import load_default_pack

PACK = PackIndex(load_default_pack())
ITEMS = [*PACK.pack.scenarios, *(e for e in PACK.pack.exercises if e.kind != "drill")]
BRIEFS = {item.id: brief_for(PACK, item) for item in ITEMS}
WITH_CONCEPTS = [
    (item_id, point.id)
    for item_id, brief in BRIEFS.items()
    for point in brief.key_points
    if point.concepts
]


def _noun(word: str) -> bool:
    lemmas = getAllLemmas(word)
    return "NOUN" in lemmas and "VERB" not in lemmas and "AUX" not in lemmas


def _states(brief: Brief, point_id: str, text: str) -> bool:
    concepts = next(c for c in brief.concepts if c.id == point_id)
    return evidence_for(sentences(text), concepts, lambda s: defined_terms(PACK, s)) is not None


@pytest.mark.parametrize(("item_id", "point_id"), WITH_CONCEPTS)
def test_the_example_states_its_point(item_id: str, point_id: str) -> None:
    brief = BRIEFS[item_id]
    point = brief.point(point_id)
    assert point is not None
    assert _states(brief, point_id, point.example), point.example


@pytest.mark.parametrize(("item_id", "point_id"), WITH_CONCEPTS)
def test_a_list_of_the_points_words_states_nothing(item_id: str, point_id: str) -> None:
    brief = BRIEFS[item_id]
    point = brief.point(point_id)
    assert point is not None
    # The point's own nouns as a heading-like list: "Drift, world, model, data, predictions."
    nouns = [w for w in words(point.point) if _noun(w)]
    salad = ", ".join(dict.fromkeys(nouns))
    assert not _states(brief, point_id, salad.capitalize() + "."), salad


@pytest.mark.parametrize("item_id", sorted({item for item, _ in WITH_CONCEPTS}))
async def test_the_model_answer_states_every_point(item_id: str) -> None:
    brief = BRIEFS[item_id]
    feedback = await RubricJudge(PACK).assess(brief, [brief.model_answer])
    missed = [
        p.id
        for p in feedback.points
        if not p.covered and brief.point(p.id) and brief.point(p.id).concepts
    ]  # type: ignore[union-attr]
    assert missed == [], brief.model_answer
