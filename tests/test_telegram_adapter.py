"""The Telegram adapter end to end: the real python-telegram-bot client against a fake Bot API.

Every scenario runs the real PTB `Application` (polling, or webhook through a real uvicorn
server) and the real engine on a fresh database; assertions are on what the fake received.
Where a test shows that something did not happen, it uses the webhook: the fake then knows when
the adapter handled every update (`FakeTelegram.settled`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from telegram import Update

from adapters.telegram import WEBHOOK_PATH, TelegramAdapter, webhook_secret_for
from adapters.telegram.limits import (
    CALLBACK_DATA_LIMIT,
    POLL_EXPLANATION_LIMIT,
    POLL_QUESTION_LIMIT,
)
from adapters.telegram.render import tg_len
from adapters.turns import command_menu
from bot.engine import DialogueEngine
from bot.messages import Choice, NativeQuiz, Reply
from storage.db import Database
from storage.models import Conversation, Learner
from termcoach.runtime import telegram_adapter
from termcoach.settings import Settings
from tests.fakes.telegram_server import Failure, FakeTelegram, PressRefused, parse_telegram_html
from tests.telegram_support import (
    DM,
    GROUP,
    attempts,
    buttons,
    chat_status,
    eventually,
    first_poll,
    local_dns_only,
    make_adapter,
    question_message,
    ref_for,
    running_adapter,
    webhook_adapter,
)

# PTB itself reads RetryAfter.retry_after in the exception's constructor, which warns in 22.x.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def adapter(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    async with running_adapter(fake, engine, db) as tg:
        yield tg


# -- start, commands, chat ----------------------------------------------------------------------


async def test_start_registers_commands_and_greets(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    assert adapter.ready
    assert adapter.mode == "polling"
    assert adapter.workspace == str(fake.bot_id)
    # The private menu in the order people use it; /exercise (it needs an id) is not in it.
    assert [c["command"] for c in fake.commands] == [
        "quiz",
        "term",
        "review",
        "roleplay",
        "daily",
        "stats",
        "settings",
        "help",
        "cancel",
    ]
    assert all(c["description"] for c in fake.commands)
    # Groups get a shorter menu of their own.
    group = [c["command"] for c in fake.menus["all_group_chats"]]
    assert group == ["quiz", "term", "daily", "help", "cancel"]
    # What Telegram shows before the first message, and on the bot's profile.
    assert fake.description and "ML platform" in fake.description
    assert fake.short_description and len(fake.short_description) <= 120

    fake.push(fake.text_update("/start", chat_id=DM, first_name="Ada <admin>"))
    calls = await fake.wait_for("sendMessage", 1)
    texts = [c.params["text"] for c in calls]
    # The learner's name is user text: escaped, not taken for a tag.
    assert "Hello, Ada &lt;admin&gt;! Welcome to termcoach" in texts[0]
    assert all(c.params["parse_mode"] == "HTML" for c in calls)
    # A first contact of two lines, with buttons: the learner's goal.
    assert len(calls) == 1
    assert len(texts[0].strip().splitlines()) <= 3
    assert "<b>1 of 3: What are you preparing for?</b>" in texts[0]
    keyboard = calls[0].params["reply_markup"]["inline_keyboard"]
    assert next(b["callback_data"] for row in keyboard for b in row) == "start:goal:pm"


async def test_a_refused_menu_does_not_stop_the_start(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    fake.fail("setMyCommands", Failure.bad_request("BOT_COMMAND_INVALID"), times=2)
    fake.fail("setMyDescription", Failure.bad_request("BOT_DESCRIPTION_INVALID"))
    async with running_adapter(fake, engine, db) as tg:
        assert tg.ready
        assert fake.short_description  # the rest was still set


async def test_quiz_answered_with_buttons_edits_the_question(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    fake.push(fake.text_update("/quiz", chat_id=DM))
    question = await question_message(fake, DM, 1)
    data = buttons(question)
    assert all(len(d.encode()) <= CALLBACK_DATA_LIMIT for d in data)
    press = fake.callback_update(question, data[0])
    # A second tap that left the phone before the keyboard went away (a race, not a button
    # pressed on a message that no longer has it: the fake refuses those).
    late = fake.callback_update(question, data[1])
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

    # The old keyboard is gone, but the late tap is still answered, not rescored.
    with pytest.raises(PressRefused):
        fake.callback_update(question, data[1])
    fake.push(late)
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

    asked = len(fake.calls_to("sendMessage", "sendPoll"))
    fake.push(fake.poll_answer_update(poll_id, DM, [correct]))
    assert await eventually(lambda: _scored(db, before + 1))
    await adapter.engine.outbox.idle(10)
    # The next question came, but no "✅ Correct!" message: the poll showed it already.
    assert len(fake.calls_to("sendMessage", "sendPoll")) > asked
    rows = await attempts(db)
    assert len(rows) == before + 1
    assert rows[-1].correct
    assert not [t for t in fake.sent_texts(DM) if "Correct!" in t]


async def test_a_wrong_poll_vote_adds_only_what_the_poll_did_not_show(
    fake: FakeTelegram, adapter: TelegramAdapter, db: Database
) -> None:
    poll_call = await first_poll(fake, DM, DM)
    [correct] = poll_call.params["correct_option_ids"]
    wrong = (correct + 1) % len(poll_call.params["options"])
    poll_id = next(iter(fake.polls))
    fake.push(fake.poll_answer_update(poll_id, DM, [wrong]))
    assert await eventually(lambda: _answered(db))
    await adapter.engine.outbox.idle(10)
    texts = fake.sent_texts(DM)
    # Neither "Not quite." nor the answer and explanation again: the poll shows them.
    assert not [t for t in texts if "Not quite." in t or "<b>Answer:</b>" in t]


async def _scored(db: Database, count: int) -> bool:
    return len(await attempts(db)) >= count


async def _answered(db: Database) -> bool:
    return any(not a.correct for a in await attempts(db))


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
        fake.text_update("Skew: training & serving compute a <feature> differently.", chat_id=DM)
    )
    # The persona answers the learner's turn (free text went to the running role-play).
    follow_up = await fake.wait_for("sendMessage", len(opening) + 1)
    assert "more messages at most" in follow_up[-1].params["text"]
    persona = fake.last_message(DM, with_text="more messages at most")
    fake.push(fake.callback_update(persona, buttons(persona)[0]))
    await fake.wait_for("sendMessage", where=lambda c: "Score:" in c.params["text"])
    # The pressed "Finish" button cannot be pressed twice.
    await fake.wait_for(
        "editMessageReplyMarkup", where=lambda c: c.params["message_id"] == persona["message_id"]
    )
    assert "reply_markup" not in fake.messages[(DM, persona["message_id"])]


# -- groups ---------------------------------------------------------------------------------


async def test_group_commands_replies_and_chatter(
    fake: FakeTelegram, webhook: TelegramAdapter, db: Database
) -> None:
    alice, bob = 7, 8
    fake.admins[GROUP] = {alice}
    fake.push(fake.text_update("hello everyone", chat_id=GROUP, user_id=alice))
    fake.push(fake.text_update("/term@some_other_bot psi", chat_id=GROUP, user_id=alice))
    fake.push(fake.text_update("/term@termcoach_test_bot psi", chat_id=GROUP, user_id=alice))
    await fake.wait_for("sendMessage", where=lambda c: "PSI" in c.params["text"])
    assert all(c.chat_id == GROUP for c in fake.calls_to("sendMessage"))
    assert fake.calls_to("getChatMember")  # is_admin is looked up for group commands

    # A reply to the bot's message is addressed to it; plain chatter is not.
    fake.push(fake.text_update("what?", chat_id=GROUP, user_id=bob))
    card = fake.last_message(GROUP, with_text="PSI")
    fake.push(fake.text_update("what is concept drift?", chat_id=GROUP, user_id=bob, reply_to=card))
    await fake.wait_for("sendMessage", where=lambda c: "concept drift" in c.params["text"])
    await fake.settled()
    await webhook.engine.outbox.idle(10)

    async with db.session() as session:
        conversations = await session.scalar(select(func.count()).select_from(Conversation))
        learners = set((await session.execute(select(Learner.user_id))).scalars())
    # One conversation (the group's), a learner per user.
    assert conversations == 1
    assert learners == {str(alice), str(bob)}
    assert len(fake.sent_texts(GROUP)) == 2
    assert not any("what?" in t or "not sure" in t for t in fake.sent_texts(GROUP))


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
    fake: FakeTelegram, webhook: TelegramAdapter, engine: DialogueEngine, db: Database
) -> None:
    update = fake.text_update("/help", chat_id=DM)
    fake.push(update)
    await fake.wait_for("sendMessage")
    fake.push(update)
    fake.push(fake.text_update("/stats", chat_id=DM))
    await fake.wait_for("sendMessage", 2)
    await fake.settled()
    await engine.outbox.idle(10)
    assert len(fake.calls_to("sendMessage")) == 2

    # Another process (or this one after a restart) keeps no memory of it: the engine drops it,
    # its replies having been delivered.
    second = make_adapter(fake, engine, db)
    second.workspace = webhook.workspace
    await second.handle_update(Update.de_json(update, second.application.bot))
    await engine.outbox.idle(10)
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


@pytest.fixture
async def webhook(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    async with webhook_adapter(fake, engine, db) as tg:
        yield tg


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
    # Committed before the 200 (the reply is stored in the outbox), sent right after it.
    await fake.wait_for("sendMessage")
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
    assert {name for name, _ in command_menu(engine)} >= {"quiz", "roleplay", "daily"}


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
    fake.push(fake.text_update("/help", chat_id=9))  # 9 opened a private chat with the bot
    await fake.wait_for("sendMessage", where=lambda c: c.chat_id == 9)
    ref = ref_for(adapter, GROUP, 9)
    result = await adapter.send(ref, [Reply("just for you", private=True), Reply("for all")])
    assert result.ok
    assert fake.sent_texts(9)[-1] == "just for you"
    assert fake.sent_texts(GROUP) == ["for all"]
    fake.block_chat(10)  # never opened a DM with the bot
    ref = ref_for(adapter, GROUP, 10)
    result = await adapter.send(ref, [Reply("secret", private=True), Reply("public")])
    assert result.ok
    assert fake.sent_texts(GROUP) == ["for all", "public"]


async def test_roleplay_debrief_has_the_score_first_and_the_model_answer_folded(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    fake.push(fake.text_update("/roleplay drift-pm", chat_id=DM))
    await fake.wait_for("sendMessage", where=lambda c: "Priya" in c.params["text"])
    fake.push(
        fake.text_update(
            "Drift mean the world has changed since the model learned from its data.", chat_id=DM
        )
    )
    await fake.wait_for("sendMessage", where=lambda c: "more messages at most" in c.params["text"])
    fake.push(fake.text_update("done", chat_id=DM))
    [summary] = await fake.wait_for("sendMessage", where=lambda c: "Score:" in c.params["text"])
    text = summary.params["text"]
    assert text.startswith("<b>Debrief") or "<b>Score:" in text
    head, quote = text.split("<blockquote expandable>", 1)
    # The score and the one thing to fix read at a glance; the model answer is folded below.
    assert len(re.sub(r"<[^>]+>", "", head)) <= 600
    assert head.index("Score:") < len(head) and "Model answer" not in head
    assert quote.startswith("<b>Show a model answer</b>") and quote.endswith("</blockquote>")
    assert "drift" in quote.lower()
    message = fake.last_message(DM, with_text="Score:")
    labels = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Score parts"]


async def test_help_lists_commands_as_plain_text_so_a_tap_runs_them(
    fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    # Telegram turns a plain "/quiz" into a link that runs it; inside <code> a tap copies it.
    fake.push(fake.text_update("/help", chat_id=DM))
    calls = await fake.wait_for("sendMessage", 1)
    text = "\n".join(c.params["text"] for c in calls)
    assert "/quiz <code>" in text, text[:600]
    assert "<code>/" not in text
