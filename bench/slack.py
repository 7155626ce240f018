"""Slack acknowledgement latency: termcoach's HTTP endpoint beside a bare slack-bolt app.

Sends signed slash commands (``/termcoach term``, ``/termcoach quiz``) and button presses on the
questions termcoach posted, over real HTTP to termcoach's server (``termcoach.http.build_app`` under
uvicorn, the real engine on SQLite, the Web API faked by ``tests.fakes.slack_server``), and times
each request until its HTTP response: that response is Slack's acknowledgement. The same request
bodies then go to a bare slack-bolt ``AsyncApp`` with default settings whose listeners only
``ack()``, served the same way in the same process.

The engine's work is not waited for between requests (it runs after each ack, as in production),
so termcoach's acks are measured while earlier turns still use the event loop. A slow-reply
phase starts role-plays against a fake LLM that takes ``--slow`` seconds per answer and measures
the acks of the learner's messages while those turns are in flight.

The last line is one JSON object: ``ack_p50_ms``, ``ack_p99_ms``, ``bare_bolt_p50_ms`` and more.
Targets: ack p50 at most 5 ms, p99 at most 50 ms, a slow reply never delays an ack past 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import re
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.slack import SlackAdapter
from bot.features import build_engine
from content.loader import load_default_pack
from storage.db import Database
from termcoach.http import build_app
from termcoach.runtime import llm_client
from termcoach.settings import Settings
from tests.fakes import slack_payloads as payloads
from tests.fakes.llm_server import FakeLLM
from tests.fakes.slack_server import FakeSlackServer, SlackCall

SECRET = "bench-signing-secret"
TOKEN = "xoxb-T1-bench-token"
TEAM = "T1"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def signed(body: str) -> dict[str, str]:
    """Slack's signature headers for `body`, computed as Slack computes them."""
    return payloads.signed_headers(body, SECRET)


def slash_body(text: str, channel: str, user: str, key: str, fake: FakeSlackServer) -> str:
    """A ``/termcoach`` slash command as Slack posts it (form encoded)."""
    return payloads.slash_command(
        text,
        team=TEAM,
        channel=channel,
        user=user,
        response_url=fake.response_url(key),
        trigger_id=f"trigger-{key}",
    )


def press_body(call: SlackCall, channel: str, user: str, key: str, fake: FakeSlackServer) -> str:
    """A press of the first button of an ephemeral question, as Slack posts it."""
    return payloads.press(
        call,
        0,
        team=TEAM,
        channel=channel,
        user=user,
        response_url=fake.response_url(key),
        trigger_id=f"trigger-{key}",
        message_ts="1700000000.000100",
        action_ts="1700000000.000200",
    )


def dm_body(text: str, user: str, event_id: str) -> str:
    """A ``message.im`` event as Slack posts it (JSON)."""
    event = payloads.dm_event(text, user=user, ts=f"{time.time():.6f}")
    return payloads.event_body(event, team=TEAM, event_id=event_id)


FORM = payloads.FORM


async def timed_post(http: httpx.AsyncClient, url: str, body: str, ctype: str) -> float:
    """Milliseconds from sending a signed request to receiving its whole response."""
    headers = {"Content-Type": ctype, **signed(body)}
    start = time.perf_counter()
    response = await http.post(url, content=body, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return elapsed


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):  # uvicorn has no "started" event to await
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def bare_bolt(fake: FakeSlackServer) -> Starlette:
    """A bare slack-bolt app with default settings that only acknowledges."""
    app = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token=TOKEN, base_url=fake.api_url),
    )

    @app.command("/termcoach")
    async def command(ack: Any) -> None:
        await ack()

    @app.action(re.compile(".*"))
    async def action(ack: Any) -> None:
        await ack()

    @app.event("message")
    async def message(ack: Any) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def endpoint(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])


async def wait_question(
    fake: FakeSlackServer, key: str, channel: str, seconds: float = 30
) -> SlackCall:
    """The question termcoach sent for the command answered at `key`, in the DM `channel`.

    A quiz runs in the learner's DM: its question is posted there (or, where Slack only lets
    the app answer the command, sent to the command's response URL).
    """

    def question() -> SlackCall | None:
        for call in fake.calls_to("response_url", "chat.postMessage"):
            at_url = call.method == "response_url" and call.path.endswith(f"/{key}")
            if (at_url or call.channel == channel) and call.buttons():
                return call
        return None

    await fake.wait_until(
        lambda: question() is not None, seconds=seconds, what=f"a question at {key}"
    )
    found = question()
    assert found is not None
    return found


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The whole benchmark; returns the figures."""
    logging.basicConfig(level=logging.WARNING)
    tmp = tempfile.TemporaryDirectory()
    db = Database(f"sqlite+aiosqlite:///{tmp.name}/bench.db")
    await db.upgrade()
    async with FakeSlackServer() as fake, FakeLLM(mode="slow", delay_s=args.slow) as llm:
        fake.add_workspace(TEAM, TOKEN)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            llm_base_url=llm.base_url,
            llm_model="bench-persona",
            llm_api_key=SecretStr("bench-key"),
            llm_timeout_s=args.slow + 10,
        )
        engine = build_engine(
            db=db,
            pack=load_default_pack(),
            rng=random.Random(6),
            config=settings.engine_config,
            llm=llm_client(settings),
        )
        adapter = SlackAdapter(
            engine, db, signing_secret=SECRET, bot_token=TOKEN, api_url=fake.api_url
        )
        await adapter.start()
        limits = httpx.Limits(max_keepalive_connections=4)
        async with (
            serve(build_app([adapter], db)) as termcoach_url,
            serve(bare_bolt(fake)) as bare_url,
            httpx.AsyncClient(limits=limits, timeout=30) as http,
        ):
            tc = f"{termcoach_url}/slack/events"
            bare = f"{bare_url}/slack/events"
            requests: list[tuple[str, str, str]] = []  # (kind, body, content type)
            acks: dict[str, list[float]] = {"term": [], "quiz": [], "button": []}

            # Warm up both servers (connections, bolt's first auth.test, SQLite pages).
            for i in range(5):
                body = slash_body("help", f"CW{i}", f"UW{i}", f"w{i}", fake)
                await timed_post(http, tc, body, FORM)
                await timed_post(http, bare, body, FORM)
            await adapter.drain(30)

            for i in range(args.users):
                channel, user = f"C{i:04d}", f"U{i:04d}"
                term = slash_body("term", channel, user, f"t{i}", fake)
                acks["term"].append(await timed_post(http, tc, term, FORM))
                # A quiz runs in the learner's DM (asked in a channel, it moves there).
                dm = f"D{i:04d}"
                quiz = slash_body("quiz", dm, user, f"q{i}", fake)
                acks["quiz"].append(await timed_post(http, tc, quiz, FORM))
                question = await wait_question(fake, f"q{i}", dm)
                press = press_body(question, dm, user, f"p{i}", fake)
                acks["button"].append(await timed_post(http, tc, press, FORM))
                requests += [("term", term, FORM), ("quiz", quiz, FORM), ("button", press, FORM)]
            await adapter.drain(60)

            # A slow reply: role-plays whose every learner turn waits `--slow` s for the LLM.
            slow_acks: list[float] = []
            other_acks: list[float] = []
            for i in range(args.slow_users):
                user = f"US{i:03d}"
                start = slash_body("roleplay random", "D" + user, user, f"rp{i}", fake)
                await timed_post(http, tc, start, FORM)
            await adapter.drain(60)
            llm_before = len(llm.requests)
            for i in range(args.slow_users):
                user = f"US{i:03d}"
                turn = dm_body(
                    "I think we should roll back to the previous model.", user, f"EvS{i}"
                )
                slow_acks.append(await timed_post(http, tc, turn, "application/json"))
            # While those turns wait for the LLM, other learners keep getting acks (and replies).
            other_sent: dict[str, float] = {}
            for i in range(args.slow_users):
                body = slash_body("term", f"CO{i}", f"UO{i}", f"o{i}", fake)
                other_acks.append(await timed_post(http, tc, body, FORM))
                other_sent[f"/o{i}"] = time.monotonic()
            in_flight = adapter.turns.pending
            slow_started = time.perf_counter()
            await adapter.drain(args.slow + 60)
            slow_turn_s = time.perf_counter() - slow_started
            llm_calls = len(llm.requests) - llm_before
            other_reply_ms = [
                (call.at - other_sent[key]) * 1000
                for call in fake.calls_to("response_url")
                for key in other_sent
                if call.path.endswith(key)
            ]

            # The bare bolt app answers the same requests.
            bare_acks: list[float] = [
                await timed_post(http, bare, body, ctype) for _, body, ctype in requests
            ]
        await adapter.stop()
    await db.dispose()
    tmp.cleanup()

    all_acks = [a for values in acks.values() for a in values]
    return {
        "requests": len(all_acks),
        "ack_p50_ms": round(percentile(all_acks, 50), 2),
        "ack_p99_ms": round(percentile(all_acks, 99), 2),
        "ack_max_ms": round(max(all_acks), 2),
        "bare_bolt_p50_ms": round(percentile(bare_acks, 50), 2),
        "bare_bolt_p99_ms": round(percentile(bare_acks, 99), 2),
        "term_p50_ms": round(percentile(acks["term"], 50), 2),
        "quiz_p50_ms": round(percentile(acks["quiz"], 50), 2),
        "button_p50_ms": round(percentile(acks["button"], 50), 2),
        "slow_reply_s": args.slow,
        "slow_turns": len(slow_acks),
        "slow_turns_in_flight": in_flight,
        "slow_llm_calls": llm_calls,
        "slow_turns_done_after_s": round(slow_turn_s, 2),
        "slow_reply_ack_max_ms": round(max(slow_acks + other_acks), 2),
        # How long other learners waited for their reply while the slow turns were in flight.
        "others_reply_p50_ms": round(percentile(other_reply_ms, 50), 1),
        "others_reply_max_ms": round(max(other_reply_ms), 1),
    }


def main() -> None:
    """Parse arguments, run, print a table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300, help="learners (3 requests each)")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds the fake LLM takes")
    parser.add_argument("--slow-users", type=int, default=20, help="concurrent slow role-plays")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    figures["targets_met"] = (
        figures["ack_p50_ms"] <= 5
        and figures["ack_p99_ms"] <= 50
        and figures["slow_reply_ack_max_ms"] < 1000
    )
    print(f"requests through termcoach    {figures['requests']}")
    print(
        f"termcoach ack p50 / p99 / max {figures['ack_p50_ms']} / {figures['ack_p99_ms']} / "
        f"{figures['ack_max_ms']} ms  (term {figures['term_p50_ms']}, quiz "
        f"{figures['quiz_p50_ms']}, button {figures['button_p50_ms']} ms p50)"
    )
    print(
        f"bare slack-bolt p50 / p99     {figures['bare_bolt_p50_ms']} / "
        f"{figures['bare_bolt_p99_ms']} ms  (default settings: acks polled every 10 ms)"
    )
    print(
        f"slow replies ({figures['slow_reply_s']} s LLM, {figures['slow_turns']} turns, "
        f"{figures['slow_llm_calls']} LLM calls): worst ack {figures['slow_reply_ack_max_ms']} ms, "
        f"turns done {figures['slow_turns_done_after_s']} s after the acks"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
