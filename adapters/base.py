"""The adapter contract: translate platform events to engine messages and render replies back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from starlette.routing import BaseRoute

from bot.messages import ConversationRef, Reply, SendResult
from bot.pacing import PacingRules


@runtime_checkable
class Adapter(Protocol):
    """A platform adapter. It holds no tutoring logic: `to_inbound`, `render`, and a thin handler.

    `routes()` lists the HTTP routes it serves on termcoach's one HTTP server (webhooks, OAuth);
    `send()` delivers proactive replies (the daily term) and reports what happened; `pacing`
    declares the platform's limits for such sends.
    """

    platform: str
    pacing: PacingRules

    async def start(self) -> None:
        """Connect to the platform (polling, socket mode, webhook registration)."""

    async def stop(self) -> None:
        """Disconnect cleanly; safe to call twice."""

    async def send(self, ref: ConversationRef, replies: Sequence[Reply]) -> SendResult:
        """Send replies to a conversation outside of a turn."""

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this adapter serves (may be empty)."""

    @property
    def ready(self) -> bool:
        """True once started and able to serve."""
