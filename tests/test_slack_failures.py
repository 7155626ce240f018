"""Failures around the Slack adapter: forged requests, retries, rate limits, platform errors.

bolt's AsyncApp and slack_sdk's clients run against the local fake Web API, which scripts the
failures (`fail`, `rate_limit`); every request is signed as Slack signs it (`tests.slack_support`).
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import func, select

from bot.messages import ConversationRef, Reply
from storage.db import Database
from storage.models import Learner
from tests.fakes.slack_server import FakeSlackServer
from tests.slack_support import MakeSlack, fake_slack_server, slack_factory  # noqa: F401


async def test_forged_and_stale_requests_get_401_and_change_nothing(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database
) -> None:
    slack = await make_slack()
    fake.reset()
    forged = await slack.slash("quiz", secret="not-the-secret")
    stale = await slack.slash("quiz", timestamp=int(time.time()) - 600)
    forged_event = await slack.dm("quiz", secret="not-the-secret")
    unsigned = await slack.http.post(
        "/slack/events",
        content='{"type":"event_callback"}',
        headers={"Content-Type": "application/json"},
    )
    await slack.settle()
    assert [r.status_code for r in (forged, stale, forged_event, unsigned)] == [401] * 4
    assert fake.calls == []
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Learner)) == 0


async def test_url_verification_is_answered(make_slack: MakeSlack) -> None:
    slack = await make_slack()
    body = json.dumps({"type": "url_verification", "challenge": "chal-123", "token": "x"})
    response = await slack.post(body, "application/json")
    assert response.status_code == 200
    assert "chal-123" in response.text


async def test_a_retried_event_gets_one_reply_even_on_another_replica(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("help", event_id="EvRETRY1")
    await slack.settle()
    assert len(fake.calls_to("chat.postMessage")) == 1

    again = await slack.dm("help", event_id="EvRETRY1", retry=1)
    await slack.settle()
    assert again.status_code == 200  # acknowledged, so Slack stops retrying
    # A second replica (its own memory) on the same database: the engine drops the repeat.
    replica = await make_slack()
    await replica.dm("help", event_id="EvRETRY1", retry=2)
    await replica.settle()
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_429_from_chat_post_message_is_retried_after_retry_after(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    fake.rate_limit("chat.postMessage", retry_after=0, times=1)
    await slack.dm("help")
    await slack.settle()
    first, second = fake.calls_to("chat.postMessage")
    assert first.response == {"ok": False, "error": "ratelimited"}
    assert second.response is not None and second.response["ok"] is True
    assert first.params == second.params


async def test_send_reports_rate_limits_and_gone_channels(
    make_slack: MakeSlack, fake: FakeSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    slack = await make_slack(rate_limit_retries=0)
    ref = ConversationRef("slack", "T1", "C9", "")
    reply = Reply("Term of the day", title="PSI", kind="card")

    sent = await slack.adapter.send(ref, [reply])
    assert sent.ok and sent.message_ids

    fake.rate_limit("chat.postMessage", retry_after=7, times=1)
    limited = await slack.adapter.send(ref, [reply])
    assert (limited.status, limited.retry_after) == ("retry", 7.0)

    caplog.set_level(logging.WARNING, logger="termcoach.slack")
    for error in ("channel_not_found", "not_in_channel", "account_inactive"):
        fake.fail("chat.postMessage", error)
        result = await slack.adapter.send(ref, [reply])
        assert (result.status, result.reason) == ("gone", error)
    assert "invite it with /invite @termcoach" in caplog.text
    assert "was not found (channel_not_found)" in caplog.text

    fake.fail("chat.postMessage", "invalid_auth")
    failed = await slack.adapter.send(ref, [reply])
    assert (failed.status, failed.reason) == ("failed", "invalid_auth")
    assert "Slack rejected the bot token of workspace T1 (invalid_auth)" in caplog.text


async def test_platform_errors_during_a_turn_are_logged_and_never_crash(
    make_slack: MakeSlack, fake: FakeSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="termcoach.slack")
    slack = await make_slack()
    fake.fail("chat.postMessage", "invalid_auth")
    await slack.dm("help")
    fake.fail("chat.postEphemeral", "not_in_channel")
    await slack.mention("<@UBT1> help", channel="C7")
    fake.fail("chat.postMessage", "channel_not_found")
    await slack.mention("<@UBT1> topics", channel="C8")
    await slack.settle()
    assert "(invalid_auth)" in caplog.text
    assert "(channel_not_found)" in caplog.text
    assert "Traceback" not in caplog.text

    # A slash command where the bot cannot post falls back to the command's response URL.
    fake.reset()
    fake.fail("chat.postMessage", "channel_not_found")
    await slack.slash("help", channel="DOTHERS")
    await slack.settle()
    assert fake.calls_to("response_url")

    # And the adapter still works.
    fake.reset()
    await slack.dm("help")
    await slack.settle()
    assert fake.calls_to("chat.postMessage")[0].response["ok"] is True  # type: ignore[index]


async def test_invalid_bot_token_at_start_is_reported_not_raised(
    make_slack: MakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="termcoach.slack")
    slack = await make_slack(bot_token="xoxb-wrong-token")
    assert not slack.adapter.ready
    assert "invalid_auth" in caplog.text
    assert "xoxb-wrong-token" not in caplog.text
