"""Question generation: plain functions of (pack, term, random source); no database, no clock."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel

from bot.messages import escape
from content.index import PackIndex, normalize
from content.models import Term

QuestionKind = Literal["term-to-definition", "definition-to-term"]
OPTIONS = 4


class Question(BaseModel):
    """One quiz question, stored as JSON in the conversation while it is open."""

    id: str
    kind: str
    term_id: str
    prompt: str
    options: list[str] = []
    option_terms: list[str] = []
    answer_index: int = -1
    answer_text: str = ""
    explanation: str = ""
    typed: bool = False

    @property
    def is_choice(self) -> bool:
        """True for multiple-choice questions (answered by option)."""
        return bool(self.options)


def new_question_id(rng: random.Random) -> str:
    """A short random id (12 base-32 characters) that fits in button payloads."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(rng.choice(alphabet) for _ in range(12))


def distractors(pack: PackIndex, term: Term, rng: random.Random, count: int) -> list[Term]:
    """Wrong options: confusable neighbours and the same category first, never the answer again.

    Options are unique by term and by normalized name, so the answer can never appear twice
    under another spelling.
    """
    taken = {normalize(n) for n in term.names}
    picked: list[Term] = []
    near = pack.confusables(term)
    same = pack.same_category(term)
    rng.shuffle(same)
    pool = near[:1] + [t for t in same if t not in near[:1]]
    others = [t for t in pack.pack.terms if t.id != term.id and t not in pool]
    rng.shuffle(others)
    for candidate in pool + others:
        if len(picked) == count:
            break
        names = {normalize(n) for n in candidate.names}
        if candidate.id == term.id or names & taken:
            continue
        if normalize(candidate.definition) == normalize(term.definition):
            continue
        picked.append(candidate)
        taken |= names
    return picked


def _explain(pack: PackIndex, term: Term) -> str:
    other = pack.terms.get(term.confused_with.term)
    base = f"{term.term}: {term.definition}"
    if other is None:
        return base
    return f"{base} Not the same as {other.term}: {term.confused_with.difference}"


def term_to_definition(pack: PackIndex, term: Term, rng: random.Random) -> Question:
    """Show the term; the learner picks its definition among four."""
    wrong = distractors(pack, term, rng, OPTIONS - 1)
    options = [term, *wrong]
    rng.shuffle(options)
    return Question(
        id=new_question_id(rng),
        kind="term-to-definition",
        term_id=term.id,
        prompt=f"What does *{escape(term.term)}* mean?",
        options=[t.definition for t in options],
        option_terms=[t.id for t in options],
        answer_index=options.index(term),
        answer_text=term.definition,
        explanation=_explain(pack, term),
    )


def definition_to_term(pack: PackIndex, term: Term, rng: random.Random) -> Question:
    """Show the definition; the learner picks the term among four."""
    wrong = distractors(pack, term, rng, OPTIONS - 1)
    options = [term, *wrong]
    rng.shuffle(options)
    return Question(
        id=new_question_id(rng),
        kind="definition-to-term",
        term_id=term.id,
        prompt=f"Which term fits this definition?\n\n_{escape(term.definition)}_",
        options=[t.term for t in options],
        option_terms=[t.id for t in options],
        answer_index=options.index(term),
        answer_text=term.term,
        explanation=_explain(pack, term),
    )


GENERATORS = {
    "term-to-definition": term_to_definition,
    "definition-to-term": definition_to_term,
}


def make_question(pack: PackIndex, term: Term, kind: str, rng: random.Random) -> Question:
    """Build a question of `kind` about `term`."""
    return GENERATORS[kind](pack, term, rng)
