"""The shared daily post through the real clients: it keeps its buttons for everyone, shows only
counts (edited in at most once a minute, whichever replica handles the press), reads at a glance
(at most about 500 characters on Telegram), and "More" answers the presser alone.

The Telegram fake refuses a press on a button that is no longer on the message, so a post that
lost its keyboard after the first press fails here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.render import render
from bot.clock import FakeClock
from bot.daily.post import daily_post
from bot.engine import DialogueEngine
from content.index import PackIndex
from storage import daily_posts
from storage.daily_posts import Counts
from storage.db import Database
from tests.daily_support import deliveries, make_service, subscribe
from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_server import FakeTelegram, PressRefused, parse_telegram_html, utf16_len
from tests.slack_support import Slack
from tests.telegram_support import chat_status, eventually, local_dns_only, running_adapter

GROUP = -100888
ALICE, BOB, CAROL = 701, 702, 703
POST_LIMIT = 500

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    local_dns_only(monkeypatch)


@pytest.fixture
async def tg_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def telegram(
    tg_fake: FakeTelegram, engine: DialogueEngine, db: Database
) -> AsyncIterator[TelegramAdapter]:
    async with running_adapter(tg_fake, engine, db) as adapter:
        yield adapter


def _data(message: dict[str, object], label: str) -> str:
    rows = message["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    return next(b["callback_data"] for row in rows for b in row if b["text"] == label)


async def _started(tg_fake: FakeTelegram, db: Database, *users: int) -> None:
    """`users` started the bot (Telegram's my_chat_member update): it may write to them.

    Telegram lets a bot write only to users who started it; the fake refuses the rest.
    """
    for user in users:
        tg_fake.push(tg_fake.member_update(user, user, "member"))
    for user in users:
        assert await eventually(lambda u=user: chat_status(db, u))  # type: ignore[misc]


async def _posted(tg_fake: FakeTelegram, telegram: TelegramAdapter, engine, db, clock):  # type: ignore[no-untyped-def]
    await _started(tg_fake, db, ALICE, BOB, CAROL)
    await subscribe(
        db, str(GROUP), platform="telegram", workspace=telegram.workspace, is_group=True
    )
    report = await make_service(engine, [telegram], clock).run_pass()
    assert report.sent == 1, report.summary()
    return tg_fake.last_message(GROUP, with_text="Term of the day")


async def test_telegram_group_post_keeps_its_buttons_for_everyone_after_presses(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    post = await _posted(tg_fake, telegram, engine, db, clock)
    key = (GROUP, post["message_id"])
    labels = ["Quiz me", "I knew it", "New to me", "More"]
    assert tg_fake.current_buttons(*key) == labels
    # "Quiz me" is the highlighted button.
    [[first, *_], *_] = post["reply_markup"]["inline_keyboard"]
    assert first["text"] == "Quiz me" and first.get("style") == "primary"

    tg_fake.push(tg_fake.callback_update(post, _data(post, "I knew it"), user_id=ALICE))
    await tg_fake.wait_for("sendMessage", where=lambda c: c.chat_id == ALICE)
    await tg_fake.wait_for("answerCallbackQuery")
    # Bob and Carol press the same post afterwards: the fake refuses presses on buttons that are
    # gone, so these only go through because the post kept its keyboard.
    tg_fake.push(tg_fake.callback_update(post, _data(post, "New to me"), user_id=BOB))
    await tg_fake.wait_for("sendMessage", where=lambda c: c.chat_id == BOB)
    tg_fake.push(tg_fake.callback_update(post, _data(post, "Quiz me"), user_id=CAROL))
    await tg_fake.wait_for(
        "sendMessage", where=lambda c: c.chat_id == CAROL and "Question 1 of" in c.params["text"]
    )
    await tg_fake.wait_for("answerCallbackQuery", 3)
    assert tg_fake.current_buttons(*key) == labels
    assert not tg_fake.calls_to("editMessageReplyMarkup")
    # Nobody's private answer went to the group.
    group_texts = tg_fake.sent_texts(GROUP)
    assert len(group_texts) == 1 and "Term of the day" in group_texts[0]


async def test_telegram_post_shows_counts_at_most_once_a_minute_never_a_name(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    post = await _posted(tg_fake, telegram, engine, db, clock)
    keyboard = post["reply_markup"]

    def edits() -> list[str]:
        return [
            c.params["text"]
            for c in tg_fake.calls_to("editMessageText")
            if c.params["message_id"] == post["message_id"] and c.chat_id == GROUP
        ]

    tg_fake.push(tg_fake.callback_update(post, _data(post, "I knew it"), user_id=ALICE))
    [first] = [c.params["text"] for c in await tg_fake.wait_for("editMessageText")]
    assert "1 knew it" in first and "new to them" not in first
    # The same keyboard: the counts change, the buttons stay.
    assert tg_fake.messages[(GROUP, post["message_id"])]["reply_markup"] == keyboard
    # Pop-up for the presser at once.
    [answer] = await tg_fake.wait_for("answerCallbackQuery")
    assert answer.params.get("text", "").startswith("👍")

    # Bob presses within the minute: counted, but not edited in yet.
    clock.advance(seconds=20)
    tg_fake.push(tg_fake.callback_update(post, _data(post, "New to me"), user_id=BOB))
    await tg_fake.wait_for("sendMessage", where=lambda c: c.chat_id == BOB)
    await tg_fake.wait_for("answerCallbackQuery", 2)
    # Alice again: no second count.
    tg_fake.push(tg_fake.callback_update(post, _data(post, "I knew it"), user_id=ALICE))
    await tg_fake.wait_for("answerCallbackQuery", 3)
    assert len(edits()) == 1
    # A pass before the minute is over edits nothing either.
    await make_service(engine, [telegram], clock, worker="replica-2").run_pass()
    assert len(edits()) == 1

    clock.advance(seconds=41)
    await make_service(engine, [telegram], clock, worker="replica-2").run_pass()
    assert await eventually(lambda: _count(edits, 2))
    latest = edits()[-1]
    assert "1 knew it · 1 new to them" in latest
    assert tg_fake.messages[(GROUP, post["message_id"])]["reply_markup"] == keyboard
    for name in ("User701", "User702"):
        assert name not in latest
    # Nothing changed since: the next pass does not edit again.
    clock.advance(minutes=5)
    await make_service(engine, [telegram], clock).run_pass()
    assert len(edits()) == 2


async def _count(edits, n: int) -> bool:  # type: ignore[no-untyped-def]
    return len(edits()) >= n


async def test_more_answers_the_presser_privately_and_leaves_the_post(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
    pack: PackIndex,
) -> None:
    post = await _posted(tg_fake, telegram, engine, db, clock)
    tg_fake.push(tg_fake.callback_update(post, _data(post, "More"), user_id=BOB))
    [more] = await tg_fake.wait_for("sendMessage", where=lambda c: c.chat_id == BOB)
    term_id = _data(post, "More").rsplit(":", 1)[1]
    term = pack.terms[term_id]
    text = parse_telegram_html(more.params["text"])
    assert term.term in text
    if term.related:
        assert "Related:" in text
    [answer] = await tg_fake.wait_for("answerCallbackQuery")
    assert "privately" in answer.params.get("text", "")
    assert not tg_fake.calls_to("editMessageText")
    assert tg_fake.sent_texts(GROUP) == [tg_fake.sent_texts(GROUP)[0]]
    # The post is as it was, buttons and all.
    assert tg_fake.current_buttons(GROUP, post["message_id"])[-1] == "More"


async def test_a_press_on_a_removed_button_is_refused_by_the_fake(tg_fake: FakeTelegram) -> None:
    # The fake's own strictness: a message whose keyboard was removed cannot be pressed.
    sent = tg_fake._m_sendMessage(
        {
            "chat_id": GROUP,
            "text": "hi",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        }
    )
    tg_fake.callback_update(sent, "a")
    tg_fake._m_editMessageReplyMarkup({"chat_id": GROUP, "message_id": sent["message_id"]})
    with pytest.raises(PressRefused):
        tg_fake.callback_update(sent, "a")
    with pytest.raises(PressRefused):
        tg_fake.callback_update({**sent, "message_id": 999}, "a")


def test_every_daily_post_fits_about_500_characters_on_telegram(pack: PackIndex) -> None:
    worst = Counts(knew=12345, new=6789)
    for term_id in pack.terms:
        for counts in (None, worst):
            [reply] = daily_post(pack, term_id, counts)
            [call] = render(reply)
            plain = parse_telegram_html(call["text"])
            assert utf16_len(plain) <= POST_LIMIT, (term_id, len(plain))
            assert plain.startswith("📅 Term of the day: ")
            assert pack.terms[term_id].term in plain.split("\n", 1)[0]
            assert "Example:" in plain or len(pack.terms[term_id].definition) > 300
            # Related and confusables wait behind "More".
            assert "Related:" not in plain and "Not to be confused" not in plain


async def test_the_minute_edit_is_taken_once_across_replicas(
    tg_fake: FakeTelegram,
    telegram: TelegramAdapter,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    await _posted(tg_fake, telegram, engine, db, clock)
    [entry] = [d for d in await deliveries(db) if d.status == "sent"]
    now, minute = clock.now(), timedelta(minutes=1)
    # Two replicas race for this minute's edit, each in its own transaction: one wins.
    async with db.session() as first:
        won = [await daily_posts.claim_edit(first, entry.id, now, minute)]
    async with db.session() as second:
        won.append(
            await daily_posts.claim_edit(second, entry.id, now + timedelta(seconds=30), minute)
        )
    assert won == [True, False]
    async with db.session() as third:
        assert await daily_posts.claim_edit(third, entry.id, now + timedelta(seconds=61), minute)


# -- Slack --------------------------------------------------------------------------------------


async def test_slack_channel_post_is_updated_with_counts_and_answers_are_ephemeral(
    slack: Slack,
    slack_fake: FakeSlackServer,
    engine: DialogueEngine,
    db: Database,
    clock: FakeClock,
) -> None:
    await subscribe(db, "C9", platform="slack", workspace="T1", is_group=True)
    assert (await make_service(engine, [slack.adapter], clock).run_pass()).sent == 1
    [post] = slack_fake.calls_to("chat.postMessage")
    ts = post.response["ts"] if post.response else ""
    [quiz_me, *_] = post.buttons()
    assert quiz_me["text"]["text"] == "Quiz me" and quiz_me.get("style") == "primary"

    slack_fake.reset()
    await slack.press(post, "I knew it", channel="C9", user="U7")
    await slack.settle()
    private = [c for c in slack_fake.messages_sent() if "review list" in c.all_text()]
    assert private and all(c.method in {"chat.postEphemeral", "response_url"} for c in private)
    [update] = slack_fake.calls_to("chat.update")
    assert update.params["ts"] == ts and "1 knew it" in update.all_text()
    assert [b["text"]["text"] for b in update.buttons()] == [
        "Quiz me",
        "I knew it",
        "New to me",
        "More",
    ]
    assert "U7" not in update.all_text()
    assert not slack_fake.calls_to("chat.postMessage")

    # "More" is ephemeral too, and never touches the post.
    slack_fake.reset()
    await slack.press(post, "More", channel="C9", user="U8")
    await slack.settle()
    shown = slack_fake.messages_sent()
    assert shown and all(c.method in {"chat.postEphemeral", "response_url"} for c in shown)
    assert not slack_fake.calls_to("chat.update", "chat.postMessage")
    assert re.search(r"more", shown[0].all_text())
