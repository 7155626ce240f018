"""Multi-step work started in a Slack channel goes on in the learner's DM (the real adapter).

A slash command in a channel is answered privately; a quiz round or a role-play asked for there
moves to the learner's DM (opened with ``conversations.open``), and the channel gets one
ephemeral line linking to it. The learner answers in the DM with plain text, or with
``/termcoach <text>``, which is text for termcoach when its first word is no command.
"""

from __future__ import annotations

from adapters.slack.render import dm_link
from bot.messages import ConversationRef
from tests.fakes.slack_server import FakeSlackServer, SlackCall
from tests.slack_support import MakeSlack, fake_slack_server, slack_factory  # noqa: F401

LINK = dm_link(ConversationRef("slack", "T1", "DU1", "U1"))


def _in_dm(fake: FakeSlackServer, user: str = "U1") -> list[SlackCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.channel == f"D{user}"]


def _channel_lines(fake: FakeSlackServer) -> list[SlackCall]:
    return fake.calls_to("response_url", "chat.postEphemeral")


async def test_a_role_play_started_in_a_channel_is_answered_in_the_dm(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("roleplay drift-pm", channel="C1")
    await slack.settle()
    # One private line in the channel, with the link to the DM.
    (line,) = _channel_lines(fake)
    assert line.params["response_type"] == "ephemeral"
    assert "role-play continues in our private chat" in line.all_text()
    assert LINK in line.all_text() and LINK.replace("&", "&amp;") in line.text
    assert not [c for c in fake.calls_to("chat.postMessage") if c.channel == "C1"]
    # The persona speaks in the DM; the learner answers there with plain text.
    assert "Priya" in " ".join(c.all_text() for c in _in_dm(fake))
    fake.reset()
    await slack.dm("Drift means the world has changed since the model learned from its data.")
    await slack.settle()
    assert "more messages at most" in " ".join(c.all_text() for c in _in_dm(fake))
    # "/termcoach <answer>" is an answer too, not an unknown command called "we".
    fake.reset()
    await slack.slash("we should retrain when the PSI goes over 0.2", channel="DU1")
    await slack.settle()
    said = " ".join(c.all_text() for c in fake.messages_sent())
    assert "don't know the command" not in said
    assert "Priya" in said or "more messages at most" in said or "Score:" in said


async def test_slash_text_that_names_no_command_is_text_for_termcoach(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    await slack.slash("what is concept drift", channel="C1")
    await slack.settle()
    (card,) = fake.calls_to("response_url")
    assert "don't know the command" not in card.all_text()
    assert "concept drift" in card.all_text().lower() and "Definition" in card.all_text()


async def test_a_quiz_from_the_channel_s_term_card_goes_to_the_dm_without_a_name_prefix(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    # A term card is one message: it stays in the channel (privately).
    await slack.slash("term concept drift", channel="C1")
    await slack.settle()
    (card,) = fake.calls_to("response_url")
    assert card.blocks[0]["text"]["text"].lower() == "concept drift"
    assert not _in_dm(fake)
    quiz_button = next(b["text"]["text"] for b in card.buttons() if "quiz" in b["value"])
    fake.reset()
    await slack.press(card, quiz_button, channel="C1")
    await slack.settle()
    (line,) = _channel_lines(fake)
    assert LINK in line.all_text()
    question = _in_dm(fake)[-1]
    assert "Question 1 of" in question.all_text()
    fake.reset()
    await slack.press(question, 0, channel="DU1")
    await slack.settle()
    (result,) = fake.calls_to("chat.update")
    text = result.all_text()
    assert "Correct" in text or "Not quite" in text
    # The DM is the learner's alone: the result is not prefixed with a (deprecated) user name.
    assert "u1:" not in text.lower()


async def test_when_no_dm_can_be_opened_the_channel_line_says_how_to_start_there(
    make_slack: MakeSlack, fake: FakeSlackServer
) -> None:
    slack = await make_slack()
    fake.fail("conversations.open", "missing_scope")
    await slack.slash("quiz drift", channel="C1")
    await slack.settle()
    (line,) = _channel_lines(fake)
    text = line.all_text()
    assert "open it to start" in text and "/termcoach quiz drift" in text
    assert not fake.calls_to("chat.postMessage")
    # The DM is opened again next time (a failure is not remembered).
    await slack.slash("quiz drift", channel="C1")
    await slack.settle()
    assert "Question 1 of" in " ".join(c.all_text() for c in _in_dm(fake))
