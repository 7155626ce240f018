"""Engine conversations: every command, unknown input, redeliveries, restarts and failures."""

from __future__ import annotations

import asyncio
import random

from bot.engine import DB_DOWN, DialogueEngine
from bot.features import build_engine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, TextIn
from content.index import PackIndex
from content.loader import load_default_pack
from storage.db import Database
from tests.aiosqlite_threads import settle_aiosqlite_threads
from tests.chatflow import Chat


async def answer_current_question(chat: Chat, correct: bool = True) -> None:
    """Answer the open question by button when it has options, else by typing."""
    question = chat.question()
    if question.choices:
        await chat.press(0)
    else:
        await chat.send("no idea")


async def test_help_lists_every_command(chat: Chat) -> None:
    await chat.send("/help")
    for name in ("/term", "/topics", "/quiz", "/stats", "/cancel", "/help"):
        assert name in chat.text
    assert chat.last[0].choices


async def test_start_greets_and_asks_the_goal(chat: Chat) -> None:
    # Issue 16: /start asks three questions instead of listing every command (/help does).
    await chat.send("/start")
    assert "Welcome to termcoach" in chat.text
    assert "1 of 3: What are you preparing for?" in chat.text and "/help" in chat.text
    await chat.send("/term psi")
    await chat.send("/start")  # a returning learner is told what is waiting
    assert "Welcome back!" in chat.text and "Welcome to termcoach" not in chat.text
    assert "📚" in chat.text


async def test_term_card_by_name(chat: Chat) -> None:
    await chat.send("/term concept drift")
    card = chat.last[0]
    assert card.kind == "card"
    assert card.title == "concept drift"
    for part in ("Definition:", "Example:", "Related:", "Not to be confused with"):
        assert part in chat.text


async def test_term_lookup_tolerates_typos_and_abbreviations(chat: Chat) -> None:
    await chat.send("/term trainng serving skew")
    assert chat.last[0].title is not None
    assert "skew" in chat.last[0].title.lower()
    await chat.send("/term psi")
    assert "PSI" in (chat.last[0].title or "")
    await chat.send("/term materialization")
    assert chat.last[0].title == "materialisation"


async def test_term_without_name_walks_unseen_terms(chat: Chat) -> None:
    await chat.send("/term")
    first = chat.last[0].title
    await chat.send("/term")
    second = chat.last[0].title
    assert first and second and first != second


async def test_unknown_term_suggests_close_ones(chat: Chat) -> None:
    await chat.send("/term zzqx")
    assert "could not find" in chat.text
    await chat.send("/term feature stor")
    assert chat.last[0].title is not None  # close enough to find


async def test_topics_show_every_area_with_progress(chat: Chat, pack: PackIndex) -> None:
    await chat.send("/topics")
    assert chat.text.count("terms seen") == len(pack.pack.topics) == 7
    assert len(chat.last[0].choices) == 7


async def test_quiz_asks_scores_and_summarises(chat: Chat) -> None:
    await chat.send("/quiz")
    assert any(r.kind == "question" for r in chat.last)
    for _ in range(20):
        await answer_current_question(chat)
        assert any(r.kind == "result" for r in chat.last)
        if not any(r.kind == "question" for r in chat.last):
            break
    assert "finished" in chat.text.lower()
    await chat.send("/stats")
    assert "Terms seen" in chat.text or "terms seen" in chat.text.lower()


async def test_quiz_on_a_topic_uses_that_topic(chat: Chat, engine: DialogueEngine) -> None:
    await chat.send("/quiz drift")
    assert "Model drift detection" in chat.text or "Drift" in chat.text
    await chat.send("/quiz no-such-topic-at-all")
    assert "don't know a topic" in chat.text


async def test_answer_by_number_and_by_text(chat: Chat) -> None:
    await chat.send("/quiz")
    question = chat.question()
    if question.choices:
        await chat.send("1")
        assert any(r.kind == "result" for r in chat.last)


async def test_cancel_stops_a_quiz_and_nothing_runs_after(chat: Chat) -> None:
    await chat.send("/quiz")
    await chat.send("/cancel")
    assert "stopped" in chat.text.lower()
    await chat.send("/cancel")
    assert "Nothing is running" in chat.text


async def test_another_command_ends_a_quiz_politely(chat: Chat) -> None:
    await chat.send("/quiz")
    await chat.send("/roleplay")
    assert "stopped" in chat.text.lower()
    await chat.send("/quiz")
    await chat.send("/term psi")  # a look-up leaves the quiz running
    assert "still running" in chat.text and any(r.kind == "card" for r in chat.last)
    await chat.send("/topics")  # the note closes the reply: one message, not two
    assert len(chat.last) == 1 and chat.last[0].text.rstrip().endswith("to stop it._")
    assert chat.last[0].choices == ()  # no side menu that a typed "1" could be taken for
    await chat.send("/start")  # Telegram sends it when the bot is opened again
    assert "still running" in chat.text and "stopped" not in chat.text.lower()
    await chat.send("1")
    assert "Correct" in chat.text or "Not quite" in chat.text


async def test_unknown_command_gets_help_and_a_suggestion(chat: Chat) -> None:
    await chat.send("/quizz")
    assert "don't know the command" in chat.text
    assert "/quiz" in chat.text
    await chat.send("/stat")  # a cut-off name means the command it begins, not /start
    assert "Did you mean /stats?" in chat.text
    await chat.command("frobnicate", "a b c")
    assert "/help" in chat.text


async def test_free_text_outside_an_activity_gets_a_helpful_reply(chat: Chat) -> None:
    await chat.send("hello there")
    assert "/quiz" in chat.text and "/help" in chat.text


async def test_typing_a_term_name_shows_its_card(chat: Chat) -> None:
    await chat.send("PSI")
    assert chat.last[0].kind == "card"


async def test_asking_what_a_term_means_shows_its_card(chat: Chat) -> None:
    for question, title in (
        ("what is PSI?", "PSI"),
        ("What does shadow mode mean?", "shadow mode"),
        ("can you explain training-serving skew, please", "training-serving skew"),
        ("define feture store", "feature store"),  # a typo is fine
    ):
        await chat.send(question)
        assert chat.last[0].kind == "card", question
        assert title in (chat.last[0].title or ""), question


async def test_asking_about_something_we_do_not_teach_says_so_plainly(chat: Chat) -> None:
    await chat.send("what is a kubernetes operator?")
    assert "I don't have a term called “kubernetes operator”" in chat.text
    assert "/topics" in chat.text and chat.last[0].kind != "card"
    await chat.send("what is the weather like today?")
    assert "I'm not sure what you mean" in chat.text


async def test_a_word_shared_by_several_terms_offers_them(chat: Chat) -> None:
    for text in ("drift", "what is drift?", "/term drift"):
        await chat.send(text)
        assert "Several terms match “drift”" in chat.text, text
        labels = [c.label for c in chat.last[0].choices]
        assert {"data drift", "concept drift"} <= set(labels), text
    await chat.send("feture stroe")  # a bare typo of one term is a look-up too
    assert chat.last[0].kind == "card" and "feature store" in (chat.last[0].title or "")


async def test_a_shared_word_is_not_taken_for_another_term(chat: Chat) -> None:
    # WRatio scores "ab test" close to "KS test"; the learner must not get a wrong card.
    for name in ("xy test", "cd testing"):
        await chat.command("term", name)
        assert chat.last[0].kind != "card", name
        assert f"I could not find a term called “{name}”" in chat.text, name
    # Since the pack has the A/B test, its spellings find that card and never the KS test.
    for name in ("a/b test", "ab test", "ab testing"):
        await chat.command("term", name)
        assert chat.last[0].kind == "card" and chat.last[0].title == "A/B test", name


async def test_bare_command_words_work_in_direct_messages(chat: Chat) -> None:
    await chat.send("help")
    assert "/quiz" in chat.text


async def test_redelivered_message_is_handled_once(chat: Chat) -> None:
    first = await chat.send("/term", message_id="same-id")
    assert first
    again = await chat.send("/term", message_id="same-id")
    assert again == []
    await chat.send("/term")
    assert chat.last[0].title != first[0].title  # the redelivery did not advance the walk


async def test_empty_and_huge_messages_get_replies(chat: Chat) -> None:
    await chat.send("")
    assert chat.last
    await chat.send("x" * 20_000)
    assert "too long" in chat.text
    await chat.send("/quiz")
    await chat.send("   ")
    assert chat.last


async def test_control_characters_are_ignored(chat: Chat) -> None:
    await chat.send("/term \x00psi\x07")
    assert chat.last[0].kind == "card"


async def test_stale_button_after_the_quiz_ended(chat: Chat) -> None:
    await chat.send("/quiz")
    question = chat.question()
    payload = question.choices[0].payload if question.choices else None
    await chat.send("/cancel")
    if payload:
        await chat.payload(payload)
        assert "expired" in chat.text or "already answered" in chat.text


async def test_unknown_button_payload(chat: Chat) -> None:
    await chat.payload("zz:garbage")
    assert "expired" in chat.text


async def test_quiz_survives_a_restart(db: Database, engine: DialogueEngine, pack, clock) -> None:
    chat = Chat(engine)
    await chat.send("/quiz")
    question = chat.question()
    restarted = build_engine(
        db=db, pack=pack, clock=clock, rng=random.Random(1), config=engine.config
    )
    chat2 = Chat(restarted)
    chat2.last = chat.last
    if question.choices:
        await chat2.press(0)
    else:
        await chat2.send("anything")
    assert any(r.kind == "result" for r in chat2.last)


async def test_pack_change_ends_an_activity_politely(
    db: Database, engine: DialogueEngine, clock
) -> None:
    chat = Chat(engine)
    await chat.send("/quiz")

    pack = load_default_pack()
    changed = pack.model_copy(update={"pack": pack.pack.model_copy(update={"version": "999"})})
    newer = build_engine(db=db, pack=PackIndex(changed), clock=clock, config=engine.config)
    chat2 = Chat(newer)
    await chat2.send("1")
    assert "content was updated" in chat2.text


async def test_one_learner_two_conversations(engine: DialogueEngine) -> None:
    dm = Chat(engine, user="bob", chat="dm-bob")
    channel = Chat(engine, user="bob", chat="team-channel")
    await dm.send("/term psi")
    await channel.send("/topics")
    assert "1 of" in channel.text  # the card seen in the DM counts for the same learner


async def test_database_outage_gets_a_clear_reply(pack, clock, settings, tmp_path) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db")
    engine = build_engine(db=broken, pack=pack, clock=clock, config=settings.engine_config)
    replies = await engine.handle(
        TextIn(ref=ConversationRef("test", "w", "c", "u"), message_id="1", text="/help")
    )
    assert replies[0].text == DB_DOWN
    await broken.dispose()
    await settle_aiosqlite_threads()


async def test_concurrent_messages_in_one_conversation_all_get_replies(
    engine: DialogueEngine,
) -> None:
    ref = ConversationRef("test", "w", "c", "u")
    results = await asyncio.gather(
        *[engine.handle(CommandIn(ref=ref, message_id=f"c{i}", name="term")) for i in range(10)]
    )
    titles = [r[0].title for r in results]
    assert all(titles)
    assert len(set(titles)) == 10  # each turn saw the previous one's state


async def test_two_engines_on_one_database_keep_state_consistent(
    db: Database, pack, clock, settings
) -> None:
    a = build_engine(
        db=db, pack=pack, clock=clock, rng=random.Random(1), config=settings.engine_config
    )
    b = build_engine(
        db=db, pack=pack, clock=clock, rng=random.Random(2), config=settings.engine_config
    )
    ref = ConversationRef("test", "w", "shared", "u")
    results = await asyncio.gather(
        *[
            (a if i % 2 else b).handle(CommandIn(ref=ref, message_id=f"x{i}", name="term"))
            for i in range(12)
        ]
    )
    titles = [r[0].title for r in results]
    assert all(titles) and len(set(titles)) == 12


async def test_choice_for_a_command_button(chat: Chat) -> None:
    await chat.send("/help")
    await chat.press("Topics")
    assert "terms seen" in chat.text


async def test_group_chatter_is_not_taken_for_commands(engine: DialogueEngine) -> None:
    ref = ConversationRef("test", "w", "group", "u")
    replies = await engine.handle(TextIn(ref=ref, message_id="g1", text="help me", is_group=True))
    assert "/help" in replies[0].plain_text
    replies = await engine.handle(ChoiceIn(ref=ref, message_id="g2", payload="cmd:topics"))
    assert "terms seen" in replies[0].plain_text


async def test_read_only_commands_keep_a_quiz_running(chat: Chat) -> None:
    await chat.send("/quiz")
    question = chat.question()
    await chat.send("/stats")
    assert "still running" in chat.text
    await chat.send("/help")
    assert "still running" in chat.text
    if question.choices:
        await chat.payload(question.choices[0].payload)
        assert any(r.kind == "result" for r in chat.last)


async def test_quiz_button_names_a_term_unambiguously(chat: Chat) -> None:
    await chat.payload("cmd:quiz term:feature-store")
    assert "feature store" in chat.text.lower()
    assert "3 questions" in chat.text  # the term and two neighbours, not the whole category
    assert any(r.kind == "question" for r in chat.last)


async def test_an_activity_word_with_nothing_running_says_where_it_works(chat: Chat) -> None:
    for text in ("/hint", "hint"):
        await chat.send(text)
        assert "works during an exercise, a quiz, a review or a role-play" in chat.text, text
    await chat.send("/done")
    assert "works during an exercise or a role-play" in chat.text


async def test_a_greeting_and_thanks_get_a_friendly_reply(chat: Chat) -> None:
    await chat.send("Hi!")
    assert chat.text.startswith("Hi!") and "/quiz" in chat.text
    await chat.send("thank you")
    assert "You're welcome" in chat.text


async def test_a_card_does_not_repeat_its_heading(chat: Chat) -> None:
    await chat.send("/term psi")
    card = chat.last[0]
    assert "Also:" not in card.text  # "PSI" and its expansion are the heading already
    assert "🔊 PSI: said letter by letter" in card.text and "Say it:" not in card.text
