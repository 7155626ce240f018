"""The ``daily`` command and the daily post's buttons, as conversations with the engine."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import FakeClock
from bot.daily.post import daily_post
from bot.engine import DialogueEngine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Reply
from content.index import PackIndex
from storage import subscriptions as store
from storage.db import Database
from storage.models import ReviewCard, ReviewLogRow
from tests.chatflow import Chat

_ids = itertools.count(1)


async def group_command(
    engine: DialogueEngine,
    args: str,
    *,
    platform: str = "telegram",
    user: str = "u1",
    admin: bool = False,
    chat: str = "-100",
) -> list[Reply]:
    ref = ConversationRef(platform, "w1", chat, user)
    inbound = CommandIn(
        ref=ref, message_id=f"g{next(_ids)}", name="daily", args=args, is_group=True, is_admin=admin
    )
    return await engine.handle(inbound)


def text(replies: list[Reply]) -> str:
    return "\n".join(r.plain_text for r in replies)


async def sub_of(db: Database, platform: str, chat: str) -> store.SubscriptionRow | None:
    async with db.session() as session:
        return await store.get_subscription(session, platform, "w1", chat)


async def test_show_on_and_off_in_a_dm(chat: Chat, db: Database) -> None:
    assert "The daily term is off here" in text(await chat.command("daily"))
    assert "/daily on [HH:MM] [timezone] [weekdays|every day]" in chat.text
    replies = await chat.command("daily", "on")
    # A DM defaults to every day at 09:00 in the learner's timezone; the clock says Monday 09:00.
    assert "on: every day at 09:00 (UTC). Next term: in a moment." in text(replies)
    sub = await sub_of(db, "test", "dm-alice")
    assert sub is not None and sub.active and not sub.weekdays_only and not sub.is_group
    assert "The daily term is on here" in text(await chat.command("daily"))
    assert "is off" in text(await chat.command("daily", "off"))
    sub = await sub_of(db, "test", "dm-alice")
    assert sub is not None and not sub.active
    assert "already off" in text(await chat.command("daily", "off"))


async def test_on_with_time_timezone_and_days_in_any_order(
    chat: Chat, db: Database, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    replies = await chat.send("/daily on america/new_york 7:45 weekdays")
    assert "every weekday at 07:45 (America/New_York)" in text(replies)
    assert "Next term: today at 07:45" in text(replies)
    sub = await sub_of(db, "test", "dm-alice")
    assert sub is not None and (sub.local_time, sub.timezone, sub.weekdays_only) == (
        "07:45",
        "America/New_York",
        True,
    )
    seed = sub.order_seed
    # Changing one setting keeps the others, and the walk (its seed) goes on.
    await chat.command("daily", "on every day")
    sub = await sub_of(db, "test", "dm-alice")
    assert sub is not None and (sub.local_time, sub.weekdays_only, sub.order_seed) == (
        "07:45",
        False,
        seed,
    )


async def test_clear_errors_with_an_example(chat: Chat, db: Database) -> None:
    for args, expected in [
        ("on 25:00", "I could not read “25:00” as a time"),
        ("on 09:00 Pacific", "Did you mean Canada/Pacific?"),
        ("on 09:00 Mars/Olympus", "I don't know the time zone “Mars/Olympus”"),
        ("sometimes", "I did not understand “sometimes”"),
        ("on 08:00 mon wed fri", "but not on chosen days such as “mon”"),
    ]:
        out = text(await chat.command("daily", args))
        assert expected in out, out
        assert "/daily on 09:00 Europe/Berlin weekdays" in out
    assert await sub_of(db, "test", "dm-alice") is None


async def test_telegram_group_admins_only(engine: DialogueEngine, db: Database) -> None:
    refused = text(await group_command(engine, "on 08:00", admin=False))
    assert "only an administrator" in refused
    assert await sub_of(db, "telegram", "-100") is None
    ok = text(await group_command(engine, "on 08:00", admin=True))
    # A group defaults to weekdays in the workspace's timezone.
    assert "every weekday at 08:00 (UTC)" in ok
    sub = await sub_of(db, "telegram", "-100")
    assert sub is not None and sub.is_group and sub.weekdays_only
    assert "only an administrator" in text(await group_command(engine, "off"))
    assert "The daily term is on here" in text(await group_command(engine, ""))  # anyone may look


async def test_the_engine_asks_only_inbound_is_admin(engine: DialogueEngine) -> None:
    # Who is an admin is the adapter's business (Slack's TERMCOACH_SLACK_ADMINS, Telegram's
    # chat administrators); every platform's group follows the same flag.
    for platform in ("slack", "telegram", "test"):
        refused = await group_command(engine, "on", platform=platform, chat="C1", user="UDEV")
        assert "only an administrator" in text(refused), platform
        allowed = await group_command(engine, "on", platform=platform, chat="C1", admin=True)
        assert "The daily term is on" in text(allowed), platform


async def _press(engine: DialogueEngine, user: str, payload: str, chat: str = "C1") -> list[Reply]:
    ref = ConversationRef("slack", "w1", chat, user)
    return await engine.handle(
        ChoiceIn(ref=ref, message_id=f"p{next(_ids)}", payload=payload, is_group=True)
    )


async def test_i_knew_it_and_new_to_me_feed_the_pressers_own_card(
    engine: DialogueEngine, db: Database, pack: PackIndex, clock: FakeClock
) -> None:
    term_id = pack.term_order[3]
    post = daily_post(pack, term_id)[0]
    payloads = {c.label: c.payload for c in post.choices}
    knew = await _press(engine, "UANN", payloads["I knew it"])
    assert all(r.private for r in knew) and "is on your review list" in text(knew)
    new = await _press(engine, "UBOB", payloads["New to me"])
    assert all(r.private for r in new) and "Added" in text(new)
    assert "comes back later today" in text(new)  # not "on <today's date>"
    again = await _press(engine, "UANN", payloads["I knew it"])
    assert "already told me" in text(again)
    async with db.session() as session:
        cards = (await session.execute(select(ReviewCard.learner_id, ReviewCard.due))).all()
        logs = (await session.execute(select(ReviewLogRow.rating))).scalars().all()
    assert len(cards) == 2  # one card each, not one for the channel
    assert sorted(logs) == [1, 3]  # Again for Bob, Good for Ann; the repeat press added nothing
    due = [d for _learner, d in cards]
    assert max(due) > min(due)  # knowing it puts the review further away


async def test_quiz_me_starts_a_private_quiz_on_the_term(
    engine: DialogueEngine, pack: PackIndex
) -> None:
    term_id = "concept-drift"
    post = daily_post(pack, term_id)[0]
    quiz_me = next(c.payload for c in post.choices if c.label == "Quiz me")
    dm = ConversationRef("slack", "w1", "DANN", "UANN")
    press = ChoiceIn(
        ref=ConversationRef("slack", "w1", "C1", "UANN"),
        message_id="qm1",
        payload=quiz_me,
        is_group=True,
        dm=dm,
    )
    replies = await engine.handle(press)
    assert replies and all(r.private for r in replies)
    # The quiz runs in the presser's private chat; the channel gets the line that links there.
    assert replies[0].handoff is not None and replies[0].handoff.dm == dm
    questions = [r for r in replies if r.kind == "question"]
    assert questions, text(replies)


async def test_the_daily_command_is_in_help(chat: Chat) -> None:
    assert "/daily" in text(await chat.command("help"))
