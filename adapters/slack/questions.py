"""Where each question was shown, so that its answer can replace it (kept in `platform_state`).

A typed answer ("2" in a DM) carries no message reference, and a press on an ephemeral question
carries no copy of the question; the result then replaces the question found here. The record is
in the database, not in memory, so the answer that reaches another replica, or arrives after a
restart, still edits the question in place instead of posting its result as a new message.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.slack.inbound import PLATFORM
from storage import platform_state
from storage.db import Database
from storage.errors import Busy, StorageError

log = logging.getLogger("termcoach.slack")

KIND = "question"
# Long enough for any quiz round left open over a weekend; the engine expires older rounds.
KEEP_FOR = timedelta(days=3)
BUSY_RETRIES = 3


@dataclass(frozen=True)
class QuestionPlace:
    """A shown question: its channel, its ts (None when ephemeral) and its blocks."""

    channel: str
    ts: str | None
    ephemeral: bool
    blocks: tuple[dict[str, Any], ...]


class QuestionPlaces:
    """Question locations per workspace, shared by every replica through the database."""

    def __init__(self, db: Database, keep_for: timedelta = KEEP_FOR) -> None:
        """Keep each location for `keep_for` in `db`."""
        self.db = db
        self.keep_for = keep_for

    async def remember(self, team: str, question_id: str, place: QuestionPlace) -> None:
        """Record where `question_id` was shown; a database failure only costs the in-place edit."""
        value = {
            "channel": place.channel,
            "ts": place.ts,
            "ephemeral": place.ephemeral,
            "blocks": list(place.blocks),
        }
        expires = datetime.now(UTC) + self.keep_for
        for attempt in range(BUSY_RETRIES):
            try:
                # The turn's session: on SQLite it runs inline on the loop (no trip to a worker
                # thread, and no second writer thread for the engine's inline turns to wait on).
                async with self.db.turn_session() as session:
                    await platform_state.put(
                        session, PLATFORM, team, KIND, question_id, value, expires
                    )
                return
            except Busy:
                # Another writer holds the SQLite file: yield so it can finish, then try again.
                await asyncio.sleep(0.005 * (attempt + 1))
            except StorageError as exc:
                log.warning(
                    "Slack: could not record where question %s was shown (%s)", question_id, exc
                )
                return
        log.warning(
            "Slack: could not record where question %s was shown (database busy)", question_id
        )

    async def find(self, team: str, question_id: str) -> QuestionPlace | None:
        """Where `question_id` was shown, or None when unknown, expired or unreadable."""
        try:
            async with self.db.turn_session() as session:
                value = await platform_state.get(
                    session, PLATFORM, team, KIND, question_id, datetime.now(UTC)
                )
        except StorageError as exc:
            log.warning("Slack: could not look up question %s (%s)", question_id, exc)
            return None
        if value is None:
            return None
        ts = value.get("ts")
        return QuestionPlace(
            channel=str(value.get("channel") or ""),
            ts=str(ts) if ts else None,
            ephemeral=bool(value.get("ephemeral")),
            blocks=tuple(b for b in value.get("blocks") or () if isinstance(b, dict)),
        )
