"""The ``daily`` command: turn the daily term on or off in this conversation, or show it."""

from __future__ import annotations

from datetime import datetime

from bot.commands import Feature
from bot.context import CommandSpec, TurnContext
from bot.daily.post import ACTION_PREFIX, daily_action, place_key
from bot.daily.schedule import (
    DEFAULT_TIME,
    EXAMPLE,
    Schedule,
    ScheduleError,
    local_date,
    next_post_at,
    parse_on_args,
    schedule_of,
)
from bot.messages import Reply, escape
from bot.timezones import zone_label
from storage import subscriptions as store

USAGE = "[on [HH:MM] [timezone] [weekdays|every day] | off]"
HOW = (
    "Use `/daily on [HH:MM] [timezone] [weekdays|every day]` to set it, for example "
    f"`{EXAMPLE}`, and `/daily off` to stop it."
)


def _thread_key(ctx: TurnContext) -> str:
    return place_key(ctx.ref)


def permission_problem(ctx: TurnContext) -> str | None:
    """Why this person may not change the chat's subscription, or None when they may.

    In a shared chat only an admin may; the adapter decides who is one (`Inbound.is_admin`:
    a Telegram group's administrators, the Slack admins of TERMCOACH_SLACK_ADMINS or anyone
    when it is empty). In a direct message the learner decides for themself.
    """
    if ctx.inbound.is_group and not ctx.inbound.is_admin:
        return "In a shared chat only an administrator can change the daily term. Ask one of them."
    return None


def defaults(ctx: TurnContext) -> Schedule:
    """09:00; a DM uses the learner's timezone and every day, a group the workspace's and weekdays."""
    if ctx.inbound.is_group:
        return Schedule(DEFAULT_TIME, ctx.config.default_timezone, weekdays_only=True)
    return Schedule(DEFAULT_TIME, ctx.learner.timezone or "UTC", weekdays_only=False)


def _when(schedule: Schedule, at: datetime, now: datetime) -> str:
    local = at.astimezone(schedule.zone)
    if at <= now:
        return "in a moment"
    day = "today" if local.date() == local_date(schedule, now) else f"{local:%a %d %b}"
    return f"{day} at {local:%H:%M}"


async def _describe(ctx: TurnContext, sub: store.SubscriptionRow) -> str:
    schedule = schedule_of(sub)
    today = await store.delivery_for(ctx.session, sub.id, local_date(schedule, ctx.now))
    done = today is not None and today.status != store.CLAIMED
    days = "every weekday" if schedule.weekdays_only else "every day"
    nxt = next_post_at(schedule, ctx.now, done_today=done)
    return (
        f"{days} at {schedule.local_time} ({escape(zone_label(schedule.timezone))}). "
        f"Next term: {_when(schedule, nxt, ctx.now)}."
    )


async def show(ctx: TurnContext) -> list[Reply]:
    """The conversation's subscription, or how to start one."""
    ref = ctx.ref
    sub = await store.get_subscription(
        ctx.session, ref.platform, ref.workspace, ref.chat, _thread_key(ctx)
    )
    if sub is None or not sub.active:
        return [Reply(f"The daily term is off here. {HOW}", title="Daily term")]
    text = f"The daily term is on here: {await _describe(ctx, sub)}\n\n{HOW}"
    return [Reply(text, title="Daily term")]


async def turn_on(ctx: TurnContext, args: str) -> list[Reply]:
    """Create or change the conversation's subscription."""
    problem = permission_problem(ctx)
    if problem:
        return [Reply(problem, kind="error")]
    try:
        change = parse_on_args(args)
    except ScheduleError as exc:
        return [Reply(escape(str(exc)), kind="error")]
    ref = ctx.ref
    existing = await store.get_subscription(
        ctx.session, ref.platform, ref.workspace, ref.chat, _thread_key(ctx)
    )
    base = schedule_of(existing) if existing is not None else defaults(ctx)
    schedule = Schedule(
        change.local_time or base.local_time,
        change.timezone or base.timezone,
        base.weekdays_only if change.weekdays_only is None else change.weekdays_only,
    )
    # The walk order is seeded once per subscription and kept when it is changed or resumed.
    seed = existing.order_seed if existing is not None else ctx.rng.getrandbits(62)
    sub = await store.save_subscription(
        ctx.session,
        platform=ref.platform,
        workspace=ref.workspace,
        chat=ref.chat,
        thread_key=_thread_key(ctx),
        is_group=ctx.inbound.is_group,
        local_time=schedule.local_time,
        timezone=schedule.timezone,
        weekdays_only=schedule.weekdays_only,
        seed=seed,
        user=ref.user,
        now=ctx.now,
    )
    text = f"The daily term is on: {await _describe(ctx, sub)}"
    if not args.strip():
        text += f"\n\nTo change it: `{EXAMPLE}`. To stop: `/daily off`."
    return [Reply(text, title="Daily term")]


async def turn_off(ctx: TurnContext) -> list[Reply]:
    """Stop the conversation's subscription (its place in the walk is kept for later)."""
    problem = permission_problem(ctx)
    if problem:
        return [Reply(problem, kind="error")]
    ref = ctx.ref
    sub = await store.get_subscription(
        ctx.session, ref.platform, ref.workspace, ref.chat, _thread_key(ctx)
    )
    if sub is None or not sub.active:
        return [Reply("The daily term is already off here. `/daily on` starts it.")]
    await store.deactivate(ctx.session, sub.id, f"turned off by {ref.user}", ctx.now)
    return [Reply("The daily term is off. `/daily on` starts it again where it left off.")]


async def daily_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``daily``, ``daily on [HH:MM] [timezone] [weekdays|every day]``, ``daily off``."""
    word, _, rest = args.strip().partition(" ")
    verb = word.lower()
    if verb in ("", "show", "status"):
        return await show(ctx)
    if verb in ("on", "start", "subscribe", "set"):
        return await turn_on(ctx, rest)
    if verb in ("off", "stop", "unsubscribe"):
        return await turn_off(ctx)
    return [Reply(f"I did not understand “{escape(word[:40])}”. {HOW}", kind="error")]


def feature() -> Feature:
    """The ``daily`` command and the daily post's button actions."""
    return Feature(
        name="daily",
        commands=(
            CommandSpec(
                "daily",
                "a term every morning in this chat (on, off, or show the schedule)",
                daily_command,
                usage=USAGE,
                group="Daily term",
                keeps_activity=True,
            ),
        ),
        actions=((ACTION_PREFIX, daily_action),),
    )
