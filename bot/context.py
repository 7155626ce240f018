"""What one turn sees, and the shapes that receive it: commands, activities and their services.

Features get everything they need from the `TurnContext`: the content pack, the registry of
features, the engine's configuration, the optional language model, a way to run another command,
and the turn's database session for the repositories in `storage/`. They never see the engine.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from bot.coach.judge import Judge
from bot.config import EngineConfig
from bot.messages import (
    ChoiceIn,
    CommandIn,
    ConversationRef,
    Inbound,
    QuizLimits,
    Reply,
    TextIn,
)
from bot.roleplay.llm import PersonaModel
from content.index import PackIndex
from storage.session import Session
from storage.turns import LearnerRow

Handler = Callable[["TurnContext", str], Awaitable[list[Reply]]]
ActionHandler = Callable[["TurnContext", str], Awaitable[list[Reply]]]
CommandRunner = Callable[["TurnContext", CommandIn], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class CommandSpec:
    """A chat command: name, aliases, one-line summary, usage, and its handler."""

    name: str
    summary: str
    handler: Handler
    usage: str = ""
    aliases: tuple[str, ...] = ()
    hidden: bool = False
    group: str = "Learn"
    # Commands that only show something (help, stats), or change nothing an activity depends
    # on (settings, daily), run beside a running activity instead of ending it.
    keeps_activity: bool = False
    # Multi-step work (a quiz round, a role-play): started in a shared chat, it goes on in the
    # learner's private chat with the bot, where each turn can be typed and read in peace.
    private: bool = False
    # False for a command that needs an argument to do anything (``exercise ID``): platform
    # menus list only what a learner can run as it is.
    in_menu: bool = True
    # The usage and summary where the platform shows quizzes natively (polls); elsewhere the
    # plain ones, so no help text offers what the learner's platform cannot do.
    poll_usage: str = ""
    poll_summary: str = ""

    def described(self, native_quiz: bool) -> tuple[str, str]:
        """(usage, summary) for a platform with or without native quizzes."""
        if native_quiz:
            return self.poll_usage or self.usage, self.poll_summary or self.summary
        return self.usage, self.summary


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


class Features(Protocol):
    """What a feature may look up about the others (`bot.commands.CommandRegistry` has it)."""

    def get(self, name: str) -> CommandSpec | None:
        """The command with this name or alias."""
        ...

    def activity(self, name: str) -> Activity | None:
        """The activity with this name."""
        ...

    def visible(self) -> Sequence[CommandSpec]:
        """Commands shown in help and platform menus, in registration order."""
        ...


@dataclass(frozen=True)
class Services:
    """The engine's services that features may use, handed to every turn."""

    pack: PackIndex
    features: Features
    config: EngineConfig
    run_command: CommandRunner
    # The judge for the feedback a learner gets (the LLM judge when one is configured), and
    # the offline judge for quick decisions during a role-play (what the persona asks next).
    judge: Judge
    quick_judge: Judge
    llm: PersonaModel | None = None
    # Native quiz limits per platform, as each adapter declares them (`declare_quiz_limits`).
    quiz_limits: dict[str, QuizLimits] = field(default_factory=dict)


@dataclass
class TurnContext:
    """The state of one turn. Activities read and change `state`; the engine saves it after."""

    services: Services
    session: Session
    inbound: Inbound
    learner: LearnerRow
    state: dict[str, Any]
    now: datetime
    rng: random.Random
    # Commands to run in another conversation once this turn is saved (a quiz started from a
    # group post continues in the presser's private chat); see `hand_over`.
    handovers: list[CommandIn] = field(default_factory=list)

    @property
    def ref(self) -> ConversationRef:
        """Where this turn's message came from."""
        return self.inbound.ref

    @property
    def native_quiz(self) -> bool:
        """True when this platform shows quizzes natively (its adapter declared quiz limits)."""
        return self.ref.platform in self.services.quiz_limits

    @property
    def pack(self) -> PackIndex:
        """The content pack index."""
        return self.services.pack

    @property
    def features(self) -> Features:
        """Every command, activity and button action."""
        return self.services.features

    @property
    def config(self) -> EngineConfig:
        """The engine's configuration."""
        return self.services.config

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

    async def run_command(self, command: CommandIn) -> list[Reply]:
        """Run a command in this turn, as if the learner had typed it."""
        return await self.services.run_command(self, command)

    def hand_over(self, command: CommandIn) -> None:
        """Run `command` in its own conversation (`command.ref`) right after this turn.

        It runs as a turn of its own (loaded, versioned and saved like any other), and its
        replies are added to this turn's, marked private.
        """
        self.handovers.append(command)

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
