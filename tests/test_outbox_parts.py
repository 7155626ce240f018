"""The outbox's plain parts: replies as JSON and back, flood verdicts, stored rows' order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.limits import Bucket, FloodGuard, Verdict
from bot.messages import Choice, ConversationRef, Folded, Image, NativeQuiz, Reply, TextIn
from bot.outcome import scrub
from bot.wire import ref_from_json, ref_to_json, replies_from_json, replies_to_json
from storage import outbox
from storage.db import Database


def test_replies_and_refs_round_trip_through_json() -> None:
    replies = [
        Reply("*Hi* there"),
        Reply(
            "Which term?",
            choices=(Choice("PSI", "q:1:0"), Choice("KL", "q:1:1")),
            kind="question",
            question_id="q1",
            native_quiz=NativeQuiz("Q?", ("a", "b"), 1, "because", "q1", ("q:1:0", "q:1:1")),
        ),
        Reply(
            "chart", image=Image(b"\x89PNG\x00\xff", "c.png", "cap"), private=True, replaces="q0"
        ),
        Reply(
            "Term of the day",
            choices=(Choice("Quiz me", "daily:quiz:psi", primary=True), Choice("More", "m")),
            shared=True,
            edits="42",
            flash="✅ Correct",
            instructions="Press a button.",
            native_text="",
            folded=Folded("Show a model answer", "*Model*", "rpd:model:t"),
        ),
    ]
    assert replies_from_json(replies_to_json(replies)) == replies
    ref = ConversationRef("telegram", "1", "-100", "7", "5", "7", thread_is_place=True)
    back = ref_from_json(ref_to_json(ref))
    assert back == ref and back.thread_is_place and back.key == ref.key


def test_a_flood_runs_its_burst_then_one_warning_then_nothing_until_quiet() -> None:
    now = [0.0]
    guard = FloodGuard(Bucket(3, 1.0), Bucket(100, 100.0), monotonic=lambda: now[0])
    verdicts = [guard.admit(("t", "w", "u"), "c") for _ in range(6)]
    assert verdicts == [Verdict.RUN] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    now[0] += 1.0  # one token back: one more message runs, the flood is not warned again
    assert guard.admit(("t", "w", "u"), "c") is Verdict.RUN
    assert guard.admit(("t", "w", "u"), "c") is Verdict.DROP
    assert guard.admit(("t", "w", "other"), "c2") is Verdict.RUN  # others are not touched
    now[0] += 10.0  # quiet: the bucket is full again, a new flood is told again
    assert [guard.admit(("t", "w", "u"), "c") for _ in range(4)][-1] is Verdict.WARN


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    inbound = TextIn(
        ref=ConversationRef("t", "w", "c", "u"), text="hi \ud800", display_name="E\udfff"
    )
    clean = scrub(inbound)
    assert isinstance(clean, TextIn)
    assert clean.text == "hi \ufffd" and clean.display_name == "E\ufffd"
    clean.text.encode("utf-8")


async def test_a_row_waits_behind_an_earlier_pending_row_of_another_sender(db: Database) -> None:
    now = datetime.now(UTC)
    lease = now + timedelta(seconds=30)
    common = {"platform": "telegram", "ref": {}, "replies": [], "delivery": None, "now": now}
    async with db.session() as session:
        first, mine = await outbox.add(
            session, conversation="c", message_id="m1", worker="A", lease_until=lease, **common
        )
        second, also_mine = await outbox.add(
            session, conversation="c", message_id="m2", worker="B", lease_until=lease, **common
        )
        other, free = await outbox.add(
            session, conversation="d", message_id="m3", worker="B", lease_until=lease, **common
        )
    assert (mine, also_mine, free) == (True, False, True)
    later = now + timedelta(seconds=31)
    async with db.session() as session:
        # A's lease ran out: its row and the one behind it are handed out together, in order.
        assert await outbox.claimable(session, later, ["telegram"], 10) == [first, second, other]
        assert await outbox.claimable(session, now, ["telegram"], 10) == []
        assert await outbox.pending_for_message(session, "c", "m2") == [(second, None, now)]
