"""The role-play in chat: listing, starting, follow-ups, ending, restarts, storage, stats."""

from __future__ import annotations

import random

from sqlalchemy import select

from bot.clock import FakeClock
from bot.features import build_engine
from content.index import PackIndex
from storage.db import Database
from storage.models import RoleplaySession
from termcoach.settings import Settings
from tests.chatflow import Chat
from tests.chatflow import debrief_score as score_of
from tests.orm import orm

DRIFT_PM = "drift-pm"


def feedback_of(chat: Chat) -> str:
    """The debrief's first message (score and the one thing to fix) among the last replies."""
    return next(r.text for r in chat.last if r.kind == "feedback")


def details_of(chat: Chat) -> str:
    """The debrief's second message: what worked and what to fix, with evidence."""
    return [r.text for r in chat.last if r.kind == "feedback"][1]


async def sessions(db: Database) -> list[RoleplaySession]:
    async with orm(db) as session:
        return list((await session.execute(select(RoleplaySession))).scalars())


async def test_roleplay_lists_every_scenario(chat: Chat, pack: PackIndex) -> None:
    await chat.command("roleplay")
    for scenario in pack.pack.scenarios:
        assert scenario.title in chat.text
        assert f"/roleplay {scenario.id}" in chat.text
    assert len(pack.pack.scenarios) >= 12


async def test_roleplay_by_id_number_title_typo_and_audience(chat: Chat, pack: PackIndex) -> None:
    for query in (
        DRIFT_PM,
        "5",
        "Model drift for a product manager",
        "model drift for a product manger",
    ):
        await chat.command("cancel")
        await chat.command("roleplay", query)
        assert "Role-play: Model drift for a product manager" in chat.text, query
        assert "Priya, product manager:" in chat.text
    await chat.command("roleplay", "vp")
    assert "Role-play: Two feature stores, in a budget review" in chat.text
    assert "Marcus, VP Engineering:" in chat.text


async def test_roleplay_fraud_starts_the_fraud_precision_scenario(chat: Chat) -> None:
    await chat.command("roleplay", "fraud")
    assert "Role-play: Fraud model: precision dropped, for the product manager" in chat.text
    assert "Aisha, product manager:" in chat.text


async def test_roleplay_topic_or_shared_audience_lists_the_matches(chat: Chat) -> None:
    await chat.command("roleplay", "drift")
    assert "Scenarios on Model drift detection" in chat.text
    assert {c.payload for r in chat.last for c in r.choices} == {
        "cmd:roleplay drift-pm",
        "cmd:roleplay drift-risk-ops",
    }
    await chat.command("roleplay", "pm")
    assert (
        len([c for r in chat.last for c in r.choices]) == 5
    )  # four seed PM scenarios and the fraud precision one
    await chat.command("roleplay", "quantum knitting")
    assert "I don't know a scenario called" in chat.text


async def test_persona_asks_about_unclear_words_first_then_missing_points(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send(
        "Data drift means the inputs change, for example younger customers. We watch PSI."
    )
    assert "I don't know the word ‘PSI’" in chat.text
    assert "more messages at most" in chat.text
    await chat.send("PSI is a score that shows how much the data has changed.")
    # PSI is explained now; the first missing key point comes next.
    assert "in one sentence, what is drift" in chat.text
    await chat.send(
        "Drift means the world has changed since the model learned from its data, so its "
        "predictions get worse."
    )
    assert "How is that different from data drift?" in chat.text


async def test_a_message_without_words_does_not_use_a_turn(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    for junk in ("🙂🙂🙂", "?!", "12345"):
        await chat.send(junk)
        assert "doesn't look like an answer yet" in chat.text, junk
    await chat.send("data drift " * 300)
    assert "long message for a meeting (3,299 characters)" in chat.text
    assert "did not use one of your messages" in chat.text
    await chat.send("idk")  # a weak answer is still an answer
    assert "3 more messages at most" in chat.text


async def test_each_follow_up_is_asked_once_and_turns_are_limited(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    asked = []
    for _ in range(3):
        await chat.send("I am not sure, sorry.")
        asked.append(chat.text)
        assert "Score:" not in chat.text
        assert "No problem." in chat.text
    assert len(set(asked)) == 3
    await chat.send("Still not sure.")
    assert "We're out of time" in chat.text
    assert score_of(chat) < 20


async def test_complete_answer_ends_early_with_thanks(chat: Chat, pack: PackIndex, db) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send(pack.scenarios[DRIFT_PM].model_answer)
    assert "Thanks, that's clear." in chat.text
    text = feedback_of(chat)
    assert "5 of 5 key points" in text
    assert len(text) <= 600
    assert "Show a model answer" in [r.folded.label for r in chat.last if r.folded]
    score = score_of(chat)
    assert score >= 80
    rows = await sessions(db)
    assert len(rows) == 1
    assert rows[0].score == score
    assert rows[0].scenario_id == DRIFT_PM
    assert rows[0].finished_at is not None
    turns = rows[0].transcript["turns"]
    assert [t["role"] for t in turns] == ["persona", "learner", "persona"]
    assert rows[0].feedback and rows[0].feedback in text  # the one thing to fix, for history


async def test_a_finished_role_play_counts_for_the_streak(chat: Chat) -> None:
    await chat.command("stats")
    assert "Streak: 0 days" in chat.text
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change, for example younger customers.")
    await chat.command("cancel")  # stopped early: no score, no practice day
    await chat.command("stats")
    assert "Streak: 0 days" in chat.text
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change, for example younger customers.")
    await chat.send("done")
    await chat.command("stats")
    assert "Streak: 1 day " in chat.text


async def test_done_ends_early_with_one_feedback_message(chat: Chat, db) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change, for example younger customers.")
    await chat.send("done")
    summary, details = (r for r in chat.last if r.kind == "feedback")
    assert summary.text.startswith("*Score: ")
    assert "*One thing to fix:* say this too: Drift means the world has changed" in summary.text
    assert "You could say:" in details.text
    assert "You said:_ “Data drift means the inputs change, for example younger" in details.text
    assert [r.score for r in await sessions(db)] == [score_of(chat)]
    # The role-play is over: free text is no longer an answer.
    await chat.send("hello?")
    assert "Score:" not in chat.text


async def test_slash_done_and_the_finish_button_work_too(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change.")
    await chat.command("done")
    assert "Score:" in feedback_of(chat)
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change.")
    await chat.press("Finish and get feedback")
    assert "Score:" in feedback_of(chat)
    # The same button again, now stale.
    await chat.payload("rp:done:" + chat.last[0].choices[0].payload.rsplit(":", 1)[-1])
    assert "Score:" not in chat.text
    old = "rp:done:00000000"
    await chat.payload(old)
    assert "Score:" not in chat.text


async def test_done_before_answering_scores_nothing(chat: Chat, db) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("done")
    assert "before you answered" in chat.text
    assert await sessions(db) == []


async def test_hint_and_brief_do_not_use_a_turn(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("hint")
    assert "Think about this: Drift means the world has changed" in chat.text
    assert "Terms you have not used yet: data drift" in chat.text
    await chat.send("brief")
    assert "Your task:" in chat.text
    await chat.send("I don't know yet.")
    assert "3 more messages at most" in chat.text


async def test_cancel_keeps_the_transcript_without_a_score(chat: Chat, db) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change.")
    await chat.send("cancel")
    assert "Stopped the role-play (no score)" in chat.text
    rows = await sessions(db)
    assert [r.score for r in rows] == [None]
    await chat.command("stats")
    assert "Role-plays: 0 finished (1 stopped early)" in chat.text


async def test_another_command_interrupts_politely(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change.")
    await chat.command("roleplay", "vp")
    assert "Stopped the role-play" in chat.text
    assert "Marcus, VP Engineering:" in chat.text


async def test_looking_up_a_term_keeps_the_role_play(chat: Chat) -> None:
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("Data drift means the inputs change.")
    await chat.command("term", "concept drift")
    assert chat.last[0].kind == "card" and "still running" in chat.text
    assert "Stopped" not in chat.text
    await chat.send("Concept drift means the link between inputs and outcome changes.")
    assert "Stopped" not in chat.text and chat.last[0].kind != "card"


async def test_restart_in_the_middle_resumes(
    db: Database, pack: PackIndex, clock: FakeClock, settings: Settings
) -> None:
    first = Chat(
        build_engine(
            db=db, pack=pack, clock=clock, rng=random.Random(1), config=settings.engine_config
        )
    )
    await first.command("roleplay", DRIFT_PM)
    await first.send("Data drift means the inputs change, for example younger customers.")
    assert "Priya" in first.text

    # A new process: a new engine on the same database.
    clock.advance(minutes=5)
    second = Chat(
        build_engine(
            db=db, pack=pack, clock=clock, rng=random.Random(2), config=settings.engine_config
        )
    )
    await second.send(
        "Concept drift means the same kind of customer now behaves differently. Every day we "
        "compare the new data with the data the model learned from."
    )
    assert "Score:" not in second.text  # still in the role-play: a follow-up, not the end
    await second.send("done")
    text = details_of(second)
    # Points from before and after the restart both count.
    assert "✅ Data drift means the inputs change" in text
    assert "✅ Concept drift means the link" in text
    rows = await sessions(db)
    assert len(rows[0].transcript["turns"]) >= 4
    finished = rows[0].finished_at
    assert finished is not None and rows[0].started_at < finished


async def test_stats_shows_role_play_history(chat: Chat, pack: PackIndex) -> None:
    await chat.command("stats")
    assert "Role-plays: none yet" in chat.text
    await chat.command("roleplay", DRIFT_PM)
    await chat.send(pack.scenarios[DRIFT_PM].model_answer)
    score = score_of(chat)
    await chat.command("stats")
    assert "Role-plays: 1 finished" in chat.text
    assert f"- Model drift for a product manager: {score}/100" in chat.text


async def test_a_group_member_s_text_is_an_answer_while_it_runs(chat: Chat) -> None:
    # Words that are also commands ("term", "quiz") are answers while the role-play runs.
    await chat.command("roleplay", DRIFT_PM)
    await chat.send("quiz")
    assert "Priya, product manager:" in chat.text


async def test_persona_does_not_pretend_a_missing_point_was_answered(chat: Chat) -> None:
    await chat.command("roleplay", "two-store-budget-vp")
    await chat.send(
        "The offline store keeps the full history in the warehouse, where storage is cheap, for "
        "training data. The online store keeps only the latest value and answers in a few "
        "milliseconds. One store can't do both: a warehouse query takes seconds. Both stores use "
        "the same feature definitions, and a scheduled job copies the latest values."
    )
    assert "What does the Redis cluster cost us" in chat.text
    await chat.send("Also, the data team likes the feature store a lot.")
    # The cost question was asked once and is still unanswered: the persona ends, honestly.
    assert "Let's leave it there for today." in chat.text
    assert "that answers my questions" not in chat.text
    assert "❌ The online store stays small" in details_of(chat)


async def test_random_scenario(chat: Chat) -> None:
    await chat.command("roleplay", "random")
    assert "Role-play: " in chat.text
    assert "Your task:" in chat.text
