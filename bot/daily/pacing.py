"""Pacing for proactive sends: per-token, per-chat and per-group rates, and 429 pauses.

A small GCRA ("virtual scheduling") limiter rather than aiolimiter: aiolimiter's leaky bucket
starts full, so ``AsyncLimiter(25, 1)`` lets 25 through at once and then 25 more within the first
second, 50 in one second, which is over Telegram's ~30/s and earns 429s. Here each key has a
"theoretical arrival time"; a send waits until every key it touches allows it and then reserves
its slot on all of them in one synchronous step, so concurrent senders never overbook. Time and
sleep are injected so the tests run without real waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `count` sends per `per` seconds, evenly spaced, with up to `burst` back to back."""

    count: float
    per: float = 1.0
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between two sends at the steady rate."""
        return self.per / self.count

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady schedule a send may go (GCRA's tau)."""
        return (self.burst - 1) * self.interval


@dataclass(frozen=True, slots=True)
class PacingRules:
    """The platform limits we keep under (Telegram's and Slack's documented broadcast limits).

    The Telegram token rate allows a burst of 2 so a send that took a little longer than one
    interval is caught up; any one-second window still sees at most ``count + 2`` messages.
    """

    telegram_token: Rate = field(default_factory=lambda: Rate(25, 1.0, burst=2))
    telegram_chat: Rate = field(default_factory=lambda: Rate(1, 1.0))
    telegram_group: Rate = field(default_factory=lambda: Rate(20, 60.0))
    slack_channel: Rate = field(default_factory=lambda: Rate(1, 1.0))

    def keys(
        self, platform: str, workspace: str, chat: str, is_group: bool
    ) -> list[tuple[Key, Rate | None]]:
        """The limiter keys one send to this chat touches; a None rate is a pause-only key."""
        if platform == "telegram":
            keys: list[tuple[Key, Rate | None]] = [
                (("telegram", "token"), self.telegram_token),
                (("telegram", "chat", chat), self.telegram_chat),
            ]
            if is_group:
                keys.append((("telegram", "group", chat), self.telegram_group))
            return keys
        if platform == "slack":
            return [
                (("slack", "workspace", workspace), None),
                (("slack", "channel", workspace, chat), self.slack_channel),
            ]
        return [((platform, "all"), None)]

    def pause_key(self, platform: str, workspace: str) -> Key:
        """The key a 429 pauses: the whole bot token on Telegram, the workspace on Slack."""
        if platform == "telegram":
            return ("telegram", "token")
        if platform == "slack":
            return ("slack", "workspace", workspace)
        return (platform, "all")


class Pacer:
    """Waits before each send so that every rate in `PacingRules` holds."""

    def __init__(
        self,
        rules: PacingRules | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rules = rules or PacingRules()
        self._now = monotonic
        self._sleep = sleep
        self._tat: dict[Key, float] = {}
        self.waited = 0.0

    def reserve(self, platform: str, workspace: str, chat: str, is_group: bool) -> float:
        """Reserve the earliest slot allowed by every key; return how long to wait for it."""
        now = self._now()
        if len(self._tat) > 20_000:
            # Keys in the past constrain nothing; dropping them keeps a long-lived bot small.
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        keys = self.rules.keys(platform, workspace, chat, is_group)
        start = now
        for key, rate in keys:
            tat = self._tat.get(key, now)
            start = max(start, tat - (rate.tolerance if rate else 0.0))
        for key, rate in keys:
            if rate is not None:
                self._tat[key] = max(self._tat.get(key, start), start) + rate.interval
        return start - now

    async def wait(self, platform: str, workspace: str, chat: str, is_group: bool) -> float:
        """Wait for this send's slot; return the seconds waited."""
        delay = self.reserve(platform, workspace, chat, is_group)
        if delay > 0:
            self.waited += delay
            await self._sleep(delay)
        return delay

    def pause(self, platform: str, workspace: str, seconds: float) -> None:
        """Honour a 429: no send on this token (Telegram) or workspace (Slack) for `seconds`."""
        key = self.rules.pause_key(platform, workspace)
        rate = dict(self.rules.keys(platform, workspace, "", False)).get(key)
        until = self._now() + max(0.0, seconds) + (rate.tolerance if rate else 0.0)
        self._tat[key] = max(self._tat.get(key, 0.0), until)
