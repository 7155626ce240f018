"""The optional LLM persona and judge, with the real openai client against a local fake endpoint.

Persona lines come from the model; on a timeout, an error or unusable text the offline persona
answers and the turn is not lost. The feedback then comes from the LLM judge, or from the
offline coach with a line saying so.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.clock import FakeClock
from bot.features import build_engine
from bot.llm import LlmClient
from bot.roleplay.llm import clean_reply
from content.index import PackIndex
from storage.db import Database
from termcoach.runtime import llm_client
from termcoach.settings import Settings
from tests.chatflow import Chat
from tests.fakes.llm_server import FakeLLM

PSI_ANSWER = "Data drift means the inputs change, for example younger customers. We watch PSI."
OFFLINE_PSI_QUESTION = "Sorry, I don't know the word ‘PSI’."  # inner quotes are single
MODEL_LINE = "Wait, PSI? I have never heard that word. What is it, in simple words?"


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
    engine = build_engine(
        db=db,
        pack=pack,
        clock=clock,
        rng=random.Random(3),
        config=settings.engine_config,
        llm=llm_client(settings),
    )
    return Chat(engine, user=user)


def summary_of(chat: Chat) -> str:
    return next(r.text for r in chat.last if r.title and r.title.startswith("Debrief"))


async def test_persona_lines_come_from_the_model(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    fake.reply_with(MODEL_LINE)
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    assert fake.requests == []  # the opening line is the scenario's own
    await chat.send(PSI_ANSWER)
    assert MODEL_LINE in chat.text
    assert OFFLINE_PSI_QUESTION not in chat.text
    request = fake.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test-key"
    assert request.body["model"] == "fake-model"
    system, user = request.messages
    # Grounded in the scenario: who the persona is, the setting, the task; never teaching.
    assert "Priya, a product manager" in system["content"]
    assert "not technical" in system["content"]
    assert "never teach English" in system["content"]
    assert PSI_ANSWER in user["content"]
    assert "What you would say without a model" in user["content"]


async def test_the_feedback_comes_from_the_llm_judge_or_says_it_did_not(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    # The persona's line, then two judge answers that are not JSON: the offline coach answers.
    fake.reply_with(MODEL_LINE, "Nice job!", "Still not JSON.")
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    await chat.send("done")
    judge_requests = [r for r in fake.requests if "response_format" in r.body]
    assert len(judge_requests) == 2  # the first answer and one retry, never more
    assert "did not answer in time" in summary_of(chat)
    assert "Score:" in summary_of(chat)


async def test_slow_endpoint_falls_back_and_the_turn_is_not_lost(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    fake.mode = "slow"
    fake.delay_s = 10
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url, timeout=0.3))
    await chat.command("roleplay", "drift-pm")
    started = time.monotonic()
    await chat.send(PSI_ANSWER)
    assert time.monotonic() - started < 4
    assert OFFLINE_PSI_QUESTION in chat.text
    assert "3 more messages at most" in chat.text  # the message counted as a turn
    assert "error" not in chat.text.lower()
    assert len(fake.requests) == 1
    # After one failure the conversation stops asking the model for lines.
    await chat.send("PSI is a score that shows how much the data has changed.")
    assert len(fake.requests) == 1


@pytest.mark.parametrize("mode", ["error", "garbage"])
async def test_error_or_garbage_falls_back_silently(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock, mode: str
) -> None:
    fake.mode = mode  # type: ignore[assignment]
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert OFFLINE_PSI_QUESTION in chat.text
    assert "went wrong" not in chat.text
    assert len(fake.requests) == 1  # no retry for a persona line


@pytest.mark.parametrize(
    "content",
    [None, "", "   ", '{"question": "what?"}', "Score: 100/100?"],
)
async def test_unusable_model_text_falls_back(
    fake: FakeLLM, db: Database, pack: PackIndex, clock: FakeClock, content: str | None
) -> None:
    fake.reply_with(content)
    chat = make_chat(db, pack, clock, llm_settings(fake.base_url))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert OFFLINE_PSI_QUESTION in chat.text


async def test_unreachable_endpoint_falls_back(
    db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    server = await FakeLLM().start()
    url = server.base_url
    await server.stop()  # nothing listens on that port any more
    chat = make_chat(db, pack, clock, llm_settings(url, timeout=1))
    await chat.command("roleplay", "drift-pm")
    await chat.send(PSI_ANSWER)
    assert OFFLINE_PSI_QUESTION in chat.text
    await chat.send("done")
    assert "Score:" in summary_of(chat)


def test_the_client_needs_all_three_settings(settings: Settings) -> None:
    assert llm_client(settings) is None
    client = llm_client(llm_settings("http://127.0.0.1:9/v1", timeout=2.5))
    assert isinstance(client, LlmClient)
    assert client.model == "fake-model"
    assert client.client.max_retries == 0
    assert client.client.timeout == 2.5


def test_clean_reply_keeps_it_short_and_plain() -> None:
    assert clean_reply('  "Hello   there?"  ', 100) == "Hello there?"
    assert clean_reply("Priya: Hello there?", 100) == "Hello there?"
    long = "First sentence here. " * 40
    cut = clean_reply(long, 100)
    assert cut is not None and len(cut) <= 100 and cut.endswith(".")
    assert clean_reply(42, 100) is None
