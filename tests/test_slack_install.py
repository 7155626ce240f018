"""Installing and configuring the Slack adapter: OAuth, workspaces, Socket Mode, settings, manifest.

bolt's AsyncApp and slack_sdk's clients run against the local fake Web API (which also answers
``oauth.v2.access`` and serves a Socket Mode WebSocket); tokens are stored encrypted in the test
database.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import func, select

from adapters.slack import BOT_SCOPES, SlackAdapter, SlackConfigError
from adapters.slack.oauth import SqlOAuthStateStore, TokenCipher
from bot.messages import ConversationRef, Reply
from storage.db import Database
from storage.models import Learner, QuizAttempt, SlackInstallation
from termcoach.runtime import slack_adapter
from termcoach.settings import Settings
from tests.fakes.slack_server import FakeSlackServer
from tests.orm import orm
from tests.slack_support import (  # noqa: F401
    CLIENT_ID,
    SECRET_KEY,
    MakeSlack,
    fake_slack_server,
    slack_factory,
)

pytestmark = pytest.mark.filterwarnings(
    # slack_sdk's oauth.v2.access call uses aiohttp's BasicAuth; not ours to change.
    "ignore:BasicAuth is deprecated:DeprecationWarning"
)
MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "slack-manifest.yaml"


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
    assert "Welcome to termcoach" in views["xoxb-T2-other-token"]  # a newcomer there

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
