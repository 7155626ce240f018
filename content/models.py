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
# Telegram quiz-poll options hold at most 100 characters, so a gloss must fit in one.
QUIZ_GLOSS_MAX = 100
# Longer definitions are hard to read as a quiz prompt; `content check` warns about them.
DEFINITION_WARN_AT = 300


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

    # Ids are unique within a pack, so equality by id is exact and far cheaper than comparing
    # every field (question generation does thousands of `term in list` checks per turn).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Term):
            return self.id == other.id
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

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
    pronunciation: str = Field(
        min_length=3,
        description="A plain respelling with the stressed syllable in capitals ('LIN-ee-ij'); "
        "for an acronym, how people say it ('P-S-I', 'ONNX: ON-iks').",
    )
    quiz_gloss: str = Field(
        min_length=10,
        description="A short gloss for quiz options (at most QUIZ_GLOSS_MAX characters, checked "
        "by the loader so the message names the term); never names the term.",
    )
    tool_notes: str | None = Field(
        default=None,
        min_length=20,
        description="Where the meaning differs between tools: which tool means what.",
    )
    not_distractors: tuple[str, ...] = Field(
        default=(),
        description="Term ids never offered as wrong options in this term's questions, "
        "because they also fit its definition or example sentence.",
    )

    @field_validator("related", "topics", "not_distractors")
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


TechnicalLevel = Literal["low", "medium", "high"]


class Audience(_Strict):
    """Who the bot plays in a role-play: role, how technical, what they care about."""

    role: str = Field(min_length=2, description="As it reads after 'a': 'product manager'.")
    name: str = Field(min_length=2)
    technical_level: TechnicalLevel
    cares_about: tuple[str, ...] = Field(min_length=1)
    aliases: tuple[str, ...] = Field(
        default=(), description="Words a learner types for this audience: 'pm', 'vp', 'compliance'."
    )


class KeyPoint(_Strict):
    """A point a good answer covers, the phrasings that count, and the follow-up when missing.

    `phrasings` and `follow_up` may be empty here so that ``content check`` can name the key point
    that lacks them (pydantic would only say "list too short").
    """

    id: str = Field(pattern=ID_PATTERN)
    point: str = Field(min_length=5)
    phrasings: tuple[str, ...] = Field(
        default=(),
        description="Word sequences that count as covering the point (matched in order, "
        "forgiving small typos, plural and tense endings and up to two extra words).",
    )
    follow_up: str = ""
    example: str = Field(min_length=10, description="A sentence the learner could have said.")
    concepts: tuple[str, ...] = Field(
        default=(),
        description="The ideas a sentence must contain to state the point, each with its "
        "alternatives separated by '|' (matched on word stems, in order within a phrase).",
    )
    need: int | None = Field(
        default=None, ge=1, description="How many of the concepts are enough (default: all)."
    )
    about: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="The term this point defines: a sentence defining another term cannot state it.",
    )


class Jargon(_Strict):
    """A word the audience will not know unless it is explained, with words that explain it."""

    word: str = Field(min_length=2)
    variants: tuple[str, ...] = Field(default=(), description="Other spellings of the word.")
    explained_by: tuple[str, ...] = Field(
        min_length=1,
        description="Phrases that, in the same or the next sentence, count as an explanation.",
    )

    @property
    def names(self) -> tuple[str, ...]:
        """The word followed by its variants."""
        return (self.word, *self.variants)


class Misuse(_Strict):
    """A typical wrong use of a target term: cue phrases near the term that show the mix-up."""

    term: str = Field(pattern=ID_PATTERN)
    cues: tuple[str, ...] = Field(min_length=1)
    why: str = Field(min_length=10, description="One sentence that sets it right.")


class LengthRange(_Strict):
    """Word-count range of a good answer (all turns together)."""

    min_words: int = Field(ge=5)
    max_words: int = Field(le=2000)


class Reactions(_Strict):
    """What the persona says when the learner gives a number, a cost or a date ({value} is it)."""

    number: str = ""
    cost: str = ""
    date: str = ""


class Scenario(_Strict):
    """A role-play scenario: the bot plays the audience, the learner explains."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=5, max_length=80)
    topic: str = Field(pattern=ID_PATTERN)
    audience: Audience
    setting: str
    brief: str
    opening: str
    key_points: tuple[KeyPoint, ...] = Field(min_length=2)
    target_terms: tuple[str, ...] = Field(min_length=1)
    jargon: tuple[Jargon, ...] = ()
    misuses: tuple[Misuse, ...] = ()
    length: LengthRange
    model_answer: str = Field(min_length=50, max_length=1500)
    useful_phrases: tuple[str, ...] = Field(min_length=1)
    focus: str = Field(
        default="",
        description="What the conversation is about, to steer back to: 'the drift alert'.",
    )
    reactions: Reactions = Field(default_factory=Reactions)


ExerciseKind = Literal["runbook", "fix-term", "rewrite-plain", "drill"]


class Exercise(_Strict):
    """A written exercise or a quiz drill reachable from chat with ``exercises [topic]``.

    Written exercises (every kind but ``drill``) are scored with the role-play rubric, so they
    need key points, a length range and a model answer; `source` is the sentence to fix or
    rewrite, and `reader` who the text is for.
    """

    id: str = Field(pattern=ID_PATTERN)
    kind: ExerciseKind
    title: str = Field(min_length=5, max_length=80)
    topic: str = Field(pattern=ID_PATTERN)
    prompt: str
    source: str = ""
    reader: str = ""
    technical_level: TechnicalLevel = "high"
    target_terms: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    jargon: tuple[Jargon, ...] = ()
    misuses: tuple[Misuse, ...] = ()
    length: LengthRange | None = None
    model_answer: str = Field(default="", max_length=1500)
    useful_phrases: tuple[str, ...] = ()
    quiz_filter: str | None = Field(
        default=None, description="For drills: the topic or category the quiz is run on."
    )


class WordClass(_Strict):
    """A named set of everyday ways to say one idea; key point concepts use it as ``@name``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    words: tuple[str, ...] = Field(min_length=1)


class Pack(_Strict):
    """A whole validated content pack."""

    pack: PackInfo
    topics: tuple[Topic, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    terms: tuple[Term, ...] = Field(min_length=1)
    pairs: tuple[ConfusablePair, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    exercises: tuple[Exercise, ...] = ()
    lexicon: tuple[WordClass, ...] = ()
