"""The typed-answer checker: spellings, abbreviations, typos accepted; a different term is wrong."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.quiz.checking import accepted_names, check_typed, clean, pick_option, typo_budget
from bot.quiz.results import short_label
from content.index import PackIndex


@pytest.mark.parametrize(
    ("term_id", "typed"),
    [
        ("materialisation", "materialisation"),
        ("materialisation", "Materialization"),
        ("materialisation", "MATERIALIZATION!"),
        ("artefact-lineage", "artifact lineage"),
        ("psi", "PSI"),
        ("psi", "psi"),
        ("psi", "population stability index"),
        ("psi", "P.S.I."),
        ("ks-test", "KS test"),
        ("ks-test", "ks-test"),
        ("ks-test", "Kolmogorov-Smirnov test"),
        ("sbom", "SBOM"),
        ("sbom", "software bill of materials"),
        ("training-serving-skew", "training/serving skew"),
        ("training-serving-skew", "Training serving skew."),
        ("feature-store", "the feature store"),
        ("feature-store", "featurestore"),
        ("model-warm-up", "model warmup"),
        ("real-time-inference", "realtime inference"),
        ("champion-challenger", "Champion vs challenger"),
        ("model-card", "model cards"),
        ("onnx", "  onnx  "),
    ],
)
def test_names_aliases_and_spellings_are_correct(pack: PackIndex, term_id: str, typed: str) -> None:
    result = check_typed(pack, pack.terms[term_id], typed)
    assert result.verdict == "correct", result


@pytest.mark.parametrize(
    ("term_id", "typed", "spelling"),
    [
        ("materialisation", "materialsation", "materialisation"),
        ("materialisation", "materilization", "materialization"),
        ("hyperparameter", "hyperparamter", "hyperparameter"),
        ("concept-drift", "consept drift", "concept drift"),
        ("point-in-time-correctness", "point in time corectness", "point-in-time correctness"),
        ("triton-inference-server", "Triton Inferense Server", "Triton Inference Server"),
        ("ks-test", "ks tset", "KS test"),
        ("label-latency", "lable latency", "label latency"),
    ],
)
def test_small_typos_are_correct_with_a_note(
    pack: PackIndex, term_id: str, typed: str, spelling: str
) -> None:
    result = check_typed(pack, pack.terms[term_id], typed)
    assert result.verdict == "typo", result
    assert result.correct and result.typo
    assert result.spelling == spelling


@pytest.mark.parametrize(
    ("term_id", "typed", "other"),
    [
        ("concept-drift", "data drift", "data-drift"),
        ("data-drift", "concept drift", "concept-drift"),
        ("online-store", "offline store", "offline-store"),
        ("offline-store", "online store", "online-store"),
        ("online-store", "oflline store", "offline-store"),  # a typo of the *other* term
        ("psi", "KS test", "ks-test"),
        ("covariate-shift", "concept shift", "concept-drift"),
        ("batch-inference", "real-time inference", "real-time-inference"),
        ("champion-model", "challenger model", "challenger-model"),
        ("label-latency", "p99 latency", "p99-latency"),
        ("experiment-run", "experiment", "experiment"),
        ("model-stage", "model alias", "model-alias"),
    ],
)
def test_a_different_real_term_is_wrong(
    pack: PackIndex, term_id: str, typed: str, other: str
) -> None:
    result = check_typed(pack, pack.terms[term_id], typed)
    assert not result.correct, result
    assert result.verdict == "other-term"
    assert result.other_term == other


@pytest.mark.parametrize(
    ("term_id", "typed"),
    [
        ("psi", "pis"),  # three letters: no typos allowed
        ("psi", "p"),
        ("model-rollback", "callback"),  # a typo keeps its first letter
        ("concept-drift", "drift"),
        ("concept-drift", "concept"),
        ("feature-store", "a store for features"),
        ("onnx", "tensorflow"),
    ],
)
def test_near_misses_that_are_not_typos_are_wrong(
    pack: PackIndex, term_id: str, typed: str
) -> None:
    assert not check_typed(pack, pack.terms[term_id], typed).correct


def test_empty_answer(pack: PackIndex) -> None:
    assert check_typed(pack, pack.terms["psi"], " ?! ").verdict == "empty"


def test_typo_budget_grows_with_length() -> None:
    assert [typo_budget(n) for n in (3, 4, 7, 8, 14, 15)] == [0, 1, 1, 2, 2, 3]


def test_pick_option_by_number_label_alias_and_true_false(pack: PackIndex) -> None:
    options = ["PSI", "KS test", "drift score", "data drift"]
    terms = ["psi", "ks-test", "drift-score", "data-drift"]
    assert pick_option(pack, options, terms, "2") == 1
    assert pick_option(pack, options, terms, "2.") == 1
    assert pick_option(pack, options, terms, "5") is None
    assert pick_option(pack, options, terms, "drift scor") == 2
    assert pick_option(pack, options, terms, "Kolmogorov-Smirnov test") == 1
    assert pick_option(pack, options, terms, "population stability index") == 0
    assert pick_option(pack, options, terms, "something else") is None
    tf = ["True", "False"]
    assert pick_option(pack, tf, ["true", "false"], "yes") == 0
    assert pick_option(pack, tf, ["true", "false"], "F") == 1
    assert pick_option(pack, tf, ["true", "false"], "maybe") is None


def test_the_term_in_a_what_does_it_mean_question_does_not_pick_its_definition(
    pack: PackIndex,
) -> None:
    terms = ["ks-test", "psi", "data-drift"]
    definitions = [pack.terms[t].definition for t in terms]
    assert pick_option(pack, definitions, terms, "KS test") is None  # it is in the question
    assert pick_option(pack, definitions, terms, "1") == 0


# ---------------------------------------------------------------- properties (hypothesis)

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(text=st.text(max_size=300), index=st.integers(min_value=0, max_value=10_000))
@example(text="\x00\n\t", index=0)
@example(text="ａｂｃ", index=1)
def test_any_text_gets_a_verdict_and_never_raises(pack: PackIndex, text: str, index: int) -> None:
    term = pack.pack.terms[index % len(pack.pack.terms)]
    result = check_typed(pack, term, text)
    assert result.verdict in ("correct", "typo", "other-term", "wrong", "empty")
    if result.verdict == "other-term":
        assert result.other_term in pack.terms and result.other_term != term.id


@st.composite
def _restyled_name(draw: st.DrawFn, pack: PackIndex) -> tuple[str, str]:
    """A term and one of its names in random case, with random punctuation and spaces around."""
    term = draw(st.sampled_from(pack.pack.terms))
    name = draw(st.sampled_from(accepted_names(term)))
    chars = [c.upper() if draw(st.booleans()) else c.lower() for c in name]
    before = draw(st.sampled_from(["", " ", "  ", '"', "the ", "(", "¿"]))
    after = draw(st.sampled_from(["", ".", "!", " ", "?", '"', ")", "..."]))
    return term.id, before + "".join(chars) + after


@_SETTINGS
@given(data=st.data())
def test_any_name_in_any_case_with_punctuation_is_correct(
    pack: PackIndex, data: st.DataObject
) -> None:
    term_id, text = data.draw(_restyled_name(pack))
    result = check_typed(pack, pack.terms[term_id], text)
    assert result.verdict == "correct", (term_id, text, result)


@_SETTINGS
@given(data=st.data())
def test_another_terms_name_is_never_accepted(pack: PackIndex, data: st.DataObject) -> None:
    other_id, text = data.draw(_restyled_name(pack))
    term = data.draw(st.sampled_from([t for t in pack.pack.terms if t.id != other_id]))
    result = check_typed(pack, term, text)
    assert not result.correct, (term.id, text, result)
    assert result.other_term == other_id


@_SETTINGS
@given(data=st.data())
def test_one_wrong_letter_in_a_long_name_is_a_typo_unless_it_names_another_term(
    pack: PackIndex, data: st.DataObject
) -> None:
    term = data.draw(st.sampled_from(pack.pack.terms))
    name = data.draw(
        st.sampled_from([n for n in accepted_names(term) if len(clean(n)) >= 8] or [term.term])
    )
    if len(clean(name)) < 8:
        return
    position = data.draw(st.integers(min_value=1, max_value=len(name) - 1))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    typed = name[:position] + letter + name[position + 1 :]
    result = check_typed(pack, term, typed)
    if result.verdict == "other-term":
        # Only when the change spells (or nearly spells) a different term of the pack.
        assert result.other_term != term.id
    else:
        assert result.correct, (term.id, typed, result)


def test_a_tie_goes_to_the_name_with_the_same_first_letter(pack: PackIndex) -> None:
    # "kb test" is one letter from "KS test" and from "AB test"; a typo keeps the first letter.
    assert check_typed(pack, pack.terms["ks-test"], "K-b test").verdict == "typo"
    assert check_typed(pack, pack.terms["ab-test"], "ks test").verdict == "other-term"
    # The "A" of "A/B test" is part of the name, not an article.
    assert clean("A/B test") == "a b test"
    assert check_typed(pack, pack.terms["ab-test"], "AaB testing").verdict == "typo"
    assert check_typed(pack, pack.terms["ab-test"], "an A/B test").verdict == "correct"


@pytest.mark.parametrize(
    ("label", "short"),
    [
        ("dependency pinning", "dependency pinning"),
        (
            "The real, confirmed outcome for a case the model predicted",
            "The real, confirmed outcome for a case…",
        ),
        ("A rule that starts retraining: when a condition is met", "A rule that starts retraining"),
    ],
)
def test_an_answer_is_named_by_enough_of_its_first_words(label: str, short: str) -> None:
    assert short_label(label) == short
