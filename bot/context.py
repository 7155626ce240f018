"""What one turn sees: the inbound message, the learner, the conversation state, and services."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import ConversationRef, Inbound
from content.index import PackIndex
from storage.repos import LearnerRow

if TYPE_CHECKING:
    from bot.engine import DialogueEngine


@dataclass
class TurnContext:
    """The state of one turn. Activities read and change `state`; the engine saves it after."""

    engine: DialogueEngine
    session: AsyncSession
    inbound: Inbound
    learner: LearnerRow
    state: dict[str, Any]
    now: datetime
    rng: random.Random
    notes: list[str] = field(default_factory=list)

    @property
    def ref(self) -> ConversationRef:
        """Where this turn's message came from."""
        return self.inbound.ref

    @property
    def pack(self) -> PackIndex:
        """The content pack index."""
        return self.engine.pack

    @property
    def activity(self) -> str | None:
        """The name of the running activity, if any."""
        name = self.state.get("activity")
        return str(name) if name else None

    @property
    def activity_data(self) -> dict[str, Any]:
        """The running activity's stored state (a JSON object)."""
        data = self.state.get("data")
        return data if isinstance(data, dict) else {}

    async def release_db(self) -> None:
        """Hand the database connection back before a slow call (an LLM request).

        Call it only before this turn writes anything: it commits what was read so far. The
        turn's final save still checks the conversation version, so a change made meanwhile
        by another replica makes the engine run the turn again.
        """
        await self.session.commit()

    def set_activity(self, name: str, data: dict[str, Any]) -> None:
        """Start or update the running activity's state."""
        self.state["activity"] = name
        self.state["data"] = data

    def clear_activity(self) -> None:
        """End the running activity."""
        self.state.pop("activity", None)
        self.state.pop("data", None)
