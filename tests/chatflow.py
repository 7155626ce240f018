"""Conversation-style engine tests: send, then assert on the reply (botbuilder's TestFlow)."""

from __future__ import annotations

import itertools
import re

from bot.engine import DialogueEngine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Reply, TextIn

_ids = itertools.count(1)


class Chat:
    """One learner in one conversation with the engine; remembers the last replies."""

    def __init__(
        self,
        engine: DialogueEngine,
        user: str = "alice",
        chat: str | None = None,
        platform: str = "test",
        workspace: str = "w1",
    ) -> None:
        self.engine = engine
        self.ref = ConversationRef(platform, workspace, chat or f"dm-{user}", user)
        self.last: list[Reply] = []

    def _mid(self) -> str:
        return f"m{next(_ids)}"

    async def send(self, text: str, message_id: str | None = None) -> list[Reply]:
        """Send free text (``/cmd args`` is parsed as a command by the engine)."""
        inbound = TextIn(ref=self.ref, message_id=message_id or self._mid(), text=text)
        self.last = await self.engine.handle(inbound)
        return self.last

    async def command(self, name: str, args: str = "") -> list[Reply]:
        """Send a command as a platform would (no leading slash needed)."""
        inbound = CommandIn(ref=self.ref, message_id=self._mid(), name=name, args=args)
        self.last = await self.engine.handle(inbound)
        return self.last

    async def press(self, which: int | str = 0, message_id: str | None = None) -> list[Reply]:
        """Press a button of the last replies, by index or by label."""
        choices = [c for r in self.last for c in r.choices]
        if isinstance(which, int):
            choice = choices[which]
        else:
            choice = next(c for c in choices if c.label == which)
        return await self.payload(choice.payload, message_id)

    async def payload(self, payload: str, message_id: str | None = None) -> list[Reply]:
        """Send a raw button payload."""
        inbound = ChoiceIn(ref=self.ref, message_id=message_id or self._mid(), payload=payload)
        self.last = await self.engine.handle(inbound)
        return self.last

    @property
    def text(self) -> str:
        """All last replies as plain text."""
        return "\n".join(r.plain_text for r in self.last)

    def question(self) -> Reply:
        """The last reply that asks a question."""
        return next(r for r in reversed(self.last) if r.kind == "question")


def debrief_score(chat: Chat) -> int:
    """The score in the debrief's first message (``*Score: 75/100* · …``) among the last replies."""
    summary = next(r.text for r in chat.last if r.kind == "feedback")
    found = re.search(r"Score: (\d+)/100", summary)
    assert found is not None, summary
    return int(found.group(1))
