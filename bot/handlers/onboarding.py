"""``start``: a new learner's three questions and today's plan; ``learn``: five new terms.

A new learner is asked, with buttons, what they prepare (a meeting and with whom, or just
learning), when, and their level, and gets a plan for today: for a meeting today or tomorrow,
the five-minute prep and the meeting's role-play; else five new terms, each card read first and
then a short quiz on them (never a quiz on terms they have not seen). Payloads carry the answers
so far (``start:when:pm``, ``start:level:pm:2026-12-08``), so nothing is stored until the end and
a restart loses nothing. A learner who is back hears what is due.
"""

from __future__ import annotations

from datetime import date

from bot import progress
from bot.cards import remember_shown, term_card
from bot.context import TurnContext
from bot.handlers.goals import (
    AUDIENCES,
    LEVEL_KEY,
    LEVELS,
    Audience,
    audience_by,
    day_words,
    meeting_of,
    parse_when,
    save_goal,
    today_for,
)
from bot.messages import Choice, Reply, escape
from bot.quiz.activity import QuizActivity
from bot.quiz.plan import space_pairs
from bot.quiz.question import short_name
from bot.roleplay.catalog import audience_scenarios
from storage import terms_seen

ACTION_PREFIX = "start"
LEARN_SIZE = 5
_WHEN = (
    ("Today", "today"),
    ("Tomorrow", "tomorrow"),
    ("In a few days", "days"),
    ("Next week", "week"),
    ("No date yet", "none"),
)


async def start_command(ctx: TurnContext, args: str) -> list[Reply]:
    """Welcome a new learner with three questions, or a learner who is back with what is due."""
    name = ctx.learner.display_name or ""
    to = f", {escape(name)}" if name else ""
    seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
    if seen or LEVEL_KEY in ctx.learner.settings:
        return [await _welcome_back(ctx, to)]
    # Two lines and buttons: a first contact is read on a phone, and /help is in the menu.
    text = (
        f"Hello{to}! Welcome to termcoach: the English of ML platform work, its terms and how "
        "to say them clearly in meetings.\n"
        "*1 of 3: What are you preparing for?* Then a plan for today (/help lists everything)."
    )
    choices = tuple(Choice(a.label, f"{ACTION_PREFIX}:goal:{a.code}") for a in AUDIENCES)
    choices += (Choice("Just learning", f"{ACTION_PREFIX}:goal:none"),)
    return [Reply(text, choices=choices, title="Welcome")]


async def _welcome_back(ctx: TurnContext, to: str) -> Reply:
    cards = (await progress.review_cards(ctx.session, ctx.pack, ctx.learner.id)).values()
    lines = [f"Welcome back{to}! {progress.next_review_line(cards, ctx.now, ctx.learner.timezone)}"]
    meeting = meeting_of(ctx.learner.settings)
    choices: list[Choice] = []
    if any(c.is_due(ctx.now) for c in cards):
        choices.append(Choice("Review due terms", "cmd:review"))
    if meeting is not None:
        audience, day = meeting
        today = today_for(ctx)
        if day is not None and day >= today:
            lines.append(
                f"🗓 Your meeting with {audience.said} is {day_words(day, today)}: "
                f"/prep {audience.code} gets you ready in five minutes."
            )
            choices.append(Choice("Prep for the meeting", f"cmd:prep {audience.code}"))
    choices += [Choice("5 new terms", "cmd:learn"), Choice("All commands", "cmd:help")]
    return Reply("\n".join(lines), choices=tuple(choices))


async def onboarding_action(ctx: TurnContext, rest: str) -> list[Reply]:
    """A press on one of the onboarding buttons (``start:<step>:<answers so far>``)."""
    step, _, answers = rest.partition(":")
    parts = answers.split(":")
    if step == "goal":
        audience = audience_by(parts[0])
        if audience is None:
            return [_level_question("none", "-", "*2 of 2: How is your English at work?*")]
        return [_when_question(audience)]
    if step == "when" and len(parts) >= 2:
        day = parse_when(parts[1], today_for(ctx))
        stamp = day.isoformat() if day else "-"
        return [_level_question(parts[0], stamp, "*3 of 3: How is your English at work?*")]
    if step == "level" and len(parts) >= 3:
        return await _finish(ctx, parts[0], parts[1], parts[2])
    return [Reply("That button has expired. Type /start to begin again.")]


def _when_question(audience: Audience) -> Reply:
    choices = tuple(
        Choice(label, f"{ACTION_PREFIX}:when:{audience.code}:{code}") for label, code in _WHEN
    )
    return Reply(f"*2 of 3: When is your meeting with {audience.said}?*", choices=choices)


def _level_question(code: str, stamp: str, head: str) -> Reply:
    choices = tuple(
        Choice(label, f"{ACTION_PREFIX}:level:{code}:{stamp}:{level}")
        for level, label in LEVELS.items()
    )
    return Reply(head, choices=choices)


async def _finish(ctx: TurnContext, code: str, stamp: str, level: str) -> list[Reply]:
    audience = audience_by(code)
    try:
        day = date.fromisoformat(stamp)
    except ValueError:
        day = None
    level = level if level in LEVELS else "b2"
    await save_goal(ctx, audience, day, level)
    today = today_for(ctx)
    saved = f"Saved: level {level.upper()}"
    if audience is not None:
        when = day_words(day, today) if day else "no date yet"
        saved += f", a meeting with {audience.said} ({when})"
    lines = [f"{saved}. You can change it any time with /settings.", ""]
    scenarios = audience_scenarios(ctx.pack, audience.audience) if audience else []
    if audience is not None and day is not None and (day - today).days <= 1 and scenarios:
        scenario = scenarios[0]
        lines += [
            "*Today's plan* (about 15 minutes):",
            f"1. /prep {audience.code}: the key terms for the meeting, a short quiz, and "
            "a short role-play.",
            f"2. The full role-play “{escape(scenario.title)}”: say it once before the "
            "real meeting.",
        ]
        choices = (
            Choice("Start the prep", f"cmd:prep {audience.code}"),
            Choice(f"Role-play: {scenario.title}"[:60], f"cmd:roleplay {scenario.id}"),
        )
    else:
        lines += [
            "*Today's plan* (about 10 minutes): five new terms. You read each card, then a "
            "short quiz on the five.",
        ]
        if audience is not None:
            lines.append(
                f"Before the meeting: /prep {audience.code} and a role-play with {audience.said}."
            )
        choices = (Choice("Start: 5 new terms", "cmd:learn"), Choice("All commands", "cmd:help"))
    lines.append("Type /help for everything I can do.")
    return [Reply("\n".join(lines), choices=choices)]


async def _new_terms(ctx: TurnContext) -> list[str]:
    """Five terms the learner has not met, the meeting's terms first, no confusable pair."""
    seen = await terms_seen.seen_terms(ctx.session, ctx.learner.id)
    cards = await progress.load_cards(ctx.session, ctx.learner.id)
    order = list(ctx.pack.term_order)
    meeting = meeting_of(ctx.learner.settings)
    if meeting is not None:
        first = [
            t for s in audience_scenarios(ctx.pack, meeting[0].audience) for t in s.target_terms
        ]
        order = list(dict.fromkeys([*first, *order]))
    fresh = [t for t in order if t in ctx.pack.terms and t not in seen and t not in cards]
    return space_pairs(ctx.pack, fresh, cards)[:LEARN_SIZE]


async def learn_command(ctx: TurnContext, args: str) -> list[Reply]:
    """``learn``: five new terms, one card at a time, then a quiz on them."""
    verb, _, rest = args.strip().partition(" ")
    if verb == "quiz":
        ids = [t for t in rest.split(",") if t in ctx.pack.terms]
        quiz = ctx.features.activity("quiz")
        if not ids or not isinstance(quiz, QuizActivity):
            return [Reply("Type /quiz to start a quiz.")]
        return await quiz.start_on_terms(ctx, ids, "today's new terms")
    if verb == "next":
        ids_text, _, index_text = rest.partition(" ")
        ids = [t for t in ids_text.split(",") if t in ctx.pack.terms]
        index = int(index_text) if index_text.isdigit() else 0
    else:
        ids, index = await _new_terms(ctx), 0
    if not ids:
        return [Reply("You have met every term in the pack. Type /review to practise them.")]
    index = min(index, len(ids) - 1)
    term = ctx.pack.terms[ids[index]]
    await terms_seen.mark_seen(ctx.session, ctx.learner.id, term.id, ctx.now)
    remember_shown(ctx.state, term.id)
    card = term_card(ctx.pack, term, with_buttons=False)
    joined = ",".join(ids)
    if index + 1 < len(ids):
        nxt = Choice(
            f"Next term ({index + 2} of {len(ids)})", f"cmd:learn next {joined} {index + 1}"
        )
    else:
        nxt = Choice(f"Quiz me on these {len(ids)}", f"cmd:learn quiz {joined}")
    head = f"*New term {index + 1} of {len(ids)}*"
    if index + 1 == len(ids):
        names = ", ".join(short_name(ctx.pack.terms[t]) for t in ids)
        head += f" · next, a short quiz on {escape(names)}"
    return [Reply(f"{head}\n{card.text}", choices=(nxt,), title=card.title, kind="card")]
