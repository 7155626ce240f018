"""Load a content pack folder of YAML files, validate it, and report problems as `file:line: message`."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from content.models import DEFINITION_WARN_AT, QUIZ_GLOSS_MAX, Jargon, KeyPoint, Misuse, Pack

PACKS_DIR = Path(__file__).with_name("packs")
DEFAULT_PACK = PACKS_DIR / "ml-platform-engineer"
LIST_KEYS = ("topics", "categories", "terms", "pairs", "scenarios", "exercises")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One problem found in a pack, located in a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackError(Exception):
    """A pack failed validation; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Source:
    """Merged YAML data with a map from each value's path to the file and line it came from."""

    data: dict[str, Any]
    lines: dict[Path_, tuple[str, int]]

    def where(self, path: Path_) -> tuple[str, int]:
        """The file and line of the nearest known ancestor of `path`."""
        for cut in range(len(path), -1, -1):
            hit = self.lines.get(tuple(path[:cut]))
            if hit:
                return hit
        return ("<pack>", 1)


def _walk(node: yaml.Node, path: Path_, file: str, lines: dict[Path_, tuple[str, int]]) -> Any:
    lines.setdefault(path, (file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            out[key] = _walk(value_node, (*path, key), file, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), file, lines) for i, item in enumerate(node.value)]
    return _scalar(node)


# libyaml's parser when PyYAML was built with it; it reports the same line numbers.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    # Build the value from the node itself (its tag was resolved while composing), which is
    # many times faster than serializing the node and parsing it again.
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


def _read(folder: Path) -> tuple[_Source, list[Problem]]:
    data: dict[str, Any] = {}
    lines: dict[Path_, tuple[str, int]] = {}
    problems: list[Problem] = []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        problems.append(Problem(str(folder), 1, "no .yaml files in this folder"))
    for file in files:
        name = str(file)
        try:
            root = yaml.compose(file.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            problems.append(Problem(name, (mark.line + 1) if mark else 1, f"YAML: {exc.problem}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, 1, f"cannot read: {exc}"))
            continue
        if root is None:
            continue
        if not isinstance(root, yaml.MappingNode):
            problems.append(Problem(name, root.start_mark.line + 1, "top level must be a mapping"))
            continue
        local: dict[Path_, tuple[str, int]] = {}
        parsed = _walk(root, (), name, local)
        for key, value in parsed.items():
            if key in LIST_KEYS and isinstance(value, list):
                offset = len(data.get(key, []))
                data.setdefault(key, [])
                data[key].extend(value)
                for path, hit in local.items():
                    if path and path[0] == key:
                        if len(path) >= 2 and isinstance(path[1], int):
                            lines.setdefault((key, path[1] + offset, *path[2:]), hit)
                        else:
                            lines.setdefault(path, hit)
            elif key in data:
                line = local.get((key,), (name, 1))[1]
                problems.append(Problem(name, line, f"'{key}' is already defined in another file"))
            else:
                data[key] = value
                for path, hit in local.items():
                    if path and path[0] == key:
                        lines.setdefault(path, hit)
    return _Source(data, lines), problems


def _validation_problems(src: _Source, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        file, line = src.where(loc)
        where = ".".join(str(p) for p in loc)
        problems.append(Problem(file, line, f"{where}: {err['msg']}"))
    return problems


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def cross_check(pack: Pack, src: _Source | None = None) -> list[Problem]:
    """Check everything pydantic cannot: unique ids and every reference between items."""
    problems: list[Problem] = []

    def add(path: Path_, message: str) -> None:
        file, line = src.where(path) if src else ("<pack>", 1)
        problems.append(Problem(file, line, message))

    topic_ids = {t.id for t in pack.topics}
    category_ids = {c.id for c in pack.categories}
    term_ids = {t.id for t in pack.terms}
    for key in LIST_KEYS:
        seen: set[str] = set()
        for i, item in enumerate(getattr(pack, key)):
            item_id = getattr(item, "id", None)
            if item_id is None:
                continue
            if item_id in seen:
                add((key, i, "id"), f"duplicate id '{item_id}' in {key}")
            seen.add(item_id)

    owner: dict[str, str] = {}
    for i, term in enumerate(pack.terms):
        for name in term.names:
            norm = _norm(name)
            other = owner.get(norm)
            if other and other != term.id:
                add(("terms", i, "aliases"), f"name '{name}' is also a name of '{other}'")
            owner[norm] = term.id

    for i, term in enumerate(pack.terms):
        base: Path_ = ("terms", i)
        if term.category not in category_ids:
            add((*base, "category"), f"unknown category '{term.category}'")
        for topic in term.topics:
            if topic not in topic_ids:
                add((*base, "topics"), f"unknown topic '{topic}'")
        for ref in term.related:
            if ref == term.id:
                add((*base, "related"), "a term cannot be related to itself")
            elif ref not in term_ids:
                add((*base, "related"), f"related term '{ref}' does not exist")
        if term.confused_with.term == term.id:
            add((*base, "confused_with"), "a term cannot be confused with itself")
        elif term.confused_with.term not in term_ids:
            add(
                (*base, "confused_with"),
                f"confused_with '{term.confused_with.term}' does not exist",
            )
        example = _norm(term.example)
        if not any(f" {_norm(n)} " in f" {example} " for n in term.names):
            add((*base, "example"), "the example sentence must contain the term or an alias")
        definition = _norm(term.definition)
        gloss = _norm(term.quiz_gloss)
        for name in term.names:
            if len(_norm(name)) > 3 and f" {_norm(name)} " in f" {definition} ":
                add((*base, "definition"), f"the definition gives away the answer ('{name}')")
            if len(_norm(name)) > 3 and f" {_norm(name)} " in f" {gloss} ":
                add((*base, "quiz_gloss"), f"the quiz gloss gives away the answer ('{name}')")
        if len(term.quiz_gloss) > QUIZ_GLOSS_MAX:
            add(
                (*base, "quiz_gloss"),
                f"quiz gloss is {len(term.quiz_gloss)} characters; at most {QUIZ_GLOSS_MAX} "
                "fit a quiz option",
            )
        for ref in term.not_distractors:
            if ref == term.id:
                add((*base, "not_distractors"), "a term cannot exclude itself as a distractor")
            elif ref not in term_ids:
                add((*base, "not_distractors"), f"not_distractors term '{ref}' does not exist")

    for i, pair in enumerate(pack.pairs):
        for ref in pair.terms:
            if ref not in term_ids:
                add(("pairs", i, "terms"), f"pair term '{ref}' does not exist")
        answers = set()
        for j, case in enumerate(pair.cases):
            answers.add(case.answer)
            if case.answer not in pair.terms:
                add(
                    ("pairs", i, "cases", j, "answer"), f"answer '{case.answer}' is not in the pair"
                )
        if len(answers) < 2:
            add(("pairs", i, "cases"), "the cases of a pair must not all have the same answer")

    scenario_ids = {s.id for s in pack.scenarios}
    for i, scenario in enumerate(pack.scenarios):
        base = ("scenarios", i)
        if scenario.topic not in topic_ids:
            add((*base, "topic"), f"unknown topic '{scenario.topic}'")
        for ref in scenario.target_terms:
            if ref not in term_ids:
                add((*base, "target_terms"), f"target term '{ref}' is not in the glossary")
        _check_graded(add, base, scenario.key_points, scenario.jargon, scenario.misuses, term_ids)
        if scenario.length.min_words >= scenario.length.max_words:
            add((*base, "length"), "min_words must be below max_words")

    for i, exercise in enumerate(pack.exercises):
        base = ("exercises", i)
        if exercise.id in scenario_ids:
            # `exercise ID` starts either one, so the two id spaces must not overlap.
            add((*base, "id"), f"exercise id '{exercise.id}' is also a scenario id")
        if exercise.topic not in topic_ids:
            add((*base, "topic"), f"unknown topic '{exercise.topic}'")
        for ref in exercise.target_terms:
            if ref not in term_ids:
                add((*base, "target_terms"), f"target term '{ref}' is not in the glossary")
        if exercise.kind == "drill":
            if not exercise.quiz_filter:
                add((*base, "quiz_filter"), "a drill needs a quiz_filter (a topic or category id)")
        else:
            if not exercise.key_points:
                add((*base, "key_points"), f"a {exercise.kind} exercise needs key points")
            if exercise.length is None:
                add((*base, "length"), f"a {exercise.kind} exercise needs a length range")
            elif exercise.length.min_words >= exercise.length.max_words:
                add((*base, "length"), "min_words must be below max_words")
            if len(exercise.model_answer) < 20:
                add((*base, "model_answer"), f"a {exercise.kind} exercise needs a model answer")
            if exercise.kind in ("fix-term", "rewrite-plain") and not exercise.source:
                add((*base, "source"), f"a {exercise.kind} exercise needs the source sentence")
        _check_graded(add, base, exercise.key_points, exercise.jargon, exercise.misuses, term_ids)
        if exercise.quiz_filter and exercise.quiz_filter not in topic_ids | category_ids:
            add((*base, "quiz_filter"), f"unknown topic or category '{exercise.quiz_filter}'")
    return problems


def _check_graded(
    add: Callable[[Path_, str], None],
    base: Path_,
    key_points: Sequence[KeyPoint],
    jargon: Sequence[Jargon],
    misuses: Sequence[Misuse],
    term_ids: set[str],
) -> None:
    """The rubric parts of a scenario or a written exercise: key points, jargon, misuses."""
    seen: set[str] = set()
    for j, point in enumerate(key_points):
        where: Path_ = (*base, "key_points", j)
        if point.id in seen:
            add(where, f"duplicate key point id '{point.id}'")
        seen.add(point.id)
        if not any(_norm(p) for p in point.phrasings):
            add(where, f"key point '{point.id}' has no phrasings (words that count as covering it)")
        elif not all(_norm(p) for p in point.phrasings):
            add(where, f"key point '{point.id}' has an empty phrasing")
        if len(point.follow_up.strip()) < 5:
            add(where, f"key point '{point.id}' has no follow-up question")
    for j, item in enumerate(jargon):
        if not all(_norm(p) for p in item.explained_by):
            add((*base, "jargon", j), f"jargon '{item.word}' has an empty explained_by phrase")
    for j, misuse in enumerate(misuses):
        if misuse.term not in term_ids:
            add((*base, "misuses", j), f"misused term '{misuse.term}' is not in the glossary")


def style_warnings(pack: Pack, src: _Source | None = None) -> list[Problem]:
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


def check_pack_with_warnings(folder: Path) -> tuple[Pack | None, list[Problem], list[Problem]]:
    """Like `check_pack`, plus the style warnings of a valid pack."""
    if not folder.is_dir():
        return None, [Problem(str(folder), 1, "not a folder")], []
    src, problems = _read(folder)
    if problems:
        return None, problems, []
    try:
        pack = Pack.model_validate(src.data)
    except ValidationError as exc:
        return None, _validation_problems(src, exc), []
    problems = cross_check(pack, src)
    if problems:
        return None, problems, []
    return pack, [], style_warnings(pack, src)


def check_pack(folder: Path) -> tuple[Pack | None, list[Problem]]:
    """Validate a pack folder; returns the pack (when valid) and every problem found."""
    pack, problems, _ = check_pack_with_warnings(folder)
    return pack, problems


def load_pack(folder: Path) -> Pack:
    """Load and validate a pack, raising `PackError` with every problem."""
    pack, problems = check_pack(folder)
    if pack is None:
        raise PackError(problems)
    return pack


_CACHE: dict[Path, Pack] = {}


def load_default_pack(folder: Path | None = None) -> Pack:
    """Load the shipped pack (or `folder`) once per process."""
    folder = (folder or DEFAULT_PACK).resolve()
    if folder not in _CACHE:
        _CACHE[folder] = load_pack(folder)
    return _CACHE[folder]
