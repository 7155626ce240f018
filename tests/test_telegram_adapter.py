"""The Telegram adapter end to end: the real python-telegram-bot client against a fake Bot API.

Every scenario of issue 5 runs the real PTB `Application` (polling, or webhook through a real
uvicorn server) and the real engine on a fresh database; assertions are on what the fake received.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import func, select
from starlette.applications import Starlette
from telegram import Update
from telegram.ext import AIORateLimiter

from adapters.telegram import (
    COMMANDS,
    WEBHOOK_PATH,
    TelegramAdapter,
    build_application,
    parse_command,
    to_inbound,
    webhook_secret_for,
)
from adapters.telegram_render import (
    CALLBACK_DATA_LIMIT,
    POLL_EXPLANATION_LIMIT,
    POLL_QUESTION_LIMIT,
    keyboard,
    poll_kwargs,
    render,
    split_html,
    tg_len,
)
from bot.engine import DialogueEngine
from bot.messages import (
    Choice,
    CommandIn,
    ConversationRef,
    Image,
    NativeQuiz,
    Reply,
    TextIn,
)
from storage.db import Database
from storage.models import ChatStatus, Conversation, Learner, QuizAttempt
from termcoach.runtime import telegram_adapter
from termcoach.settings import Settings
from tests.fakes.telegram_server import Call, Failure, FakeTelegram, parse_telegram_html
from tests.orm import orm

DM = 111
GROUP = -100500

# PTB itself reads RetryAfter.retry_after in the exception's constructor, which warns in 22.x.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


# -- guard: nothing in this file may leave the machine --------------------------------------

_real_getaddrinfo = socket.getaddrinfo


def _local_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host not in ("127.0.0.1", "localhost", "::1", None):
        raise RuntimeError(f"test tried to resolve {host!r}: tests talk to local fakes only")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    # The conftest guard refuses non-loopback connects; this also stops DNS look-ups.
    monkeypatch.setattr(socket, "getaddrinfo", _local_only_getaddrinfo)
    return


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def make_adapter(
    fake: FakeTelegram,
    engine: DialogueEngine,
    db: Database,
    *,
    max_retries: int = 2,
    webhook_url: str | None = None,
) -> TelegramAdapter:
    app = build_application(
        fake.token,
        fake.base_url,
        webhook=webhook_url is not None,
        rate_limiter=AIORateLimiter(max_retries=max_retries),
        poll_timeout=1.0,
    )
    return TelegramAdapter(
        engine, db, app, webhook_url=webhook_url, poll_timeout=1.0, backoff_s=0.01
    )


@pytest.fixture
async def adapter(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    tg = make_adapter(fake, engine, db)
    await tg.start()
    yield tg
    await tg.stop()


def ref_for(adapter: TelegramAdapter, chat: int, user: int | None = None) -> ConversationRef:
    return ConversationRef("telegram", adapter.workspace, str(chat), str(user or chat))


async def question_message(fake: FakeTelegram, chat: int, number: int) -> dict[str, Any]:
    await fake.wait_for("sendMessage", where=lambda c: f"Question {number} of" in c.params["text"])
    return fake.last_message(chat, with_text=f"Question {number} of")


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def quiz_state(db: Database, chat: int, workspace: str) -> dict[str, Any]:
    async with orm(db) as session:
        conv = (
            await session.execute(
                select(Conversation).where(Conversation.key == f"telegram:{workspace}:{chat}")
            )
        ).scalar_one()
    return dict(conv.state["data"]["current"])


async def attempts(db: Database) -> list[QuizAttempt]:
    async with orm(db) as session:
        return list((await session.execute(select(QuizAttempt))).scalars())


async def chat_status(db: Database, chat: int | str) -> ChatStatus | None:
    async with orm(db) as session:
        return (
            await session.execute(select(ChatStatus).where(ChatStatus.chat == str(chat)))
        ).scalar_one_or_none()


async def eventually(check: Callable[[], Awaitable[Any]], wait_s: float = 5.0) -> Any:
    """Poll an async check until it returns something truthy (for effects after a reply)."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.02)


# -- start, commands, chat ----------------------------------------------------------------------


async def test_start_registers_commands_and_greets(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    assert adapter.ready
    assert adapter.mode == "polling"
    assert adapter.workspace == str(fake.bot_id)
    menu = {c["command"]: c["description"] for c in fake.commands}
    assert {"help", "quiz", "term", "cancel"} <= set(menu)
    assert all(menu.values())
    fake.push(fake.text_update("/start", chat_id=DM, first_name="Ada <admin>"))
    calls = await fake.wait_for("sendMessage", 2)
    texts = [c.params["text"] for c in calls]
    # The learner's name is user text: escaped, not taken for a tag.
    assert "Hello, Ada &lt;admin&gt;! Welcome to termcoach." in texts[0]
    assert all(c.params["parse_mode"] == "HTML" for c in calls)
    assert "<b>termcoach</b>" in texts[1]
    help_keyboard = calls[1].params["reply_markup"]["inline_keyboard"]
    assert next(b["callback_data"] for row in help_keyboard for b in row) == "cmd:quiz"


async def test_quiz_answered_with_buttons_edits_the_question(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update("/quiz", chat_id=DM))
    question = await question_message(fake, DM, 1)
    data = buttons(question)
    assert all(len(d.encode()) <= CALLBACK_DATA_LIMIT for d in data)
    press = fake.callback_update(question, data[0])
    fake.push(press)

    edits = await fake.wait_for(
        "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
    )
    edited = edits[0].params["text"]
    assert "Question 1 of" in edited
    assert "Correct!" in edited or "Not quite." in edited
    assert "reply_markup" not in fake.messages[(DM, question["message_id"])]
    answers = await fake.wait_for("answerCallbackQuery")
    assert answers[0].params["callback_query_id"] == press["callback_query"]["id"]
    await question_message(fake, DM, 2)
    assert len(await attempts(db)) == 1

    # The old keyboard is gone, but a stale press (an old client) is still answered, not rescored.
    fake.push(fake.callback_update(question, data[1]))
    answers = await fake.wait_for("answerCallbackQuery", 2)
    # Shown as the button's pop-up, not as a message in the chat.
    assert answers[1].params["text"] == "You already answered that question."
    assert not [t for t in fake.sent_texts(DM) if "already answered" in t]
    assert len(await attempts(db)) == 1


async def test_typed_answer_replaces_the_open_question(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update("/quiz", chat_id=DM))
    question = await question_message(fake, DM, 1)
    fake.push(fake.text_update("2", chat_id=DM))
    await fake.wait_for(
        "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
    )
    assert "reply_markup" not in fake.messages[(DM, question["message_id"])]
    await question_message(fake, DM, 2)
    [attempt] = await attempts(db)
    assert attempt.conversation_key == f"telegram:{adapter.workspace}:{DM}"


async def test_quiz_poll_answer_is_scored_by_the_engine(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    # "/quiz poll": questions that fit Telegram's poll limits come as quiz polls, the rest as
    # buttons. Answer by poll the first one that came as a poll.
    poll_call = await first_poll(fake, DM, DM)
    params = poll_call.params
    assert params["type"] == "quiz"
    assert params["is_anonymous"] is False
    assert len(params["question"]) <= POLL_QUESTION_LIMIT
    assert all(len(o["text"]) <= 100 for o in params["options"])
    [correct] = params["correct_option_ids"]
    poll_id = next(iter(fake.polls))
    before = len(await attempts(db))

    fake.push(fake.poll_answer_update(poll_id, DM, [correct]))
    await fake.wait_for("sendMessage", where=lambda c: "Correct!" in c.params["text"])
    rows = await attempts(db)
    assert len(rows) == before + 1
    assert rows[-1].correct


async def first_poll(fake: FakeTelegram, chat: int, user: int) -> Call:
    """Start "/quiz poll" and answer by button until a question comes as a quiz poll.

    Questions that fit Telegram's poll limits come as polls, the rest as buttons.
    """
    command = "/quiz poll" if chat > 0 else f"/quiz@{fake.username} poll"
    fake.push(fake.text_update(command, chat_id=chat, user_id=user))
    for number in range(1, 6):

        async def asked(n: int = number) -> bool:
            texts = [t for t in fake.sent_texts(chat) if "Question " in t and " of " in t]
            return bool(fake.calls_to("sendPoll")) or len(texts) >= n

        assert await eventually(asked)
        if fake.calls_to("sendPoll"):
            break
        question = fake.last_message(chat, with_text=f"Question {number} of")
        fake.push(fake.callback_update(question, buttons(question)[0], user_id=user))
    [poll_call] = fake.calls_to("sendPoll")
    return poll_call


async def test_group_quiz_poll_is_scored_once(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    poll_call = await first_poll(fake, GROUP, 7)
    [correct] = poll_call.params["correct_option_ids"]
    poll_id = next(iter(fake.polls))
    before = len(await attempts(db))
    fake.push(fake.poll_answer_update(poll_id, 7, [correct]))
    fake.push(fake.poll_answer_update(poll_id, 8, [correct]))
    await fake.wait_for("sendMessage", where=lambda c: "Correct!" in c.params["text"])
    await asyncio.sleep(0.2)
    # Everyone sees the answer in the poll itself; the group gets one result, not one a voter.
    assert len([t for t in fake.sent_texts(GROUP) if "Correct!" in t]) == 1
    assert not [t for t in fake.sent_texts(GROUP) if "already answered" in t]
    assert len(await attempts(db)) == before + 1


async def test_native_quiz_is_kept_within_poll_limits(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    quiz = NativeQuiz(
        question="Which term? " + "x" * 400,
        options=("feature store", "model registry"),
        correct_index=1,
        explanation="Because.\n" * 5 + "y" * 300,
        question_id="abc",
    )
    choices = (Choice("feature store", "q:abc:0"), Choice("model registry", "q:abc:1"))
    ref = ref_for(adapter, DM)
    sent = await adapter.send(
        ref, [Reply("", choices=choices, native_quiz=quiz, question_id="abc")]
    )
    assert sent.ok
    [poll_call] = fake.calls_to("sendPoll")
    params = poll_call.params
    assert len(params["question"]) <= POLL_QUESTION_LIMIT
    assert len(params["explanation"]) <= POLL_EXPLANATION_LIMIT
    assert params["explanation"].count("\n") <= 2
    # The full question went out first as a message, since the poll's had to be cut.
    assert fake.sent_texts(DM)[0].startswith("Which term? xxx")


async def test_free_text_reaches_the_engine(fake: FakeTelegram, adapter: TelegramAdapter) -> None:
    # Outside an activity, typing a term's name looks it up: free text goes to the engine.
    fake.push(fake.text_update("concept drift", chat_id=DM))
    [call] = await fake.wait_for("sendMessage")
    assert call.params["text"].startswith("<b>concept drift</b>")
    assert "link_preview_options" in call.params


async def test_roleplay_turn(fake: FakeTelegram, adapter: TelegramAdapter) -> None:
    fake.push(fake.text_update("/roleplay 1", chat_id=DM))
    await fake.wait_for("sendMessage", where=lambda c: "You are talking to" in c.params["text"])
    opening = await fake.wait_for("sendMessage", 2)
    fake.push(
        fake.text_update("We roll back when PSI > 0.2 & the <drift> alert fires.", chat_id=DM)
    )
    # The persona answers the learner's turn (free text went to the running role-play).
    follow_up = await fake.wait_for("sendMessage", len(opening) + 1)
    assert "more messages at most" in follow_up[-1].params["text"]
    persona = fake.last_message(DM, with_text="more messages at most")
    fake.push(fake.callback_update(persona, buttons(persona)[0]))
    await fake.wait_for("sendMessage", where=lambda c: "Feedback" in c.params["text"])
    # The pressed "Finish" button cannot be pressed twice.
    await fake.wait_for(
        "editMessageReplyMarkup", where=lambda c: c.params["message_id"] == persona["message_id"]
    )
    assert "reply_markup" not in fake.messages[(DM, persona["message_id"])]


# -- groups ---------------------------------------------------------------------------------


async def test_group_commands_replies_and_chatter(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    alice, bob = 7, 8
    fake.admins[GROUP] = {alice}
    fake.push(fake.text_update("hello everyone", chat_id=GROUP, user_id=alice))
    fake.push(fake.text_update("/quiz@some_other_bot", chat_id=GROUP, user_id=alice))
    fake.push(fake.text_update("/quiz@termcoach_test_bot", chat_id=GROUP, user_id=alice))
    question = await question_message(fake, GROUP, 1)
    assert all(c.chat_id == GROUP for c in fake.calls_to("sendMessage"))
    assert fake.calls_to("getChatMember")  # is_admin is looked up for group commands

    # Bob answers the group's question by button: one conversation, a learner per user.
    fake.push(fake.callback_update(question, buttons(question)[0], user_id=bob))
    await question_message(fake, GROUP, 2)
    # A reply to the bot's message is addressed to it; plain chatter is not.
    fake.push(fake.text_update("what?", chat_id=GROUP, user_id=bob))
    bot_message = fake.last_message(GROUP, with_text="Question 2 of")
    fake.push(fake.text_update("1", chat_id=GROUP, user_id=alice, reply_to=bot_message))
    await question_message(fake, GROUP, 3)
    await asyncio.sleep(0.1)

    async with db.session() as session:
        conversations = await session.scalar(select(func.count()).select_from(Conversation))
        learners = set((await session.execute(select(Learner.user_id))).scalars())
    assert conversations == 1
    assert learners == {str(alice), str(bob)}
    assert not any("what?" in t or "not sure" in t for t in fake.sent_texts(GROUP))


def test_to_inbound_in_groups_and_forum_topics() -> None:
    fake = FakeTelegram()
    bot = "termcoach_test_bot"

    def inbound(update: dict[str, Any]) -> Any:
        return to_inbound(Update.de_json(update, None), bot, "42", bot_id=fake.bot_id)

    assert inbound(fake.text_update("chatter", chat_id=GROUP, user_id=5)) is None
    assert inbound(fake.text_update("/quiz@OtherBot", chat_id=GROUP, user_id=5)) is None
    command = inbound(fake.text_update("/Quiz@TermCoach_Test_Bot drift", chat_id=GROUP, user_id=5))
    assert isinstance(command, CommandIn)
    assert (command.name, command.args, command.is_group) == ("quiz", "drift", True)
    assert command.ref == ConversationRef("telegram", "42", str(GROUP), "5")
    assert command.message_id
    assert command.message_id.startswith("tg-update:42:")
    topic = inbound(fake.text_update("/term psi", chat_id=GROUP, user_id=5, thread_id=9))
    assert topic.ref.thread == "9"
    text = inbound(fake.text_update("/usr/bin is a path", chat_id=DM))
    assert isinstance(text, TextIn)
    mention = fake.text_update("@termcoach_test_bot what is PSI?", chat_id=GROUP, user_id=5)
    mention["message"]["entities"] = [{"type": "mention", "offset": 0, "length": 19}]
    found = inbound(mention)
    assert isinstance(found, TextIn)
    assert found.text == "what is PSI?"
    assert parse_command("/start", None) == ("start", "")


# -- platform failures ----------------------------------------------------------------------


async def test_429_retry_after_is_honoured(fake: FakeTelegram, adapter: TelegramAdapter) -> None:
    fake.fail("sendMessage", Failure.retry_after(1), times=1)
    fake.push(fake.text_update("/help", chat_id=DM))
    [sent] = await fake.wait_for("sendMessage")
    refused = [c for c in fake.calls if c.method == "sendMessage" and c.status == 429]
    assert len(refused) == 1
    assert sent.at - refused[0].at >= 1.0


async def test_429_after_retries_reports_retry(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    tg = make_adapter(fake, engine, db, max_retries=0)
    await tg.start()
    try:
        fake.fail("sendMessage", Failure.retry_after(3), times=1)
        result = await tg.send(ref_for(tg, DM), [Reply("Your daily term")])
        assert (result.status, result.retry_after) == ("retry", 3.0)
        assert (await tg.send(ref_for(tg, DM), [Reply("Your daily term")])).ok
    finally:
        await tg.stop()


async def test_blocked_user_is_marked_inactive_and_not_retried(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    blocked = 222
    fake.block_chat(blocked)
    result = await adapter.send(ref_for(adapter, blocked), [Reply("Your *daily* term")])
    assert result.status == "blocked"
    status = await chat_status(db, blocked)
    assert status is not None
    assert not status.active
    assert "blocked" in (status.reason or "")
    tries = len([c for c in fake.calls if c.chat_id == blocked])
    again = await adapter.send(ref_for(adapter, blocked), [Reply("Your daily term")])
    assert again.status == "blocked"
    assert len([c for c in fake.calls if c.chat_id == blocked]) == tries

    # A reply to a blocked user inside a turn does not stop the adapter.
    fake.push(fake.text_update("/help", chat_id=333))
    fake.block_chat(333)
    fake.push(fake.text_update("/help", chat_id=DM))
    await fake.wait_for("sendMessage", where=lambda c: c.chat_id == DM)
    assert await eventually(lambda: chat_status(db, 333))

    # Unblocking (my_chat_member) makes the chat active again.
    fake.clear_failures()
    fake.push(fake.member_update(blocked, blocked, "member"))

    async def active() -> bool:
        status = await chat_status(db, blocked)
        return status is not None and status.active

    assert await eventually(active)
    assert (await adapter.send(ref_for(adapter, blocked), [Reply("back")])).ok


async def test_gone_migrated_and_network_errors(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    fake.remove_chat(-1001)
    gone = await adapter.send(ref_for(adapter, -1001, 5), [Reply("hello")])
    assert gone.status == "gone"
    assert not (await chat_status(db, -1001)).active  # type: ignore[union-attr]

    fake.migrate_chat(-2002, -1002002)
    moved = await adapter.send(ref_for(adapter, -2002, 5), [Reply("hello")])
    assert (moved.status, moved.new_chat) == ("sent", "-1002002")
    assert fake.sent_texts(-1002002) == ["hello"]
    status = await chat_status(db, -2002)
    assert status is not None
    assert status.migrated_to == "-1002002"
    later = await adapter.send(ref_for(adapter, -2002, 5), [Reply("again")])
    assert later.ok
    assert later.new_chat == "-1002002"

    fake.fail("sendMessage", Failure.bad_gateway(), times=2)
    flaky = await adapter.send(ref_for(adapter, DM), [Reply("through")])
    assert flaky.ok
    assert len(flaky.message_ids) == 1
    fake.fail("sendMessage", Failure.bad_gateway(), times=None)
    down = await adapter.send(ref_for(adapter, DM), [Reply("lost")])
    assert down.status == "retry"
    assert "network" in down.reason
    fake.clear_failures()

    fake.fail("getUpdates", Failure.bad_gateway(), times=2)
    fake.push(fake.text_update("/help", chat_id=DM))
    await fake.wait_for("sendMessage", where=lambda c: "termcoach" in c.params["text"])


async def test_redelivered_update_is_ignored(
    fake: FakeTelegram, adapter: TelegramAdapter, engine: DialogueEngine, db: Database
) -> None:
    update = fake.text_update("/help", chat_id=DM)
    fake.push(update)
    await fake.wait_for("sendMessage")
    fake.push(update)
    fake.push(fake.text_update("/stats", chat_id=DM))
    await fake.wait_for("sendMessage", 2)
    await asyncio.sleep(0.1)
    assert len(fake.calls_to("sendMessage")) == 2

    # After a restart the in-memory guard is empty; the engine's dedupe still drops it.
    second = make_adapter(fake, engine, db)
    second.workspace = adapter.workspace
    await second.handle_update(Update.de_json(update, second.application.bot))
    assert len(fake.calls_to("sendMessage")) == 2


async def test_long_replies_are_split_at_paragraphs(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    paragraphs = [f"*Part {i}.* " + ("word <&> " * 40).strip() for i in range(30)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 10_000
    result = await adapter.send(
        ref_for(adapter, DM), [Reply(text, choices=(Choice("Next", "cmd:term"),))]
    )
    assert result.ok
    assert len(result.message_ids) >= 3
    calls = fake.calls_to("sendMessage")
    plain = [parse_telegram_html(c.params["text"]) for c in calls]
    assert all(tg_len(p) <= 4096 for p in plain)
    assert all(p.startswith("Part ") for p in plain)  # each chunk starts a paragraph
    assert "\n\n".join(plain) == "\n\n".join(p.replace("*", "") for p in paragraphs)  # nothing lost
    assert "reply_markup" in calls[-1].params
    assert "reply_markup" not in calls[0].params

    # A 10,000-character message from the learner gets an answer, not a crash.
    fake.push(fake.text_update("z" * 10_000, chat_id=DM))
    await fake.wait_for("sendMessage", where=lambda c: "too long" in c.params["text"])


def test_split_html_cuts_huge_paragraphs_and_keeps_markup_valid() -> None:
    chunks = split_html("*" + "bold " * 2000 + "*\n\n`" + "c" * 5000 + "`")
    assert len(chunks) >= 3
    for chunk in chunks:
        assert tg_len(parse_telegram_html(chunk)) <= 4096
        assert tg_len(chunk) <= 4096


def test_render_escapes_and_limits() -> None:
    [call] = render(Reply("Use `<T>` & _x_ - *bold*\n- item", title="A<B"))
    assert call["text"] == (
        "<b>A&lt;B</b>\nUse <code>&lt;T&gt;</code> &amp; <i>x</i> - <b>bold</b>\n• item"
    )
    parse_telegram_html(call["text"])
    long_payload = "cmd:term " + "x" * 100
    [call] = render(Reply("pick", choices=(Choice("x", long_payload),)))
    data = call["reply_markup"].inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    # Options too long for a poll fall back to text with numbered buttons.
    quiz = NativeQuiz("Q?", ("a" * 150, "b"), 0)
    fallback = render(
        Reply("Q?", native_quiz=quiz, choices=(Choice("a" * 150, "p:0"), Choice("b", "p:1")))
    )
    assert "question" not in fallback[0]
    assert "1." in fallback[0]["text"]
    labels = [b.text for row in fallback[0]["reply_markup"].inline_keyboard for b in row]
    assert labels == ["1", "2"]


async def test_long_callback_payload_round_trips(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    payload = "cmd:term " + "concept drift" + " " * 60
    await adapter.send(ref_for(adapter, DM), [Reply("pick", choices=(Choice("Card", payload),))])
    message = fake.last_message(DM, with_text="pick")
    [data] = buttons(message)
    assert data != payload
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    fake.push(fake.callback_update(message, data))
    await fake.wait_for("sendMessage", where=lambda c: "concept drift" in c.params["text"])


# -- webhook --------------------------------------------------------------------------------


async def _started(server: uvicorn.Server) -> bool:
    return server.started


@pytest.fixture
async def webhook(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    tg = make_adapter(fake, engine, db, webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=tg.routes()), log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await eventually(lambda: _started(server))
    await tg.start()
    yield tg
    await tg.stop()
    server.should_exit = True
    await task
    sock.close()


async def test_webhook_checks_the_secret(fake: FakeTelegram, webhook: TelegramAdapter) -> None:
    assert webhook.mode == "webhook"
    assert webhook.application.updater is None
    [registered] = fake.calls_to("setWebhook")
    assert registered.params["secret_token"] == webhook_secret_for(fake.token)
    assert set(registered.params["allowed_updates"]) >= {"message", "callback_query", "poll_answer"}
    assert not fake.calls_to("getUpdates")

    assert await fake.deliver_webhook(fake.text_update("/help", chat_id=DM), secret="wrong") == 403
    assert await fake.deliver_webhook(fake.text_update("/help", chat_id=DM), secret="") == 403
    assert not fake.calls_to("sendMessage")
    assert await fake.deliver_webhook(fake.text_update("/help", chat_id=DM)) == 200
    # Handled before the 200: the reply is already out.
    assert "termcoach" in fake.sent_texts(DM)[0]


def test_from_settings_uses_the_configured_endpoints(engine: DialogueEngine, db: Database) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr("1:abc"),
        telegram_webhook_url="https://example.invalid/telegram/webhook",
        telegram_webhook_secret=SecretStr("s3cret_value"),
        telegram_api_base_url="http://127.0.0.1:9/bot",
    )
    tg = telegram_adapter(settings, engine, db)
    assert isinstance(tg, TelegramAdapter)
    assert tg.mode == "webhook"
    assert tg.webhook_secret == "s3cret_value"
    assert tg.application.bot.base_url == "http://127.0.0.1:9/bot1:abc"
    assert tg.application.concurrent_updates == 4  # SQLite: a few writers at a time
    assert [r.path for r in tg.routes()] == [WEBHOOK_PATH]  # type: ignore[attr-defined]
    polling = Settings(_env_file=None, telegram_bot_token=SecretStr("1:abc"))  # type: ignore[call-arg]
    assert telegram_adapter(polling, engine, db).routes() == []
    assert {name for name, _ in COMMANDS} >= {"quiz", "roleplay", "daily"}


# -- secrets ----------------------------------------------------------------------------------


async def test_the_token_never_reaches_the_logs(
    fake: FakeTelegram, engine: DialogueEngine, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="httpx")  # httpx logs every request URL at INFO
    tg = make_adapter(fake, engine, db)
    await tg.start()
    try:
        fake.fail("sendMessage", Failure.bad_gateway(), times=1)
        fake.push(fake.text_update("/help", chat_id=DM))
        await fake.wait_for("sendMessage")
        logging.getLogger("telegram.test").warning("bot is %r", tg.application.bot)
    finally:
        await tg.stop()
    assert any("<redacted>" in r.getMessage() for r in caplog.records if r.name == "httpx")
    assert fake.token not in caplog.text
    assert all(fake.token not in r.getMessage() for r in caplog.records)


async def test_private_replies_go_to_the_dm_and_never_block_the_group(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    ref = ref_for(adapter, GROUP, 9)
    result = await adapter.send(ref, [Reply("just for you", private=True), Reply("for all")])
    assert result.ok
    assert fake.sent_texts(9) == ["just for you"]
    assert fake.sent_texts(GROUP) == ["for all"]
    fake.block_chat(10)  # never opened a DM with the bot
    ref = ref_for(adapter, GROUP, 10)
    result = await adapter.send(ref, [Reply("secret", private=True), Reply("public")])
    assert result.ok
    assert fake.sent_texts(GROUP) == ["for all", "public"]


def test_self_hosted_base_url_forms() -> None:
    for url in ("http://bots.local:8081", "http://bots.local:8081/bot", "http://bots.local:8081/"):
        app = build_application("1:abc", url)
        assert app.bot.base_url == "http://bots.local:8081/bot1:abc"
        assert app.bot.base_file_url == "http://bots.local:8081/file/bot1:abc"


async def test_a_late_press_in_a_group_gets_a_pop_up_not_a_group_message(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update(f"/quiz@{fake.username} buttons drift", chat_id=GROUP, user_id=7))
    question = await question_message(fake, GROUP, 1)
    data = buttons(question)
    fake.push(fake.callback_update(question, data[0], user_id=8))  # a colleague answers first
    await question_message(fake, GROUP, 2)
    fake.push(fake.callback_update(question, data[1], user_id=7))
    answers = await fake.wait_for("answerCallbackQuery", 2)
    assert answers[1].params["text"] == "That question was already answered."
    assert not [t for t in fake.sent_texts(GROUP) if "already answered" in t]
    assert not [t for t in fake.sent_texts(7) if "already answered" in t]
    assert len(await attempts(db)) == 1


def test_plain_text_options_and_explanations_keep_underscores_and_stars() -> None:
    # Labels and poll fields are plain text: markup characters in them are content.
    quiz = NativeQuiz(
        "Which variable points MLflow at its server?",
        ("MLFLOW_TRACKING_URI", "get_historical_features", "2*3"),
        0,
        explanation="Set MLFLOW_TRACKING_URI to the tracking server.",
    )
    [poll] = poll_kwargs(quiz)
    assert poll["options"] == ["MLFLOW_TRACKING_URI", "get_historical_features", "2*3"]
    assert "MLFLOW_TRACKING_URI" in poll["explanation"]
    markup = keyboard([Choice("get_historical_features", "p:1"), Choice("2*3", "p:2")])
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "get_historical_features",
        "2*3",
    ]


def test_a_menu_that_lists_its_choices_is_not_listed_twice() -> None:
    titles = [f"Scenario number {n}, for a product manager who asks" for n in (1, 2, 3)]
    menu = Reply(
        "Pick a scenario:\n" + "\n".join(f"- {t}: /roleplay s{n}" for n, t in enumerate(titles)),
        choices=tuple(Choice(t, f"cmd:roleplay s{n}") for n, t in enumerate(titles)),
    )
    [call] = render(menu)
    assert call["text"].count("Scenario number 1") == 1
    buttons = [b.text for row in call["reply_markup"].inline_keyboard for b in row]
    assert buttons == titles  # full labels; Telegram shortens them on screen
    # Long options that the text does not show still move into it, under numbers.
    question = Reply(
        "Which one?", choices=tuple(Choice(t, f"q:x:{n}") for n, t in enumerate(titles))
    )
    [call] = render(question)
    assert "1." in call["text"] and titles[0] in call["text"]


def test_a_chart_is_one_photo_with_its_caption() -> None:
    caption = "Last 30 days: 11 reviews, 60% right."
    calls = render(Reply(caption, image=Image(png=b"\x89PNG", caption=caption)))
    assert len(calls) == 1 and calls[0]["caption"] == caption
