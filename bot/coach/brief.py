"""What a judge grades against: a scenario's or written exercise's points, terms and audience.

Built once per item and pack (`brief_for`), with every key point's concepts compiled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.coach.feedback import Level
from bot.coach.meaning import PointConcepts, compile_point
from content.index import PackIndex
from content.models import Exercise, Jargon, KeyPoint, Misuse, Scenario

# Acronyms whose first letter is said with a vowel sound take "an": "an SRE lead".
_AN_LETTERS = frozenset("AEFHILMNORSX")
DEFAULT_LENGTH = (5, 400)


def with_article(role: str) -> str:
    """The role with its article: "a product manager", "an internal auditor", "an SRE lead"."""
    first = role.split(" ", 1)[0]
    vowel_sound = first[0] in _AN_LETTERS if first.isupper() else first[:1].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {role}"


@dataclass(frozen=True)
class Brief:
    """Everything a judge reads about one scenario or written exercise."""

    id: str
    kind: str
    title: str
    task: str
    audience: str
    level: Level
    key_points: tuple[KeyPoint, ...]
    concepts: tuple[PointConcepts, ...]
    target_terms: tuple[str, ...]
    jargon: tuple[Jargon, ...]
    misuses: tuple[Misuse, ...]
    length: tuple[int, int]
    model_answer: str

    def point(self, point_id: str) -> KeyPoint | None:
        """The key point with this id."""
        return next((p for p in self.key_points if p.id == point_id), None)


def _compiled(pack: PackIndex, points: tuple[KeyPoint, ...]) -> tuple[PointConcepts, ...]:
    lexicon = {c.id: c.words for c in pack.pack.lexicon}
    return tuple(compile_point(p.id, p.concepts, p.need, p.about, lexicon) for p in points)


@lru_cache(maxsize=256)
def _scenario_brief(pack: PackIndex, scenario: Scenario) -> Brief:
    return Brief(
        id=scenario.id,
        kind="roleplay",
        title=scenario.title,
        task=scenario.brief,
        audience=with_article(scenario.audience.role),
        level=scenario.audience.technical_level,
        key_points=scenario.key_points,
        concepts=_compiled(pack, scenario.key_points),
        target_terms=scenario.target_terms,
        jargon=scenario.jargon,
        misuses=scenario.misuses,
        length=(scenario.length.min_words, scenario.length.max_words),
        model_answer=scenario.model_answer,
    )


@lru_cache(maxsize=256)
def _exercise_brief(pack: PackIndex, exercise: Exercise) -> Brief:
    length = exercise.length
    return Brief(
        id=exercise.id,
        kind=exercise.kind,
        title=exercise.title,
        task=f"{exercise.prompt} {exercise.source}".strip(),
        audience=exercise.reader or "your reader",
        level=exercise.technical_level,
        key_points=exercise.key_points,
        concepts=_compiled(pack, exercise.key_points),
        target_terms=exercise.target_terms,
        jargon=exercise.jargon,
        misuses=exercise.misuses,
        length=(length.min_words, length.max_words) if length else DEFAULT_LENGTH,
        model_answer=exercise.model_answer,
    )


def brief_for(pack: PackIndex, item: Scenario | Exercise) -> Brief:
    """The brief of a role-play scenario or a written exercise (compiled once, then cached)."""
    if isinstance(item, Scenario):
        return _scenario_brief(pack, item)
    return _exercise_brief(pack, item)


def find_item(pack: PackIndex, item_id: str) -> Scenario | Exercise | None:
    """The scenario or written exercise with this id."""
    scenario = pack.scenarios.get(item_id)
    if scenario is not None:
        return scenario
    return next((e for e in pack.pack.exercises if e.id == item_id and e.kind != "drill"), None)


@lru_cache(maxsize=512)
def term_brief(pack: PackIndex, term_id: str) -> Brief:
    """A brief for one sentence that uses one term (a quiz's *use it in a sentence* question).

    No key points: the judge only says whether the term is used correctly or misused (the
    pack's misuse cues for the term, from every scenario and exercise), and corrects the English.
    """
    term = pack.terms[term_id]
    items: list[Scenario | Exercise] = [*pack.pack.scenarios, *pack.pack.exercises]
    misuses = tuple(dict.fromkeys(m for item in items for m in item.misuses if m.term == term_id))
    return Brief(
        id=f"term:{term_id}",
        kind="term",
        title=term.term,
        task=f"Use {term.term} in one sentence.",
        audience="a colleague",
        level="high",
        key_points=(),
        concepts=(),
        target_terms=(term_id,),
        jargon=(),
        misuses=misuses,
        length=(3, 80),
        model_answer=term.example,
    )
