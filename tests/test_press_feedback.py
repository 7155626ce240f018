"""Every press gets an answer at once, answered questions lose their "press a button" line, and
long button labels sit two to a row: through the real clients against the fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.render import keyboard
from bot.engine import DialogueEngine
from bot.messages import Choice
from storage.db import Database
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegram, PressRefused
from tests.slack_support import MakeSlack, fake_slack_server, slack_factory  # noqa: F401
from tests.telegram_support import DM, buttons, question_message, running_adapter

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
async def tg_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def adapter(
    tg_fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    async with running_adapter(tg_fake, engine, db) as running:
        yield running


async def test_a_quiz_press_gets_a_pop_up_and_the_answered_question_drops_its_instructions(
    tg_fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    tg_fake.push(tg_fake.text_update("/quiz buttons", chat_id=DM))
    question = await question_message(tg_fake, DM, 1)
    assert "Stuck? Type" in question["text"]
    tg_fake.push(tg_fake.callback_update(question, buttons(question)[0]))
    [answer] = await tg_fake.wait_for("answerCallbackQuery")
    pop_up = answer.params.get("text", "")
    assert pop_up == "✅ Correct" or pop_up.startswith("❌ It was ")
    [edit] = await tg_fake.wait_for(
        "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
    )
    edited = edit.params["text"]
    assert "Question 1 of" in edited
    assert "Stuck? Type" not in edited and "Choose an answer" not in edited
    if pop_up.startswith("❌"):
        # "It was 2 — …": the number and the first words, the full option is listed above.
        number = pop_up.removeprefix("❌ It was ").split(" — ", 1)[0]
        assert number.isdigit()
        assert f"Answer:</b> {number} — " in edited


async def test_slack_answered_question_drops_its_instructions(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    [question] = [c for c in fake.calls_to("chat.postMessage") if "Question 1 of" in c.all_text()]
    assert any(b.get("block_id") == "how" for b in question.blocks)
    fake.reset()
    await slack.press(question, 0, channel="DU1")
    await slack.settle()
    [update] = fake.calls_to("chat.update")
    assert "Question 1 of" in update.all_text()
    assert "Correct!" in update.all_text() or "Not quite." in update.all_text()
    assert not any(b.get("block_id") == "how" for b in update.blocks)
    assert "Stuck?" not in update.all_text()


def test_long_labels_sit_two_to_a_row_short_ones_three() -> None:
    short = keyboard([Choice(f"Opt {n}", f"p{n}") for n in range(5)])
    assert short is not None
    assert [len(row) for row in short.inline_keyboard] == [3, 2]
    medium = keyboard([Choice(f"Medium label no. {n}", f"p{n}") for n in range(3)])
    assert medium is not None
    assert [len(row) for row in medium.inline_keyboard] == [2, 1]
    long = keyboard([Choice("A label far too long for half a phone", "p")] * 2)
    assert long is not None
    assert [len(row) for row in long.inline_keyboard] == [1, 1]


async def test_only_the_latest_finish_button_ends_a_role_play(
    tg_fake: FakeTelegram, adapter: TelegramAdapter
) -> None:
    tg_fake.push(tg_fake.text_update("/roleplay drift-pm", chat_id=DM))
    await tg_fake.wait_for(
        "sendMessage", where=lambda c: "Priya" in c.params["text"] and "reply_markup" in c.params
    )
    first = tg_fake.messages[(DM, max(k[1] for k in tg_fake.messages if k[0] == DM))]
    first_buttons = buttons(first)
    tg_fake.push(
        tg_fake.text_update(
            "Drift means the world has changed since the model learned from its data.", chat_id=DM
        )
    )
    await tg_fake.wait_for(
        "sendMessage", where=lambda c: "more messages at most" in c.params["text"]
    )
    latest = tg_fake.last_message(DM, with_text="more messages at most")
    assert first_buttons != buttons(latest)
    # The older Finish is removed: only the one under the latest message is left to press.
    await tg_fake.wait_for(
        "editMessageReplyMarkup", where=lambda c: c.params["message_id"] == first["message_id"]
    )
    assert tg_fake.current_buttons(DM, first["message_id"]) == []
    with pytest.raises(PressRefused):
        tg_fake.callback_update(first, first_buttons[0])
    assert tg_fake.current_buttons(DM, latest["message_id"]) == ["Finish and get feedback"]
    latest_buttons = buttons(latest)
    tg_fake.push(tg_fake.callback_update(latest, latest_buttons[0]))
    await tg_fake.wait_for("sendMessage", where=lambda c: "Score:" in c.params["text"])
    assert tg_fake.current_buttons(DM, latest["message_id"]) == []
