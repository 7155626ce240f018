"""The Slack adapter for real: bolt's AsyncApp and slack_sdk's clients against a local fake Web API.

Every inbound request is signed with `slack_sdk.signature.SignatureVerifier` exactly as Slack signs
it and posted to the adapter's Starlette routes; every outbound call lands on the fake server
(`tests.fakes.slack_server`), which records it. The engine is the real one on a fresh database.
The network guard of ``tests/conftest.py`` fails any attempt to leave this machine.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select
from starlette.applications import Starlette

from adapters.slack import (
    BOT_SCOPES,
    SlackAdapter,
    SlackConfigError,
    classify_error,
    target_for,
    to_inbound,
)
from adapters.slack_install import SqlOAuthStateStore, TokenCipher
from adapters.slack_render import (
    MAX_BLOCKS,
    HomeProgress,
    escape_mrkdwn,
    render,
    render_home,
    slack_commands,
    to_mrkdwn,
)
from bot.messages import (
    Choice,
    ChoiceIn,
    CommandIn,
    ConversationRef,
    Image,
    NativeQuiz,
    Reply,
    TextIn,
)
from storage.db import Database
from storage.models import Learner, QuizAttempt, SlackInstallation
from termcoach.runtime import slack_adapter
from termcoach.settings import Settings
from tests.fakes.slack_server import FakeSlackServer, SlackCall, check_blocks
from tests.orm import orm

SECRET = "test-signing-secret"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
SECRET_KEY = Fernet.generate_key().decode()
pytestmark = pytest.mark.filterwarnings(
    # slack_sdk's oauth.v2.access call uses aiohttp's BasicAuth; not ours to change.
    "ignore:BasicAuth is deprecated:DeprecationWarning"
)
MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "slack-manifest.yaml"

_ids = itertools.count(1)


def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers Slack adds to every request, computed the way Slack computes them."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


class Slack:
    """Plays Slack's part: posts signed payloads to termcoach and presses recorded buttons."""

    def __init__(self, adapter: SlackAdapter, fake: FakeSlackServer) -> None:
        self.adapter = adapter
        self.fake = fake
        app = Starlette(routes=adapter.routes())
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://termcoach.test"
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self.adapter.stop()

    async def settle(self) -> None:
        """Wait until every turn started by the requests so far has finished."""
        await self.adapter.drain(10)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        retry: int | None = None,
    ) -> httpx.Response:
        headers = {
            "Content-Type": content_type,
            **signed_headers(body, secret=secret, timestamp=timestamp),
        }
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def slash(
        self,
        text: str,
        *,
        team: str = "T1",
        channel: str = "C1",
        user: str = "U1",
        **post: Any,
    ) -> httpx.Response:
        n = next(_ids)
        form = {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/termcoach",
            "text": text,
            "api_app_id": "A0TERMCOACH",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(f"cmd{n}"),
            "trigger_id": f"trigger-{n}",
        }
        body = urllib.parse.urlencode(form)
        return await self.post(body, "application/x-www-form-urlencoded", **post)

    async def press(
        self,
        call: SlackCall,
        which: int | str = 0,
        *,
        team: str = "T1",
        channel: str = "C1",
        user: str = "U1",
        **post: Any,
    ) -> httpx.Response:
        """Press a button of a recorded message (by index or label), as Slack would send it."""
        found = None
        buttons = [(b, e) for b in call.blocks if b.get("type") == "actions" for e in b["elements"]]
        for i, (block, element) in enumerate(buttons):
            if which in (i, element["text"]["text"]):
                found = (block, element)
                break
        assert found is not None, f"no button {which!r} in {call.method}: {call.all_text()}"
        block, element = found
        n = next(_ids)
        ephemeral = call.method in {"response_url", "chat.postEphemeral"}
        if call.method == "chat.postMessage":
            assert call.response is not None
            ts = call.response["ts"]
            channel = call.response["channel"]
        else:
            ts = f"1700009{n:03d}.000200"
        container = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A0TERMCOACH",
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": f"trigger-{n}",
            "team": {"id": team, "domain": team.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "general"},
            "response_url": self.fake.response_url(f"act{n}"),
            "actions": [
                {
                    "action_id": element["action_id"],
                    "block_id": block["block_id"],
                    "text": element["text"],
                    "value": element["value"],
                    "type": "button",
                    "action_ts": f"1700009{n:03d}.000300",
                }
            ],
        }
        if not ephemeral:
            message = {"type": "message", "ts": ts, "text": call.text, "blocks": call.blocks}
            if call.params.get("thread_ts"):
                message["thread_ts"] = call.params["thread_ts"]
            payload["message"] = message
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.post(body, "application/x-www-form-urlencoded", **post)

    async def home_button(self, name: str, *, team: str = "T1", user: str = "U1") -> httpx.Response:
        n = next(_ids)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0TERMCOACH",
            "container": {"type": "view", "view_id": "V123"},
            "trigger_id": f"trigger-{n}",
            "team": {"id": team, "domain": team.lower()},
            "view": {"id": "V123", "type": "home"},
            "actions": [
                {
                    "action_id": f"termcoach:home:{name}",
                    "block_id": "home",
                    "value": name,
                    "type": "button",
                    "action_ts": "1700000000.1",
                }
            ],
        }
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], *, team: str = "T1", event_id: str | None = None, **post: Any
    ) -> httpx.Response:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0TERMCOACH",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
        }
        return await self.post(json.dumps(envelope), "application/json", **post)

    async def dm(
        self, text: str, *, team: str = "T1", user: str = "U1", **kw: Any
    ) -> httpx.Response:
        n = next(_ids)
        event = {
            "type": "message",
            "channel": "D" + user,
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"1700001{n:03d}.000100",
            "event_ts": f"1700001{n:03d}.000100",
        }
        return await self.event(event, team=team, **kw)

    async def mention(
        self, text: str, *, team: str = "T1", user: str = "U1", channel: str = "C1", **kw: Any
    ) -> httpx.Response:
        n = next(_ids)
        ts = f"1700002{n:03d}.000100"
        event = {
            "type": "app_mention",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
        }
        return await self.event(event, team=team, **kw)


MakeSlack = Callable[..., Awaitable[Slack]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackServer]:
    """The fake Slack Web API, with workspace T1 registered."""
    async with FakeSlackServer() as server:
        server.add_workspace("T1", "xoxb-T1-secret-token")
        yield server


@pytest.fixture
async def make_slack(engine: Any, db: Database, fake: FakeSlackServer) -> AsyncIterator[MakeSlack]:
    """Build and start adapters against the fake; all are stopped at the end of the test."""
    made: list[Slack] = []

    async def make(**kwargs: Any) -> Slack:
        kwargs.setdefault("signing_secret", SECRET)
        kwargs.setdefault("api_url", fake.api_url)
        if kwargs.pop("oauth", False):
            kwargs.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, secret_key=SECRET_KEY)
        else:
            kwargs.setdefault("bot_token", "xoxb-T1-secret-token")
        adapter = SlackAdapter(kwargs.pop("engine", engine), db, **kwargs)
        await adapter.start()
        slack = Slack(adapter, fake)
        made.append(slack)
        return slack

    yield make
    for slack in made:
        await slack.close()
    # Every message had valid blocks and a plain-text fallback.
    assert fake.problems == []


def shown(fake: FakeSlackServer) -> list[SlackCall]:
    """What users saw: posts, ephemerals, updates and response-URL messages."""
    return fake.calls_to("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")


# ---- a slash-command quiz answered with buttons ----------------------------------------------


async def test_slash_command_quiz_in_a_channel_is_private_and_updates_each_question(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    response = await slack.slash("quiz")
    assert response.status_code == 200
    assert response.text == ""  # the ack: nothing shown, the replies follow
    await slack.settle()

    intro, question = fake.calls_to("response_url")
    assert intro.params["response_type"] == "ephemeral"
    assert "5 questions" in intro.text
    assert question.params["response_type"] == "ephemeral"
    assert question.params["replace_original"] is False
    assert "Question 1 of 5" in question.all_text()
    assert len(question.button_values()) == 4
    assert question.text.count("\n1. ") == 1  # the fallback lists the options

    for _round in range(20):  # the engine may ask a missed question again
        fake.reset()
        asked = re.search(r"Question \d+ of \d+|Which|Once more", question.all_text())
        await slack.press(question, 0)
        await slack.settle()
        update, *rest = fake.calls_to("response_url")
        # The pressed question is replaced: question text kept, buttons gone, result shown.
        assert update.params["replace_original"] is True
        assert question.blocks[0]["text"]["text"] in update.all_text()
        assert asked is not None
        assert not update.buttons()
        assert "Correct" in update.all_text() or "Not quite" in update.all_text()
        assert all(c.params["response_type"] == "ephemeral" for c in rest)
        following = [c for c in rest if c.buttons() and c.blocks[-1]["block_id"].startswith("q:")]
        if not following:
            assert "Quiz finished" in " ".join(c.all_text() for c in rest)
            break
        question = following[0]
    else:
        pytest.fail("the quiz never finished")
    # Nothing was posted to the channel for everyone.
    assert not fake.calls_to("chat.postMessage")


async def test_slash_command_quiz_in_a_dm_posts_and_updates_with_the_web_api(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("quiz", channel="DU1")
    await slack.settle()
    posts = fake.calls_to("chat.postMessage")
    assert [p.channel for p in posts] == ["DU1", "DU1"]
    question = posts[1]
    assert question.params["blocks"][-1]["block_id"].startswith("q:")

    fake.reset()
    await slack.press(question, 1, channel="DU1")
    await slack.settle()
    (update,) = fake.calls_to("chat.update")
    assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
    assert "Question 1 of 5" in update.all_text()
    assert not update.buttons()
    (next_question,) = fake.calls_to("chat.postMessage")
    assert "Question 2 of 5" in next_question.all_text()

    # Pressing the answered question again changes nothing: the engine scores it once.
    fake.reset()
    await slack.press(question, 0, channel="DU1")
    await slack.settle()
    assert "already answered" in " ".join(c.all_text() for c in shown(fake))


# ---- DMs, mentions, App Home -------------------------------------------------------------------


async def test_dm_conversation_goes_to_the_engine_as_text(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    _intro, question = fake.calls_to("chat.postMessage")
    assert question.channel == "DU1"
    assert "Question 1 of 5" in question.all_text()

    fake.reset()
    await slack.dm("2")  # a typed answer
    await slack.settle()
    (update,) = fake.calls_to("chat.update")
    # The typed answer's result replaces the question message (remembered by question id).
    assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
    assert "Question 1 of 5" in update.all_text()
    assert "Question 2 of 5" in fake.calls_to("chat.postMessage")[0].all_text()

    async with orm(db) as session:
        learner = await session.scalar(select(Learner))
        attempts = await session.scalar(select(func.count()).select_from(QuizAttempt))
    assert learner is not None
    assert (learner.platform, learner.workspace, learner.user_id) == ("slack", "T1", "U1")
    assert attempts == 1
    assert "xoxb-T1-secret-token" not in caplog.text


async def test_app_mention_runs_a_command_and_answers_in_its_thread(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.mention("<@UBT1> term concept drift")
    await slack.settle()
    (card,) = fake.calls_to("chat.postMessage")
    assert card.channel == "C1"
    assert card.params["thread_ts"].startswith("1700002")  # the mention's own ts
    header = card.blocks[0]
    assert header["type"] == "header"
    assert header["text"]["text"].lower() == "concept drift"
    assert [b["type"] for b in card.blocks[1:-1]] == ["section"] * (len(card.blocks) - 2)
    assert "Definition" in card.all_text()
    assert card.text  # the plain-text fallback

    # Free text after the mention (not a command) reaches the engine as text in that thread.
    fake.reset()
    await slack.mention("<@UBT1> what is this?")
    await slack.settle()
    (reply,) = fake.calls_to("chat.postMessage")
    assert "help" in reply.all_text().lower()


async def test_app_home_shows_progress_and_starts_a_quiz_in_the_dm(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    await slack.dm("1")
    await slack.settle()

    fake.reset()
    home_event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    await slack.event(home_event)
    await slack.settle()
    (publish,) = fake.calls_to("views.publish")
    assert publish.params["user_id"] == "U1"
    view = publish.params["view"]
    assert view["type"] == "home"
    text = publish.all_text()
    for label in ("Streak", "Due for review", "Mastered", "Recent role-plays", "Quiz answers"):
        assert label in text
    assert "*Quiz answers*\n1 " in text
    assert re.search(r"\*Seen\*\n\d+ of \d+ terms", text)
    assert {b["value"] for b in publish.buttons()} == {"review", "quiz", "roleplay"}

    fake.reset()
    await slack.home_button("quiz")
    await slack.settle()
    assert fake.calls_to("conversations.open")[0].params["users"] == "U1"
    posts = fake.calls_to("chat.postMessage")
    assert posts
    assert {p.channel for p in posts} == {"DU1"}
    assert any("Quiz on" in p.all_text() for p in posts)


# ---- signatures, retries, rate limits, platform errors ----------------------------------------


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


# ---- workspaces and OAuth ---------------------------------------------------------------------


async def test_oauth_callback_stores_an_encrypted_token_removed_on_uninstall(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack = await make_slack(oauth=True)
    workspace = fake.add_workspace("T9", "xoxb-T9-brand-new-token")
    fake.add_oauth_code("code-9", workspace)

    install = await slack.http.get("/slack/install")
    assert install.status_code == 200
    state = re.search(r"state=([\w-]+)", install.text)
    assert state is not None
    assert f"client_id={CLIENT_ID}&amp;scope={','.join(BOT_SCOPES)}&amp;user_scope=" in install.text
    cookie = install.headers["set-cookie"].split(";")[0]

    callback = await slack.http.get(
        f"/slack/oauth_redirect?code=code-9&state={state.group(1)}", headers={"Cookie": cookie}
    )
    assert callback.status_code == 200
    (access,) = fake.calls_to("oauth.v2.access")
    assert access.params["code"] == "code-9"

    async with orm(db) as session:
        row = await session.scalar(select(SlackInstallation))
    assert row is not None and row.team_id == "T9"
    assert b"xoxb-T9-brand-new-token" not in row.bot_token_encrypted
    assert TokenCipher(SECRET_KEY).decrypt(row.bot_token_encrypted) == "xoxb-T9-brand-new-token"

    # The stored token serves T9's requests.
    fake.reset()
    await slack.dm("help", team="T9")
    await slack.settle()
    (post,) = fake.calls_to("chat.postMessage")
    assert post.token == "xoxb-T9-brand-new-token"

    # A reused state is refused.
    replay = await slack.http.get(
        f"/slack/oauth_redirect?code=code-9&state={state.group(1)}", headers={"Cookie": cookie}
    )
    assert replay.status_code != 200

    await slack.event({"type": "app_uninstalled"}, team="T9")
    await slack.settle()
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SlackInstallation)) == 0
    # slack_sdk logs oauth.v2.access's response body at DEBUG: the token in it is redacted.
    assert "<redacted>" in caplog.text
    assert "xoxb-T9-brand-new-token" not in caplog.text


async def test_tokens_revoked_removes_the_installation(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database
) -> None:
    slack = await make_slack(oauth=True)
    assert slack.adapter.installations is not None
    await slack.adapter.installations.async_save(
        Installation(
            team_id="T1", bot_token="xoxb-T1-secret-token", bot_user_id="UBT1", user_id="U1"
        )
    )
    event = {"type": "tokens_revoked", "tokens": {"bot": ["UBT1"]}}
    await slack.event(event)
    await slack.settle()
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SlackInstallation)) == 0
    result = await slack.adapter.send(ConversationRef("slack", "T1", "C1", "U1"), [Reply("x")])
    assert (result.status, result.reason) == ("gone", "not installed")


async def test_two_workspaces_never_see_each_others_learners(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database
) -> None:
    fake.add_workspace("T2", "xoxb-T2-other-token")
    slack = await make_slack(oauth=True)
    store = slack.adapter.installations
    assert store is not None
    for team in ("T1", "T2"):
        token = "xoxb-T1-secret-token" if team == "T1" else "xoxb-T2-other-token"
        await store.async_save(
            Installation(team_id=team, bot_token=token, bot_user_id=f"UB{team}", user_id="U1")
        )

    # The same user id and DM channel id in both workspaces: still two learners.
    await slack.dm("quiz", team="T1")
    await slack.settle()
    await slack.dm("1", team="T1")
    await slack.settle()
    fake.reset()
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, team="T2")
    await slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"}, team="T1")
    await slack.settle()
    views = {c.token: c.all_text() for c in fake.calls_to("views.publish")}
    assert "*Quiz answers*\n1 " in views["xoxb-T1-secret-token"]
    assert "*Quiz answers*\n0" in views["xoxb-T2-other-token"]

    # T2 has no quiz running: a typed "1" there is not an answer to T1's question.
    fake.reset()
    await slack.dm("1", team="T2")
    await slack.settle()
    (reply,) = fake.calls_to("chat.postMessage")
    assert reply.token == "xoxb-T2-other-token"
    assert "Question" not in reply.all_text()

    async with orm(db) as session:
        learners = (await session.scalars(select(Learner).order_by(Learner.workspace))).all()
        attempts = (await session.scalars(select(QuizAttempt))).all()
    assert [(x.workspace, x.user_id) for x in learners] == [("T1", "U1"), ("T2", "U1")]
    assert {a.learner_id for a in attempts} == {learners[0].id}


async def test_oauth_state_store_is_one_time(db: Database) -> None:
    store = SqlOAuthStateStore(db)
    state = await store.async_issue()
    assert await store.async_consume(state) is True
    assert await store.async_consume(state) is False
    assert await store.async_consume("never-issued") is False


def test_token_cipher_accepts_any_secret_and_keeps_tokens_unreadable() -> None:
    for key in (SECRET_KEY, "a passphrase, not a Fernet key"):
        cipher = TokenCipher(key)
        blob = cipher.encrypt("xoxb-123")
        assert b"xoxb" not in blob
        assert cipher.decrypt(blob) == "xoxb-123"
    assert TokenCipher("another key").decrypt(TokenCipher("a key").encrypt("xoxb-1")) is None


# ---- Socket Mode ------------------------------------------------------------------------------


async def test_socket_mode_acks_envelopes_and_replies(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    fake.add_app_token("xapp-1-test-app-token")
    slack = await make_slack(app_token="xapp-1-test-app-token", signing_secret="")
    assert slack.adapter.ready
    assert slack.adapter.routes() == []  # no /slack/events in Socket Mode
    payload = {
        "team_id": "T1",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "u1",
        "command": "/termcoach",
        "text": "term psi",
        "response_url": fake.response_url("socket-cmd"),
        "trigger_id": "socket-trigger-1",
    }
    ack = await fake.push_envelope("slash_commands", payload)
    assert ack["envelope_id"]
    await slack.settle()
    (card,) = fake.calls_to("response_url")
    assert card.blocks[0]["type"] == "header"
    assert "PSI" in card.blocks[0]["text"]["text"]


# ---- configuration, manifest -------------------------------------------------------------------


def test_settings_build_the_adapter_and_bad_combinations_are_refused(
    engine: Any, db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")  # bolt reads it too, and used to warn
    caplog.set_level(logging.WARNING)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr("xoxb-1"),
        slack_signing_secret=SecretStr("sig"),
        slack_api_url="http://127.0.0.1:9/api",
        slack_admins="U1, T2:U5",
    )
    adapter = slack_adapter(settings, engine, db)
    assert isinstance(adapter, SlackAdapter)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
    assert adapter.api_url == "http://127.0.0.1:9/api/"
    assert adapter.app.client.base_url == "http://127.0.0.1:9/api/"
    assert [r.path for r in adapter.routes()] == ["/slack/events"]  # type: ignore[attr-defined]
    assert adapter.admins == {"U1", "T2:U5"}
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackAdapter(engine, db, bot_token="xoxb-1")
    with pytest.raises(SlackConfigError, match="TERMCOACH_SECRET_KEY"):
        SlackAdapter(engine, db, signing_secret="s", client_id="1", client_secret="2")
    oauth = SlackAdapter(
        engine, db, signing_secret="s", client_id="1", client_secret="2", secret_key="k"
    )
    assert {r.path for r in oauth.routes()} == {  # type: ignore[attr-defined]
        "/slack/events",
        "/slack/install",
        "/slack/oauth_redirect",
    }


def test_manifest_asks_for_exactly_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features = manifest["features"]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/termcoach"
    assert command["url"].endswith("/slack/events")
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith("/slack/events")
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert settings["token_rotation_enabled"] is False


# ---- pure translation and rendering -------------------------------------------------------------


def _event(event: dict[str, Any], team: str = "T1") -> dict[str, Any]:
    return {"type": "event_callback", "team_id": team, "event_id": "Ev1", "event": event}


def _im(text: str = "x", **extra: Any) -> dict[str, Any]:
    event = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "ts": "1.1"}
    return _event({**event, "text": text, **extra})


def _mention(text: str, **extra: Any) -> dict[str, Any]:
    event = {"type": "app_mention", "channel": "C1", "user": "U1", "ts": "5.5"}
    return _event({**event, "text": text, **extra})


def _slash(text: str, channel: str = "C1") -> dict[str, Any]:
    name = "directmessage" if channel.startswith("D") else "general"
    return {
        "command": "/termcoach",
        "text": text,
        "team_id": "T1",
        "channel_id": channel,
        "channel_name": name,
        "user_id": "U1",
        "trigger_id": "tr9",
    }


def test_to_inbound_translates_direct_messages_and_ignores_the_rest() -> None:
    dm = to_inbound(_im("a &lt;b&gt; &amp; c"))
    assert isinstance(dm, TextIn)
    assert dm.text == "a <b> & c"
    assert dm.ref == ConversationRef("slack", "T1", "D1", "U1")
    assert dm.message_id == "slack:Ev1"
    in_thread = to_inbound(_im(thread_ts="1.0"))
    assert in_thread is not None and in_thread.ref.thread == "1.0"

    assert to_inbound(_im(bot_id="B1")) is None  # bots, ourselves included
    assert to_inbound(_im(subtype="message_changed")) is None  # edits
    assert to_inbound(_im(channel="C1", channel_type="channel")) is None
    # In a DM a mention also arrives as message.im: answering both would reply twice.
    assert to_inbound(_mention("<@UB1> help", channel="D1")) is None


def test_to_inbound_translates_mentions_commands_and_buttons() -> None:
    mention = to_inbound(_mention("<@UB1>  Quiz drift"), bot_user_id="UB1")
    assert isinstance(mention, CommandIn)
    assert (mention.name, mention.args, mention.ref.thread) == ("quiz", "drift", "5.5")
    assert mention.is_group
    empty = to_inbound(_mention("<@UB1>", thread_ts="5.0"))
    assert isinstance(empty, CommandIn) and empty.name == "help" and empty.ref.thread == "5.0"
    chatter = to_inbound(_mention("<@UB1> we should roll back"))
    assert isinstance(chatter, TextIn) and chatter.text == "we should roll back"

    command = to_inbound(_slash("  term  PSI "), admins={"U2"})
    assert isinstance(command, CommandIn)
    assert (command.name, command.args, command.message_id) == ("term", "PSI", "slack:tr9")
    assert command.is_group and not command.is_admin
    blank = to_inbound(_slash("", channel="D1"))
    assert isinstance(blank, CommandIn) and blank.name == "help"
    assert not blank.is_group and blank.is_admin  # no admin list: anyone may

    container = {"type": "message", "channel_id": "C1", "message_ts": "9.9", "is_ephemeral": True}
    action = {"action_id": "termcoach:choice:2", "block_id": "q:abc|t:7.7", "value": "q:abc:2"}
    press = {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "trigger_id": "tr10",
        "container": container,
        "response_url": "https://hooks.example/1",
        "actions": [action],
    }
    choice = to_inbound(press)
    assert isinstance(choice, ChoiceIn)
    assert (choice.payload, choice.ref.thread) == ("q:abc:2", "7.7")
    assert choice.message_id == "slack:tr10"
    target = target_for(press)
    assert target is not None and target.ephemeral and target.pressed is not None
    assert target.pressed.question_id == "abc" and target.thread_ts == "7.7"


def test_mrkdwn_escapes_content_and_keeps_markup() -> None:
    assert to_mrkdwn("*bold* _it_ `x<y`") == "*bold* _it_ `x&lt;y`"
    assert to_mrkdwn("- one\n- two") == "• one\n• two"
    assert escape_mrkdwn("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape_mrkdwn("feature_store") == "feature_store"
    escaped = escape_mrkdwn("*not bold* _not italic_ ~no~")
    assert not re.search(r"[*_~`]", escaped)
    assert to_mrkdwn(r"2 \* 3 and a\_b") == "2 \u2217 3 and a_b"
    assert escape_mrkdwn("> quote").startswith("\u00ad&gt;")


def test_render_stays_within_block_kit_limits() -> None:
    many = tuple(Choice("option " + "x" * 100 + str(i), f"q:qid:{i}") for i in range(30))
    reply = Reply(
        ("A long paragraph. " * 400 + "\n\n") * 3,
        choices=many,
        title="T" * 300,
        kind="question",
        question_id="qid",
    )
    message = render(reply)
    check_blocks(message["blocks"])
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert message["text"]
    assert message["blocks"][0]["text"]["text"].endswith("…")
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 30
    assert [b["value"] for b in buttons] == [c.payload for c in many]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)
    action_blocks = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [b["block_id"] for b in action_blocks] == ["q:qid", "q:qid|n:1"]

    native = render(
        Reply("", native_quiz=NativeQuiz("Which?", ("a", "b"), 1, question_id="z"), kind="question")
    )
    assert [b["value"] for b in native["blocks"][-1]["elements"]] == ["q:z:0", "q:z:1"]
    error = render(Reply("Boom <x>", kind="error", image=Image(b"png")))
    assert error["blocks"][0]["text"]["text"].startswith(":warning:")
    assert error["text"] == "⚠️ Boom &lt;x&gt;"


def test_home_view_is_valid() -> None:
    view = render_home(HomeProgress(streak_days=3, roleplay_scores=(("incident <review>", 80),)))
    check_blocks(view["blocks"], limit=100)
    assert "incident &lt;review&gt;: 80/100" in json.dumps(view)
    assert "*Streak*\n3 days" in json.dumps(view).replace("\\n", "\n")


def test_classify_error_without_slack() -> None:
    assert classify_error(OSError("reset")).status == "retry"
    assert classify_error(ValueError("x")).status == "failed"


async def test_a_chart_is_uploaded_to_the_dm(make_slack: MakeSlack, fake: FakeSlackServer) -> None:
    slack = await make_slack()
    for text in ("quiz", "1", "cancel"):
        await slack.dm(text)
        await slack.settle()
    fake.reset()
    await slack.dm("stats chart")
    await slack.settle()
    assert fake.calls_to("chat.postMessage")
    (upload,) = fake.calls_to("upload")
    assert upload.params["size"] > 100
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "DU1"
    fake.reset()
    await slack.slash("stats chart")  # in a channel the reply is ephemeral: no file can go along
    await slack.settle()
    assert not fake.calls_to("upload")
    texts = " ".join(c.all_text() for c in fake.calls_to("response_url"))
    assert "Last 30 days" in texts and "only in a direct message" in texts


async def test_two_people_quizzing_in_one_channel_keep_their_own_quiz(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("quiz", user="U1")
    await slack.settle()
    _, question_u1 = fake.calls_to("response_url")
    fake.reset()
    await slack.slash("quiz", user="U2")  # must not interrupt U1's quiz
    await slack.settle()
    assert "stopped" not in " ".join(c.all_text() for c in fake.calls_to("response_url")).lower()
    fake.reset()
    await slack.press(question_u1, 0, user="U1")
    await slack.settle()
    update = fake.calls_to("response_url")[0]
    assert "Correct" in update.all_text() or "Not quite" in update.all_text()


def test_command_references_are_written_as_the_slash_command() -> None:
    commands = {"quiz", "cancel", "help", "daily"}
    assert slack_commands("Missed terms come back. /cancel stops.", commands) == (
        "Missed terms come back. /termcoach cancel stops."
    )
    assert slack_commands("Use `/daily on 09:00` or /quiz drift.", commands) == (
        "Use `/termcoach daily on 09:00` or /termcoach quiz drift."
    )
    # Paths, URLs and unknown names stay as they are.
    for text in ("models:/fraud@champion", "https://x.y/quiz", "a/quiz", "/quizzes", "/metrics"):
        assert slack_commands(text, commands) == text


async def test_replies_in_slack_name_the_slash_command(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    intro = fake.calls_to("chat.postMessage")[0].all_text()
    assert "/termcoach cancel stops" in intro
    assert " /cancel" not in intro


def test_long_options_are_listed_in_full_with_numbered_buttons() -> None:
    long = [f"Option {n}: " + "a definition that goes on and on " * 4 for n in (1, 2, 3)]
    msg = render(
        Reply(
            "What does *PSI* mean?",
            choices=tuple(Choice(t, f"q:x:{i}") for i, t in enumerate(long)),
        )
    )
    sections = " ".join(b["text"]["text"] for b in msg["blocks"] if b["type"] == "section")
    for n, text in enumerate(long, 1):
        assert f"*{n}.* {text.strip()}" in sections  # nothing cut
    [actions] = [b for b in msg["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["1", "2", "3"]
    assert [e["value"] for e in actions["elements"]] == ["q:x:0", "q:x:1", "q:x:2"]
    short = render(Reply("Pick one", choices=(Choice("data drift", "q:y:0"),)))
    [acts] = [b for b in short["blocks"] if b["type"] == "actions"]
    assert acts["elements"][0]["text"]["text"] == "data drift"
