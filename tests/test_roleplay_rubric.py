"""The rubric: model answers score high, off-topic answers low, jargon costs with lay audiences."""

from __future__ import annotations

import pytest

from bot.roleplay.feedback import feedback_text
from bot.roleplay.rubric import (
    Rubric,
    Text,
    assess,
    find_phrase,
    flesch_kincaid_grade,
    stem,
    syllables,
    tokens,
)
from content.index import PackIndex
from content.loader import DEFAULT_PACK, load_pack

PACK = PackIndex(load_pack(DEFAULT_PACK))
SCENARIOS = {s.id: s for s in PACK.pack.scenarios}
WRITTEN = [e for e in PACK.pack.exercises if e.kind != "drill"]

OFF_TOPIC = [
    "I think we should order pizza for the team lunch on Friday.",
    "Sorry, my internet was down this morning, can we talk tomorrow?",
    "The weather in Lisbon is lovely at this time of year.",
]

# For each non-technical audience: a clear, complete answer in plain words, and an answer with
# the same content in unexplained jargon.
PLAIN_VS_JARGON = {
    "drift-pm": (
        "Drift means the world has changed since the model learned from its data, so its "
        "predictions can get worse. Data drift means the inputs change: for example, we suddenly "
        "get many younger customers. Concept drift means the same kind of customer now behaves "
        "differently, so the old patterns give the wrong answer. Every day we compare the new "
        "data with the data the model learned from, and we check accuracy when the real results "
        "come in. If the change is big, our retraining trigger, a rule we agreed on, opens a "
        "review. An alert does not stop the feature: we first look for a data bug, and we train "
        "the model again only if quality really dropped.",
        "Drift is when the production data distribution diverges from the training "
        "distribution. Data drift is a shift in P(x), the feature distribution, which we detect "
        "with PSI and KS tests against the reference dataset. Concept drift is a change in "
        "P(y|x), so the decision boundary is no longer valid; we confirm it with ground-truth "
        "labels, which arrive with label latency. Our monitoring computes drift scores daily, and "
        "when PSI exceeds 0.25 the retraining trigger fires and we retrain after checking the "
        "upstream pipeline for a data bug. The feature keeps running.",
    ),
    "registry-release-pm": (
        "This time we have a safer process. We keep every model in one central place, and each "
        "version has a number, so old versions are never deleted. The app uses whichever version "
        "a label points to, so a release only moves the label and no code changes. Before it goes "
        "live, the new version must beat the current one on the same test data, and then we try "
        "it on a small share of customers. If prices look wrong, we move the label back to the "
        "previous version, and that takes a few minutes.",
        "We register each build in the MLflow model registry, where every model version is "
        "immutable. Production resolves models:/pricing@champion, so model promotion is just "
        "moving the model alias after the challenger beats the champion on the holdout and "
        "passes a canary. If the canary degrades, model rollback is an alias flip to the "
        "previous version, so MTTR is a few minutes.",
    ),
    "batch-realtime-pm": (
        "Today the recommendations are made every night: a job works them out for all customers "
        "and stores them, so the app just reads a ready list. Live recommendations would be "
        "worked out when the customer opens the page, in a few milliseconds, so they could use "
        "what the customer just clicked. That costs more: servers that always run, fresh data "
        "about the visit, a strict speed limit and someone on call. I suggest we start small: "
        "keep the nightly lists, re-order them live with two or three signals, and test it on a "
        "small share of users.",
        "Today it is batch inference: a nightly Spark job scores all users and writes the "
        "results to a table. Real-time inference means an online endpoint with a p99 latency "
        "budget of 50 milliseconds, session features from a streaming feature pipeline into the "
        "online store, autoscaling and on-call, so it costs more. I suggest a hybrid: keep the "
        "nightly batch candidates and rerank them in real time behind a feature flag for a small "
        "share of users.",
    ),
    "governance-compliance": (
        "We have five controls, and each one leaves evidence. Every model is listed in one list "
        "of all models, with an owner and a risk level. No model can go live until a named person "
        "approves it. A record shows who trained, approved or released each model and when, and "
        "nobody can edit it. Each model has a short document that says what it is for, how well "
        "it works for different groups, and its limits. And only people with the right role can "
        "release a model, so nobody can go around these steps.",
        "Every model is in the model inventory with its model risk tier. Promotion goes through "
        "an approval gate in the CI/CD pipeline with RBAC, and high-risk models need independent "
        "validation. The audit trail is append-only and links to the artefact lineage and the "
        "reproducibility bundle. Each model version ships a model card, and the SBOM covers the "
        "dependencies.",
    ),
    "two-store-budget-vp": (
        "The two parts of the feature store do different jobs. The offline store keeps the full "
        "history in the warehouse, where storage is cheap, and we use it for training data. The "
        "online store keeps only the latest value for each customer and answers in a few "
        "milliseconds, which a live prediction needs. One store cannot do both: a warehouse query "
        "takes seconds, and years of history in Redis memory would cost far more. The Redis "
        "cluster stays small, and it saves engineering time because each feature is written "
        "once. A scheduled job copies the latest values across, so both use the same feature "
        "definitions.",
        "The offline store is the historical source for point-in-time joins and batch scoring, "
        "and the online store serves the latest values per entity key at low latency. One store "
        "cannot do both. Materialisation syncs them from the same feature definitions, and "
        "training-serving skew goes away because feature views are defined once.",
    ),
}


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_every_model_answer_scores_at_least_80(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    result = assess(Rubric.for_scenario(scenario), PACK, scenario.model_answer)
    assert result.score >= 80, (result.score, result.missed, result.unexplained, result.grade)
    assert not result.missed
    assert not result.misused


@pytest.mark.parametrize("exercise", WRITTEN, ids=lambda e: e.id)
def test_every_written_model_answer_scores_at_least_80(exercise) -> None:
    result = assess(Rubric.for_exercise(exercise), PACK, exercise.model_answer)
    assert result.score >= 80, (result.score, result.missed, result.unexplained, result.grade)


@pytest.mark.parametrize("exercise", [e for e in WRITTEN if e.source], ids=lambda e: e.id)
def test_sending_the_source_sentence_back_scores_low(exercise) -> None:
    result = assess(Rubric.for_exercise(exercise), PACK, exercise.source)
    assert result.score < 30


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
@pytest.mark.parametrize("line", OFF_TOPIC)
def test_one_line_off_topic_answer_scores_under_30(scenario_id: str, line: str) -> None:
    result = assess(Rubric.for_scenario(SCENARIOS[scenario_id]), PACK, line)
    assert result.score < 30


@pytest.mark.parametrize("scenario_id", sorted(PLAIN_VS_JARGON))
def test_plain_beats_jargon_heavy_beats_off_topic(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    assert scenario.audience.technical_level in ("low", "medium")
    plain, jargon = PLAIN_VS_JARGON[scenario_id]
    rubric = Rubric.for_scenario(scenario)
    good = assess(rubric, PACK, plain)
    heavy = assess(rubric, PACK, jargon)
    off = assess(rubric, PACK, OFF_TOPIC[0])
    assert good.score >= 80, (good.missed, good.unexplained, good.grade)
    # The jargon answer is correct: it covers most points ...
    assert len(heavy.covered) >= len(rubric.key_points) - 2
    # ... but loses points for the words this audience does not know.
    got, top = heavy.parts["jargon"]
    assert got < top
    assert len(heavy.unexplained) >= 3
    assert good.score > heavy.score + 10 > off.score + 10


def test_jargon_costs_nothing_for_data_scientists() -> None:
    scenario = SCENARIOS["skew-onboarding-ds"]
    result = assess(Rubric.for_scenario(scenario), PACK, scenario.model_answer)
    assert result.parts["jargon"] == (5, 5)
    assert result.jargon == ()


def test_explaining_a_word_removes_the_penalty() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    bare = assess(rubric, PACK, "Data drift means the inputs change. Every day we check PSI.")
    explained = assess(
        rubric,
        PACK,
        "Data drift means the inputs change. Every day we check PSI, a score that shows how much "
        "the data has changed.",
    )
    assert bare.covered == explained.covered
    assert "PSI" in bare.unexplained
    assert "PSI" in explained.explained
    assert explained.parts["jargon"][0] > bare.parts["jargon"][0]


def test_an_explanation_just_before_the_term_counts() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    text = "The same kind of customer now behaves differently. That is concept drift."
    assert "concept drift" in assess(rubric, PACK, text).explained


def test_misused_term_is_reported_and_costs_term_points() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    wrong = assess(rubric, PACK, "Concept drift means the inputs change, like younger customers.")
    right = assess(rubric, PACK, "Data drift means the inputs change, like younger customers.")
    assert [m.term for m in wrong.misused] == ["concept-drift"]
    assert "concept-drift" not in wrong.terms_used
    assert right.misused == ()
    assert "data-drift" in right.terms_used


def test_a_contrast_is_not_a_misuse() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    text = "Concept drift is not when the inputs change; that is data drift."
    assert assess(rubric, PACK, text).misused == ()


def test_the_nearest_term_takes_the_cue() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["skew-onboarding-ds"])
    text = (
        "The offline store keeps the history for training data, and the online store keeps "
        "only the latest values."
    )
    assert assess(rubric, PACK, text).misused == ()
    wrong = assess(rubric, PACK, "We build the training data from the history in the online store.")
    assert [m.term for m in wrong.misused] == ["online-store"]


def test_phrasings_forgive_endings_typos_and_extra_words() -> None:
    words = Text.of("Last month the inputs that we receive changed a lot.").words
    assert find_phrase(words, tokens("inputs change")) == -1  # three extra words: too far
    assert find_phrase(Text.of("the inputs changed").words, tokens("inputs change")) >= 0
    assert find_phrase(Text.of("the inputs all changed").words, tokens("inputs change")) >= 0
    assert Text.of("We compare the distrubution of the inputs.").has("distribution of the inputs")
    assert Text.of("We materialize features nightly.").has("materialise")
    assert not Text.of("drift in the data").has("data drift")


def test_stem_and_syllables() -> None:
    assert stem("changes") == stem("changed") == stem("changing") == stem("change")
    assert stem("labelled") == stem("label")
    assert syllables("data") == 2
    assert syllables("distribution") == 4
    assert syllables("changed") == 1
    assert syllables("PSI") == 3
    plain = "We check the data every day. If it changes a lot, we look at it."
    hard = (
        "Distributional divergence necessitates comprehensive statistical monitoring "
        "infrastructure with automated retraining orchestration."
    )
    assert flesch_kincaid_grade(plain) < 5 < flesch_kincaid_grade(hard)


def test_length_outside_the_range_costs_points() -> None:
    scenario = SCENARIOS["drift-pm"]
    rubric = Rubric.for_scenario(scenario)
    padded = " ".join([scenario.model_answer] * 3)
    assert assess(rubric, PACK, padded).parts["length"][0] < 10
    assert assess(rubric, PACK, scenario.model_answer).parts["length"][0] == 10


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_feedback_ends_with_the_score_and_fits_one_message(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    rubric = Rubric.for_scenario(scenario)
    for answer in (OFF_TOPIC[0], scenario.model_answer):
        result = assess(rubric, PACK, answer)
        text = feedback_text(
            title=scenario.title,
            rubric=rubric,
            assessment=result,
            pack=PACK,
            model_answer=scenario.model_answer,
            comment="A" * 600,
            commenter="Someone",
        )
        assert text.splitlines()[-1] == f"Score: {result.score}/100"
        # Telegram's limit is 4096 characters; leave room for rendering.
        assert len(text) < 3900


def test_feedback_says_why_fluent_delivery_scores_nothing_without_content() -> None:
    scenario = SCENARIOS["drift-risk-ops"]
    rubric = Rubric.for_scenario(scenario)
    for answer, expected in (
        ("idk", "with 0 of"),
        (scenario.model_answer, None),  # enough points covered: no such line
    ):
        result = assess(rubric, PACK, answer)
        text = feedback_text(
            title=scenario.title, rubric=rubric, assessment=result, pack=PACK, model_answer="…"
        )
        note = [line for line in text.splitlines() if "count in full once you cover" in line]
        if expected is None:
            assert note == []
        else:
            assert len(note) == 1 and expected in note[0] and "no points yet" in note[0]
            assert "*Length:* 1 word (" in text  # not "1 words"


def test_feedback_shows_missed_points_with_a_sentence_to_say() -> None:
    scenario = SCENARIOS["drift-risk-ops"]
    rubric = Rubric.for_scenario(scenario)
    result = assess(rubric, PACK, "Fraudsters changed tactics, so this is concept drift.")
    text = feedback_text(
        title=scenario.title, rubric=rubric, assessment=result, pack=PACK, model_answer="…"
    )
    missed = next(p for p in scenario.key_points if p.id == "label-latency")
    assert "❌" in text
    assert missed.example in text
    assert "Key points: 1 of 5 covered" in text


def test_one_word_of_a_point_does_not_cover_it() -> None:
    # "We retrain." used to tick "an alert does not stop the feature; we check first and
    # retrain only if quality dropped", the point it leaves out.
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    assert assess(rubric, PACK, "We retrain.").covered == ()


def test_a_plain_paraphrase_of_the_skew_cause_counts() -> None:
    exercise = next(e for e in PACK.pack.exercises if e.id == "rewrite-skew")
    answer = "The code in production compute the features different than the training code."
    covered = assess(Rubric.for_exercise(exercise), PACK, answer).covered
    assert [p.id for p in covered] == ["cause"]


def test_a_description_after_a_term_belongs_to_that_term() -> None:
    rubric = Rubric.for_scenario(SCENARIOS["drift-pm"])
    answer = (
        "There are two kinds: data drift, where the inputs change, and concept drift, where "
        "the relationship between inputs and the right answer changes."
    )
    assert assess(rubric, PACK, answer).misused == ()
    wrong = "The inputs change, so this is concept drift."
    assert [m.term for m in assess(rubric, PACK, wrong).misused] == ["concept-drift"]


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_the_parts_shown_add_up_to_the_score(scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    rubric = Rubric.for_scenario(scenario)
    for answer in (OFF_TOPIC[0], scenario.model_answer, scenario.model_answer[:300]):
        result = assess(rubric, PACK, answer)
        text = feedback_text(
            title=scenario.title, rubric=rubric, assessment=result, pack=PACK, model_answer="…"
        )
        parts_line = text.splitlines()[-2]
        shown = [int(p.rsplit(" ", 1)[1].split("/")[0]) for p in parts_line.split(" · ")]
        assert sum(shown) == result.score, parts_line
