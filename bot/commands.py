"""The registry: every feature's commands, activities and button actions, the same on every platform.

A feature plugs in one way: it builds a `Feature` (its commands, activities and button actions)
and `bot.features.FEATURES` lists it. The registry is built once from that list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process

from bot.context import ActionHandler, Activity, CommandSpec
from bot.messages import Reply, clean_text, escape
from bot.wording import article


@dataclass(frozen=True)
class Feature:
    """What one feature adds: commands, activities, and handlers for button payload prefixes."""

    name: str
    commands: tuple[CommandSpec, ...] = ()
    activities: tuple[Activity, ...] = ()
    actions: tuple[tuple[str, ActionHandler], ...] = ()


@dataclass
class CommandRegistry:
    """Commands by name and alias, activities by name, and button actions by payload prefix."""

    specs: dict[str, CommandSpec] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    _by_name: dict[str, CommandSpec] = field(default_factory=dict)

    @classmethod
    def of(cls, features: Iterable[Feature]) -> CommandRegistry:
        """The registry with every feature's parts (names must not clash)."""
        registry = cls()
        for feature in features:
            registry.add_feature(feature)
        return registry

    def add_feature(self, feature: Feature) -> None:
        """Register a feature's activities, commands and button actions."""
        for activity in feature.activities:
            self.add_activity(activity)
        for spec in feature.commands:
            self.add(spec)
        for prefix, handler in feature.actions:
            self.add_action(prefix, handler)

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

    def add(self, spec: CommandSpec) -> None:
        """Register a command (names and aliases must be unique)."""
        for name in (spec.name, *spec.aliases):
            if name in self._by_name:
                raise ValueError(f"command {name!r} registered twice")
            self._by_name[name] = spec
        self.specs[spec.name] = spec

    def activity(self, name: str) -> Activity | None:
        """The activity with this name."""
        return self.activities.get(name)

    def activity_for_payload(self, payload: str) -> Activity | None:
        """The activity whose payload prefix this button payload carries."""
        head = payload.split(":", 1)[0]
        for activity in self.activities.values():
            if activity.payload_prefix and activity.payload_prefix == head:
                return activity
        return None

    def owners(self, name: str) -> list[Activity]:
        """The activities that have `name` ("hint", "done") as a command of their own."""
        return [a for a in self.activities.values() if name in a.own_commands]

    def get(self, name: str) -> CommandSpec | None:
        """The command with this name or alias."""
        return self._by_name.get(name)

    def visible(self) -> Sequence[CommandSpec]:
        """Commands shown in help and platform menus, in registration order."""
        return [s for s in self.specs.values() if not s.hidden]

    def names(self) -> frozenset[str]:
        """Every word that works as a command: names, aliases and activities' own commands."""
        own = {name for a in self.activities.values() for name in a.own_commands}
        return frozenset(self._by_name) | own

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


def unknown_command(features: CommandRegistry, name: str) -> Reply:
    """The reply to a command nobody owns, or one that works only while an activity runs."""
    owners = features.owners(name)
    if owners:
        # "hint" or "done" with nothing running: say what it belongs to.
        titles = [f"{article(t)} {t}" for t in sorted({a.title or a.name for a in owners})]
        during = " or ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)
        return Reply(
            f"/{name} works during {during}, and none is running now. "
            "Type /help to see what you can start."
        )
    shown = clean_text(name)[:40] or "that"
    guess = features.suggest(name)
    hint = f" Did you mean /{guess}?" if guess else ""
    return Reply(f"I don't know the command /{escape(shown)}.{hint} Type /help to see them all.")


def normalize_command(name: str) -> str:
    """``/Quiz@termcoach_bot`` -> ``quiz``."""
    name = name.strip().lstrip("/").split("@", 1)[0]
    return name.lower()
