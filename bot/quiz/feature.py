"""Registers the quiz feature: ``quiz``, ``review``, ``settings``, the stats section and chart."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import CommandRegistry, CommandSpec
from bot.context import TurnContext
from bot.messages import Reply
from bot.quiz.activity import QuizActivity
from bot.quiz.review import ReviewActivity
from bot.quiz.stats import quiz_stats_section, settings_command, stats_with_chart


def register(registry: CommandRegistry) -> None:
    """Add the quiz commands and activities; call after `bot.handlers.basic.register`.

    The basic quiz stats section is replaced in place, so sections other features append (the
    role-play section) keep their order after it.
    """
    quiz = QuizActivity()
    review = ReviewActivity()
    registry.add_activity(quiz)
    registry.add_activity(review)

    async def quiz_command(ctx: TurnContext, args: str) -> list[Reply]:
        return await quiz.start(ctx, args)

    async def review_command(ctx: TurnContext, args: str) -> list[Reply]:
        return await review.start(ctx, args)

    registry.add(
        CommandSpec(
            "quiz",
            "a short quiz on a topic, category or term (add poll for quiz polls)",
            quiz_command,
            usage="[poll] [topic, category or term]",
            group="Practise",
        )
    )
    registry.add(
        CommandSpec(
            "review",
            "the terms due for review today, plus a few new ones",
            review_command,
            aliases=("reviews",),
            group="Practise",
        )
    )
    registry.add(
        CommandSpec(
            "settings",
            "your time zone, new terms per day, polls or buttons",
            settings_command,
            usage="[timezone ZONE | new N | quiz poll|buttons]",
            aliases=("setting", "prefs"),
            group="Basics",
        )
    )
    stats = registry.get("stats")
    if stats is not None:
        registry.replace(
            replace(
                stats,
                handler=stats_with_chart(stats.handler),
                usage="[chart]",
                summary="your progress; stats chart draws a picture",
            )
        )
    sections = registry.stats_sections
    from bot.handlers import basic

    if basic.quiz_stats_section in sections:
        sections[sections.index(basic.quiz_stats_section)] = quiz_stats_section
    else:
        sections.insert(0, quiz_stats_section)
