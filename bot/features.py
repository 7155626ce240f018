"""Wires every feature's commands, activities and button actions into one registry."""

from __future__ import annotations

from bot.commands import CommandRegistry, CommandSpec
from bot.context import TurnContext
from bot.handlers import basic
from bot.messages import Reply
from bot.quiz.activity import QuizActivity


def build_registry() -> CommandRegistry:
    """The registry with every command termcoach offers."""
    registry = CommandRegistry()
    basic.register(registry)
    quiz = QuizActivity()
    registry.add_activity(quiz)

    async def quiz_command(ctx: TurnContext, args: str) -> list[Reply]:
        return await quiz.start(ctx, args)

    registry.add(
        CommandSpec(
            "quiz",
            "a short multiple-choice quiz",
            quiz_command,
            usage="[topic or category]",
            group="Practise",
        )
    )
    return registry
