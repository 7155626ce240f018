"""Wires every feature's commands, activities and button actions into one registry."""

from __future__ import annotations

import dataclasses

from bot.commands import CommandRegistry
from bot.daily import commands as daily
from bot.handlers import basic
from bot.quiz import feature as quiz_feature
from bot.roleplay import register as register_roleplay

# Commands that run beside a quiz or role-play without ending it: they show something, or
# (settings, daily) change nothing the activity depends on. Looking a word up in the middle
# of a role-play is what a learner in a second language does most. Telegram sends /start
# whenever the bot is opened again.
KEEP_ACTIVITY = ("help", "start", "stats", "topics", "settings", "daily", "term")


def build_registry() -> CommandRegistry:
    """The registry with every command termcoach offers."""
    registry = CommandRegistry()
    basic.register(registry)
    quiz_feature.register(registry)
    daily.register(registry)
    register_roleplay(registry)
    for name in KEEP_ACTIVITY:
        spec = registry.get(name)
        if spec is not None:
            registry.replace(dataclasses.replace(spec, keeps_activity=True))
    return registry
