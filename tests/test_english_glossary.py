"""Names and code are never corrected: the pack's terms, tool names, identifiers, formulas."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.english import JARGON, TOOL_NAMES, pack_glossary
from bot.coach.english.filters import changes_name, code_spans
from bot.coach.english.glossary import Glossary
from bot.coach.judge import RubricJudge
from content.index import PackIndex
from content.loader import load_default_pack
from tests.english_support import MAIN, checker, load, pack_names

PACK = PackIndex(load_default_pack())
CLEAN = [item.text for item in load(MAIN)[1]]
NAMES = sorted({*pack_names(), *TOOL_NAMES, *JARGON})
CODE = [
    "get_historical_features()",
    "feature_store.yaml",
    "MLFLOW_TRACKING_URI",
    "s3://bucket/features/2024",
    "/var/log/serving.log",
    "P(y|x)",
    "p95",
    "p99",
    "W&B",
    "config.max_depth",
    "model.onnx",
    "v2.3.1",
    "`feast apply`",
    "F1",
    "k8s",
    "df[df.label == 1]",
    "@oncall",
    "#incident-42",
    "{run_id}",
    "x_train",
]
# Places where a name or an identifier reads naturally, so no correction is due around it.
TEMPLATES = [
    "Our notes mention {}.",
    "We discussed {} in the review.",
    "The ticket is about {} and nothing else.",
    "Please look at {} when you have time.",
]


def test_the_glossary_holds_every_term_name_and_alias() -> None:
    names = pack_glossary(PACK)
    for term in PACK.pack.terms:
        assert set(term.names) <= set(names)


def test_the_judge_passes_the_packs_names() -> None:
    glossary = RubricJudge(PACK).english.glossary
    # An alias only the pack knows, a bracketed name split in two, and a tool name.
    assert ("featurestore",) in glossary.phrases
    assert ("psi",) in glossary.phrases
    assert ("population", "stability", "index") in glossary.phrases
    assert ("mlflow",) in glossary.phrases


def test_names_are_found_whatever_their_case_and_joiners() -> None:
    glossary = Glossary(["feature store", "A/B test", "training-serving skew"])
    text = "The Feature Store and the a/b test show training-serving skew; W&B too."
    found = {text[s.start : s.end] for s in glossary.spans(text)}
    assert {"Feature Store", "a/b test", "training-serving skew", "W&B"} <= found


def test_a_sentence_end_breaks_a_name() -> None:
    glossary = Glossary(["feature store"])
    assert glossary.spans("We bought a feature. Store it.") == []


def test_a_name_is_never_changed_but_may_stand_next_to_a_fix() -> None:
    glossary = Glossary(["feature store", "run"])
    text = "The feature store have Feast and a job run daily."
    names = glossary.spans(text)
    at = text.index
    # Next to the name, not in it: allowed.
    assert not changes_name(text, at("store have"), at(" Feast"), "store has", names)
    # Letters glued to a product name, or a name merged with the next word: refused.
    assert changes_name(text, at("Feast"), at(" and"), "Feasts", names)
    assert changes_name(text, at("store"), at(" have") + 5, "storehave", names)
    # A lowercase term of the pack used as a verb may be inflected: `a job run` -> `runs`.
    assert not changes_name(text, at("job"), at(" daily"), "job runs", names)
    assert changes_name(text, at("job"), at(" daily"), "job rung", names)


def test_product_names_are_never_inflected() -> None:
    glossary = Glossary()
    text = "We pinned numpy and Spark."
    names = glossary.spans(text)
    assert changes_name(text, text.index("numpy"), text.index(" and"), "numpies", names)
    assert changes_name(text, text.index("Spark"), text.index("."), "Sparks", names)


def test_code_is_covered_character_by_character() -> None:
    for token in CODE:
        text = f"We looked at {token} today."
        spans = code_spans(text)
        start = text.index(token)
        uncovered = [
            i
            for i in range(start, start + len(token))
            if not text[i].isspace() and not any(s.start <= i < s.end for s in spans)
        ]
        assert uncovered == [], token


def _touching(text: str, start: int, end: int) -> list[str]:
    return [
        f"{text[f.start : f.end]!r} -> {f.replacement!r} [{f.source}]"
        for f in checker().findings(text)
        if f.start < end and f.end > start
    ]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    before=st.lists(st.sampled_from(CLEAN), max_size=2),
    after=st.lists(st.sampled_from(CLEAN), max_size=2),
    template=st.sampled_from(TEMPLATES),
    words=st.lists(st.sampled_from(NAMES + CODE), min_size=1, max_size=3),
    lower=st.booleans(),
)
def test_no_correction_touches_a_name_or_code(
    before: list[str], after: list[str], template: str, words: list[str], lower: bool
) -> None:
    if lower:  # learners write `mlflow` and `feast`; code keeps its case
        words = [w if w in CODE else w.lower() for w in words]
    listed = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]
    middle = template.format(listed)
    text = " ".join([*before, middle, *after])
    offset = len(" ".join(before)) + (1 if before else 0) + template.index("{}")
    spans, cursor = [], offset
    for word in words:
        start = text.index(word, cursor)
        spans.append((word, start, start + len(word)))
        cursor = start + len(word)
    for word, start, end in spans:
        assert _touching(text, start, end) == [], (word, text)
