"""Helpers for the Telegram adapter tests: adapters on the fake Bot API, and what they did.

Fixtures stay in the test modules (a fixture imported from here would shadow itself there);
they are one-liners around `running_adapter` and `webhook_adapter`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from telegram.ext import AIORateLimiter

from adapters.telegram import WEBHOOK_PATH, TelegramAdapter, build_application
from adapters.turns import Engine
from bot.messages import ConversationRef
from storage.db import Database
from storage.models import ChatStatus, QuizAttempt
from tests.fakes.telegram_server import Call, FakeTelegram
from tests.orm import orm

DM = 111
GROUP = -100500

_real_getaddrinfo = socket.getaddrinfo


def _local_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host not in ("127.0.0.1", "localhost", "::1", None):
        raise RuntimeError(f"test tried to resolve {host!r}: tests talk to local fakes only")
    return _real_getaddrinfo(host, *args, **kwargs)


def local_dns_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse DNS look-ups of anything but this machine (the conftest guard refuses connects)."""
    monkeypatch.setattr(socket, "getaddrinfo", _local_only_getaddrinfo)


def make_adapter(
    fake: FakeTelegram,
    engine: Engine,
    db: Database | None,
    *,
    max_retries: int = 2,
    webhook_url: str | None = None,
) -> TelegramAdapter:
    """The real adapter and PTB application, pointed at the fake, with quick retries."""
    app = build_application(
        fake.token,
        fake.base_url,
        webhook=webhook_url is not None,
        rate_limiter=AIORateLimiter(max_retries=max_retries),
        poll_timeout=1.0,
    )
    return TelegramAdapter(
        engine, db, app, webhook_url=webhook_url, poll_timeout=1.0, backoff_s=0.01
    )


@asynccontextmanager
async def running_adapter(
    fake: FakeTelegram, engine: Engine, db: Database | None
) -> AsyncIterator[TelegramAdapter]:
    """A started adapter in polling mode; stopped at the end (a "process" of its own)."""
    tg = make_adapter(fake, engine, db)
    await tg.start()
    try:
        yield tg
    finally:
        await tg.stop()


async def _started(server: uvicorn.Server) -> bool:
    return server.started


@asynccontextmanager
async def webhook_adapter(
    fake: FakeTelegram, engine: Engine, db: Database | None
) -> AsyncIterator[TelegramAdapter]:
    """A started adapter in webhook mode behind a real uvicorn server on 127.0.0.1.

    The fake POSTs pushed updates to it, so `fake.settled()` says when all were handled.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    tg = make_adapter(fake, engine, db, webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=tg.routes()), log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: _started(server))
        await tg.start()
        yield tg
    finally:
        await tg.stop()
        server.should_exit = True
        await task
        sock.close()


def ref_for(adapter: TelegramAdapter, chat: int, user: int | None = None) -> ConversationRef:
    """The conversation of `user` (the chat itself by default) in `chat`."""
    return ConversationRef("telegram", adapter.workspace, str(chat), str(user or chat))


async def question_message(fake: FakeTelegram, chat: int, number: int) -> dict[str, Any]:
    """Wait for question `number` of a quiz in `chat` and return its message."""
    await fake.wait_for("sendMessage", where=lambda c: f"Question {number} of" in c.params["text"])
    return fake.last_message(chat, with_text=f"Question {number} of")


def buttons(message: dict[str, Any]) -> list[str]:
    """The callback data of every button of a message, in order."""
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def attempts(db: Database) -> list[QuizAttempt]:
    """Every quiz answer recorded."""
    async with orm(db) as session:
        return list((await session.execute(select(QuizAttempt))).scalars())


async def chat_status(db: Database, chat: int | str) -> ChatStatus | None:
    """The chat's status row, if one was written."""
    async with orm(db) as session:
        return (
            await session.execute(select(ChatStatus).where(ChatStatus.chat == str(chat)))
        ).scalar_one_or_none()


async def eventually(check: Callable[[], Awaitable[Any]], wait_s: float = 5.0) -> Any:
    """Poll an async check until it returns something truthy (for effects after a reply)."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.02)


async def first_poll(fake: FakeTelegram, chat: int, user: int) -> Call:
    """Start "/quiz poll" and answer by button until a question comes as a quiz poll.

    Questions that fit Telegram's poll limits come as polls, the rest as buttons.
    """
    command = "/quiz poll" if chat > 0 else f"/quiz@{fake.username} poll"
    fake.push(fake.text_update(command, chat_id=chat, user_id=user))
    for number in range(1, 6):

        async def asked(n: int = number) -> bool:
            texts = [t for t in fake.sent_texts(chat) if "Question " in t and " of " in t]
            return bool(fake.calls_to("sendPoll")) or len(texts) >= n

        assert await eventually(asked)
        if fake.calls_to("sendPoll"):
            break
        question = fake.last_message(chat, with_text=f"Question {number} of")
        fake.push(fake.callback_update(question, buttons(question)[0], user_id=user))
    [poll_call] = fake.calls_to("sendPoll")
    return poll_call
