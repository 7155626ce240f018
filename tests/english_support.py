"""The grammar test sets (tests/data/grammar) and how a checker is scored on them.

Copied from the evaluation that chose the approach: `sentences.yaml` (115 sentences with 135
planted errors, 40 clean sentences) was used to build the Weirpack and the inflection layer;
`heldout.yaml` (45 sentences, 49 errors, 20 clean) was written afterwards with new wording.

Scoring, as in the evaluation: an error is *caught* when a finding's span overlaps its wrong
phrase, *fixed* when applying that finding turns the sentence into exactly the sentence with this
error corrected (spaces normalised); a *false positive* is a finding outside every planted
phrase, or any finding on a clean sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.coach.english import EnglishChecker, Finding, pack_glossary
from content.index import PackIndex
from content.loader import load_default_pack

DATA = Path(__file__).resolve().parent / "data" / "grammar"
MAIN = DATA / "sentences.yaml"
HELDOUT = DATA / "heldout.yaml"


@dataclass(frozen=True)
class Planted:
    """One planted error: the wrong phrase's span, and its correction."""

    wrong: str
    right: str
    rule: str
    start: int
    end: int


@dataclass(frozen=True)
class Item:
    """A test sentence and its planted errors (none for a clean sentence)."""

    id: str
    text: str
    errors: tuple[Planted, ...] = ()


@dataclass
class Score:
    """Recall and false positives of a checker on one test set."""

    n_errors: int = 0
    caught: int = 0
    fixed: int = 0
    fp_planted: list[str] = field(default_factory=list)
    fp_clean: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def load(path: Path) -> tuple[list[Item], list[Item]]:
    """The planted and the clean sentences of a test set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    planted = []
    for d in data["planted"]:
        errors = []
        for e in d["errors"]:
            assert d["text"].count(e["wrong"]) == 1, (d["id"], e["wrong"])
            start = d["text"].index(e["wrong"])
            errors.append(
                Planted(e["wrong"], e["right"], e["rule"], start, start + len(e["wrong"]))
            )
        planted.append(Item(d["id"], d["text"], tuple(errors)))
    clean = [Item(d["id"], d["text"]) for d in data["clean"]]
    return planted, clean


def norm(text: str) -> str:
    """The text with runs of spaces as one space, stripped."""
    return re.sub(r"\s+", " ", text).strip()


def score(
    planted: Sequence[Item], clean: Sequence[Item], findings: Callable[[str], list[Finding]]
) -> Score:
    """Recall and false positives of `findings` on the sentences."""
    result = Score()
    for item in planted:
        found = findings(item.text)
        for e in item.errors:
            result.n_errors += 1
            hits = [f for f in found if f.overlaps(e.start, e.end)]
            target = norm(item.text[: e.start] + e.right + item.text[e.end :])
            fixed = any(
                norm(item.text[: f.start] + f.replacement + item.text[f.end :]) == target
                for f in hits
            )
            result.caught += bool(hits)
            result.fixed += fixed
            if not hits:
                result.missed.append(f"{item.id}: {e.wrong!r} ({e.rule})")
        result.fp_planted += [
            f"{item.id}: {item.text[f.start : f.end]!r} -> {f.replacement!r} [{f.source}]"
            for f in found
            if not any(f.overlaps(e.start, e.end) for e in item.errors)
        ]
    for item in clean:
        result.fp_clean += [
            f"{item.id}: {item.text[f.start : f.end]!r} -> {f.replacement!r} [{f.source}]"
            for f in findings(item.text)
        ]
    return result


def answer_250_words() -> str:
    """A learner answer of about 250 words: planted and clean sentences of the main set in turn."""
    planted, clean = load(MAIN)
    pool = [x for pair in zip(planted, clean, strict=False) for x in pair]
    out: list[str] = []
    words = 0
    while words < 250:
        text = pool[len(out) % len(pool)].text
        out.append(text)
        words += len(text.split())
    return " ".join(out)


@cache
def pack_names() -> tuple[str, ...]:
    """Every term name and alias of the default pack."""
    return tuple(pack_glossary(PackIndex(load_default_pack())))


@cache
def checker() -> EnglishChecker:
    """One checker with the default pack's glossary, shared by the English tests.

    Its Linters are built once per thread (about a second), so the tests share it.
    """
    shared = EnglishChecker(pack_names())
    shared.warm_up()
    return shared
