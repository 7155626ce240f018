"""Rehearsal as a learner meets it: a persona that listens, a debrief that teaches, mistakes back.

Scripted conversations at the engine level (no platform): what the persona asks after each
message, redirects that use no turn, the practice step, and what comes back in `review`.
"""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.engine import DialogueEngine
from content.index import PackIndex
from tests.chatflow import Chat, debrief_score
from tests.quiz_support import answer

NO_TURN = "did not use one of your messages"


def persona_line(chat: Chat) -> str:
    """The persona's words in the last reply (without the turn note)."""
    text = chat.last[-1].plain_text
    return text.split("“", 1)[-1].split("”", 1)[0]


@pytest.mark.parametrize(
    "scenario_id", ["drift-pm", "two-store-budget-vp", "governance-compliance"]
)
async def test_the_persona_never_asks_about_a_point_already_made(
    chat: Chat, pack: PackIndex, scenario_id: str
) -> None:
    scenario = pack.scenarios[scenario_id]
    await chat.command("roleplay", scenario_id)
    made: list[str] = []
    # The learner makes the points in reverse order, one message each (the last first).
    for point in reversed(scenario.key_points[: chat_turns(scenario_id)]):
        await chat.send(point.example)
        made.append(point.id)
        if any(r.kind == "feedback" for r in chat.last):
            break
        line = persona_line(chat)
        for other in scenario.key_points:
            if other.id in made:
                assert other.follow_up not in line, (scenario_id, other.id, line)


def chat_turns(scenario_id: str) -> int:
    """Messages a learner may send in a role-play (the persona's turns)."""
    return 4


async def test_an_off_topic_message_gets_an_in_character_redirect_and_no_turn(chat: Chat) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send("Did you watch the football yesterday? Barcelona won three to one.")
    assert "Priya, product manager:" in chat.text
    assert "Let's keep to" in chat.text and NO_TURN in chat.text
    await chat.send("Sorry, my daughter is sick today.")
    assert "I'm sorry to hear that" in chat.text and NO_TURN in chat.text
    await chat.send("Data drift means the inputs change, for example younger customers.")
    assert "3 more messages at most" in chat.text  # the first answer uses the first turn


async def test_a_message_in_portuguese_gets_a_short_english_prompt_and_no_turn(chat: Chat) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send("Desculpa, não entendi muito bem a pergunta. Pode explicar de novo?")
    assert "could you say that in English" in chat.text and NO_TURN in chat.text
    await chat.send("I am not sure.")
    assert "3 more messages at most" in chat.text


async def test_a_cost_gets_the_vps_reaction_once(chat: Chat, pack: PackIndex) -> None:
    line = pack.scenarios["two-store-budget-vp"].reactions.cost
    assert line, "the VP scenario has a line for a cost"
    await chat.command("roleplay", "two-store-budget-vp")
    await chat.send(
        "The online store is a Redis cluster; it costs about 3,000 euros a month, and it keeps "
        "only the latest values."
    )
    assert line.format(value="3,000 euros a month") in chat.text


async def test_a_misused_term_comes_back_in_review_the_same_day(
    chat: Chat, clock: FakeClock
) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send(
        "Concept drift is when the inputs change, for example we get more younger customers "
        "than before. We check it every day."
    )
    await chat.send("done")
    summary, details = (r.text for r in chat.last if r.kind == "feedback")
    assert "*One thing to fix:* how you used *concept drift*" in summary
    assert "concept drift" in details.lower() and "❌" in details
    assert "Back in your reviews soon" in chat.text
    clock.advance(minutes=10)
    await chat.command("review")
    assert "due for review" in chat.text
    # The misused term comes first, to be produced: the learner types it, no options.
    asked = chat.question().text
    assert "Type the term" in asked or "type the missing term" in asked
    await chat.send("concept drift")
    assert "Correct" in chat.text


async def test_a_saved_phrase_comes_back_in_review_when_due(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send("Data drift means the inputs change, for example younger customers.")
    await chat.send("done")
    save = next(c for r in chat.last for c in r.choices if c.label.startswith("Save "))
    await chat.payload(save.payload)
    assert "Saved" in chat.text
    await chat.payload(save.payload)  # a second tap keeps nothing twice
    clock.advance(minutes=10)
    await chat.command("review")
    for _ in range(20):
        if "Complete the phrase you kept" in chat.text or "finished" in chat.text:
            break
        await answer(engine, chat)
    assert "Complete the phrase you kept" in chat.text


async def test_good_answer_scores_high_and_a_term_list_scores_low(
    chat: Chat, pack: PackIndex
) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send(pack.scenarios["drift-pm"].model_answer)
    good = debrief_score(chat)
    await chat.command("roleplay", "drift-pm")
    await chat.send("Data drift, concept drift, PSI, KS test, retraining trigger, monitoring.")
    await chat.send("done")
    assert good >= 80 > 30 >= debrief_score(chat)


async def test_a_rewrite_that_fixes_the_weakest_sentence_is_recognised(chat: Chat) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send(
        "Drift means the world has changed since the model learned from its data. Every day we "
        "compares the new data with the old data, and the model predict worse when it drift."
    )
    await chat.send("done")
    practice = chat.question()
    assert practice.text.startswith("*Practice:* rewrite this sentence of yours")
    assert "we compares" in practice.text or "model predict" in practice.text
    await chat.send(
        "Every day we compare the new data with the old data, and the model predicts worse when "
        "it drifts."
    )
    assert "✅ Your new sentence reads well." in chat.text
    assert "✅ Fixed:" in chat.text
    assert "➖ Still" not in chat.text


async def test_a_rewrite_with_the_same_slip_says_what_is_still_wrong(chat: Chat) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send("Drift means the world has changed, so the model predict worse than before.")
    await chat.send("done")
    assert chat.question().text.startswith("*Practice:*")
    await chat.send("Drift means the world has changed, and the model predict worse now.")
    assert "➖ Still: subject–verb agreement" in chat.text


async def test_stats_show_a_scenario_s_first_latest_and_best_score(
    chat: Chat, pack: PackIndex
) -> None:
    await chat.command("roleplay", "drift-pm")
    await chat.send("Data drift means the inputs change, for example younger customers.")
    await chat.send("done")
    first = debrief_score(chat)
    await chat.command("roleplay", "drift-pm")
    await chat.send(pack.scenarios["drift-pm"].model_answer)
    latest = debrief_score(chat)
    assert first < latest
    await chat.command("stats")
    assert f"Model drift for a product manager: {first} → {latest}" in chat.text


async def test_the_role_play_list_recommends_the_scenario_of_the_next_meeting(chat: Chat) -> None:
    await chat.command("settings", "meeting vp tomorrow")
    await chat.command("roleplay")
    assert "Recommended for you:" in chat.text
    line = next(x for x in chat.text.splitlines() if "Recommended for you:" in x)
    assert "/roleplay two-store-budget-vp" in line or "/roleplay feature-store-migration-vp" in line
