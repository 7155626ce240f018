"""Issue 16, what to build: produce the term, "I don't know", confusable pairs, onboarding,
pronunciation. Learners write like B1-B2 engineers, with mistakes."""

from __future__ import annotations

import random
from collections import Counter

from bot.engine import DialogueEngine
from bot.messages import strip_markup
from bot.pronounce import asked_pronunciation
from bot.quiz.production import use_in_sentence
from bot.quiz.questions import PRODUCTION_KINDS, choose_question, confusable_pair
from bot.quiz.recognition import definition_to_term
from content.index import PackIndex
from tests.chatflow import Chat
from tests.learning_support import make_known, ratings, settings_of
from tests.quiz_support import open_question, round_state, set_question

# ------------------------------------------------------------------ 1. produce the term


def test_known_terms_are_mostly_produced_and_new_ones_recognised(pack: PackIndex) -> None:
    rng = random.Random(3)
    kinds: Counter[str] = Counter()
    for term in pack.pack.terms:
        for _ in range(5):
            kinds[choose_question(pack, term, "recall", rng, known=()).kind] += 1
    produced = sum(n for k, n in kinds.items() if k in PRODUCTION_KINDS)
    assert produced / sum(kinds.values()) > 0.8, kinds
    assert kinds["use-in-sentence"] > 0
    for term in pack.pack.terms[:30]:
        assert not choose_question(pack, term, "new", rng).typed
        assert not choose_question(pack, term, "learning", rng).typed


async def test_a_card_out_of_the_learning_steps_asks_to_type_the_term(
    engine: DialogueEngine, chat: Chat
) -> None:
    ids = ["offline-store", "online-store", "feature-store", "backfill", "feature-group"]
    await make_known(engine, chat, *ids)
    typed = 0
    for term_id in ids:
        await chat.send(f"/quiz term:{term_id}")
        question = await open_question(engine, chat)
        typed += question.typed
        await chat.send("/cancel")
    assert typed >= 4


async def test_options_are_short_glosses_and_a_card_is_not_read_again(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await chat.send("/term psi")
    await chat.send("/quiz term:psi")
    question = await open_question(engine, chat)
    shown = strip_markup(chat.question().text)
    assert pack.terms["psi"].definition not in shown
    assert question.kind not in ("term-to-definition", "true-false")  # no meaning restated
    assert all(len(o) <= 100 for o in question.options)
    assert all(
        pack.terms[t].definition not in shown for t in question.option_terms if t in pack.terms
    )


async def test_use_it_in_a_sentence_is_judged_by_the_coach(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await make_known(engine, chat, "data-drift")
    await chat.send("/quiz term:data-drift")
    q = use_in_sentence(pack, pack.terms["data-drift"], random.Random(1))
    assert q is not None
    await set_question(engine, chat, q)
    await chat.send("data drift")  # only the term: asked for a sentence, nothing scored
    assert "whole sentence" in chat.text
    await chat.send("Last week we see data drift in the age feature, so we retrain the model.")
    assert "✅" in chat.text and "For example" in chat.text
    await chat.send("/quiz term:online-store")
    q = use_in_sentence(pack, pack.terms["online-store"], random.Random(2))
    assert q is not None
    await set_question(engine, chat, q)
    await chat.send("The online store keep all the history for training the model.")
    assert "❌" in chat.text and "offline store" in chat.text  # the coach's why
    assert "Answer: online store" in chat.text


# ------------------------------------------------------------------ 2. I don't know


async def test_i_dont_know_shows_the_answer_rates_again_and_is_no_wrong_guess(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await chat.send("/quiz drift")
    for typed in ("I dont know", "idk", "no idea", "?"):
        q = await open_question(engine, chat)
        await chat.send(typed)
        term = pack.terms[q.term_id]
        assert "here is the answer" in chat.text, typed
        assert term.example[:40] in chat.text
        assert (await ratings(engine, chat, q.term_id))[-1] == 1  # Again
    q = await open_question(engine, chat)
    if q.is_choice:
        await chat.press(q.answer_index)
    else:
        await chat.send(q.answer_text)
    await chat.send("/stats")
    assert "Quiz answers: 1, 100% right (and 4 “I don't know”, not counted)" in chat.text


async def test_i_dont_know_button_on_a_choice_question(engine: DialogueEngine, chat: Chat) -> None:
    await chat.send("/quiz drift")
    labels = [c.label for c in chat.question().choices]
    assert labels[-1] == "I don't know" and "💡 Hint" in labels
    await chat.press("I don't know")
    assert "here is the answer" in chat.text


# ------------------------------------------------------------------ 3. confusable pairs


async def test_two_confusable_terms_are_never_both_new_in_one_review(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await chat.send("/settings new 15")
    await chat.send("/review")
    state = await round_state(engine, chat)
    new = {i.term_id for i in state.items if i.new}
    assert len(new) >= 10
    for term_id in new:
        assert not {t.id for t in pack.confusables(pack.terms[term_id])} & new, term_id


def test_contrast_questions_only_once_both_terms_are_known(pack: PackIndex) -> None:
    rng = random.Random(5)
    term = pack.terms["shadow-mode"]
    kinds = {choose_question(pack, term, "learning", rng, known=()).kind for _ in range(60)}
    assert "confusable-pair" not in kinds
    kinds = {
        choose_question(pack, term, "learning", rng, known=("canary-release",)).kind
        for _ in range(60)
    }
    assert "confusable-pair" in kinds


async def test_contrast_feedback_says_why_the_other_was_tempting(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await make_known(engine, chat, "data-drift", "concept-drift")
    await chat.send("/quiz term:concept-drift")
    q = confusable_pair(pack, pack.terms["concept-drift"], random.Random(2))
    assert q is not None
    await set_question(engine, chat, q)
    await chat.send("data drift")  # the wrong one of the pair, typed
    assert "Not quite" in chat.text
    assert "Why data drift is tempting:" in chat.text and "P(y|x)" in chat.text


async def test_difference_questions_answer_side_by_side(chat: Chat) -> None:
    await chat.send("what is the diference between data drift and concept drift?")
    text = chat.text
    assert "Data drift vs concept drift" in text
    assert "What tells them apart:" in text and "P(x)" in text and "P(y|x)" in text
    assert text.count("• ") == 4  # meaning and example of each
    await chat.send("PSI vs KS")
    assert "PSI vs KS test" in chat.text
    await chat.send("shadow mode vs canary")
    assert "Shadow mode vs canary release" in chat.text
    await chat.send("/compare precision and recall")
    assert "Precision vs recall" in chat.text


# ------------------------------------------------------------------ 4. onboarding


async def test_new_learner_with_a_meeting_tomorrow_gets_prep_and_the_scenario(
    engine: DialogueEngine, chat: Chat
) -> None:
    await chat.send("/start")
    first = chat.last[0]
    assert "1 of 3: What are you preparing for?" in first.text
    assert [c.label for c in first.choices][-1] == "Just learning"
    assert len(first.text.splitlines()) < 8  # not the list of every command
    await chat.press("A meeting with a PM")
    assert "2 of 3: When is your meeting with a product manager?" in chat.text
    await chat.press("Tomorrow")
    assert "3 of 3: How is your English at work?" in chat.text
    await chat.press(0)  # B1
    assert "Today's plan" in chat.text and "/prep pm" in chat.text
    assert chat.last[0].choices[0].payload == "cmd:prep pm"
    assert any(c.payload.startswith("cmd:roleplay ") for c in chat.last[0].choices)
    tomorrow = (engine.clock.now().date()).toordinal() + 1
    settings = await settings_of(engine, chat)
    assert settings["level"] == "b1"
    assert settings["meeting"]["audience"] == "pm"
    assert (
        settings["meeting"]["date"]
        == type(engine.clock.now().date()).fromordinal(tomorrow).isoformat()
    )
    await chat.send("/roleplay")  # the role-play recommends for the meeting
    assert "For your meeting with pm" in chat.text
    await chat.send("/start")  # a learner who is back hears what is due and the meeting
    assert "Welcome back" in chat.text and "meeting with a product manager is tomorrow" in chat.text


async def test_just_learning_means_five_new_cards_then_a_quiz_on_them(
    engine: DialogueEngine, chat: Chat
) -> None:
    await chat.send("/start")
    await chat.press("Just learning")
    assert "2 of 2: How is your English at work?" in chat.text
    await chat.press(1)  # B2
    assert "five new terms" in chat.text
    await chat.press("Start: 5 new terms")
    shown = []
    for n in range(1, 6):
        assert f"New term {n} of 5" in chat.text
        shown.append(chat.last[0].title)
        await chat.press(0)
    state = await round_state(engine, chat)
    assert len(state.items) == 5
    question = await open_question(engine, chat)
    assert engine.pack.terms[question.term_id].definition not in chat.question().text
    assert question.kind not in ("term-to-definition", "true-false")
    assert (await settings_of(engine, chat))["level"] == "b2"


async def test_goal_and_level_stay_changeable_in_settings(
    engine: DialogueEngine, chat: Chat
) -> None:
    await chat.send("/settings meeting vp next week")
    assert "Meeting set: with a VP" in chat.text
    assert (await settings_of(engine, chat))["meeting"]["audience"] == "vp"
    await chat.send("/settings level C1")
    assert "English level set to *C1*" in chat.last[0].text
    await chat.send("/settings")
    assert "Meeting: with a VP" in chat.text and "English level: C1" in chat.text
    await chat.send("/settings meeting off")
    assert "meeting" not in await settings_of(engine, chat)
    await chat.send("/help")  # /help stays the full list
    for name in ("/quiz", "/review", "/learn", "/say", "/compare", "/settings", "/daily"):
        assert name in chat.text


# ------------------------------------------------------------------ 5. pronunciation


def test_pronunciation_questions_are_understood() -> None:
    assert asked_pronunciation("how do you pronounce lineage") == "lineage"
    assert asked_pronunciation("How do I pronounce the word “latency”?") == "latency"
    assert asked_pronunciation("pronounce PSI") == "PSI"
    assert asked_pronunciation("how is inference pronounced?") == "inference"
    assert asked_pronunciation("how to say canary") == "canary"
    assert asked_pronunciation("what is PSI") is None


async def test_pronunciation_on_request(chat: Chat) -> None:
    await chat.send("how do you pronounce lineage")
    assert "lineage: LIN-ee-uj (3 syllables, stress on the first)" in chat.text
    await chat.send("pronounce PSI")
    assert "P-S-I (pee-ess-EYE)" in chat.text
    await chat.send("/say latency")
    assert "LAY-tun-see" in chat.text
    await chat.send("how do you pronounce data drift?")
    assert "DAY-tuh DRIFT" in chat.text


async def test_every_term_card_shows_its_pronunciation(chat: Chat, pack: PackIndex) -> None:
    for term in pack.pack.terms:
        await chat.send(f"/term {term.id}")
        assert "🔊" in chat.text, term.id


def test_definition_question_hints_name_letters_then_the_confusable(pack: PackIndex) -> None:
    q = definition_to_term(pack, pack.terms["concept-drift"], random.Random(1))
    assert q is not None
    assert q.hint == "It starts with “co… dr…” (2 words)."
    assert q.more_hint.startswith("Don't mix it up with *data drift*")
