"""The App Home tab: a learner's progress (from the engine's one `progress()`) as a Home view.

`home_progress` picks the figures the tab shows out of `bot.progress.Progress`, the same record
``stats`` reads, so the two never disagree; `render_home` lays them out with three buttons that
start a review, a quiz or a role-play in the learner's DM. Pure functions: nothing here talks to
Slack or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.slack.render import HOME_ACTION, button, context_block, escape_mrkdwn, header_block
from bot.progress import Progress

MAX_VIEW_BLOCKS = 100
# How many recent role-play and exercise scores the tab lists.
SCORES_SHOWN = 3


@dataclass(frozen=True)
class HomeProgress:
    """What the App Home tab shows about one learner."""

    streak_days: int = 0
    due_cards: int = 0
    mastered_terms: int = 0
    seen_terms: int = 0
    total_terms: int = 0
    answers: int = 0
    accuracy_pct: int | None = None
    roleplay_scores: tuple[tuple[str, int], ...] = field(default_factory=tuple)


def home_progress(progress: Progress, title_of: Callable[[str], str]) -> HomeProgress:
    """The Home tab's figures from the learner's `Progress`; `title_of` names a role-play id."""
    scored = [r for r in progress.results if r.score is not None][:SCORES_SHOWN]
    return HomeProgress(
        streak_days=progress.streak,
        due_cards=progress.due_now,
        mastered_terms=progress.mastered,
        seen_terms=progress.seen_terms,
        total_terms=progress.total_terms,
        answers=progress.answers,
        accuracy_pct=progress.accuracy_pct,
        roleplay_scores=tuple((title_of(r.item_id), r.score or 0) for r in scored),
    )


HOME_BUTTONS = (("Review due cards", "review"), ("Quick quiz", "quiz"), ("Role-play", "roleplay"))


def render_home(progress: HomeProgress, *, command: str = "/termcoach") -> dict[str, Any]:
    """The App Home view: progress figures, recent role-play scores, and buttons to start."""

    def field_(label: str, value: str) -> dict[str, str]:
        return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}

    def count(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    accuracy = f" ({progress.accuracy_pct}% correct)" if progress.accuracy_pct is not None else ""
    fields = [
        field_("Streak", count(progress.streak_days, "day")),
        field_("Due for review", count(progress.due_cards, "card")),
        field_("Mastered", count(progress.mastered_terms, "term")),
        field_("Seen", f"{progress.seen_terms} of {count(progress.total_terms, 'term')}"),
        field_("Quiz answers", f"{progress.answers}{accuracy}"),
    ]
    if progress.roleplay_scores:
        scores = "\n".join(
            f"• {escape_mrkdwn(name)}: {score}/100" for name, score in progress.roleplay_scores
        )
    else:
        scores = "No role-plays yet. Press *Role-play* to practise a meeting."
    blocks: list[dict[str, Any]] = [
        header_block("Your termcoach progress"),
        {"type": "section", "fields": fields},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Recent role-plays*\n" + scores}},
        {"type": "divider"},
        {
            "type": "actions",
            "block_id": "home",
            "elements": [
                button(label, f"{HOME_ACTION}{name}", name, "primary" if i == 0 else None)
                for i, (label, name) in enumerate(HOME_BUTTONS)
            ],
        },
        context_block(
            f"Buttons start in your direct messages with termcoach. In any channel, type "
            f"`{command} help` to see every command."
        ),
    ]
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}
