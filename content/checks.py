"""Checks pydantic cannot make: unique ids and names, every reference between items, and style.

`cross_check` finds problems that make a pack invalid; `style_warnings` finds things worth fixing
that do not (``content check`` prints both). Each problem is located in a file and line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from content.models import (
    DEFINITION_WARN_AT,
    QUIZ_GLOSS_MAX,
    ConfusablePair,
    Exercise,
    Jargon,
    KeyPoint,
    Misuse,
    Pack,
    Scenario,
    Term,
)

LIST_KEYS = ("topics", "categories", "terms", "pairs", "scenarios", "exercises", "lexicon")
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One problem found in a pack, located in a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Locator(Protocol):
    """Where a value of the merged YAML came from."""

    def where(self, path: Path_) -> tuple[str, int]:
        """The file and line of the value at `path`."""
        ...


def norm(text: str) -> str:
    """Lower case, words only: how names are compared."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _contains(text: str, name: str) -> bool:
    return f" {norm(name)} " in f" {norm(text)} "


class _Checker:
    """Collects the problems of one pack, each with its location."""

    def __init__(self, pack: Pack, src: Locator | None) -> None:
        self.pack = pack
        self.src = src
        self.problems: list[Problem] = []
        self.topic_ids = {t.id for t in pack.topics}
        self.category_ids = {c.id for c in pack.categories}
        self.term_ids = {t.id for t in pack.terms}
        self.scenario_ids = {s.id for s in pack.scenarios}
        self.word_classes = {c.id for c in pack.lexicon}

    def add(self, path: Path_, message: str) -> None:
        file, line = self.src.where(path) if self.src else ("<pack>", 1)
        self.problems.append(Problem(file, line, message))

    def run(self) -> list[Problem]:
        self.unique_ids()
        self.unique_names()
        for i, term in enumerate(self.pack.terms):
            self.term(("terms", i), term)
        for i, pair in enumerate(self.pack.pairs):
            self.pair(("pairs", i), pair)
        for i, scenario in enumerate(self.pack.scenarios):
            self.scenario(("scenarios", i), scenario)
        for i, exercise in enumerate(self.pack.exercises):
            self.exercise(("exercises", i), exercise)
        return self.problems

    def unique_ids(self) -> None:
        for key in LIST_KEYS:
            seen: set[str] = set()
            for i, item in enumerate(getattr(self.pack, key)):
                item_id = getattr(item, "id", None)
                if item_id is None:
                    continue
                if item_id in seen:
                    self.add((key, i, "id"), f"duplicate id '{item_id}' in {key}")
                seen.add(item_id)

    def unique_names(self) -> None:
        owner: dict[str, str] = {}
        for i, term in enumerate(self.pack.terms):
            for name in term.names:
                other = owner.get(norm(name))
                if other and other != term.id:
                    self.add(("terms", i, "aliases"), f"name '{name}' is also a name of '{other}'")
                owner[norm(name)] = term.id

    def refs(self, base: Path_, field: str, refs: Sequence[str], own: str, what: str) -> None:
        """Each of `refs` must be another existing term."""
        for ref in refs:
            if ref == own:
                self.add((*base, field), f"a term cannot be its own {what}")
            elif ref not in self.term_ids:
                self.add((*base, field), f"{what} '{ref}' does not exist")

    def term(self, base: Path_, term: Term) -> None:
        if term.category not in self.category_ids:
            self.add((*base, "category"), f"unknown category '{term.category}'")
        for topic in term.topics:
            if topic not in self.topic_ids:
                self.add((*base, "topics"), f"unknown topic '{topic}'")
        self.refs(base, "related", term.related, term.id, "related term")
        self.refs(base, "confused_with", (term.confused_with.term,), term.id, "confused_with term")
        self.refs(base, "not_distractors", term.not_distractors, term.id, "not_distractors term")
        if not any(_contains(term.example, n) for n in term.names):
            self.add((*base, "example"), "the example sentence must contain the term or an alias")
        for name in term.names:
            if len(norm(name)) > 3 and _contains(term.definition, name):
                self.add((*base, "definition"), f"the definition gives away the answer ('{name}')")
            if len(norm(name)) > 3 and _contains(term.quiz_gloss, name):
                self.add((*base, "quiz_gloss"), f"the quiz gloss gives away the answer ('{name}')")
        if len(term.quiz_gloss) > QUIZ_GLOSS_MAX:
            self.add(
                (*base, "quiz_gloss"),
                f"quiz gloss is {len(term.quiz_gloss)} characters; at most {QUIZ_GLOSS_MAX} "
                "fit a quiz option",
            )

    def pair(self, base: Path_, pair: ConfusablePair) -> None:
        for ref in pair.terms:
            if ref not in self.term_ids:
                self.add((*base, "terms"), f"pair term '{ref}' does not exist")
        for j, case in enumerate(pair.cases):
            if case.answer not in pair.terms:
                self.add(
                    (*base, "cases", j, "answer"), f"answer '{case.answer}' is not in the pair"
                )
        if len({case.answer for case in pair.cases}) < 2:
            self.add((*base, "cases"), "the cases of a pair must not all have the same answer")

    def scenario(self, base: Path_, scenario: Scenario) -> None:
        if scenario.topic not in self.topic_ids:
            self.add((*base, "topic"), f"unknown topic '{scenario.topic}'")
        self.target_terms(base, scenario.target_terms)
        self.graded(base, scenario.key_points, scenario.jargon, scenario.misuses)
        if scenario.length.min_words >= scenario.length.max_words:
            self.add((*base, "length"), "min_words must be below max_words")

    def target_terms(self, base: Path_, refs: Sequence[str]) -> None:
        for ref in refs:
            if ref not in self.term_ids:
                self.add((*base, "target_terms"), f"target term '{ref}' is not in the glossary")

    def exercise(self, base: Path_, exercise: Exercise) -> None:
        if exercise.id in self.scenario_ids:
            # `exercise ID` starts either one, so the two id spaces must not overlap.
            self.add((*base, "id"), f"exercise id '{exercise.id}' is also a scenario id")
        if exercise.topic not in self.topic_ids:
            self.add((*base, "topic"), f"unknown topic '{exercise.topic}'")
        self.target_terms(base, exercise.target_terms)
        if exercise.kind == "drill":
            if not exercise.quiz_filter:
                self.add(
                    (*base, "quiz_filter"), "a drill needs a quiz_filter (a topic or category id)"
                )
        else:
            self.written(base, exercise)
        self.graded(base, exercise.key_points, exercise.jargon, exercise.misuses)
        if exercise.quiz_filter and exercise.quiz_filter not in self.topic_ids | self.category_ids:
            self.add((*base, "quiz_filter"), f"unknown topic or category '{exercise.quiz_filter}'")

    def written(self, base: Path_, exercise: Exercise) -> None:
        """What a written (not drill) exercise needs: points, a length, a model answer, a source."""
        kind = exercise.kind
        if not exercise.key_points:
            self.add((*base, "key_points"), f"a {kind} exercise needs key points")
        if exercise.length is None:
            self.add((*base, "length"), f"a {kind} exercise needs a length range")
        elif exercise.length.min_words >= exercise.length.max_words:
            self.add((*base, "length"), "min_words must be below max_words")
        if len(exercise.model_answer) < 20:
            self.add((*base, "model_answer"), f"a {kind} exercise needs a model answer")
        if kind in ("fix-term", "rewrite-plain") and not exercise.source:
            self.add((*base, "source"), f"a {kind} exercise needs the source sentence")

    def graded(
        self,
        base: Path_,
        key_points: Sequence[KeyPoint],
        jargon: Sequence[Jargon],
        misuses: Sequence[Misuse],
    ) -> None:
        """The rubric parts of a scenario or a written exercise: key points, jargon, misuses."""
        seen: set[str] = set()
        for j, point in enumerate(key_points):
            where: Path_ = (*base, "key_points", j)
            if point.id in seen:
                self.add(where, f"duplicate key point id '{point.id}'")
            seen.add(point.id)
            if not any(norm(p) for p in point.phrasings):
                self.add(
                    where,
                    f"key point '{point.id}' has no phrasings (words that count as covering it)",
                )
            elif not all(norm(p) for p in point.phrasings):
                self.add(where, f"key point '{point.id}' has an empty phrasing")
            if len(point.follow_up.strip()) < 5:
                self.add(where, f"key point '{point.id}' has no follow-up question")
            self.concepts(where, point)
        for j, item in enumerate(jargon):
            if not all(norm(p) for p in item.explained_by):
                self.add(
                    (*base, "jargon", j), f"jargon '{item.word}' has an empty explained_by phrase"
                )
        for j, misuse in enumerate(misuses):
            if misuse.term not in self.term_ids:
                self.add(
                    (*base, "misuses", j), f"misused term '{misuse.term}' is not in the glossary"
                )

    def concepts(self, where: Path_, point: KeyPoint) -> None:
        """A key point's concepts: known word classes, a known term, a sensible `need`."""
        for j, concept in enumerate(point.concepts):
            for name in re.findall(r"@([a-z0-9_]+)", concept):
                if name not in self.word_classes:
                    self.add((*where, "concepts", j), f"unknown word class '@{name}'")
        positive = [c for c in point.concepts if not c.lstrip().startswith("-")]
        if point.need is not None and point.need > len(positive):
            self.add((*where, "need"), f"need {point.need} of only {len(positive)} concepts")
        if point.about is not None and point.about not in self.term_ids:
            self.add((*where, "about"), f"about '{point.about}' is not a term id")


def cross_check(pack: Pack, src: Locator | None = None) -> list[Problem]:
    """Check everything pydantic cannot: unique ids and every reference between items."""
    return _Checker(pack, src).run()


def style_warnings(pack: Pack, src: Locator | None = None) -> list[Problem]:
    """Things worth fixing that do not make a pack invalid (``content check`` prints them)."""
    warnings: list[Problem] = []
    for i, term in enumerate(pack.terms):
        if len(term.definition) > DEFINITION_WARN_AT:
            file, line = src.where(("terms", i, "definition")) if src else ("<pack>", 1)
            warnings.append(
                Problem(
                    file,
                    line,
                    f"warning: definition of '{term.id}' is {len(term.definition)} characters; "
                    f"over {DEFINITION_WARN_AT} is hard to read in a quiz",
                )
            )
    return warnings
