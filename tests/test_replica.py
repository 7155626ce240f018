"""Two real `termcoach run` processes on one PostgreSQL database behind a "load balancer" (this test).

Skips with the reason when no PostgreSQL server answers.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Learner, QuizAttempt, TermSeen
from tests.fakes import slack_payloads as payloads
from tests.fakes.slack_server import FakeSlackServer, SlackCall
from tests.fakes.telegram_server import FakeTelegram
from tests.pg import PgTestDatabase

ROOT = Path(__file__).resolve().parents[1]
SECRET = "replica-test-secret"
SLACK_SECRET = "replica-slack-signing-secret"
SLACK_TOKEN = "xoxb-T1-replica-token"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replica:
    """One `termcoach run` process and the port its HTTP server listens on."""

    process: subprocess.Popen[str]
    port: int
    log: Path
    metrics_port: int = 0

    @property
    def webhook(self) -> str:
        """Its Telegram webhook URL."""
        return f"http://127.0.0.1:{self.port}/telegram/webhook"


Cluster = tuple[FakeTelegram, FakeSlackServer, list["Replica"]]


@pytest.fixture
def pg_url(pg_database: PgTestDatabase | str) -> str:
    """The run's PostgreSQL database, emptied."""
    if isinstance(pg_database, str):
        pytest.skip(pg_database)
    asyncio.run(pg_database.truncate())
    return pg_database.url


async def start_replicas(
    fake: FakeTelegram, url: str, tmp: Path, count: int = 2, slack: FakeSlackServer | None = None
) -> list[Replica]:
    """Start `count` replicas and wait until each answers /readyz."""
    replicas = []
    for i in range(count):
        port = free_port()
        metrics_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TELEGRAM_"))}
        env.update(
            {
                "TERMCOACH_DATABASE_URL": url,
                "TERMCOACH_REPLICAS": str(count),
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TERMCOACH_HTTP_HOST": "127.0.0.1",
                "TERMCOACH_HTTP_PORT": str(port),
                "TERMCOACH_METRICS_PORT": str(metrics_port),
                "TERMCOACH_SCHEDULER_INTERVAL": "1",
                "TERMCOACH_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
            }
        )
        if slack is not None:
            env.update(
                {
                    "SLACK_BOT_TOKEN": SLACK_TOKEN,
                    "SLACK_SIGNING_SECRET": SLACK_SECRET,
                    "SLACK_API_URL": f"{slack.url}/api/",
                }
            )
        log = tmp / f"replica{i}.log"
        process = subprocess.Popen(  # noqa: ASYNC220  (long-lived children)
            [sys.executable, "-m", "termcoach.cli", "run"],
            env=env,
            cwd=tmp,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )
        replicas.append(Replica(process, port, log, metrics_port))
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient() as client:
        for replica in replicas:
            while True:
                if replica.process.poll() is not None:
                    raise AssertionError(f"replica exited:\n{replica.log.read_text()}")
                try:
                    response = await client.get(f"http://127.0.0.1:{replica.port}/readyz")
                    if response.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"replica not ready:\n{replica.log.read_text()}")
                await asyncio.sleep(0.2)
    return replicas


def stop_replicas(replicas: list[Replica]) -> None:
    """Terminate every replica (SIGTERM, then kill)."""
    for replica in replicas:
        replica.process.terminate()
    for replica in replicas:
        try:
            replica.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replica.process.kill()


@pytest.fixture
async def cluster(pg_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    """Fake Bot API and Slack Web API servers, and two replicas on one PostgreSQL database."""
    async with FakeTelegram() as fake, FakeSlackServer() as slack:
        slack.add_workspace("T1", SLACK_TOKEN)
        replicas = await start_replicas(fake, pg_url, tmp_path, slack=slack)
        try:
            yield fake, slack, replicas
        finally:
            stop_replicas(replicas)


async def post(client: httpx.AsyncClient, replica: Replica, update: dict[str, object]) -> int:
    """Deliver one update to one replica's webhook, as Telegram would."""
    response = await client.post(
        replica.webhook,
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=60,
    )
    return response.status_code


async def test_interleaved_messages_over_two_replicas_stay_consistent(
    cluster: Cluster,
    pg_url: str,
) -> None:
    fake, _, replicas = cluster
    users = list(range(1001, 1011))
    per_user = 20
    rng = random.Random(5)
    updates = {u: [fake.text_update("/term", chat_id=u) for _ in range(per_user)] for u in users}
    async with httpx.AsyncClient() as client:
        # Each user's messages arrive two at a time, one on each replica, so both replicas work
        # on the same conversation at once; all users run concurrently.
        async def user_flow(user: int) -> None:
            items = updates[user]
            for i in range(0, per_user, 2):
                pair = items[i : i + 2]
                statuses = await asyncio.gather(
                    post(client, replicas[0], pair[0]), post(client, replicas[1], pair[1])
                )
                assert statuses == [200, 200]

        await asyncio.gather(*(user_flow(u) for u in users))
        # Redeliveries: the same updates again, to the other replica this time.
        again = [rng.choice(updates[u]) for u in users for _ in range(2)]
        statuses = await asyncio.gather(*(post(client, replicas[1], up) for up in again))
        assert set(statuses) == {200}

    # The webhook answers once a turn committed; the outbox sends its reply right after.
    await fake.wait_for("sendMessage", len(users) * per_user, wait_s=60)
    for replica in replicas:
        await outbox_settled(replica)
    sent = Counter(call.chat_id for call in fake.calls_to("sendMessage"))
    assert sum(sent.values()) == len(users) * per_user, "duplicate or missing replies"
    for user in users:
        assert sent[user] == per_user
        texts = fake.sent_texts(user)
        titles = [text.split("\n", 1)[0] for text in texts]
        assert len(set(titles)) == per_user, f"user {user} saw a term twice: {titles}"

    db = Database(pg_url)
    try:
        async with db.session() as session:
            learners = await session.scalar(select(func.count()).select_from(Learner))
            seen = await session.scalar(select(func.count()).select_from(TermSeen))
    finally:
        await db.dispose()
    assert learners == len(users)
    assert seen == len(users) * per_user


async def test_ten_due_subscriptions_get_exactly_ten_posts(
    cluster: Cluster,
) -> None:

    fake, _, replicas = cluster
    chats = list(range(2001, 2011))
    # A post time one minute ago (UTC) is due now, on every replica's scheduler (1 s passes).
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    when = max(now - timedelta(minutes=1), midnight).strftime("%H:%M")
    async with httpx.AsyncClient() as client:
        for i, chat in enumerate(chats):
            update = fake.text_update(f"/daily on {when} UTC every day", chat_id=chat)
            assert await post(client, replicas[i % 2], update) == 200

    def posts() -> list[str]:
        return [t for c in chats for t in fake.sent_texts(c) if "Term of the day" in t]

    deadline = time.monotonic() + 60
    while len(posts()) < len(chats) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.25)
    # Three more scheduler passes on each replica after the last post: none may post again.
    async with httpx.AsyncClient() as client:
        after = [await daily_passes(client, r) for r in replicas]
        while True:
            now = [await daily_passes(client, r) for r in replicas]
            if all(n >= before + 3 for n, before in zip(now, after, strict=True)):
                break
            if time.monotonic() > deadline:
                raise AssertionError("the replicas stopped running daily passes")
            await asyncio.sleep(0.25)
    per_chat = Counter(c for c in chats for t in fake.sent_texts(c) if "Term of the day" in t)
    assert per_chat == dict.fromkeys(chats, 1), per_chat


async def outbox_settled(replica: Replica, seconds: float = 30) -> None:
    """Wait until the replica has sent every reply it stored (its metrics: nothing pending)."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            text = (await client.get(f"http://127.0.0.1:{replica.metrics_port}/metrics")).text
            pending = [x for x in text.splitlines() if x.startswith("termcoach_outbox_pending ")]
            if pending and float(pending[0].split()[1]) == 0:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not settle")


async def daily_passes(client: httpx.AsyncClient, replica: Replica) -> float:
    """How many daily passes the replica has run (its /metrics, on a port of its own)."""
    text = (await client.get(f"http://127.0.0.1:{replica.metrics_port}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("termcoach_daily_passes_total{")
    )


async def slack_dm(
    client: httpx.AsyncClient, replica: Replica, user: str, text: str, event_id: str, retry: int = 0
) -> int:
    """A signed message.im event to one replica, as Slack sends it (optionally as a retry)."""
    event = payloads.dm_event(text, user=user, ts=f"{time.time():.6f}")
    body = payloads.event_body(event, team="T1", event_id=event_id)
    headers = payloads.signed_headers(
        body, SLACK_SECRET, content_type=payloads.JSON, retry=retry or None
    )
    url = f"http://127.0.0.1:{replica.port}/slack/events"
    response = await client.post(url, content=body, headers=headers, timeout=30)
    return response.status_code


async def test_slack_messages_over_two_replicas_get_exactly_one_reply_each(
    cluster: Cluster,
) -> None:
    _, slack, replicas = cluster
    users = [f"U{n}" for n in range(1, 6)]
    per_user = 10
    async with httpx.AsyncClient() as client:

        async def user_flow(user: str) -> None:
            for i in range(0, per_user, 2):
                statuses = await asyncio.gather(
                    slack_dm(client, replicas[0], user, "term", f"Ev{user}-{i}"),
                    slack_dm(client, replicas[1], user, "term", f"Ev{user}-{i + 1}"),
                )
                assert statuses == [200, 200]

        await asyncio.gather(*(user_flow(u) for u in users))
        # Slack retries some events on the other replica: they must not be answered again.
        retries = [slack_dm(client, replicas[1], u, "term", f"Ev{u}-0", retry=1) for u in users]
        assert set(await asyncio.gather(*retries)) == {200}
        # Then one more message each on that replica. Its turn waits for the retry's turn (one
        # conversation's turns run in order of arrival), so once its reply is there, a duplicate
        # would be there too: no need to sleep and hope.
        markers = [slack_dm(client, replicas[1], u, "help", f"Ev{u}-marker") for u in users]
        assert set(await asyncio.gather(*markers)) == {200}

    def answered(call: SlackCall) -> bool:
        return str(call.channel).startswith("DU")

    def is_marker(call: SlackCall) -> bool:
        return "I help you learn" in call.text

    def dm_posts() -> list[SlackCall]:
        return [c for c in slack.calls_to("chat.postMessage") if answered(c) and not is_marker(c)]

    def all_back() -> bool:
        markers = [c for c in slack.calls_to("chat.postMessage") if is_marker(c)]
        return len(markers) >= len(users) and len(dm_posts()) >= len(users) * per_user

    await slack.wait_until(all_back, seconds=60, what="every reply and every marker's reply")
    per_channel = Counter(c.channel for c in dm_posts())
    assert per_channel == {f"D{u}": per_user for u in users}, per_channel
    for user in users:
        texts = [str(c.params.get("text", "")) for c in dm_posts() if c.channel == f"D{user}"]
        assert len({t.split("\n", 1)[0] for t in texts}) == per_user, f"{user} saw a term twice"


async def scored_answers(url: str) -> list[bool]:
    """Whether each recorded quiz answer was right, oldest first."""
    db = Database(url)
    try:
        async with db.session() as session:
            rows = await session.scalars(select(QuizAttempt.correct).order_by(QuizAttempt.id))
            return [bool(correct) for correct in rows]
    finally:
        await db.dispose()


async def test_a_quiz_poll_vote_at_the_other_replica_is_scored(
    cluster: Cluster,
    pg_url: str,
) -> None:
    fake, _, (sender, other) = cluster
    learner = 3001
    async with httpx.AsyncClient() as client:
        # Replica A asks; questions that fit a quiz poll come as polls, the rest as buttons,
        # answered (at A) until a poll comes. Each webhook call answers once it was handled.
        assert await post(client, sender, fake.text_update("/quiz poll", chat_id=learner)) == 200
        for number in range(1, 6):
            deadline = time.monotonic() + 30
            while not (
                fake.calls_to("sendPoll")
                or any(f"Question {number} of" in t for t in fake.sent_texts(learner))
            ):
                assert time.monotonic() < deadline, f"question {number} never came"
                await asyncio.sleep(0.05)
            if fake.calls_to("sendPoll"):
                break
            question = fake.last_message(learner, with_text=f"Question {number} of")
            data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            assert await post(client, sender, fake.callback_update(question, data)) == 200
        [poll_call] = fake.calls_to("sendPoll")
        assert poll_call.chat_id == learner
        [poll_id] = fake.polls
        [correct] = poll_call.params["correct_option_ids"]
        before = await scored_answers(pg_url)

        # The vote carries only the poll id, and reaches replica B, which never saw the poll.
        asked = len(fake.calls_to("sendMessage", "sendPoll"))
        vote = fake.poll_answer_update(poll_id, learner, [correct])
        assert await post(client, other, vote) == 200

    assert await scored_answers(pg_url) == [*before, True]
    # Replica B goes on with the next question, with no "Correct!" message: the poll showed it.
    deadline = time.monotonic() + 30
    while len(fake.calls_to("sendMessage", "sendPoll")) <= asked:
        assert time.monotonic() < deadline, "the next question never came"
        await asyncio.sleep(0.05)
    assert not [t for t in fake.sent_texts(learner) if "Correct!" in t]
