"""Which term cards a learner has been shown (for "the next new term" and progress)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, select, union

from storage.models import ReviewCard, TermSeen
from storage.session import Session
from storage.sql import insert_ignore

TERMS_SEEN: Table = TermSeen.__table__  # type: ignore[assignment]


async def mark_seen(session: Session, learner_id: int, term_id: str, now: datetime) -> None:
    """Remember that the learner has been shown this term's card."""
    await insert_ignore(
        session, TERMS_SEEN, {"learner_id": learner_id, "term_id": term_id, "seen_at": now}
    )


_SEEN = union(
    select(TermSeen.term_id).where(TermSeen.learner_id == bindparam("learner_id")),
    select(ReviewCard.term_id).where(ReviewCard.learner_id == bindparam("learner_id")),
)


async def seen_terms(session: Session, learner_id: int) -> set[str]:
    """Ids of the terms the learner has seen: shown as a card, or answered (a review card)."""
    rows = await session.execute(_SEEN, {"learner_id": learner_id})
    return {r[0] for r in rows}
