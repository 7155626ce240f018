"""The command registry: every chat command with its help text and handler, the same on every platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rapidfuzz import process

from bot.activities.base import Activity
from bot.context import TurnContext
from bot.messages import Reply

Handler = Callable[[TurnContext, str], Awaitable[list[Reply]]]
ActionHandler = Callable[[TurnContext, str], Awaitable[list[Reply]]]
StatsSection = Callable[[TurnContext], Awaitable[list[str]]]


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
    # Read-only commands (help, stats) run beside a running activity instead of ending it.
    keeps_activity: bool = False


@dataclass
class CommandRegistry:
    """Commands by name and alias, activities by name, and button actions by payload prefix.

    Feature modules register theirs at start (see `bot.features`).
    """

    specs: dict[str, CommandSpec] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    stats_sections: list[StatsSection] = field(default_factory=list)
    _by_name: dict[str, CommandSpec] = field(default_factory=dict)

    def add_activity(self, activity: Activity) -> None:
        """Register an activity; its payload prefix routes button presses to it."""
        if activity.name in self.activities:
            raise ValueError(f"activity {activity.name!r} registered twice")
        self.activities[activity.name] = activity

    def add_action(self, prefix: str, handler: ActionHandler) -> None:
        """Register a handler for button payloads starting with ``prefix:`` outside activities."""
        if prefix in self.actions:
            raise ValueError(f"action {prefix!r} registered twice")
        self.actions[prefix] = handler

    def activity_for_payload(self, payload: str) -> Activity | None:
        """The activity whose payload prefix this button payload carries."""
        head = payload.split(":", 1)[0]
        for activity in self.activities.values():
            if activity.payload_prefix and activity.payload_prefix == head:
                return activity
        return None

    def add(self, spec: CommandSpec) -> None:
        """Register a command (names and aliases must be unique)."""
        for name in (spec.name, *spec.aliases):
            if name in self._by_name:
                raise ValueError(f"command {name!r} registered twice")
            self._by_name[name] = spec
        self.specs[spec.name] = spec

    def replace(self, spec: CommandSpec) -> None:
        """Swap a registered command for a new spec of the same name (to extend its handler)."""
        old = self.specs.get(spec.name)
        if old is None:
            raise KeyError(f"command {spec.name!r} is not registered")
        for name in (old.name, *old.aliases):
            self._by_name.pop(name, None)
        for name in (spec.name, *spec.aliases):
            if name in self._by_name:
                raise ValueError(f"command {name!r} registered twice")
            self._by_name[name] = spec
        self.specs[spec.name] = spec

    def get(self, name: str) -> CommandSpec | None:
        """The command with this name or alias."""
        return self._by_name.get(name)

    def visible(self) -> list[CommandSpec]:
        """Commands shown in help and platform menus, in registration order."""
        return [s for s in self.specs.values() if not s.hidden]

    def suggest(self, name: str) -> str | None:
        """The closest known command name, for "did you mean" replies."""
        if not name or not self._by_name:
            return None
        # A cut-off name ("stat", "sett") means the command it begins; fuzzy scores tie there.
        begun = sorted((n for n in self._by_name if n.startswith(name.lower())), key=len)
        if begun:
            return self._by_name[begun[0]].name
        found = process.extractOne(name, list(self._by_name), score_cutoff=70)
        return self._by_name[found[0]].name if found else None


def normalize_command(name: str) -> str:
    """``/Quiz@termcoach_bot`` -> ``quiz``."""
    name = name.strip().lstrip("/").split("@", 1)[0]
    return name.lower()
