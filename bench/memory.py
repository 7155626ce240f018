"""Peak memory of `termcoach run` on a large database.

Fills a database with 100,000 learners, a million review cards and a million review log rows, starts
a real `termcoach run` (Telegram webhook mode against the fake Bot API), drives a few hundred turns
from many different learners, and reads the process's peak RSS (VmHWM). The last line is one JSON
object with learners, reviews and rss_mb (target: rss_mb <= 200).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content.loader import load_default_pack
from storage.db import Database
from tests.fakes.telegram_server import FakeTelegram


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fill(path: Path, learners: int, reviews: int, workspace: str) -> None:
    """Bulk-insert learners, review cards and review logs straight through sqlite3."""
    terms = [t.id for t in load_default_pack().terms]
    rng = random.Random(1)
    now = datetime.now(UTC)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.executemany(
        "INSERT INTO learners (id, platform, workspace, user_id, display_name, timezone, "
        "new_per_day, quiz_mode, settings, created_at) VALUES (?, 'telegram', ?, ?, ?, 'UTC', 5, "
        "'buttons', '{}', ?)",
        ((i, workspace, str(i), f"User{i}", now.isoformat(" ")) for i in range(1, learners + 1)),
    )
    per = max(1, reviews // learners)

    def cards():  # type: ignore[no-untyped-def]
        for i in range(1, learners + 1):
            for term in rng.sample(terms, min(per, len(terms))):
                due = (now + timedelta(days=rng.randint(-5, 30))).replace(tzinfo=None)
                yield (i, term, 2, 0, rng.uniform(1, 50), rng.uniform(1, 9), due.isoformat(" "))

    conn.executemany(
        "INSERT INTO review_cards (learner_id, term_id, state, step, stability, difficulty, due, "
        "reps, lapses, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, ?)",
        ((*row, now.isoformat(" ")) for row in cards()),
    )

    def logs():  # type: ignore[no-untyped-def]
        for n in range(reviews):
            when = (now - timedelta(minutes=n % 40_000)).replace(tzinfo=None)
            yield (1 + n % learners, terms[n % len(terms)], 1 + n % 4, when.isoformat(" "), 3000)

    conn.executemany(
        "INSERT INTO review_logs (learner_id, term_id, rating, reviewed_at, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        logs(),
    )
    conn.commit()
    conn.close()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set size) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def drive(fake: FakeTelegram, learners: int, turns: int) -> int:
    """Post `turns` webhook updates from random learners; returns how many got HTTP 200."""
    rng = random.Random(2)
    script = ["/stats", "/term", "/quiz", "1", "2", "/review", "/topics", "/term psi", "3"]
    ok = 0
    for n in range(turns):
        user = rng.randint(1, learners)
        update = fake.text_update(script[n % len(script)], chat_id=user)
        status = await fake.deliver_webhook(update, wait_s=30)
        ok += status == 200
    return ok


async def run(learners: int, reviews: int, turns: int) -> dict[str, float]:
    """Fill, start termcoach, drive turns, measure."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "big.db"
        url = f"sqlite+aiosqlite:///{db_path}"
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        async with FakeTelegram() as fake:
            started = time.perf_counter()
            fill(db_path, learners, reviews, str(fake.bot_id))
            fill_s = time.perf_counter() - started
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TELEGRAM_"))}
            env.update(
                {
                    "TERMCOACH_DATABASE_URL": url,
                    "TELEGRAM_BOT_TOKEN": fake.token,
                    "TELEGRAM_API_BASE_URL": fake.base_url,
                    "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                    "TELEGRAM_WEBHOOK_SECRET": "bench-secret",
                    "TERMCOACH_HTTP_HOST": "127.0.0.1",
                    "TERMCOACH_HTTP_PORT": str(port),
                    "TERMCOACH_LOG_LEVEL": "WARNING",
                }
            )
            proc = subprocess.Popen(  # noqa: ASYNC220  (a long-lived child, not awaited)
                [sys.executable, "-m", "termcoach.cli", "run"],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                deadline = time.monotonic() + 60
                while fake.webhook_url is None:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"termcoach did not start: {proc.stderr.read() if proc.stderr else ''}"
                        )
                    await asyncio.sleep(0.1)
                ok = await drive(fake, learners, turns)
                rss = peak_rss_mb(proc.pid)
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            sent = len(fake.calls_to("sendMessage", "editMessageText"))
    return {
        "learners": learners,
        "reviews": reviews,
        "turns": turns,
        "turns_ok": ok,
        "messages_sent": sent,
        "fill_s": round(fill_s, 1),
        "rss_mb": round(rss, 1),
    }


def main() -> None:
    """Parse arguments, run, print the figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args()
    result = asyncio.run(run(args.learners, args.reviews, args.turns))
    for key, value in result.items():
        print(f"{key:>14}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
