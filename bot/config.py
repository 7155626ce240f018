"""The engine's own configuration: the few settings tutoring rules depend on.

Everything else (platform credentials, database URL, HTTP) belongs to the composition root,
`termcoach.settings`, which builds this from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Settings the engine and its features read."""

    # New learners and group subscriptions start in this time zone.
    default_timezone: str = "UTC"
