"""Planning a question round: what it asks, in which order, and the state it keeps as JSON.

Pure functions of (pack, cards, time, a random order), so the planner is tested without a chat.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pydantic import BaseModel

from bot.quiz.questions import Question
from bot.quiz.srs import CardData, question_level, retrievability
from content.index import Area, Match, PackIndex, normalize
from content.models import Term

ROUND_SIZE = 5
TERM_ROUND_SIZE = 3
NEW_PER_QUIZ = 3
# Missed terms asked again at the end of a round. More would make a long review longer without
# helping: in bench/learner_sim.py an immediate second try adds little memory, and bringing back
# every miss took questions from spaced ones (with recognition modelled like recall, the ratio
# was 1.69 with three retries and 1.37 with all). Every round's intro says "up to three".
MAX_RETRIES = 3


class Planned(BaseModel):
    """A term the round will ask about; `retry` marks a second chance after a wrong answer."""

    term_id: str
    retry: bool = False
    # The card's question level and newness when the round was planned: asking the next
    # question then needs no extra read (the planner has every card loaded anyway).
    level: str | None = None
    new: bool = False


def planned(
    term_ids: list[str], cards: dict[str, CardData], seen: Collection[str] = ()
) -> list[Planned]:
    """Plan items with the level and newness of each term's card at planning time.

    A term is *new* (the "🆕 new term" badge) only when the learner has neither answered a
    question on it nor opened its card (`seen`).
    """
    out = []
    for term_id in term_ids:
        card = cards.get(term_id)
        out.append(
            Planned(
                term_id=term_id,
                level=question_level(card),
                new=(card is None or card.is_new) and term_id not in seen,
            )
        )
    return out


def space_pairs(pack: PackIndex, candidates: list[str], cards: dict[str, CardData]) -> list[str]:
    """New terms in order, holding back one whose confusable is new now or still being learnt.

    Two easily confused terms met together interfere: learners then mix them up, and a pair is
    learnt better one after the other than side by side (Nakata & Suzuki 2019). So a term waits
    while a confusable of it is among the new terms already picked, or has a card still in its
    learning steps; it comes in a later session, once the other one is known.
    """
    picked: list[str] = []
    taken: set[str] = set()
    for term_id in candidates:
        term = pack.terms.get(term_id)
        if term is None:
            picked.append(term_id)
            continue
        others = {t.id for t in pack.confusables(term)}
        learning = {t for t in others if t in cards and not cards[t].is_new and not cards[t].known}
        if others & taken or learning:
            continue
        picked.append(term_id)
        taken.add(term_id)
    return picked


class Outcome(BaseModel):
    """One scored answer in the round."""

    term_id: str
    kind: str
    correct: bool
    rating: int
    retry: bool = False
    hinted: bool = False
    skipped: bool = False


class RoundState(BaseModel):
    """A round in progress, stored as JSON on the conversation."""

    label: str = ""
    again: str = ""
    items: list[Planned]
    index: int = 0
    current: Question | None = None
    results: list[Outcome] = []
    poll: bool = False
    retries: int = 0
    last_kind: str | None = None
    # Ids of the terms the learner knows (cards out of the learning steps), read once per round:
    # a contrast question needs both terms of a pair known.
    known: list[str] | None = None
    # What comes after the round, when it is part of a longer routine (prep): a line for the
    # summary and the command its button runs.
    then_text: str = ""
    then_command: str = ""


def parse_mode(args: str) -> tuple[bool | None, str]:
    """Split ``poll drift`` into (True, "drift"); ``buttons`` gives False; neither gives None."""
    first, _, rest = args.strip().partition(" ")
    if first.lower() in ("poll", "polls"):
        return True, rest.strip()
    if first.lower() in ("buttons", "button"):
        return False, rest.strip()
    return None, args.strip()


def plan_quiz(
    pool: list[Term],
    cards: dict[str, CardData],
    now: datetime,
    rng_order: list[int],
    size: int = ROUND_SIZE,
    pack: PackIndex | None = None,
) -> list[str]:
    """The terms of a quiz round from `pool`: due ones first, a few new ones, then the weakest.

    `rng_order` is a random permutation of `range(len(pool))` (from the turn's seeded random
    source), so this stays a pure function. With `pack`, two confusable terms are never both
    new in one round (`space_pairs`).
    """
    shuffled = [pool[i] for i in rng_order]
    due = sorted(
        (t for t in shuffled if t.id in cards and cards[t.id].is_due(now)),
        key=lambda t: cards[t.id].due,
    )
    fresh = [t for t in shuffled if t.id not in cards or cards[t.id].is_new]
    taken = {t.id for t in due} | {t.id for t in fresh}
    if pack is not None:
        spaced = set(space_pairs(pack, [t.id for t in fresh], cards))
        fresh = [t for t in fresh if t.id in spaced]
    known = sorted(
        (t for t in shuffled if t.id not in taken),
        key=lambda t: retrievability(cards[t.id], now),
    )
    picked: list[Term] = [*due[: size // 2], *fresh[:NEW_PER_QUIZ]]
    picked_ids = {t.id for t in picked}
    for term in [*due, *known, *fresh]:
        if len(picked) >= size:
            break
        if term.id not in picked_ids:
            picked.append(term)
            picked_ids.add(term.id)
    order = {t.id: i for i, t in enumerate(shuffled)}
    # Keep the random order inside the round, so due terms are not always asked first.
    return [t.id for t in sorted(picked[:size], key=lambda t: order[t.id])]


def neighbourhood(pack: PackIndex, term: Term) -> list[Term]:
    """A term, then the terms easily confused with it, then its related terms (no repeats)."""
    out = [term]
    for other in [
        *pack.confusables(term),
        *(pack.terms[r] for r in term.related if r in pack.terms),
    ]:
        if other not in out:
            out.append(other)
    return out


def resolve_focus(pack: PackIndex, what: str) -> tuple[Area | None, Match | None]:
    """What ``quiz WHAT`` names: a topic or category, or else a term.

    Exact names win over fuzzy ones, so "concept drift" is the term even though the topic
    "drift" is close in letters, while "feature store" (a topic alias and a term) is the topic.
    """
    if not what:
        return None, None
    if what.startswith("term:"):
        # Buttons name a term unambiguously (some ids are both a term and a category).
        by_id = pack.terms.get(what[5:].strip())
        return (None, Match(by_id, 100.0, True)) if by_id else (None, None)
    norm = normalize(what)
    areas: list[Area] = [*pack.pack.topics, *pack.pack.categories]
    for area in areas:
        if norm in {normalize(n) for n in (area.id, area.title, *area.aliases)}:
            return area, None
    term = pack.exact(what)
    if term is not None:
        return None, Match(term, 100.0, True)
    return pack.find_area(what), None
