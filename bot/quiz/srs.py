"""Spaced repetition with the `fsrs` package: ratings, card updates and session planning.

Pure functions of (cards, rating, time): the database rows are `storage.cards.CardRow`, and the
learner simulation in `bench/learner_sim.py` calls exactly these functions.

Choices (and why):
- fsrs's default steps: learning 1 and 10 minutes, relearning 10 minutes. A new term needs a
  right answer on two occasions (in practice today and the next session) before it gets an
  interval of days; with a single step, a term missed and then "fixed" by the immediate retry
  was sent away for days while still weak (`bench/learner_sim.py` knew 11% fewer terms).
- Fuzzing is off: fsrs fuzzes with the global `random`, and our time and randomness are injected.
- "Mastered" means a card in review whose stability is at least 21 days: FSRS predicts 90%
  recall three weeks after the last review (Anki calls such cards "mature").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, ReviewLog, Scheduler, State

from storage.cards import CardRow

DESIRED_RETENTION = 0.9
LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
MASTERED_STABILITY_DAYS = 21.0
#: A card with at least this stability (days) gets harder question types (typed answers).
RECALL_LEVEL_STABILITY = 3.0

SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=LEARNING_STEPS,
    relearning_steps=RELEARNING_STEPS,
    enable_fuzzing=False,
)


@dataclass(frozen=True)
class CardData:
    """One learner's FSRS card for one term, as stored in `review_cards` (times in UTC)."""

    term_id: str
    state: int = int(State.Learning)
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        """True before the first review."""
        return self.reps == 0

    @property
    def known(self) -> bool:
        """True once the card has graduated to the review state (the learner knows it)."""
        return self.state == int(State.Review)

    @property
    def mastered(self) -> bool:
        """True for a stable card: in review with stability of 21 days or more."""
        return self.known and (self.stability or 0.0) >= MASTERED_STABILITY_DAYS

    def is_due(self, now: datetime) -> bool:
        """True when the card should be reviewed now.

        No learning ahead: a term just quizzed (due again in 1 or 10 minutes) is not pushed at
        the learner again at once; a round re-asks its own misses at its end instead.
        """
        return not self.is_new and self.due <= now

    def row(self) -> CardRow:
        """The card as storage keeps it."""
        return CardRow(
            self.term_id,
            self.state,
            self.step,
            self.stability,
            self.difficulty,
            self.due,
            self.last_review,
            self.reps,
            self.lapses,
        )

    def to_fsrs(self) -> Card:
        """The fsrs `Card` for this row (card_id is fixed: fsrs would read the wall clock)."""
        return Card(
            card_id=1,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due),
            last_review=_utc(self.last_review) if self.last_review else None,
        )


def _utc(when: datetime) -> datetime:
    # fsrs insists on tzinfo being exactly `timezone.utc`.
    if when.tzinfo is None:
        raise ValueError("naive datetime given to the scheduler")
    return when.astimezone(UTC)


def new_card(term_id: str, now: datetime) -> CardData:
    """A card for a term the learner meets for the first time, due now."""
    return CardData(term_id=term_id, due=_utc(now))


def rate(
    *,
    correct: bool,
    hinted: bool = False,
    typo: bool = False,
    fast: bool = False,
    known: bool = False,
) -> Rating:
    """The FSRS rating of one answer.

    Wrong: Again. Right after a hint or with a typo: Hard. Right and fast on a card already in
    review: Easy. Otherwise right: Good.
    """
    if not correct:
        return Rating.Again
    if hinted or typo:
        return Rating.Hard
    if fast and known:
        return Rating.Easy
    return Rating.Good


def review(
    card: CardData, rating: Rating, now: datetime, duration_ms: int | None = None
) -> tuple[CardData, ReviewLog]:
    """Apply one rating with the fsrs scheduler; returns the new card and the fsrs review log."""
    updated, log = SCHEDULER.review_card(card.to_fsrs(), rating, _utc(now), duration_ms)
    lapse = rating == Rating.Again and card.state == int(State.Review)
    new = replace(
        card,
        state=int(updated.state),
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=updated.due,
        last_review=updated.last_review,
        reps=card.reps + 1,
        lapses=card.lapses + int(lapse),
    )
    return new, log


def retrievability(card: CardData, now: datetime) -> float:
    """FSRS's predicted probability that the learner recalls the term now (0 for new cards)."""
    if card.is_new:
        return 0.0
    return float(SCHEDULER.get_card_retrievability(card.to_fsrs(), _utc(now)))


def due_cards(cards: list[CardData], now: datetime) -> list[CardData]:
    """Cards due now, the most urgent first (earliest due, then least likely recalled)."""
    due = [c for c in cards if c.is_due(now)]
    return sorted(due, key=lambda c: (c.due, retrievability(c, now), c.term_id))


def plan_session(
    cards: list[CardData],
    candidates: list[str],
    now: datetime,
    *,
    new_quota: int,
    limit: int,
) -> tuple[list[str], list[str]]:
    """Which terms a review session asks: (due term ids, new term ids).

    Due cards come first, most urgent first, up to `limit`; then new terms from `candidates`
    (in the order given, skipping terms that already have a card) up to `new_quota` and the
    room left under `limit`.
    """
    due = [c.term_id for c in due_cards(cards, now)][:limit]
    have = {c.term_id for c in cards if not c.is_new}
    room = max(0, min(new_quota, limit - len(due)))
    fresh = [t for t in candidates if t not in have][:room]
    return due, fresh


def question_level(card: CardData | None) -> str:
    """How hard a question about this card may be: "new", "learning" or "recall"."""
    if card is None or card.is_new:
        return "new"
    if card.known and (card.stability or 0.0) >= RECALL_LEVEL_STABILITY:
        return "recall"
    return "learning"
