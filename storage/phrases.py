"""Sentences a learner kept from a debrief (`saved_phrases`); their review cards are "phrase:<id>"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, select

from storage.models import SavedPhrase
from storage.session import Session
from storage.sql import insert_ignore

PHRASES: Table = SavedPhrase.__table__  # type: ignore[assignment]
PREFIX = "phrase:"


def card_id(phrase_id: int) -> str:
    """The review card id of a saved phrase."""
    return f"{PREFIX}{phrase_id}"


def phrase_id(card: str) -> int | None:
    """The phrase id of a review card id, or None for a term's card."""
    if not card.startswith(PREFIX) or not card[len(PREFIX) :].isdigit():
        return None
    return int(card[len(PREFIX) :])


async def save(
    session: Session, learner_id: int, texts: list[str], source: str, now: datetime
) -> list[int]:
    """Keep these sentences (once each); returns the ids of all of them, kept now or before."""
    for text in texts:
        await insert_ignore(
            session,
            PHRASES,
            {
                "learner_id": learner_id,
                "text": text[:400],
                "source": source[:100],
                "created_at": now,
            },
        )
    rows = await session.execute(
        select(SavedPhrase.id, SavedPhrase.text).where(SavedPhrase.learner_id == learner_id)
    )
    wanted = {t[:400] for t in texts}
    return [int(i) for i, text in rows if text in wanted]


async def texts(session: Session, learner_id: int) -> dict[int, str]:
    """Every saved phrase of a learner, by id."""
    rows = await session.execute(
        select(SavedPhrase.id, SavedPhrase.text).where(SavedPhrase.learner_id == learner_id)
    )
    return {int(i): str(t) for i, t in rows}
