"""A fake OpenAI-compatible chat completions endpoint (aiohttp on 127.0.0.1, ephemeral port).

Point the real ``openai.AsyncOpenAI`` client at ``fake.base_url``. It records every request
(path, headers, JSON body) and answers ``POST /v1/chat/completions`` from a queue of replies,
falling back to `default_reply`. Modes: ``ok``; ``slow`` (waits `delay_s` before answering, to
trip the client's timeout); ``error`` (HTTP 500 with an OpenAI-style error body); ``garbage``
(200 with a body that is not a chat completion).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from tests.fakes.server import FakeServer

Mode = Literal["ok", "slow", "error", "garbage"]


@dataclass
class Request:
    """One recorded request."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent."""
        return list(self.body.get("messages", []))

    @property
    def prompt(self) -> str:
        """All message contents joined, for assertions."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class FakeLLM(FakeServer):
    """The fake server; use ``async with FakeLLM() as fake:``."""

    shutdown_timeout = 0.1

    def __init__(
        self,
        mode: Mode = "ok",
        delay_s: float = 5.0,
        default_reply: str = "Could you say that again in simpler words?",
    ) -> None:
        super().__init__()
        self.mode: Mode = mode
        self.delay_s = delay_s
        self.default_reply = default_reply
        self.requests: list[Request] = []
        self._replies: deque[str | None] = deque()
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()

    def reply_with(self, *texts: str | None) -> None:
        """Queue the contents of the next answers (None: an answer with null content)."""
        self._replies.extend(texts)

    def routes(self, app: web.Application) -> None:
        """The chat completions endpoint."""
        app.router.add_post("/v1/chat/completions", self._completions)

    async def stop(self) -> None:
        """Stop serving; a request held in slow mode is released at once."""
        self._closing.set()
        await super().stop()

    @property
    def base_url(self) -> str:
        """What to give the OpenAI client's ``base_url``."""
        return f"{self.url}/v1"

    async def _completions(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        self.requests.append(Request(request.path, dict(request.headers), body, time.monotonic()))
        if self.mode == "slow":
            # Wait on an event, not a bare sleep, so stop() does not hang on this handler.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), timeout=self.delay_s)
        if self.mode == "error":
            error = {"message": "the model is overloaded", "type": "server_error", "code": None}
            return web.json_response({"error": error}, status=500)
        if self.mode == "garbage":
            return web.Response(text="<html>gateway says hello</html>", content_type="text/html")
        content = self._replies.popleft() if self._replies else self.default_reply
        return web.json_response(
            {
                "id": f"chatcmpl-{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )
