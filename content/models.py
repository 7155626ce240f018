"""Pydantic models of a content pack: metadata, topics, categories, terms, pairs, scenarios.

A pack is a folder of YAML files (see ``content/README.md``). Every cross-reference uses stable
ids (``psi``, ``concept-drift``); display names and spellings are data, never keys.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_ID_RE = re.compile(ID_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PackInfo(_Strict):
    """Pack identity: a stable id and a version that changes whenever content changes."""

    id: str = Field(pattern=ID_PATTERN)
    version: str = Field(min_length=1)
    title: str
    description: str = ""
    language: str = "en"


class Topic(_Strict):
    """One of the topic areas a learner can focus on (``quiz drift``, ``prep feature store``)."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: str = ""
    aliases: tuple[str, ...] = ()


class Category(_Strict):
    """A glossary category; multiple-choice distractors come from the same category."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    aliases: tuple[str, ...] = ()


class Confusion(_Strict):
    """The term this one is most often confused with, and how they differ."""

    term: str = Field(pattern=ID_PATTERN)
    difference: str = Field(min_length=20)


PartOfSpeech = Literal["noun", "noun phrase", "verb", "verb phrase", "adjective", "abbreviation"]


class Term(_Strict):
    """A glossary term with everything a term card and the question generator need."""

    id: str = Field(pattern=ID_PATTERN)
    term: str = Field(min_length=2)
    aliases: tuple[str, ...] = Field(
        default=(),
        description="Other accepted names: abbreviations, expansions, British/American spellings.",
    )
    part_of_speech: PartOfSpeech
    category: str = Field(pattern=ID_PATTERN)
    topics: tuple[str, ...] = Field(min_length=1)
    definition: str = Field(min_length=30, max_length=400)
    example: str = Field(min_length=20)
    related: tuple[str, ...] = Field(min_length=1)
    confused_with: Confusion
    pronunciation: str | None = None

    @field_validator("related", "topics")
    @classmethod
    def _ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if not _ID_RE.match(item):
                raise ValueError(f"{item!r} is not an id (lowercase letters, digits, hyphens)")
        return value

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by every accepted alias."""
        return (self.term, *self.aliases)


class PairCase(_Strict):
    """A short situation for a confusable-pair question and which term of the pair fits it."""

    situation: str = Field(min_length=20)
    answer: str = Field(pattern=ID_PATTERN)
    why: str = Field(min_length=10)


class ConfusablePair(_Strict):
    """Two easily confused terms and situations that tell them apart."""

    terms: tuple[str, str]
    cases: tuple[PairCase, ...] = Field(min_length=2)


class Audience(_Strict):
    """Who the bot plays in a role-play: role, how technical, what they care about."""

    role: str
    name: str
    technical_level: Literal["low", "medium", "high"]
    cares_about: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = ()


class KeyPoint(_Strict):
    """A point a good answer covers, the phrasings that count, and the follow-up when missing."""

    id: str = Field(pattern=ID_PATTERN)
    point: str
    phrasings: tuple[str, ...] = Field(min_length=1)
    follow_up: str = Field(min_length=5)
    example: str = Field(min_length=10, description="A sentence the learner could have said.")


class Jargon(_Strict):
    """A word the audience will not know unless it is explained, with words that explain it."""

    word: str
    explained_by: tuple[str, ...] = Field(min_length=1)


class LengthRange(_Strict):
    """Word-count range of a good answer (all turns together)."""

    min_words: int = Field(ge=10)
    max_words: int = Field(le=2000)


class Scenario(_Strict):
    """A role-play scenario: the bot plays the audience, the learner explains."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    topic: str = Field(pattern=ID_PATTERN)
    audience: Audience
    setting: str
    brief: str
    opening: str
    key_points: tuple[KeyPoint, ...] = Field(min_length=2)
    target_terms: tuple[str, ...] = Field(min_length=1)
    jargon: tuple[Jargon, ...] = ()
    length: LengthRange
    model_answer: str = Field(min_length=50)
    useful_phrases: tuple[str, ...] = Field(min_length=1)


ExerciseKind = Literal["runbook", "fix-term", "rewrite-plain", "drill"]


class Exercise(_Strict):
    """A written exercise or a quiz drill reachable from chat with ``exercises [topic]``."""

    id: str = Field(pattern=ID_PATTERN)
    kind: ExerciseKind
    title: str
    topic: str = Field(pattern=ID_PATTERN)
    prompt: str
    target_terms: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    model_answer: str = ""
    quiz_filter: str | None = Field(
        default=None, description="For drills: the topic or category the quiz is run on."
    )


class Pack(_Strict):
    """A whole validated content pack."""

    pack: PackInfo
    topics: tuple[Topic, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    terms: tuple[Term, ...] = Field(min_length=1)
    pairs: tuple[ConfusablePair, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    exercises: tuple[Exercise, ...] = ()
