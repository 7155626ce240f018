"""The daily term end to end through the real clients: python-telegram-bot against the fake Bot
API, and slack-bolt/slack_sdk against the fake Slack Web API.

A chat subscribes with its command, one pass posts the term card, and "Quiz me" starts a quiz that
only the presser sees. Platform failures (a blocked user, a missing Slack channel) go through the
real adapters' error handling into the delivery log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import AIORateLimiter

from adapters.telegram import TelegramAdapter, build_application
from bot.clock import FakeClock
from bot.daily.service import DailyService
from bot.engine import DialogueEngine
from storage import subscriptions as store
from storage.db import Database
from termcoach.cli_daily import run_due_once
from tests.daily_support import log_for, make_service, subscribe
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import Failure, FakeTelegram
from tests.slack_support import Slack
from tests.telegram_support import local_dns_only

GROUP = -100777
ALICE, BOB = 501, 502

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


# -- Telegram -----------------------------------------------------------------------------------


@pytest.fixture
async def tg_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def telegram(
    tg_fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    app = build_application(
        tg_fake.token,
        tg_fake.base_url,
        rate_limiter=AIORateLimiter(max_retries=1),
        poll_timeout=1.0,
    )
    adapter = TelegramAdapter(engine, db, app, poll_timeout=1.0, backoff_s=0.01)
    await adapter.start()
    yield adapter
    await adapter.stop()


def buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = message["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_telegram_group_subscribes_gets_the_post_and_quiz_me_is_private(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    tg_fake.admins[GROUP] = {ALICE}
    tg_fake.push(tg_fake.text_update("/daily@termcoach_test_bot on", chat_id=GROUP, user_id=BOB))
    await tg_fake.wait_for(
        "sendMessage", where=lambda c: "only an administrator" in c.params["text"]
    )
    tg_fake.push(
        tg_fake.text_update("/daily@termcoach_test_bot on 09:00 UTC", chat_id=GROUP, user_id=ALICE)
    )
    await tg_fake.wait_for("sendMessage", where=lambda c: "daily term is on" in c.params["text"])

    service = make_service(engine, [telegram], clock)
    report = await service.run_pass()
    assert report.sent == 1, report.summary()
    [post_call] = [
        c for c in tg_fake.calls_to("sendMessage") if "Term of the day" in c.params["text"]
    ]
    assert post_call.chat_id == GROUP
    post = tg_fake.last_message(GROUP, with_text="Term of the day")
    keys = buttons(post)
    assert list(keys) == ["Quiz me", "I knew it", "New to me", "More"]

    # A restart and another pass: still one post.
    again = make_service(engine, [telegram], clock, worker="other")
    assert (await again.run_pass()).sent == 0

    # Bob, who started the bot, presses "Quiz me" under the group post: the quiz goes on in
    # his private chat, not the group.
    tg_fake.push(tg_fake.text_update("/help", chat_id=BOB))
    await tg_fake.wait_for("sendMessage", where=lambda c: c.chat_id == BOB)
    tg_fake.push(tg_fake.callback_update(post, keys["Quiz me"], user_id=BOB))
    await tg_fake.wait_for(
        "sendMessage", where=lambda c: c.chat_id == BOB and "Question 1 of" in c.params["text"]
    )
    group_texts = [c.params["text"] for c in tg_fake.calls_to("sendMessage") if c.chat_id == GROUP]
    assert not any("Question 1 of" in t for t in group_texts)
    assert await tg_fake.wait_for("answerCallbackQuery")
    # The quiz lives in Bob's DM, so his answer there is scored (not "expired").
    question = tg_fake.last_message(BOB, with_text="Question 1 of")
    first_option = next(iter(buttons(question).values()))
    tg_fake.push(tg_fake.callback_update(question, first_option, user_id=BOB))
    edits = await tg_fake.wait_for(
        "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
    )
    assert "Correct!" in edits[0].params["text"] or "Not quite." in edits[0].params["text"]

    # "I knew it" is acknowledged privately as well (Alice never started the bot: a pop-up).
    tg_fake.push(tg_fake.callback_update(post, keys["I knew it"], user_id=ALICE))
    await tg_fake.wait_for(
        "answerCallbackQuery", where=lambda c: "review list" in c.params.get("text", "")
    )


async def test_telegram_blocked_user_deactivates_through_the_real_client(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    workspace = telegram.workspace
    blocked = await subscribe(db, "601", platform="telegram", workspace=workspace)
    fine = await subscribe(db, "602", platform="telegram", workspace=workspace)
    tg_fake.block_chat(601)
    service = make_service(engine, [telegram], clock)
    report = await service.run_pass()
    assert (report.sent, report.deactivated) == (1, 1), report.summary()
    async with db.session() as session:
        row = await store.subscription_by_id(session, blocked.id)
        ok = await store.subscription_by_id(session, fine.id)
    assert row is not None and not row.active and "blocked" in (row.inactive_reason or "")
    assert ok is not None and ok.active
    [entry] = (await log_for(db, blocked.id)).values()
    assert entry.status == "failed" and "blocked" in (entry.error or "")


async def test_telegram_429_through_the_real_client_is_honoured(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:

    workspace = telegram.workspace
    sub = await subscribe(db, "603", platform="telegram", workspace=workspace)
    # More 429s than PTB's limiter retries: the adapter reports "retry" and the pass waits it out.
    tg_fake.fail("sendMessage", Failure.retry_after(1), chat_id=603, times=2)
    service = make_service(engine, [telegram], clock)
    report = await service.run_pass()
    assert (report.sent, report.received_429) == (1, 1), report.summary()
    assert [e.status for e in (await log_for(db, sub.id)).values()] == ["sent"]
    assert len(tg_fake.sent_texts(603)) == 1


# -- Slack --------------------------------------------------------------------------------------


async def test_slack_channel_subscribes_by_slash_command_and_quiz_me_goes_to_the_dm(
    slack: Slack, slack_fake: FakeSlackServer, engine: DialogueEngine, clock: FakeClock
) -> None:
    response = await slack.slash("daily on 09:00 UTC weekdays", channel="C1", user="U1")
    assert response.status_code == 200
    await slack.settle()
    assert any("daily term is on" in c.all_text() for c in slack_fake.messages_sent())

    service: DailyService = make_service(engine, [slack.adapter], clock)
    report = await service.run_pass()
    assert report.sent == 1, report.summary()
    [post] = [
        c for c in slack_fake.calls_to("chat.postMessage") if "Term of the day" in c.all_text()
    ]
    assert post.channel == "C1"
    labels = [b["text"]["text"] for b in post.buttons()]
    assert labels == ["Quiz me", "I knew it", "New to me", "More"]

    slack_fake.reset()
    await slack.press(post, "Quiz me", channel="C1", user="U2")
    await slack.settle()
    # U2 gets one ephemeral line linking to their DM, where the quiz is; the channel nothing.
    [line] = slack_fake.calls_to("response_url", "chat.postEphemeral")
    assert "app_redirect?channel=DU2" in line.all_text()
    if line.method == "response_url":
        assert line.params["response_type"] == "ephemeral"
    questions = [c for c in slack_fake.messages_sent() if "Question 1 of" in c.all_text()]
    assert questions, [c.all_text()[:80] for c in slack_fake.messages_sent()]
    assert {(c.method, c.channel) for c in questions} == {("chat.postMessage", "DU2")}
    assert not [c for c in slack_fake.calls_to("chat.postMessage") if c.channel == "C1"]
    # U2 answers in the DM: it is scored there.
    slack_fake.reset()
    await slack.press(questions[-1], 0, channel="DU2", user="U2")
    await slack.settle()
    results = [
        c
        for c in slack_fake.messages_sent()
        if "Correct!" in c.all_text() or "Not quite." in c.all_text()
    ]
    assert results, [c.all_text()[:80] for c in slack_fake.messages_sent()]
    assert {c.channel for c in results} == {"DU2"}


async def test_slack_channel_not_found_deactivates_through_the_real_client(
    slack: Slack,
    slack_fake: FakeSlackServer,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    gone = await subscribe(db, "CGONE", platform="slack", workspace="T1", is_group=True)
    fine = await subscribe(db, "CFINE", platform="slack", workspace="T1", is_group=True)
    slack_fake.fail("chat.postMessage", "channel_not_found", channel="CGONE", times=5)
    service = make_service(engine, [slack.adapter], clock)
    report = await service.run_pass()
    assert (report.sent, report.deactivated) == (1, 1), report.summary()
    async with db.session() as session:
        row = await store.subscription_by_id(session, gone.id)
        ok = await store.subscription_by_id(session, fine.id)
    assert row is not None and not row.active and "channel_not_found" in (row.inactive_reason or "")
    assert ok is not None and ok.active


async def test_run_due_builds_the_real_adapter_and_does_not_poll(
    tg_fake: FakeTelegram, db_url: str, db: Database, clock: FakeClock, settings: Any
) -> None:

    sub = await subscribe(db, "604", platform="telegram", workspace=str(tg_fake.bot_id))
    configured = settings.model_copy(
        update={
            "database_url": db_url,
            "telegram_bot_token": SecretStr(tg_fake.token),
            "telegram_api_base_url": tg_fake.base_url,
        }
    )
    report = await run_due_once(configured, clock=clock)
    assert report is not None and report.sent == 1, report
    assert len(tg_fake.sent_texts(604)) == 1
    # Sending only: no long polling that would steal updates from the running bot.
    assert not tg_fake.calls_to("getUpdates") and not tg_fake.calls_to("setWebhook")
    assert [e.status for e in (await log_for(db, sub.id)).values()] == ["sent"]
    again = await run_due_once(configured, clock=clock)
    assert again is not None and again.due == 0 and len(tg_fake.sent_texts(604)) == 1
