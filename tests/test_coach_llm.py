"""The LLM judge against a fake OpenAI-compatible server, through the real `openai` client.

Every failure (a 500, a timeout, a slow answer, JSON that does not fit the schema) ends in the
offline coach's feedback with one line saying so, after at most one retry, never in a crash.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.coach.brief import brief_for
from bot.coach.judge import RubricJudge
from bot.coach.llm_judge import FALLBACK_NOTE, LlmJudge
from bot.llm import LlmClient
from content.index import PackIndex
from content.loader import load_default_pack
from tests.fakes.llm_server import FakeLLM

PACK = PackIndex(load_default_pack())
BRIEF = brief_for(PACK, PACK.scenarios["drift-pm"])
ANSWER = (
    "Drift means the customers now are different from the ones the model learned from, so the "
    "predictions get worse. When an alert comes, the page keeps working and we check for a data "
    "bug first. The predictions is stored every days."
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


def judge_for(fake: FakeLLM, timeout: float = 3.0) -> LlmJudge:
    client = LlmClient.connect(fake.base_url, "test-key", "fake-model", timeout)
    return LlmJudge(client, PACK, RubricJudge(PACK))


def verdict(**overrides: object) -> str:
    body: dict[str, object] = {
        "points": [
            {
                "id": "what-drift-is",
                "covered": True,
                "evidence": "Drift means the customers now are different from the ones the model "
                "learned from, so the predictions get worse.",
            },
            {"id": "how-we-watch", "covered": True, "evidence": "We look at it every morning."},
            {"id": "data-drift", "covered": False, "evidence": ""},
        ],
        "terms": [{"id": "data-drift", "status": "missing"}],
        "jargon": [],
        "corrections": [
            {
                "wrong": "predictions is",
                "right": "predictions are",
                "rule": "subject-verb agreement",
            },
            {"wrong": "data drift", "right": "data shift", "rule": "word choice"},
            {"wrong": "the customers will leave", "right": "customers leave", "rule": "tense"},
        ],
        "rewrite": {
            "sentence": "The predictions is stored every days.",
            "better": "The predictions are stored every day.",
        },
    }
    body.update(overrides)
    return json.dumps(body)


async def test_a_valid_answer_is_used_and_checked_against_the_learners_words(fake: FakeLLM) -> None:
    fake.reply_with(verdict())
    feedback = await judge_for(fake).assess(BRIEF, [ANSWER])
    assert feedback.judge == "llm" and not feedback.note
    by_id = {p.id: p for p in feedback.points}
    assert by_id["what-drift-is"].covered
    # The learner never wrote that evidence: the model's claim is not taken.
    assert not by_id["how-we-watch"].covered
    # Every key point of the brief is there, in pack order.
    assert [p.id for p in feedback.points] == [p.id for p in BRIEF.key_points]
    wrongs = [c.wrong for c in feedback.corrections]
    assert wrongs == ["predictions is"]  # not a glossary term, not words the learner never wrote
    request = fake.requests[0]
    assert request.body["temperature"] == 0.0
    assert request.body["response_format"]["type"] == "json_schema"
    assert "Key points" in request.prompt and ANSWER in request.prompt


async def test_json_that_fails_the_schema_is_retried_once_then_the_rubric_answers(
    fake: FakeLLM,
) -> None:
    fake.reply_with('{"points": "all of them"}', "not json at all")
    feedback = await judge_for(fake).assess(BRIEF, [ANSWER])
    assert feedback.judge == "rubric" and feedback.note == FALLBACK_NOTE
    assert len(fake.requests) == 2


async def test_a_fenced_json_answer_still_counts(fake: FakeLLM) -> None:
    fake.reply_with(f"```json\n{verdict()}\n```")
    feedback = await judge_for(fake).assess(BRIEF, [ANSWER])
    assert feedback.judge == "llm"


@pytest.mark.parametrize("mode", ["error", "garbage"])
async def test_a_server_error_or_garbage_ends_in_the_rubrics_feedback(
    fake: FakeLLM, mode: str
) -> None:
    fake.mode = mode  # type: ignore[assignment]
    feedback = await judge_for(fake).assess(BRIEF, [ANSWER])
    assert feedback.judge == "rubric" and feedback.note == FALLBACK_NOTE
    assert len(fake.requests) <= 2


async def test_a_timeout_is_not_retried(fake: FakeLLM) -> None:
    fake.mode = "slow"
    fake.delay_s = 5.0
    feedback = await judge_for(fake, timeout=0.5).assess(BRIEF, [ANSWER])
    assert feedback.judge == "rubric" and feedback.note == FALLBACK_NOTE
    assert len(fake.requests) == 1


async def test_an_unreachable_endpoint_ends_in_the_rubrics_feedback() -> None:
    client = LlmClient.connect("http://127.0.0.1:9/v1", "k", "m", 1.0)
    feedback = await LlmJudge(client, PACK, RubricJudge(PACK)).assess(BRIEF, [ANSWER])
    assert feedback.judge == "rubric" and feedback.note == FALLBACK_NOTE
