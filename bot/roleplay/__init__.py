"""Role-play practice: scenarios with personas, audience-aware rubric feedback, written
exercises, quiz drills and pre-meeting prep.
"""

from __future__ import annotations

from bot.commands import CommandRegistry, CommandSpec
from bot.context import TurnContext
from bot.messages import Reply
from bot.roleplay.activity import RoleplayActivity
from bot.roleplay.exercises import ExerciseActivity, exercises_command
from bot.roleplay.prep import prep_command
from bot.roleplay.store import stats_section


def register(registry: CommandRegistry) -> None:
    """Add the role-play, exercise and prep commands, their activities and the stats section."""
    roleplay = RoleplayActivity()
    exercise = ExerciseActivity()
    registry.add_activity(roleplay)
    registry.add_activity(exercise)

    async def roleplay_command(ctx: TurnContext, args: str) -> list[Reply]:
        return await roleplay.start(ctx, args)

    async def exercise_command(ctx: TurnContext, args: str) -> list[Reply]:
        return await exercise.start(ctx, args)

    registry.add(
        CommandSpec(
            "roleplay",
            "practise explaining a topic to a colleague (I play them)",
            roleplay_command,
            usage="[scenario, topic or audience]",
            group="Practise",
        )
    )
    registry.add(
        CommandSpec(
            "prep",
            "five-minute prep before a meeting",
            prep_command,
            usage="[topic or audience]",
            group="Practise",
        )
    )
    registry.add(
        CommandSpec(
            "exercises",
            "role-plays, writing exercises and quiz drills",
            exercises_command,
            usage="[topic]",
            group="Practise",
        )
    )
    registry.add(
        CommandSpec(
            "exercise",
            "start one exercise",
            exercise_command,
            usage="ID",
            group="Practise",
        )
    )
    registry.stats_sections.append(stats_section)
