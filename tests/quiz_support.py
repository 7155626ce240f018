"""Helpers for quiz conversation tests: read and set the open question, read cards and logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from bot import progress as store
from bot.engine import DialogueEngine
from bot.quiz.plan import RoundState
from bot.quiz.questions import Question
from bot.quiz.srs import CardData
from storage.models import Conversation, Learner, QuizAttempt, ReviewLogRow
from tests.chatflow import Chat


async def conversation_state(engine: DialogueEngine, chat: Chat) -> dict[str, Any]:
    """The stored state of the chat's conversation."""
    async with engine.db.session() as session:
        row = await session.execute(
            select(Conversation.state).where(Conversation.key == chat.ref.key)
        )
        return dict(row.scalar_one() or {})


async def round_state(engine: DialogueEngine, chat: Chat) -> RoundState:
    """The running quiz or review round."""
    state = await conversation_state(engine, chat)
    return RoundState.model_validate(state["data"])


async def open_question(engine: DialogueEngine, chat: Chat) -> Question:
    """The question waiting for an answer."""
    current = (await round_state(engine, chat)).current
    assert current is not None, "no open question"
    return current


async def set_question(engine: DialogueEngine, chat: Chat, question: Question) -> None:
    """Replace the open question (to test one question kind in a conversation)."""
    state = await conversation_state(engine, chat)
    data = RoundState.model_validate(state["data"])
    item = data.items[data.index]
    item.term_id = question.term_id
    question.asked_at = engine.clock.now()
    data.current = question
    state["data"] = data.model_dump(mode="json")
    async with engine.db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.key == chat.ref.key)
            .values(state=state, version=Conversation.version + 1)
        )


async def learner_id(engine: DialogueEngine, chat: Chat) -> int:
    """The id of the chat's learner."""
    platform, workspace, user = chat.ref.learner_key
    async with engine.db.session() as session:
        row = await session.execute(
            select(Learner.id).where(
                Learner.platform == platform,
                Learner.workspace == workspace,
                Learner.user_id == user,
            )
        )
        return int(row.scalar_one())


async def cards(engine: DialogueEngine, chat: Chat) -> dict[str, CardData]:
    """The learner's review cards by term id."""
    lid = await learner_id(engine, chat)
    async with engine.db.session() as session:
        return await store.load_cards(session, lid)


async def counts(engine: DialogueEngine) -> tuple[int, int]:
    """(quiz attempts, review logs) in the whole database."""
    async with engine.db.session() as session:
        attempts = (await session.execute(select(func.count()).select_from(QuizAttempt))).scalar()
        logs = (await session.execute(select(func.count()).select_from(ReviewLogRow))).scalar()
        return int(attempts or 0), int(logs or 0)


async def answer(engine: DialogueEngine, chat: Chat, correct: bool = True) -> Question:
    """Answer the open question right or wrong (by button, or typed for typed questions)."""
    question = await open_question(engine, chat)
    if question.kind == "use-in-sentence":
        # A sentence of the learner's own: the term's example is a correct use.
        term = engine.pack.terms[question.term_id]
        await chat.send(term.example if correct else "I don't know")
        return question
    if question.typed:
        term = engine.pack.terms[question.term_id]
        await chat.send(term.term if correct else "no idea at all")
        return question
    index = (
        question.answer_index if correct else (question.answer_index + 1) % len(question.options)
    )
    await chat.payload(f"{question_prefix(chat)}:{question.id}:{index}")
    return question


def question_prefix(chat: Chat) -> str:
    """The payload prefix of the last question's buttons ("q" quiz, "r" review)."""
    reply = chat.question()
    return reply.choices[0].payload.split(":", 1)[0]
