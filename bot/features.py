"""Wires every feature's commands, activities and button actions into one registry."""

from __future__ import annotations

import dataclasses

from bot.commands import CommandRegistry
from bot.daily import commands as daily
from bot.handlers import basic
from bot.quiz import feature as quiz_feature
from bot.roleplay import register as register_roleplay

# Commands that only show something: they run beside a quiz or role-play without ending it.
READ_ONLY = ("help", "stats", "topics", "settings", "daily")


def build_registry() -> CommandRegistry:
    """The registry with every command termcoach offers."""
    registry = CommandRegistry()
    basic.register(registry)
    quiz_feature.register(registry)
    daily.register(registry)
    register_roleplay(registry)
    for name in READ_ONLY:
        spec = registry.get(name)
        if spec is not None:
            registry.replace(dataclasses.replace(spec, keeps_activity=True))
    return registry
