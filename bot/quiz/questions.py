"""Question generation: which kind of question to ask about a term, and its poll form.

Every question is built from the content pack, never written by hand per term; the kinds live
in `bot.quiz.recognition` (pick among options) and `bot.quiz.production` (type the term, or use
it in a sentence). This module picks a kind by how well the learner knows the term:

- a new term is recognised among options (you cannot type what you never met);
- a term in its learning steps is recognised in varied ways;
- a term that has left the learning steps is mostly *produced*: typed from its meaning or into
  a gap, sometimes used in a sentence of the learner's own (Karpicke & Roediger 2008; Webb
  2009). Contrast questions on a confusable pair come only once both terms are known: meeting
  two similar new words together makes learners mix them up (Nakata & Suzuki 2019), while
  mixing known ones makes them tell them apart (Rohrer 2012).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection

from bot.messages import NativeQuiz, QuizLimits, strip_markup
from bot.quiz.distractors import (
    contrast,
    distractors,
    false_neighbour,
    linked,
    overlapping,
    pair_partners,
    related,
)
from bot.quiz.production import USE_IN_SENTENCE, fill_gap_typed, typed_term, use_in_sentence
from bot.quiz.question import (
    BLANK,
    Question,
    blank_out,
    first_sentence,
    new_question_id,
    short_name,
)
from bot.quiz.recognition import (
    OPTIONS,
    TRUE_FALSE,
    confusable_pair,
    definition_to_term,
    fill_gap_choice,
    pairs_of,
    term_to_definition,
    true_false,
)
from content.index import PackIndex
from content.models import Term

__all__ = [
    "BLANK",
    "GENERATORS",
    "KINDS_BY_LEVEL",
    "OPTIONS",
    "PRODUCTION_KINDS",
    "TRUE_FALSE",
    "USE_IN_SENTENCE",
    "Question",
    "blank_out",
    "choose_question",
    "confusable_pair",
    "contrast",
    "definition_to_term",
    "distractors",
    "false_neighbour",
    "fill_gap_choice",
    "fill_gap_typed",
    "first_sentence",
    "linked",
    "make_question",
    "native_quiz",
    "new_question_id",
    "overlapping",
    "pair_partners",
    "pairs_of",
    "related",
    "short_name",
    "term_to_definition",
    "true_false",
    "typed_term",
    "use_in_sentence",
]

Generator = Callable[[PackIndex, Term, random.Random], Question | None]

GENERATORS: dict[str, Generator] = {
    "term-to-definition": term_to_definition,
    "definition-to-term": definition_to_term,
    "fill-gap-choice": fill_gap_choice,
    "fill-gap-typed": fill_gap_typed,
    "typed-term": typed_term,
    "confusable-pair": confusable_pair,
    "true-false": true_false,
    USE_IN_SENTENCE: use_in_sentence,
}

#: Kinds in which the learner writes the term (or a sentence with it) instead of picking it.
PRODUCTION_KINDS = frozenset({"typed-term", "fill-gap-typed", USE_IN_SENTENCE})

#: Question kinds by how well the learner knows the term (see `srs.question_level`), each with
#: its weight: how often it comes first when a kind is drawn.
KIND_WEIGHTS: dict[str, dict[str, float]] = {
    "new": {"definition-to-term": 1, "term-to-definition": 1, "fill-gap-choice": 1},
    "learning": {
        "definition-to-term": 1,
        "term-to-definition": 1,
        "fill-gap-choice": 1,
        "true-false": 1,
        "confusable-pair": 1,
    },
    # Out of the learning steps: producing the term is the main question type.
    "recall": {
        "typed-term": 3,
        "fill-gap-typed": 3,
        USE_IN_SENTENCE: 1,
        "confusable-pair": 2,
        "fill-gap-choice": 0.5,
    },
}
KINDS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    level: tuple(weights) for level, weights in KIND_WEIGHTS.items()
}
#: Kinds that state what a term means beside its name: not the first question after its card,
#: which would only show the text just read (retrieval, not re-reading: Karpicke & Roediger 2008).
RESTATES_MEANING = frozenset({"term-to-definition", "true-false"})


def make_question(pack: PackIndex, term: Term, kind: str, rng: random.Random) -> Question | None:
    """Build a question of `kind` about `term`, or None when the kind does not fit the term."""
    return GENERATORS[kind](pack, term, rng)


def _weighted_order(weights: dict[str, float], rng: random.Random) -> list[str]:
    # Weighted sampling without replacement (Efraimidis-Spirakis keys).
    keyed = [(rng.random() ** (1.0 / w), k) for k, w in weights.items() if w > 0]
    return [k for _, k in sorted(keyed, reverse=True)]


def choose_question(
    pack: PackIndex,
    term: Term,
    level: str,
    rng: random.Random,
    *,
    poll: bool = False,
    limits: QuizLimits | None = None,
    avoid: Collection[str] = (),
    known: Collection[str] | None = None,
    after_card: bool = False,
    sentences: bool = True,
) -> Question:
    """A question about `term` of a kind that suits the learner's level, varied by `rng`.

    Kinds in `avoid` (the previous question's, the one this term just had) go last, so a round
    changes kind each time. In poll mode a question that fits the platform's `limits` is preferred.
    `known` (ids of terms the learner knows) allows a contrast question only when the pair
    partner is known too; None allows it always. `after_card` (the term's card was just shown)
    leaves out the kinds that restate its meaning. `sentences` False leaves out *use it in a
    sentence* (no judge at hand).
    """
    weights = dict(KIND_WEIGHTS.get(level, KIND_WEIGHTS["learning"]))
    if known is not None and not any(p.id in known for p in pair_partners(pack, term)):
        weights.pop("confusable-pair", None)
    if after_card:
        for kind in RESTATES_MEANING:
            weights.pop(kind, None)
    if not sentences:
        weights.pop(USE_IN_SENTENCE, None)
    kinds = _weighted_order(weights, rng)
    kinds.sort(key=lambda k: k in avoid)
    first: Question | None = None
    for kind in kinds:
        question = make_question(pack, term, kind, rng)
        if question is None:
            continue
        if not poll or question.typed or native_quiz(question, limits) is not None:
            return question
        first = first or question
    if first is not None:
        return first
    fallback = definition_to_term(pack, term, rng) or typed_term(pack, term, rng)
    assert fallback is not None
    return fallback


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def native_quiz(
    question: Question, limits: QuizLimits | None, payloads: tuple[str, ...] = ()
) -> NativeQuiz | None:
    """The question as a native quiz (a quiz poll), or None when it does not fit `limits`.

    `limits` are the platform's (None: no limits). Questions are never cut (a truncated text
    can mislead); only the explanation is. `payloads` are the options' button payloads, carried
    so that a vote comes back as a press.
    """
    if not question.is_choice or not question.poll_question:
        return None
    if limits is not None and len(question.poll_question) > limits.question:
        return None
    if any(
        not o.strip() or (limits is not None and len(o) > limits.option) for o in question.options
    ):
        return None
    if len(set(question.options)) != len(question.options):
        return None
    explanation = strip_markup(question.explanation).replace("\n", " ")
    return NativeQuiz(
        question=question.poll_question,
        options=tuple(question.options),
        correct_index=question.answer_index,
        explanation=_cut(explanation, limits.explanation) if limits else explanation,
        question_id=question.id,
        payloads=payloads[: len(question.options)],
    )
