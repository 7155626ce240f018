"""Recognition questions: the learner picks the answer among options (no database, no clock).

- ``term-to-definition``: the term; pick its meaning among short glosses;
- ``definition-to-term``: a meaning; pick the term;
- ``fill-gap-choice``: the term's example sentence with the term blanked; pick the term;
- ``confusable-pair``: a situation from the pack's pairs; which of two terms fits it;
- ``true-false``: the term with its own gloss or with a neighbour's.

Options are the terms' `quiz_gloss` (at most 100 characters, written for quizzes), never the
full definitions: a learner reads four paragraphs slowly, and a quiz right after a term card
would only show the text just read again.
"""

from __future__ import annotations

import random

from bot.messages import escape
from bot.quiz.distractors import contrast, distractors, false_neighbour
from bot.quiz.question import (
    Question,
    article_before_blank,
    blank_out,
    contrast_hint,
    fast_seconds,
    gloss,
    in_use,
    letters_hint,
    meaning_line,
    new_question_id,
    short_name,
)
from bot.quiz.question import (
    named as named_term,
)
from bot.wording import after_colon, sentence_case
from content.index import PackIndex, normalize
from content.models import ConfusablePair, Term

OPTIONS = 4
TRUE_FALSE = ["True", "False"]


def _choice_question(
    rng: random.Random,
    *,
    kind: str,
    term: Term,
    prompt: str,
    poll_prompt: str,
    answer_label: str,
    wrong: list[tuple[str, str]],
    explanation: str,
    hint: str,
    more_hint: str = "",
) -> Question:
    options = [(answer_label, term.id), *wrong]
    rng.shuffle(options)
    labels = [label for label, _ in options]
    return Question(
        id=new_question_id(rng),
        kind=kind,
        term_id=term.id,
        prompt=prompt,
        options=labels,
        option_terms=[tid for _, tid in options],
        answer_index=labels.index(answer_label),
        answer_text=answer_label,
        explanation=explanation,
        hint=hint,
        more_hint=more_hint,
        poll_question=poll_prompt,
        fast_seconds=fast_seconds(poll_prompt, *labels),
    )


def _used_hint(term: Term) -> str:
    return f"Here is how *{escape(short_name(term))}* is used: “{escape(term.example)}”"


def term_to_definition(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show the term; the learner picks its meaning among four short glosses."""
    wrong = distractors(pack, term, rng, OPTIONS - 1, gloss_options=True)
    if len(wrong) < 2:
        return None
    return _choice_question(
        rng,
        kind="term-to-definition",
        term=term,
        prompt=f"What does *{escape(term.term)}* mean?",
        poll_prompt=f"What does {term.term} mean?",
        answer_label=gloss(term),
        wrong=[(gloss(t), t.id) for t in wrong],
        explanation=in_use(term),
        hint=_used_hint(term),
        more_hint=contrast_hint(pack, term),
    )


def definition_to_term(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show a short meaning; the learner picks the term among four."""
    meaning = gloss(term)
    wrong = distractors(pack, term, rng, OPTIONS - 1, avoid_text=meaning)
    if len(wrong) < 2:
        return None
    return _choice_question(
        rng,
        kind="definition-to-term",
        term=term,
        prompt=f"Which term means this?\n\n_{escape(meaning)}_",
        poll_prompt=f"Which term means this?\n\n{meaning}",
        answer_label=short_name(term),
        wrong=[(short_name(t), t.id) for t in wrong],
        explanation=in_use(term),
        hint=letters_hint(short_name(term)),
        more_hint=contrast_hint(pack, term),
    )


def fill_gap_choice(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """The example sentence with the term blanked; the learner picks the term among four."""
    blanked = blank_out(term.example, term)
    if blanked is None:
        return None
    sentence, name = blanked
    label = short_name(term) if normalize(name) == normalize(term.term) else name
    wrong = distractors(
        pack,
        term,
        rng,
        OPTIONS - 1,
        avoid_text=term.example,
        strict=True,
        article=article_before_blank(sentence),
    )
    if len(wrong) < 2:
        return None
    return _choice_question(
        rng,
        kind="fill-gap-choice",
        term=term,
        prompt=f"Which term fills the gap?\n\n“{escape(sentence)}”",
        poll_prompt=f"Which term fills the gap?\n\n“{sentence}”",
        answer_label=label,
        wrong=[(short_name(t), t.id) for t in wrong],
        explanation=meaning_line(term),
        hint=letters_hint(label),
        more_hint=contrast_hint(pack, term),
    )


def pairs_of(pack: PackIndex, term: Term) -> list[ConfusablePair]:
    """The confusable pairs from the pack that include `term` and have a case answered by it."""
    return [
        p
        for p in pack.pack.pairs
        if term.id in p.terms
        and all(t in pack.terms for t in p.terms)
        and any(c.answer == term.id for c in p.cases)
    ]


def confusable_pair(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """A situation from the pack's pairs: which of two easily confused terms fits it."""
    pairs = pairs_of(pack, term)
    if not pairs:
        return None
    pair = rng.choice(pairs)
    case = rng.choice([c for c in pair.cases if c.answer == term.id])
    other = pack.terms[next(t for t in pair.terms if t != term.id)]
    first, second = (short_name(pack.terms[t]) for t in pair.terms)
    question = _choice_question(
        rng,
        kind="confusable-pair",
        term=term,
        prompt=(
            f"*{escape(sentence_case(first))}* or *{escape(second)}*? "
            f"Which one fits this situation?\n\n_{escape(case.situation)}_"
        ),
        poll_prompt=(
            f"{sentence_case(first)} or {second}? Which one fits this situation?"
            f"\n\n{case.situation}"
        ),
        answer_label=short_name(term),
        wrong=[(short_name(other), other.id)],
        explanation=escape(case.why),
        hint=f"How they differ: {after_colon(contrast(pack, term, other))}",
    )
    # Keep the pair's own order, so "A or B?" matches the buttons.
    order = [first, second]
    question.options = order
    question.option_terms = list(pair.terms)
    question.answer_index = order.index(short_name(term))
    return question


def true_false(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """True or false: does this short meaning describe the term (its own or a neighbour's)?"""
    neighbour = false_neighbour(pack, term, rng) if rng.random() < 0.5 else None
    statement = gloss(neighbour) if neighbour else gloss(term)
    name = short_name(term)
    if neighbour is None:
        explanation = f"True: this is what *{escape(name)}* means. {in_use(term)}"
    else:
        explanation = (
            f"False: this describes *{escape(short_name(neighbour))}*. "
            f"{named_term(term)} is different: {escape(after_colon(gloss(term)))}."
        )
    return Question(
        id=new_question_id(rng),
        kind="true-false",
        term_id=term.id,
        prompt=f"True or false? This describes *{escape(name)}*:\n\n_{escape(statement)}_",
        options=list(TRUE_FALSE),
        option_terms=["true", "false"],
        answer_index=0 if neighbour is None else 1,
        answer_text=TRUE_FALSE[0 if neighbour is None else 1],
        explanation=explanation,
        hint=_used_hint(term),
        more_hint=contrast_hint(pack, term),
        poll_question=f"True or false? This describes {name}:\n\n{statement}",
        fast_seconds=fast_seconds(statement),
    )
