"""The `Feedback` model every judge returns, and the one function that scores it.

Both judges fill the same model, so a score means the same whatever produced it. The model is
also the JSON schema the LLM judge must answer in (`Feedback.model_json_schema()`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Level = Literal["low", "medium", "high"]

MAX_CORRECTIONS = 5
# Corrections kept per answer: the English part is lost after five, the learner sees five.
MAX_KEPT_CORRECTIONS = 20


class PointResult(BaseModel):
    """One key point: stated or not, with the learner's own sentence as the evidence."""

    id: str
    covered: bool
    evidence: str = Field(default="", max_length=400)


class TermResult(BaseModel):
    """One target term: used correctly, misused (with why), or missing."""

    id: str
    status: Literal["used", "misused", "missing"]
    evidence: str = Field(default="", max_length=400)
    why: str = Field(default="", max_length=400)


class JargonNote(BaseModel):
    """A word this audience may not know, and whether the learner explained it."""

    word: str = Field(max_length=80)
    explained: bool
    evidence: str = Field(default="", max_length=400)


class Correction(BaseModel):
    """One English correction: the learner's phrase, the corrected phrase, the rule's name."""

    wrong: str = Field(min_length=1, max_length=200)
    right: str = Field(max_length=200)
    rule: str = Field(min_length=1, max_length=80)


class Rewrite(BaseModel):
    """The learner's weakest sentence and a better version of it."""

    sentence: str = Field(max_length=600)
    better: str = Field(max_length=600)


class Audience(BaseModel):
    """How well the wording fits the audience: sentence length and rare words."""

    long_sentences: int = Field(default=0, ge=0)
    sentences: int = Field(default=0, ge=0)
    rare_words: list[str] = Field(default_factory=list, max_length=10)


class Feedback(BaseModel):
    """What a judge found in the learner's messages about one scenario or exercise."""

    points: list[PointResult] = Field(default_factory=list)
    terms: list[TermResult] = Field(default_factory=list)
    jargon: list[JargonNote] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list, max_length=MAX_KEPT_CORRECTIONS)
    rewrite: Rewrite | None = None
    audience: Audience = Field(default_factory=Audience)
    words: int = Field(default=0, ge=0)
    judge: Literal["rubric", "llm"] = "rubric"
    note: str = Field(default="", max_length=300)

    @property
    def covered(self) -> list[PointResult]:
        """The key points the learner stated."""
        return [p for p in self.points if p.covered]

    @property
    def missed(self) -> list[PointResult]:
        """The key points the learner did not state."""
        return [p for p in self.points if not p.covered]

    @property
    def on_topic(self) -> bool:
        """True when at least one key point was stated."""
        return any(p.covered for p in self.points)


Part = Literal["points", "terms", "audience", "english", "length"]
PART_LABELS: dict[Part, str] = {
    "points": "Key points",
    "terms": "Terms",
    "audience": "Audience",
    "english": "English",
    "length": "Length",
}
WEIGHTS: dict[Level, dict[Part, int]] = {
    # A product manager needs plain words more than complete vocabulary; a data scientist the
    # other way round. English counts the same for everyone: half of the job is the language.
    "low": {"points": 40, "terms": 10, "audience": 20, "english": 20, "length": 10},
    "medium": {"points": 45, "terms": 15, "audience": 10, "english": 20, "length": 10},
    "high": {"points": 50, "terms": 15, "audience": 5, "english": 20, "length": 10},
}
# Delivery (terms, audience, English, length) counts in full once half of the key points are
# stated, and not at all when none is: a fluent answer about something else earns nothing.
FULL_DELIVERY_AT = 0.5
# Each English correction costs this share of the English part: one slip costs little, an
# answer full of errors loses it all.
ENGLISH_COST = 0.2
# Each misused term costs this share of the terms part.
MISUSE_COST = 0.5
# Each long sentence or unexplained jargon word costs this share of the audience part.
AUDIENCE_COST = 0.34


class Score(BaseModel):
    """The total and its parts, each rounded so that the parts add up to the total."""

    total: int
    parts: dict[str, tuple[int, int]]
    delivery: float


def _length_share(words: int, low: int, high: int) -> float:
    if words < low:
        return max(0.0, words / low) if low else 1.0
    if words > high:
        return max(0.0, 1 - (words - high) / high)
    return 1.0


def score(feedback: Feedback, level: Level, length: tuple[int, int]) -> Score:
    """The score of a feedback for an audience of this level and a length range (words)."""
    weights = dict(WEIGHTS[level])
    if not feedback.terms:
        # No term to use (a plain-words rewrite): being understood is the whole task, so the
        # terms part's weight goes to the audience part.
        weights["audience"] += weights.pop("terms")
    n_points = len(feedback.points)
    coverage = len(feedback.covered) / n_points if n_points else 0.0
    delivery = min(1.0, coverage / FULL_DELIVERY_AT)
    terms = feedback.terms
    terms_share = 0.0
    if terms:
        used = sum(t.status == "used" for t in terms) / len(terms)
        misused = sum(t.status == "misused" for t in terms)
        terms_share = max(0.0, used - MISUSE_COST * misused)
    unexplained = sum(not j.explained for j in feedback.jargon)
    audience_share = max(0.0, 1 - AUDIENCE_COST * (unexplained + feedback.audience.long_sentences))
    english_share = max(0.0, 1 - ENGLISH_COST * len(feedback.corrections))
    shares: dict[Part, float] = {
        "points": coverage,
        "terms": terms_share * delivery,
        "audience": audience_share * delivery,
        "english": english_share * delivery,
        "length": _length_share(feedback.words, *length) * delivery,
    }
    parts: dict[str, tuple[int, int]] = {
        name: (round(weights[name] * shares[name]), weights[name]) for name in weights
    }
    total = max(0, min(100, sum(got for got, _ in parts.values())))
    return Score(total=total, parts=parts, delivery=delivery)
