"""Pacing for proactive sends: per-token, per-chat and per-group rates, and 429 pauses.

Each adapter declares its platform's limits as `PacingRules`; the pacer applies them without
knowing any platform. A small GCRA ("virtual scheduling") limiter rather than aiolimiter:
aiolimiter's leaky bucket starts full, so ``AsyncLimiter(25, 1)`` lets 25 through at once and then
25 more within the first second, 50 in one second, which is over Telegram's ~30/s and earns 429s.
Here each key has a "theoretical arrival time"; a send waits until every key it touches allows it
and then reserves its slot on all of them in one synchronous step, so concurrent senders never
overbook. Time and sleep are injected so the tests run without real waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

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
    """One platform's limits for proactive sends, declared by its adapter.

    `sender` limits everything one bot sends (Telegram: its token), `chat` each chat, `group`
    each group chat on top; `pause` says what a 429 stops: the whole ``sender`` or one
    ``workspace``.
    """

    sender: Rate | None = None
    chat: Rate | None = None
    group: Rate | None = None
    pause: Literal["sender", "workspace"] = "sender"


NO_LIMITS = PacingRules()


class Pacer:
    """Waits before each send so that every platform's `PacingRules` hold."""

    def __init__(
        self,
        rules: Mapping[str, PacingRules] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rules = dict(rules or {})
        self._now = monotonic
        self._sleep = sleep
        self._tat: dict[Key, float] = {}
        self.waited = 0.0

    def _pause_key(self, platform: str, workspace: str) -> Key:
        if self.rules.get(platform, NO_LIMITS).pause == "workspace":
            return (platform, "workspace", workspace)
        return (platform, "sender")

    def keys(
        self, platform: str, workspace: str, chat: str, is_group: bool
    ) -> list[tuple[Key, Rate | None]]:
        """The limiter keys one send to this chat touches; a None rate is a pause-only key."""
        rules = self.rules.get(platform, NO_LIMITS)
        pause = self._pause_key(platform, workspace)
        keys: list[tuple[Key, Rate | None]] = [
            (pause, rules.sender if pause == (platform, "sender") else None)
        ]
        if rules.sender is not None and pause != (platform, "sender"):
            keys.append(((platform, "sender"), rules.sender))
        if rules.chat is not None:
            keys.append(((platform, "chat", workspace, chat), rules.chat))
        if is_group and rules.group is not None:
            keys.append(((platform, "group", workspace, chat), rules.group))
        return keys

    def reserve(self, platform: str, workspace: str, chat: str, is_group: bool) -> float:
        """Reserve the earliest slot allowed by every key; return how long to wait for it."""
        now = self._now()
        if len(self._tat) > 20_000:
            # Keys in the past constrain nothing; dropping them keeps a long-lived bot small.
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        keys = self.keys(platform, workspace, chat, is_group)
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
        """Honour a 429: no send on this sender (or workspace, per the rules) for `seconds`."""
        key = self._pause_key(platform, workspace)
        rate = dict(self.keys(platform, workspace, "", False)).get(key)
        until = self._now() + max(0.0, seconds) + (rate.tolerance if rate else 0.0)
        self._tat[key] = max(self._tat.get(key, 0.0), until)
