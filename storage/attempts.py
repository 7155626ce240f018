"""Quiz answers (`quiz_attempts`): each question is scored once, by its unique question id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select

from storage.models import QuizAttempt
from storage.session import Session
from storage.sql import insert_ignore

ATTEMPTS: Table = QuizAttempt.__table__  # type: ignore[assignment]
_ANSWERED = select(QuizAttempt.id).where(QuizAttempt.question_id == bindparam("qid")).limit(1)


async def record_attempt(session: Session, **values: Any) -> bool:
    """Store an answer; False when this question was already answered (scored once)."""
    return await insert_ignore(session, ATTEMPTS, values)


async def is_answered(session: Session, question_id: str) -> bool:
    """True when this question id already has a scored answer."""
    return (await session.execute(_ANSWERED, {"qid": question_id})).first() is not None


async def counts_by_term(session: Session, learner_id: int) -> dict[str, tuple[int, int]]:
    """Per term: (right answers, answers), leaving out "I don't know" (no guess was made)."""
    rows = await session.execute(
        select(
            QuizAttempt.term_id,
            func.sum(case((QuizAttempt.correct, 1), else_=0)),
            func.count(),
        )
        .where(QuizAttempt.learner_id == learner_id, QuizAttempt.skipped.is_(False))
        .group_by(QuizAttempt.term_id)
    )
    return {str(t): (int(r or 0), int(n)) for t, r, n in rows}


async def skipped_count(session: Session, learner_id: int) -> int:
    """How many questions the learner answered with "I don't know"."""
    value = await session.scalar(
        select(func.count())
        .select_from(QuizAttempt)
        .where(QuizAttempt.learner_id == learner_id, QuizAttempt.skipped.is_(True))
    )
    return int(value or 0)


async def attempts_since(
    session: Session, learner_id: int, since: datetime
) -> list[tuple[datetime, bool]]:
    """(answered_at, correct) of every answer since `since`, for the chart ("I don't know" left out)."""
    rows = await session.execute(
        select(QuizAttempt.answered_at, QuizAttempt.correct).where(
            QuizAttempt.learner_id == learner_id,
            QuizAttempt.answered_at >= since,
            QuizAttempt.skipped.is_(False),
        )
    )
    return [(r[0], bool(r[1])) for r in rows]


async def answer_times(
    session: Session, learner_id: int, since: datetime | None = None
) -> list[datetime]:
    """When the learner answered quiz questions (UTC), in no particular order."""
    query = select(QuizAttempt.answered_at).where(QuizAttempt.learner_id == learner_id)
    if since is not None:
        query = query.where(QuizAttempt.answered_at >= since)
    return list(await session.scalars(query))
