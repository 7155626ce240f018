"""Slack fixtures several test modules use: the fake Web API with workspace T1, and its adapter.

Loaded for every test module by `pytest_plugins` in `tests/conftest.py`; a module that needs a
different adapter defines its own `slack` fixture, which wins.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.slack import SlackAdapter
from bot.engine import DialogueEngine
from storage.db import Database
from tests.fakes.slack_server import FakeSlackServer
from tests.slack_support import SECRET, Slack

TEAM_TOKEN = "xoxb-T1-secret-token"


@pytest.fixture
async def slack_fake() -> AsyncIterator[FakeSlackServer]:
    """The fake Slack Web API, knowing workspace T1."""
    async with FakeSlackServer() as server:
        server.add_workspace("T1", TEAM_TOKEN)
        yield server


@pytest.fixture
async def slack(
    slack_fake: FakeSlackServer, engine: DialogueEngine, db: Database
) -> AsyncIterator[Slack]:
    """Workspace T1's adapter, started, driven through its HTTP endpoints."""
    adapter = SlackAdapter(
        engine, db, signing_secret=SECRET, api_url=slack_fake.api_url, bot_token=TEAM_TOKEN
    )
    await adapter.start()
    client = Slack(adapter, slack_fake)
    yield client
    await client.close()
