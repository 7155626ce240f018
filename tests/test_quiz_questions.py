"""Every question type, built from the real pack for every term it applies to."""

from __future__ import annotations

import random
import re

import pytest

from adapters.telegram.limits import QUIZ_LIMITS
from bot.messages import strip_markup
from bot.quiz.checking import accepted_names
from bot.quiz.questions import (
    BLANK,
    GENERATORS,
    KINDS_BY_LEVEL,
    Question,
    blank_out,
    choose_question,
    confusable_pair,
    definition_to_term,
    distractors,
    false_neighbour,
    fill_gap_choice,
    fill_gap_typed,
    first_sentence,
    native_quiz,
    overlapping,
    term_to_definition,
    true_false,
    typed_term,
)
from content.index import PackIndex, normalize
from content.models import Confusion, Term

SEEDS = range(3)


def _norm_names(pack: PackIndex, term_id: str) -> set[str]:
    return {normalize(n) for n in accepted_names(pack.terms[term_id])}


def assert_fair_options(pack: PackIndex, q: Question) -> None:
    """Unique options, the answer exactly once, no term twice under another spelling."""
    assert len(q.options) == len(q.option_terms)
    assert len(set(q.options)) == len(q.options), q.options
    assert len(set(q.option_terms)) == len(q.option_terms), q.option_terms
    assert q.option_terms[q.answer_index] == q.term_id
    assert q.option_terms.count(q.term_id) == 1
    names: set[str] = set()
    for term_id in q.option_terms:
        mine = _norm_names(pack, term_id)
        assert not (mine & names), f"{term_id} shares a name with another option"
        names |= mine


def test_every_kind_is_generated_from_the_pack(pack: PackIndex) -> None:
    made: dict[str, int] = dict.fromkeys(GENERATORS, 0)
    for seed in SEEDS:
        rng = random.Random(seed)
        for term in pack.pack.terms:
            for kind, make in GENERATORS.items():
                if make(pack, term, rng) is not None:
                    made[kind] += 1
    assert all(made.values()), made
    # Pair questions exist for every term of every pair in pairs.yaml.
    assert made["confusable-pair"] >= len({t for p in pack.pack.pairs for t in p.terms})


@pytest.mark.parametrize("seed", SEEDS)
def test_term_to_definition(pack: PackIndex, seed: int) -> None:
    rng = random.Random(seed)
    for term in pack.pack.terms:
        q = term_to_definition(pack, term, rng)
        assert q is not None
        assert len(q.options) == 4
        assert_fair_options(pack, q)
        # Options are the short quiz glosses, never the long definitions (issue 16).
        assert q.options[q.answer_index] == term.quiz_gloss
        assert all(len(o) <= 100 for o in q.options)
        assert term.term in strip_markup(q.prompt)
        for option, term_id in zip(q.options, q.option_terms, strict=True):
            assert option == pack.terms[term_id].quiz_gloss
            if term_id != term.id:
                # A wrong gloss never names the answer: it would read as a trick.
                assert not any(
                    f" {n} " in f" {normalize(option)} " for n in _norm_names(pack, term.id)
                )
        # Hints in steps: how the term is used, then the contrast with its confusable.
        assert q.hint.startswith("Here is how")
        assert q.more_hint.startswith("Don't mix it up with")


@pytest.mark.parametrize("seed", SEEDS)
def test_definition_to_term(pack: PackIndex, seed: int) -> None:
    rng = random.Random(seed)
    for term in pack.pack.terms:
        q = definition_to_term(pack, term, rng)
        assert q is not None
        assert len(q.options) == 4
        assert_fair_options(pack, q)
        # The prompt is the short gloss: never the definition the term card showed.
        assert term.quiz_gloss in strip_markup(q.prompt)
        assert term.definition not in strip_markup(q.prompt)
        prompt = f" {normalize(term.quiz_gloss)} "
        for term_id in q.option_terms:
            if term_id != term.id:
                # No option is named in the meaning shown.
                assert not any(f" {n} " in prompt for n in _norm_names(pack, term_id) if len(n) > 2)
        # Hints in steps: the first letters and the word count, then the contrast.
        words = len(q.answer_text.split())
        assert q.hint.startswith("It starts with “")
        assert ("one word" if words == 1 else f"{words} words") in q.hint


def test_distractors_prefer_confusables_and_the_category(pack: PackIndex) -> None:
    term = pack.terms["concept-drift"]
    for seed in SEEDS:
        wrong = distractors(pack, term, random.Random(seed), 3)
        assert "data-drift" in {t.id for t in wrong}
        assert all(t.category == term.category for t in wrong)


def test_a_kind_of_the_answer_is_never_offered_as_wrong(pack: PackIndex) -> None:
    # Covariate shift is a kind of data drift, PSI is a drift score (the pack's notes say so).
    assert overlapping(pack, pack.terms["covariate-shift"], pack.terms["data-drift"])
    assert not overlapping(pack, pack.terms["concept-drift"], pack.terms["data-drift"])
    for seed in range(10):
        rng = random.Random(seed)
        for a, b in (("covariate-shift", "data-drift"), ("drift-score", "psi")):
            for make in (definition_to_term, term_to_definition, fill_gap_choice):
                q = make(pack, pack.terms[a], rng)
                assert q is None or b not in q.option_terms, (make.__name__, a, b)
                q = make(pack, pack.terms[b], rng)
                assert q is None or a not in q.option_terms, (make.__name__, b, a)


def test_blank_out_hides_every_name_and_keeps_code_intact(pack: PackIndex) -> None:
    blanked = 0
    for term in pack.pack.terms:
        result = blank_out(term.example, term)
        if result is None:
            continue
        blanked += 1
        sentence, name = result
        assert BLANK in sentence
        assert normalize(name) in {normalize(n) for n in accepted_names(term)}
        prose = re.sub(r"\w*_\w+", " ", sentence)  # code identifiers are not mentions
        for n in accepted_names(term):
            if len(normalize(n)) > 3:
                assert f" {normalize(n)} " not in f" {normalize(prose)} ", (term.id, n)
    assert blanked >= len(pack.terms) - 3
    # "transition_model_version_stage" is code, not the alias "model version stage".
    stage = blank_out(pack.terms["model-stage"].example, pack.terms["model-stage"])
    assert stage is not None and "transition_model_version_stage" in stage[0]


def test_blank_out_keeps_the_sentence_article() -> None:
    # Issue 16: "a/an _____" read badly. The sentence keeps its article, and choice questions
    # offer only names that fit it (see test_gap_options_fit_the_article).

    term = Term(
        id="online-store",
        term="online store",
        part_of_speech="noun phrase",
        category="x",
        topics=("y",),
        definition="A low-latency database that keeps only the latest feature values.",
        example="We read it from an online store in five milliseconds.",
        related=("z",),
        confused_with=Confusion(term="offline-store", difference="x" * 30),
        pronunciation="ON-line STORE",
        quiz_gloss="Fast storage of the latest feature values",
    )
    assert blank_out(term.example, term) == (
        f"We read it from an {BLANK} in five milliseconds.",
        "online store",
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_fill_gap_by_choice_and_typed(pack: PackIndex, seed: int) -> None:
    rng = random.Random(seed)
    for term in pack.pack.terms:
        q = fill_gap_choice(pack, term, rng)
        if q is None:
            assert blank_out(term.example, term) is None
            continue
        assert BLANK in strip_markup(q.prompt)
        assert_fair_options(pack, q)
        sentence = normalize(strip_markup(q.prompt))
        for term_id in q.option_terms:
            if term_id != term.id:
                # A distractor named elsewhere in the sentence would be a giveaway.
                assert not any(
                    f" {n} " in f" {sentence} " for n in _norm_names(pack, term_id) if len(n) > 2
                )
        typed = fill_gap_typed(pack, term, rng)
        assert typed is not None and typed.typed and not typed.options
        assert BLANK in strip_markup(typed.prompt)


@pytest.mark.parametrize("seed", SEEDS)
def test_typed_answer_question(pack: PackIndex, seed: int) -> None:
    rng = random.Random(seed)
    for term in pack.pack.terms:
        q = typed_term(pack, term, rng)
        assert q is not None and q.typed
        assert term.quiz_gloss in strip_markup(q.prompt)
        assert q.answer_text
        assert q.hint.startswith(f"It starts with “{q.answer_text[0]}")
        assert q.more_hint == "" or q.more_hint.startswith("Don't mix it up with")


def test_confusable_pairs_use_the_pack_situations(pack: PackIndex) -> None:
    rng = random.Random(0)
    for pair in pack.pack.pairs:
        for term_id in pair.terms:
            q = confusable_pair(pack, pack.terms[term_id], rng)
            assert q is not None
            asked = next(p for p in pack.pack.pairs if list(p.terms) == q.option_terms)
            assert term_id in asked.terms
            assert q.option_terms[q.answer_index] == term_id
            case = next(c for c in asked.cases if c.situation in strip_markup(q.prompt))
            assert case.answer == term_id
            assert strip_markup(q.explanation) == case.why
            assert q.hint.startswith("How they differ")
            assert strip_markup(q.prompt)[0].isupper()  # "Offline store or online store?"
    assert confusable_pair(pack, pack.terms["feature-store"], rng) is None


def test_true_false_uses_its_own_or_a_clearly_different_definition(pack: PackIndex) -> None:
    kinds = {0: 0, 1: 0}
    for seed in range(4):
        rng = random.Random(seed)
        for term in pack.pack.terms:
            q = true_false(pack, term, rng)
            assert q is not None
            assert q.options == ["True", "False"]
            kinds[q.answer_index] += 1
            shown = strip_markup(q.prompt)
            if q.answer_index == 0:
                assert term.quiz_gloss in shown
            else:
                assert term.quiz_gloss not in shown
                assert q.explanation.startswith("False: this describes")
    assert kinds[0] > 50 and kinds[1] > 50
    # Never a broader or narrower idea: covariate shift is a kind of data drift.
    for seed in range(20):
        n = false_neighbour(pack, pack.terms["covariate-shift"], random.Random(seed))
        assert n is None or n.id != "data-drift"
        n = false_neighbour(pack, pack.terms["drift-score"], random.Random(seed))
        assert n is None or n.id != "psi"


def test_explanations_are_one_line_and_answers_are_named(pack: PackIndex) -> None:
    rng = random.Random(5)
    for term in pack.pack.terms:
        for make in GENERATORS.values():
            q = make(pack, term, rng)
            if q is None:
                continue
            assert q.explanation and "\n" not in q.explanation
            assert q.answer_text
            assert q.hint


def test_first_sentence() -> None:
    assert first_sentence("One thing. Two things.") == "One thing."
    assert first_sentence("A test, e.g. KS. Then more.") == "A test, e.g. KS."


def test_choose_question_fits_the_level_and_varies(pack: PackIndex) -> None:
    rng = random.Random(1)
    term = pack.terms["concept-drift"]
    for level, kinds in KINDS_BY_LEVEL.items():
        seen = {choose_question(pack, term, level, rng).kind for _ in range(40)}
        assert seen <= set(kinds)
        assert len(seen) >= 2
    # A new term is never asked as a typed answer: you cannot type what you never met.
    assert all(not choose_question(pack, term, "new", rng).typed for _ in range(20))
    q = choose_question(pack, term, "learning", rng, avoid={"definition-to-term"})
    assert q.kind != "definition-to-term"


def test_native_quiz_keeps_telegram_limits(pack: PackIndex) -> None:
    rng = random.Random(2)
    fitted = 0
    for term in pack.pack.terms:
        for kind in (
            "definition-to-term",
            "term-to-definition",
            "fill-gap-choice",
            "confusable-pair",
            "true-false",
        ):
            q = GENERATORS[kind](pack, term, rng)
            if q is None:
                continue
            quiz = native_quiz(q, QUIZ_LIMITS)
            if quiz is None:
                continue
            fitted += 1
            assert len(quiz.question) <= QUIZ_LIMITS.question
            assert all(len(o) <= QUIZ_LIMITS.option for o in quiz.options)
            assert len(quiz.explanation) <= QUIZ_LIMITS.explanation
            assert quiz.options == tuple(q.options)
            assert quiz.correct_index == q.answer_index
            assert quiz.question_id == q.id
            assert "*" not in quiz.question and "\\" not in quiz.question
    assert fitted > 100
    # Glosses fit a poll's options (issue 16); typed questions are not polls.
    assert native_quiz(term_to_definition(pack, pack.terms["psi"], rng), QUIZ_LIMITS) is not None  # type: ignore[arg-type]
    assert native_quiz(typed_term(pack, pack.terms["psi"], rng), QUIZ_LIMITS) is None  # type: ignore[arg-type]


def test_poll_mode_prefers_questions_that_fit_a_poll(pack: PackIndex) -> None:
    rng = random.Random(3)
    for term in pack.pack.terms[:20]:
        q = choose_question(pack, term, "new", rng, poll=True, limits=QUIZ_LIMITS)
        # With glosses every new-level question fits a poll.
        assert native_quiz(q, QUIZ_LIMITS) is not None
