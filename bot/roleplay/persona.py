"""The offline persona: it listens to what the learner said and picks its next line.

Pure functions of the scenario, the coach's feedback so far and the latest message:

- a word from the latest message this audience would not know comes first ("What does PSI
  mean?");
- then a number, a cost or a date the learner gave, when the scenario has a line for it (a VP
  reacts to "3,000 euros a month");
- then the first key point the learner has not made yet, never one just made;
- nothing left to ask ends the conversation.

Off-topic messages get an in-character redirect, and a message in another language a short
English prompt; neither uses a turn. Where the latest message had an English slip, the persona
may repeat the learner's sentence correctly, in passing, as a colleague would (a recast); it
never teaches.

The LLM persona (`bot.roleplay.llm`) may word these lines itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.coach.brief import Brief
from bot.coach.feedback import Feedback, Level
from bot.coach.sentences import sentences, stem, words
from content.models import Scenario

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
_ENGLISH_PROMPT = "Sorry, could you say that in English? We'll have the meeting in English."
_PERSONAL = re.compile(
    r"\b(sick|ill|hospital|doctor|daughter|son|kid|child|children|family|wife|husband|"
    r"mother|father|funeral|tired|stress)\b",
    re.IGNORECASE,
)

_COST = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|thousand|million)?"
    r"|\b\d[\d,.]*\s?(?:k|m|thousand|million)?\s?(?:dollars?|euros?|usd|eur|pounds?|€|\$))"
    r"(?:\s?(?:per|a|/|each)\s?(?:month|year|day|week|quarter))?",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:(?:by|on|until|before|next|this)\s+(?:monday|tuesday|wednesday|thursday|friday|"
    r"week|month|quarter|sprint|year)"
    r"|(?:in|within)\s+(?:\d+|one|two|three|four|a few)\s+(?:days?|weeks?|months?)"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+\d{1,2}|\bq[1-4]\b|end of (?:the )?(?:month|quarter|year|week))\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(?:%|percent|ms|milliseconds?|seconds?|minutes?|hours?|days?|"
    r"points?|x|times)?",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"\b(?:not sure|unsure|(?:do ?n[o']?t|dunno) know|idk|no idea|i forg[eo]t|i can'?t remember|"
    r"no clue|pass)\b",
    re.IGNORECASE,
)
# Words any message may have; they say nothing about whether it is on the meeting's topic.
_GENERIC = frozenset(
    [
        "think",
        "know",
        "good",
        "fine",
        "really",
        "maybe",
        "every",
        "thing",
        "things",
        "much",
        "very",
        "also",
        "just",
        "like",
        "some",
        "more",
        "time",
        "about",
        "would",
        "could",
        "should",
        "there",
        "their",
        "they",
        "them",
        "what",
        "when",
        "with",
        "this",
        "that",
        "have",
        "from",
        "will",
        "your",
        "yours",
        "here",
        "well",
        "okay",
        "sure",
        "yeah",
        "today",
        "yesterday",
        "tomorrow",
    ]
)
_PRONOUNS = {"we": "you", "our": "your", "ours": "yours", "us": "you", "i": "you", "my": "your"}


@dataclass(frozen=True)
class PersonaLine:
    """What the persona says next, and why (`key` is remembered so it is asked once)."""

    kind: Literal["jargon", "reaction", "point", "close"]
    key: str
    text: str
    point_id: str | None = None


def jargon_question(word: str, level: Level) -> str:
    """How the persona asks about a word it did not understand ("the term" for a phrase)."""
    text = _JARGON_QUESTION[level].format(word=word)
    return text.replace("the word “", "the term “") if " " in word.strip() else text


def closing_line(level: Level, out_of_turns: bool, complete: bool) -> str:
    """What the persona says when the conversation ends (never pretending all was answered)."""
    if complete:
        return _DONE_LINE[level]  # the last message made the last point: no "out of time"
    return _TIME_LINE if out_of_turns else _LEAVE_LINE


def speaker(scenario: Scenario) -> str:
    """How the persona is named in chat: "Priya, product manager"."""
    return f"{scenario.audience.name}, {scenario.audience.role}"


def _value(text: str) -> tuple[str, str] | None:
    """The first cost, date or number in a message, and its kind."""
    for kind, pattern in (("cost", _COST), ("date", _DATE), ("number", _NUMBER)):
        found = pattern.search(text)
        if found is not None and any(ch.isalnum() for ch in found.group(0)):
            return kind, found.group(0).strip()
    return None


def reaction(scenario: Scenario, latest_text: str, asked: list[str]) -> PersonaLine | None:
    """The scenario's line for a cost, a date or a number the learner just gave, once each."""
    found = _value(latest_text)
    if found is None:
        return None
    kind, value = found
    line = getattr(scenario.reactions, kind)
    key = f"reaction:{kind}"
    if not line or key in asked:
        return None
    return PersonaLine("reaction", key, line.format(value=value))


def next_line(
    scenario: Scenario,
    brief: Brief,
    so_far: Feedback,
    latest: Feedback,
    latest_text: str,
    asked: list[str],
) -> PersonaLine | None:
    """The persona's next question, or None when there is nothing left to ask."""
    for note in latest.jargon:
        key = f"jargon:{note.word.lower()}"
        if not note.explained and key not in asked:
            return PersonaLine("jargon", key, jargon_question(note.word, brief.level))
    just_made = {p.id for p in latest.points if p.covered}
    missing = [p for p in so_far.points if not p.covered and p.id not in just_made]
    react = reaction(scenario, latest_text, asked) if so_far.missed else None
    if react is not None:
        return react
    for result in missing:
        point = brief.point(result.id)
        key = f"point:{result.id}"
        if point is not None and key not in asked:
            return PersonaLine("point", key, point.follow_up, point.id)
    return None


def recast(latest_text: str, latest: Feedback) -> str | None:
    """The learner's slip, said right in passing: "So you check it every day." or None.

    Only a short sentence with a correction is recast, turned to the listener's side ("we" ->
    "you"); a long one would sound like a lesson.
    """
    if not latest.corrections:
        return None
    for sentence in sentences(latest_text):
        fixed = sentence.text
        changed = False
        for c in latest.corrections:
            if c.wrong in fixed and c.right:
                fixed, changed = fixed.replace(c.wrong, c.right, 1), True
        if not changed or len(words(fixed)) > 14 or fixed.rstrip().endswith("?"):
            continue
        turned = re.sub(
            r"\b(we|our|ours|us|i|my)\b",
            lambda m: _PRONOUNS[m.group(1).lower()],
            fixed.rstrip(" .!"),
            flags=re.IGNORECASE,
        )
        return f"So {turned[0].lower()}{turned[1:]}."
    return None


def is_unsure(text: str) -> bool:
    """True for an honest "I don't know": a weak answer, but an answer (it uses a turn)."""
    return len(words(text)) <= 12 and _UNSURE.search(text) is not None


def after_unsure(line: str) -> str:
    """The next question after "I'm not sure", reassuring first: "No problem. In one sentence…"."""
    rest = re.sub(r"^(?:OK|Okay|Right|Sure|Fine)\b[,.]?\s*(?:but\s+|so\s+)?", "", line)
    return f"No problem. {rest[:1].upper()}{rest[1:]}"


def is_off_topic(text: str, brief: Brief, scenario: Scenario, latest: Feedback) -> bool:
    """True when a message shares no word with the scenario and makes no point.

    "My daughter is sick", a football result: nothing about the meeting's topic. "I'm not
    sure" is not off-topic: in a meeting it is an answer, and the persona moves on.
    """
    if is_unsure(text) or _value(text) is not None:
        return False  # a figure is always about the meeting: "It costs 3,000 euros a month."
    if latest.on_topic or any(t.status != "missing" for t in latest.terms):
        return False
    vocabulary = _vocabulary(scenario)
    content = {stem(w) for w in words(text) if len(w) > 3 and w not in _GENERIC}
    shared = content & vocabulary
    # One shared word in a longer message is chance ("watch the football"), not the topic.
    return not shared or (len(shared) == 1 and len(content) >= 4)


def _vocabulary(scenario: Scenario) -> set[str]:
    text = " ".join(
        [
            scenario.title,
            scenario.setting,
            scenario.brief,
            scenario.opening,
            *(p.point for p in scenario.key_points),
            *(p.example for p in scenario.key_points),
            *(p.follow_up for p in scenario.key_points),
            *scenario.audience.cares_about,
            scenario.model_answer,
        ]
    )
    return {stem(w) for w in words(text) if len(w) > 3}


def redirect(text: str, scenario: Scenario, next_question: str) -> str:
    """An in-character way back to the topic after an off-topic message."""
    focus = scenario.focus or "what we were discussing"
    opener = (
        "Oh, I'm sorry to hear that. Take the time you need."
        if _PERSONAL.search(text)
        else "Ha, maybe later."
    )
    return f"{opener} Let's keep to {focus} — {next_question}"


def english_prompt() -> str:
    """What the persona says to a message in another language."""
    return _ENGLISH_PROMPT
