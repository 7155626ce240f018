"""Multi-step work started in a shared chat goes on in the learner's private chat (the engine).

A quiz round, a review, a role-play or an exercise asked for in a group runs in the learner's
private chat when the adapter knows it (`Inbound.dm`); the group gets one private line with a
`Handoff` (the adapter turns it into a link). When the private chat is not open yet, the line
carries the command instead, so opening the chat can start exactly that work. One-message things
(a term card) stay where they were asked.
"""

from __future__ import annotations

import itertools

from bot.daily.post import daily_post
from bot.engine import DialogueEngine
from bot.messages import ChoiceIn, CommandIn, ConversationRef, Handoff, Inbound, Reply, TextIn
from bot.wire import replies_from_json, replies_to_json
from content.index import PackIndex
from storage import turns

_ids = itertools.count(1)
GROUP = ConversationRef("test", "w1", "group-1", "ann")
DM = ConversationRef("test", "w1", "dm-ann", "ann")


def _mid() -> str:
    return f"h{next(_ids)}"


async def _in_group(
    engine: DialogueEngine, name: str, args: str = "", dm: ConversationRef | None = None
) -> list[Reply]:
    command = CommandIn(
        ref=GROUP, message_id=_mid(), name=name, args=args, is_group=True, display_name="Ann", dm=dm
    )
    return await engine.handle(command)


async def _state(engine: DialogueEngine, ref: ConversationRef) -> dict[str, object]:
    async with engine.db.session() as session:
        _learner, conv = await turns.load_turn(
            session, ref.key, ref.learner_key, ref.chat, ref.thread, engine.now()
        )
    return dict(conv.state)


async def test_a_quiz_asked_in_a_group_runs_in_the_learner_s_private_chat(
    engine: DialogueEngine,
) -> None:
    replies = await _in_group(engine, "quiz", "drift", dm=DM)
    line, *private = replies
    # The group gets one line for the learner alone, naming the private chat to link to.
    assert line.private and line.kind == "notice" and not line.choices
    assert line.handoff == Handoff("quiz", "drift", DM)
    assert "private chat" in line.text
    # The questions are the private chat's own: asked there, answered there with plain text.
    assert any("Question 1 of" in r.text for r in private)
    assert (await _state(engine, DM)).get("activity") == "quiz"
    assert "activity" not in await _state(engine, GROUP)
    answer = await engine.handle(TextIn(ref=DM, message_id=_mid(), text="1"))
    assert "Correct" in answer[0].text or "Not quite" in answer[0].text
    # Nobody else reads the private chat: the result does not name whose answer it was.
    assert not answer[0].text.startswith("Ann:")


async def test_a_role_play_asked_in_a_group_runs_in_the_private_chat(
    engine: DialogueEngine,
) -> None:
    replies = await _in_group(engine, "roleplay", "drift-pm", dm=DM)
    assert replies[0].handoff == Handoff("roleplay", "drift-pm", DM)
    assert "role-play" in replies[0].text
    assert (await _state(engine, DM)).get("activity") == "roleplay"
    turn = await engine.handle(
        TextIn(ref=DM, message_id=_mid(), text="Drift means the world changed since training.")
    )
    assert "Priya" in " ".join(r.text for r in turn)


async def test_without_an_open_private_chat_the_line_carries_the_command(
    engine: DialogueEngine,
) -> None:
    replies = await _in_group(engine, "quiz", "buttons drift")
    assert len(replies) == 1
    [line] = replies
    assert line.private and line.kind == "notice"
    assert line.handoff == Handoff("quiz", "buttons drift", None)
    assert "open it to start" in line.text
    # Nothing started anywhere: opening the private chat with the command will.
    assert "activity" not in await _state(engine, GROUP)
    # The line survives the outbox: stored as JSON, shown later.
    assert replies_from_json(replies_to_json(replies)) == replies


async def test_a_group_s_running_activity_is_left_alone(engine: DialogueEngine) -> None:
    # A group conversation can still hold an activity (one started before this rule): a quiz
    # asked there now goes to the private chat and does not interrupt it.
    await _in_group(engine, "roleplay", "drift-pm", dm=GROUP)  # the group is its own "dm" here
    assert (await _state(engine, GROUP)).get("activity") == "roleplay"
    replies = await _in_group(engine, "quiz", dm=DM)
    assert replies[0].handoff is not None
    assert "Stopped" not in " ".join(r.text for r in replies)
    assert (await _state(engine, GROUP)).get("activity") == "roleplay"


async def test_one_message_things_stay_in_the_group(engine: DialogueEngine) -> None:
    replies = await _in_group(engine, "term", "concept drift", dm=DM)
    assert [r.kind for r in replies] == ["card"]
    assert replies[0].handoff is None


async def test_a_button_that_starts_a_quiz_hands_it_over_too(
    engine: DialogueEngine, pack: PackIndex
) -> None:
    post = daily_post(pack, "concept-drift")[0]
    quiz_me = next(c.payload for c in post.choices if c.label == "Quiz me")
    press: Inbound = ChoiceIn(ref=GROUP, message_id=_mid(), payload=quiz_me, is_group=True, dm=DM)
    line, *private = await engine.handle(press)
    assert line.handoff == Handoff("quiz", "term:concept-drift", DM)
    assert any("Question 1 of" in r.text for r in private)
    review = ChoiceIn(ref=GROUP, message_id=_mid(), payload="cmd:review", is_group=True)
    [only] = await engine.handle(review)
    assert only.handoff == Handoff("review", "", None)


async def test_in_the_private_chat_the_command_just_runs(engine: DialogueEngine) -> None:
    replies = await engine.handle(CommandIn(ref=DM, message_id=_mid(), name="quiz", args="drift"))
    assert all(r.handoff is None for r in replies)
    assert any("Question 1 of" in r.text for r in replies)
