"""Telegram groups: multi-step work goes on in the learner's private chat (real PTB, fake Bot API).

The fake Bot API refuses, as Telegram does, to let the bot write first to a user it has seen
only in groups (403 "bot can't initiate conversation with a user"). So the adapter decides from
stored chat status, before the turn, whether the work can start in the private chat at once or
the learner must open it: then a press is answered with ``answerCallbackQuery(url=t.me/<bot>?
start=<payload>)`` and a typed command with a short reply carrying that link, and ``/start
<payload>`` in the private chat starts exactly that quiz or role-play.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.handoff import StartLinks
from adapters.telegram.state import TelegramState
from bot.daily.post import daily_post
from bot.engine import DialogueEngine
from bot.messages import Handoff, Reply
from storage.db import Database
from tests.fakes.telegram_server import Call, FakeTelegram
from tests.telegram_support import (
    GROUP,
    buttons,
    chat_status,
    local_dns_only,
    ref_for,
    webhook_adapter,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

ALICE, BOB = 7, 8


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def tg(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    async with webhook_adapter(fake, engine, db) as adapter:
        yield adapter


async def _settle(fake: FakeTelegram, tg: TelegramAdapter) -> None:
    await fake.settled()
    await tg.engine.outbox.idle(10)


async def _group_post(fake: FakeTelegram, tg: TelegramAdapter) -> dict[str, Any]:
    post = daily_post(tg.engine.pack, "concept-drift")  # type: ignore[attr-defined]
    assert (await tg.send(ref_for(tg, GROUP), post)).ok
    return fake.last_message(GROUP, with_text="Term of the day")


async def _start(fake: FakeTelegram, tg: TelegramAdapter, user: int, text: str = "/start") -> None:
    fake.push(fake.text_update(text, chat_id=user))
    await _settle(fake, tg)


def _refused(fake: FakeTelegram) -> list[Call]:
    return [c for c in fake.calls if c.status >= 400]


def _start_payload(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "t.me", f"/{fake_username}")
    [payload] = urllib.parse.parse_qs(parsed.query)["start"]
    assert len(payload) <= 64 and payload.replace("-", "").replace("_", "").isalnum()
    return payload


fake_username = "termcoach_test_bot"


async def test_a_press_by_someone_who_never_started_the_bot_answers_with_a_deep_link(
    fake: FakeTelegram, tg: TelegramAdapter, db: Database
) -> None:
    post = await _group_post(fake, tg)
    keys = dict(
        zip(
            (b["text"] for r in post["reply_markup"]["inline_keyboard"] for b in r),
            buttons(post),
            strict=True,
        )
    )
    press = fake.callback_update(post, keys["Quiz me"], user_id=BOB)
    fake.push(press)
    await _settle(fake, tg)
    # One answer to the press: a link that opens the bot and starts exactly that quiz.
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == press["callback_query"]["id"]
    assert "text" not in answer.params
    payload = _start_payload(answer.params["url"])
    # Nothing was tried that Telegram would refuse, nothing recorded as blocked, the group's
    # post keeps its buttons, and the group was not written to.
    assert _refused(fake) == []
    assert await chat_status(db, BOB) is None
    assert not fake.calls_to("editMessageReplyMarkup")
    assert "reply_markup" in fake.messages[(GROUP, post["message_id"])]
    assert len(fake.sent_texts(GROUP)) == 1  # the post itself

    # The tap: Telegram opens the private chat and sends "/start <payload>".
    await _start(fake, tg, BOB, f"/start {payload}")
    texts = fake.sent_texts(BOB)
    assert any("Quiz on" in t and "concept drift" in t for t in texts), texts
    assert any("Question 1 of" in t for t in texts)
    status = await chat_status(db, BOB)
    assert status is not None and status.active  # the bot may write there from now on
    # The learner answers in the private chat with plain text.
    fake.push(fake.text_update("1", chat_id=BOB))
    await _settle(fake, tg)
    shown = [c.params["text"] for c in fake.calls_to("sendMessage", "editMessageText")]
    assert any("Correct!" in t or "Not quite." in t for t in shown)

    # "I knew it" from someone who never started the bot: its answer is the pop-up.
    fake.push(fake.callback_update(post, keys["I knew it"], user_id=ALICE))
    await _settle(fake, tg)
    last = fake.calls_to("answerCallbackQuery")[-1]
    assert "review list" in last.params["text"]
    assert _refused(fake) == []
    assert await chat_status(db, ALICE) is None


async def test_a_press_by_a_learner_who_started_the_bot_continues_in_the_private_chat(
    fake: FakeTelegram, tg: TelegramAdapter
) -> None:
    await _start(fake, tg, BOB)
    post = await _group_post(fake, tg)
    fake.push(fake.callback_update(post, buttons(post)[0], user_id=BOB))  # Quiz me
    await _settle(fake, tg)
    [answer] = fake.calls_to("answerCallbackQuery")
    assert "continues in our private chat" in answer.params["text"]
    assert "url" not in answer.params
    assert any("Question 1 of" in t for t in fake.sent_texts(BOB))
    assert len(fake.sent_texts(GROUP)) == 1  # only the post itself
    assert "reply_markup" in fake.messages[(GROUP, post["message_id"])]
    assert _refused(fake) == []


async def test_a_role_play_typed_in_a_group_goes_on_in_the_private_chat(
    fake: FakeTelegram, tg: TelegramAdapter
) -> None:
    await _start(fake, tg, ALICE)
    command = fake.text_update(f"/roleplay@{fake.username} drift-pm", chat_id=GROUP, user_id=ALICE)
    fake.push(command)
    await _settle(fake, tg)
    # The group gets one short reply to the command, with a button that opens the chat.
    [line] = [c for c in fake.calls_to("sendMessage") if c.chat_id == GROUP]
    assert "role-play continues in our private chat" in line.params["text"]
    assert line.params["reply_parameters"]["message_id"] == command["message"]["message_id"]
    [[button]] = line.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{fake.username}"
    assert "Priya" in " ".join(fake.sent_texts(ALICE))
    before = len(fake.sent_texts(ALICE))
    fake.push(
        fake.text_update(
            "Drift means the world has changed since the model learned from its data.",
            chat_id=ALICE,
        )
    )
    await _settle(fake, tg)
    assert "more messages at most" in " ".join(fake.sent_texts(ALICE)[before:])
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == GROUP]) == 1


async def test_a_quiz_typed_in_a_group_by_a_newcomer_gets_a_start_link(
    fake: FakeTelegram, tg: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update(f"/quiz@{fake.username} drift", chat_id=GROUP, user_id=BOB))
    await _settle(fake, tg)
    [line] = [c for c in fake.calls_to("sendMessage") if c.chat_id == GROUP]
    assert "open it to start" in line.params["text"]
    [[button]] = line.params["reply_markup"]["inline_keyboard"]
    payload = _start_payload(button["url"])
    assert _refused(fake) == [] and await chat_status(db, BOB) is None
    await _start(fake, tg, BOB, f"/start {payload}")
    texts = fake.sent_texts(BOB)
    assert any("Quiz on" in t for t in texts) and any("Question 1 of" in t for t in texts)
    assert not any("Welcome" in t for t in texts)
    # A quiz of several questions, answered in the private chat with plain text.
    assert "3 questions" in texts[0] or "5 questions" in texts[0]
    fake.push(fake.text_update("1", chat_id=BOB))
    await _settle(fake, tg)
    shown = [c.params["text"] for c in fake.calls_to("sendMessage", "editMessageText")]
    assert any("Correct!" in t or "Not quite." in t for t in shown)
    assert any("Question 2 of" in t for t in fake.sent_texts(BOB))
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == GROUP]) == 1


async def test_the_fake_refuses_to_let_the_bot_write_first_and_it_is_not_a_block(
    fake: FakeTelegram, tg: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update("hello all", chat_id=GROUP, user_id=BOB))  # seen in a group only
    await _settle(fake, tg)
    # A private note for someone the bot may not write to is not even tried.
    sent = await tg.send(ref_for(tg, GROUP, BOB), [Reply("just you", private=True)])
    assert sent.ok and _refused(fake) == []
    # Written to directly, Telegram refuses; that is no block to record.
    result = await tg.send(ref_for(tg, BOB), [Reply("hello")])
    assert result.status == "blocked" and "initiate conversation" in result.reason
    assert [c.status for c in _refused(fake)] == [403]
    assert await chat_status(db, BOB) is None


async def test_a_long_start_payload_is_kept_for_every_replica(db: Database) -> None:
    args = "buttons " + "feature-store " * 8
    links = StartLinks(TelegramState(db, "42"))
    token = await links.token(Handoff("quiz", args.strip()))
    assert len(token) <= 64 and token.startswith("k")
    other = StartLinks(TelegramState(db, "42"))  # another replica: nothing in its memory
    assert await other.command(token) == ("quiz", args.strip())
    short = await links.token(Handoff("roleplay", "drift-pm"))
    assert await other.command(short) == ("roleplay", "drift-pm")
    assert await other.command("not-a-payload") is None
    assert await other.command("c!!") is None
