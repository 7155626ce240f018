"""The offline coach judges meaning, not key words, and scores every text between 0 and 100.

The answers here were written for these tests, as a B1-B2 engineer would write them.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.brief import Brief, brief_for
from bot.coach.feedback import Feedback, score
from bot.coach.judge import RubricJudge
from bot.coach.questions import asked_character
from bot.coach.render import points_lines
from content.index import PackIndex
from content.loader import load_default_pack

PACK = PackIndex(load_default_pack())
JUDGE = RubricJudge(PACK)
DRIFT = brief_for(PACK, PACK.scenarios["drift-pm"])


def judge(brief: Brief, *messages: str) -> Feedback:
    return JUDGE.assess_now(brief, list(messages))


def covered(feedback: Feedback) -> set[str]:
    return {p.id for p in feedback.covered}


def total(brief: Brief, feedback: Feedback) -> int:
    return score(feedback, brief.level, brief.length).total


def test_an_everyday_paraphrase_states_the_point() -> None:
    feedback = judge(
        DRIFT,
        "The people who use the shop now are not like the people the model learned from "
        "last year, so its suggestions slowly become less useful.",
    )
    assert "what-drift-is" in covered(feedback)
    point = next(p for p in feedback.points if p.id == "what-drift-is")
    assert "not like the people the model learned from" in point.evidence


def test_a_list_of_key_words_states_nothing_and_scores_low() -> None:
    salad = (
        "Drift, data drift, concept drift, training data, new customers, accuracy, alert, "
        "retraining trigger, data bug, quality."
    )
    feedback = judge(DRIFT, salad)
    assert covered(feedback) == set()
    assert total(DRIFT, feedback) <= 10


def test_a_negated_claim_earns_nothing() -> None:
    feedback = judge(
        DRIFT,
        "When an alert comes we do not check for a data bug, we retrain at once, always.",
    )
    assert "what-happens" not in covered(feedback)


def test_the_right_words_on_the_wrong_term_do_not_count() -> None:
    feedback = judge(
        DRIFT,
        "Concept drift means the inputs change: we get a different mix of customers now.",
    )
    assert "data-drift" not in covered(feedback)


def test_a_formula_is_not_an_explanation_for_a_product_manager() -> None:
    feedback = judge(
        DRIFT,
        "Concept drift is a change in P(y|x), and we watch PSI every day on the features.",
    )
    notes = {j.word.lower(): j.explained for j in feedback.jargon}
    assert notes, feedback.jargon
    assert not any(notes.values())


def test_an_apposition_explains_a_word() -> None:
    feedback = judge(
        DRIFT,
        "We compare with the ground-truth labels, the real outcomes we get a month later, "
        "and check accuracy every day.",
    )
    explained = {j.word.lower() for j in feedback.jargon if j.explained}
    unexplained = {j.word.lower() for j in feedback.jargon if not j.explained}
    assert not any("ground" in w for w in unexplained), feedback.jargon
    assert any("ground" in w for w in explained) or not feedback.jargon


@pytest.mark.parametrize("item_id", sorted(PACK.scenarios))
def test_every_missed_point_gets_a_sentence_to_say(item_id: str) -> None:
    brief = brief_for(PACK, PACK.scenarios[item_id])
    lines = points_lines(brief, judge(brief, "I am not sure."))
    missed = [line for line in lines if line.startswith("❌")]
    assert len(missed) == len(brief.key_points)
    for line in missed:
        at = lines.index(line)
        follow = lines[at + 1] if at + 1 < len(lines) else ""
        assert "You could say" in line or "You could say" in follow, (item_id, line)


def test_a_word_named_right_after_its_explanation_is_explained() -> None:
    feedback = judge(
        DRIFT,
        "The shoppers we get today are younger than the ones in the training data. "
        "This we call data drift. The same shopper now picks other things for the same "
        "reasons, this is concept drift.",
    )
    notes = {j.word.lower(): j.explained for j in feedback.jargon}
    assert notes.get("data drift") is True, feedback.jargon
    assert notes.get("concept drift") is True, feedback.jargon


def test_naming_a_word_without_an_explanation_is_not_one() -> None:
    feedback = judge(DRIFT, "Hi. This is concept drift, and we retrain.")
    notes = {j.word.lower(): j.explained for j in feedback.jargon}
    assert notes.get("concept drift") is False, feedback.jargon


def test_off_topic_text_gets_no_praise_and_no_points() -> None:
    feedback = judge(DRIFT, "I watched football yesterday and my team won three to one.")
    assert not feedback.on_topic
    assert total(DRIFT, feedback) == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what does batch inference mean?", "term"),
        ("Sorry, can you repeat?", "repeat"),
        ("Which model is it?", "other"),
        ("What do you mean by PSI?", "term"),
    ],
)
def test_questions_to_the_character_are_recognised(text: str, kind: str) -> None:
    asked = asked_character(text, PACK, DRIFT.jargon)
    assert asked is not None and asked.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Why does it matter? Because the customers changed and the model learned from old data.",
        "Drift means the world changed since the model was trained.",
    ],
)
def test_an_answer_is_not_a_question(text: str) -> None:
    assert asked_character(text, PACK, DRIFT.jargon) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=300),
        st.just(""),
        st.just("x" * 9000),
        st.just("🙂🚀🔥" * 50),
        st.just("O modelo está piorando porque os clientes mudaram muito."),
        st.just("def f(x):\n    return x**2  # P(y|x) and get_historical_features()"),
    )
)
def test_any_text_gets_feedback_and_a_score_between_0_and_100(text: str) -> None:
    feedback = judge(DRIFT, text)
    result = score(feedback, DRIFT.level, DRIFT.length)
    assert 0 <= result.total <= 100
    assert sum(got for got, _ in result.parts.values()) == result.total
    assert len(feedback.points) == len(DRIFT.key_points)
