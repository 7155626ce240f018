"""The optional LLM persona, with the real openai client against a local fake endpoint."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.clock import FakeClock
from bot.features import build_engine
from bot.roleplay.llm import LlmPersona, clean_reply
from content.index import PackIndex
from storage.db import Database
from termcoach.runtime import llm_persona
from termcoach.settings import Settings
from tests.chatflow import Chat
from tests.fakes.llm_server import FakeLLM

PSI_ANSWER = "Data drift means the inputs change, for example younger customers. We watch PSI."
RUBRIC_PSI_QUESTION = "Sorry, I don't know the word ‘PSI’."  # inner quotes are single
MODEL_QUESTION = "Wait, PSI? I have never heard that word. What is it, in simple words?"
MODEL_COMMENT = "The part about new kinds of customers was clear. I still don't know who acts."


@pytest.fixture
async def fake() -> AsyncIterator[FakeLLM]:
    async with FakeLLM() as server:
        yield server


def llm_settings(base_url: str, timeout: float = 5.0) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_base_url=base_url,
        llm_model="fake-model",
        llm_api_key=SecretStr("sk-test-key"),
        llm_timeout_s=timeout,
    )


def make_chat(
    db: Database, pack: PackIndex, clock: FakeClock, settings: Settings, user: str = "alice"
) -> Chat:
    llm = llm_persona(settings)
    engine = build_engine(
        db=db, pack=pack, clock=clock, rng=random.Random(3), config=settings.engine_config, llm=llm
    )
    return Chat(engine, user=user)


def score_of(chat: Chat) -> int:
    text = next(r.text for r in chat.last if r.kind == "feedback")
    return int(text.splitlines()[-1].removeprefix("Score: ").removesuffix("/100"))


async def test_follow_ups_and_comment_come_from_the_model(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    fake.reply_with(MODEL_QUESTION, MODEL_COMMENT)
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    assert fake.requests == []  # the opening line is the scenario's own
    await chat.send(PSI_ANSWER)
    assert MODEL_QUESTION in chat.text
    assert RUBRIC_PSI_QUESTION not in chat.text

    request = fake.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-key"
    assert request.body["model"] == "fake-model"
    system, user = request.messages
    assert system["role"] == "system"
    # Grounded in the scenario: who the persona is, the setting, the task, what to ask about.
    assert "Priya, a product manager" in system["content"]
    assert "not technical" in system["content"]
    assert "recommendations on the shop's home page" in system["content"]
    assert PSI_ANSWER in user["content"]
    assert "'PSI'" in user["content"]

    await chat.send("done")
    feedback = next(r.text for r in chat.last if r.kind == "feedback")
    assert f"*Priya says:* {MODEL_COMMENT}" in feedback
    assert feedback.splitlines()[-1].startswith("Score: ")
    comment_request = fake.requests[1]
    assert "Points they missed:" in comment_request.prompt
    assert "Concept drift means the link between the inputs" in comment_request.prompt


async def test_the_score_is_the_rubric_s_with_or_without_a_model(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock, settings: Settings
) -> None:
    fake.reply_with(MODEL_QUESTION, "You scored 100, well done!" + " Really." * 3)
    with_llm = make_chat(db, pack, clock, llm_settings(fake.base_url), user="with")
    without = make_chat(db, pack, clock, settings, user="without")
    for chat in (with_llm, without):
        await chat.command("roleplay", "drift-pm")
        await chat.send(PSI_ANSWER)
        await chat.send("done")
    assert score_of(with_llm) == score_of(without)


async def test_slow_endpoint_falls_back_silently(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    fake.mode = "slow"
    fake.delay_s = 10
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url, timeout=0.3))
    await chat.command("roleplay", "drift-pm")
    started = time.monotonic()
    await chat.send(PSI_ANSWER)
    assert time.monotonic() - started < 3
    assert RUBRIC_PSI_QUESTION in chat.text
    assert "error" not in chat.text.lower()
    assert len(fake.requests) == 1
    # After one failure the session stops asking the model, so the learner waits only once.
    await chat.send("PSI is a score that shows how much the data has changed.")
    await chat.send("done")
    assert len(fake.requests) == 1
    feedback = next(r.text for r in chat.last if r.kind == "feedback")
    assert "says:" not in feedback
    assert feedback.splitlines()[-1].startswith("Score: ")


@pytest.mark.parametrize("mode", ["error", "garbage"])
async def test_error_or_garbage_falls_back_silently(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock, mode: str
) -> None:
    fake.mode = mode  # type: ignore[assignment]
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert RUBRIC_PSI_QUESTION in chat.text
    assert "went wrong" not in chat.text
    # No retries: one failed call, then the rubric persona.
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "content",
    [None, "", "   ", '{"question": "what?"}', "I am sure you will do fine.", "Score: 100/100?"],
)
async def test_unusable_model_text_falls_back(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock, content: str | None
) -> None:
    fake.reply_with(content)
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert RUBRIC_PSI_QUESTION in chat.text


async def test_unreachable_endpoint_falls_back(
    db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    server = await FakeLLM().start()
    url = server.base_url
    await server.stop()  # nothing listens on that port any more
    chat = make_chat(db, pack, clock, llm_settings(url, timeout=1))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert RUBRIC_PSI_QUESTION in chat.text
    await chat.send("done")
    assert score_of(chat) > 0


def test_from_settings_needs_all_three_settings(settings: Settings) -> None:
    assert llm_persona(settings) is None
    persona = llm_persona(llm_settings("http://127.0.0.1:9/v1", timeout=2.5))
    assert isinstance(persona, LlmPersona)
    assert persona.model == "fake-model"
    assert persona.client.max_retries == 0
    assert persona.client.timeout == 2.5


def test_clean_reply_keeps_it_short_and_plain() -> None:
    assert clean_reply('  "Hello   there?"  ', 100) == "Hello there?"
    long = "First sentence here. " * 40
    cut = clean_reply(long, 100)
    assert cut is not None and len(cut) <= 100 and cut.endswith(".")
    assert clean_reply(42, 100) is None
    assert clean_reply("<b>hi</b>", 100) is None
