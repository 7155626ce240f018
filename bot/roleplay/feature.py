"""The role-play feature: ``roleplay``, ``prep``, ``exercises`` and ``exercise``."""

from __future__ import annotations

from bot.commands import Feature
from bot.context import CommandSpec
from bot.roleplay.actions import debrief_action
from bot.roleplay.activity import RoleplayActivity
from bot.roleplay.debrief import ACTION
from bot.roleplay.exercises import ExerciseActivity, exercises_command
from bot.roleplay.prep import prep_command


def feature() -> Feature:
    """The role-play, exercise and prep commands and their activities."""
    roleplay = RoleplayActivity()
    exercise = ExerciseActivity()
    return Feature(
        name="roleplay",
        activities=(roleplay, exercise),
        actions=((ACTION, debrief_action),),
        commands=(
            CommandSpec(
                "roleplay",
                "practise explaining a topic to a colleague (I play them)",
                roleplay.start,
                usage="[scenario, topic or audience]",
                group="Practise",
                private=True,
            ),
            CommandSpec(
                "prep",
                "five-minute prep before a meeting",
                prep_command,
                usage="[topic or audience]",
                group="Practise",
                private=True,
            ),
            CommandSpec(
                "exercises",
                "role-plays, writing exercises and quiz drills",
                exercises_command,
                usage="[topic]",
                group="Practise",
            ),
            CommandSpec(
                "exercise",
                "start one exercise",
                exercise.start,
                usage="ID",
                group="Practise",
                private=True,
                in_menu=False,
            ),
        ),
    )
