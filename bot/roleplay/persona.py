"""The rubric persona: what the audience asks next, decided from the rubric (pure functions).

The LLM persona (`bot.roleplay.llm`) only rewords these decisions; it never decides what to ask,
so a conversation goes the same way with or without a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.roleplay.rubric import Assessment, Level, Rubric, unexplained_in
from content.index import PackIndex
from content.models import KeyPoint, Scenario

MAX_TURNS = 4
SHORT_TURNS = 2

_JARGON_QUESTION: dict[str, str] = {
    "low": "Sorry, I don't know the word “{word}”. What does it mean, in everyday words?",
    "medium": "Quick check: what do you mean by “{word}”, and why does it matter for us?",
    "high": "What exactly do you mean by “{word}” here?",
}
_DONE_LINE: dict[str, str] = {
    "low": "Thanks, that's clear. I have what I need.",
    "medium": "Thanks, that answers my questions.",
    "high": "Thanks, that covers it.",
}
_TIME_LINE = "Thanks. We're out of time, so let's stop here."
_LEAVE_LINE = "OK, thank you. Let's leave it there for today."


@dataclass(frozen=True)
class FollowUp:
    """The persona's next question: about an unexplained word or a missing key point."""

    kind: Literal["jargon", "point"]
    key: str
    text: str
    point: KeyPoint | None = None
    word: str | None = None


def jargon_question(word: str, level: Level) -> str:
    """How the persona asks about a word it did not understand."""
    return _JARGON_QUESTION[level].format(word=word)


def next_follow_up(
    rubric: Rubric,
    pack: PackIndex,
    latest: str,
    assessment: Assessment,
    asked: list[str],
) -> FollowUp | None:
    """The next question, or None when nothing is missing or unclear (or all were asked).

    Unclear comes first: a word from the latest message that this audience would not know.
    Then the first key point still missing. Each is asked once.
    """
    for word in unexplained_in(rubric, pack, latest):
        key = f"jargon:{word.lower()}"
        if key not in asked:
            return FollowUp("jargon", key, jargon_question(word, rubric.level), word=word)
    for point in assessment.missed:
        key = f"point:{point.id}"
        if key not in asked:
            return FollowUp("point", key, point.follow_up, point=point)
    return None


def closing_line(level: Level, out_of_turns: bool, complete: bool) -> str:
    """What the persona says when the conversation ends.

    Out of turns, or out of questions with points still missing, the persona does not pretend
    that everything was answered.
    """
    if out_of_turns:
        return _TIME_LINE
    return _DONE_LINE[level] if complete else _LEAVE_LINE


def speaker(scenario: Scenario) -> str:
    """How the persona is named in chat: "Priya, product manager"."""
    return f"{scenario.audience.name}, {scenario.audience.role}"
