"""Faults against the real process: replies lost or shown twice, /healthz under load, recovery.

Runs `termcoach run` (SQLite, Telegram webhook, Slack HTTP) against the fake Bot API and Slack
Web API on 127.0.0.1 (tests/fault_support.py) and, in one run:

- measures /healthz at rest (the baseline) and while four 8,000-character and four 1,900-
  character role-play turns run, plus four concurrent 100 MB posts (peak RSS);
- sends replies through a Bot API that answers 500 ten times, 429 five times, hangs for 30 s,
  and through a kill -9 after the commit and before the send; counts replies per chat (0 is
  lost, 2 is a duplicate) and the seconds from each fault to its reply;
- optionally (--pg) hangs PostgreSQL behind a TCP proxy and times /readyz's 503 and recovery.

    .venv/bin/python bench/faults.py [--pg]

The last line is one JSON object: replies_expected, replies_lost, duplicates,
healthz_ms (max and p99 at rest and under load), peak_rss_mb, recover_s per fault.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
HERE = SCRIPT.parent
# Run as a script: the project root, not this folder, comes first on sys.path (no bench module
# can shadow a package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import httpx

from tests.fakes.slack_server import FakeSlackServer
from tests.fakes.telegram_methods import Failure
from tests.fakes.telegram_server import FakeTelegram
from tests.fault_support import (
    SLACK_TOKEN,
    Proc,
    big_post,
    post_update,
    proxy_to,
    readyz,
    start,
    until,
    wait_ready,
)

MB = 1024 * 1024


async def healthz_ms(client: httpx.AsyncClient, proc: Proc, count: int) -> list[float]:
    """`count` /healthz round trips, 10 ms apart, in milliseconds."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(proc.url("/healthz"))
        assert response.status_code == 200
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)
    return times


def summary(times: list[float]) -> dict[str, float]:
    """Max and p99 of latencies in ms."""
    return {
        "max": round(max(times), 1),
        "p99": round(statistics.quantiles(times, n=100)[98], 1),
    }


async def load(client: httpx.AsyncClient, proc: Proc, telegram: FakeTelegram) -> dict[str, Any]:
    """/healthz at rest and under role-play turns and big posts; peak RSS."""
    rest = await healthz_ms(client, proc, 150)
    chats = [31, 32, 33, 34]
    for chat in chats:
        update = telegram.text_update("/roleplay skew-onboarding-ds", chat_id=chat)
        await post_update(client, proc, update)
    await until(lambda: all(telegram.sent_texts(c) for c in chats), 30, "role-plays")
    long_text = ("The training data and the serving data differ because " * 150)[:8000]
    turns = [
        post_update(client, proc, telegram.text_update(text, chat_id=chat))
        for chat in chats
        for text in (long_text, long_text[:1900])
    ]
    posts = [
        big_post(proc.port, path, 100 * MB, chunked=chunked)
        for path in ("/slack/events", "/telegram/webhook")
        for chunked in (True, False)
    ]
    busy, *_ = await asyncio.gather(healthz_ms(client, proc, 150), *turns, *posts)
    return {
        "healthz_ms": {"rest": summary(rest), "load": summary(busy)},
        "peak_rss_mb": round(proc.peak_rss_mb()),
    }


async def outbox(
    client: httpx.AsyncClient, proc: Proc, telegram: FakeTelegram
) -> tuple[Counter[int], dict[str, float]]:
    """Replies through 500s, 429s, a hang and a kill -9; expected counts and recovery times."""
    expected: Counter[int] = Counter()
    recover: dict[str, float] = {}
    faults = {
        "platform_500x10": (21, Failure.server_error(), 10),
        "platform_429x5": (22, Failure.retry_after(1), 5),
        "platform_hang_30s": (23, Failure.hang(30), 1),
    }

    async def fault(name: str, chat: int, failure: Failure, times: int) -> None:
        telegram.fail("sendMessage", failure, chat_id=chat, times=times)
        started = time.monotonic()
        await post_update(client, proc, telegram.text_update("/help", chat_id=chat))
        expected[chat] += 1
        await until(lambda: len(telegram.sent_texts(chat)) >= 1, 120, name)
        recover[name] = round(time.monotonic() - started, 2)

    await asyncio.gather(*(fault(name, *args) for name, args in faults.items()))

    telegram.fail("sendMessage", Failure.hang(30), chat_id=25, times=None)
    update = telegram.text_update("/help", chat_id=25)
    await post_update(client, proc, update)
    expected[25] += 1
    await until(lambda: any(c.chat_id == 25 and c.status == 0 for c in telegram.calls), 20, "hang")
    proc.kill9()
    telegram.clear_failures()
    killed = time.monotonic()
    proc.launch()
    await wait_ready(proc)
    await post_update(client, proc, update)  # Telegram's redelivery
    await until(lambda: len(telegram.sent_texts(25)) >= 1, 60, "the reply after kill -9")
    recover["kill9_after_commit"] = round(time.monotonic() - killed, 2)
    await asyncio.sleep(2 * 2 + 1)  # two leases: a duplicate would have been sent by now
    return expected, recover


async def hung_postgres(tmp: Path, telegram: FakeTelegram) -> dict[str, float]:
    """PostgreSQL behind a proxy that stops answering: seconds to a 503, then to ready again."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415  (only with --pg)

    from tests.pg import PgTestDatabase, unavailable_reason  # noqa: PLC0415

    if await asyncio.to_thread(unavailable_reason):
        return {}
    database = PgTestDatabase()
    await database.create()
    try:
        async with proxy_to(make_url(database.url).port or 5432) as proxy:
            url = make_url(database.url).set(port=proxy.port).render_as_string(hide_password=False)
            proc = await start(tmp, url, name="pg", telegram=telegram)
            try:
                proxy.pause()
                paused = time.monotonic()
                await until(lambda: _not_ready(proc), 30, "a 503")
                shown = time.monotonic() - paused
                proxy.resume()
                resumed = time.monotonic()
                await wait_ready(proc)
                return {
                    "db_hang_shown": round(shown, 2),
                    "db_hang": round(time.monotonic() - resumed, 2),
                }
            finally:
                proc.stop()
    finally:
        await database.drop()


async def _not_ready(proc: Proc) -> bool:
    return (await readyz(proc))[0] == 503


async def main(options: argparse.Namespace) -> None:
    """Run every scenario and print one JSON line."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with FakeTelegram() as telegram, FakeSlackServer() as slack:
            slack.add_workspace("T1", SLACK_TOKEN)
            proc = await start(
                tmp, f"sqlite+aiosqlite:///{tmp / 'bench.db'}", telegram=telegram, slack=slack
            )
            try:
                async with httpx.AsyncClient(timeout=60) as client:
                    measured = await load(client, proc, telegram)
                    expected, recover = await outbox(client, proc, telegram)
            finally:
                proc.stop()
            if options.pg:
                recover.update(await hung_postgres(tmp, telegram))
    got = Counter({chat: len(telegram.sent_texts(chat)) for chat in expected})
    lost = sum(max(0, expected[c] - got[c]) for c in expected)
    duplicates = sum(max(0, got[c] - expected[c]) for c in expected)
    result = {
        "replies_expected": sum(expected.values()),
        "replies_lost": lost,
        "duplicates": duplicates,
        **measured,
        "recover_s": recover,
    }
    print(json.dumps(result))


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help="also hang PostgreSQL behind a proxy")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
