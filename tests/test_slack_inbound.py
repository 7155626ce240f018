"""Pure translation: Slack request bodies to engine messages and reply targets, and who is admin.

The bodies are built by `tests.fakes.slack_payloads`, the same builders the end-to-end tests and
the bench post to the adapter.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from adapters.slack import target_for, to_inbound
from adapters.slack.inbound import is_admin
from bot.engine import DialogueEngine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, TextIn
from tests.fakes import slack_payloads as payloads


@pytest.fixture
def words(engine: DialogueEngine) -> frozenset[str]:
    """The engine's command words, as the adapter passes them."""
    return engine.command_names()


def _event(event: dict[str, Any], team: str = "T1") -> dict[str, Any]:
    body: dict[str, Any] = json.loads(payloads.event_body(event, team=team, event_id="Ev1"))
    return body


def _im(text: str = "x", **extra: Any) -> dict[str, Any]:
    event = payloads.dm_event(text, user="U1", ts="1.1")
    return _event({**event, "channel": "D1", **extra})


def _mention(text: str, **extra: Any) -> dict[str, Any]:
    event = payloads.mention_event(text, user="U1", channel="C1", ts="5.5")
    return _event({**event, **extra})


def _slash(text: str, channel: str = "C1", user: str = "U1", team: str = "T1") -> dict[str, Any]:
    form = payloads.slash_command(
        text,
        team=team,
        channel=channel,
        user=user,
        response_url="https://hooks.example/cmd",
        trigger_id="tr9",
    )
    return dict(urllib.parse.parse_qsl(form))


def _press(user: str = "U1", team: str = "T1", **action: str) -> dict[str, Any]:
    container = {"type": "message", "channel_id": "C1", "message_ts": "9.9", "is_ephemeral": True}
    defaults = {"action_id": "termcoach:choice:2", "block_id": "q:abc|t:7.7", "value": "q:abc:2"}
    return {
        "type": "block_actions",
        "user": {"id": user, "team_id": team},
        "team": {"id": team},
        "trigger_id": "tr10",
        "container": container,
        "response_url": "https://hooks.example/1",
        "actions": [{**defaults, **action}],
    }


def test_to_inbound_translates_direct_messages_and_ignores_the_rest(words: frozenset[str]) -> None:
    dm = to_inbound(_im("a &lt;b&gt; &amp; c"), commands=words)
    assert isinstance(dm, TextIn)
    assert dm.text == "a <b> & c"
    assert dm.ref == ConversationRef("slack", "T1", "D1", "U1")
    assert dm.message_id == "slack:Ev1"
    in_thread = to_inbound(_im(thread_ts="1.0"), commands=words)
    assert in_thread is not None and in_thread.ref.thread == "1.0"

    assert to_inbound(_im(bot_id="B1"), commands=words) is None  # bots, ourselves included
    assert to_inbound(_im(subtype="message_changed"), commands=words) is None  # edits
    assert to_inbound(_im(channel="C1", channel_type="channel"), commands=words) is None
    # In a DM a mention also arrives as message.im: answering both would reply twice.
    assert to_inbound(_mention("<@UB1> help", channel="D1"), commands=words) is None


def test_to_inbound_translates_mentions_commands_and_buttons(words: frozenset[str]) -> None:
    mention = to_inbound(_mention("<@UB1>  Quiz drift"), commands=words, bot_user_id="UB1")
    assert isinstance(mention, CommandIn)
    assert (mention.name, mention.args, mention.ref.thread) == ("quiz", "drift", "5.5")
    assert mention.is_group
    empty = to_inbound(_mention("<@UB1>", thread_ts="5.0"), commands=words)
    assert isinstance(empty, CommandIn) and empty.name == "help" and empty.ref.thread == "5.0"
    chatter = to_inbound(_mention("<@UB1> we should roll back"), commands=words)
    assert isinstance(chatter, TextIn) and chatter.text == "we should roll back"
    # An activity's own word (a quiz's "hint") works as a command after a mention too.
    hint = to_inbound(_mention("<@UB1> hint"), commands=words)
    assert isinstance(hint, CommandIn) and hint.name == "hint"

    command = to_inbound(_slash("  term  PSI "), commands=words, admins={"U2"})
    assert isinstance(command, CommandIn)
    assert (command.name, command.args, command.message_id) == ("term", "PSI", "slack:tr9")
    assert command.is_group and not command.is_admin
    blank = to_inbound(_slash("", channel="D1"), commands=words)
    assert isinstance(blank, CommandIn) and blank.name == "help"
    assert not blank.is_group and blank.is_admin  # no admin list: anyone may

    press = _press()
    choice = to_inbound(press, commands=words)
    assert isinstance(choice, ChoiceIn)
    assert (choice.payload, choice.ref.thread) == ("q:abc:2", "7.7")
    assert choice.message_id == "slack:tr10"
    target = target_for(press)
    assert target is not None and target.ephemeral and target.pressed is not None
    assert target.pressed.question_id == "abc" and target.thread_ts == "7.7"


# ---- who is an admin ---------------------------------------------------------------------------


def test_admin_policy_reads_plain_and_workspace_qualified_ids() -> None:
    admins = {"U9", "T01:U123"}
    assert is_admin("T01", "U123", admins)
    assert not is_admin("T02", "U123", admins)  # the same id in another workspace
    assert is_admin("T02", "U9", admins)  # a plain id is an admin in every workspace
    assert not is_admin("T01", "U5", admins)
    assert is_admin("T01", "U5", ())  # no list: anyone may


@pytest.mark.parametrize(
    ("user", "admin"),
    [("U123", True), ("U5", False), ("U9", True)],
    ids=["qualified", "other", "plain"],
)
def test_every_kind_of_request_carries_the_admin_policy(
    words: frozenset[str], user: str, admin: bool
) -> None:
    admins = frozenset({"U9", "T01:U123"})
    requests = {
        "slash command": _slash("daily on", user=user, team="T01"),
        "mention": _event(
            payloads.mention_event("<@UB1> daily on", user=user, channel="C1", ts="5.5"), "T01"
        ),
        "button": _press(user=user, team="T01"),
        "home button": payloads.home_button_payload("quiz", team="T01", user=user, trigger_id="t"),
    }
    for kind, body in requests.items():
        dm = "DHOME" if kind == "home button" else None
        inbound = to_inbound(body, commands=words, admins=admins, dm_channel=dm)
        assert inbound is not None, kind
        assert inbound.is_admin is admin, kind
        assert inbound.ref.workspace == "T01", kind
