"""The daily term to N Telegram subscribers through the real adapter, against a fake Bot API that
answers 429 above 30 messages per second; then the same with the sender killed halfway.

The sender is a separate process running exactly what ``termcoach daily run-due`` runs
(`termcoach.cli_daily.run_due_once`: the real TelegramAdapter from settings, the delivery log
on SQLite, the pacer at `--limit` messages per second). This process runs the fake server and
counts what it received: messages per second, 429s, and per chat how many posts arrived (0 is
lost, more than 1 is duplicated). In the second run the sender gets SIGKILL once half of the posts
arrived and is started again; the restarted sender's clock starts after the dead one's leases.

    .venv/bin/python bench/broadcast.py --subscribers 10000     # about 14 minutes at 25/s

The last line is one JSON object: subscribers, msgs_per_s, limit_per_s, received_429, lost,
duplicated, lost_after_kill, duplicated_after_kill.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
HERE = SCRIPT.parent
# Run as a script: the project root, not this folder, comes first on sys.path (no bench module
# can shadow a package).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import logging

from sqlalchemy import insert

from adapters.telegram import PACING
from bot.daily.service import Policy
from bot.pacing import Rate
from storage.db import Database
from storage.models import Subscription
from termcoach.cli_daily import run_due_once
from termcoach.settings import Settings
from tests.fakes.telegram_server import FakeTelegram

# The simulated morning: every subscriber posts at 09:00 UTC, and the sender's clock starts just
# after it (the clock then runs in real time).
MORNING = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIRST_CHAT = 10_000_000
LEASE = Policy().lease


class RunningClock:
    """A clock that starts at a given instant and runs at real speed (the sender's clock)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        """Start plus the real time elapsed since construction."""
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


async def child(args: argparse.Namespace) -> None:
    """The sender: one ``run-due`` pass with the real Telegram adapter."""

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=args.db,
        telegram_bot_token=args.token,
        telegram_api_base_url=args.api,
        slack_bot_token=None,
        slack_client_id=None,
        slack_app_token=None,
        llm_base_url=None,
    )
    rules = {"telegram": dataclasses.replace(PACING, sender=Rate(args.limit, 1.0, burst=2))}
    clock = RunningClock(datetime.fromisoformat(args.start))
    report = await run_due_once(settings, clock=clock, rules=rules)
    print(json.dumps({"summary": report.summary() if report else "no adapter"}), flush=True)


async def seed(url: str, n: int, workspace: str) -> None:
    """A migrated database with `n` Telegram DM subscriptions due at 09:00 UTC."""
    db = Database(url)
    try:
        await db.upgrade()
        rows = [
            {
                "platform": "telegram",
                "workspace": workspace,
                "chat": str(FIRST_CHAT + i),
                "thread_key": "",
                "is_group": False,
                "local_time": "09:00",
                "timezone": "UTC",
                "weekdays_only": False,
                "active": True,
                "order_seed": i,
                "created_by": "bench",
                "created_at": MORNING - timedelta(days=1),
                "updated_at": MORNING - timedelta(days=1),
            }
            for i in range(n)
        ]
        async with db.session() as session:
            for start in range(0, n, 2000):
                await session.execute(insert(Subscription), rows[start : start + 2000])
    finally:
        await db.dispose()


async def spawn(
    args: argparse.Namespace, url: str, fake: FakeTelegram, start: datetime, log: Path
) -> Any:
    """Start a sender process; its output goes to `log`."""
    out = log.open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--child",
        "--db",
        url,
        "--api",
        fake.base_url,
        "--token",
        fake.token,
        "--start",
        start.isoformat(),
        "--limit",
        str(args.limit),
        stdout=out,
        stderr=out,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def delivered(fake: FakeTelegram) -> list[Any]:
    """Successful sendMessage calls, in arrival order."""
    return [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]


def tally(fake: FakeTelegram, n: int) -> dict[str, Any]:
    """What the fake received: rate, 429s, lost and duplicated posts."""
    ok = delivered(fake)
    per_chat = Counter(c.chat_id for c in ok)
    expected = {FIRST_CHAT + i for i in range(n)}
    lost = len(expected - set(per_chat))
    duplicated = sum(count - 1 for chat, count in per_chat.items() if count > 1)
    span = ok[-1].at - ok[0].at if len(ok) > 1 else 0.0
    return {
        "messages": len(ok),
        "msgs_per_s": round((len(ok) - 1) / span, 2) if span > 0 else 0.0,
        "received_429": sum(1 for c in fake.calls if c.status == 429),
        "lost": lost,
        "duplicated": duplicated,
        "max_in_1s": max_in_window(ok),
    }


def max_in_window(calls: list[Any]) -> int:
    """The most messages the fake saw within any one second."""
    best, lo = 0, 0
    for hi in range(len(calls)):
        while calls[hi].at - calls[lo].at >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def scenario(args: argparse.Namespace, kill: bool, workdir: Path) -> dict[str, Any]:
    """One broadcast to fresh subscribers; with `kill`, SIGKILL the sender halfway and restart it."""
    name = "kill" if kill else "clean"
    url = f"sqlite+aiosqlite:///{workdir / f'{name}.db'}"
    log = workdir / f"{name}.log"
    async with FakeTelegram(rate_limit_per_s=args.fake_limit) as fake:
        await seed(url, args.subscribers, str(fake.bot_id))
        started = time.monotonic()
        first_start = MORNING + timedelta(seconds=5)
        proc = await spawn(args, url, fake, first_start, log)
        extra: dict[str, Any] = {}
        if kill:
            half = args.subscribers // 2
            counted, scanned = 0, 0
            # Polling (not an event) because the fake records calls as plain list appends; only
            # the new calls are scanned each time, so the check stays cheap beside the sender.
            while counted < half and proc.returncode is None:
                new = fake.calls[scanned:]
                scanned += len(new)
                counted += sum(1 for c in new if c.method == "sendMessage" and c.status == 200)
                await asyncio.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            extra["killed_after"] = len(delivered(fake))
            elapsed = time.monotonic() - started
            # The restarted sender's clock starts after every lease the dead one took.
            restart = first_start + timedelta(seconds=elapsed) + LEASE + timedelta(seconds=5)
            proc = await spawn(args, url, fake, restart, log)
        await proc.wait()
        if proc.returncode != 0:
            raise SystemExit(f"the sender failed (exit {proc.returncode}); see {log}")
        result = tally(fake, args.subscribers)
        result.update(extra)
        result["seconds"] = round(time.monotonic() - started, 1)
        return result


async def main(args: argparse.Namespace) -> None:
    """Both runs, a readable report, and the JSON line."""
    with tempfile.TemporaryDirectory(prefix="termcoach-broadcast-") as tmp:
        workdir = Path(tmp)
        print(
            f"broadcast to {args.subscribers} Telegram subscribers, pacer at {args.limit}/s, "
            f"fake Bot API answers 429 above {args.fake_limit}/s",
            flush=True,
        )
        clean = await scenario(args, kill=False, workdir=workdir)
        print(
            f"clean run:  {clean['messages']} messages in {clean['seconds']} s, "
            f"{clean['msgs_per_s']} msg/s ({100 * clean['msgs_per_s'] / args.limit:.1f}% of "
            f"{args.limit}/s), at most {clean['max_in_1s']} in any second, "
            f"{clean['received_429']} x 429, lost {clean['lost']}, duplicated {clean['duplicated']}",
            flush=True,
        )
        if args.no_kill:
            killed: dict[str, Any] = {"lost": None, "duplicated": None}
        else:
            killed = await scenario(args, kill=True, workdir=workdir)
            print(
                f"kill run:   SIGKILL after {killed['killed_after']} delivered, restarted; "
                f"{killed['messages']} messages, {killed['msgs_per_s']} msg/s overall, "
                f"{killed['received_429']} x 429, lost {killed['lost']}, "
                f"duplicated {killed['duplicated']}",
                flush=True,
            )
    summary = {
        "subscribers": args.subscribers,
        "msgs_per_s": clean["msgs_per_s"],
        "limit_per_s": args.limit,
        "received_429": clean["received_429"],
        "lost": clean["lost"],
        "duplicated": clean["duplicated"],
        "lost_after_kill": killed["lost"],
        "duplicated_after_kill": killed["duplicated"],
    }
    print(json.dumps(summary), flush=True)


def parse() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=25.0, help="pacer rate, messages/s")
    parser.add_argument("--fake-limit", type=float, default=30.0, help="429 above this rate")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill-and-restart run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    options = parse()
    asyncio.run(child(options) if options.child else main(options))
