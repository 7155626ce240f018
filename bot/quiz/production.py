"""Production questions: the learner writes the term, or a sentence with it (no database).

- ``typed-term``: a short meaning; type the term;
- ``fill-gap-typed``: the term's example sentence with the term blanked; type the term;
- ``use-in-sentence``: write one sentence of your own with the term (the coach judges it).

Once a card has left the learning steps these are the main question type. Producing a word from
its meaning is what a meeting asks for, and retrieving it (not reading it again) is what makes it
stick: retrieval practice beats re-study for later recall (Karpicke & Roediger 2008), and
productive practice builds productive knowledge that recognition does not (Webb 2009). Using a
word in an original sentence involves the learner most (Hulstijn & Laufer 2001; Kim & Webb 2022
found production tasks at least as effective as recognition for later recall).
"""

from __future__ import annotations

import random

from bot.messages import escape
from bot.quiz.question import (
    Question,
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
from content.index import PackIndex, normalize
from content.models import Term

USE_IN_SENTENCE = "use-in-sentence"


def typed_term(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show a short meaning; the learner types the term (aliases and small typos accepted)."""
    meaning = gloss(term)
    return Question(
        id=new_question_id(rng),
        kind="typed-term",
        term_id=term.id,
        prompt=f"Type the term that means this:\n\n_{escape(meaning)}_",
        answer_text=short_name(term),
        explanation=in_use(term),
        hint=letters_hint(short_name(term)),
        more_hint=contrast_hint(pack, term),
        typed=True,
        fast_seconds=fast_seconds(meaning) + 5,
    )


def fill_gap_typed(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """The example sentence with the term blanked; the learner types the term."""
    blanked = blank_out(term.example, term)
    if blanked is None:
        return None
    sentence, name = blanked
    label = short_name(term) if normalize(name) == normalize(term.term) else name
    return Question(
        id=new_question_id(rng),
        kind="fill-gap-typed",
        term_id=term.id,
        prompt=f"Fill the gap: type the missing term.\n\n“{escape(sentence)}”",
        answer_text=label,
        explanation=meaning_line(term),
        hint=letters_hint(label),
        more_hint=contrast_hint(pack, term),
        typed=True,
        fast_seconds=fast_seconds(sentence) + 5,
    )


def use_in_sentence(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """The learner writes one sentence of their own with the term; the coach judges it."""
    name = short_name(term)
    return Question(
        id=new_question_id(rng),
        kind=USE_IN_SENTENCE,
        term_id=term.id,
        prompt=(
            f"Use *{escape(name)}* in one sentence of your own, as you would say it "
            "at work (about your team, a model or a meeting)."
        ),
        answer_text=name,
        explanation=f"For example: “{escape(term.example)}”",
        hint=f"It means: {escape(gloss(term))}",
        more_hint=contrast_hint(pack, term),
        typed=True,
        # Writing a sentence takes time: it is never "fast".
        fast_seconds=0.0,
    )
