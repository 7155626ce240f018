"""Pure Slack rendering: mrkdwn, Block Kit within Slack's limits, the App Home view, errors.

Every rendered message is checked with the fake Web API's `check_blocks`, the same check the fake
applies to what the adapter sends.
"""

from __future__ import annotations

import json
import re

from adapters.slack import classify_error, render
from adapters.slack.home import render_home
from adapters.slack.render import MAX_BLOCKS, escape_mrkdwn, slack_commands, to_mrkdwn
from bot.messages import Choice, Image, NativeQuiz, Reply
from bot.overview import Meeting, Overview
from bot.progress import Progress
from storage.results import Result
from tests.fakes.slack_server import check_blocks


def test_mrkdwn_escapes_content_and_keeps_markup() -> None:
    assert to_mrkdwn("*bold* _it_ `x<y`") == "*bold* _it_ `x&lt;y`"
    assert to_mrkdwn("- one\n- two") == "• one\n• two"
    assert escape_mrkdwn("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape_mrkdwn("feature_store") == "feature_store"
    escaped = escape_mrkdwn("*not bold* _not italic_ ~no~")
    assert not re.search(r"[*_~`]", escaped)
    assert to_mrkdwn(r"2 \* 3 and a\_b") == "2 \u2217 3 and a_b"
    assert escape_mrkdwn("> quote").startswith("\u00ad&gt;")


def test_render_stays_within_block_kit_limits() -> None:
    many = tuple(Choice("option " + "x" * 100 + str(i), f"q:qid:{i}") for i in range(30))
    reply = Reply(
        ("A long paragraph. " * 400 + "\n\n") * 3,
        choices=many,
        title="T" * 300,
        kind="question",
        question_id="qid",
    )
    message = render(reply)
    check_blocks(message["blocks"])
    assert len(message["blocks"]) <= MAX_BLOCKS
    assert message["text"]
    assert message["blocks"][0]["text"]["text"].endswith("…")
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 30
    assert [b["value"] for b in buttons] == [c.payload for c in many]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)
    action_blocks = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [b["block_id"] for b in action_blocks] == ["q:qid", "q:qid|n:1"]

    quiz = NativeQuiz("Which?", ("a", "b"), 1, question_id="z", payloads=("q:z:0", "q:z:1"))
    native = render(Reply("", native_quiz=quiz, kind="question"))
    # A native quiz's buttons carry the payloads the engine gave; without them, no buttons.
    assert [b["value"] for b in native["blocks"][-1]["elements"]] == ["q:z:0", "q:z:1"]
    bare = render(Reply("Which?", native_quiz=NativeQuiz("Which?", ("a", "b"), 1), kind="question"))
    assert not [b for b in bare["blocks"] if b["type"] == "actions"]
    error = render(Reply("Boom <x>", kind="error", image=Image(b"png")))
    assert error["blocks"][0]["text"]["text"].startswith(":warning:")
    assert error["text"] == "⚠️ Boom &lt;x&gt;"


def test_long_options_are_listed_in_full_with_numbered_buttons() -> None:
    long = [f"Option {n}: " + "a definition that goes on and on " * 4 for n in (1, 2, 3)]
    msg = render(
        Reply(
            "What does *PSI* mean?",
            choices=tuple(Choice(t, f"q:x:{i}") for i, t in enumerate(long)),
        )
    )
    sections = " ".join(b["text"]["text"] for b in msg["blocks"] if b["type"] == "section")
    for n, text in enumerate(long, 1):
        assert f"*{n}.* {text.strip()}" in sections  # nothing cut
    [actions] = [b for b in msg["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["1", "2", "3"]
    assert [e["value"] for e in actions["elements"]] == ["q:x:0", "q:x:1", "q:x:2"]
    short = render(Reply("Pick one", choices=(Choice("data drift", "q:y:0"),)))
    [acts] = [b for b in short["blocks"] if b["type"] == "actions"]
    assert acts["elements"][0]["text"]["text"] == "data drift"


def test_command_references_are_written_as_the_slash_command() -> None:
    commands = {"quiz", "cancel", "help", "daily"}
    assert slack_commands("Missed terms come back. /cancel stops.", commands) == (
        "Missed terms come back. /termcoach cancel stops."
    )
    assert slack_commands("Use `/daily on 09:00` or /quiz drift.", commands) == (
        "Use `/termcoach daily on 09:00` or /termcoach quiz drift."
    )
    # Paths, URLs and unknown names stay as they are.
    for text in ("models:/fraud@champion", "https://x.y/quiz", "a/quiz", "/quizzes", "/metrics"):
        assert slack_commands(text, commands) == text


def test_home_view_is_valid() -> None:
    done = Progress(
        total_terms=67,
        seen_terms=2,
        streak=3,
        answers=1,
        right=1,
        results=(Result("incident", "roleplay", 80, None),),
    )
    meeting = Meeting("a product manager", "tomorrow", "pm")
    view = render_home(Overview(done, None, meeting), lambda _: "incident <review>")
    check_blocks(view["blocks"], limit=100)
    text = json.dumps(view).replace("\\n", "\n")
    assert "incident &lt;review&gt;: 80/100" in text
    assert "*Streak*\n3 days" in text
    assert "*Terms seen*\n2 of 67" in text
    assert "prep pm" in text


def test_home_view_welcomes_a_newcomer_with_three_things_to_try() -> None:
    view = render_home(Overview(Progress(total_terms=67)))
    check_blocks(view["blocks"], limit=100)
    text = json.dumps(view).replace("\\n", "\n")
    assert "Welcome to termcoach" in text and "Three things to try" in text
    assert "0 of 67" not in text  # no empty figures on the first visit
    (primary,) = [b for b in view["blocks"][-2]["elements"] if b.get("style") == "primary"]
    assert primary["value"] == "quiz"


def test_classify_error_without_slack() -> None:
    assert classify_error(OSError("reset")).status == "retry"
    assert classify_error(ValueError("x")).status == "failed"
