"""Slack-correct wording and controls through the real adapter: commands as they reach a thread,
mentions of people, no Telegram-only features in help, and menus as select menus.

bolt and slack_sdk run against the fake Web API; requests are signed as Slack signs them.
"""

from __future__ import annotations

from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_server import FakeSlackServer, SlackCall
from tests.slack_support import MakeSlack, fake_slack_server, shown, slack_factory  # noqa: F401


def _question(calls: list[SlackCall]) -> SlackCall:
    return next(
        c
        for c in calls
        if any(b["block_id"].startswith("q:") for b in c.blocks if b["type"] == "actions")
    )


async def test_a_quiz_started_by_a_mention_goes_on_in_the_dm_with_the_slash_form(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.mention("<@UBT1> quiz drift", user="U1")
    await slack.settle()
    # A quiz is multi-step: it goes on in the learner's DM, and the thread gets one line for
    # them alone, linking there. Nobody else answers it in the thread.
    (line,) = fake.calls_to("chat.postEphemeral")
    assert line.params["user"] == "U1" and line.params.get("thread_ts")
    assert "app_redirect?channel=DU1" in line.all_text()
    posts = fake.calls_to("chat.postMessage")
    assert posts and {p.channel for p in posts} == {"DU1"}
    text = " ".join(p.all_text() for p in posts)
    # In the DM the slash command reaches the bot, so commands keep the slash form.
    assert "/termcoach cancel" in text and "@termcoach" not in text
    question = _question(posts)
    fake.reset()
    await slack.press(question, 0, channel="DU1", user="U1")
    await slack.settle()
    result = " ".join(c.all_text() for c in shown(fake))
    assert "Correct" in result or "Not quite" in result
    assert "u1:" not in result.lower()  # never the deprecated user name


async def test_slash_commands_outside_threads_keep_the_slash_form(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("quiz drift")
    await slack.settle()
    text = " ".join(p.all_text() for p in fake.calls_to("chat.postMessage"))
    assert "/termcoach cancel" in text
    assert "@termcoach" not in text


async def test_echoed_text_cannot_mention_someone_else(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("term <@U999> and <!channel>")
    await slack.settle()
    sent = fake.calls_to("chat.postMessage")
    assert sent
    raw = " ".join(str(c.params) for c in sent)
    assert "<@U999>" not in raw and "<!channel>" not in raw


async def test_help_in_slack_offers_nothing_slack_lacks(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("help")
    await slack.settle()
    text = " ".join(c.all_text() for c in shown(fake)).lower()
    assert "/termcoach quiz" in text
    assert "poll" not in text  # quiz polls are Telegram's
    fake.reset()
    await slack.slash("settings")
    await slack.settle()
    assert "poll" not in " ".join(c.all_text() for c in shown(fake)).lower()


async def test_a_long_menu_is_a_select_whose_choice_reaches_the_engine(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.dm("roleplay")
    await slack.settle()
    menu = next(c for c in fake.calls_to("chat.postMessage") if c.selects())
    (select,) = menu.selects()
    assert select["type"] == "static_select"
    options = select["options"]
    assert len(options) > 5
    # No cloud of buttons beside it.
    assert not menu.buttons()
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)

    fake.reset()
    chosen = options[0]
    response = await slack.select(menu, chosen["value"], channel="DU1")
    assert response.status_code == 200
    await slack.settle()
    started = " ".join(c.all_text() for c in shown(fake))
    # The chosen option's payload reached the engine like a button press: that role-play began.
    command, _, scenario_id = chosen["value"].partition(" ")
    assert command == "cmd:roleplay"
    title = slack.adapter.engine.pack.scenarios[scenario_id].title
    assert f"Role-play: {title}" in started
    assert "expired" not in started.lower()


def test_a_select_payload_is_what_slack_sends() -> None:
    call = SlackCall(
        "chat.postMessage",
        {
            "channel": "DU1",
            "text": "menu",
            "blocks": [
                {
                    "type": "actions",
                    "block_id": "choices",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "termcoach:choice:0",
                            "placeholder": {"type": "plain_text", "text": "Choose"},
                            "options": [
                                {"text": {"type": "plain_text", "text": "A"}, "value": "cmd:a"}
                            ],
                        }
                    ],
                }
            ],
        },
        token="x",
        response={"ts": "1.2", "channel": "DU1"},
    )
    body = payloads.select_payload(
        call, "cmd:a", team="T1", channel="DU1", user="U1", trigger_id="t", response_url="u"
    )
    (action,) = body["actions"]
    assert action["type"] == "static_select"
    assert action["selected_option"]["value"] == "cmd:a"
    assert "value" not in action
