"""Neutral observation hooks: code reports events here; `termcoach.metrics` turns them into metrics.

The engine and adapters never import Prometheus; with no listener registered these calls are no-ops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Observers:
    """Listeners for the events termcoach reports."""

    turn: list[Callable[[str, str, float], None]] = field(default_factory=list)
    delivery: list[Callable[[str, str], None]] = field(default_factory=list)
    platform_error: list[Callable[[str, str], None]] = field(default_factory=list)
    scheduler_lag: list[Callable[[float], None]] = field(default_factory=list)
    daily_pass: list[Callable[[bool], None]] = field(default_factory=list)
    reply: list[Callable[[str, str], None]] = field(default_factory=list)
    outbox_pending: list[Callable[[int], None]] = field(default_factory=list)


OBSERVERS = Observers()


def turn_handled(platform: str, outcome: str, seconds: float) -> None:
    """A turn finished (outcome: ok, conflict, busy, db_error, error, duplicate)."""
    for listener in OBSERVERS.turn:
        listener(platform, outcome, seconds)


def delivery(platform: str, status: str) -> None:
    """A daily-term delivery ended with a status (sent, failed, deactivated, retry...)."""
    for listener in OBSERVERS.delivery:
        listener(platform, status)


def platform_error(platform: str, kind: str) -> None:
    """A platform call failed (kind: rate_limited, blocked, gone, network, auth, other)."""
    for listener in OBSERVERS.platform_error:
        listener(platform, kind)


def daily_pass(led: bool) -> None:
    """A daily pass ended; `led` is False when another process was broadcasting."""
    for listener in OBSERVERS.daily_pass:
        listener(led)


def scheduler_lag(seconds: float) -> None:
    """How late the scheduler's last pass ran compared with when it was due."""
    for listener in OBSERVERS.scheduler_lag:
        listener(seconds)


def reply(platform: str, outcome: str) -> None:
    """A stored batch of replies left the outbox (outcome: sent, failed, expired)."""
    for listener in OBSERVERS.reply:
        listener(platform, outcome)


def outbox_pending(count: int) -> None:
    """How many batches this process has queued or in flight."""
    for listener in OBSERVERS.outbox_pending:
        listener(count)
