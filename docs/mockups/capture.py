"""Capture what termcoach sends in its main flows, through the real Slack and Telegram adapters.

Each flow starts a fresh SQLite database, the real engine and the real adapter (slack-bolt, or
python-telegram-bot in webhook mode behind uvicorn) against the fake platform servers of
`tests/fakes/`, plays the people in the chat (commands, messages, button presses, poll votes) and
writes one JSON file per flow and platform: the people's actions and every payload the bot sent,
in order. `render.py` turns the files into pictures of each client.

The flows press the buttons the bot really sent, found by label or by payload prefix, and look
up which quiz option is right in the conversation's stored state, so small changes of wording or
layout do not break them. Run it from the repository root::

    .venv/bin/python docs/mockups/capture.py --out /tmp/mockups [--only slack-daily ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import re
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    # The fakes live in tests/, which is not an installed package: run from a checkout.
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from adapters.slack import SlackAdapter  # noqa: E402
from adapters.telegram import TelegramAdapter  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.engine import DialogueEngine  # noqa: E402
from bot.features import build_engine  # noqa: E402
from content.index import PackIndex  # noqa: E402
from content.loader import load_default_pack  # noqa: E402
from storage.db import Database  # noqa: E402
from termcoach.settings import Settings  # noqa: E402
from tests.daily_support import make_service  # noqa: E402
from tests.fakes.slack_server import FakeSlackServer, SlackCall  # noqa: E402
from tests.fakes.telegram_methods import ApiError  # noqa: E402
from tests.fakes.telegram_server import Call, Failure, FakeTelegram  # noqa: E402
from tests.slack_support import SECRET, TOKEN, Slack  # noqa: E402
from tests.telegram_support import webhook_adapter  # noqa: E402

log = logging.getLogger("mockups")

# What the people in the flows are called (Slack user ids and Telegram user ids).
SLACK_PEOPLE = {"UANN": "Ann", "UBOB": "Bob", "UCAT": "Cat"}
TG_PEOPLE = {501: "Ann", 502: "Bob", 503: "Cat"}
ANN, BOB, CAT = 501, 502, 503
TG_GROUP = -100500
TG_GROUP_TITLE = "ML platform team"
SLACK_CHANNEL = "C0PLATFORM"
SLACK_CHANNEL_NAME = "ml-platform"

# The payloads a user sees, per platform (the rest, like getUpdates or auth.test, is plumbing).
SLACK_SHOWN = (
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "chat.delete",
    "views.publish",
    "response_url",
    "files.completeUploadExternal",
)
TG_SHOWN = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "sendPoll",
    "stopPoll",
    "sendPhoto",
    "answerCallbackQuery",
    "deleteMessage",
)

# A role-play answer at about CEFR B1, with a few typical mistakes (agreement, "his" for a thing,
# a missing article, "behave different").
ROLEPLAY_ANSWERS = (
    "Data drift mean that the input data is changing, for example we have more young customers "
    "now than before. Our model learned on old data, so his predictions become worse. We check "
    "it every week.",
    "Concept drift is when the relation between the inputs and the result change. The same "
    "customer can behave different now, so model make wrong predictions even if data look same.",
)
ROLEPLAY_SCENARIO = "drift-pm"

# A question option's payload: ``<prefix>:<question id>:<option index>``.
OPTION_PAYLOAD = re.compile(r"^[a-z]+:([a-z2-7]{12}):(\d+)$")


# -- the recording ------------------------------------------------------------------------------


@dataclass
class Transcript:
    """One flow on one platform: the people's actions and the bot's payloads, in order."""

    platform: str
    flow: str
    title: str
    people: dict[str, str]
    chats: dict[str, str]
    events: list[dict[str, Any]] = field(default_factory=list)

    def act(self, **event: Any) -> int:
        """Record something a person did; returns its index in the transcript."""
        self.events.append({"kind": "user", **event})
        return len(self.events) - 1

    def sent(self, method: str, params: dict[str, Any], **extra: Any) -> int:
        """Record a payload the bot sent; returns its index in the transcript."""
        clean = {k: v for k, v in params.items() if not k.startswith("_")}
        self.events.append({"kind": "bot", "method": method, "params": clean, **extra})
        return len(self.events) - 1

    def write(self, out: Path) -> Path:
        """Write the transcript as ``<platform>-<flow>.json`` in `out`."""
        path = out / f"{self.platform}-{self.flow}.json"
        data = {
            "platform": self.platform,
            "flow": self.flow,
            "title": self.title,
            "people": self.people,
            "chats": self.chats,
            "events": self.events,
        }
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n")
        return path


# -- the house: database, engine, clock ---------------------------------------------------------


@cache
def _pack() -> PackIndex:
    return PackIndex(load_default_pack())


@dataclass
class House:
    """A fresh termcoach: database, engine and a clock at Monday 09:00 UTC."""

    db: Database
    engine: DialogueEngine
    clock: FakeClock
    strict_dm: bool = False


@asynccontextmanager
async def house(template: Path, strict_dm: bool = False) -> AsyncIterator[House]:
    """A copy of the migrated template database and the real engine on it (no LLM)."""
    with tempfile.TemporaryDirectory(prefix="mockups-") as tmp:
        path = Path(tmp) / "termcoach.db"
        shutil.copy(template, path)
        db = Database(f"sqlite+aiosqlite:///{path}")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=None,
            slack_bot_token=None,
            slack_app_token=None,
            llm_base_url=None,
        )
        clock = FakeClock()
        engine = build_engine(
            db=db, pack=_pack(), clock=clock, rng=random.Random(7), config=settings.engine_config
        )
        try:
            yield House(db, engine, clock, strict_dm)
        finally:
            await db.dispose()


async def migrated_template(folder: Path) -> Path:
    """Migrate one database with Alembic; every flow starts from a copy of it."""
    path = folder / "template.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    await db.dispose()
    return path


def _find_current(node: Any) -> dict[str, Any] | None:
    """The open question in a conversation's state (under a ``current`` key), if any."""
    if isinstance(node, dict):
        current = node.get("current")
        if isinstance(current, dict) and "id" in current and "answer_index" in current:
            return current
        for value in node.values():
            found = _find_current(value)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find_current(item)
            if found is not None:
                return found
    return None


async def open_question(db: Database, chats: Iterable[str]) -> dict[str, Any] | None:
    """The newest open quiz question in any conversation of `chats`, from the stored state.

    Only to decide which option a person presses for a right or a wrong answer.
    """
    wanted = set(chats)
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT chat, state FROM conversations ORDER BY updated_at"))
        ).all()
    found = None
    for chat, state in rows:
        if chat not in wanted:
            continue
        data = json.loads(state) if isinstance(state, str) else state
        found = _find_current(data) or found
    return found


def pick_option(question: dict[str, Any], right: bool) -> int:
    """The index of the right option, or of a wrong one."""
    answer = int(question["answer_index"])
    if right:
        return answer
    return next(i for i in range(len(question["options"])) if i != answer)


def wrong_text(question: dict[str, Any]) -> str:
    """A plausible wrong typed answer (another term's name)."""
    names = [t.term for t in _pack().terms.values() if t.id != question.get("term_id")]
    return names[0] if names else "no idea"


async def until_quiet(count: Callable[[], int], quiet_s: float = 0.15, max_s: float = 5.0) -> None:
    """Wait until `count()` (recorded calls) stops growing for `quiet_s`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_s
    last = count()
    while loop.time() < deadline:
        await asyncio.sleep(quiet_s)
        now = count()
        if now == last:
            return
        last = now


# -- Slack --------------------------------------------------------------------------------------


class RecordingSlackServer(FakeSlackServer):
    """The fake Slack Web API; it remembers the last response URL it handed out."""

    last_key = ""

    def response_url(self, key: str) -> str:
        """A response URL (recorded) for a slash command or a press."""
        self.last_key = key
        return super().response_url(key)


class SlackPeople:
    """People in one Slack workspace, acting through signed requests to the real adapter."""

    def __init__(self, slack: Slack, fake: RecordingSlackServer, tr: Transcript) -> None:
        self.slack = slack
        self.fake = fake
        self.tr = tr
        self._flushed = 0
        self._index: dict[int, int] = {}  # id(SlackCall) -> transcript index

    def flush(self) -> None:
        """Move the calls the fake recorded since the last flush into the transcript."""
        for call in self.fake.calls[self._flushed :]:
            if call.method not in SLACK_SHOWN:
                continue
            extra: dict[str, Any] = {}
            if call.method == "response_url":
                extra["key"] = call.path.rsplit("/", 1)[-1]
            if call.response is not None:
                extra["response"] = call.response
            self._index[id(call)] = self.tr.sent(call.method, call.params, **extra)
        self._flushed = len(self.fake.calls)

    async def settle(self) -> None:
        """Wait for every turn and its replies, then record what was sent."""
        await self.slack.settle()
        await until_quiet(lambda: len(self.fake.calls))
        await self.slack.settle()
        self.flush()

    async def slash(self, user: str, text_: str, channel: str = SLACK_CHANNEL) -> None:
        """`user` runs ``/termcoach <text>`` in `channel`."""
        self.flush()
        await self.slack.slash(text_, channel=channel, user=user)
        self.tr.act(action="slash", user=user, chat=channel, text=text_, key=self.fake.last_key)
        await self.settle()

    async def dm(self, user: str, text_: str) -> None:
        """`user` writes `text_` in their DM with the bot."""
        self.flush()
        self.tr.act(action="text", user=user, chat="D" + user, text=text_)
        await self.slack.dm(text_, user=user)
        await self.settle()

    def find(
        self, *, label: str | None = None, prefix: str | None = None, where: str | None = None
    ) -> tuple[SlackCall, int] | None:
        """The newest message with a button whose label or value matches, and the button's index.

        `label` matches case-insensitively at the start of the button's text; `prefix` at the
        start of its value; `where` is a substring the value must contain.
        """
        for call in reversed(self.fake.calls_to(*SLACK_SHOWN)):
            elements = [e for b in call.blocks if b.get("type") == "actions" for e in b["elements"]]
            for i, element in enumerate(elements):
                if element.get("type") != "button":
                    continue
                name = str(element.get("text", {}).get("text", ""))
                value = str(element.get("value", ""))
                if label is not None and not name.lower().startswith(label.lower()):
                    continue
                if prefix is not None and not value.startswith(prefix):
                    continue
                if where is not None and where not in value:
                    continue
                return call, i
        return None

    async def press(
        self,
        user: str,
        found: tuple[SlackCall, int] | None,
        channel: str = SLACK_CHANNEL,
        wanted: str = "",
    ) -> bool:
        """`user` presses the button `found` (from `find`); False when there was none.

        When there was none, the transcript says so (the image shows the missing button).
        """
        if found is None:
            log.warning("slack: no button %r to press", wanted)
            if wanted:
                text_ = f"{self.tr.people.get(user, user)} looks for “{wanted}”: no such button"
                self.tr.act(action="note", chat=channel, text=text_)
            return False
        self.flush()
        call, i = found
        elements = [e for b in call.blocks if b.get("type") == "actions" for e in b["elements"]]
        element = elements[i]
        where = (
            call.response.get("channel")
            if call.method == "chat.postMessage" and call.response
            else None
        )
        chat = str(where or call.channel or channel)
        await self.slack.press(call, i, channel=chat, user=user)
        self.tr.act(
            action="press",
            user=user,
            chat=chat,
            label=element["text"]["text"],
            payload=element.get("value", ""),
            target=self._index.get(id(call)),
            key=self.fake.last_key,
        )
        await self.settle()
        return True

    async def open_home(self, user: str) -> None:
        """`user` opens the bot's App Home tab."""
        self.flush()
        self.tr.act(action="open_home", user=user, chat="home:" + user)
        event = {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}
        await self.slack.event(event)
        await self.settle()

    async def answer(self, user: str, chats: Sequence[str], right: bool) -> bool:
        """`user` answers the open question in `chats`, rightly or not; False when none is open."""
        question = await open_question(self.slack.adapter.db, chats)
        if question is None:
            return False
        if question.get("typed") or not question.get("options"):
            reply = question.get("answer_text") or "" if right else wrong_text(question)
            await self.dm(user, str(reply))
            return True
        option = pick_option(question, right)
        found = self.find(where=f":{question['id']}:{option}") or self.find(
            label=str(question["options"][option])
        )
        return await self.press(user, found)


@asynccontextmanager
async def slack_people(
    home: House, tr: Transcript, stack: AsyncExitStack
) -> AsyncIterator[SlackPeople]:
    """The real Slack adapter against a fake Web API, and the people acting on it."""
    fake = await stack.enter_async_context(RecordingSlackServer())
    fake.add_workspace("T1", TOKEN)
    adapter = SlackAdapter(
        home.engine, home.db, signing_secret=SECRET, api_url=fake.api_url, bot_token=TOKEN
    )
    await adapter.start()
    slack = Slack(adapter, fake)
    try:
        yield SlackPeople(slack, fake, tr)
    finally:
        await slack.close()
        if fake.problems:
            log.warning("slack refused or flagged: %s", fake.problems)


# -- Telegram -----------------------------------------------------------------------------------


class RecordingTelegram(FakeTelegram):
    """The fake Bot API; it names the people and remembers the message each send created.

    With `strict_dm` it refuses, as Telegram does, to write first to someone who never wrote
    to the bot in private ("bot can't initiate conversation with a user").
    """

    def __init__(self, strict_dm: bool = False) -> None:
        super().__init__(username="termcoach_bot")
        self.results: dict[int, dict[str, Any]] = {}  # id(params) -> the sent message
        self.strict_dm = strict_dm
        self.started: set[int] = set()

    def _check_private(self, params: dict[str, Any]) -> None:
        chat = int(params.get("chat_id") or 0)
        if self.strict_dm and chat > 0 and chat not in self.started:
            raise ApiError(Failure(403, "Forbidden: bot can't initiate conversation with a user"))

    def user(self, user_id: int, *, first_name: str | None = None) -> dict[str, Any]:
        """A Telegram user, named after the flow's people."""
        return super().user(user_id, first_name=first_name or TG_PEOPLE.get(user_id))

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._check_private(params)
        message = super()._m_sendMessage(params)
        self.results[id(params)] = dict(message)
        return message

    def _m_sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._check_private(params)
        message = super()._m_sendPoll(params)
        self.results[id(params)] = dict(message)
        return message

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._check_private(params)
        message = super()._m_sendPhoto(params)
        self.results[id(params)] = dict(message)
        return message


class TelegramPeople:
    """People on Telegram, sending updates to the real adapter through its webhook."""

    def __init__(
        self, adapter: TelegramAdapter, home: House, fake: RecordingTelegram, tr: Transcript
    ) -> None:
        self.adapter = adapter
        self.db = home.db
        self.engine = home.engine
        self.fake = fake
        self.tr = tr
        self._flushed = 0
        self.voted: set[str] = set()

    def flush(self) -> None:
        """Move the calls the fake recorded since the last flush into the transcript."""
        for call in self.fake.calls[self._flushed :]:
            if call.method not in TG_SHOWN or call.status != 200:
                continue
            extra: dict[str, Any] = {}
            result = self.fake.results.get(id(call.params))
            if result is not None:
                extra["result"] = {"message_id": result["message_id"], "poll": result.get("poll")}
            self.tr.sent(call.method, call.params, **extra)
        self._flushed = len(self.fake.calls)

    async def settle(self) -> None:
        """Wait until the webhook answered, the outbox sent everything, and record it."""
        await self.fake.settled()
        await self.engine.outbox.idle(10, platform="telegram")
        await until_quiet(lambda: len(self.fake.calls))
        self.flush()

    async def say(self, user: int, text_: str, chat: int | None = None) -> None:
        """`user` writes `text_` (a command when it starts with ``/``) in `chat` (their DM)."""
        chat_id = chat if chat is not None else user
        self.flush()
        self.tr.act(action="text", user=str(user), chat=str(chat_id), text=text_)
        if chat_id > 0:
            self.fake.started.add(chat_id)
        self.fake.push(self.fake.text_update(text_, chat_id=chat_id, user_id=user))
        await self.settle()

    def find(
        self,
        chat: int,
        *,
        label: str | None = None,
        prefix: str | None = None,
        where: str | None = None,
    ) -> tuple[dict[str, Any], str, str] | None:
        """The newest message in `chat` with a matching button: (message, label, data).

        `label` matches case-insensitively at the start of the button's text, `prefix` at the
        start of its callback data; `where` is a substring the data must contain.
        """
        messages = [m for (cid, _), m in self.fake.messages.items() if cid == chat]
        for message in sorted(messages, key=lambda m: m["message_id"], reverse=True):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in (b for row in rows for b in row):
                name, data = str(button.get("text", "")), str(button.get("callback_data", ""))
                if not data:
                    continue
                if label is not None and not name.lower().startswith(label.lower()):
                    continue
                if prefix is not None and not data.startswith(prefix):
                    continue
                if where is not None and where not in data:
                    continue
                return message, name, data
        return None

    async def press(
        self,
        user: int,
        found: tuple[dict[str, Any], str, str] | None,
        chat: int | None = None,
        wanted: str = "",
    ) -> bool:
        """`user` presses the button `found` (from `find`); False when there was none.

        When there was none, the transcript says so (in `chat`, the image shows it).
        """
        if found is None:
            log.warning("telegram: no button %r to press", wanted)
            if wanted and chat is not None:
                text_ = f"{TG_PEOPLE.get(user, user)} looks for “{wanted}”: no such button"
                self.tr.act(action="note", chat=str(chat), text=text_)
            return False
        message, label, data = found
        self.flush()
        update = self.fake.callback_update(message, data, user_id=user)
        self.tr.act(
            action="press",
            user=str(user),
            chat=str(message["chat"]["id"]),
            message_id=message["message_id"],
            label=label,
            payload=data,
            callback_id=update["callback_query"]["id"],
        )
        self.fake.push(update)
        await self.settle()
        return True

    async def vote(self, user: int, poll_call: Call, option: int) -> None:
        """`user` votes `option` in the poll sent by `poll_call`."""
        result = self.fake.results[id(poll_call.params)]
        poll_id = result["poll"]["id"]
        self.voted.add(poll_id)
        self.flush()
        self.tr.act(
            action="vote",
            user=str(user),
            chat=str(poll_call.chat_id),
            message_id=result["message_id"],
            option=option,
        )
        self.fake.push(self.fake.poll_answer_update(poll_id, user, [option]))
        await self.settle()

    async def answer(self, user: int, chat: int, right: bool) -> bool:
        """`user` answers the open question in `chat`, rightly or not; False when none is open."""
        for poll_call in self.fake.calls_to("sendPoll"):
            result = self.fake.results.get(id(poll_call.params))
            if poll_call.chat_id == chat and result and result["poll"]["id"] not in self.voted:
                correct = int(result["poll"]["correct_option_ids"][0])
                options = len(result["poll"]["options"])
                await self.vote(user, poll_call, correct if right else (correct + 1) % options)
                return True
        question = await open_question(self.db, [str(chat)])
        if question is None:
            return False
        if question.get("typed") or not question.get("options"):
            reply = question.get("answer_text") or "" if right else wrong_text(question)
            await self.say(user, str(reply), chat)
            return True
        option = pick_option(question, right)
        found = self.find(chat, where=f":{question['id']}:{option}") or self.find(
            chat, label=str(question["options"][option])
        )
        return await self.press(user, found)


@asynccontextmanager
async def telegram_people(
    home: House, tr: Transcript, stack: AsyncExitStack
) -> AsyncIterator[TelegramPeople]:
    """The real Telegram adapter (webhook mode) against a fake Bot API, and the people."""
    fake = await stack.enter_async_context(RecordingTelegram(home.strict_dm))
    fake.chat(TG_GROUP, title=TG_GROUP_TITLE)
    fake.admins[TG_GROUP] = {ANN}
    async with webhook_adapter(fake, home.engine, home.db) as adapter:
        yield TelegramPeople(adapter, home, fake, tr)


# -- the flows ----------------------------------------------------------------------------------


async def _daily_pass(home: House, adapter: Any) -> None:
    report = await make_service(home.engine, [adapter], home.clock).run_pass()
    if report.sent < 1:
        log.warning("the daily pass sent nothing: %s", report.summary())


async def slack_daily(home: House, stack: AsyncExitStack) -> Transcript:
    """(a) The daily term in a channel; Bob presses "Quiz me" and answers, Cat "I knew it"."""
    tr = Transcript(
        "slack",
        "daily",
        "Slack: the daily term in a channel, 'Quiz me' and 'I knew it'",
        SLACK_PEOPLE,
        {SLACK_CHANNEL: "#" + SLACK_CHANNEL_NAME, "DUBOB": "termcoach", "DUCAT": "termcoach"},
    )
    async with slack_people(home, tr, stack) as people:
        await people.slash("UANN", "daily on 09:00 UTC")
        people.flush()
        tr.act(action="note", chat=SLACK_CHANNEL, text="09:00: the daily pass runs")
        await _daily_pass(home, people.slack.adapter)
        await people.press("UBOB", people.find(label="Quiz me"), wanted="Quiz me")
        await people.answer("UBOB", [SLACK_CHANNEL, "DUBOB"], right=True)
        await people.press("UCAT", people.find(label="I knew it"), wanted="I knew it")
    return tr


async def telegram_daily(home: House, stack: AsyncExitStack) -> Transcript:
    """(a) The daily term in a group; Bob presses "Quiz me" and answers, Cat "I knew it"."""
    tr = Transcript(
        "telegram",
        "daily",
        "Telegram: the daily term in a group, 'Quiz me' and 'I knew it'",
        {str(k): v for k, v in TG_PEOPLE.items()},
        {str(TG_GROUP): TG_GROUP_TITLE, str(BOB): "termcoach", str(CAT): "termcoach"},
    )
    async with telegram_people(home, tr, stack) as people:
        await people.say(ANN, f"/daily@{people.fake.username} on 09:00 UTC", TG_GROUP)
        people.flush()
        tr.act(action="note", chat=str(TG_GROUP), text="09:00: the daily pass runs")
        await _daily_pass(home, people.adapter)
        await people.press(BOB, people.find(TG_GROUP, label="Quiz me"), TG_GROUP, "Quiz me")
        await people.answer(BOB, BOB, right=True)
        await people.press(CAT, people.find(TG_GROUP, label="I knew it"), TG_GROUP, "I knew it")
    return tr


# Right, wrong, right: a quiz with one of each (and a third to reach the round's end).
ANSWERS = (True, False, True, True, True)


async def slack_quiz(home: House, stack: AsyncExitStack) -> Transcript:
    """(b) The daily term in Bob's DM, "Quiz me", three questions: right, wrong, right."""
    tr = Transcript(
        "slack",
        "quiz",
        "Slack: a quiz in a DM (from the daily term's 'Quiz me')",
        SLACK_PEOPLE,
        {"DUBOB": "termcoach"},
    )
    async with slack_people(home, tr, stack) as people:
        await people.dm("UBOB", "daily on")
        people.flush()
        tr.act(action="note", chat="DUBOB", text="09:00: the daily pass runs")
        await _daily_pass(home, people.slack.adapter)
        found = people.find(label="Quiz me")
        await people.press("UBOB", found, channel="DUBOB", wanted="Quiz me")
        for right in ANSWERS:
            if not await people.answer("UBOB", ["DUBOB"], right):
                break
    return tr


async def telegram_quiz(home: House, stack: AsyncExitStack) -> Transcript:
    """(b) The daily term in Bob's private chat, "Quiz me", three questions: right, wrong, right."""
    tr = Transcript(
        "telegram",
        "quiz",
        "Telegram: a quiz in a private chat (from the daily term's 'Quiz me')",
        {str(k): v for k, v in TG_PEOPLE.items()},
        {str(BOB): "termcoach"},
    )
    async with telegram_people(home, tr, stack) as people:
        await people.say(BOB, "/daily on")
        people.flush()
        tr.act(action="note", chat=str(BOB), text="09:00: the daily pass runs")
        await _daily_pass(home, people.adapter)
        await people.press(BOB, people.find(BOB, label="Quiz me"), BOB, "Quiz me")
        for right in ANSWERS:
            if not await people.answer(BOB, BOB, right):
                break
    return tr


async def telegram_polls(home: House, stack: AsyncExitStack) -> Transcript:
    """(b, native) A quiz with Telegram quiz polls where they fit: right, wrong, right, ..."""
    tr = Transcript(
        "telegram",
        "polls",
        "Telegram: a quiz with native quiz polls (/quiz poll)",
        {str(k): v for k, v in TG_PEOPLE.items()},
        {str(BOB): "termcoach"},
    )
    async with telegram_people(home, tr, stack) as people:
        await people.say(BOB, "/quiz poll")
        for right in ANSWERS * 2:  # missed terms come back once at the end
            if not await people.answer(BOB, BOB, right):
                break
    return tr


def _scenario() -> str:
    scenarios = _pack().scenarios
    return ROLEPLAY_SCENARIO if ROLEPLAY_SCENARIO in scenarios else next(iter(scenarios))


async def slack_roleplay(home: House, stack: AsyncExitStack) -> Transcript:
    """(c) A role-play in a DM to its debrief (offline judge, a B1 answer with mistakes)."""
    tr = Transcript(
        "slack",
        "roleplay",
        "Slack: a role-play in a DM, to its debrief",
        SLACK_PEOPLE,
        {"DUBOB": "termcoach"},
    )
    async with slack_people(home, tr, stack) as people:
        await people.dm("UBOB", f"roleplay {_scenario()}")
        for answer in ROLEPLAY_ANSWERS:
            await people.dm("UBOB", answer)
            if people.find(prefix="rp:done") is None:
                break  # the role-play ended by itself
        found = people.find(prefix="rp:done") or people.find(label="Finish")
        if found is not None:
            await people.press("UBOB", found, channel="DUBOB")
    return tr


async def telegram_roleplay(home: House, stack: AsyncExitStack) -> Transcript:
    """(c) A role-play in a private chat to its debrief (offline judge, B1 answers)."""
    tr = Transcript(
        "telegram",
        "roleplay",
        "Telegram: a role-play in a private chat, to its debrief",
        {str(k): v for k, v in TG_PEOPLE.items()},
        {str(BOB): "termcoach"},
    )
    async with telegram_people(home, tr, stack) as people:
        await people.say(BOB, f"/roleplay {_scenario()}")
        for answer in ROLEPLAY_ANSWERS:
            await people.say(BOB, answer)
            if people.find(BOB, prefix="rp:done") is None:
                break
        found = people.find(BOB, prefix="rp:done") or people.find(BOB, label="Finish")
        if found is not None:
            await people.press(BOB, found)
    return tr


async def slack_home(home: House, stack: AsyncExitStack) -> Transcript:
    """(d) App Home after a few quiz answers in the DM."""
    tr = Transcript(
        "slack",
        "home",
        "Slack: App Home after a few answers",
        SLACK_PEOPLE,
        {"home:UBOB": "App Home", "DUBOB": "termcoach"},
    )
    async with slack_people(home, tr, stack) as people:
        await people.dm("UBOB", "quiz")
        for right in ANSWERS[:3]:
            if not await people.answer("UBOB", ["DUBOB"], right):
                break
        await people.open_home("UBOB")
    return tr


async def telegram_start(home: House, stack: AsyncExitStack) -> Transcript:
    """(e) /start with its questions answered by the first button each, then /help."""
    tr = Transcript(
        "telegram",
        "start",
        "Telegram: /start and /help",
        {str(k): v for k, v in TG_PEOPLE.items()},
        {str(CAT): "termcoach"},
    )
    async with telegram_people(home, tr, stack) as people:
        await people.say(CAT, "/start")
        pressed: set[str] = set()
        for _ in range(5):
            found = people.find(CAT, prefix="start:")
            if found is None or found[2] in pressed:
                break
            pressed.add(found[2])
            await people.press(CAT, found)
        await people.say(CAT, "/help")
    return tr


Flow = Callable[[House, AsyncExitStack], Awaitable[Transcript]]
FLOWS: dict[str, Flow] = {
    "slack-daily": slack_daily,
    "telegram-daily": telegram_daily,
    "slack-quiz": slack_quiz,
    "telegram-quiz": telegram_quiz,
    "telegram-polls": telegram_polls,
    "slack-roleplay": slack_roleplay,
    "telegram-roleplay": telegram_roleplay,
    "slack-home": slack_home,
    "telegram-start": telegram_start,
}


async def capture(out: Path, only: Sequence[str] = (), strict_dm: bool = False) -> list[Path]:
    """Run the flows (all, or those named in `only`) and write their transcripts to `out`.

    `strict_dm`: Telegram refuses to write first to someone's private chat, as it really does.
    """
    unknown = [name for name in only if name not in FLOWS]
    if unknown:
        raise ValueError(f"unknown flows {unknown}; known: {', '.join(FLOWS)}")
    written = []
    with tempfile.TemporaryDirectory(prefix="mockups-template-") as tmp:
        template = await migrated_template(Path(tmp))
        for name, flow in FLOWS.items():
            if only and name not in only:
                continue
            async with house(template, strict_dm) as home, AsyncExitStack() as stack:
                transcript = await flow(home, stack)
            written.append(transcript.write(out))
            log.info("captured %s: %d events", name, len(transcript.events))
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments and capture."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON files")
    parser.add_argument("--only", nargs="*", default=[], choices=sorted(FLOWS), help="flows")
    parser.add_argument(
        "--strict-dm",
        action="store_true",
        help="Telegram refuses to write first to a private chat (as the real one does)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    for noisy in ("httpx", "aiohttp.access", "uvicorn", "apscheduler", "telegram", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(capture(args.out, args.only, args.strict_dm)):
        print(path)


if __name__ == "__main__":
    main()
