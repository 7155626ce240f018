"""The Telegram adapter's pure parts: updates to engine messages, and replies to Bot API calls.

No server and no database: `to_inbound`, `render` and friends are functions of their input.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from adapters.telegram import build_application, parse_command, to_inbound
from adapters.telegram.inbound import PollInfo
from adapters.telegram.limits import CALLBACK_DATA_LIMIT, POLL_MAX_OPTIONS
from adapters.telegram.render import (
    as_poll,
    keyboard,
    poll_kwargs,
    poll_payloads,
    render,
    split_html,
    tg_len,
)
from bot.messages import (
    Choice,
    ChoiceIn,
    CommandIn,
    ConversationRef,
    Image,
    NativeQuiz,
    Reply,
    TextIn,
)
from tests.fakes.telegram_server import FakeTelegram, parse_telegram_html
from tests.telegram_support import DM, GROUP


def test_to_inbound_in_groups_and_forum_topics() -> None:
    fake = FakeTelegram()
    bot = "termcoach_test_bot"

    def inbound(update: dict[str, Any]) -> Any:
        return to_inbound(Update.de_json(update, None), bot, "42", bot_id=fake.bot_id)

    assert inbound(fake.text_update("chatter", chat_id=GROUP, user_id=5)) is None
    assert inbound(fake.text_update("/quiz@OtherBot", chat_id=GROUP, user_id=5)) is None
    command = inbound(fake.text_update("/Quiz@TermCoach_Test_Bot drift", chat_id=GROUP, user_id=5))
    assert isinstance(command, CommandIn)
    assert (command.name, command.args, command.is_group) == ("quiz", "drift", True)
    assert command.ref == ConversationRef("telegram", "42", str(GROUP), "5")
    assert command.message_id
    assert command.message_id.startswith("tg-update:42:")
    topic = inbound(fake.text_update("/term psi", chat_id=GROUP, user_id=5, thread_id=9))
    assert topic.ref.thread == "9"
    text = inbound(fake.text_update("/usr/bin is a path", chat_id=DM))
    assert isinstance(text, TextIn)
    mention = fake.text_update("@termcoach_test_bot what is PSI?", chat_id=GROUP, user_id=5)
    mention["message"]["entities"] = [{"type": "mention", "offset": 0, "length": 19}]
    found = inbound(mention)
    assert isinstance(found, TextIn)
    assert found.text == "what is PSI?"
    assert parse_command("/start", None) == ("start", "")


def test_split_html_cuts_huge_paragraphs_and_keeps_markup_valid() -> None:
    chunks = split_html("*" + "bold " * 2000 + "*\n\n`" + "c" * 5000 + "`")
    assert len(chunks) >= 3
    for chunk in chunks:
        assert tg_len(parse_telegram_html(chunk)) <= 4096
        assert tg_len(chunk) <= 4096


def test_render_escapes_and_limits() -> None:
    [call] = render(Reply("Use `<T>` & _x_ - *bold*\n- item", title="A<B"))
    assert call["text"] == (
        "<b>A&lt;B</b>\nUse <code>&lt;T&gt;</code> &amp; <i>x</i> - <b>bold</b>\n• item"
    )
    parse_telegram_html(call["text"])
    long_payload = "cmd:term " + "x" * 100
    [call] = render(Reply("pick", choices=(Choice("x", long_payload),)))
    data = call["reply_markup"].inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    # Options too long for a poll fall back to text with numbered buttons.
    quiz = NativeQuiz("Q?", ("a" * 150, "b"), 0)
    fallback = render(
        Reply("Q?", native_quiz=quiz, choices=(Choice("a" * 150, "p:0"), Choice("b", "p:1")))
    )
    assert "question" not in fallback[0]
    assert "1." in fallback[0]["text"]
    labels = [b.text for row in fallback[0]["reply_markup"].inline_keyboard for b in row]
    assert labels == ["1", "2"]


def test_self_hosted_base_url_forms() -> None:
    for url in ("http://bots.local:8081", "http://bots.local:8081/bot", "http://bots.local:8081/"):
        app = build_application("1:abc", url)
        assert app.bot.base_url == "http://bots.local:8081/bot1:abc"
        assert app.bot.base_file_url == "http://bots.local:8081/file/bot1:abc"


def test_plain_text_options_and_explanations_keep_underscores_and_stars() -> None:
    # Labels and poll fields are plain text: markup characters in them are content.
    quiz = NativeQuiz(
        "Which variable points MLflow at its server?",
        ("MLFLOW_TRACKING_URI", "get_historical_features", "2*3"),
        0,
        explanation="Set MLFLOW_TRACKING_URI to the tracking server.",
    )
    [poll] = poll_kwargs(quiz)
    assert poll["options"] == ["MLFLOW_TRACKING_URI", "get_historical_features", "2*3"]
    assert "MLFLOW_TRACKING_URI" in poll["explanation"]
    markup = keyboard([Choice("get_historical_features", "p:1"), Choice("2*3", "p:2")])
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "get_historical_features",
        "2*3",
    ]


def test_a_menu_that_lists_its_choices_is_not_listed_twice() -> None:
    titles = [f"Scenario number {n}, for a product manager who asks" for n in (1, 2, 3)]
    menu = Reply(
        "Pick a scenario:\n" + "\n".join(f"- {t}: /roleplay s{n}" for n, t in enumerate(titles)),
        choices=tuple(Choice(t, f"cmd:roleplay s{n}") for n, t in enumerate(titles)),
    )
    [call] = render(menu)
    assert call["text"].count("Scenario number 1") == 1
    buttons = [b.text for row in call["reply_markup"].inline_keyboard for b in row]
    assert buttons == titles  # full labels; Telegram shortens them on screen
    # Long options that the text does not show still move into it, under numbers.
    question = Reply(
        "Which one?", choices=tuple(Choice(t, f"q:x:{n}") for n, t in enumerate(titles))
    )
    [call] = render(question)
    assert "1." in call["text"] and titles[0] in call["text"]


def test_a_chart_is_one_photo_with_its_caption() -> None:
    caption = "Last 30 days: 11 reviews, 60% right."
    calls = render(Reply(caption, image=Image(png=b"\x89PNG", caption=caption)))
    assert len(calls) == 1 and calls[0]["caption"] == caption


def test_a_poll_vote_comes_back_as_the_payload_of_its_option() -> None:
    fake = FakeTelegram()
    info = PollInfo("-5", "9", 3, ("q:abc:0", "q:abc:1"), True, ("p-0", "p-1"))
    data = fake.poll_answer_update("p", 7, [0])
    # The persistent id wins over the position (options may have been added to the poll).
    data["poll_answer"]["option_persistent_ids"] = ["p-1"]
    vote = Update.de_json(data, None)
    choice = to_inbound(vote, "bot", "42", polls={"p": info})
    assert isinstance(choice, ChoiceIn)
    assert choice.payload == "q:abc:1"
    assert choice.ref == ConversationRef("telegram", "42", "-5", "7", "9", thread_is_place=True)
    assert choice.dm == ConversationRef("telegram", "42", "7", "7", thread_is_place=True)
    # A vote for a poll nobody knows (sent before the records expired) is ignored.
    assert to_inbound(vote, "bot", "42", polls={}) is None


def test_a_native_quiz_is_a_poll_only_with_the_payloads_its_options_hand_back() -> None:
    quiz = NativeQuiz("Which?", ("a", "b"), 1, question_id="z", payloads=("q:z:0", "q:z:1"))
    reply = Reply("Which?", native_quiz=quiz)
    assert as_poll(reply)
    assert poll_payloads(reply) == ("q:z:0", "q:z:1")
    # Without payloads of its own, the reply's buttons stand in when they line up...
    bare = NativeQuiz("Which?", ("a", "b"), 1, question_id="z")
    choices = (Choice("a", "x:0"), Choice("b", "x:1"))
    assert poll_payloads(Reply("Which?", choices=choices, native_quiz=bare)) == ("x:0", "x:1")
    # ...and with neither, the adapter makes none up: the quiz is text, not a poll.
    assert not as_poll(Reply("Which?", native_quiz=bare))
    assert "question" not in render(Reply("Which?", native_quiz=bare))[0]
    many = tuple(f"option {n}" for n in range(POLL_MAX_OPTIONS + 1))
    too_many = NativeQuiz("Which?", many, 0, payloads=tuple(f"p:{n}" for n in range(len(many))))
    assert not as_poll(Reply("Which?", native_quiz=too_many))
