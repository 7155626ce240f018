"""Slack's App Home through the real adapter: the same figures as ``stats``, a first-run welcome,
the highlighted button matching what is due now, today's term and the next meeting's prep.

The Home view is read from the fake Web API's recorded ``views.publish``; ``stats`` is asked in
the same learner's DM, and the two are compared figure by figure.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from bot.clock import FakeClock
from storage.db import Database
from storage.models import ReviewCard
from tests.fakes.slack_server import FakeSlackServer, SlackCall
from tests.orm import orm
from tests.slack_support import MakeSlack, Slack, fake_slack_server, slack_factory  # noqa: F401

HOME_OPENED = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}


async def _home(slack: Slack, fake: FakeSlackServer) -> SlackCall:
    fake.reset()
    await slack.event(HOME_OPENED)
    await slack.settle()
    (publish,) = fake.calls_to("views.publish")
    assert publish.params["user_id"] == "U1"
    return publish


async def _stats(slack: Slack, fake: FakeSlackServer) -> str:
    fake.reset()
    await slack.dm("stats")
    await slack.settle()
    return " ".join(c.all_text() for c in fake.calls_to("chat.postMessage"))


def _field(home: SlackCall, label: str) -> str:
    found = re.search(rf"\*{label}\*\n([^\n]+)", home.all_text())
    assert found, f"no {label} on the Home tab: {home.all_text()}"
    return found.group(1)


def _primary(home: SlackCall) -> str:
    (primary,) = [b for b in home.buttons() if b.get("style") == "primary"]
    return str(primary["value"])


async def _set_due(db: Database, when: object) -> int:
    async with orm(db) as session:
        await session.execute(update(ReviewCard).values(due=when))
        return len((await session.execute(select(ReviewCard.id))).all())


async def test_home_figures_match_stats_with_cards_due_later_today_and_due_now(
    make_slack: MakeSlack, fake: FakeSlackServer, db: Database, clock: FakeClock
) -> None:
    slack = await make_slack()
    for text in ("quiz drift", "1", "1", "cancel"):
        await slack.dm(text)
        await slack.settle()

    # The cards answered come back later today (three hours on, before midnight UTC).
    cards = await _set_due(db, clock.now() + timedelta(hours=3))
    assert cards >= 2
    home = await _home(slack, fake)
    stats = await _stats(slack, fake)
    seen = re.search(r"Terms seen: (\d+ of \d+)", stats)
    assert seen is not None and _field(home, "Terms seen") == seen.group(1)
    assert seen.group(1) != "0 of " + seen.group(1).split(" of ")[1]
    due = _field(home, "Due for review")
    assert due == f"none now, {cards} later today"
    assert f"Due for review: {due}" in stats
    answers = re.search(r"Quiz answers: (\d+)", stats)
    assert answers is not None and _field(home, "Quiz answers").startswith(answers.group(1))
    # Nothing is due now: no review button to lead into "Nothing is due right now".
    assert _primary(home) == "quiz"
    assert "review" not in home.button_values()

    clock.advance(hours=4)
    home = await _home(slack, fake)
    stats = await _stats(slack, fake)
    assert _field(home, "Due for review") == f"{cards} now"
    assert f"Due for review: {cards} now (type /termcoach review)" in stats
    assert _primary(home) == "review"

    # The highlighted button does what it says: a review starts in the DM.
    fake.reset()
    await slack.home_button("review")
    await slack.settle()
    started = " ".join(c.all_text() for c in fake.calls_to("chat.postMessage"))
    assert "Nothing is due" not in started
    assert f"{cards} terms due for review" in started


async def test_first_visit_welcomes_with_three_things_to_try(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    home = await _home(slack, fake)
    text = home.all_text()
    assert "Welcome to termcoach" in text
    assert (
        "1. *A quick quiz*" in text and "2. *Today's term*" in text and "3. *A role-play*" in text
    )
    assert "Terms seen" not in text  # no figures of zero on a first visit
    assert _primary(home) == "quiz"
    assert len(home.buttons()) == 3

    # "Today's term" shows the card of the term the Home named, in the DM.
    (term_button,) = [b for b in home.buttons() if b["value"].startswith("term ")]
    fake.reset()
    await slack.home_button(term_button["value"])
    await slack.settle()
    (card,) = [c for c in fake.calls_to("chat.postMessage") if c.blocks[0]["type"] == "header"]
    assert card.channel == "DU1"
    term_id = term_button["value"].split(" ", 1)[1]
    assert slack.adapter.engine.pack.terms[term_id].term.lower() in card.all_text().lower()


async def test_home_shows_todays_term_and_the_meeting_prep(
    make_slack: MakeSlack, fake: FakeSlackServer, clock: FakeClock
) -> None:
    slack = await make_slack()
    await slack.dm("settings meeting pm tomorrow")
    await slack.settle()
    await slack.dm("term")  # the first term: today's term is the next one
    await slack.settle()
    home = await _home(slack, fake)
    text = home.all_text()
    assert "Today's term:" in text
    assert "Your meeting with a product manager tomorrow" in text
    assert "/termcoach prep pm" in text
    assert "prep pm" in home.button_values()

    fake.reset()
    await slack.home_button("prep pm")
    await slack.settle()
    posts = fake.calls_to("chat.postMessage")
    assert {p.channel for p in posts} == {"DU1"}
    assert "Prep:" in " ".join(p.all_text() for p in posts)

    # A meeting whose day has passed is not shown any more.
    clock.advance(days=2)
    assert "Your meeting" not in (await _home(slack, fake)).all_text()
