"""What the Telegram adapter needs after a restart is in the database, not in its memory.

Each test runs one adapter, stops it, and starts a fresh one on the same database (a restart, or
another replica: either way nothing of the first one's memory is left), then checks that a vote,
a press, a typed answer or a send still goes where it should.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adapters.telegram import TelegramAdapter
from adapters.telegram.state import LONG_PAYLOAD, POLL, QUESTION
from bot.engine import DialogueEngine
from bot.messages import Choice, Reply
from storage import platform_state
from storage.db import Database
from storage.models import Conversation
from tests.fakes.telegram_server import FakeTelegram
from tests.orm import orm
from tests.telegram_support import (
    DM,
    GROUP,
    attempts,
    buttons,
    eventually,
    first_poll,
    local_dns_only,
    make_adapter,
    question_message,
    ref_for,
    running_adapter,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def record(db: Database, workspace: str, kind: str, key: str) -> dict[str, object] | None:
    """The adapter's record of `kind` under `key`, as another replica would read it."""
    async with db.session() as session:
        return await platform_state.get(
            session, "telegram", workspace, kind, key, datetime.now(UTC)
        )


async def group_version(db: Database) -> int:
    """How many turns the group's conversation has had (its row's version)."""
    async with orm(db) as session:
        key = Conversation.key.like(f"telegram:%:{GROUP}")
        return int((await session.execute(select(Conversation.version).where(key))).scalar_one())


async def sending_only(fake: FakeTelegram, engine: DialogueEngine, db: Database) -> TelegramAdapter:
    """A second adapter that is logged in but not polling: updates are handed to it directly."""
    second = make_adapter(fake, engine, db)
    await second.start_sending()
    return second


async def test_a_poll_vote_after_a_restart_is_scored(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    async with running_adapter(fake, engine, db) as first:
        poll_call = await first_poll(fake, DM, DM)
        [poll_id] = fake.polls
    info = await record(db, first.workspace, POLL, poll_id)
    assert info is not None and info["chat"] == str(DM)
    before = len(await attempts(db))
    [correct] = poll_call.params["correct_option_ids"]

    async with running_adapter(fake, engine, db):
        fake.push(fake.poll_answer_update(poll_id, DM, [correct]))
        assert await eventually(lambda: _scored(db, before + 1))
    rows = await attempts(db)
    assert len(rows) == before + 1
    assert rows[-1].correct


async def _scored(db: Database, count: int) -> bool:
    return len(await attempts(db)) >= count


async def test_a_long_button_payload_survives_a_restart(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    payload = "cmd:term " + "concept drift" + " " * 60
    async with running_adapter(fake, engine, db) as first:
        sent = await first.send(
            ref_for(first, DM), [Reply("pick", choices=(Choice("Card", payload),))]
        )
        assert sent.ok
        [data] = buttons(fake.last_message(DM, with_text="pick"))
        assert data != payload
        assert await record(db, first.workspace, LONG_PAYLOAD, data) == {"payload": payload}

    async with running_adapter(fake, engine, db):
        fake.push(fake.callback_update(fake.last_message(DM, with_text="pick"), data))
        await fake.wait_for("sendMessage", where=lambda c: "concept drift" in c.params["text"])


async def test_a_typed_answer_after_a_restart_still_replaces_its_question(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    async with running_adapter(fake, engine, db) as first:
        fake.push(fake.text_update("/quiz buttons", chat_id=DM))
        question = await question_message(fake, DM, 1)
        qid = buttons(question)[0].split(":")[1]
    where = await record(db, first.workspace, QUESTION, qid)
    assert where == {
        "chat_id": DM,
        "message_id": question["message_id"],
        "html": where and where["html"],
        "is_poll": False,
    }

    async with running_adapter(fake, engine, db) as second:
        fake.push(fake.text_update("1", chat_id=DM))
        edits = await fake.wait_for(
            "editMessageText", where=lambda c: c.params["message_id"] == question["message_id"]
        )
        assert "Question 1 of" in edits[0].params["text"]
        assert "Correct!" in edits[0].params["text"] or "Not quite." in edits[0].params["text"]
        await question_message(fake, DM, 2)
    # Replaced once, the first question has no record left to replace again.
    assert await record(db, second.workspace, QUESTION, qid) is None


async def test_blocked_and_migrated_chats_are_remembered_across_a_restart(
    fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> None:
    blocked = 222
    fake.block_chat(blocked)
    fake.migrate_chat(-2002, -1002002)
    async with running_adapter(fake, engine, db) as first:
        assert (await first.send(ref_for(first, blocked), [Reply("hi")])).status == "blocked"
        moved = await first.send(ref_for(first, -2002, 5), [Reply("hello")])
        assert moved.new_chat == "-1002002"
    tries = len([c for c in fake.calls if c.chat_id in (blocked, -2002)])

    async with running_adapter(fake, engine, db) as second:
        again = await second.send(ref_for(second, blocked), [Reply("daily term")])
        assert again.status == "blocked"
        later = await second.send(ref_for(second, -2002, 5), [Reply("again")])
        assert (later.status, later.new_chat) == ("sent", "-1002002")
    # Neither the blocked chat nor the old group id was tried again.
    assert len([c for c in fake.calls if c.chat_id in (blocked, -2002)]) == tries
    assert fake.sent_texts(-1002002) == ["hello", "again"]
