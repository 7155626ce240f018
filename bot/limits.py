"""Flood limits: a token bucket per learner and per conversation, kept in the process.

A platform turn first asks `FloodGuard.admit`: within the limits it runs; the first message over
a limit gets one "slow down" reply; the rest of the flood is dropped at once, before any lock or
database work, so one learner's flood cannot hold up anybody else. Buckets live in the process:
with several replicas each one allows the rate, which is still far below what would hurt, and
costs no database write per message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from cachetools import TTLCache

SLOW_DOWN = (
    "You're sending messages faster than I can answer them, so I skipped some. "
    "Please wait a few seconds, then send your last one again."
)


class Verdict(Enum):
    """What to do with one inbound message."""

    RUN = "run"
    WARN = "warn"  # over the limit for the first time: say "slow down" once
    DROP = "drop"  # still over the limit: nothing at all


@dataclass(frozen=True, slots=True)
class Bucket:
    """`burst` messages at once, refilled at `per_s` messages a second."""

    burst: float
    per_s: float


@dataclass
class _State:
    tokens: float
    at: float
    warned: bool = False


class FloodGuard:
    """Token buckets per learner and per conversation (a group shares one)."""

    def __init__(
        self,
        learner: Bucket = Bucket(burst=30, per_s=2.0),
        conversation: Bucket = Bucket(burst=60, per_s=5.0),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        size: int = 100_000,
    ) -> None:
        self.learner = learner
        self.conversation = conversation
        self._now = monotonic
        # A bucket untouched for an hour is full again: forgetting it changes nothing.
        self._states: TTLCache[tuple[str, ...], _State] = TTLCache(size, 3600)

    def admit(self, learner: tuple[str, ...], conversation: str) -> Verdict:
        """Take a token from both buckets, or say why not."""
        now = self._now()
        keys = (
            (("learner", *learner), self.learner),
            (("conversation", conversation), self.conversation),
        )
        states = [(self._state(key, bucket, now), bucket) for key, bucket in keys]
        if all(state.tokens >= 1 for state, _ in states):
            for state, _ in states:
                state.tokens -= 1
            return Verdict.RUN
        short = [state for state, _ in states if state.tokens < 1]
        if any(state.warned for state in short):
            return Verdict.DROP
        for state in short:
            state.warned = True
        return Verdict.WARN

    def _state(self, key: tuple[str, ...], bucket: Bucket, now: float) -> _State:
        state = self._states.get(key)
        if state is None:
            state = _State(bucket.burst, now)
        else:
            state.tokens = min(bucket.burst, state.tokens + (now - state.at) * bucket.per_s)
            state.at = now
            if state.tokens >= bucket.burst:
                state.warned = False  # quiet long enough: a new flood is told again
        self._states[key] = state
        return state
