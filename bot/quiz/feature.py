"""The quiz feature: ``quiz`` and ``review`` (question rounds), and the learner's ``settings``."""

from __future__ import annotations

from bot.commands import Feature
from bot.context import CommandSpec
from bot.handlers.settings import settings_command
from bot.quiz.activity import QuizActivity
from bot.quiz.review import ReviewActivity


def feature() -> Feature:
    """The quiz and review activities and their commands."""
    quiz = QuizActivity()
    review = ReviewActivity()
    return Feature(
        name="quiz",
        activities=(quiz, review),
        commands=(
            CommandSpec(
                "quiz",
                "a short quiz on a topic, category or term",
                quiz.start,
                usage="[topic, category or term]",
                poll_usage="[poll] [topic, category or term]",
                poll_summary="a short quiz on a topic, category or term (add poll for quiz polls)",
                group="Practise",
                private=True,
            ),
            CommandSpec(
                "review",
                "the terms due for review today, plus a few new ones",
                review.start,
                aliases=("reviews",),
                group="Practise",
                private=True,
            ),
            CommandSpec(
                "settings",
                "your time zone, new terms per day, your meeting and level",
                settings_command,
                usage="[timezone ZONE | new N | meeting WHO WHEN | level B1]",
                poll_usage="[timezone ZONE | new N | quiz poll|buttons | meeting WHO WHEN | level B1]",
                poll_summary="your time zone, new terms per day, polls or buttons, your meeting "
                "and level",
                aliases=("setting", "prefs"),
                group="Basics",
                keeps_activity=True,
            ),
        ),
    )
