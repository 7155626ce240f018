"""Turns through the real Slack adapter: slash commands, DMs, mentions, buttons and App Home.

bolt's AsyncApp and slack_sdk's clients run against the local fake Web API; every request is
signed as Slack signs it (`tests.slack_support`). The engine is the real one on the test database.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from adapters.slack.questions import QuestionPlace, QuestionPlaces
from storage.db import Database
from storage.models import Learner, QuizAttempt
from tests.fakes.slack_server import FakeSlackServer
from tests.orm import orm
from tests.slack_support import MakeSlack, fake_slack_server, shown, slack_factory  # noqa: F401


async def test_slash_command_quiz_in_a_channel_goes_on_in_the_dm_and_updates_each_question(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    response = await slack.slash("quiz")
    assert response.status_code == 200
    assert response.text == ""  # the ack: nothing shown, the replies follow
    await slack.settle()

    # The channel gets one private line, linking to the DM where the quiz is.
    (line,) = fake.calls_to("response_url")
    assert line.params["response_type"] == "ephemeral"
    assert "continues in our private chat" in line.all_text()
    assert "https://slack.com/app_redirect?channel=DU1&team=T1" in line.all_text()
    assert fake.calls_to("conversations.open")[0].params["users"] == "U1"
    intro, question = fake.calls_to("chat.postMessage")
    assert {intro.channel, question.channel} == {"DU1"}
    assert "5 questions" in intro.text
    assert "Question 1 of 5" in question.all_text()
    assert len(question.button_values()) >= 4
    assert question.text.count("\n1. ") == 1  # the fallback lists the options

    for _round in range(20):  # the engine may ask a missed question again
        fake.reset()
        asked = re.search(r"Question \d+ of \d+|Which|Once more", question.all_text())
        await slack.press(question, 0, channel="DU1")
        await slack.settle()
        (update,) = fake.calls_to("chat.update")
        # The pressed question is replaced: question text kept, buttons gone, result shown.
        assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
        assert question.blocks[0]["text"]["text"] in update.all_text()
        assert asked is not None
        assert not update.buttons()
        assert "Correct" in update.all_text() or "Not quite" in update.all_text()
        rest = fake.calls_to("chat.postMessage")
        assert all(c.channel == "DU1" for c in rest)
        following = [c for c in rest if c.buttons() and c.blocks[-1]["block_id"].startswith("q:")]
        if not following:
            assert "Quiz finished" in " ".join(c.all_text() for c in rest)
            break
        question = following[0]
    else:
        pytest.fail("the quiz never finished")
    # Nothing was posted to the channel for everyone, and nothing more shown there.
    assert not [c for c in fake.calls_to("chat.postMessage") if c.channel == "C1"]
    assert not fake.calls_to("response_url", "chat.postEphemeral")


async def test_slash_command_quiz_in_a_dm_posts_and_updates_with_the_web_api(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("quiz", channel="DU1")
    await slack.settle()
    posts = fake.calls_to("chat.postMessage")
    assert [p.channel for p in posts] == ["DU1", "DU1"]
    question = posts[1]
    assert question.params["blocks"][-1]["block_id"].startswith("q:")

    fake.reset()
    await slack.press(question, 1, channel="DU1")
    await slack.settle()
    (update,) = fake.calls_to("chat.update")
    assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
    assert "Question 1 of 5" in update.all_text()
    assert not update.buttons()
    (next_question,) = fake.calls_to("chat.postMessage")
    assert "Question 2 of 5" in next_question.all_text()

    # Pressing the answered question again changes nothing: the engine scores it once.
    fake.reset()
    await slack.press(question, 0, channel="DU1")
    await slack.settle()
    assert "already answered" in " ".join(c.all_text() for c in shown(fake))


async def test_dm_conversation_goes_to_the_engine_as_text(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    _intro, question = fake.calls_to("chat.postMessage")
    assert question.channel == "DU1"
    assert "Question 1 of 5" in question.all_text()

    fake.reset()
    await slack.dm("2")  # a typed answer
    await slack.settle()
    (update,) = fake.calls_to("chat.update")
    # The typed answer's result replaces the question message (remembered by question id).
    assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
    assert "Question 1 of 5" in update.all_text()
    assert "Question 2 of 5" in fake.calls_to("chat.postMessage")[0].all_text()

    async with orm(db) as session:
        learner = await session.scalar(select(Learner))
        attempts = await session.scalar(select(func.count()).select_from(QuizAttempt))
    assert learner is not None
    assert (learner.platform, learner.workspace, learner.user_id) == ("slack", "T1", "U1")
    assert attempts == 1
    assert "xoxb-T1-secret-token" not in caplog.text


async def test_app_mention_runs_a_command_and_answers_in_its_thread(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.mention("<@UBT1> term concept drift")
    await slack.settle()
    (card,) = fake.calls_to("chat.postMessage")
    assert card.channel == "C1"
    assert card.params["thread_ts"].startswith("1700002")  # the mention's own ts
    header = card.blocks[0]
    assert header["type"] == "header"
    assert header["text"]["text"].lower() == "concept drift"
    assert [b["type"] for b in card.blocks[1:-1]] == ["section"] * (len(card.blocks) - 2)
    assert "Definition" in card.all_text()
    assert card.text  # the plain-text fallback

    # Free text after the mention (not a command) reaches the engine as text in that thread.
    fake.reset()
    await slack.mention("<@UBT1> what is this?")
    await slack.settle()
    (reply,) = fake.calls_to("chat.postMessage")
    assert "help" in reply.all_text().lower()


async def test_app_home_shows_progress_and_starts_a_quiz_in_the_dm(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    await slack.dm("1")
    await slack.settle()

    fake.reset()
    home_event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    await slack.event(home_event)
    await slack.settle()
    (publish,) = fake.calls_to("views.publish")
    assert publish.params["user_id"] == "U1"
    view = publish.params["view"]
    assert view["type"] == "home"
    text = publish.all_text()
    for label in ("Streak", "Due for review", "Mastered", "Recent role-plays", "Quiz answers"):
        assert label in text
    assert "*Quiz answers*\n1 " in text
    assert re.search(r"\*Terms seen\*\n\d+ of \d+", text)
    assert {"quiz", "roleplay"} <= set(publish.button_values())

    fake.reset()
    await slack.home_button("quiz")
    await slack.settle()
    assert fake.calls_to("conversations.open")[0].params["users"] == "U1"
    posts = fake.calls_to("chat.postMessage")
    assert posts
    assert {p.channel for p in posts} == {"DU1"}
    assert any("Quiz on" in p.all_text() for p in posts)


async def test_a_chart_is_uploaded_to_the_dm(make_slack: MakeSlack, fake: FakeSlackServer) -> None:
    slack = await make_slack()
    for text in ("quiz", "1", "cancel"):
        await slack.dm(text)
        await slack.settle()
    fake.reset()
    await slack.dm("stats chart")
    await slack.settle()
    assert fake.calls_to("chat.postMessage")
    (upload,) = fake.calls_to("upload")
    assert upload.params["size"] > 100
    (complete,) = fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "DU1"
    fake.reset()
    await slack.slash("stats chart")  # in a channel the reply is ephemeral: no file can go along
    await slack.settle()
    assert not fake.calls_to("upload")
    texts = " ".join(c.all_text() for c in fake.calls_to("response_url"))
    assert "Last 30 days" in texts and "only in a direct message" in texts


async def test_two_people_quizzing_from_one_channel_keep_their_own_quiz(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("quiz", user="U1")
    await slack.settle()
    question_u1 = fake.calls_to("chat.postMessage")[-1]
    assert question_u1.channel == "DU1"
    fake.reset()
    await slack.slash("quiz", user="U2")  # must not interrupt U1's quiz
    await slack.settle()
    assert {c.channel for c in fake.calls_to("chat.postMessage")} == {"DU2"}
    assert "stopped" not in " ".join(c.all_text() for c in fake.messages_sent()).lower()
    fake.reset()
    await slack.dm("1", user="U1")  # U1 answers in their DM, with plain text
    await slack.settle()
    (update,) = fake.calls_to("chat.update")
    assert update.params["ts"] == question_u1.response["ts"]  # type: ignore[index]
    assert "Correct" in update.all_text() or "Not quite" in update.all_text()


async def test_replies_in_slack_name_the_slash_command(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz")
    await slack.settle()
    intro = fake.calls_to("chat.postMessage")[0].all_text()
    assert "/termcoach cancel stops" in intro
    assert " /cancel" not in intro


async def test_an_answer_on_another_replica_still_replaces_its_question(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    # Where each question was shown is in the database: a second replica (or this one after a
    # restart), with nothing in its memory, finds it.
    first = await make_slack()
    await first.dm("quiz")
    await first.settle()
    _intro, question = fake.calls_to("chat.postMessage")
    second = await make_slack()
    fake.reset()
    await second.dm("2")  # a typed answer carries no message reference
    await second.settle()
    (update,) = fake.calls_to("chat.update")
    assert update.params["ts"] == question.response["ts"]  # type: ignore[index]
    assert "Question 1 of 5" in update.all_text()


async def test_question_places_are_kept_per_workspace_until_they_expire(db: Database) -> None:
    places = QuestionPlaces(db)
    place = QuestionPlace("DU1", "1700000001.000100", False, ({"type": "divider"},))
    await places.remember("T1", "q1", place)
    assert await places.find("T1", "q1") == place
    assert await places.find("T2", "q1") is None  # another workspace's question of that id
    assert await places.find("T1", "q2") is None
    moved = QuestionPlace("C1", None, True, ())
    await places.remember("T1", "q1", moved)  # the newest place wins
    assert await places.find("T1", "q1") == moved
    expired = QuestionPlaces(db, keep_for=timedelta(seconds=-1))
    await expired.remember("T1", "q3", place)
    assert await expired.find("T1", "q3") is None


async def test_roleplay_debrief_is_short_first_with_the_model_answer_behind_a_button(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("roleplay drift-pm")
    await slack.settle()
    await slack.dm("Drift mean the world has changed since the model learned from its data.")
    await slack.settle()
    fake.reset()
    await slack.dm("done")
    await slack.settle()
    posts = fake.calls_to("chat.postMessage")
    summary = next(p for p in posts if "Score:" in p.all_text())
    assert len(summary.text) <= 600
    assert "One thing to fix" in summary.all_text()
    # Slack folds nothing: the model answer is one press away.
    assert "Show a model answer" in [b["text"]["text"] for b in summary.buttons()]
    assert "In simple terms" not in summary.all_text()  # the model answer is not in it
    fake.reset()
    await slack.press(summary, "Show a model answer", channel="DU1")
    await slack.settle()
    shown_texts = " ".join(c.all_text() for c in fake.calls)
    assert "Model answer" in shown_texts and "drift" in shown_texts.lower()


async def test_a_role_play_keeps_only_its_latest_finish_button(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("roleplay drift-pm")
    await slack.settle()
    first = next(
        p for p in fake.calls_to("chat.postMessage") if "Finish and get feedback" in p.all_text()
    )
    assert first.response is not None and first.buttons()
    first_ts = first.response["ts"]
    fake.reset()
    await slack.dm("Drift means the world has changed since the model learned from its data.")
    await slack.settle()
    [update] = fake.calls_to("chat.update")
    assert update.params["ts"] == first_ts
    assert not update.buttons()  # the older Finish is gone, its text stays
    assert "Priya" in update.all_text()
    latest = next(
        p for p in fake.calls_to("chat.postMessage") if "Finish and get feedback" in p.all_text()
    )
    assert [b["text"]["text"] for b in latest.buttons()] == ["Finish and get feedback"]
