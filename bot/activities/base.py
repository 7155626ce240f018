"""The one shape every activity has; its state is JSON on the conversation row, so restarts resume."""

from __future__ import annotations

from typing import ClassVar

from bot.context import TurnContext
from bot.messages import ChoiceIn, CommandIn, Reply, TextIn


class Activity:
    """A multi-turn activity. Subclasses keep no state on `self`: everything lives in `ctx.state`.

    `own_commands` are commands that belong to the activity while it runs (``hint``, ``done``);
    `payload_prefix` marks button payloads addressed to it.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    own_commands: ClassVar[frozenset[str]] = frozenset()
    payload_prefix: ClassVar[str] = ""

    async def start(self, ctx: TurnContext, args: str) -> list[Reply]:
        """Begin the activity (sets `ctx` state) and return its first replies."""
        raise NotImplementedError

    async def on_input(self, ctx: TurnContext, inbound: TextIn | ChoiceIn) -> list[Reply]:
        """Handle free text or a button press while the activity runs."""
        raise NotImplementedError

    async def on_command(self, ctx: TurnContext, command: CommandIn) -> list[Reply]:
        """Handle one of `own_commands`."""
        return [Reply(f"/{command.name} does nothing here.")]

    async def on_stale_choice(self, ctx: TurnContext, payload: str) -> list[Reply]:
        """A button of this activity pressed when it is no longer running (an old message)."""
        return [Reply("That button belongs to an activity that has ended.")]

    async def end(self, ctx: TurnContext, reason: str) -> list[Reply]:
        """Stop early (``cancel`` or another command); return a short closing note."""
        ctx.clear_activity()
        return [Reply(f"Stopped the {self.title or self.name}.")]
