"""Progress for learners: the quiz stats section, ``stats chart`` and ``settings``."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Handler
from bot.context import TurnContext
from bot.messages import Image, Reply, escape
from bot.quiz import store
from bot.quiz.activity import due_today
from bot.quiz.chart import per_day, render_png
from bot.quiz.questions import short_name
from bot.quiz.srs import MASTERED_STABILITY_DAYS
from bot.quiz.streaks import day_end, local_date, longest_streak, streak_at, zone
from bot.timezones import find_zone, zone_label
from bot.wording import count
from storage import repos

MAX_NEW_PER_DAY = 50
TROUBLE_SHOWN = 3


async def quiz_stats_section(ctx: TurnContext) -> list[str]:
    """Terms seen, due now and later today, mastered, streak, accuracy per topic, trouble terms."""
    pack = ctx.pack
    learner = ctx.learner
    tz = zone(learner.timezone)
    seen = await repos.seen_terms(ctx.session, learner.id)
    cards = list((await store.load_cards(ctx.session, learner.id)).values())
    end_today = day_end(local_date(ctx.now, tz), tz)
    due_now, later_today = due_today(cards, ctx.now, end_today)
    due_line = "Due for review: " + (f"{due_now} now (type /review)" if due_now else "none now")
    if later_today:
        due_line += f", {later_today} {'more ' if due_now else ''}later today"
    mastered = sum(1 for c in cards if c.mastered)
    times = await store.practice_times(ctx.session, learner.id)
    streak = streak_at(times, ctx.now, tz)
    best = longest_streak(local_date(t, tz) for t in times)
    counts = await store.wrong_counts(ctx.session, learner.id)
    lines = [
        f"Terms seen: {len(seen & set(pack.terms))} of {len(pack.terms)}",
        due_line,
        f"Mastered: {mastered} (memory stable for {MASTERED_STABILITY_DAYS:.0f}+ days)",
        f"Streak: {count(streak, 'day')} (longest {best})",
    ]
    total = sum(n for _, n in counts.values())
    if not total:
        lines.append("No quiz answers yet. Type /quiz or /review to start.")
        return lines
    right = total - sum(w for w, _ in counts.values())
    lines.append(f"Quiz answers: {total}, {round(100 * right / total)}% right")
    lines.append("Accuracy by topic:")
    for topic in pack.pack.topics:
        ids = {t.id for t in pack.terms_in(topic)}
        n = sum(v[1] for k, v in counts.items() if k in ids)
        if n:
            r = n - sum(v[0] for k, v in counts.items() if k in ids)
            lines.append(f"- {escape(topic.title)}: {r} of {n} right ({round(100 * r / n)}%)")
    trouble = sorted(
        ((w, n, t) for t, (w, n) in counts.items() if w and t in pack.terms),
        key=lambda x: (-x[0], -x[0] / x[1], x[2]),
    )[:TROUBLE_SHOWN]
    if trouble:
        parts = [f"{escape(short_name(pack.terms[t]))} (wrong {w} of {n})" for w, n, t in trouble]
        lines.append("Most trouble: " + ", ".join(parts))
    return lines


async def chart_reply(ctx: TurnContext) -> Reply:
    """A PNG of reviews and accuracy per day over the last 30 local days."""
    tz = zone(ctx.learner.timezone)
    today = local_date(ctx.now, tz)
    since = ctx.now - timedelta(days=31)
    reviews = await store.reviews_since(ctx.session, ctx.learner.id, since)
    answers = await store.attempts_since(ctx.session, ctx.learner.id, since)
    if not reviews and not answers:
        return Reply("Nothing to chart yet: answer a few questions with /quiz or /review first.")
    days = per_day(reviews, answers, today, tz)
    png = render_png(days)
    total = sum(d.answers for d in days)
    right = sum(d.right for d in days)
    done = count(sum(d.reviews for d in days), "review")
    caption = f"Last 30 days: {done}, {round(100 * right / max(total, 1))}% right."
    return Reply(
        caption,
        image=Image(png=png, filename=f"termcoach-stats-{today:%Y%m%d}.png", caption=caption),
    )


def stats_with_chart(plain: Handler) -> Handler:
    """Wrap the ``stats`` handler so ``stats chart`` sends the PNG chart instead."""

    async def stats(ctx: TurnContext, args: str) -> list[Reply]:
        if args.strip().lower() in ("chart", "graph", "plot", "picture"):
            return [await chart_reply(ctx)]
        return await plain(ctx, args)

    return stats


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
        await repos.update_learner(ctx.session, learner.id, timezone=name)
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
        await repos.update_learner(ctx.session, learner.id, new_per_day=int(value))
        learner.new_per_day = int(value)
        return [Reply(f"New terms per day set to *{int(value)}*.")]
    if key in ("quiz", "mode", "questions"):
        mode = value.lower()
        if mode in ("poll", "polls"):
            await repos.update_learner(ctx.session, learner.id, quiz_mode="poll")
            learner.quiz_mode = "poll"
            return [
                Reply(
                    "Questions will come as quiz polls where the platform has them (Telegram); "
                    "elsewhere, and for typed questions, as normal messages."
                )
            ]
        if mode in ("buttons", "button"):
            await repos.update_learner(ctx.session, learner.id, quiz_mode="buttons")
            learner.quiz_mode = "buttons"
            return [Reply("Questions will come as messages with their options to choose from.")]
        return [Reply("Use `/settings quiz poll` or `/settings quiz buttons`.", kind="error")]
    return [Reply(f"I don't know the setting “{escape(key[:40])}”.\n\n{SETTINGS_HELP}")]
