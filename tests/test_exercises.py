"""Exercises and prep in chat, and `content check` on scenarios and exercises."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from bot.clock import FakeClock
from bot.messages import escape
from bot.roleplay import catalog
from content.index import PackIndex
from content.loader import DEFAULT_PACK
from storage.db import Database
from storage.models import RoleplaySession
from termcoach.cli import app
from tests.chatflow import Chat, debrief_score
from tests.orm import orm
from tests.quiz_support import answer


def feedback_of(chat: Chat) -> str:
    return next(r.text for r in chat.last if r.kind == "feedback")


async def test_the_pack_offers_at_least_26_exercises(pack: PackIndex) -> None:
    items = catalog.items(pack)
    assert len(items) >= 26
    kinds = {it.kind for it in items}
    assert kinds == {"roleplay", "runbook", "fix-term", "rewrite-plain", "drill"}
    assert len(pack.pack.scenarios) >= 12
    for topic in pack.pack.topics:
        assert len([s for s in pack.pack.scenarios if s.topic == topic.id]) >= 2, topic.id


async def test_exercises_lists_everything_with_a_way_to_start_it(
    chat: Chat, pack: PackIndex
) -> None:
    await chat.command("exercises")
    for item in catalog.items(pack):
        assert item.command in chat.text
    topic_buttons = [c.payload for r in chat.last for c in r.choices]
    assert topic_buttons == [f"cmd:exercises {t.id}" for t in pack.pack.topics]
    await chat.press("Model drift detection")
    assert "on Model drift detection" in chat.text
    payloads = [c.payload for r in chat.last for c in r.choices]
    drift = [it for it in catalog.items(pack) if it.topic == "model-drift-detection"]
    assert payloads == [it.payload for it in drift]
    assert all(len(p.encode()) <= 64 for it in catalog.items(pack) for p in [it.payload])


async def test_exercises_understands_topic_words_and_categories(chat: Chat) -> None:
    await chat.command("exercises", "drift")
    assert "on Model drift detection" in chat.text
    await chat.command("exercises", "serving")  # a category alias: its main topic
    assert "on Batch vs real-time inference" in chat.text
    await chat.command("exercises", "knitting")
    assert "I don't know a topic called" in chat.text


async def test_every_exercise_starts_from_chat(chat: Chat, pack: PackIndex) -> None:
    for item in catalog.items(pack):
        await chat.command("cancel")
        await chat.payload(item.payload)
        if item.scenario is not None:
            assert f"Role-play: {item.title}" in chat.text, item.id
            assert chat.engine is not None
        elif item.kind == "drill":
            assert item.title in chat.text
            assert any(r.kind == "question" for r in chat.last), item.id
        else:
            assert chat.last[-1].title == item.title, item.id
            assert "Send your answer in one message" in chat.text


async def test_written_exercise_is_scored_and_stored(
    chat: Chat, pack: PackIndex, db: Database
) -> None:
    exercise = next(e for e in pack.pack.exercises if e.id == "fix-offline-online")
    await chat.command("exercise", exercise.id)
    assert exercise.source in chat.text
    for short in ("🙂", "ok", "no idea"):  # not scored, and the exercise stays open
        await chat.send(short)
        assert "too short to score" in chat.text and "Score" not in chat.text, short
    await chat.send("hint")
    assert "A good answer replies to these questions" in chat.text and "Score" not in chat.text
    await chat.send(exercise.model_answer)
    assert debrief_score(chat) == 100
    await chat.command("exercise", exercise.id)
    await chat.send(exercise.source)
    assert "how you used *online store*" in feedback_of(chat)
    assert debrief_score(chat) < 30
    async with orm(db) as session:
        rows = list((await session.execute(select(RoleplaySession))).scalars())
    assert [r.transcript["kind"] for r in rows] == ["exercise", "exercise"]
    await chat.command("stats")
    assert "Written exercises: 2 finished" in chat.text


async def test_rewrite_for_a_product_manager_rewards_plain_words(chat: Chat) -> None:
    await chat.command("exercise", "rewrite-skew")
    await chat.send(
        "The model that guesses which visitors will buy got worse after launch. We prepared its "
        "data in two different ways, one for training and one for the live product, and they "
        "did not match, so it made more mistakes."
    )
    plain = debrief_score(chat)
    await chat.command("exercise", "rewrite-skew")
    await chat.send(
        "Training-serving skew from a duplicated feature pipeline meant the two paths did not "
        "match, so the conversion model's AUC got worse in production."
    )
    details = [r.text for r in chat.last if r.kind == "feedback"][1]
    assert "Not explained for a product manager" in details
    assert plain >= 80 > debrief_score(chat)


async def test_done_before_answering_shows_the_model_answer(chat: Chat, db: Database) -> None:
    await chat.command("exercise", "runbook-psi-alert")
    await chat.send("done")
    assert "Model answer" in chat.text
    assert "No score this time" in chat.text
    async with orm(db) as session:
        assert (await session.execute(select(RoleplaySession))).first() is None


async def test_exercise_by_title_and_unknown(chat: Chat) -> None:
    await chat.command("exercise", "Runbook: the PSI alert fired")
    assert "Send your answer" in chat.text
    await chat.command("exercise", "make me a sandwich")
    assert "I don't know an exercise called" in chat.text


async def test_prep_cards_quiz_then_short_roleplay(chat: Chat, pack: PackIndex) -> None:
    await chat.command("prep", "drift for pm")
    assert chat.last[0].title == "Prep: Model drift detection, with a product manager"
    cards = next(r for r in chat.last if r.kind == "card")
    # Six quick cards: the scenario's target terms first, then the words Priya will ask about.
    names = [line for line in cards.text.splitlines() if line.startswith("*") and "*:" in line]
    assert len(names) == 6
    for term_id in pack.scenarios["drift-pm"].target_terms:
        assert f"*{pack.terms[term_id].term}*:" in cards.text
    for term_id in ("psi", "ks-test"):
        assert f"*{pack.terms[term_id].term}*:" in cards.text
    assert any(r.kind == "question" for r in chat.last)  # the quiz round has started
    assert "type /prep to go on to step 3" in chat.text

    await chat.command("prep")  # skip the rest of the quiz
    assert "Step 3 of 3" in chat.text
    assert "in up to 2 messages" in chat.text
    await chat.send("Data drift means the inputs change, for example younger customers.")
    assert "Score:" not in chat.text
    await chat.send("Concept drift means the same kind of customer now behaves differently.")
    assert "We're out of time" in chat.text
    assert debrief_score(chat) > 0
    # The prep is over: /prep alone explains itself again.
    await chat.command("prep")
    assert "Type /prep and a topic, an audience, or both" in chat.text


async def test_prep_quiz_asks_the_six_cards_then_offers_step_3(chat: Chat) -> None:
    await chat.command("prep", "drift for pm")
    cards = next(r for r in chat.last if r.kind == "card")
    assert chat.engine is not None
    shown = {
        t.id
        for t in chat.engine.pack.terms.values()
        if f"*{t.term}*:" in cards.text or f"*{escape(t.term)}*:" in cards.text
    }
    assert len(shown) == 6
    asked: list[str] = []
    while any(r.kind == "question" for r in chat.last):
        asked.append((await answer(chat.engine, chat, correct=True)).term_id)
    assert sorted(asked) == sorted(shown)  # each card once, nothing else from the topic
    assert "Next: step 3, the role-play with Priya. Type /prep." in chat.text
    go_on = next(c for r in chat.last for c in r.choices if c.label == "Go on")
    await chat.payload(go_on.payload)
    assert "Step 3 of 3" in chat.text and "Priya" in chat.text


@pytest.mark.parametrize(
    ("args", "scenario"),
    [
        ("vp", "two-store-budget-vp"),
        ("compliance", "governance-compliance"),
        ("feature store for data scientists", "skew-onboarding-ds"),
        ("registry with a product manager", "registry-release-pm"),
        ("inference", "batch-realtime-pm"),
    ],
)
async def test_prep_picks_the_audience_and_topic(
    chat: Chat, pack: PackIndex, args: str, scenario: str
) -> None:
    await chat.command("prep", args)
    await chat.command("prep")
    assert f"Role-play: {pack.scenarios[scenario].title}" in chat.text


async def test_prep_varies_the_scenario_and_forgets_old_preps(
    chat: Chat, pack: PackIndex, clock: FakeClock
) -> None:
    await chat.command("prep", "drift")
    await chat.command("prep")
    first = next(s for s in pack.pack.scenarios if f"Role-play: {s.title}" in chat.text)
    await chat.send(first.model_answer)
    await chat.command("prep", "drift")
    await chat.command("prep")
    second = next(s for s in pack.pack.scenarios if f"Role-play: {s.title}" in chat.text)
    assert {first.id, second.id} == {"drift-pm", "drift-risk-ops"}
    await chat.command("cancel")
    await chat.command("prep", "drift")
    clock.advance(hours=13)
    await chat.command("prep")
    assert "Type /prep and a topic" in chat.text
    await chat.command("prep", "quantum knitting")
    assert "I don't know a topic or an audience called" in chat.text


# -- content check ---------------------------------------------------------------------------


def _broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_PACK, folder)
    path = folder / "scenarios.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenarios = data["scenarios"]
    scenarios[0]["key_points"][1]["phrasings"] = []
    del scenarios[1]["key_points"][0]["phrasings"]
    scenarios[2]["key_points"][0]["follow_up"] = ""
    scenarios[3]["target_terms"].append("quantum-drift")
    scenarios[4]["misuses"][0]["term"] = "not-a-term"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    ex_path = folder / "exercises.yaml"
    exercises = yaml.safe_load(ex_path.read_text(encoding="utf-8"))
    exercises["exercises"][0]["id"] = scenarios[0]["id"]
    exercises["exercises"][1]["target_terms"] = ["nope"]
    ex_path.write_text(yaml.safe_dump(exercises, sort_keys=False), encoding="utf-8")
    return folder


def test_content_check_validates_scenarios_and_exercises(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["content", "check", str(_broken_copy(tmp_path))])
    out = result.output
    assert result.exit_code == 1, out
    assert "key point 'two-code-paths' has no phrasings" in out
    assert "key point 'offline-role' has no phrasings" in out
    assert "key point 'versions-kept' has no follow-up question" in out
    assert "target term 'quantum-drift' is not in the glossary" in out
    assert "misused term 'not-a-term' is not in the glossary" in out
    assert "exercise id 'skew-onboarding-ds' is also a scenario id" in out
    assert "target term 'nope' is not in the glossary" in out
    # Each problem says where: file and line.
    line = next(x for x in out.splitlines() if "quantum-drift" in x)
    assert line.split(":")[0].endswith("scenarios.yaml")
    assert int(line.split(":")[1]) > 1


def test_the_shipped_pack_passes_content_check() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "scenarios" in result.output
