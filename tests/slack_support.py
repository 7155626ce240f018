"""Driving the Slack adapter for real in tests: Slack's side of the conversation, and fixtures.

`Slack` plays Slack's part: it posts signed requests (built by `tests.fakes.slack_payloads`) to the
adapter's Starlette routes and presses buttons on messages the fake Web API recorded. The engine is
the real one on the test database; every outbound call lands on `FakeSlackServer`.

The fixtures are registered under the names the tests use (``fake``, ``make_slack``); a test module
imports them from here.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from adapters.slack import SlackAdapter
from storage.db import Database
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_server import FakeSlackServer, SlackCall

SECRET = "test-signing-secret"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
SECRET_KEY = Fernet.generate_key().decode()
TOKEN = "xoxb-T1-secret-token"

_ids = itertools.count(1)


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
        headers = payloads.signed_headers(
            body, secret, content_type=content_type, timestamp=timestamp, retry=retry
        )
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def slash(
        self, text: str, *, team: str = "T1", channel: str = "C1", user: str = "U1", **post: Any
    ) -> httpx.Response:
        n = next(_ids)
        body = payloads.slash_command(
            text,
            team=team,
            channel=channel,
            user=user,
            response_url=self.fake.response_url(f"cmd{n}"),
            trigger_id=f"trigger-{n}",
        )
        return await self.post(body, payloads.FORM, **post)

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
        n = next(_ids)
        body = payloads.press(
            call,
            which,
            team=team,
            channel=channel,
            user=user,
            response_url=self.fake.response_url(f"act{n}"),
            trigger_id=f"trigger-{n}",
            message_ts=f"1700009{n:03d}.000200",
            action_ts=f"1700009{n:03d}.000300",
        )
        return await self.post(body, payloads.FORM, **post)

    async def select(
        self,
        call: SlackCall,
        value: str,
        *,
        team: str = "T1",
        channel: str = "C1",
        user: str = "U1",
    ) -> httpx.Response:
        """Choose an option of a recorded message's select menu, as Slack sends it."""
        n = next(_ids)
        payload = payloads.select_payload(
            call,
            value,
            team=team,
            channel=channel,
            user=user,
            response_url=self.fake.response_url(f"sel{n}"),
            trigger_id=f"trigger-{n}",
            message_ts=f"1700009{n:03d}.000200",
        )
        return await self.post(payloads.actions_body(payload), payloads.FORM)

    async def home_button(self, name: str, *, team: str = "T1", user: str = "U1") -> httpx.Response:
        n = next(_ids)
        body = payloads.home_button(name, team=team, user=user, trigger_id=f"trigger-{n}")
        return await self.post(body, payloads.FORM)

    async def event(
        self, event: dict[str, Any], *, team: str = "T1", event_id: str | None = None, **post: Any
    ) -> httpx.Response:
        body = payloads.event_body(event, team=team, event_id=event_id or f"Ev{next(_ids):08d}")
        return await self.post(body, payloads.JSON, **post)

    async def dm(
        self, text: str, *, team: str = "T1", user: str = "U1", **kw: Any
    ) -> httpx.Response:
        ts = f"1700001{next(_ids):03d}.000100"
        return await self.event(payloads.dm_event(text, user=user, ts=ts), team=team, **kw)

    async def mention(
        self, text: str, *, team: str = "T1", user: str = "U1", channel: str = "C1", **kw: Any
    ) -> httpx.Response:
        ts = f"1700002{next(_ids):03d}.000100"
        event = payloads.mention_event(text, user=user, channel=channel, ts=ts)
        return await self.event(event, team=team, **kw)


MakeSlack = Callable[..., Awaitable[Slack]]


@pytest.fixture(name="fake")
async def fake_slack_server() -> AsyncIterator[FakeSlackServer]:
    """The fake Slack Web API, with workspace T1 registered."""
    async with FakeSlackServer() as server:
        server.add_workspace("T1", TOKEN)
        yield server


@pytest.fixture(name="make_slack")
async def slack_factory(
    engine: Any, db: Database, fake: FakeSlackServer
) -> AsyncIterator[MakeSlack]:
    """Build and start adapters against the fake; all are stopped at the end of the test."""
    made: list[Slack] = []

    async def make(**kwargs: Any) -> Slack:
        kwargs.setdefault("signing_secret", SECRET)
        kwargs.setdefault("api_url", fake.api_url)
        if kwargs.pop("oauth", False):
            kwargs.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, secret_key=SECRET_KEY)
        else:
            kwargs.setdefault("bot_token", TOKEN)
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
