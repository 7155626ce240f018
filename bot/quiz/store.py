"""Database side of the quiz: review cards and review logs mapped to `srs.CardData` (UTC)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.quiz.srs import CardData
from storage.models import QuizAttempt, ReviewCard, ReviewLogRow, RoleplaySession
from storage.repos import VersionConflict

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


async def load_cards(session: AsyncSession, learner_id: int) -> dict[str, CardData]:
    """Every card of a learner, by term id."""
    rows = await session.execute(_LOAD_CARDS, {"learner_id": learner_id})
    return {r[0]: CardData(*r) for r in rows}


async def load_card(session: AsyncSession, learner_id: int, term_id: str) -> CardData | None:
    """One card, or None when the learner has never answered a question on the term."""
    row = (
        await session.execute(_LOAD_CARD, {"learner_id": learner_id, "term_id": term_id})
    ).first()
    return CardData(*row) if row else None


async def save_card(
    session: AsyncSession,
    learner_id: int,
    before: CardData | None,
    after: CardData,
    now: datetime,
) -> None:
    """Insert or update a card; `reps` doubles as a version so concurrent writers cannot both win.

    Raises `VersionConflict` (the engine runs the turn again) when another turn changed the
    card since it was read, e.g. the same learner answering in two chats at once.
    """
    values = {
        "state": after.state,
        "step": after.step,
        "stability": after.stability,
        "difficulty": after.difficulty,
        "due": after.due,
        "last_review": after.last_review,
        "reps": after.reps,
        "lapses": after.lapses,
    }
    if before is None:
        # A second insert of the same (learner, term) fails on the unique constraint and the
        # engine reruns the turn, which then takes the update path.
        await session.execute(
            _INSERT_CARD,
            {"learner_id": learner_id, "term_id": after.term_id, "created_at": now, **values},
        )
        return
    result = await session.execute(
        _UPDATE_CARD,
        {"b_learner_id": learner_id, "b_term_id": after.term_id, "b_reps": before.reps, **values},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise VersionConflict(f"review card {learner_id}/{after.term_id}")


async def add_review_log(
    session: AsyncSession,
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


async def introduced_since(session: AsyncSession, learner_id: int, since: datetime) -> int:
    """How many cards the learner met for the first time since `since` (new cards today)."""
    row = await session.execute(
        select(func.count())
        .select_from(ReviewCard)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.created_at >= since)
    )
    return int(row.scalar_one())


async def practice_times(
    session: AsyncSession, learner_id: int, since: datetime | None = None
) -> list[datetime]:
    """When the learner practised (UTC), oldest first, for streaks: quiz answers, and role-plays
    and written exercises finished with a score."""
    answers = QuizAttempt.learner_id == learner_id
    finished = and_(
        RoleplaySession.learner_id == learner_id,
        RoleplaySession.score.is_not(None),
        RoleplaySession.finished_at.is_not(None),
    )
    if since is not None:
        answers = and_(answers, QuizAttempt.answered_at >= since)
        finished = and_(finished, RoleplaySession.finished_at >= since)
    quiz = await session.scalars(select(QuizAttempt.answered_at).where(answers))
    talks = await session.scalars(select(RoleplaySession.finished_at).where(finished))
    return sorted([*quiz, *(t for t in talks if t is not None)])


async def attempts_since(
    session: AsyncSession, learner_id: int, since: datetime
) -> list[tuple[datetime, bool]]:
    """(answered_at, correct) of every answer since `since`, for the chart."""
    rows = await session.execute(
        select(QuizAttempt.answered_at, QuizAttempt.correct).where(
            QuizAttempt.learner_id == learner_id, QuizAttempt.answered_at >= since
        )
    )
    return [(r[0], bool(r[1])) for r in rows]


async def reviews_since(session: AsyncSession, learner_id: int, since: datetime) -> list[datetime]:
    """When FSRS reviews were logged since `since`, for the chart."""
    rows = await session.execute(
        select(ReviewLogRow.reviewed_at).where(
            ReviewLogRow.learner_id == learner_id, ReviewLogRow.reviewed_at >= since
        )
    )
    return [r[0] for r in rows]


async def wrong_counts(session: AsyncSession, learner_id: int) -> dict[str, tuple[int, int]]:
    """Per term: (wrong answers, all answers)."""
    rows = await session.execute(
        select(
            QuizAttempt.term_id,
            func.sum(case((QuizAttempt.correct.is_(False), 1), else_=0)),
            func.count(),
        )
        .where(QuizAttempt.learner_id == learner_id)
        .group_by(QuizAttempt.term_id)
    )
    return {t: (int(w or 0), int(n)) for t, w, n in rows}
