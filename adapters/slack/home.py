"""The App Home tab: a learner's overview (from the engine's one `overview()`) as a Home view.

The figures are `bot.progress.Progress`, the record ``stats`` reads, and the due line is built
from the same `due_parts`, so the two never disagree. A learner who has done nothing yet gets a
welcome with three things to try; the highlighted button follows the state ("Review due cards"
only while something is due now, else "Start a quiz"); today's term and the next meeting's prep
come with a button each. Buttons start their command in the learner's DM. Pure functions:
nothing here talks to Slack or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.slack.render import (
    HOME_ACTION,
    button,
    context_block,
    escape_mrkdwn,
    header_block,
    to_mrkdwn,
)
from bot.overview import Overview
from bot.progress import Progress, due_parts
from bot.wording import count

MAX_VIEW_BLOCKS = 100
# How many recent role-play and exercise scores the tab lists.
SCORES_SHOWN = 3
WELCOME = (
    "I help you with the English of ML platform work: the terms, and saying them clearly in "
    "meetings. Three things to try:\n"
    "1. *A quick quiz*: five questions on one topic, about two minutes.\n"
    "2. *Today's term*: one card with its meaning, an example and how to say it.\n"
    "3. *A role-play*: explain a topic to a colleague; I play them and give you feedback."
)


def home_button(label: str, command: str, primary: bool = False) -> dict[str, Any]:
    """A Home button: its value is the command (with arguments) it runs in the learner's DM."""
    name = command.split(" ", 1)[0]
    return button(label, f"{HOME_ACTION}{name}", command, "primary" if primary else None)


def figures(done: Progress) -> list[dict[str, str]]:
    """The progress fields, worded as ``stats`` words them."""

    def field_(label: str, value: str) -> dict[str, str]:
        return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}

    accuracy = f" ({done.accuracy_pct}% right)" if done.accuracy_pct is not None else ""
    return [
        field_("Terms seen", f"{done.seen_terms} of {done.total_terms}"),
        field_("Due for review", ", ".join(due_parts(done))),
        field_("Mastered", count(done.mastered, "term")),
        field_("Streak", f"{count(done.streak, 'day')} (longest {done.longest_streak})"),
        field_("Quiz answers", f"{done.answers}{accuracy}"),
    ]


def start_buttons(view: Overview) -> list[dict[str, Any]]:
    """The buttons to start something; the highlighted one is what makes sense right now."""
    if view.first_run:
        return [
            home_button("Start a quiz", "quiz", primary=True),
            home_button("Today's term", f"term {view.term.id}" if view.term else "term"),
            home_button("Role-play", "roleplay"),
        ]
    due_now = view.progress.due_now > 0
    buttons = [home_button("Review due cards", "review", primary=True)] if due_now else []
    buttons += [
        home_button("Start a quiz", "quiz", primary=not due_now),
        home_button("Role-play", "roleplay"),
    ]
    return buttons


def _section(text: str, block_id: str, accessory: dict[str, Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "block_id": block_id,
        "text": {"type": "mrkdwn", "text": text[:3000]},
    }
    if accessory is not None:
        block["accessory"] = accessory
    return block


def render_home(
    view: Overview,
    title_of: Callable[[str], str] = str,
    *,
    command: str = "/termcoach",
) -> dict[str, Any]:
    """The App Home view: welcome or figures, today's term, the meeting, buttons to start.

    `title_of` names a role-play or exercise by its id.
    """
    done = view.progress
    blocks: list[dict[str, Any]] = []
    if view.first_run:
        blocks += [header_block("Welcome to termcoach"), _section(to_mrkdwn(WELCOME), "welcome")]
    else:
        blocks += [
            header_block("Your termcoach progress"),
            {"type": "section", "block_id": "figures", "fields": figures(done)},
        ]
        scored = [r for r in done.results if r.score is not None][:SCORES_SHOWN]
        scores = "\n".join(f"• {escape_mrkdwn(title_of(r.item_id))}: {r.score}/100" for r in scored)
        blocks.append(
            _section(
                "*Recent role-plays*\n"
                + (scores or "None yet. Press *Role-play* to practise a meeting."),
                "scores",
            )
        )
    if view.term is not None and not view.first_run:
        term = view.term
        blocks.append(
            _section(
                f"*Today's term: {escape_mrkdwn(term.name)}*\n{escape_mrkdwn(term.gloss)}",
                "term",
                home_button("Show the card", f"term {term.id}"),
            )
        )
    if view.meeting is not None:
        meeting = view.meeting
        when = f" {meeting.when}" if meeting.when else ""
        blocks.append(
            _section(
                f"*Your meeting with {escape_mrkdwn(meeting.audience)}{when}*\n"
                "Five minutes of prep: six key terms, a quick quiz and a short role-play "
                f"(`{command} prep {meeting.prep}`).",
                "meeting",
                home_button("Prep for it", f"prep {meeting.prep}"),
            )
        )
    blocks += [
        {"type": "divider"},
        {"type": "actions", "block_id": "home", "elements": start_buttons(view)},
        context_block(
            f"Buttons start in your direct messages with termcoach. In any channel, type "
            f"`{command} help` to see every command."
        ),
    ]
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
