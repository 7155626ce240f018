"""``settings``: the learner's time zone, new terms per day, and polls or buttons."""

from __future__ import annotations

from bot.context import TurnContext
from bot.handlers.goals import (
    LEVEL_KEY,
    LEVELS,
    audience_by,
    day_words,
    meeting_of,
    parse_when,
    save_goal,
    today_for,
)
from bot.messages import Reply, escape
from bot.quiz.streaks import zone
from bot.timezones import find_zone, zone_label
from storage import turns

MAX_NEW_PER_DAY = 50

SETTINGS_HELP = (
    "Change a setting like this:\n"
    "- `/settings timezone Europe/Berlin`: your time zone (for streaks and daily limits)\n"
    "- `/settings new 5`: new terms per day in /review (0 to 50)\n"
    "{polls}"
    "- `/settings meeting pm 2026-12-08` (or `tomorrow`, `next week`; `/settings meeting off`): "
    "the meeting you prepare (pm, vp, compliance, ds, sre)\n"
    "- `/settings level b1` (b1, b2 or c1): your English level"
)
POLLS_HELP = (
    "- `/settings quiz poll` or `/settings quiz buttons`: questions as quiz polls or buttons\n"
)


def settings_help(ctx: TurnContext) -> str:
    """How to change each setting; quiz polls only where the platform has them."""
    return SETTINGS_HELP.format(polls=POLLS_HELP if ctx.native_quiz else "")


def _meeting_text(ctx: TurnContext) -> str:
    meeting = meeting_of(ctx.learner.settings)
    if meeting is None:
        return "none"
    audience, day = meeting
    when = day_words(day, today_for(ctx)) if day else "no date"
    return f"with {audience.said}, {when}"


def _show(ctx: TurnContext) -> str:
    learner = ctx.learner
    mode = "quiz polls" if learner.quiz_mode == "poll" else "buttons"
    asked = f"- Questions as: {mode}\n" if ctx.native_quiz else ""
    level = str(learner.settings.get(LEVEL_KEY, "not set")).upper()
    return (
        f"*Your settings*\n"
        f"- Time zone: {escape(zone_label(learner.timezone))}\n"
        f"- New terms per day: {learner.new_per_day}\n"
        f"{asked}"
        f"- Meeting: {escape(_meeting_text(ctx))}\n"
        f"- English level: {escape(level)}\n\n{settings_help(ctx)}"
    )


async def _meeting(ctx: TurnContext, value: str) -> list[Reply]:
    """``settings meeting AUDIENCE [WHEN]`` or ``settings meeting off``."""
    if value.lower() in ("off", "none", "no", "clear"):
        await save_goal(ctx, None, None, None)
        return [Reply("Meeting cleared. /start or `/settings meeting pm tomorrow` sets one.")]
    words = value.split()
    for size in (2, 1):
        audience = audience_by(" ".join(words[:size])) if len(words) >= size else None
        if audience is not None:
            when = " ".join(words[size:])
            day = parse_when(when, today_for(ctx)) if when else None
            if when and day is None:
                break
            await save_goal(ctx, audience, day, None)
            return [
                Reply(f"Meeting set: with {audience.said}, {_meeting_text(ctx).split(', ')[-1]}.")
            ]
    return [
        Reply(
            "Say who the meeting is with (pm, vp, compliance, ds or sre) and, if you like, "
            "when: for example `/settings meeting pm tomorrow` or `/settings meeting vp "
            "2026-12-14`.",
            kind="error",
        )
    ]


async def _level(ctx: TurnContext, value: str) -> list[Reply]:
    level = value.strip().lower()
    if level not in LEVELS:
        return [Reply("Use `/settings level b1`, `b2` or `c1`.", kind="error")]
    await save_goal(ctx, None, None, level, keep_meeting=True)
    return [Reply(f"English level set to *{level.upper()}*.")]


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
                    f"Your time zone is {escape(zone_label(learner.timezone))}.\n\n"
                    + settings_help(ctx)
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
    if key in ("meeting", "goal"):
        return await _meeting(ctx, value)
    if key in ("level", "english"):
        return await _level(ctx, value)
    if key in ("quiz", "mode", "questions"):
        mode = value.lower()
        if mode in ("poll", "polls"):
            if not ctx.native_quiz:
                return [Reply("Quiz polls are not available here: questions come with buttons.")]
            await turns.update_learner(ctx.session, learner.id, quiz_mode="poll")
            learner.quiz_mode = "poll"
            return [
                Reply(
                    "Questions will come as quiz polls where the platform has them; "
                    "elsewhere, and for typed questions, as normal messages."
                )
            ]
        if mode in ("buttons", "button"):
            await turns.update_learner(ctx.session, learner.id, quiz_mode="buttons")
            learner.quiz_mode = "buttons"
            return [Reply("Questions will come as messages with their options to choose from.")]
        return [Reply("Use `/settings quiz poll` or `/settings quiz buttons`.", kind="error")]
    return [Reply(f"I don't know the setting “{escape(key[:40])}”.\n\n{settings_help(ctx)}")]
