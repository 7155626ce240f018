"""Issue 16: a new learner's first three messages through the real adapters.

The Telegram and Slack adapters run against their fake servers (as in their own tests); the
learner sends /start and presses the first button twice. Run with ``-s`` to print what they see.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.console import ConsoleAdapter
from bot.engine import DialogueEngine
from storage.db import Database
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegram
from tests.slack_support import MakeSlack, fake_slack_server, shown, slack_factory  # noqa: F401
from tests.telegram_support import DM, buttons, local_dns_only, running_adapter

FIRST = "What are you preparing for?"
SECOND = "When is your meeting with a product manager?"
THIRD = "How is your English at work?"


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_console_new_learner_first_three_messages(engine: DialogueEngine) -> None:
    stdout = io.StringIO()
    adapter = ConsoleAdapter(
        engine, user="new", stdin=io.StringIO("/start\n1\n2\n"), stdout=stdout, interactive=False
    )
    await adapter.run()
    messages = [m for m in stdout.getvalue().split("\n\n") if m.strip()]
    print("\n--- console ---\n" + "\n\n".join(messages))
    text = stdout.getvalue()
    assert FIRST in text and SECOND in text and THIRD in text
    assert "1. A meeting with a PM" in text and "2. Tomorrow" in text


async def test_telegram_new_learner_first_three_messages(
    telegram: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    seen: list[str] = []

    def keep(message: dict[str, Any]) -> list[str]:
        # Read at once: a press edits the message and takes its buttons away.
        rows = message["reply_markup"]["inline_keyboard"]
        seen.append(message["text"] + "\n" + "\n".join(f"[{b['text']}]" for r in rows for b in r))
        return buttons(message)

    async with running_adapter(telegram, engine, db):
        telegram.push(telegram.text_update("/start", chat_id=DM, first_name="Lucas"))
        await telegram.wait_for("sendMessage", 1)
        first = telegram.last_message(DM, with_text=FIRST)
        first_buttons = keep(first)
        telegram.push(telegram.callback_update(first, first_buttons[0]))
        await telegram.wait_for("sendMessage", where=lambda c: SECOND in c.params["text"])
        second = telegram.last_message(DM, with_text=SECOND)
        telegram.push(telegram.callback_update(second, keep(second)[1]))
        await telegram.wait_for("sendMessage", where=lambda c: THIRD in c.params["text"])
        third_buttons = keep(telegram.last_message(DM, with_text=THIRD))
    print("\n--- telegram ---\n" + "\n\n".join(seen))
    assert "Hello, Lucas! Welcome to termcoach" in seen[0]
    assert first_buttons[0] == "start:goal:pm"
    assert third_buttons[0].startswith("start:level:pm:")


async def test_slack_new_learner_first_three_messages(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("start")
    await slack.settle()
    first = next(c for c in shown(fake) if FIRST in c.all_text())
    # Six goals: on Slack a select menu, not a cloud of buttons.
    (goals,) = first.selects()
    await slack.select(first, goals["options"][0]["value"], channel="DU1")
    await slack.settle()
    second = next(c for c in shown(fake) if SECOND in c.all_text())
    await slack.press(second, 1)
    await slack.settle()
    third = next(c for c in shown(fake) if THIRD in c.all_text())
    texts = [c.all_text() for c in (first, second, third)]
    print("\n--- slack ---\n" + "\n\n".join(texts))
    assert "Welcome to termcoach" in texts[0]
    assert third.button_values()[0].startswith("start:level:pm:")
