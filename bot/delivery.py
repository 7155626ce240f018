"""What crosses between the outbox and an adapter: a batch on its way out, and the courier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.messages import ConversationRef, Reply, SendResult

Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A batch of replies on its way out, and how many of them were delivered (`done`).

    `id` is None for one that is not stored (an error notice while the database is down).
    """

    id: int | None
    ref: ConversationRef
    replies: tuple[Reply, ...]
    delivery: dict[str, Any] | None = None
    done: int = 0
    attempts: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def key(self) -> str:
        """The conversation whose order this batch keeps."""
        return self.ref.key

    @property
    def remaining(self) -> tuple[Reply, ...]:
        """The replies not delivered yet."""
        return self.replies[self.done :]


class Courier(Protocol):
    """What the outbox needs of an adapter: its platform and a way to show stored replies."""

    platform: str

    async def deliver_stored(self, item: Outgoing, progress: Progress) -> SendResult:
        """Show `item.remaining` where `item.delivery` says; failures are results, not raises.

        `progress(n)` is called after each reply with how many of `item.remaining` are out.
        """
        ...


def failure_kind(result: SendResult) -> str:
    """The platform-error kind of a failed send, for `termcoach_platform_errors_total`."""
    if result.status == "retry":
        return "rate_limited" if result.retry_after is not None else "network"
    if result.status in ("blocked", "gone"):
        return result.status
    return "auth" if "auth" in result.reason else "refused"
