"""FSRS scheduling with an injected clock: ratings, due dates, review sessions, new cards a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Rating, State
from sqlalchemy import select

from bot.clock import FakeClock
from bot.engine import DialogueEngine
from bot.quiz.questions import typed_term
from bot.quiz.srs import CardData, new_card, plan_session, rate, review
from storage.models import QuizAttempt, ReviewLogRow
from tests.chatflow import Chat
from tests.quiz_support import answer, cards, counts, open_question, round_state, set_question

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_ratings_follow_the_rules() -> None:
    assert rate(correct=False) == Rating.Again
    assert rate(correct=False, hinted=True, fast=True, known=True) == Rating.Again
    assert rate(correct=True, hinted=True) == Rating.Hard
    assert rate(correct=True, typo=True, fast=True, known=True) == Rating.Hard
    assert rate(correct=True) == Rating.Good
    assert rate(correct=True, fast=True) == Rating.Good  # fast on a card not yet known
    assert rate(correct=True, known=True) == Rating.Good
    assert rate(correct=True, fast=True, known=True) == Rating.Easy


def test_a_right_answer_is_due_later_than_a_wrong_one() -> None:
    for rating in (Rating.Hard, Rating.Good, Rating.Easy):
        right, _ = review(new_card("a", NOW), rating, NOW)
        wrong, _ = review(new_card("b", NOW), Rating.Again, NOW)
        assert right.due > wrong.due
    # The same holds for a card already in review.
    known = CardData(
        "c",
        state=int(State.Review),
        step=None,
        stability=10.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=10),
        reps=4,
    )
    good, _ = review(known, Rating.Good, NOW)
    again, _ = review(known, Rating.Again, NOW)
    assert good.due - NOW > timedelta(days=10)
    assert again.due - NOW <= timedelta(minutes=10)
    assert again.lapses == 1 and good.lapses == 0
    assert good.reps == again.reps == 5


def test_review_is_in_utc_and_uses_the_given_time_only() -> None:
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    card, log = review(new_card("a", NOW), Rating.Good, berlin)
    assert card.last_review == NOW and card.last_review.tzinfo is UTC
    assert log.review_datetime == NOW
    # No fuzz: the same inputs always give the same due date.
    again, _ = review(new_card("a", NOW), Rating.Good, NOW)
    assert again.due == card.due


def test_a_new_term_graduates_after_two_right_answers() -> None:
    card, _ = review(new_card("a", NOW), Rating.Good, NOW)
    assert card.state == int(State.Learning) and card.due - NOW == timedelta(minutes=10)
    assert not card.is_due(NOW) and card.is_due(NOW + timedelta(minutes=10))
    later = NOW + timedelta(days=1)
    card, _ = review(card, Rating.Good, later)
    assert card.known and card.due - later >= timedelta(days=1)


def test_mastered_means_stability_of_three_weeks() -> None:
    base = {"state": int(State.Review), "step": None, "difficulty": 5.0, "due": NOW, "reps": 5}
    assert CardData("a", stability=21.0, **base).mastered  # type: ignore[arg-type]
    assert not CardData("a", stability=20.9, **base).mastered  # type: ignore[arg-type]
    assert not CardData("a", stability=30.0, **{**base, "state": int(State.Relearning)}).mastered  # type: ignore[arg-type]


def test_plan_session_takes_due_first_then_new_within_quota() -> None:
    due_old = CardData(
        "x",
        state=int(State.Review),
        step=None,
        stability=3.0,
        difficulty=5.0,
        due=NOW - timedelta(days=2),
        last_review=NOW - timedelta(days=5),
        reps=3,
    )
    due_now = CardData(
        "y",
        state=int(State.Review),
        step=None,
        stability=3.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=3),
        reps=3,
    )
    later = CardData(
        "z",
        state=int(State.Review),
        step=None,
        stability=9.0,
        difficulty=5.0,
        due=NOW + timedelta(days=4),
        last_review=NOW,
        reps=3,
    )
    due, fresh = plan_session(
        [later, due_now, due_old], ["x", "a", "b", "c"], NOW, new_quota=2, limit=10
    )
    assert due == ["x", "y"]
    assert fresh == ["a", "b"]
    due, fresh = plan_session([later, due_now, due_old], ["a", "b"], NOW, new_quota=5, limit=2)
    assert due == ["x", "y"] and fresh == []


async def test_quiz_answers_update_cards_and_logs(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/quiz drift")
    first = await answer(engine, chat, correct=True)
    second = await answer(engine, chat, correct=False)
    got = await cards(engine, chat)
    assert got[first.term_id].due > got[second.term_id].due
    assert got[first.term_id].reps == 1 and got[second.term_id].reps == 1
    assert await counts(engine) == (2, 2)


async def test_due_cards_appear_in_review(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/quiz drift")
    right = await answer(engine, chat, correct=True)
    wrong = await answer(engine, chat, correct=False)
    await chat.send("/cancel")
    clock.advance(days=1)
    await chat.send("/review")
    assert "Today's review: 2 terms due for review" in chat.text
    state = await round_state(engine, chat)
    planned = [i.term_id for i in state.items]
    # Due cards first (the most urgent first), then today's new terms.
    assert planned[:2] == [wrong.term_id, right.term_id]
    assert len(planned) == 2 + 5


async def test_a_card_answered_right_is_not_due_again_for_days(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/settings new 1")
    await chat.send("/review")
    q = await answer(engine, chat, correct=True)  # new term: learning step 1
    clock.advance(days=1)
    await chat.send("/review")
    assert (await open_question(engine, chat)).term_id == q.term_id
    await answer(engine, chat, correct=True)  # graduates: interval of days
    await chat.send("/cancel")
    card = (await cards(engine, chat))[q.term_id]
    assert card.known and card.due > clock.now() + timedelta(days=1)
    await chat.send("/settings new 0")
    clock.advance(hours=1)
    await chat.send("/review")
    assert "Nothing is due right now" in chat.text
    assert "Next review: 1 term on " in chat.text or "Next review: 1 term tomorrow" in chat.text
    clock.set(card.due + timedelta(minutes=1))
    await chat.send("/review")
    assert (await open_question(engine, chat)).term_id == q.term_id


async def test_new_terms_are_limited_per_local_day(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/settings new 3")
    await chat.send("/review")
    assert "3 new" in chat.text
    for _ in range(3):
        await answer(engine, chat, correct=True)
    await chat.send("/cancel")
    clock.advance(hours=2)
    await chat.send("/review")
    # The three learning cards are due again, but no new terms today.
    state = await round_state(engine, chat)
    assert len(state.items) == 3 and "new" not in chat.text.split("\n")[0]
    await chat.send("/cancel")
    clock.advance(days=1)
    await chat.send("/review")
    assert "3 new" in chat.text


async def test_fast_right_answer_on_a_known_card_is_easy(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    term = engine.pack.terms["psi"]
    await chat.send("/settings new 1")
    await chat.send("/quiz psi")
    # Make the card known first: two right answers a day apart.
    await chat.send("/cancel")
    for _ in range(2):
        await chat.send("/quiz psi")
        q = typed_term(engine.pack, term, engine.rng)
        assert q is not None
        await set_question(engine, chat, q)
        await chat.send("PSI")
        await chat.send("/cancel")
        clock.advance(days=1)
    before = (await cards(engine, chat))["psi"]
    assert before.known
    clock.set(before.due)
    await chat.send("/quiz psi")
    q2 = typed_term(engine.pack, term, engine.rng)
    assert q2 is not None
    await set_question(engine, chat, q2)
    clock.advance(seconds=3)
    await chat.send("psi")
    async with engine.db.session() as session:
        ratings = (
            (await session.execute(select(ReviewLogRow.rating).order_by(ReviewLogRow.id)))
            .scalars()
            .all()
        )
    assert ratings[-1] == Rating.Easy


async def test_hint_lowers_the_rating(engine: DialogueEngine, chat: Chat) -> None:
    await chat.send("/quiz psi")
    q = await open_question(engine, chat)
    await chat.send("hint")
    assert "💡" in chat.text
    await chat.payload(f"q:{q.id}:{q.answer_index}")
    assert "Correct" in chat.text
    async with engine.db.session() as session:
        rating = (await session.execute(select(QuizAttempt.rating))).scalar_one()
    assert rating == Rating.Hard


async def test_review_with_nothing_planned_points_to_a_quiz(chat: Chat) -> None:
    await chat.send("/settings new 0")
    await chat.send("/review")
    assert "No reviews planned yet" in chat.text and "/quiz" in chat.text
    assert "Type /review" not in chat.text  # it used to send the learner round in a circle
