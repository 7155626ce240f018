"""Whatever the learner sends, the checker returns a list of valid corrections and never raises."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.feedback import Correction
from tests.english_support import answer_250_words, checker

LONG = (answer_250_words() + " ") * 6  # about 9,000 characters of learner English

TEXTS: dict[str, str] = {
    "empty": "",
    "spaces": "   \n\t  ",
    "long": LONG[:9000],
    "one long word": "a" * 9000,
    "no spaces": "recieve," * 1100,
    "emoji only": "🙂🚀🔥" * 50,
    "emoji and text": "The model predict 🚀 the churn 🙂.",
    "russian": "Модель предсказывает отток клиентов каждый день.",
    "chinese": "模型每天预测客户流失。",
    "hindi": "मॉडल हर दिन ग्राहक मंथन की भविष्यवाणी करता है।",
    "german": "Das Modell sagt die Abwanderung jeden Tag voraus.",
    "arabic": "النموذج يتنبأ بالتسرب كل يوم.",
    "python": "def f(x):\n    return x_train[x > 0].mean()  # the model predict\n",
    "json": '{"model": "churn", "p95_ms": 45, "features": ["a", "b"]}',
    "markdown": "# Title\n\n- item one\n- item two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```",
    "urls": "See https://mlflow.org/docs/latest/index.html and s3://bucket/key?x=1.",
    "numbers": "a 8 an 11 an 500 a 18,000 1.2.3 0.12 99% 1e-3",
    "punctuation": "?!.,;:()[]{}<>«»“”‘’—–-…" * 20,
    "nul and controls": "the model\x00 predict\x07 the\x1b churn",
    "lone surrogate": "the model \ud800 predict the churn",
    "rtl mark": "the model \u202e predict the churn",
    "repeated error": "The model predict the churn. " * 300,
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_any_text_gives_a_list_of_corrections(name: str) -> None:
    text = TEXTS[name]
    findings = checker().findings(text)  # no exception handler here: a bug would show
    assert all(0 <= f.start <= f.end <= len(text) for f in findings)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    corrections = checker().check(text)
    assert isinstance(corrections, list)
    assert all(isinstance(c, Correction) for c in corrections)


@pytest.mark.parametrize("name", ["long", "one long word", "no spaces", "repeated error"])
def test_a_long_text_is_checked_quickly(name: str) -> None:
    started = time.perf_counter()
    checker().check(TEXTS[name])
    # Under 0.1 s here. The bound catches a blow-up: a regex gone quadratic on one long token
    # took 0.4 s, Harper's spelling search on a 9,000-character token 1.2 s.
    assert time.perf_counter() - started < 1


def test_every_mistake_of_a_long_answer_is_returned() -> None:
    corrections = checker().check(TEXTS["repeated error"])
    assert len(corrections) == 300
    assert {(c.wrong, c.right) for c in corrections} == {("model predict", "model predicts")}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_never_raises(text: str) -> None:
    for f in checker().findings(text):
        assert 0 <= f.start <= f.end <= len(text)
    for c in checker().check(text):
        assert c.wrong and len(c.wrong) <= 200 and len(c.right) <= 200


LEARNER_WORDS = (
    "the", "a", "an", "model", "models", "predict", "predicts", "is", "are", "was", "were",
    "every", "days", "less", "errors", "much", "requests", "it", "he", "nobody", "have", "has",
    "do", "does", "doesn't", "did", "didn't", "to", "before", "forward", "three", "there",
    "many", "yesterday", "ago", "recieve", "datas", "depend", "of", "explain", "me", "must",
    "should", "can", "you", "we", "Feast", "MLflow", "p95", "W&B", "get_features()", ".", ",",
    "?", "!", "and", "but", "because",
)  # fmt: skip
WORDS = st.sampled_from(LEARNER_WORDS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, max_size=60).map(" ".join))
def test_random_learner_like_text_never_raises(text: str) -> None:
    for f in checker().findings(text):
        assert 0 <= f.start <= f.end <= len(text)
    for c in checker().check(text):
        assert c.wrong and len(c.wrong) <= 200 and len(c.right) <= 200
