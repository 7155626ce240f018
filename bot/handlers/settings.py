"""``settings``: the learner's time zone, new terms per day, and polls or buttons."""

from __future__ import annotations

from bot.context import TurnContext
from bot.messages import Reply, escape
from bot.quiz.streaks import zone
from bot.timezones import find_zone, zone_label
from storage import turns

MAX_NEW_PER_DAY = 50

SETTINGS_HELP = (
    "Change a setting like this:\n"
    "- `/settings timezone Europe/Berlin`: your time zone (for streaks and daily limits)\n"
    "- `/settings new 5`: new terms per day in /review (0 to 50)\n"
    "- `/settings quiz poll` or `/settings quiz buttons`: how questions are shown on Telegram"
)


def _show(ctx: TurnContext) -> str:
    learner = ctx.learner
    mode = "quiz polls" if learner.quiz_mode == "poll" else "buttons"
    return (
        f"*Your settings*\n"
        f"- Time zone: {escape(zone_label(learner.timezone))}\n"
        f"- New terms per day: {learner.new_per_day}\n"
        f"- Questions as: {mode}\n\n{SETTINGS_HELP}"
    )


async def settings_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``settings [timezone ZONE | new N | quiz poll|buttons]``: show or change a setting."""
    key, _, value = args.strip().partition(" ")
    key = key.lower()
    value = value.strip()
    learner = ctx.learner
    if not key:
        return [Reply(_show(ctx))]
    if key in ("timezone", "tz", "zone", "time"):
        if key == "time" and value.lower().startswith("zone"):
            value = value[4:].strip()
        if not value:
            return [
                Reply(
                    f"Your time zone is {escape(zone_label(learner.timezone))}.\n\n{SETTINGS_HELP}"
                )
            ]
        name, suggestions = find_zone(value)
        if name is None:
            hint = ""
            if suggestions:
                hint = " Did you mean " + " or ".join(f"`{escape(s)}`" for s in suggestions) + "?"
            return [
                Reply(
                    f"I don't know the time zone “{escape(value[:60])}”.{hint} "
                    "Use a region and city, or an offset from UTC, for example "
                    "`/settings timezone Europe/Berlin` or `/settings timezone UTC+2`.",
                    kind="error",
                )
            ]
        await turns.update_learner(ctx.session, learner.id, timezone=name)
        learner.timezone = name
        now_there = ctx.now.astimezone(zone(name))
        return [
            Reply(
                f"Time zone set to *{escape(zone_label(name))}* (it is {now_there:%H:%M} there now). "
                "Your streak and your new terms per day now count days in this time zone."
            )
        ]
    if key in ("new", "new_per_day", "newperday"):
        if not (value.isascii() and value.isdigit()) or not 0 <= int(value) <= MAX_NEW_PER_DAY:
            return [
                Reply(
                    f"Please give a number from 0 to {MAX_NEW_PER_DAY}, "
                    "for example `/settings new 5`.",
                    kind="error",
                )
            ]
        await turns.update_learner(ctx.session, learner.id, new_per_day=int(value))
        learner.new_per_day = int(value)
        return [Reply(f"New terms per day set to *{int(value)}*.")]
    if key in ("quiz", "mode", "questions"):
        mode = value.lower()
        if mode in ("poll", "polls"):
            await turns.update_learner(ctx.session, learner.id, quiz_mode="poll")
            learner.quiz_mode = "poll"
            return [
                Reply(
                    "Questions will come as quiz polls where the platform has them (Telegram); "
                    "elsewhere, and for typed questions, as normal messages."
                )
            ]
        if mode in ("buttons", "button"):
            await turns.update_learner(ctx.session, learner.id, quiz_mode="buttons")
            learner.quiz_mode = "buttons"
            return [Reply("Questions will come as messages with their options to choose from.")]
        return [Reply("Use `/settings quiz poll` or `/settings quiz buttons`.", kind="error")]
    return [Reply(f"I don't know the setting “{escape(key[:40])}”.\n\n{SETTINGS_HELP}")]
