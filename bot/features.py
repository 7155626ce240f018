"""Wires every feature's commands, activities and button actions into one registry."""

from __future__ import annotations

from bot.commands import CommandRegistry
from bot.daily import commands as daily
from bot.handlers import basic
from bot.quiz import feature as quiz_feature
from bot.roleplay import register as register_roleplay


def build_registry() -> CommandRegistry:
    """The registry with every command termcoach offers."""
    registry = CommandRegistry()
    basic.register(registry)
    quiz_feature.register(registry)
    daily.register(registry)
    register_roleplay(registry)
    return registry
