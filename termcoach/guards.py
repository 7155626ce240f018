"""ASGI guards in front of every route: request bodies are capped before anything reads them.

`BodyLimit` counts the bytes as they arrive, whether the client sent a Content-Length or a
chunked body, and answers 413 as soon as the cap is passed: no route, SDK or logger ever sees
more than the cap, so no request can make the process buffer a body of any size. A declared
Content-Length over the cap is refused before a byte is read. Nothing is logged but the path and
the size.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MIB = 1024 * 1024
# Slack's real events and Telegram's updates are a few KiB; 1 MiB leaves a wide margin.
LIMITS = {"/slack/": MIB, "/telegram/": MIB}
# Everything else (health checks, OAuth redirects) has no business sending a body.
DEFAULT_LIMIT = 64 * 1024


class BodyLimit:
    """Buffer each request body up to its path's cap, then hand it on; 413 past the cap."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Mapping[str, int] = LIMITS,
        default: int = DEFAULT_LIMIT,
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default = default

    def limit_for(self, path: str) -> int:
        """The cap for a path (the longest matching prefix, else the default)."""
        matches = [prefix for prefix in self.limits if path.startswith(prefix)]
        return self.limits[max(matches, key=len)] if matches else self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass non-HTTP traffic through; read an HTTP body up to the cap before the app runs."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.limit_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, path, declared, limit)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > limit:
                await _too_large(send, path, len(body), limit)
                return
        await self.app(scope, _replay(bytes(body), receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # only a disconnect can come after the whole body

    return replay


async def _too_large(send: Send, path: str, size: int, limit: int) -> None:
    log.warning("request body refused: %s bytes or more to %s (limit %s)", size, path, limit)
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"connection", b"close"),
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": 413, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": b"request body too large"})
