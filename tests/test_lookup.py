"""Reading plain questions about a term."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.lookup import asked_term, small_talk


def test_common_question_shapes() -> None:
    cases = {
        "what is PSI": "PSI",
        "What's concept drift?": "concept drift",
        "what does PSI stand for?": "PSI",
        "what does training-serving skew mean?": "training-serving skew",
        "define shadow mode": "shadow mode",
        "Explain the feature store.": "feature store",
        "could you explain point-in-time correctness please?": "point-in-time correctness",
        "tell me about a model registry": "model registry",
        'what is "drift"?': "drift",
        "what means PSI?": "PSI",
        "can you explain me shadow mode": "shadow mode",
        "PSI meaning?": "PSI",
        "shadow mode definition": "shadow mode",
        "difference between data drift and concept drift?": "data drift",
        "What's the difference between shadow mode and canary release": "shadow mode",
        "online store vs offline store": "online store",
    }
    for text, term in cases.items():
        assert asked_term(text) == term, text


def test_other_text_is_not_a_question_about_a_term() -> None:
    others = (
        "hello",
        "what",
        "what is",
        "what is ?",
        "the PSI is high",
        "",
        "   ",
        "what is the weather like?",
        "what is the weather like today?",
        "what is your name",
        "what do you mean",
        "what is this",
        "what are we doing today?",
    )
    for text in others:
        assert asked_term(text) is None, text


@given(st.text(max_size=300))
def test_any_text_gives_none_or_a_piece_of_it(text: str) -> None:
    term = asked_term(text)
    assert term is None or (term and term.lower() in text.lower())


def test_small_talk() -> None:
    for text in ("Hi", "hello!", "Good morning", "hey there"):
        assert small_talk(text) == "greeting", text
    for text in ("thanks", "Thank you very much!", "thx"):
        assert small_talk(text) == "thanks", text
    for text in ("hi, what is PSI?", "PSI", "thanks for nothing", ""):
        assert small_talk(text) is None, text
