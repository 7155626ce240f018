"""Who may change a channel's daily term on Slack: TERMCOACH_SLACK_ADMINS, end to end.

The adapter is built from the settings by the composition root (`termcoach.runtime.slack_adapter`)
and driven with signed requests through real bolt against the fake Web API, so the whole path is
covered: the setting's parsing, the adapter's admin policy on each kind of request, and the
engine's ``daily`` command reading only ``Inbound.is_admin``. A workspace-qualified admin
(``T01:U123``, as deploy/SLACK.md documents it) used to be refused ``daily on`` in a channel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.slack import SlackAdapter
from bot.engine import DialogueEngine
from storage import subscriptions
from storage.db import Database
from storage.subscriptions import SubscriptionRow
from termcoach.runtime import slack_adapter
from termcoach.settings import Settings
from tests.fakes.slack_server import FakeSlackServer
from tests.slack_support import (  # noqa: F401
    SECRET,
    MakeSlack,
    Slack,
    fake_slack_server,
    shown,
    slack_factory,
)

TEAM = "T01"
TOKEN = "xoxb-T01-admin-test"
REFUSED = "only an administrator can change the daily term"
TURNED_ON = "daily term is on"


@pytest.fixture
async def slack(
    fake: FakeSlackServer, engine: DialogueEngine, db: Database
) -> AsyncIterator[Slack]:
    """Workspace T01's adapter, built from settings naming one admin as ``T01:U123``."""
    fake.add_workspace(TEAM, TOKEN, bot_user_id="UB01")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr(TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.api_url,
        slack_admins="U777, T01:U123",
    )
    adapter = slack_adapter(settings, engine, db)
    assert isinstance(adapter, SlackAdapter)
    await adapter.start()
    assert adapter.ready
    driver = Slack(adapter, fake)
    yield driver
    await driver.close()
    assert fake.problems == []


async def subscription(db: Database, channel: str) -> SubscriptionRow | None:
    async with db.session() as session:
        return await subscriptions.get_subscription(session, "slack", TEAM, channel)


def said(fake: FakeSlackServer) -> str:
    return "\n".join(c.all_text() for c in shown(fake))


async def test_a_workspace_qualified_admin_turns_the_daily_term_on_in_a_channel(
    slack: Slack, fake: FakeSlackServer, db: Database
) -> None:
    # Someone not in the list is refused, and nothing is subscribed.
    await slack.slash("daily on 09:00 UTC", team=TEAM, channel="C1", user="U5")
    await slack.settle()
    assert REFUSED in said(fake)
    assert await subscription(db, "C1") is None

    # The admin named as T01:U123 may.
    fake.reset()
    await slack.slash("daily on 09:00 UTC", team=TEAM, channel="C1", user="U123")
    await slack.settle()
    assert TURNED_ON in said(fake), said(fake)
    sub = await subscription(db, "C1")
    assert sub is not None and sub.active and sub.is_group

    # A mention in a channel goes through the same policy.
    fake.reset()
    await slack.mention("<@UB01> daily off", team=TEAM, channel="C1", user="U5")
    await slack.settle()
    assert REFUSED in said(fake)
    sub = await subscription(db, "C1")
    assert sub is not None and sub.active
    fake.reset()
    await slack.mention("<@UB01> daily off", team=TEAM, channel="C1", user="U123")
    await slack.settle()
    assert REFUSED not in said(fake)
    sub = await subscription(db, "C1")
    assert sub is not None and not sub.active


async def test_the_same_user_id_in_another_workspace_is_not_an_admin(
    slack: Slack, fake: FakeSlackServer, db: Database
) -> None:
    await slack.slash("daily on 09:00 UTC", team="T02", channel="C2", user="U123")
    await slack.settle()
    assert REFUSED in said(fake)
    async with db.session() as session:
        assert await subscriptions.get_subscription(session, "slack", "T02", "C2") is None
    # A plain id in the list is an admin in every workspace.
    fake.reset()
    await slack.slash("daily on 09:00 UTC", team=TEAM, channel="C3", user="U777")
    await slack.settle()
    assert TURNED_ON in said(fake)


async def test_without_admins_anyone_in_a_channel_may_turn_the_daily_term_on(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database
) -> None:
    slack = await make_slack()  # TERMCOACH_SLACK_ADMINS empty
    await slack.slash("daily on 09:00 UTC", channel="C4", user="U5")
    await slack.settle()
    assert TURNED_ON in said(fake)
    async with db.session() as session:
        sub = await subscriptions.get_subscription(session, "slack", "T1", "C4")
    assert sub is not None and sub.active
