"""Helpers for the issue-16 tests: known cards, the open question, the learner's settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fsrs import State
from sqlalchemy import select

from bot.engine import DialogueEngine
from bot.quiz.srs import CardData
from storage import cards as stored_cards
from storage.models import Learner, ReviewLogRow
from tests.chatflow import Chat
from tests.quiz_support import learner_id


async def make_known(engine: DialogueEngine, chat: Chat, *term_ids: str, days: float = 5) -> None:
    """Give the chat's learner cards out of the learning steps (review state), due later."""
    if not term_ids:
        return
    await chat.send("/topics")  # make sure the learner exists
    lid = await learner_id(engine, chat)
    now = engine.clock.now()
    async with engine.db.session() as session:
        for term_id in term_ids:
            card = CardData(
                term_id,
                state=int(State.Review),
                step=None,
                stability=days,
                difficulty=5.0,
                due=now + timedelta(days=days),
                last_review=now - timedelta(days=1),
                reps=3,
            )
            await stored_cards.save_card(session, lid, None, card.row(), now)


async def settings_of(engine: DialogueEngine, chat: Chat) -> dict[str, Any]:
    """The chat learner's settings."""
    lid = await learner_id(engine, chat)
    async with engine.db.session() as session:
        row = await session.execute(select(Learner.settings).where(Learner.id == lid))
        return dict(row.scalar_one() or {})


async def ratings(engine: DialogueEngine, chat: Chat, term_id: str) -> list[int]:
    """The FSRS ratings logged for one term, oldest first."""
    lid = await learner_id(engine, chat)
    async with engine.db.session() as session:
        rows = await session.execute(
            select(ReviewLogRow.rating)
            .where(ReviewLogRow.learner_id == lid, ReviewLogRow.term_id == term_id)
            .order_by(ReviewLogRow.id)
        )
        return [int(r) for r in rows.scalars()]
