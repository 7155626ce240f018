"""Review cards (FSRS fields in real columns) and the review log, as plain rows (times in UTC).

`CardRow` holds the columns in the order of `bot.quiz.srs.CardData`, which adds the rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, select, update

from storage.errors import Conflict
from storage.models import ReviewCard, ReviewLogRow
from storage.session import Session


class CardRow(NamedTuple):
    """One learner's card for one term, as stored."""

    term_id: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int


_COLS = (
    ReviewCard.term_id,
    ReviewCard.state,
    ReviewCard.step,
    ReviewCard.stability,
    ReviewCard.difficulty,
    ReviewCard.due,
    ReviewCard.last_review,
    ReviewCard.reps,
    ReviewCard.lapses,
)

# Statements are built once with bind parameters: building a statement costs more than running
# it on SQLite, and these run on every quiz answer (see bench/engine.py).
_LOAD_CARDS = select(*_COLS).where(ReviewCard.learner_id == bindparam("learner_id"))
_LOAD_CARD = select(*_COLS).where(
    ReviewCard.learner_id == bindparam("learner_id"), ReviewCard.term_id == bindparam("term_id")
)
_INSERT_CARD = insert(ReviewCard)
_UPDATE_CARD = (
    update(ReviewCard)
    .where(
        ReviewCard.learner_id == bindparam("b_learner_id"),
        ReviewCard.term_id == bindparam("b_term_id"),
        ReviewCard.reps == bindparam("b_reps"),
    )
    .values(
        state=bindparam("state"),
        step=bindparam("step"),
        stability=bindparam("stability"),
        difficulty=bindparam("difficulty"),
        due=bindparam("due"),
        last_review=bindparam("last_review"),
        reps=bindparam("reps"),
        lapses=bindparam("lapses"),
    )
)
_INSERT_LOG = insert(ReviewLogRow)
_RECENT_LOG = (
    select(ReviewLogRow.id)
    .where(
        ReviewLogRow.learner_id == bindparam("learner_id"),
        ReviewLogRow.term_id == bindparam("term_id"),
        ReviewLogRow.reviewed_at > bindparam("since"),
    )
    .limit(1)
)


async def load_cards(session: Session, learner_id: int) -> list[CardRow]:
    """Every card of a learner."""
    rows = await session.execute(_LOAD_CARDS, {"learner_id": learner_id})
    return [CardRow(*r) for r in rows]


async def load_card(session: Session, learner_id: int, term_id: str) -> CardRow | None:
    """One card, or None when the learner has never answered a question on the term."""
    row = (
        await session.execute(_LOAD_CARD, {"learner_id": learner_id, "term_id": term_id})
    ).first()
    return CardRow(*row) if row else None


async def save_card(
    session: Session, learner_id: int, before_reps: int | None, after: CardRow, now: datetime
) -> None:
    """Insert (`before_reps` None) or update a card; `reps` doubles as a version.

    Raises `Conflict` when another turn changed the card since it was read (the same learner
    answering in two chats at once); a second insert fails on the unique key, also a `Conflict`.
    """
    values = after._asdict()
    term_id = values.pop("term_id")
    if before_reps is None:
        await session.execute(
            _INSERT_CARD,
            {"learner_id": learner_id, "term_id": term_id, "created_at": now, **values},
        )
        return
    result = await session.execute(
        _UPDATE_CARD,
        {"b_learner_id": learner_id, "b_term_id": term_id, "b_reps": before_reps, **values},
    )
    if result.rowcount != 1:
        raise Conflict(f"review card {learner_id}/{term_id}")


async def add_review_log(
    session: Session,
    learner_id: int,
    term_id: str,
    rating: int,
    reviewed_at: datetime,
    duration_ms: int | None,
) -> None:
    """Store one FSRS review (the rating and when it was given, in UTC)."""
    await session.execute(
        _INSERT_LOG,
        {
            "learner_id": learner_id,
            "term_id": term_id,
            "rating": rating,
            "reviewed_at": reviewed_at,
            "duration_ms": duration_ms,
        },
    )


async def reviewed_since(session: Session, learner_id: int, term_id: str, since: datetime) -> bool:
    """True when the card of `term_id` got a review after `since`."""
    params = {"learner_id": learner_id, "term_id": term_id, "since": since}
    return (await session.execute(_RECENT_LOG, params)).first() is not None


async def introduced_since(session: Session, learner_id: int, since: datetime) -> int:
    """How many cards the learner met for the first time since `since` (new cards today)."""
    value = await session.scalar(
        select(func.count())
        .select_from(ReviewCard)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.created_at >= since)
    )
    return int(value or 0)


async def reviews_since(session: Session, learner_id: int, since: datetime) -> list[datetime]:
    """When FSRS reviews were logged since `since`, for the chart."""
    return list(
        await session.scalars(
            select(ReviewLogRow.reviewed_at).where(
                ReviewLogRow.learner_id == learner_id, ReviewLogRow.reviewed_at >= since
            )
        )
    )


async def first_reviews(session: Session, learner_id: int) -> dict[str, datetime]:
    """When each card was first reviewed (the day a term was learned), by term id."""
    rows = await session.execute(
        select(ReviewLogRow.term_id, func.min(ReviewLogRow.reviewed_at))
        .where(ReviewLogRow.learner_id == learner_id)
        .group_by(ReviewLogRow.term_id)
    )
    return {str(t): when for t, when in rows if when is not None}
