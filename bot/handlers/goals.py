"""The learner's goal: the meeting they prepare (its audience and date) and their English level.

Kept in the learner's settings (a JSON dict): ``settings["meeting"] = {"audience": "pm",
"date": "2026-12-08"}`` (the role-play's "Recommended for you" reads the audience) and
``settings["level"] = "b1" | "b2" | "c1"``. Onboarding asks for them, `settings` changes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.context import TurnContext
from bot.quiz.streaks import local_date, zone
from storage import turns

MEETING_KEY = "meeting"
LEVEL_KEY = "level"


@dataclass(frozen=True)
class Audience:
    """Who a meeting is with: a payload code, the stored audience, and how to say it."""

    code: str
    audience: str
    label: str
    said: str


AUDIENCES: tuple[Audience, ...] = (
    Audience("pm", "pm", "A meeting with a PM", "a product manager"),
    Audience("vp", "vp", "A meeting with a VP", "a VP"),
    Audience("compliance", "compliance", "A meeting with compliance", "compliance"),
    Audience("ds", "data scientists", "A meeting with data scientists", "data scientists"),
    Audience("sre", "sre", "A meeting with SREs", "the SRE team"),
)
# Labels of at most 40 characters: Telegram shows longer ones as numbered lines instead.
LEVELS: dict[str, str] = {
    "b1": "B1: finding the words is hard",
    "b2": "B2: I manage, I want to sound clear",
    "c1": "C1: fluent, I want the exact terms",
}


def audience_by(text: str) -> Audience | None:
    """The audience named by a code, a stored name or a common word ("PM", "data science")."""
    norm = text.strip().lower()
    words = {
        "product manager": "pm",
        "product": "pm",
        "vp engineering": "vp",
        "leadership": "vp",
        "data scientist": "ds",
        "data science": "ds",
        "scientists": "ds",
        "site reliability": "sre",
        "sres": "sre",
        "legal": "compliance",
    }
    norm = words.get(norm, norm)
    return next((a for a in AUDIENCES if norm in (a.code, a.audience)), None)


def meeting_of(settings: dict[str, Any]) -> tuple[Audience, date | None] | None:
    """The stored meeting: its audience and date (None when it has no date)."""
    meeting = settings.get(MEETING_KEY)
    if not isinstance(meeting, dict):
        return None
    found = audience_by(str(meeting.get("audience", "")))
    if found is None:
        return None
    try:
        day = date.fromisoformat(str(meeting.get("date", "")))
    except ValueError:
        day = None
    return found, day


_IN_DAYS = re.compile(r"^in (\d{1,2}) days?$")


def parse_when(text: str, today: date) -> date | None:
    """A meeting day typed or pressed: an ISO date, today, tomorrow, "in 3 days", next week."""
    norm = text.strip().lower()
    fixed = {"today": 0, "tomorrow": 1, "days": 3, "this week": 3, "week": 7, "next week": 7}
    if norm in fixed:
        return today + timedelta(days=fixed[norm])
    match = _IN_DAYS.match(norm)
    if match:
        return today + timedelta(days=int(match.group(1)))
    try:
        return date.fromisoformat(norm)
    except ValueError:
        return None


def today_for(ctx: TurnContext) -> date:
    """The learner's local date."""
    return local_date(ctx.now, zone(ctx.learner.timezone))


async def save_goal(
    ctx: TurnContext,
    audience: Audience | None,
    day: date | None,
    level: str | None,
    *,
    keep_meeting: bool = False,
) -> None:
    """Store the meeting (or none) and the level in the learner's settings."""
    settings = dict(ctx.learner.settings)
    if audience is not None:
        meeting: dict[str, str] = {"audience": audience.audience}
        if day is not None:
            meeting["date"] = day.isoformat()
        settings[MEETING_KEY] = meeting
    elif not keep_meeting:
        settings.pop(MEETING_KEY, None)
    if level is not None:
        settings[LEVEL_KEY] = level
    await turns.update_learner(ctx.session, ctx.learner.id, settings=settings)
    ctx.learner.settings = settings


def day_words(day: date, today: date) -> str:
    """When a day falls, seen from today: "today", "tomorrow", "in 3 days" or "on Mon 14 Dec"."""
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if 1 < days < 7:
        return f"in {days} days"
    if days < 0:
        return f"on {day:%a %d %b} (past)"
    return f"on {day:%a %d %b}"
