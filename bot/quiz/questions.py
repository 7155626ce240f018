"""Question generation: plain functions of (pack, term, random source); no database, no clock.

Every question is built from the content pack, never written by hand per term:

- ``term-to-definition`` and ``definition-to-term``: four options;
- ``fill-gap-choice`` and ``fill-gap-typed``: the term's example sentence with the term blanked;
- ``typed-term``: the definition is shown and the learner types the term;
- ``confusable-pair``: a situation from the pack's pairs, and which of two terms fits it;
- ``true-false``: the term with its own definition or with a neighbour's.

Distractors come from the term's confusable neighbours and its category, are unique, never name
the answer under another spelling, never appear in the question text itself, and are never one of
the term's `not_distractors` (terms the pack says also fit).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection
from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from bot.messages import NativeQuiz, QuizLimits, escape, strip_markup
from bot.quiz.checking import accepted_names, accepted_names_of
from bot.wording import after_colon, sentence_case
from content.index import PackIndex, normalize
from content.models import ConfusablePair, Term

QuestionKind = Literal[
    "term-to-definition",
    "definition-to-term",
    "fill-gap-choice",
    "fill-gap-typed",
    "typed-term",
    "confusable-pair",
    "true-false",
]
OPTIONS = 4
BLANK = "_____"
TRUE_FALSE = ["True", "False"]


class Question(BaseModel):
    """One question, stored as JSON in the conversation while it is open.

    `prompt`, `explanation` and `hint` are neutral markup (content text already escaped);
    `options` are plain labels. `asked_at` and `hinted` are filled in by the activity.
    """

    id: str
    kind: str
    term_id: str
    prompt: str
    options: list[str] = []
    option_terms: list[str] = []
    answer_index: int = -1
    answer_text: str = ""
    explanation: str = ""
    hint: str = ""
    typed: bool = False
    poll_question: str = ""
    fast_seconds: float = 10.0
    asked_at: datetime | None = None
    hinted: bool = False
    new: bool = False

    @property
    def is_choice(self) -> bool:
        """True for multiple-choice questions (answered by option)."""
        return bool(self.options) and not self.typed


def new_question_id(rng: random.Random) -> str:
    """A short random id (12 base-32 characters) that fits in button payloads."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(rng.choice(alphabet) for _ in range(12))


def short_name(term: Term) -> str:
    """The display name without a parenthetical: "PSI" for "PSI (Population Stability Index)"."""
    return re.sub(r"\s*\(.*\)\s*$", "", term.term).strip() or term.term


def first_sentence(text: str) -> str:
    """The first sentence of a definition (abbreviations such as "e.g." do not end one)."""
    text = text.strip()
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-Z])", text):
        head = text[: match.start()]
        if not re.search(r"\b(?:e\.g|i\.e|etc|vs|approx|incl)\.$", head):
            return head
    return text


def _mentions(text: str, term: Term) -> bool:
    """True when `text` names `term` (any accepted name of more than two letters)."""
    haystack = f" {normalize(text)} "
    return any(
        len(normalize(n)) > 2 and f" {normalize(n)} " in haystack for n in accepted_names(term)
    )


def _fast_seconds(*texts: str) -> float:
    # An answer counts as fast if it comes within a relaxed reading time plus a few seconds:
    # about three words a second suits readers of English as a second language.
    words = sum(len(t.split()) for t in texts)
    return round(4.0 + words / 3.0, 1)


def related(a: Term, b: Term) -> bool:
    """True when either term lists the other as related (often a part, a whole or a kind)."""
    return b.id in a.related or a.id in b.related


def pair_partners(pack: PackIndex, term: Term) -> list[Term]:
    """The other term of each confusable pair in the pack that includes `term`."""
    out: list[Term] = []
    for pair in pack.pack.pairs:
        if term.id in pair.terms:
            out += [pack.terms[t] for t in pair.terms if t != term.id and t in pack.terms]
    return list(dict.fromkeys(out))


# Words in a "confused with" note that say one term is a kind, a part or a cause of the other:
# offering one as the wrong answer for the other would mislead (covariate shift *is* data drift).
_OVERLAP = re.compile(
    r"\b(?:loosely|one way|one specific|one cause|a kind of|a type of|special case|subset|stricter)\b",
    re.IGNORECASE,
)


def overlapping(pack: PackIndex, a: Term, b: Term) -> bool:
    """True when the pack's notes say one term is a kind, part or cause of the other.

    Curated pairs (`pairs.yaml`) are distinguishable by definition and never overlap.
    """
    if b in pair_partners(pack, a):
        return False
    return any(
        x.confused_with.term == y.id and bool(_OVERLAP.search(x.confused_with.difference))
        for x, y in ((a, b), (b, a))
    )


def _name_set(term: Term) -> frozenset[str]:
    return _names_cached(term.id, term.names)


@lru_cache(maxsize=4096)
def _names_cached(term_id: str, names: tuple[str, ...]) -> frozenset[str]:
    # Keyed by the names themselves, so two packs with one id never share an entry wrongly.
    return frozenset(normalize(n) for n in accepted_names_of(names))


Pools = tuple[tuple[Term, ...], tuple[Term, ...], tuple[Term, ...]]


def _pools(pack: PackIndex, term: Term, strict: bool) -> Pools:
    """Distractor candidates before shuffling: (near, same category, others); once per pack."""
    key = ("distractor-pools", term.id, strict)
    cached = pack.memo.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    # Terms the pack marks as also fitting this term's definition or example are never wrong.
    excluded = set(term.not_distractors)
    near = pair_partners(pack, term) if strict else pack.confusables(term)
    near = [t for t in near if not overlapping(pack, term, t) and t.id not in excluded]
    same = [
        t
        for t in pack.same_category(term)
        if t not in near and not related(t, term) and t.id not in excluded
    ]
    others = [
        t
        for t in pack.pack.terms
        if t.id != term.id and t.category != term.category and t not in near
    ]
    others = [t for t in others if not related(t, term) and t.id not in excluded]
    if strict:
        # A confusable outside the curated pairs may well fit the sentence: leave it out.
        linked = {term.confused_with.term} | {
            t.id for t in pack.pack.terms if t.confused_with.term == term.id
        }
        same = [t for t in same if t.id not in linked]
        others = [t for t in others if t.id not in linked]
    pools: Pools = (tuple(near), tuple(same), tuple(others))
    pack.memo[key] = pools
    return pools


def distractors(
    pack: PackIndex,
    term: Term,
    rng: random.Random,
    count: int,
    *,
    avoid_text: str = "",
    definition_options: bool = False,
    strict: bool = False,
) -> list[Term]:
    """Wrong options: confusable neighbours first, then the same category, then any term.

    Never the answer again (options are unique by id and by normalized name), never a term named
    in `avoid_text` (the question itself), never a merely related term (often a part, a whole or
    a kind of the answer, where "wrong" would mislead) and, when options are definitions, never
    one whose definition names the answer. `strict` (fill the gap, where a neighbour may fit the
    sentence too) keeps only the pack's curated pair partners as neighbours.
    """
    taken = set(_name_set(term))
    near, same_pool, other_pool = _pools(pack, term, strict)
    same = list(same_pool)
    rng.shuffle(same)
    others = list(other_pool)
    rng.shuffle(others)
    picked: list[Term] = []
    for candidate in [*near[:2], *same, *near[2:], *others]:
        if len(picked) == count:
            break
        names = _name_set(candidate)
        if candidate.id == term.id or candidate in picked or names & taken:
            continue
        if normalize(candidate.definition) == normalize(term.definition):
            continue
        if avoid_text and _mentions(avoid_text, candidate):
            continue
        if definition_options and _mentions(candidate.definition, term):
            continue
        picked.append(candidate)
        taken |= names
    return picked


def linked(a: Term, b: Term) -> bool:
    """True when the pack says how the two terms differ (one's `confused_with` is the other)."""
    return a.confused_with.term == b.id or b.confused_with.term == a.id


def contrast(pack: PackIndex, answer: Term, chosen: Term) -> str:
    """One line on how a wrongly chosen term differs from the answer (markup)."""
    if answer.confused_with.term == chosen.id:
        return escape(answer.confused_with.difference)
    if chosen.confused_with.term == answer.id:
        return escape(chosen.confused_with.difference)
    return (
        f"*{escape(sentence_case(short_name(chosen)))}* is something else: "
        f"{escape(after_colon(first_sentence(chosen.definition)))}"
    )


def _in_use(term: Term) -> str:
    return f"In use: “{escape(term.example)}”"


def _category(pack: PackIndex, term: Term) -> str:
    category = pack.categories.get(term.category)
    return category.title if category else term.category


def _letter_hint(pack: PackIndex, term: Term, typed: bool) -> str:
    name = short_name(term)
    words = len(name.split())
    size = f", {words} words" if typed and words > 1 else ""
    return (
        f"It starts with “{escape(name[0])}”{size} and belongs to "
        f"*{escape(_category(pack, term))}*."
    )


def _rule_out_hint(question: Question, rng: random.Random) -> str:
    # With the options in view, a first letter can single out the answer; ruling one out
    # helps without giving it away.
    wrong = [i for i in range(len(question.options)) if i != question.answer_index]
    ruled_out = rng.choice(wrong)
    return f"It is not “{escape(question.options[ruled_out])}” (option {ruled_out + 1})."


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
        poll_question=poll_prompt,
        fast_seconds=_fast_seconds(poll_prompt, *labels),
    )


def term_to_definition(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show the term; the learner picks its definition among four."""
    wrong = distractors(pack, term, rng, OPTIONS - 1, definition_options=True)
    if len(wrong) < 2:
        return None
    question = _choice_question(
        rng,
        kind="term-to-definition",
        term=term,
        prompt=f"What does *{escape(term.term)}* mean?",
        poll_prompt=f"What does {term.term} mean?",
        answer_label=term.definition,
        wrong=[(t.definition, t.id) for t in wrong],
        explanation=_in_use(term),
        hint="",
    )
    # Hint: rule out one wrong option (the category is already visible in the options).
    out = [i for i in range(len(question.options)) if i != question.answer_index]
    ruled_out = rng.choice(out)
    question.hint = (
        f"*{escape(sentence_case(term.term))}* belongs to *{escape(_category(pack, term))}*. "
        f"It is not option {ruled_out + 1}."
    )
    return question


def definition_to_term(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show the definition; the learner picks the term among four."""
    wrong = distractors(pack, term, rng, OPTIONS - 1, avoid_text=term.definition)
    if len(wrong) < 2:
        return None
    question = _choice_question(
        rng,
        kind="definition-to-term",
        term=term,
        prompt=f"Which term fits this definition?\n\n_{escape(term.definition)}_",
        poll_prompt=f"Which term fits this definition?\n\n{term.definition}",
        answer_label=short_name(term),
        wrong=[(short_name(t), t.id) for t in wrong],
        explanation=_in_use(term),
        hint="",
    )
    question.hint = _rule_out_hint(question, rng)
    return question


@lru_cache(maxsize=4096)
def _name_regex(name: str) -> re.Pattern[str] | None:
    # Cached: compiling costs about 0.3 ms, more than the rest of building a question.
    tokens = re.findall(r"[A-Za-z0-9]+", name)
    if not tokens:
        return None
    body = r"[\s/-]{1,3}".join(re.escape(t) for t in tokens)
    # "_" counts as part of a word: transition_model_version_stage is code, not the term.
    return re.compile(rf"(?<![A-Za-z0-9_]){body}(?![A-Za-z0-9_])", re.IGNORECASE)


def blank_out(sentence: str, term: Term) -> tuple[str, str] | None:
    """The sentence with every mention of the term replaced by a blank, and the name blanked.

    "a"/"an" right before a blank becomes "a/an", so the article does not give the answer away.
    None when the sentence does not mention the term.
    """
    names = sorted(accepted_names(term), key=len, reverse=True)
    found: list[str] = []
    text = sentence
    for name in names:
        pattern = _name_regex(name)
        if pattern is None or pattern.search(text) is None:
            continue
        found.append(name)
        text = pattern.sub(BLANK, text)
    if not found or len({normalize(n) for n in found}) > 1:
        # Two different names in one sentence ("the X feature view is the feature group")
        # would give two blanks with two answers: not a fair gap.
        return None
    text = re.sub(rf"\b([Aa])n? {BLANK}", rf"\1/an {BLANK}", text)
    return text, found[0]


def _fill_gap(pack: PackIndex, term: Term, rng: random.Random, typed: bool) -> Question | None:
    blanked = blank_out(term.example, term)
    if blanked is None:
        return None
    sentence, name = blanked
    label = short_name(term) if normalize(name) == normalize(term.term) else name
    shown = f"“{escape(sentence)}”"
    explanation = f"*{escape(short_name(term))}*: {escape(first_sentence(term.definition))}"
    if typed:
        return Question(
            id=new_question_id(rng),
            kind="fill-gap-typed",
            term_id=term.id,
            prompt=f"Fill the gap: type the missing term.\n\n{shown}",
            answer_text=label,
            explanation=explanation,
            hint=_letter_hint(pack, term, typed=True),
            typed=True,
            fast_seconds=_fast_seconds(sentence) + 5,
        )
    wrong = distractors(pack, term, rng, OPTIONS - 1, avoid_text=term.example, strict=True)
    if len(wrong) < 2:
        return None
    question = _choice_question(
        rng,
        kind="fill-gap-choice",
        term=term,
        prompt=f"Which term fills the gap?\n\n{shown}",
        poll_prompt=f"Which term fills the gap?\n\n“{sentence}”",
        answer_label=label,
        wrong=[(short_name(t), t.id) for t in wrong],
        explanation=explanation,
        hint="",
    )
    question.hint = _rule_out_hint(question, rng)
    return question


def fill_gap_choice(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """The example sentence with the term blanked; the learner picks the term among four."""
    return _fill_gap(pack, term, rng, typed=False)


def fill_gap_typed(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """The example sentence with the term blanked; the learner types the term."""
    return _fill_gap(pack, term, rng, typed=True)


def typed_term(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """Show the definition; the learner types the term (aliases and small typos accepted)."""
    return Question(
        id=new_question_id(rng),
        kind="typed-term",
        term_id=term.id,
        prompt=f"Type the term for this definition:\n\n_{escape(term.definition)}_",
        answer_text=short_name(term),
        explanation=_in_use(term),
        hint=_letter_hint(pack, term, typed=True),
        typed=True,
        fast_seconds=_fast_seconds(term.definition) + 5,
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
    wrong = [(short_name(other), other.id)]
    question = _choice_question(
        rng,
        kind="confusable-pair",
        term=term,
        prompt=(
            f"*{escape(sentence_case(short_name(pack.terms[pair.terms[0]])))}* or "
            f"*{escape(short_name(pack.terms[pair.terms[1]]))}*? "
            f"Which one fits this situation?\n\n_{escape(case.situation)}_"
        ),
        poll_prompt=(
            f"{sentence_case(short_name(pack.terms[pair.terms[0]]))} or "
            f"{short_name(pack.terms[pair.terms[1]])}?"
            f" Which one fits this situation?\n\n{case.situation}"
        ),
        answer_label=short_name(term),
        wrong=wrong,
        explanation=escape(case.why),
        hint=f"How they differ: {contrast(pack, term, other)}",
    )
    # Keep the pair's own order, so "A or B?" matches the buttons.
    order = [short_name(pack.terms[t]) for t in pair.terms]
    question.options = order
    question.option_terms = list(pair.terms)
    question.answer_index = order.index(short_name(term))
    return question


def false_neighbour(pack: PackIndex, term: Term, rng: random.Random) -> Term | None:
    """A term whose definition makes a clearly false statement about `term`, if there is one.

    Pair partners first (the pack curates them as distinguishable), then the same category.
    A term's `confused_with` outside a pair is skipped, and so is any term whose definition
    names the other: those are often a broader or narrower idea (covariate shift is a kind of
    data drift; PSI is a drift score), where "false" would mislead.
    """
    partners = pair_partners(pack, term)
    same = pack.same_category(term)
    rng.shuffle(same)
    for candidate in [*partners, *same]:
        if candidate.id in term.not_distractors:
            continue  # the pack says its definition also fits `term`: "false" would mislead
        linked = candidate.id == term.confused_with.term or candidate.confused_with.term == term.id
        if (linked or related(candidate, term)) and candidate not in partners:
            continue
        if _mentions(candidate.definition, term) or _mentions(term.definition, candidate):
            continue
        if normalize(candidate.definition) == normalize(term.definition):
            continue
        return candidate
    return None


def true_false(pack: PackIndex, term: Term, rng: random.Random) -> Question | None:
    """True or false: does this definition describe the term (its own or a neighbour's)?"""
    neighbour = false_neighbour(pack, term, rng) if rng.random() < 0.5 else None
    statement = neighbour.definition if neighbour else term.definition
    name = short_name(term)
    if neighbour is None:
        explanation = f"True: this is what *{escape(name)}* means. {_in_use(term)}"
    else:
        explanation = (
            f"False: this describes *{escape(short_name(neighbour))}*. "
            f"*{escape(sentence_case(name))}* is different: "
            f"{escape(after_colon(first_sentence(term.definition)))}"
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
        hint=f"Here is how *{escape(name)}* is used: “{escape(term.example)}”",
        poll_question=f"True or false? This describes {name}:\n\n{statement}",
        fast_seconds=_fast_seconds(statement),
    )


Generator = Callable[[PackIndex, Term, random.Random], Question | None]

GENERATORS: dict[str, Generator] = {
    "term-to-definition": term_to_definition,
    "definition-to-term": definition_to_term,
    "fill-gap-choice": fill_gap_choice,
    "fill-gap-typed": fill_gap_typed,
    "typed-term": typed_term,
    "confusable-pair": confusable_pair,
    "true-false": true_false,
}

#: Question kinds by how well the learner knows the term (see `srs.question_level`): a new term
#: is only recognised among options; typing it from memory comes once it is known.
KINDS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    "new": ("definition-to-term", "term-to-definition"),
    "learning": (
        "definition-to-term",
        "term-to-definition",
        "fill-gap-choice",
        "confusable-pair",
        "true-false",
    ),
    "recall": (
        "typed-term",
        "fill-gap-typed",
        "confusable-pair",
        "fill-gap-choice",
        "true-false",
        "definition-to-term",
    ),
}


def make_question(pack: PackIndex, term: Term, kind: str, rng: random.Random) -> Question | None:
    """Build a question of `kind` about `term`, or None when the kind does not fit the term."""
    return GENERATORS[kind](pack, term, rng)


def choose_question(
    pack: PackIndex,
    term: Term,
    level: str,
    rng: random.Random,
    *,
    poll: bool = False,
    limits: QuizLimits | None = None,
    avoid: Collection[str] = (),
) -> Question:
    """A question about `term` of a kind that suits the learner's level, varied by `rng`.

    Kinds in `avoid` (the previous question's, the one this term just had) go last, so a round
    changes kind each time. In poll mode a question that fits the platform's `limits` is preferred.
    """
    kinds = list(KINDS_BY_LEVEL.get(level, KINDS_BY_LEVEL["learning"]))
    rng.shuffle(kinds)
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

    `limits` are the platform's (None: no limits). Questions are never cut (a truncated
    definition can mislead); only the explanation is. `payloads` are the options' button
    payloads, carried so that a vote comes back as a press.
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
        payloads=payloads,
    )
