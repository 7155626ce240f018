"""Issue 16, the bugs a learner hit: each one as a conversation (B1-B2 English, with mistakes)."""

from __future__ import annotations

import random
import re

from bot.clock import FakeClock
from bot.daily.schedule import parse_on_args
from bot.engine import DialogueEngine
from bot.quiz.recognition import confusable_pair, definition_to_term, fill_gap_choice
from bot.roleplay.persona import jargon_question
from bot.timezones import find_zone
from content.index import PackIndex
from storage import attempts
from tests.chatflow import Chat
from tests.learning_support import make_known
from tests.quiz_support import answer, learner_id, open_question, round_state, set_question


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match is not None, (pattern, text)
    return int(match.group(1))


async def test_due_counts_agree_a_minute_later(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    # Missed twice in a round: FSRS's one-minute step. "2 due" and, a minute later, /review
    # finding 3 was the bug; every line now names the cards due in a few minutes.
    await chat.send("/quiz drift")
    while "finished" not in chat.text:
        await answer(engine, chat, correct=False)
    soon = _count(r"(\d+) terms? due for review in a few minutes", chat.text)
    clock.advance(minutes=2)
    await chat.send("/stats")
    assert f"Due for review: {soon} now" in chat.text
    await chat.send("/review")
    assert _count(r"Today's review: (\d+) terms? due for review", chat.text) == soon


async def test_stats_and_review_count_the_same_cards(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    # A card of a term that left the pack used to count in /stats and not in /review (6 vs 7).
    await make_known(engine, chat, "psi", "ks-test", days=1)
    await make_known(engine, chat, "no-longer-in-the-pack", days=1)
    clock.advance(days=2)
    await chat.send("/stats")
    assert "Due for review: 2 now" in chat.text
    await chat.send("/review")
    assert "Today's review: 2 terms due for review" in chat.text


async def test_missed_terms_come_back_as_promised(engine: DialogueEngine, chat: Chat) -> None:
    await chat.send("/settings new 8")
    await chat.send("/review")
    assert "Up to 3 terms you miss come back once at the end." in chat.text
    once_more = 0
    while "finished" not in chat.text:
        await answer(engine, chat, correct=False)
        once_more += "Once more:" in chat.text
    # Eight missed, three came back, as promised.
    assert "0 of 8 right" in chat.text and "Look again at:" in chat.text
    assert once_more == 3


async def test_term_ks_and_no_unrelated_suggestions(chat: Chat) -> None:
    await chat.send("/term KS")
    assert chat.last[0].title == "KS test"
    await chat.send("/term precisoin")  # a typo
    assert chat.last[0].title == "precision"
    await chat.send("/term a/b")
    assert chat.last[0].title == "A/B test" or "A/B test" in chat.text
    assert "model promotion" not in chat.text
    await chat.send("/term precision recall curve thing")
    assert "run comparison" not in chat.text and "model version" not in chat.text
    await chat.send("/term blockchain")
    assert "Did you mean" not in chat.text


async def test_new_term_badge_only_for_terms_never_opened(
    engine: DialogueEngine, chat: Chat
) -> None:
    await chat.send("/term psi")
    await chat.send("/term psi")
    await chat.send("/quiz term:psi")
    state = await round_state(engine, chat)
    first = chat.question().text
    assert state.items[0].term_id == "psi" and "🆕" not in first
    opened_never = [i for i in state.items[1:] if i.new]
    assert all(i.term_id != "psi" for i in opened_never)


async def test_typing_the_right_name_on_a_definition_question(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await chat.send("/quiz drift")
    for typed in ("concept drift", "the concept drfit", "Concept-drifts"):
        q = definition_to_term(pack, pack.terms["concept-drift"], random.Random(len(typed)))
        assert q is not None
        await set_question(engine, chat, q)
        await chat.send(typed)
        assert "Correct" in chat.text, typed


async def test_daily_i_knew_it_after_a_quiz_on_the_term_is_taken(
    engine: DialogueEngine, chat: Chat, clock: FakeClock
) -> None:
    await chat.send("/quiz term:psi")
    await answer(engine, chat, correct=True)
    await chat.send("/cancel")
    clock.advance(minutes=30)
    await chat.payload("daily:knew:psi")
    assert "already told me" not in chat.text and "on your review list" in chat.text
    await chat.payload("daily:knew:psi")
    assert "already told me" in chat.text


async def test_daily_on_reads_cities_of_several_words_and_accents(chat: Chat) -> None:
    await chat.send("/daily on 8:30 Sao Paulo weekdays")
    assert "America/Sao_Paulo" in chat.text and "every weekday at 08:30" in chat.text
    await chat.send("/daily on 7:00 São Paulo")
    assert "America/Sao_Paulo" in chat.text
    await chat.send("/daily on Brasilia 9:15")
    assert "America/Sao_Paulo" in chat.text and "09:15" in chat.text
    await chat.send("/settings timezone São Paulo")
    assert "Time zone set to America/Sao_Paulo" in chat.text
    assert find_zone("brasilia") == ("America/Sao_Paulo", [])
    assert parse_on_args("9:00 New York every day").timezone == "America/New_York"


def test_gap_sentences_keep_their_article_and_options_fit_it(pack: PackIndex) -> None:
    for seed in range(3):
        rng = random.Random(seed)
        for term in pack.pack.terms:
            q = fill_gap_choice(pack, term, rng)
            if q is None:
                continue
            assert "a/an" not in q.prompt
            match = re.search(r"\b([Aa]n?) \\_", q.prompt)
            if match is None:
                continue
            wants_an = match.group(1).lower() == "an"
            for option in q.options:
                first = option.split()[0]
                vowel = first[0] in "AEFHILMNORSX" if first.isupper() else first[0] in "aeiouAEIOU"
                assert vowel == wants_an or first.lower().startswith(("uni", "use", "eu")), (
                    term.id,
                    option,
                )


async def test_wording_two_options_colons_and_no_buttons_words(
    engine: DialogueEngine, chat: Chat
) -> None:
    pack = engine.pack
    await chat.send("/quiz drift")
    assert "Pick an answer" not in chat.text
    q = confusable_pair(pack, pack.terms["shadow-mode"], random.Random(1))
    assert q is not None
    await set_question(engine, chat, q)
    await chat.send("maybe the second")
    assert "1 or 2" in chat.text and "1 to 2" not in chat.text
    await chat.send("/term ks test")
    assert "Not to be confused with PSI (Population Stability Index): the KS test" in chat.text
    assert jargon_question("retraining trigger", "low").startswith(
        "Sorry, I don't know the term “retraining trigger”"
    )
    assert jargon_question("PSI", "low").startswith("Sorry, I don't know the word “PSI”")


async def test_role_play_feedback_speaks_of_sentences_not_school_grades(chat: Chat) -> None:
    await chat.send("/roleplay drift-pm")
    await chat.send(
        "So basically what happens is that the model which we trained last year on the old data "
        "from the customers that we had before the marketing campaign now sees other customers "
        "that are younger and come from the app and therefore the predictions that it makes are "
        "not so good anymore and we think that we need to retrain it with the new data soon."
    )
    await chat.send("done")
    texts = [chat.text]
    await chat.press("Score parts")
    texts.append(chat.text)
    text = "\n".join(texts).lower()
    assert "grade" not in text and "flesch" not in text
    # The audience part is named in words ("Audience 0/20"), never as a US school grade.
    assert "audience" in text


async def test_i_dont_know_is_kept_apart_in_storage(engine: DialogueEngine, chat: Chat) -> None:
    await chat.send("/quiz drift")
    await chat.send("i dont know")
    lid = await learner_id(engine, chat)
    async with engine.db.session() as session:
        assert await attempts.skipped_count(session, lid) == 1
        assert await attempts.counts_by_term(session, lid) == {}
    q = await open_question(engine, chat)
    assert q is not None
